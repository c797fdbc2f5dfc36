package e2e

import (
	"testing"

	"github.com/coreeng/developer-portal/stack"
)

// TestStackConfig checks, without any tool, that the e2e configuration (the stack file, the
// example tenants and generated secrets) passes the stack's validation and deploys every
// example tenant.
func TestStackConfig(t *testing.T) {
	dir, names := e2eTenants(t)
	cfg := loadStackConfig(t, dir, generateSecrets(t))
	loaded, err := stack.Load(cfg.source(t))
	if err != nil {
		t.Fatalf("the e2e configuration is rejected:\n%v", err)
	}
	if loaded.Cloud.Provider != "none" || loaded.Database.External == nil {
		t.Errorf("the e2e stack must need no cloud plugin: cloud %q, external database %v",
			loaded.Cloud.Provider, loaded.Database.External != nil)
	}
	if got := loaded.TenantEnvironment(); got != tenantEnvironment {
		t.Errorf("tenant environment = %q, want %q", got, tenantEnvironment)
	}
	if len(names) < 2 {
		t.Errorf("want the example tenants, got %v", names)
	}
}
