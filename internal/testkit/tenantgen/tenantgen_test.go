package tenantgen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/coreeng/developer-portal/access"
)

func TestGeneratedTenantsAreValidAndReadBack(t *testing.T) {
	for _, n := range []int{1, 25, 1000} {
		tenants := Generate("scale", n, "none-e2e")
		if len(tenants) != n {
			t.Fatalf("Generate(%d) returned %d tenants", n, len(tenants))
		}
		if err := access.ValidateTenants(tenants, []string{"none-e2e"}); err != nil {
			t.Fatalf("%d generated tenants are not valid: %v", n, err)
		}
		dir := t.TempDir()
		if err := Write(dir, tenants); err != nil {
			t.Fatal(err)
		}
		read, err := access.LoadTenants(dir)
		if err != nil {
			t.Fatalf("the written tenants do not load: %v", err)
		}
		if len(read) != n {
			t.Errorf("%d tenants written, %d read back", n, len(read))
		}
		if _, err := os.Stat(filepath.Join(dir, tenants[n-1].Name+".yaml")); err != nil {
			t.Error(err)
		}
	}
}
