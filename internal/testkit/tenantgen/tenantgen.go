// Package tenantgen generates tenant definitions for the benchmarks: the scale benchmark's
// stacks (tests/e2e) and the live catalog at scale (tests/backstage) deploy the same shape of
// tenants, so their numbers compare.
package tenantgen

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/coreeng/developer-portal/access"
	"gopkg.in/yaml.v3"
)

// Generate returns n valid tenants named <prefix>-0000, <prefix>-0001, ..., deployed to env:
// a two-level tree, one top-level tenant per ten and nine children each, each with its own
// repository.
func Generate(prefix string, n int, env string) []access.Tenant {
	tenants := make([]access.Tenant, 0, n)
	parent := access.RootParent
	for i := range n {
		name := fmt.Sprintf("%s-%04d", prefix, i)
		p := parent
		if i%10 == 0 {
			p, parent = access.RootParent, name
		}
		tenants = append(tenants, access.Tenant{
			Name:          name,
			Parent:        p,
			Description:   "A generated tenant of the scale benchmark.",
			ContactEmail:  name + "@cecg.io",
			CostCentre:    "CECG-SCALE-001",
			Environments:  []string{env},
			Repos:         []string{"https://github.com/cecg/" + name},
			AdminGroup:    name + "-admin@cecg.io",
			ReadonlyGroup: name + "-readonly@cecg.io",
			File:          name + ".yaml",
		})
	}
	return tenants
}

// Write writes each tenant to dir/<name>.yaml, as a tenancy request adds it.
func Write(dir string, tenants []access.Tenant) error {
	for _, tn := range tenants {
		b, err := yaml.Marshal(tn)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, tn.Name+".yaml"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
