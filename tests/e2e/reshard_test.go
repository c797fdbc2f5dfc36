package e2e

import (
	"context"
	"strings"
	"testing"

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
	tl := lookupTools(t)
	ctx := context.Background()
	c := startCluster(t, tl)
	dir := t.TempDir()
	tenants := generateTenants(t, 20)
	writeTenants(t, dir, tenants)
	// Namespaces are retained on delete, as by default: the e2e stack file turns that off.
	base := loadStackConfig(t, dir, generateSecrets(t)).with(t, func(v map[string]any) {
		v["developer-portal:tenants"].(map[string]any)["retainNamespaces"] = true
	})
	shard := func(i int) *stackConfig {
		return base.with(t, func(v map[string]any) {
			s := map[string]any{"count": 2}
			if i > 0 {
				s["index"] = i
			}
			v["developer-portal:tenants"].(map[string]any)["shard"] = s
		})
	}
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

	for _, e := range []*env{portal, tenantShard} {
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
