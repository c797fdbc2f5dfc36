package access

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleTenantsAreValid(t *testing.T) {
	tenants := exampleTenants(t)
	if len(tenants) != 4 {
		t.Fatalf("%d example tenants, want 4", len(tenants))
	}
	if err := ValidateTenants(tenants, []string{"gcp-dev", "gcp-prod"}); err != nil {
		t.Fatalf("example tenants are invalid:\n%v", err)
	}
	for _, tn := range tenants {
		if tn.File != filepath.Join(fixtureTenantsDir, tn.Name+".yaml") {
			t.Errorf("%s: File = %q", tn.Name, tn.File)
		}
	}
	var notInDev []string
	for _, tn := range tenants {
		if !tn.InEnvironment("gcp-dev") {
			notInDev = append(notInDev, tn.Name)
		}
	}
	if len(notInDev) != 1 || notInDev[0] != "delivery-insights" {
		t.Errorf("tenants not in gcp-dev = %v, want [delivery-insights]", notInDev)
	}
}

const goodTenant = `name: team-a
parent: root
description: Team A
contactEmail: a@cecg.io
environments: [gcp-dev]
adminGroup: a-admin@cecg.io
readonlyGroup: a-readonly@cecg.io
`

func TestLoadTenantsRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name, file, content string
		want                []string
	}{
		{"unknown field", "team-a.yaml", goodTenant + "cloudAcess: []\n", []string{"team-a.yaml", "cloudAcess"}},
		{"wrong type", "team-a.yaml", strings.Replace(goodTenant, "environments: [gcp-dev]", "environments: gcp-dev", 1), []string{"team-a.yaml", "line 5"}},
		{"two documents", "team-a.yaml", goodTenant + "---\n" + goodTenant, []string{"team-a.yaml", "exactly one YAML document"}},
		{"empty file", "team-a.yaml", "", []string{"team-a.yaml", "empty tenant definition"}},
		{"not YAML", "team-a.yaml", "name: [unclosed\n", []string{"team-a.yaml"}},
		{".yml extension", "team-a.yml", goodTenant, []string{"team-a.yml", "<name>.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			// A valid neighbour is not enough to hide the broken file.
			if err := os.WriteFile(filepath.Join(dir, "team-b.yaml"), []byte(strings.ReplaceAll(goodTenant, "team-a", "team-b")), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadTenants(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadTenantsIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"team-a.yaml": goodTenant, "README.md": "# tenants"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "archive"), 0o700); err != nil {
		t.Fatal(err)
	}
	tenants, err := LoadTenants(dir)
	if err != nil || len(tenants) != 1 || tenants[0].Name != "team-a" {
		t.Fatalf("tenants = %+v, err = %v", tenants, err)
	}
	if _, err := LoadTenants(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing directory is not an error")
	}
}

// TestLoadTenantsRefusesHiddenDefinitions: a definition that would be skipped or that lives
// outside the directory is an error naming the file, not a silent omission.
func TestLoadTenantsRefusesHiddenDefinitions(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte(goodTenant+"# do-not-echo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		setup func(dir string) error
		want  string
	}{
		{"symbolic link", func(dir string) error { return os.Symlink(outside, filepath.Join(dir, "team-b.yaml")) }, "team-b.yaml: is a symbolic link"},
		{"upper-case extension", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "team-b.YAML"), []byte(goodTenant), 0o600)
		}, "team-b.YAML: tenant definitions must be named <name>.yaml"},
		{"definition in a subdirectory", func(dir string) error {
			if err := os.Mkdir(filepath.Join(dir, "new"), 0o700); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "new", "team-b.yaml"), []byte(goodTenant), 0o600)
		}, "new: holds YAML files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "team-a.yaml"), []byte(goodTenant), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(dir); err != nil {
				t.Fatal(err)
			}
			_, err := LoadTenants(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "do-not-echo") {
				t.Errorf("error echoes the linked file: %v", err)
			}
		})
	}
}

// validTenants is a small valid tree: a (root) ← b ← c, and d (root).
func validTenants() []Tenant {
	mk := func(name, parent string, repos ...string) Tenant {
		return Tenant{
			Name: name, Parent: parent, Description: "Tenant " + name, ContactEmail: name + "@cecg.io",
			Environments: []string{"gcp-dev"}, Repos: repos,
			AdminGroup: name + "-admin@cecg.io", ReadonlyGroup: name + "-readonly@cecg.io",
			File: "tenants/" + name + ".yaml",
		}
	}
	return []Tenant{
		mk("a", "root", "https://github.com/cecg/a-app"),
		mk("b", "a", "https://github.com/cecg/b-app", "https://github.com/cecg/b-lib"),
		mk("c", "b"),
		mk("d", "root"),
	}
}

