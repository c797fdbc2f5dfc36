package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/plan"
)

// committedStacks are the stacks of the committed stack files, as the workflows run them
// (every environment's shards and portal stack, plan.Environments).
func committedStacks(t *testing.T) []string {
	t.Helper()
	envs, err := plan.Environments(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range plan.AllStacks(envs) {
		names = append(names, s.Stack)
	}
	return names
}

// TestLiveTenantsAreAccepted checks the live tenants/ folder by the rules `pulumi up` applies,
// not against expected contents: every file parses strictly, names match files and are unique,
// parents exist, environments are known, repositories belong to one tenant. Any number of
// valid tenancy requests pass; an invalid one fails naming its file and field.
func TestLiveTenantsAreAccepted(t *testing.T) {
	for _, name := range committedStacks(t) {
		t.Run(name, func(t *testing.T) {
			// The committed stacks keep the default tenants.dir, "tenants" beside Pulumi.yaml.
			dir := filepath.Join(root, access.DefaultDir)
			if _, err := plan.Run(plan.Options{Root: root, Stack: name, TenantsDir: dir}); err != nil {
				t.Errorf("stack %s rejects the tenants folder:\n%v", name, err)
			}
		})
	}
}

// TestTenantRulesNameFileAndField proves the check above can fail: the fixture tenants plus
// one bad definition are rejected with the file and the field in the message.
func TestTenantRulesNameFileAndField(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixtureTenants, "reference-app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file string
		edit       func(string) string
		want       []string
	}{
		{"contact e-mail", "payments.yaml", func(s string) string {
			s = strings.Replace(s, "name: reference-app", "name: payments", 1)
			s = strings.Replace(s, "contactEmail: reference-app@cecg.io", "contactEmail: payments team", 1)
			return strings.ReplaceAll(s, "core-platform-reference-application", "payments")
		}, []string{"payments.yaml: contactEmail", "e-mail"}},
		{"unknown parent", "payments.yaml", func(s string) string {
			s = strings.Replace(s, "name: reference-app", "name: payments", 1)
			s = strings.Replace(s, "parent: platform-accelerator", "parent: finance", 1)
			return strings.ReplaceAll(s, "core-platform-reference-application", "payments")
		}, []string{"payments.yaml: parent", `unknown tenant "finance"`}},
		{"unknown environment", "payments.yaml", func(s string) string {
			s = strings.Replace(s, "name: reference-app", "name: payments", 1)
			s = strings.Replace(s, "  - gcp-prod", "  - gcp-staging", 1)
			return strings.ReplaceAll(s, "core-platform-reference-application", "payments")
		}, []string{"payments.yaml: environments[1]", `unknown environment "gcp-staging"`}},
		{"name taken", "payments.yaml", func(s string) string {
			return strings.ReplaceAll(s, "core-platform-reference-application", "payments")
		}, []string{"payments.yaml: name", "file name"}},
		{"repository of another tenant", "payments.yaml", func(s string) string {
			return strings.Replace(s, "name: reference-app", "name: payments", 1)
		}, []string{"reference-app.yaml: repos[0]", "already listed by", "payments.yaml"}},
		{"unknown field", "payments.yaml", func(s string) string {
			s = strings.Replace(s, "name: reference-app", "name: payments", 1)
			return strings.ReplaceAll(s, "core-platform-reference-application", "payments") + "quota: {}\n"
		}, []string{"payments.yaml", "quota"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, fixtureTenants)
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.edit(string(good))), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := plan.Run(plan.Options{Root: root, Stack: "dev", TenantsDir: dir})
			if err == nil {
				t.Fatal("the bad tenant was accepted")
			}
			for _, w := range append([]string{"developer-portal:tenants"}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestAddingAValidTenantKeepsTheRules: a new valid definition beside the fixtures is accepted
// and provisioned, which is what a merged tenancy request does to the live folder.
func TestAddingAValidTenantKeepsTheRules(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixtureTenants, "reference-app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(good), "name: reference-app", "name: payments", 1)
	s = strings.ReplaceAll(s, "core-platform-reference-application", "payments")
	dir := copyDir(t, fixtureTenants)
	if err := os.WriteFile(filepath.Join(dir, "payments.yaml"), []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(plan.Options{Root: root, Stack: "dev", TenantsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Exports["tenants"], "payments") {
		t.Errorf("tenants export = %s, want payments among them", res.Exports["tenants"])
	}
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(from, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no tenants in %s (%v)", from, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
