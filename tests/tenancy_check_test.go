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
	report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, TenantsDir: dir, Files: []string{file}})
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
			report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, Stacks: []string{"dev"}, TenantsDir: dir, Files: []string{file}})
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
	report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: root, Stacks: []string{"dev"}, TenantsDir: dir,
		Files: []string{filepath.Join(dir, "delivery-insights.yaml")}})
	if err != nil || !ok {
		t.Fatalf("ok = %v, err = %v\n%s", ok, err, report)
	}
	if !strings.Contains(report, "delivery-insights.yaml` is deleted") {
		t.Errorf("report does not say the file is deleted:\n%s", report)
	}
}

// The report and the stacks agree on which files are tenancies: the check asks the stacks'
// own loader, over the folder the stacks are planned over. Every changed file is reported
// under its own name, and a file the stacks would not read is an error naming it.
func TestTenancyCheckReadsWhatTheStacksRead(t *testing.T) {
	symlink := func(t *testing.T, target, link string) {
		t.Helper()
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(t *testing.T, from, to string) string {
		t.Helper()
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
		return to
	}
	mkdir := func(t *testing.T, dir string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	notRead := func(file string) string { return "**`" + file + "` is not a tenant definition the stacks read:**" }
	tests := []struct {
		name string
		// change edits a copy of the test tenants in dir and returns the changed files
		// (a missing file was deleted) and the report's expected lines, with DIR for dir.
		change  func(t *testing.T, dir string) (files, want, notWant []string)
		stacks  []string // default dev
		wantOK  bool
		ownDirs bool // TenantsDir unset: the stacks' own tenants.dir
	}{
		{
			name: "one file deleted and another added: each named by its own file",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				gone := filepath.Join(dir, "delivery-insights.yaml")
				if err := os.Remove(gone); err != nil {
					t.Fatal(err)
				}
				added := newTenant(t, dir, "payments", "root", nil)
				return []string{gone, added},
					[]string{"### Tenancy `payments` (`" + added + "`): valid", "`" + gone + "` is deleted: at the next deploy"},
					[]string{"(`" + gone + "`): valid"}
			},
			wantOK: true,
		},
		{
			name: "a deletion between two additions",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				a := newTenant(t, dir, "alpha", "root", nil)
				gone := filepath.Join(dir, "delivery-insights.yaml")
				if err := os.Remove(gone); err != nil {
					t.Fatal(err)
				}
				z := newTenant(t, dir, "zulu", "root", nil)
				return []string{a, gone, z},
					[]string{"### Tenancy `alpha` (`" + a + "`): valid", "### Tenancy `zulu` (`" + z + "`): valid"},
					[]string{"(`" + gone + "`): valid"}
			},
			wantOK: true,
		},
		{
			name: "a rename: the old name deleted, the new one added",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				old := newTenant(t, dir, "payments", "root", nil)
				// The committed state had payments.yaml; the change renames the tenancy.
				if err := os.Remove(old); err != nil {
					t.Fatal(err)
				}
				renamed := newTenant(t, dir, "billing", "root", nil)
				return []string{old, renamed},
					[]string{"`" + old + "` is deleted", "### Tenancy `billing` (`" + renamed + "`): valid"},
					[]string{"### Tenancy `billing` (`" + old + "`)"}
			},
			wantOK: true,
		},
		{
			name: "the same file given twice is reported once",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := newTenant(t, dir, "payments", "root", nil)
				return []string{f, filepath.Join(dir, ".", "payments.yaml")},
					[]string{"### Tenancy `payments` (`" + f + "`): valid"}, nil
			},
			wantOK: true,
		},
		{
			name: "a file in a subfolder",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := newTenant(t, mkdir(t, filepath.Join(dir, "sub")), "payments", "root", nil)
				return []string{f}, []string{notRead(f), "directly in `" + dir + "`"}, []string{"): valid", "Namespace"}
			},
		},
		{
			name: "a file two folders down",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := newTenant(t, mkdir(t, filepath.Join(dir, "a", "b")), "payments", "root", nil)
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: "a valid file and one in a subfolder",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				good := newTenant(t, dir, "payments", "root", nil)
				sub := newTenant(t, mkdir(t, filepath.Join(dir, "sub")), "billing", "root", nil)
				return []string{good, sub}, []string{notRead(sub)}, []string{"### Tenancy"}
			},
		},
		{
			name: "a file outside the tenants folder",
			change: func(t *testing.T, _ string) ([]string, []string, []string) {
				f := newTenant(t, t.TempDir(), "payments", "root", nil)
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: ".yml",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := rename(t, newTenant(t, dir, "payments", "root", nil), filepath.Join(dir, "payments.yml"))
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: "upper-case .YAML",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := rename(t, newTenant(t, dir, "payments", "root", nil), filepath.Join(dir, "payments.YAML"))
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: "not a YAML file name, YAML content",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := rename(t, newTenant(t, dir, "payments", "root", nil), filepath.Join(dir, "payments.txt"))
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: "a symbolic link to a definition outside the folder",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				target := newTenant(t, t.TempDir(), "payments", "root", nil)
				link := filepath.Join(dir, "payments.yaml")
				symlink(t, target, link)
				return []string{link}, []string{notRead(link)}, []string{"): valid", target}
			},
		},
		{
			name: "a symbolic link to a folder of definitions",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				other := t.TempDir()
				newTenant(t, other, "payments", "root", nil)
				symlink(t, other, filepath.Join(dir, "linked"))
				f := filepath.Join(dir, "linked", "payments.yaml")
				return []string{f}, []string{notRead(f)}, []string{"): valid"}
			},
		},
		{
			name: "a dotfile the loader reads: its name does not match",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := rename(t, newTenant(t, dir, "payments", "root", nil), filepath.Join(dir, ".payments.yaml"))
				return []string{f}, []string{"rejects the tenants folder", ".payments.yaml", "must match the file name"}, []string{"): valid"}
			},
		},
		{
			name: "an empty dotfile that is not YAML",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := filepath.Join(dir, ".gitkeep")
				if err := os.WriteFile(f, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return []string{f}, []string{notRead(f)}, nil
			},
		},
		{
			name: "a file name with backticks stays inline code",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := rename(t, newTenant(t, dir, "payments", "root", nil), filepath.Join(dir, "x`**y**``.yml"))
				return []string{f}, []string{"**```" + f + "``` is not a tenant definition"}, []string{"**`" + f}
			},
		},
		{
			name: "two files defining the same tenant",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				a := newTenant(t, dir, "payments", "root", nil)
				b := rename(t, newTenant(t, t.TempDir(), "payments", "root", nil), filepath.Join(dir, "payments-copy.yaml"))
				return []string{a, b}, []string{"rejects the tenants folder", "payments-copy.yaml", `tenant "payments" is already defined`}, []string{"): valid"}
			},
		},
		{
			name: "a deleted file the stacks never read",
			change: func(_ *testing.T, dir string) ([]string, []string, []string) {
				f := filepath.Join(dir, "sub", "payments.yaml")
				return []string{f}, []string{"`" + f + "` is deleted; the stacks never read it"}, []string{"removes what it created"}
			},
			wantOK: true,
		},
		{
			name: "the stacks' own folder by default: a file elsewhere is not read",
			change: func(t *testing.T, dir string) ([]string, []string, []string) {
				f := newTenant(t, dir, "payments", "root", nil)
				return []string{f}, []string{notRead(f), "directly in `" + filepath.Join(root, "tenants") + "`"}, []string{"): valid"}
			},
			stacks:  []string{"dev", "prod"},
			ownDirs: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, fixtureTenants)
			files, want, notWant := tc.change(t, dir)
			opts := plan.TenantCheckOptions{Root: root, Stacks: tc.stacks, TenantsDir: dir, Files: files}
			if opts.Stacks == nil {
				opts.Stacks = []string{"dev"}
			}
			if tc.ownDirs {
				opts.TenantsDir = ""
			}
			report, ok, err := plan.TenantCheck(opts)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
			for _, w := range want {
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q", w)
				}
			}
			for _, w := range notWant {
				if strings.Contains(report, w) {
					t.Errorf("report has %q", w)
				}
			}
			if strings.Count(report, "### Tenancy `payments`") > 1 {
				t.Errorf("a tenancy is reported more than once")
			}
			if t.Failed() {
				t.Logf("report:\n%s", report)
			}
		})
	}
}
