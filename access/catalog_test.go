package access

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/github"
)

// partEntities is every entity of the contribution's live catalog, part after part.
func partEntities(c backstage.Contribution) []backstage.Entity {
	var out []backstage.Entity
	for _, p := range c.Parts {
		out = append(out, p.Entities...)
	}
	return out
}

// catalog returns the contribution's entities as the portal will read them, by ref.
func catalog(t *testing.T, args *Args) (backstage.Contribution, map[string]map[string]any) {
	t.Helper()
	c, err := Contribution(args)
	if err != nil {
		t.Fatal(err)
	}
	data, err := backstage.MarshalEntities(partEntities(c))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := backstage.UnmarshalEntities(data)
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]map[string]any{}
	for _, d := range docs {
		md := d["metadata"].(map[string]any)
		byRef[strings.ToLower(d["kind"].(string))+":"+md["name"].(string)] = d
	}
	return c, byRef
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestCatalogEntities(t *testing.T) {
	c, byRef := catalog(t, baseArgs(t))
	if c.Name != "tenants" || len(c.SecretEnv) != 0 || len(c.Env) != 0 {
		t.Errorf("contribution = %+v", c)
	}
	var refs []string
	for ref := range byRef {
		refs = append(refs, ref)
	}
	want := []string{
		"system:platform-accelerator", "system:reference-app", "system:knowledge-platform",
		"template:request-a-tenancy",
	}
	if len(byRef) != len(want) {
		t.Errorf("entities = %v, want %v", refs, want)
	}
	for _, w := range want {
		if byRef[w] == nil {
			t.Errorf("missing %s (have %v)", w, refs)
		}
	}
	for _, ref := range refs {
		if strings.Contains(ref, "delivery-insights") {
			t.Errorf("%s is in the gcp-dev catalog although the tenant is not in gcp-dev", ref)
		}
		if strings.HasPrefix(ref, "group:") {
			t.Errorf("%s emitted although teams come from the GitHub organisation sync", ref)
		}
	}

	sys := byRef["system:reference-app"]
	if got := get(sys, "spec", "owner"); got != "group:default/reference-app" {
		t.Errorf("system owner = %v", got)
	}
	if got := get(sys, "apiVersion"); got != "backstage.io/v1alpha1" {
		t.Errorf("system apiVersion = %v", got)
	}
	links, _ := get(sys, "metadata", "links").([]any)
	var join string
	for _, l := range links {
		if get(l, "title") == "Request to join this tenancy" {
			join, _ = get(l, "url").(string)
		}
	}
	if join != "https://github.com/orgs/cecg/teams/reference-app" {
		t.Errorf("join link = %q (links %v)", join, links)
	}
	if got := get(sys, "metadata", "annotations", AnnotationCostCentre); got != "CECG-PA-001" {
		t.Errorf("cost centre = %v", got)
	}

	// The repositories are links of the System, not generated Components: those would take
	// the refs of the repositories' own catalog-info.yaml entities.
	var repoLinks []string
	for _, l := range links {
		if get(l, "icon") == "github" {
			repoLinks = append(repoLinks, get(l, "url").(string))
		}
	}
	wantLinks := []string{"https://github.com/cecg/core-platform-reference-application-go", "https://github.com/cecg/core-platform-reference-application-java"}
	if !reflect.DeepEqual(repoLinks, wantLinks) {
		t.Errorf("repository links = %v, want %v", repoLinks, wantLinks)
	}
	// What the portal's tenancy page reads: environments, cluster groups, parent, the
	// definition file and who approves joining the team.
	for k, v := range map[string]string{
		"backstage.io/kubernetes-label-selector": "tenant=reference-app",
		"backstage.io/kubernetes-namespace":      "reference-app",
		"coreplatform.cecg.io/environments":      "gcp-dev,gcp-prod",
		"coreplatform.cecg.io/admin-group":       "reference-app-admin@cecg.io",
		"coreplatform.cecg.io/readonly-group":    "reference-app-readonly@cecg.io",
		"coreplatform.cecg.io/parent":            "platform-accelerator",
		"coreplatform.cecg.io/team-maintainers":  "alice,bob",
		"backstage.io/view-url":                  "https://github.com/cecg/environments/blob/main/tenants/reference-app.yaml",
		"backstage.io/edit-url":                  "https://github.com/cecg/environments/edit/main/tenants/reference-app.yaml",
	} {
		if got := get(sys, "metadata", "annotations", k); got != v {
			t.Errorf("system annotation %s = %v, want %s", k, got, v)
		}
	}
}

// No generated entity can collide with one a repository declares: every kind this
// contribution generates is outside what catalog discovery may read (github.DiscoveredKinds,
// emitted as catalog.rules), for every tenant file, teams synced or not.
func TestGeneratedKindsAreNeverDiscovered(t *testing.T) {
	discoverable := map[string]bool{}
	for _, k := range github.DiscoveredKinds() {
		discoverable[k] = true
	}
	for _, teamsInGitHub := range []bool{true, false} {
		args := baseArgs(t)
		if !teamsInGitHub {
			args.GitHubTeams.Manage = boolPtr(false)
		}
		c, err := Contribution(args)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range partEntities(c) {
			if discoverable[e.Kind] {
				t.Errorf("generated %s %s: a repository's catalog-info.yaml may declare the same ref", e.Kind, e.Metadata.Name)
			}
		}
	}
}

func TestCatalogGroupsWhenTeamsAreNotManaged(t *testing.T) {
	args := baseArgs(t)
	args.GitHubTeams.Manage = boolPtr(false)
	_, byRef := catalog(t, args)
	for _, name := range []string{"platform-accelerator", "reference-app", "knowledge-platform"} {
		if byRef["group:"+name] == nil {
			t.Errorf("no Group %s", name)
		}
	}
	if byRef["group:delivery-insights"] != nil {
		t.Error("Group for a tenant not in gcp-dev")
	}
	g := byRef["group:reference-app"]
	want := map[string]any{
		"type":     "team",
		"profile":  map[string]any{"displayName": "reference-app", "email": "reference-app-admin@cecg.io"},
		"parent":   "group:default/platform-accelerator",
		"children": []any{},
	}
	if got := get(g, "spec"); !reflect.DeepEqual(got, want) {
		t.Errorf("group spec = %v", got)
	}
	if get(byRef["group:platform-accelerator"], "spec", "parent") != nil {
		t.Error("top-level group has a parent")
	}
	for _, l := range get(byRef["system:reference-app"], "metadata", "links").([]any) {
		if strings.Contains(get(l, "url").(string), "/teams/") {
			t.Errorf("join link %v although teams are not managed", l)
		}
	}
	if m := get(byRef["system:reference-app"], "metadata", "annotations", AnnotationTeamMaintainers); m != nil {
		t.Errorf("team maintainers %v although teams are not in GitHub", m)
	}
}

func TestContributionRejectsBadArgs(t *testing.T) {
	args := baseArgs(t)
	args.Requests.Repository = ""
	if _, err := Contribution(args); err == nil || !strings.Contains(err.Error(), "requests.repository") {
		t.Errorf("err = %v", err)
	}
	if _, err := Contribution(nil); err == nil {
		t.Error("nil args accepted")
	}
}
