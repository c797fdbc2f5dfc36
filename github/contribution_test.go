package github

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

func compose(t *testing.T, c backstage.Contribution) backstage.Document {
	t.Helper()
	doc, err := backstage.Compose([]backstage.Part{{Name: c.Name, Config: c.Config}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// roundTrip gives the expected value in the composed document's generic form.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := yaml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestContributionWithApp(t *testing.T) {
	c, err := Contribution(appArgs(t))
	if err != nil {
		t.Fatal(err)
	}
	doc := compose(t, c)
	cases := map[string]string{
		"integrations.github": `
- host: github.com
  apps:
    - appId: "123456"
      clientId: Iv23liTestClient
      clientSecret: ${GITHUB_APP_CLIENT_SECRET}
      privateKey: ${GITHUB_APP_PRIVATE_KEY}
      webhookSecret: ${GITHUB_APP_WEBHOOK_SECRET}
      allowedInstallationOwners: [CECG]`,
		"catalog.providers.github": `
cecg:
  organization: CECG
  catalogPath: /catalog-info.yaml
  schedule: {frequency: {minutes: 30}, timeout: {minutes: 3}}`,
		// Discovered files may hold these kinds (Backstage alone keeps only Component, API and
		// Location); never System, Group, User or Template, which the platform generates or
		// syncs.
		"catalog.rules": `
- allow: [API, Component, Location, Resource]`,
		"catalog.providers.githubOrg": `
- id: cecg
  githubUrl: https://github.com
  orgs: [CECG]
  schedule: {frequency: {hours: 1}, timeout: {minutes: 15}}`,
		// The App's webhook: deliveries signed with its secret update discovery and the org sync.
		"events.modules.github": `
webhookSecret: ${GITHUB_APP_WEBHOOK_SECRET}`,
		"auth.environment": `production`,
		"auth.providers.github": `
production:
  clientId: Iv23liTestClient
  clientSecret: ${AUTH_GITHUB_CLIENT_SECRET}
  signIn:
    resolvers:
      - resolver: userIdMatchingUserEntityAnnotation`,
	}
	for path, want := range cases {
		var w any
		if err := yaml.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		got, ok := doc.Get(path)
		if !ok || !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %#v\nwant %#v", path, got, w)
		}
	}
	wantEnv := []string{EnvAppClientSecret, EnvAppPrivateKey, EnvAppWebhookSecret, EnvAuthClientSecret}
	assertSecretEnv(t, c, wantEnv, map[string]string{
		EnvAppClientSecret: fakeClientSecret, EnvAuthClientSecret: fakeClientSecret,
		EnvAppWebhookSecret: fakeWebhookSecret, EnvAppPrivateKey: testkit.RSAKeyPEM(),
	})
	assertConfigHoldsNoSecret(t, doc)
}

func TestContributionWithToken(t *testing.T) {
	a := appArgs(t)
	a.App = AppArgs{}
	a.AppPrivateKey, a.AppClientSecret, a.AppWebhookSecret = nil, nil, nil
	a.Token = pulumi.String(fakeToken) // a plain Input must still end up secret
	a.SignIn.Enabled = boolPtr(false)
	a.Discovery = DiscoveryArgs{Branch: "main", RepositoryPattern: "^svc-", FrequencyMinutes: 120, TimeoutMinutes: 10}
	c, err := Contribution(a)
	if err != nil {
		t.Fatal(err)
	}
	doc := compose(t, c)
	if got, _ := doc.Get("integrations.github"); !reflect.DeepEqual(got, roundTrip(t, []map[string]string{{"host": "github.com", "token": "${GITHUB_TOKEN}"}})) {
		t.Errorf("integrations.github = %#v", got)
	}
	if _, ok := doc.Get("auth"); ok {
		t.Error("sign-in disabled but auth configured")
	}
	want := roundTrip(t, map[string]any{"organization": "CECG", "catalogPath": "/catalog-info.yaml",
		"filters":  map[string]string{"branch": "main", "repository": "^svc-"},
		"schedule": map[string]any{"frequency": map[string]int{"hours": 2}, "timeout": map[string]int{"minutes": 10}}})
	if got, _ := doc.Get("catalog.providers.github.cecg"); !reflect.DeepEqual(got, want) {
		t.Errorf("discovery = %#v", got)
	}
	assertSecretEnv(t, c, []string{EnvToken}, map[string]string{EnvToken: fakeToken})
	assertConfigHoldsNoSecret(t, doc)
}

func TestContributionTokenWithOAuthSignIn(t *testing.T) {
	a := appArgs(t)
	a.App = AppArgs{ClientID: "oauth-client-id"}
	a.AppPrivateKey, a.AppWebhookSecret = nil, nil
	a.Token = pulumi.ToSecret(pulumi.String(fakeToken)).(pulumi.StringOutput)
	a.OrgSync.Enabled = boolPtr(true)
	c, err := Contribution(a)
	if err != nil {
		t.Fatal(err)
	}
	doc := compose(t, c)
	if got, _ := doc.Get("auth.providers.github.production.clientId"); got != "oauth-client-id" {
		t.Errorf("sign-in client id = %v", got)
	}
	if got, _ := doc.Get("integrations.github"); reflect.DeepEqual(got, nil) || strings.Contains(string(mustYAML(t, got)), "apps") {
		t.Errorf("token mode must not configure an App: %v", got)
	}
	assertSecretEnv(t, c, []string{EnvAuthClientSecret, EnvToken}, nil)
}

func TestContributionWithoutOrgSync(t *testing.T) {
	a := appArgs(t)
	a.OrgSync.Enabled = boolPtr(false)
	a.SignIn.Enabled = boolPtr(false)
	c, err := Contribution(a)
	if err != nil {
		t.Fatal(err)
	}
	doc := compose(t, c)
	if _, ok := doc.Get("catalog.providers.githubOrg"); ok {
		t.Error("org sync disabled but githubOrg configured")
	}
	if _, ok := c.SecretEnv[EnvAuthClientSecret]; ok {
		t.Error("sign-in disabled but its secret is in the env")
	}
}

func mustYAML(t *testing.T, v any) []byte {
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertSecretEnv checks the env names, that every value resolves as a secret, and the values.
func assertSecretEnv(t *testing.T, c backstage.Contribution, names []string, values map[string]string) {
	t.Helper()
	var got []string
	for k := range c.SecretEnv {
		got = append(got, k)
	}
	if !sameSet(got, names) {
		t.Errorf("SecretEnv names = %v, want %v", got, names)
	}
	if len(c.Env) != 0 {
		t.Errorf("credentials must not go to Env: %v", c.Env)
	}
	testkit.MustRun(t, func(ctx *pulumi.Context) error {
		for k, in := range c.SecretEnv {
			a, err := testkit.Await(ctx, in.ToStringOutput())
			if err != nil {
				return err
			}
			if !a.Secret {
				t.Errorf("%s is not secret", k)
			}
			if want, ok := values[k]; ok && a.Value != want {
				t.Errorf("%s has the wrong value", k)
			}
		}
		return nil
	}, nil)
}

func assertConfigHoldsNoSecret(t *testing.T, doc backstage.Document) {
	t.Helper()
	y, err := doc.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secretValues() {
		if strings.Contains(string(y), s) {
			t.Errorf("app-config holds a secret value")
		}
	}
	if err := checkAppConfigYAML(string(y)); err != nil {
		t.Errorf("the contribution itself fails the committed-file check: %v", err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestDependabotGoModules: Go modules get one gomod entry listing their directories, and none
// by default (a portal repository holds no Go).
func TestDependabotGoModules(t *testing.T) {
	for _, tc := range []struct {
		name string
		dirs []string
	}{
		{"default", nil},
		{"this repository", []string{"/", "/tests/e2e", "/tests/e2e/tools/*"}},
	} {
		out, err := DependabotConfig(DependencyUpdatesArgs{Interval: "weekly", DockerDirectory: "/app", NPMDirectory: "/app", GoDirectories: tc.dirs})
		if err != nil {
			t.Fatal(err)
		}
		var cfg dependabotConfig
		if err := yaml.Unmarshal([]byte(out), &cfg); err != nil {
			t.Fatal(err)
		}
		var gomod []dependabotUpdate
		for _, u := range cfg.Updates {
			if u.PackageEcosystem == "gomod" {
				gomod = append(gomod, u)
			}
		}
		switch {
		case tc.dirs == nil && len(gomod) != 0:
			t.Errorf("%s: gomod entries %+v, want none", tc.name, gomod)
		case tc.dirs != nil && (len(gomod) != 1 || !slices.Equal(gomod[0].Directories, tc.dirs) || gomod[0].Directory != ""):
			t.Errorf("%s: gomod entries %+v, want one with directories %v", tc.name, gomod, tc.dirs)
		}
	}
}
