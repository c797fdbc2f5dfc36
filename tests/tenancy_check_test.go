package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
)

// newTenant writes a definition derived from the reference-app fixture into dir.
func newTenant(t *testing.T, dir, name, parent string, edit func(string) string) string {
	t.Helper()
	good, err := os.ReadFile(filepath.Join(fixtureTenants, "reference-app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(good), "name: reference-app", "name: "+name, 1)
	s = strings.Replace(s, "parent: platform-accelerator", "parent: "+parent, 1)
	s = strings.ReplaceAll(s, "core-platform-reference-application", name)
	s = strings.ReplaceAll(s, "reference-app", name)
	if edit != nil {
		s = edit(s)
	}
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTenancyCheckShowsWhatEachStackCreates(t *testing.T) {
	dir := copyDir(t, fixtureTenants)
	// "platform" is a prefix of the fixture tenant "platform-accelerator": nothing of the
	// latter may appear in the former's report.
	file := newTenant(t, dir, "platform", "root", nil)
	report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, Files: []string{file}})
	if err != nil || !ok {
		t.Fatalf("ok = %v, err = %v\n%s", ok, err, report)
	}
	for _, want := range []string{
		"### Tenancy `platform`",
		// dev: Kubernetes objects and catalog entities, no team (the prod stack creates teams)
		"- stack `dev`: LimitRange, Namespace, NetworkPolicy, ResourceQuota, 2 RoleBinding; catalog: System",
		// prod also creates the GitHub team, its maintainer and its repositories
		"- stack `prod`: LimitRange, Namespace, NetworkPolicy, ResourceQuota, 2 RoleBinding, Team, TeamMembership, 2 TeamRepository; catalog: System",
		"+ kubernetes:core/v1:Namespace tenants-platform [retainOnDelete]",
		`subjects.0.name: "platform-admin@cecg.io"`,
		"kind: System",
		// its repositories are links of its System (no generated Component to collide with
		// the repositories' own entities)
		"url: https://github.com/cecg/platform-go",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "platform-accelerator-") || strings.Contains(report, "tenants-reference-app") {
		t.Errorf("report includes another tenant's resources:\n%s", report)
	}
}

func TestTenancyCheckReportsErrorsByFileAndField(t *testing.T) {
	dir := copyDir(t, fixtureTenants)
	cases := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"bad field value", func(s string) string {
			return strings.Replace(s, "contactEmail: payments@cecg.io", "contactEmail: the payments team", 1)
		}, []string{"payments.yaml: contactEmail", "e-mail"}},
		{"unknown field", func(s string) string { return s + "cloudAccess: []\n" }, []string{"payments.yaml", "cloudAccess"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := newTenant(t, dir, "payments", "platform-accelerator", tc.edit)
			report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, Stacks: []string{"dev"}, Files: []string{file}})
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				t.Fatalf("accepted:\n%s", report)
			}
			for _, w := range tc.want {
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q:\n%s", w, report)
				}
			}
		})
	}
}

func TestTenancyCheckOfADeletedFile(t *testing.T) {
	dir := copyDir(t, fixtureTenants)
	if err := os.Remove(filepath.Join(dir, "delivery-insights.yaml")); err != nil {
		t.Fatal(err)
	}
	report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, Stacks: []string{"dev"},
		Files: []string{filepath.Join(dir, "delivery-insights.yaml")}})
	if err != nil || !ok {
		t.Fatalf("ok = %v, err = %v\n%s", ok, err, report)
	}
	if !strings.Contains(report, "delivery-insights.yaml` is deleted") {
		t.Errorf("report does not say the file is deleted:\n%s", report)
	}
}
