package access

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
)

func TestTenantAccessProvisionsTenantsOfThisEnvironment(t *testing.T) {
	cases := []struct {
		env     string
		want    []string // parents first
		skipped []string
	}{
		{"gcp-dev", []string{"platform-accelerator", "knowledge-platform", "reference-app"}, []string{"delivery-insights"}},
		{"gcp-prod", []string{"delivery-insights", "platform-accelerator", "reference-app"}, []string{"knowledge-platform"}},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			args := baseArgs(t)
			args.Environment = tc.env
			m, outs := mustRun(t, args)

			for _, typ := range []string{typeNamespace, typeQuota, typeLimitRange, typeNetPol, typeTeam} {
				if got := len(m.ByType(typ)); got != len(tc.want) {
					t.Errorf("%s: %d registered, want %d", typ, got, len(tc.want))
				}
			}
			if got := len(m.ByType(typeRoleBinding)); got != 2*len(tc.want) {
				t.Errorf("RoleBindings: %d, want %d", got, 2*len(tc.want))
			}
			for _, skipped := range tc.skipped {
				for _, r := range m.Resources() {
					if strings.Contains(r.Name, skipped) {
						t.Errorf("%s is not in %s but %s %q was registered", skipped, tc.env, r.Type, r.Name)
					}
				}
			}
			if got := strs(outs["tenantNames"].Value); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tenantNames = %v, want %v", got, tc.want)
			}
			if got := strs(outs["namespaces"].Value); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("namespaces = %v, want %v", got, tc.want)
			}
			if got := strs(outs["teamSlugs"].Value); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("teamSlugs = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNamespaceBindingsQuotaIsolation(t *testing.T) {
	m, _ := mustRun(t, baseArgs(t))
	comp := testkit.URN("", typeComponent, "tenants")

	ns := m.MustFind(t, typeNamespace, "tenants-reference-app")
	if ns.Parent != comp {
		t.Errorf("namespace parent = %s", ns.Parent)
	}
	if !ns.RetainOnDelete {
		t.Error("tenant namespace is not retained on delete")
	}
	wantLabels := map[string]any{
		"tenant": "reference-app", "coreplatform.cecg.io/parent": "platform-accelerator",
		"pod-security.kubernetes.io/enforce": "baseline",
	}
	if got := ns.Plain("metadata.labels"); !reflect.DeepEqual(got, wantLabels) {
		t.Errorf("labels = %v", got)
	}
	if got := ns.String("metadata.name"); got != "reference-app" {
		t.Errorf("namespace name = %q", got)
	}
	ann := ns.Plain("metadata.annotations").(map[string]any)
	if ann[AnnotationContact] != "reference-app@cecg.io" || ann[AnnotationCostCentre] != "CECG-PA-001" {
		t.Errorf("annotations = %v", ann)
	}

	for _, tc := range []struct{ name, objName, role, group string }{
		{"tenants-reference-app-admin", "tenant-admin", "admin", "reference-app-admin@cecg.io"},
		{"tenants-reference-app-view", "tenant-view", "view", "reference-app-readonly@cecg.io"},
	} {
		rb := m.MustFind(t, typeRoleBinding, tc.name)
		if rb.String("metadata.namespace") != "reference-app" || rb.String("metadata.name") != tc.objName {
			t.Errorf("%s: metadata = %v", tc.name, rb.Plain("metadata"))
		}
		wantRef := map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": tc.role}
		if got := rb.Plain("roleRef"); !reflect.DeepEqual(got, wantRef) {
			t.Errorf("%s: roleRef = %v", tc.name, got)
		}
		wantSubjects := []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": tc.group}}
		if got := rb.Plain("subjects"); !reflect.DeepEqual(got, wantSubjects) {
			t.Errorf("%s: subjects = %v", tc.name, got)
		}
	}

	q := m.MustFind(t, typeQuota, "tenants-reference-app-quota")
	wantHard := map[string]any{
		"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi",
		"requests.storage": "100Gi", "pods": "50", "services": "20", "persistentvolumeclaims": "10",
		"services.loadbalancers": "0", "services.nodeports": "0",
	}
	if got := q.Plain("spec.hard"); !reflect.DeepEqual(got, wantHard) {
		t.Errorf("quota = %v", got)
	}
	if q.String("metadata.namespace") != "reference-app" {
		t.Errorf("quota namespace = %q", q.String("metadata.namespace"))
	}

	lr := m.MustFind(t, typeLimitRange, "tenants-reference-app-limits")
	wantLimits := []any{map[string]any{
		"type":           "Container",
		"default":        map[string]any{"cpu": "500m", "memory": "512Mi"},
		"defaultRequest": map[string]any{"cpu": "100m", "memory": "128Mi"},
		"max":            map[string]any{"cpu": "4", "memory": "8Gi"},
	}}
	if got := lr.Plain("spec.limits"); !reflect.DeepEqual(got, wantLimits) {
		t.Errorf("limits = %v", got)
	}

	np := m.MustFind(t, typeNetPol, "tenants-reference-app-isolation")
	wantSpec := map[string]any{
		"podSelector": map[string]any{},
		"policyTypes": []any{"Ingress"},
		"ingress": []any{map[string]any{"from": []any{
			map[string]any{"podSelector": map[string]any{}},
			map[string]any{"namespaceSelector": map[string]any{"matchExpressions": []any{map[string]any{
				"key": "kubernetes.io/metadata.name", "operator": "In",
				"values": []any{"platform-ingress", "platform-monitoring"},
			}}}},
		}}},
	}
	if got := np.Plain("spec"); !reflect.DeepEqual(got, wantSpec) {
		t.Errorf("isolation policy spec = %v", got)
	}
}

