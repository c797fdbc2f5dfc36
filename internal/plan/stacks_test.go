package plan

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// stackFile is a stack file of environment env whose tenants section is tenants (YAML, one
// level under tenants:), with an encrypted key and a secrets provider as committed files hold.
func stackFile(env, tenants string) string {
	return `secretsprovider: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k
config:
  developer-portal:environment: ` + env + `
  developer-portal:githubAppPrivateKey:
    secure: v1:` + env + `:ciphertext
  developer-portal:portal:
    image: ghcr.io/cecg/developer-portal:1.8.3
  developer-portal:tenants:
` + tenants
}

func shardSection(count, index int) string {
	s := "    shard:\n      count: " + strconv.Itoa(count) + "\n"
	if index >= 0 {
		s += "      index: " + strconv.Itoa(index) + "\n"
	}
	return s
}

// TestEnvironments derives the stacks from stack files, and refuses every set the workflows
// could not run completely, naming the file.
func TestEnvironments(t *testing.T) {
	project, err := os.ReadFile(filepath.Join("..", "..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	three := func(extra map[string]string) map[string]string {
		files := map[string]string{
			"Pulumi.dev.yaml":            stackFile("dev", "    dir: tenants\n"),
			"Pulumi.prod.yaml":           stackFile("prod", shardSection(3, -1)),
			"Pulumi.prod-tenants-1.yaml": stackFile("prod", shardSection(3, 1)),
			"Pulumi.prod-tenants-2.yaml": stackFile("prod", shardSection(3, 2)),
		}
		for k, v := range extra {
			if v == "" {
				delete(files, k)
			} else {
				files[k] = v
			}
		}
		return files
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string   // stacks, "env:stack,stack;..." (shards first); "" when wantErr
		errs  []string // each must appear in the error
	}{
		{name: "one stack per environment", files: map[string]string{
			"Pulumi.dev.yaml": stackFile("dev", "    dir: tenants\n"), "Pulumi.prod.yaml": stackFile("prod", "    dir: tenants\n"),
		}, want: "dev:dev;prod:prod"},
		{name: "count 1 is one stack", files: map[string]string{"Pulumi.prod.yaml": stackFile("prod", shardSection(1, -1))}, want: "prod:prod"},
		{name: "prod sharded in three", files: three(nil), want: "dev:dev;prod:prod-tenants-1,prod-tenants-2,prod"},
		{name: "a shard's secret differs in ciphertext only", files: three(map[string]string{
			"Pulumi.prod-tenants-2.yaml": strings.Replace(stackFile("prod", shardSection(3, 2)), "v1:prod:", "v1:other:", 1),
		}), want: "dev:dev;prod:prod-tenants-1,prod-tenants-2,prod"},
		{name: "missing shard file", files: three(map[string]string{"Pulumi.prod-tenants-2.yaml": ""}),
			errs: []string{"Pulumi.prod-tenants-2.yaml: missing: Pulumi.prod.yaml sets developer-portal:tenants.shard.count 3"}},
		{name: "a count far above the files", files: map[string]string{"Pulumi.prod.yaml": stackFile("prod", "    shard:\n      count: 100000\n")},
			errs: []string{"Pulumi.prod-tenants-10.yaml: missing", "Pulumi.prod.yaml: 99989 more shard stack files are missing for developer-portal:tenants.shard.count 100000"}},
		{name: "index out of range", files: three(map[string]string{"Pulumi.prod-tenants-3.yaml": stackFile("prod", shardSection(3, 3))}),
			errs: []string{"Pulumi.prod-tenants-3.yaml: shard 3 is out of range: Pulumi.prod.yaml sets developer-portal:tenants.shard.count 3"}},
		{name: "shard files without a count", files: map[string]string{
			"Pulumi.prod.yaml": stackFile("prod", "    dir: tenants\n"), "Pulumi.prod-tenants-1.yaml": stackFile("prod", shardSection(2, 1)),
		}, errs: []string{"Pulumi.prod-tenants-1.yaml: shard 1 is out of range"}},
		{name: "duplicate index", files: three(map[string]string{"Pulumi.prod-tenants-2.yaml": stackFile("prod", shardSection(3, 1))}),
			errs: []string{
				"Pulumi.prod-tenants-2.yaml: developer-portal:tenants.shard.index is 1, not the 2 its name gives",
				"Pulumi.prod-tenants-2.yaml: developer-portal:tenants.shard.index 1 is also set by Pulumi.prod-tenants-1.yaml",
			}},
		{name: "index unset in a shard file", files: three(map[string]string{"Pulumi.prod-tenants-1.yaml": stackFile("prod", shardSection(3, -1))}),
			errs: []string{"Pulumi.prod-tenants-1.yaml: developer-portal:tenants.shard.index is <nil>, not the 1 its name gives"}},
		{name: "index set in the portal's file", files: three(map[string]string{"Pulumi.prod.yaml": stackFile("prod", shardSection(3, 0))}),
			errs: []string{"Pulumi.prod.yaml: developer-portal:tenants.shard.index is set: the portal's stack is shard 0",
				"Pulumi.prod-tenants-1.yaml: a tenant shard of environment \"prod\", which has no valid portal stack"}},
		{name: "unknown environment", files: three(map[string]string{"Pulumi.staging-tenants-1.yaml": stackFile("staging", shardSection(2, 1))}),
			errs: []string{"Pulumi.staging-tenants-1.yaml: a tenant shard of environment \"staging\", which has no valid portal stack Pulumi.staging.yaml"}},
		{name: "leading zero", files: three(map[string]string{"Pulumi.prod-tenants-01.yaml": stackFile("prod", shardSection(3, 1))}),
			errs: []string{"Pulumi.prod-tenants-01.yaml: not a stack name the workflows run"}},
		{name: "shard 0 as a file", files: three(map[string]string{"Pulumi.prod-tenants-0.yaml": stackFile("prod", shardSection(3, 0))}),
			errs: []string{"Pulumi.prod-tenants-0.yaml: not a stack name the workflows run"}},
		{name: "not a shard pattern", files: three(map[string]string{"Pulumi.prod-tenants-a.yaml": stackFile("prod", shardSection(3, 1))}),
			errs: []string{"Pulumi.prod-tenants-a.yaml: not a stack name the workflows run"}},
		{name: "not a DNS label", files: three(map[string]string{"Pulumi.Prod_2.yaml": stackFile("Prod_2", "    dir: tenants\n")}),
			errs: []string{"Pulumi.Prod_2.yaml: not a stack name the workflows run"}},
		{name: "yml extension", files: three(map[string]string{"Pulumi.prod-tenants-3.yml": stackFile("prod", shardSection(3, 1))}),
			errs: []string{"Pulumi.prod-tenants-3.yml: a stack file is named Pulumi.<stack>.yaml"}},
		{name: "stack named after another environment", files: three(map[string]string{"Pulumi.staging.yaml": stackFile("prod", "    dir: tenants\n")}),
			errs: []string{`Pulumi.staging.yaml: developer-portal:environment is "prod": an environment's portal stack is named after its environment`}},
		{name: "a shard differs in another key", files: three(map[string]string{
			"Pulumi.prod-tenants-1.yaml": strings.Replace(stackFile("prod", shardSection(3, 1)), "1.8.3", "1.8.4", 1),
		}), errs: []string{"Pulumi.prod-tenants-1.yaml: differs from Pulumi.prod.yaml in developer-portal:portal: a shard's stack file is the portal's but for developer-portal:tenants.shard.index"}},
		{name: "a shard differs in another tenants field", files: three(map[string]string{
			"Pulumi.prod-tenants-1.yaml": stackFile("prod", shardSection(3, 1)+"    retainNamespaces: false\n"),
		}), errs: []string{"Pulumi.prod-tenants-1.yaml: differs from Pulumi.prod.yaml in developer-portal:tenants:"}},
		{name: "a shard lacks a key", files: three(map[string]string{
			"Pulumi.prod-tenants-1.yaml": strings.Replace(stackFile("prod", shardSection(3, 1)), "  developer-portal:portal:\n    image: ghcr.io/cecg/developer-portal:1.8.3\n", "", 1),
		}), errs: []string{"Pulumi.prod-tenants-1.yaml: differs from Pulumi.prod.yaml in developer-portal:portal (unset)"}},
		{name: "a shard's secret in plain text", files: three(map[string]string{
			"Pulumi.prod-tenants-1.yaml": strings.Replace(stackFile("prod", shardSection(3, 1)), "    secure: v1:prod:ciphertext", "    plain: text", 1),
		}), errs: []string{"differs from Pulumi.prod.yaml in developer-portal:githubAppPrivateKey, the encrypted keys"}},
		{name: "a shard with another secrets provider", files: three(map[string]string{
			"Pulumi.prod-tenants-2.yaml": strings.Replace(stackFile("prod", shardSection(3, 2)), "gcpkms://projects/p", "passphrase://x", 1),
		}), errs: []string{"Pulumi.prod-tenants-2.yaml: differs from Pulumi.prod.yaml in secretsprovider"}},
		{name: "no stack file", files: map[string]string{}, errs: []string{"no Pulumi.<stack>.yaml in"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.files["Pulumi.yaml"] = string(project)
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			envs, err := Environments(dir)
			if len(tc.errs) > 0 {
				if err == nil {
					t.Fatalf("no error; stacks %v", envs)
				}
				for _, want := range tc.errs {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\ndoes not say %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "ciphertext") {
					t.Errorf("the error echoes an encrypted value: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range envs {
				var names []string
				for _, s := range e.All() {
					if s.Environment != e.Name || (s.Stack == e.Name) != (s.Shard == 0) {
						t.Errorf("%s: stack %+v", e.Name, s)
					}
					names = append(names, s.Stack)
				}
				got = append(got, e.Name+":"+strings.Join(names, ","))
			}
			if strings.Join(got, ";") != tc.want {
				t.Errorf("stacks %q, want %q", strings.Join(got, ";"), tc.want)
			}
		})
	}
}
