package portal

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
)

// TestConfigMapSizeIsComputed: a catalog over the API server's 1 MiB limit fails the plan,
// naming the contribution that fills it; one just under passes.
func TestConfigMapSizeIsComputed(t *testing.T) {
	withEntities := func(n, descLen int) *Args {
		args := validArgs()
		var entities []backstage.Entity
		for i := range n {
			entities = append(entities, backstage.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "System",
				Metadata: backstage.Metadata{Name: "s" + strings.Repeat("x", 3) + string(rune('a'+i%26)) + strings.Repeat("y", i/26%10),
					Description: strings.Repeat("d", descLen)},
				Spec: map[string]any{"owner": "group:default/team"}})
		}
		args.Contributions = append(args.Contributions, backstage.Contribution{Name: "tenants", Entities: entities})
		return args
	}
	err := withEntities(130, 9000).Validate()
	if err == nil || !strings.Contains(err.Error(), "the generated catalog ConfigMap would hold") {
		t.Errorf("a catalog of about 1.1 MiB was accepted or misreported: %v", err)
	}
	if err := withEntities(100, 9000).Validate(); err != nil {
		t.Errorf("a catalog of about 0.9 MiB was refused: %v", err)
	}
}

// TestTenantsReserveThePortalsDefaultNamespace: TenantAccess reserves the portal's default
// namespace even when it is not told the portal's namespace.
func TestTenantsReserveThePortalsDefaultNamespace(t *testing.T) {
	if access.DefaultPortalNamespace != DefaultNamespace {
		t.Errorf("access reserves %q, the portal's default namespace is %q", access.DefaultPortalNamespace, DefaultNamespace)
	}
}

// TestTenThousandTenantsHaveNoCatalogCliff: the tenants' catalog of 10,000 tenants, with
// a parent, a cost centre and two repositories each, fits the live catalog's ConfigMaps once
// the tenants are spread over enough shards, and the plan names the fix when they are not;
// with 29-character names and with names of the longest a tenant may have (63), since the
// template's part grows by a name with every tenant. Each part's size is logged: scale.md's
// per-tenant figures come from here.
func TestTenThousandTenantsHaveNoCatalogCliff(t *testing.T) {
	const n = 10000
	generate := func(nameLen int) []access.Tenant {
		tenants := make([]access.Tenant, 0, n)
		parent := access.RootParent
		for i := range n {
			name := fmt.Sprintf("tenant-%05d-payments-platform", i)
			name += strings.Repeat("x", max(nameLen-len(name), 0))
			p := parent
			if i%10 == 0 {
				p, parent = access.RootParent, name
			}
			tenants = append(tenants, access.Tenant{
				Name: name, Parent: p, Description: "A generated tenant: ten thousand of them must fit the catalog.",
				ContactEmail: name + "@cecg.io", CostCentre: "CECG-SCALE-001", Environments: []string{"gcp-dev"},
				Repos:      []string{fmt.Sprintf("https://github.com/cecg/tenant-%05d-api", i), fmt.Sprintf("https://github.com/cecg/tenant-%05d-web", i)},
				AdminGroup: name + "-admin@cecg.io", ReadonlyGroup: name + "-readonly@cecg.io",
			})
		}
		return tenants
	}
	withShards := func(tenants []access.Tenant, count int) *Args {
		c, err := access.Contribution(&access.Args{
			Environments: []string{"gcp-dev"}, Environment: "gcp-dev", Organization: "cecg",
			Requests: access.Requests{Repository: "cecg/environments"}, Tenants: tenants,
			Shard: access.Shard{Count: count},
		})
		if err != nil {
			t.Fatal(err)
		}
		args := validArgs()
		args.Contributions = []backstage.Contribution{c}
		return args
	}
	for _, tc := range []struct {
		nameLen, shards int
		fits            bool
	}{{29, 1, false}, {29, 20, true}, {63, 40, true}} {
		t.Run(fmt.Sprintf("%d-character names in %d shards", tc.nameLen, tc.shards), func(t *testing.T) {
			t.Parallel()
			args := withShards(generate(tc.nameLen), tc.shards)
			err := args.Validate()
			if tc.fits != (err == nil) {
				t.Fatalf("fits %v, want %v: %v", err == nil, tc.fits, err)
			}
			if !tc.fits {
				if !strings.Contains(fmt.Sprint(err), "contributions[0].parts[1]") || !strings.Contains(fmt.Sprint(err), "tenants.shard.count") {
					t.Errorf("the refusal does not name the part and the fix (tenants.shard.count): %v", err)
				}
				return
			}
			d := args.WithDefaults()
			parts, err := liveLayout(&d)
			if err != nil {
				t.Fatal(err)
			}
			largest, total := 0, 0
			for _, p := range parts[1:] {
				largest = max(largest, len(p.Files[0].Data))
				total += len(p.Files[0].Data)
			}
			t.Logf("%d tenants with %d-character names in %d shards: template part %d bytes (%d per tenant), shard parts %d bytes in all (%d per tenant), the largest %d",
				n, tc.nameLen, tc.shards, len(parts[0].Files[0].Data), len(parts[0].Files[0].Data)/n, total, total/n, largest)
		})
	}
}
