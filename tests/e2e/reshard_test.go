package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/access"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// TestReshardTenants follows docs/operators/scale.md's procedure for sharding a stack that
// already holds every tenant: the stack that loses tenants (the portal's, now shard 0 of 2)
// updates first, forgetting the moved tenants' namespaces (retained) and deleting their other
// objects; the new shard's stack then creates them, adopting the namespaces. Both stacks must
// then agree with the API server: every tenant object exists, and neither a preview nor a
// preview after a refresh finds anything to do.
func TestReshardTenants(t *testing.T) {
	tl, c, tenants, base, shard := reshardFixture(t)
	ctx := context.Background()
	logs := newOpLogs(t)
	up := func(e *env, name string) map[string]int {
		t.Helper()
		res, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, name)))
		if err != nil {
			t.Fatalf("%s: %s\n%s", name, firstLine(err), logs.tail(name))
		}
		changes := deref(res.Summary.ResourceChanges)
		t.Logf("%s: %s", name, summary(changes))
		return changes
	}

	portal := newScaleStack(t, ctx, tl, c, base, stackName)
	up(portal, "reshard-one-stack")
	portal.use(t, ctx, shard(0), &SkipAwait{})
	moved := up(portal, "reshard-portal-shard-0")["delete"]
	if moved == 0 {
		t.Fatal("shard 0 of 2 deletes nothing: no tenant moved to shard 1 (choose other tenants)")
	}
	tenantShard := newScaleStack(t, ctx, tl, c, shard(1), stackName+"-shard-1")
	up(tenantShard, "reshard-shard-1")

	checkResharded(t, ctx, c, tenants, portal, tenantShard)
}

// reshardFixture is a stack holding 20 tenants, their namespaces retained as by default, and
// the configuration of shard i of 2 of it.
func reshardFixture(t *testing.T) (tl tools, c *cluster, tenants []access.Tenant, base *stackConfig, shard func(int) *stackConfig) {
	tl = lookupTools(t)
	c = startCluster(t, tl)
	dir := t.TempDir()
	tenants = generateTenants(t, 20)
	writeTenants(t, dir, tenants)
	// Namespaces are retained on delete, as by default: the e2e stack file turns that off.
	base = loadStackConfig(t, dir, generateSecrets(t)).with(t, func(v map[string]any) {
		v["developer-portal:tenants"].(map[string]any)["retainNamespaces"] = true
	})
	shard = func(i int) *stackConfig {
		return base.with(t, func(v map[string]any) {
			s := map[string]any{"count": 2}
			if i > 0 {
				s["index"] = i
			}
			v["developer-portal:tenants"].(map[string]any)["shard"] = s
		})
	}
	return tl, c, tenants, base, shard
}

