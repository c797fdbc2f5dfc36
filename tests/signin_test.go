package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"gopkg.in/yaml.v3"
)

// testOnlyAuthKeys are the configuration keys that let someone in without GitHub's own
// sign-in: the browser test's overlay uses enterpriseInstanceUrl (its loopback GitHub) and the
// Backstage test's keyStore (its own signing key); guest and every dangerouslyAllow… flag are
// Backstage's ways around a real identity.
var testOnlyAuthKeys = []string{"guest", "enterpriseInstanceUrl", "keyStore"}

// TestGeneratedConfigHasNoTestSignIn plans every stack file in the repository, the committed
// environments and the test stacks alike, and fails if the app-config any of them generates
// holds a sign-in other than GitHub's or a test-only key: those live in the tests' overlays
// alone.
func TestGeneratedConfigHasNoTestSignIn(t *testing.T) {
	files := []string{"Pulumi.dev.yaml", "Pulumi.prod.yaml", awsStack}
	more, err := filepath.Glob(filepath.Join(root, "tests", "*", "testdata", "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range more {
		rel, _ := filepath.Rel(root, f)
		files = append(files, rel)
	}
	if len(files) < 6 {
		t.Fatalf("found only %v: the test stacks moved?", files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			res, err := plan.Run(plan.Options{Root: root, StackFile: abs(f), TenantsDir: fixtureTenants})
			if err != nil {
				t.Fatal(err)
			}
			text, err := plan.AppConfig(res.Resources)
			if err != nil {
				t.Fatal(err)
			}
			var cfg map[string]any
			if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
				t.Fatal(err)
			}
			for _, p := range testOnlySignIn(cfg) {
				t.Errorf("%s generates %s", f, p)
			}
		})
	}
}

// testOnlySignIn lists what in an app-config lets a user in other than GitHub's sign-in.
func testOnlySignIn(cfg map[string]any) []string {
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := strings.TrimPrefix(path+"."+k, ".")
				for _, bad := range testOnlyAuthKeys {
					if k == bad {
						found = append(found, p)
					}
				}
				if strings.HasPrefix(k, "dangerouslyAllow") {
					found = append(found, p)
				}
				walk(p, e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		}
	}
	walk("", cfg)
	if auth, ok := cfg["auth"].(map[string]any); ok {
		providers, _ := auth["providers"].(map[string]any)
		for name := range providers {
			if name != "github" {
				found = append(found, "auth.providers."+name)
			}
		}
	}
	return found
}

// TestTestOnlySignInIsDetected proves the check above finds each way in.
func TestTestOnlySignInIsDetected(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"guest provider", "auth: {providers: {guest: {}}}", "auth.providers.guest"},
		{"guest outside development", "auth: {providers: {guest: {dangerouslyAllowOutsideDevelopment: true}}}", "auth.providers.guest.dangerouslyAllowOutsideDevelopment"},
		{"GitHub at another host", "auth: {providers: {github: {production: {enterpriseInstanceUrl: 'http://127.0.0.1:1'}}}}", "auth.providers.github.production.enterpriseInstanceUrl"},
		{"static signing key", "auth: {keyStore: {provider: static}}", "auth.keyStore"},
		{"another provider", "auth: {providers: {microsoft: {}}}", "auth.providers.microsoft"},
		{"unsafe flag anywhere", "backend: {auth: {dangerouslyAllowNoAuthentication: true}}", "backend.auth.dangerouslyAllowNoAuthentication"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg map[string]any
			if err := yaml.Unmarshal([]byte(c.yaml), &cfg); err != nil {
				t.Fatal(err)
			}
			got := testOnlySignIn(cfg)
			if !strings.Contains(strings.Join(got, " "), c.want) {
				t.Errorf("found %v, want %s", got, c.want)
			}
		})
	}
	if got := testOnlySignIn(map[string]any{"auth": map[string]any{"providers": map[string]any{"github": map[string]any{}}}}); len(got) != 0 {
		t.Errorf("GitHub sign-in alone reported as %v", got)
	}
}

// TestTheAppOffersGitHubSignInOnly checks the app's code: the backend registers no guest
// provider module and depends on none, and the frontend's sign-in page names GitHub only.
func TestTheAppOffersGitHubSignInOnly(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(readRoot(t, "app/packages/backend/package.json"), &pkg); err != nil {
		t.Fatal(err)
	}
	for dep := range pkg.Dependencies {
		if strings.HasPrefix(dep, "@backstage/plugin-auth-backend-module-") && dep != "@backstage/plugin-auth-backend-module-github-provider" {
			t.Errorf("the backend depends on %s: GitHub is the only sign-in", dep)
		}
	}
	backend := string(readRoot(t, "app/packages/backend/src/index.js"))
	if strings.Contains(backend, "guest-provider") || !strings.Contains(backend, "auth-backend-module-github-provider") {
		t.Error("app/packages/backend/src/index.js must register the GitHub auth provider and no guest provider")
	}
	signIn := string(readRoot(t, "app/packages/app/src/brand/index.tsx"))
	if strings.Contains(signIn, "'guest'") || strings.Contains(signIn, "providers=") || !strings.Contains(signIn, "githubAuthApiRef") {
		t.Error("the sign-in page (app/packages/app/src/brand/index.tsx) must offer GitHub's provider alone")
	}
}

// TestBrowserTestRunsTheWorkflowsTechDocsCLI: the TechDocs CLI the browser test installs is
// the version the publishing workflow runs.
func TestBrowserTestRunsTheWorkflowsTechDocsCLI(t *testing.T) {
	var wf struct {
		Env map[string]string `yaml:"env"`
	}
	if err := yaml.Unmarshal(readRoot(t, ".github/workflows/techdocs.yml"), &wf); err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(readRoot(t, "tests/backstage/techdocs-cli/package.json"), &pkg); err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(readRoot(t, "tests/backstage/techdocs-cli/package-lock.json"), &lock); err != nil {
		t.Fatal(err)
	}
	want := wf.Env["TECHDOCS_CLI_VERSION"]
	if want == "" {
		t.Fatal("techdocs.yml sets no TECHDOCS_CLI_VERSION")
	}
	if got := pkg.Dependencies["@techdocs/cli"]; got != want {
		t.Errorf("tests/backstage/techdocs-cli/package.json pins @techdocs/cli %q, the workflow runs %q", got, want)
	}
	if got := lock.Packages["node_modules/@techdocs/cli"].Version; got != want {
		t.Errorf("tests/backstage/techdocs-cli/package-lock.json locks @techdocs/cli %q, the workflow runs %q", got, want)
	}
}

func readRoot(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
