package tests

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/stack"
)

// prodStack's tenants are two trees, one in each of two shards.
const prodStack = "Pulumi.prod.yaml"

// TestTenantShards runs the prod stack's program split over two stacks (tenants.shard, as
// docs/operators/scale.md sets it up): the portal's stack (shard 0) deploys everything as
// before, with its shard's namespaces and a catalog of every tenant; shard 1's stack deploys
// its tenants' namespaces and teams with their providers and nothing else; together they
// provision every tenant once.
func TestTenantShards(t *testing.T) {
	const (
		typeNamespace = "kubernetes:core/v1:Namespace"
		typeTeam      = "github:index/team:Team"
		typeConfigMap = "kubernetes:core/v1:ConfigMap"
	)
	run := func(shard map[string]any) *testkit.Mocks {
		c := loadStack(t, prodStack)
		if shard != nil {
			c.set("tenants", "shard", shard)
		}
		return testkit.MustRun(t, stack.Program(c.src), c.src.Values, c.src.SecretKeys()...)
	}
	names := func(m *testkit.Mocks, typ string) []string {
		var out []string
		for _, r := range m.ByType(typ) {
			out = append(out, r.Name)
		}
		slices.Sort(out)
		return out
	}
	whole := run(nil)
	portal := run(map[string]any{"count": 2})
	shard := run(map[string]any{"count": 2, "index": 1})

	for _, typ := range []string{typeNamespace, typeTeam} {
		got := append(names(portal, typ), names(shard, typ)...)
		slices.Sort(got)
		if want := names(whole, typ); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the two shards provision %v, one stack %v", typ, got, want)
		}
		if len(names(shard, typ)) == 0 || len(names(portal, typ)) == 0 {
			t.Errorf("%s: a shard provisions none (portal's %v, shard 1's %v): the fixture tenants should spread over both",
				typ, names(portal, typ), names(shard, typ))
		}
	}

	// The portal's stack is the one stack but for the other shard's tenants: every
	// resource is in one of the two stacks, and only the component and the providers in both.
	urns := func(m *testkit.Mocks) map[string]bool {
		out := map[string]bool{}
		for _, r := range m.Resources() {
			out[r.URN] = true
		}
		return out
	}
	inWhole, inPortal, inShard := urns(whole), urns(portal), urns(shard)
	for u := range inWhole {
		if !inPortal[u] && !inShard[u] {
			t.Errorf("%s is in neither stack", u)
		}
	}
	// The live catalog has one part per shard besides the template's: the sharded portal
	// has one more ConfigMap than the one stack.
	livePart := regexp.MustCompile(`::portal-catalog-tenants-[0-9]+$`)
	for u := range inPortal {
		if !inWhole[u] && !livePart.MatchString(u) {
			t.Errorf("the portal's stack registers %s, which the one stack does not", u)
		}
		if inShard[u] && !strings.Contains(u, "::pulumi:providers:") && !strings.Contains(u, "::coreplatform:access:TenantAccess::") {
			t.Errorf("%s is in both stacks", u)
		}
	}
	for u := range inShard {
		if !inWhole[u] {
			t.Errorf("shard 1 registers %s, which the one stack does not", u)
		}
	}
	catalog := "portal-catalog"
	if got, want := portal.MustFind(t, typeConfigMap, catalog).Inputs, whole.MustFind(t, typeConfigMap, catalog).Inputs; !reflect.DeepEqual(got, want) {
		t.Errorf("the portal's stack's catalog differs from the one stack's")
	}
	// Every tenant's entities are in the live catalog, each in its shard's part.
	if got, want := liveEntities(t, portal), liveEntities(t, whole); !reflect.DeepEqual(got, want) {
		t.Errorf("the portal's stack's live catalog lists %v, the one stack's %v: it must list every tenant", got, want)
	}
	tenantNamespaces := func(m *testkit.Mocks) []string {
		var out []string
		for _, r := range m.ByType(typeNamespace) {
			if r.Parent == testkit.URN("", "coreplatform:access:TenantAccess", "tenants") {
				out = append(out, r.String("metadata.name"))
			}
		}
		return out
	}
	for part, namespaces := range map[string][]string{"portal-catalog-tenants-1": tenantNamespaces(portal), "portal-catalog-tenants-2": tenantNamespaces(shard)} {
		if len(namespaces) == 0 {
			t.Errorf("no tenant namespace for %s", part)
		}
		for _, ns := range namespaces {
			data, _ := portal.MustFind(t, typeConfigMap, part).Plain("data").(map[string]any)
			if doc, _ := data["entities.yaml"].(string); !strings.Contains(doc, "\n  name: "+ns+"\n") {
				t.Errorf("tenant %s, provisioned by that shard, is not in its part %s", ns, part)
			}
		}
	}

	// Shard 1: its tenants and the providers they need, nothing else.
	for _, r := range shard.Resources() {
		switch {
		case r.Type == "coreplatform:access:TenantAccess",
			r.Type == "pulumi:providers:kubernetes", r.Type == "pulumi:providers:github",
			strings.HasPrefix(r.Type, "kubernetes:") && r.Parent == testkit.URN("", "coreplatform:access:TenantAccess", "tenants"),
			strings.HasPrefix(r.Type, "github:index/team"):
		default:
			t.Errorf("shard 1 registers %s %s, which is the portal stack's", r.Type, r.Name)
		}
	}
}

// TestTenantShardReportsTheSameProblems: a shard's stack builds no portal, yet reports a
// problem of the portal's settings, or of a tenant file, as the portal's stack does.
func TestTenantShardReportsTheSameProblems(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(c *stackConfig)
		want   string
	}{
		{"portal setting", func(c *stackConfig) { c.set("portal", "replicas", 0) }, "developer-portal:portal.replicas:"},
		{"shard index past the count", func(c *stackConfig) { c.set("tenants", "shard.index", 2) }, "developer-portal:tenants.shard.index:"},
	}
	for _, tc := range cases {
		for _, shard := range []map[string]any{{"count": 2}, {"count": 2, "index": 1}} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, shard), func(t *testing.T) {
				c := loadStack(t, prodStack)
				c.set("tenants", "shard", shard)
				tc.mutate(c)
				m := testkit.NewMocks()
				err := testkit.Run(stack.Program(c.src), m, c.src.Values, c.src.SecretKeys()...)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("want an error naming %s, got %v", tc.want, err)
				}
				if n := len(m.Resources()); n > 0 {
					t.Errorf("%d resources registered despite the error", n)
				}
			})
		}
	}
}

// liveEntities is the sorted "kind:name" of every entity in a program's live tenant catalog.
func liveEntities(t *testing.T, m *testkit.Mocks) []string {
	t.Helper()
	var out []string
	for _, r := range m.ByType("kubernetes:core/v1:ConfigMap") {
		if !strings.HasPrefix(r.Name, "portal-catalog-tenants-") {
			continue
		}
		data, _ := r.Plain("data").(map[string]any)
		doc, _ := data["entities.yaml"].(string)
		entities, err := backstage.UnmarshalEntities([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		for _, e := range entities {
			md, _ := e["metadata"].(map[string]any)
			out = append(out, fmt.Sprintf("%v:%v", e["kind"], md["name"]))
		}
	}
	slices.Sort(out)
	return out
}