func TestValidateTenantsRules(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(ts []Tenant) []Tenant
		want   string // "<file>: <field>"
		msg    string
	}{
		{"name required", func(ts []Tenant) []Tenant { ts[3].Name = ""; return ts }, "tenants/d.yaml: name", "required"},
		{"name not a DNS label", func(ts []Tenant) []Tenant { ts[3].Name = "Team_D"; return ts }, "tenants/d.yaml: name", "DNS label"},
		{"name too long", func(ts []Tenant) []Tenant { ts[3].Name = strings.Repeat("d", 64); return ts }, "tenants/d.yaml: name", "DNS label"},
		{"name reserved", func(ts []Tenant) []Tenant { ts[3].Name = "default"; return ts }, "tenants/d.yaml: name", "reserved"},
		{"name root", func(ts []Tenant) []Tenant { ts[3].Name = "root"; return ts }, "tenants/d.yaml: name", "reserved"},
		{"name kube-", func(ts []Tenant) []Tenant { ts[3].Name = "kube-tools"; return ts }, "tenants/d.yaml: name", "reserved"},
		{"duplicate name", func(ts []Tenant) []Tenant { ts[3].Name = "a"; ts[3].File = ""; return ts }, "tenants[3]: name", "already defined in tenants/a.yaml"},
		{"name differs from file", func(ts []Tenant) []Tenant { ts[3].File = "tenants/e.yaml"; return ts }, "tenants/e.yaml: name", "file name"},
		{"parent required", func(ts []Tenant) []Tenant { ts[3].Parent = ""; return ts }, "tenants/d.yaml: parent", "required"},
		{"parent unknown", func(ts []Tenant) []Tenant { ts[3].Parent = "zz"; return ts }, "tenants/d.yaml: parent", `unknown tenant "zz"`},
		{"parent cycle", func(ts []Tenant) []Tenant { ts[0].Parent = "c"; return ts }, ": parent", "parent cycle"},
		{"own parent", func(ts []Tenant) []Tenant { ts[3].Parent = "d"; return ts }, "tenants/d.yaml: parent", "parent cycle"},
		{"description required", func(ts []Tenant) []Tenant { ts[3].Description = "  "; return ts }, "tenants/d.yaml: description", "required"},
		{"contact e-mail required", func(ts []Tenant) []Tenant { ts[3].ContactEmail = ""; return ts }, "tenants/d.yaml: contactEmail", "required"},
		{"contact e-mail shape", func(ts []Tenant) []Tenant { ts[3].ContactEmail = "d at cecg"; return ts }, "tenants/d.yaml: contactEmail", "e-mail"},
		{"admin group shape", func(ts []Tenant) []Tenant { ts[3].AdminGroup = "d-admins"; return ts }, "tenants/d.yaml: adminGroup", "e-mail"},
		{"readonly group shape", func(ts []Tenant) []Tenant { ts[3].ReadonlyGroup = "Readers <r@cecg.io>"; return ts }, "tenants/d.yaml: readonlyGroup", "e-mail"},
		{"environments required", func(ts []Tenant) []Tenant { ts[3].Environments = nil; return ts }, "tenants/d.yaml: environments", "at least one"},
		{"environment unknown", func(ts []Tenant) []Tenant { ts[3].Environments = []string{"gcp-dev", "aws-dev"}; return ts }, "tenants/d.yaml: environments[1]", `unknown environment "aws-dev"`},
		{"environment twice", func(ts []Tenant) []Tenant { ts[3].Environments = []string{"gcp-dev", "gcp-dev"}; return ts }, "tenants/d.yaml: environments[1]", "twice"},
		{"repo not https", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"http://github.com/cecg/d"}; return ts }, "tenants/d.yaml: repos[0]", "not a GitHub repository URL"},
		{"repo not GitHub", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"https://gitlab.com/cecg/d"}; return ts }, "tenants/d.yaml: repos[0]", "not a GitHub repository URL"},
		{"repo .git", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"https://github.com/cecg/d.git"}; return ts }, "tenants/d.yaml: repos[0]", "not a GitHub repository URL"},
		{"repo path", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"https://github.com/cecg/d/tree/main"}; return ts }, "tenants/d.yaml: repos[0]", "not a GitHub repository URL"},
		{"repo of another tenant", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"https://github.com/CECG/a-app"}; return ts }, "tenants/d.yaml: repos[0]", "already listed by tenants/a.yaml"},
		{"repo name taken elsewhere", func(ts []Tenant) []Tenant { ts[3].Repos = []string{"https://github.com/other/b-lib"}; return ts }, "tenants/d.yaml: repos[0]", "must be unique"},
		{"repo name too long for the catalog", func(ts []Tenant) []Tenant {
			ts[3].Repos = []string{"https://github.com/cecg/" + strings.Repeat("r", 70)}
			return ts
		}, "tenants/d.yaml: repos[0]", "catalog Component"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTenants(tc.mutate(validTenants()), []string{"gcp-dev", "gcp-prod"})
			if err == nil {
				t.Fatal("no error")
			}
			line := lineWith(err.Error(), tc.want)
			if line == "" || !strings.Contains(line, tc.msg) {
				t.Errorf("want a problem at %q saying %q, got:\n%v", tc.want, tc.msg, err)
			}
		})
	}
	if err := ValidateTenants(validTenants(), []string{"gcp-dev"}); err != nil {
		t.Fatalf("valid tenants rejected: %v", err)
	}
}

func TestValidateTenantsReportsEveryProblem(t *testing.T) {
	ts := validTenants()
	ts[1].ContactEmail = "nope"
	ts[2].Parent = "missing"
	ts[3].Environments = []string{"azure"}
	err := ValidateTenants(ts, []string{"gcp-dev"})
	for _, w := range []string{"tenants/b.yaml: contactEmail", "tenants/c.yaml: parent", "tenants/d.yaml: environments[0]"} {
		if lineWith(err.Error(), w) == "" {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestCycleReportedOnce(t *testing.T) {
	ts := validTenants()
	ts[0].Parent = "c" // a → c → b → a
	err := ValidateTenants(ts, []string{"gcp-dev"})
	if n := strings.Count(err.Error(), "parent cycle"); n != 1 {
		t.Errorf("cycle reported %d times:\n%v", n, err)
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
