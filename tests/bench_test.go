package tests

import (
	"fmt"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/testkit/tenantgen"
	"github.com/coreeng/developer-portal/stack"
)

// BenchmarkStack runs each environment's whole stack program under the mock engine and reports
// the resources it registers per run.
func BenchmarkStack(b *testing.B) {
	for _, s := range plannedStacks {
		b.Run(s.name, func(b *testing.B) {
			var resources int
			for i := 0; i < b.N; i++ {
				res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
				if err != nil {
					b.Fatal(err)
				}
				resources = len(res.Resources)
			}
			b.ReportMetric(float64(resources), "resources/op")
		})
	}
}

// BenchmarkShardedProgram runs the prod stack's program over generated tenants split 25 a
// stack, as docs/operators/scale.md recommends: the portal's stack (shard 0, which builds the
// catalog of every tenant) and one tenant shard's. Every stack's program reads and validates
// every tenant file, so a no-op preview of all the stacks costs stacks × this.
func BenchmarkShardedProgram(b *testing.B) {
	cfg, err := stack.Load(loadStack(b, prodStack).src)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 5000} {
		dir := b.TempDir()
		if err := tenantgen.Write(dir, tenantgen.Generate("scale", n, cfg.TenantEnvironment())); err != nil {
			b.Fatal(err)
		}
		shards := (n + 24) / 25
		for _, s := range []struct {
			name  string
			index int
		}{{"portal", 0}, {"shard", 1}} {
			b.Run(fmt.Sprintf("tenants=%d/%s", n, s.name), func(b *testing.B) {
				c := loadStack(b, prodStack)
				c.set("tenants", "dir", dir)
				shard := map[string]any{"count": shards}
				if s.index > 0 {
					shard["index"] = s.index
				}
				c.set("tenants", "shard", shard)
				var namespaces int
				for i := 0; i < b.N; i++ {
					m := testkit.MustRun(b, stack.Program(c.src), c.src.Values, c.src.SecretKeys()...)
					namespaces = len(m.ByType("kubernetes:core/v1:Namespace"))
				}
				if namespaces == 0 {
					b.Fatal("the stack provisions no tenant namespace: the generated tenants are not in its environment or shard")
				}
				b.ReportMetric(float64(namespaces), "namespaces/op")
			})
		}
	}
}
