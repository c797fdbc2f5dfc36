package portal

import (
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
