package access

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/internal/testkit"
)

// generatedTenants builds n valid tenants: one in ten top-level, the others its children, each
// with two repositories, in both environments.
func generatedTenants(n int) []Tenant {
	tenants := make([]Tenant, n)
	for i := range tenants {
		name := fmt.Sprintf("tenant-%04d", i)
		parent := RootParent
		if i%10 != 0 {
			parent = fmt.Sprintf("tenant-%04d", i-i%10)
		}
		tenants[i] = Tenant{
			Name: name, Parent: parent, Description: "Generated tenant " + name,
			ContactEmail: name + "@cecg.io", Environments: []string{"gcp-dev", "gcp-prod"},
			Repos:      []string{"https://github.com/cecg/" + name + "-api", "https://github.com/cecg/" + name + "-web"},
			AdminGroup: name + "-admin@cecg.io", ReadonlyGroup: name + "-readonly@cecg.io",
			File: "tenants/" + name + ".yaml",
		}
	}
	return tenants
}

// BenchmarkTenantAccess measures validation, the catalog contribution and the registration of
// every tenant under mocks. The cost per tenant must stay flat from 10 to 1,000 tenants.
func BenchmarkTenantAccess(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			args := baseArgs(b)
			args.Tenants = generatedTenants(n)
			once := func() int {
				if _, err := Contribution(args); err != nil {
					b.Fatal(err)
				}
				m := newMocks()
				if err := testkit.Run(program(args, nil), m, nil); err != nil {
					b.Fatal(err)
				}
				return len(m.Resources())
			}
			// One untimed run first, so one-time initialisation is not charged to the
			// smallest case, then a collection so each case starts from the same heap.
			once()
			runtime.GC()
			// Every case handles 1,000 tenants per op (runs of n), so the small cases are
			// not measured on a handful of milliseconds of a shared machine.
			runs := 1000 / n
			var resources int
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				for r := 0; r < runs; r++ {
					resources = once()
				}
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*runs), "ns/stack")
			b.ReportMetric(float64(resources), "resources/stack")
			b.ReportMetric(float64(resources)/float64(n), "resources/tenant")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*runs*n), "ns/tenant")
		})
	}
}

func TestGeneratedTenantsAreValid(t *testing.T) {
	if err := ValidateTenants(generatedTenants(100), []string{"gcp-dev", "gcp-prod"}); err != nil {
		t.Fatal(err)
	}
}
