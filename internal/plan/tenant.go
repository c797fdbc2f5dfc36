package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/coreeng/developer-portal/internal/offline"
)

// Resource types a tenancy creates.
const (
	typeTeam      = "github:index/team:Team"
	typeConfigMap = "kubernetes:core/v1:ConfigMap"
	// catalogTenantsKey is the entity file of each part of the portal's live catalog, whose
	// tenants parts hold the tenants' entities (portal.LivePartKey).
	catalogTenantsKey = "entities.yaml"
)

// TenantPart is what one planned stack creates for one tenant.
type TenantPart struct {
	// Resources are the tenant's Kubernetes objects (namespace, role bindings, quota, limit
	// range, network policy) and GitHub team with its memberships and repositories.
	Resources []offline.Resource
	// Entities are the tenant's catalog entities (System, Components, Group), as the YAML
	// documents the portal loads.
	Entities []string
}

// ForTenant picks the tenant's part out of a plan. Kubernetes objects are recognised by
// their tenant label, the team by its name, and the team's memberships and repositories by
// the team's resource name, so one tenant's name being a prefix of another's never mixes them.
func ForTenant(res *Result, tenant string) (TenantPart, error) {
	var part TenantPart
	var teams []string
	for _, r := range res.Resources {
		if r.Type == typeTeam && r.String("name") == tenant {
			teams = append(teams, r.Name+".")
		}
	}
	for _, r := range res.Resources {
		switch {
		case strings.HasPrefix(r.Type, "kubernetes:") && r.String("metadata.labels.tenant") == tenant:
			part.Resources = append(part.Resources, r)
		case r.Type == typeTeam && r.String("name") == tenant:
			part.Resources = append(part.Resources, r)
		case strings.HasPrefix(r.Type, "github:") && hasAnyPrefix(r.Name, teams):
			part.Resources = append(part.Resources, r)
		}
	}
	for _, r := range res.Resources {
		if r.Type != typeConfigMap {
			continue
		}
		// Data keys are file names with dots: look the key up, not a dotted path.
		data, _ := r.Plain("data").(map[string]any)
		doc, ok := data[catalogTenantsKey].(string)
		if !ok {
			continue
		}
		entities, err := tenantEntities(doc, tenant)
		if err != nil {
			return TenantPart{}, fmt.Errorf("ConfigMap %s: %s: %w", r.Name, catalogTenantsKey, err)
		}
		part.Entities = append(part.Entities, entities...)
	}
	return part, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// tenantEntities returns the documents of a multi-document catalog file that belong to the
// tenant: its System and Group, and every entity whose spec.system is the tenant's. Each is
// re-encoded from its node, so keys keep the order the portal sees.
func tenantEntities(doc, tenant string) ([]string, error) {
	dec := yaml.NewDecoder(strings.NewReader(doc))
	var out []string
	for {
		var node yaml.Node
		if err := dec.Decode(&node); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		var e struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Spec struct {
				System string `yaml:"system"`
			} `yaml:"spec"`
		}
		if err := node.Decode(&e); err != nil {
			return nil, err
		}
		own := (e.Kind == "System" || e.Kind == "Group") && e.Metadata.Name == tenant
		if !own && e.Spec.System != tenant {
			continue
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&node); err != nil {
			return nil, err
		}
		out = append(out, b.String())
	}
}
