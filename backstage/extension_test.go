package backstage

import (
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/validate"
)

func TestExtraAppConfigAllowList(t *testing.T) {
	cases := []struct {
		name string
		m    map[string]any
		want []string // problem paths, sorted as reported
	}{
		{"extension points", map[string]any{
			"app":        map[string]any{"support": map[string]any{"url": "https://help"}},
			"scaffolder": map[string]any{"defaultAuthor": map[string]any{"name": "bot"}, "defaultCommitMessage": "x"},
			"techdocs":   map[string]any{"cache": map[string]any{"ttl": 60}},
		}, nil},
		{"owned sections", map[string]any{"auth": map[string]any{}, "catalog": map[string]any{}, "proxy": map[string]any{}}, []string{"x.auth", "x.catalog", "x.proxy"}},
		{"sibling of an extension point", map[string]any{"app": map[string]any{"title": "t", "support": map[string]any{}}}, []string{"x.app.title"}},
		{"scalar where a map leads to extension points", map[string]any{"app": "x"}, []string{"x.app"}},
		{"include anywhere", map[string]any{"$include": "f", "techdocs": map[string]any{"cache": map[string]any{"$env": "X"}}}, []string{"x.$include", "x.techdocs.cache.$env"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var errs validate.Errors
			CheckExtraAppConfig(&errs, "x", tc.m)
			var got []string
			for _, p := range errs.Problems {
				got = append(got, p.Path)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("problems at %v, want %v", got, tc.want)
			}
		})
	}
}

func TestContributionChecks(t *testing.T) {
	policy := ContributionPolicy{AdminGroup: "platform-team", TemplateContributions: []string{"tenants"}}
	group := func(name string, spec map[string]any) Entity {
		return Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Group", Metadata: Metadata{Name: name}, Spec: spec}
	}
	cases := []struct {
		name string
		c    Contribution
		want []string
	}{
		{"what the GitHub component contributes", Contribution{Name: "github", Config: AppConfig{
			Integrations: &Integrations{GitHub: []GitHubIntegration{{Host: "github.com", Token: "${GITHUB_TOKEN}"}}},
			Catalog:      &Catalog{Rules: []CatalogRule{{Allow: DiscoverableKinds()}}, Providers: map[string]any{"github": map[string]any{}}},
			Auth: &Auth{Environment: "production", Providers: map[string]map[string]any{"github": {"production": map[string]any{
				"clientId": "x", "clientSecret": "${S}", "signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": SignInResolvers()[0]}}}}}}},
		}}, nil},
		{"the App's webhook secret as a reference", Contribution{Name: "github", Config: AppConfig{
			Events: &Events{Modules: &EventsModules{GitHub: &GitHubEvents{WebhookSecret: "${GITHUB_APP_WEBHOOK_SECRET}"}}}}}, nil},
		{"a literal webhook secret", Contribution{Name: "github", Config: AppConfig{
			Events: &Events{Modules: &EventsModules{GitHub: &GitHubEvents{WebhookSecret: "known-to-the-author"}}}}}, []string{"c.config.events.modules.github.webhookSecret"}},
		{"a tenant's team", Contribution{Name: "tenants", Entities: []Entity{group("payments", map[string]any{"type": "team", "children": []any{}})}}, nil},
		{"the admin group", Contribution{Name: "tenants", Entities: []Entity{group("Platform-Team", nil)}}, []string{"c.entities[0].metadata.name"}},
		{"members", Contribution{Name: "tenants", Entities: []Entity{group("payments", map[string]any{"members": []any{"mallory"}})}}, []string{"c.entities[0].spec.members"}},
		{"a template elsewhere", Contribution{Name: "extra", Entities: []Entity{{Kind: "Template", Metadata: Metadata{Name: "t"}}}}, []string{"c.entities[0].kind"}},
		{"a template from the tenancy", Contribution{Name: "tenants", Entities: []Entity{{Kind: "Template", Metadata: Metadata{Name: "t"}}}}, nil},
		{"a user", Contribution{Name: "extra", Entities: []Entity{{Kind: "User", Metadata: Metadata{Name: "u"}}}}, []string{"c.entities[0].kind"}},
		{"the portal's own sections", Contribution{Name: "extra", Config: AppConfig{Permission: &Permission{}, CorePlatform: &CorePlatform{AdminGroup: "x"}}},
			[]string{"c.config.corePlatform", "c.config.permission"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var errs validate.Errors
			CheckContribution(&errs, "c", tc.c, policy)
			var got []string
			for _, p := range errs.Problems {
				got = append(got, p.Path)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("problems at %v, want %v\n%v", got, tc.want, errs.Err())
			}
		})
	}
}

func TestFrontendVisibilityIsTheKeysOwn(t *testing.T) {
	var errs validate.Errors
	CheckFrontend(&errs, "x", map[string]any{
		"app":          map[string]any{"title": "${A}", "support": map[string]any{"items": []any{map[string]any{"title": "${B}"}}}},
		"integrations": map[string]any{"github": []any{map[string]any{"host": "github.com", "token": "${GITHUB_TOKEN}"}}},
		"organization": map[string]any{"name": map[string]any{"$file": "/etc/x"}},
	})
	var got []string
	for _, p := range errs.Problems {
		got = append(got, p.Path)
	}
	want := "x.app.support.items[0].title,x.app.title,x.organization.name.$file"
	if strings.Join(got, ",") != want {
		t.Errorf("problems at %v, want %s", got, want)
	}
}