func TestSettingsReachTheNamespaces(t *testing.T) {
	args := baseArgs(t)
	args.Quota = Quota{Pods: "10", Extra: map[string]string{"requests.nvidia.com/gpu": "0"}}
	args.LimitRange = LimitRange{MaxMemory: "2Gi"}
	args.Isolation = Isolation{IngressNamespace: "traefik", MonitoringNamespaces: []string{"prometheus", "grafana"}}
	args.PodSecurity = "restricted"
	args.RetainNamespaces = boolPtr(false)
	m, _ := mustRun(t, args)

	ns := m.MustFind(t, typeNamespace, "tenants-platform-accelerator")
	if ns.RetainOnDelete {
		t.Error("namespace retained although retainNamespaces is false")
	}
	if got := ns.Plain("metadata.labels").(map[string]any)["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Errorf("pod security = %v", got)
	}
	if got := ns.Plain("metadata.labels").(map[string]any)[LabelParent]; got != "root" {
		t.Errorf("parent label = %v", got)
	}
	hard := m.MustFind(t, typeQuota, "tenants-platform-accelerator-quota").Plain("spec.hard").(map[string]any)
	if hard["pods"] != "10" || hard["requests.nvidia.com/gpu"] != "0" || hard["requests.cpu"] != "4" {
		t.Errorf("quota = %v", hard)
	}
	lr := m.MustFind(t, typeLimitRange, "tenants-platform-accelerator-limits")
	if got := lr.String("spec.limits.0.max.memory"); got != "2Gi" {
		t.Errorf("max memory = %q", got)
	}
	np := m.MustFind(t, typeNetPol, "tenants-platform-accelerator-isolation")
	if got := np.Plain("spec.ingress.0.from.1.namespaceSelector.matchExpressions.0.values"); !reflect.DeepEqual(got, []any{"traefik", "prometheus", "grafana"}) {
		t.Errorf("allowed namespaces = %v", got)
	}
}

func TestTeams(t *testing.T) {
	args := baseArgs(t)
	args.GitHubTeams.Permission = "push"
	m, _ := mustRun(t, args)

	parent := m.MustFind(t, typeTeam, "tenants-platform-accelerator-team")
	child := m.MustFind(t, typeTeam, "tenants-reference-app-team")
	for _, team := range []struct {
		r          testkit.Resource
		name, desc string
	}{
		{parent, "platform-accelerator", "CECG's Platform Accelerator team, parent of the reference and knowledge tenants."},
		{child, "reference-app", "Reference applications showing the path to production on the Core Platform."},
	} {
		if team.r.String("privacy") != "closed" {
			t.Errorf("%s privacy = %q, want closed (visible, so members can request to join)", team.name, team.r.String("privacy"))
		}
		if team.r.String("name") != team.name || team.r.String("description") != team.desc {
			t.Errorf("%s: name/description = %q/%q", team.name, team.r.String("name"), team.r.String("description"))
		}
	}
	if _, ok := parent.Input("parentTeamId"); ok {
		t.Errorf("top-level team has a parent: %v", parent.Plain("parentTeamId"))
	}
	if got := child.String("parentTeamId"); got != "tenants-platform-accelerator-team-id" {
		t.Errorf("reference-app parentTeamId = %q, want the platform-accelerator team's id", got)
	}

	members := m.ByType(typeMembership)
	if len(members) != 2*3 {
		t.Fatalf("%d memberships, want 6 (2 maintainers x 3 teams)", len(members))
	}
	for _, user := range []string{"alice", "bob"} {
		r := m.MustFind(t, typeMembership, "tenants-reference-app-team."+user)
		if r.String("role") != "maintainer" || r.String("username") != user || r.String("teamId") != "tenants-reference-app-team-id" {
			t.Errorf("membership %s = %v", user, r.Plain(""))
		}
	}

	grants := m.ByType(typeTeamRepo)
	if len(grants) != 4 {
		t.Fatalf("%d repository grants, want 4", len(grants))
	}
	for _, repo := range []string{"core-platform-reference-application-go", "core-platform-reference-application-java"} {
		r := m.MustFind(t, typeTeamRepo, "tenants-reference-app-team."+repo)
		if r.String("repository") != repo || r.String("permission") != "push" || r.String("teamId") != "tenants-reference-app-team-id" {
			t.Errorf("grant %s = %v", repo, r.Plain(""))
		}
	}
}

