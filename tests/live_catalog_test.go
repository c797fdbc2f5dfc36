package tests

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/stack"
)

// TestTenancyChangeKeepsThePods: adding a tenant and editing another change only the live
// catalog's ConfigMaps. The Deployment (so its pod template and checksums), the app-config and
// the static catalog are input for input the same, so the engine updates two ConfigMaps and
// the portal's pods keep running; the new tenant is in exactly one part, its shard's.
func TestTenancyChangeKeepsThePods(t *testing.T) {
	changed := t.TempDir()
	entries, err := os.ReadDir(fixtureTenants)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(fixtureTenants, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "reference-app.yaml" {
			raw = []byte(strings.Replace(string(raw), "description: ", "description: Edited. ", 1))
		}
		if err := os.WriteFile(filepath.Join(changed, e.Name()), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const added = "payments-ledger"
	if err := os.WriteFile(filepath.Join(changed, added+".yaml"), []byte(`name: payments-ledger
parent: root
description: The payments ledger, added by a merged tenancy request.
contactEmail: payments-ledger@cecg.io
environments: [gcp-dev, gcp-prod]
repos: []
adminGroup: payments-ledger-admin@cecg.io
readonlyGroup: payments-ledger-readonly@cecg.io
`), 0o600); err != nil {
		t.Fatal(err)
	}

	const typeConfigMap = "kubernetes:core/v1:ConfigMap"
	for _, tc := range []struct {
		name, file string
		shards     int
	}{
		{"dev", "Pulumi.dev.yaml", 0},
		{"prod", prodStack, 0},
		{"prod, 3 shards", prodStack, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(dir string) *testkit.Mocks {
				c := loadStack(t, tc.file)
				c.set("tenants", "dir", dir)
				if tc.shards > 0 {
					c.set("tenants", "shard", map[string]any{"count": tc.shards})
				}
				return testkit.MustRun(t, stack.Program(c.src), c.src.Values, c.src.SecretKeys()...)
			}
			before, after := run(fixtureTenants), run(changed)
			for _, r := range []struct{ typ, name string }{
				{"kubernetes:apps/v1:Deployment", "portal-deployment"},
				{typeConfigMap, "portal-app-config"},
				{typeConfigMap, "portal-catalog"},
			} {
				if !reflect.DeepEqual(after.MustFind(t, r.typ, r.name).Plain(""), before.MustFind(t, r.typ, r.name).Plain("")) {
					t.Errorf("%s %s changed with the tenants: the pods would roll", r.typ, r.name)
				}
			}
			parts := 0
			var holding []string
			for _, r := range after.ByType(typeConfigMap) {
				if !strings.HasPrefix(r.Name, "portal-catalog-tenants-") {
					continue
				}
				parts++
				doc, _ := r.Plain("data").(map[string]any)["entities.yaml"].(string)
				if strings.Contains(doc, "\n  name: "+added+"\n") {
					holding = append(holding, r.Name)
				}
			}
			if want := 1 + max(tc.shards, 1); parts != want {
				t.Errorf("%d live catalog parts, want %d (the template's and one per shard)", parts, want)
			}
			if len(holding) != 1 {
				t.Errorf("the added tenant is in parts %v, want exactly one", holding)
			}
		})
	}
}
