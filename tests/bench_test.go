package tests

import (
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
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