// TestReshardTenantsWithStateMove follows docs/operators/scale.md's procedure for moving
// tenants between stacks without an access gap: the new shard's stack is created, the URNs its
// preview would create are moved to it from the portal's stack with `pulumi state move`, and
// only then do both stacks update. Nothing is deleted or created in the cluster at any point:
// every tenant object keeps its UID, so no group loses its access even for a moment.
func TestReshardTenantsWithStateMove(t *testing.T) {
	tl, c, tenants, base, shard := reshardFixture(t)
	ctx := context.Background()
	logs := newOpLogs(t)
	up := func(e *env, name string) []step {
		t.Helper()
		ch, steps := collectSteps()
		res, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, name)), optup.EventStreams(ch))
		if err != nil {
			t.Fatalf("%s: %s\n%s", name, firstLine(err), logs.tail(name))
		}
		t.Logf("%s: %s", name, summary(deref(res.Summary.ResourceChanges)))
		return steps()
	}

	portal := newScaleStack(t, ctx, tl, c, base, stackName)
	up(portal, "move-one-stack")
	before := tenantObjectUIDs(t, c)

	// 1. The new shard's stack, in the portal stack's backend; its preview names what it
	// would create, which is what it must take over.
	shardName := stackName + "-tenants-1"
	tenantShard := newStackBeside(t, ctx, tl, c, shard(1), shardName, &SkipAwait{}, portal)
	ch, steps := collectSteps()
	if _, err := tenantShard.stack.Preview(ctx, optpreview.EventStreams(ch)); err != nil {
		t.Fatalf("preview of the new shard: %v", err)
	}
	var urns []string
	for _, s := range steps() {
		if s.Op == "create" && movable(s.Type) {
			urns = append(urns, strings.Replace(s.URN, "urn:pulumi:"+shardName+"::", "urn:pulumi:"+stackName+"::", 1))
		}
	}
	if len(urns) == 0 {
		t.Fatal("the new shard's preview creates no tenant object: no tenant moves to shard 1 (choose other tenants)")
	}

	// 2. Move them, then update both stacks with their shard configuration.
	out, err := portal.cli(ctx, append([]string{"state", "move", "--source", stackName, "--dest", shardName, "--yes"}, urns...)...)
	if err != nil {
		t.Fatalf("pulumi state move: %v\n%s", err, out)
	}
	t.Logf("pulumi state move of %d resources from %s to %s", len(urns), stackName, shardName)
	portal.use(t, ctx, shard(0), &SkipAwait{})
	for _, e := range []struct {
		env  *env
		name string
	}{{portal, "move-portal-shard-0"}, {tenantShard, "move-shard-1"}} {
		// The portal's own objects may change (a second shard adds a catalog part, and its
		// volume to the pods); no tenant object may, and nothing is deleted.
		for _, s := range up(e.env, e.name) {
			tenantObject := movable(s.Type) && strings.Contains(s.URN, access.Type+"$")
			if (tenantObject && s.Op != "same") || strings.Contains(s.Op, "delete") || strings.Contains(s.Op, "replace") {
				t.Errorf("%s: %s %s: a moved tenant object must stay as it is, and nothing may be deleted", e.name, s.Op, s.URN)
			}
		}
	}

	checkResharded(t, ctx, c, tenants, portal, tenantShard)
	after := tenantObjectUIDs(t, c)
	for id, uid := range before {
		if after[id] != uid {
			t.Errorf("%s was deleted and created again (uid %s, now %q): its tenant lost access in between", id, uid, after[id])
		}
	}
}

// movable says whether a resource type is an object of the cluster or of GitHub, which a state
// move carries, rather than the stack, a provider or a component, which each stack has.
func movable(typ string) bool {
	return !strings.HasPrefix(typ, "pulumi:") && !strings.HasPrefix(typ, "coreplatform:")
}

// tenantObjectUIDs are the UIDs of every object labelled with a tenant, by kind/namespace/name.
func tenantObjectUIDs(t *testing.T, c *cluster) map[string]string {
	t.Helper()
	var list struct {
		Items []struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace, Name, UID string
			} `json:"metadata"`
		} `json:"items"`
	}
	out := c.kubectl(t, nil, "get", "namespaces,rolebindings,resourcequotas,limitranges,networkpolicies", "-A", "-l", "tenant", "-o", "json")
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	uids := map[string]string{}
	for _, o := range list.Items {
		uids[o.Kind+"/"+o.Metadata.Namespace+"/"+o.Metadata.Name] = o.Metadata.UID
	}
	if len(uids) == 0 {
		t.Fatal("no tenant objects in the cluster")
	}
	return uids
}

// checkResharded asserts that the stacks agree with the API server after a reshard: neither
// a preview nor a preview after a refresh finds anything to do, and every tenant object exists.
func checkResharded(t *testing.T, ctx context.Context, c *cluster, tenants []access.Tenant, stacks ...*env) {
	t.Helper()
	for _, e := range stacks {
		for _, refresh := range []bool{false, true} {
			opts := []optpreview.Option{}
			if refresh {
				opts = append(opts, optpreview.Refresh())
			}
			res, err := e.stack.Preview(ctx, opts...)
			if err != nil {
				t.Fatalf("preview (refresh %v): %v", refresh, err)
			}
			for op, n := range res.ChangeSummary {
				if op != "same" && n > 0 {
					t.Errorf("%s: preview (refresh %v) has %s: %d", e.stack.Name(), refresh, op, n)
				}
			}
		}
	}
	var want []string
	for _, tn := range tenants {
		want = append(want, tenantObjects(tn.Name)...)
	}
	out := string(c.kubectl(t, nil, "get", "namespaces,rolebindings,resourcequotas,limitranges,networkpolicies",
		"-A", "-l", "tenant", "-o", "custom-columns=ID:.kind,NS:.metadata.namespace,NAME:.metadata.name", "--no-headers"))
	have := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		id := f[0] + "/" + f[1] + "/" + f[2]
		if f[1] == "<none>" {
			id = f[0] + "/" + f[2]
		}
		have[id] = true
	}
	for _, id := range want {
		if !have[id] {
			t.Errorf("%s is missing after resharding", id)
		}
	}
}