func TestTeamsDefaultToReadAccess(t *testing.T) {
	m, _ := mustRun(t, baseArgs(t))
	for _, r := range m.ByType(typeTeamRepo) {
		if r.String("permission") != "pull" {
			t.Errorf("%s permission = %q, want pull", r.Name, r.String("permission"))
		}
	}
}

func TestTeamsNotManaged(t *testing.T) {
	args := baseArgs(t)
	args.GitHubTeams = GitHubTeams{Manage: boolPtr(false)}
	args.Organization = ""
	m, outs := mustRun(t, args)
	for _, typ := range []string{typeTeam, typeMembership, typeTeamRepo} {
		if n := len(m.ByType(typ)); n != 0 {
			t.Errorf("%d %s registered although teams are not managed", n, typ)
		}
	}
	if got := strs(outs["teamSlugs"].Value); len(got) != 0 {
		t.Errorf("teamSlugs = %v", got)
	}
	if n := len(m.ByType(typeNamespace)); n != 3 {
		t.Errorf("%d namespaces, want 3", n)
	}
}

// A stack whose teams another stack creates registers no team, yet its catalog treats the teams
// as GitHub's: join links on Systems, and no Group entities that would clash with the synced ones.
func TestTeamsManagedElsewhere(t *testing.T) {
	args := baseArgs(t)
	args.GitHubTeams = GitHubTeams{Manage: boolPtr(false), ManagedElsewhere: true}
	m, _ := mustRun(t, args)
	if n := len(m.ByType(typeTeam)); n != 0 {
		t.Errorf("%d teams registered by a stack whose teams are managed elsewhere", n)
	}
	c, err := Contribution(args)
	if err != nil {
		t.Fatal(err)
	}
	joinLinks := 0
	for _, e := range partEntities(c) {
		if e.Kind == "Group" {
			t.Errorf("Group %s emitted although teams exist in GitHub", e.Metadata.Name)
		}
		for _, l := range e.Metadata.Links {
			if l.Title == "Request to join this tenancy" {
				joinLinks++
			}
		}
	}
	if joinLinks == 0 {
		t.Error("no System links to its GitHub team")
	}

	both := baseArgs(t)
	both.GitHubTeams.ManagedElsewhere = true
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "githubTeams.managedElsewhere") {
		t.Errorf("manage and managedElsewhere together: %v", err)
	}
}

func TestTeamsForAllEnvironments(t *testing.T) {
	args := baseArgs(t)
	args.GitHubTeams.AllEnvironments = true
	m, _ := mustRun(t, args)
	m.MustFind(t, typeTeam, "tenants-delivery-insights-team")
	if _, ok := m.Find(typeNamespace, "tenants-delivery-insights"); ok {
		t.Error("delivery-insights is not in gcp-dev but got a namespace")
	}
}

func TestArgsAreNotModified(t *testing.T) {
	args := baseArgs(t)
	args.Tenants = nil
	args.Dir = fixtureTenantsDir
	before := *args
	mustRun(t, args)
	if !reflect.DeepEqual(before, *args) {
		t.Errorf("args modified: %+v", *args)
	}
}

// Every object made for a tenant answers to the URN it gets when `pulumi state move` moves it
// to a shard's stack without its parent (the stack becomes its parent): the shard's stack
// then adopts it without a replacement. The component itself is not moved and has no alias.
func TestTenantObjectsAnswerToTheirMovedURN(t *testing.T) {
	m, _ := mustRun(t, baseArgs(t))
	children := 0
	for _, r := range m.Resources() {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue // the test's own providers
		}
		if r.Type == typeComponent {
			if len(r.Aliases) != 0 {
				t.Errorf("the component has aliases %v", r.Aliases)
			}
			continue
		}
		children++
		want := testkit.URN("", r.Type, r.Name)
		if !slices.Contains(r.Aliases, want) {
			t.Errorf("%s %s: aliases %v lack %s", r.Type, r.Name, r.Aliases, want)
		}
	}
	if children < 5*3 {
		t.Fatalf("%d tenant objects registered, want at least 15 (3 tenants)", children)
	}
}
