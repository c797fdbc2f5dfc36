package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Contribution is what TenantAccess and GitHubIntegration hand the portal (their
// `contribution` output, an element of the portal's `contributions` input): the non-secret
// part of a backstage.Contribution. Secret environment variables never travel in it: they
// reach the portal through its `secretEnv` input.
type Contribution struct {
	// Name identifies the contribution in errors and names its catalog file; a DNS label.
	Name string `json:"name,omitempty"`
	// Config is merged into the portal's app-config. It must hold no secret: reference secrets
	// as ${VAR} and pass VAR in the portal's secretEnv.
	Config map[string]any `json:"config,omitempty"`
	// Entities are catalog entities added to the portal's generated catalog, each one YAML
	// document (as in a catalog-info.yaml file). Text, not objects, so that each entity's keys
	// keep their order and the catalog is the one a Go program deploys; one string per entity,
	// so that no string grows with the number of tenants past the inputs' length limit.
	Entities []string `json:"entities,omitempty"`
	// Files are non-secret files published beside the catalog (template skeletons), by path
	// relative to the contribution's catalog directory.
	Files map[string]string `json:"files,omitempty"`
	// Parts, instead of entities and files, is a live catalog: each part becomes a ConfigMap
	// of its own that the running portal reads again without a restart (TenantAccess's
	// tenants, one part per shard).
	Parts []ContributionPart `json:"parts,omitempty"`
}

// ContributionPart is one part of a live catalog: entities and files as in Contribution.
type ContributionPart struct {
	Entities []string          `json:"entities,omitempty"`
	Files    map[string]string `json:"files,omitempty"`
}

// exportContribution is c as an output value. Its secret environment variables are left out
// (the caller exports them as a secret of their own); plain environment variables, which no
// component exposed here sets, would need awaiting and are refused.
func exportContribution(c backstage.Contribution) (Contribution, error) {
	if len(c.Env) > 0 {
		return Contribution{}, fmt.Errorf("contribution %q: environment variables cannot be exported", c.Name)
	}
	config, err := backstage.Generic(c.Config)
	if err != nil {
		return Contribution{}, fmt.Errorf("contribution %q: %w", c.Name, err)
	}
	out := Contribution{Name: c.Name, Config: config, Files: c.Files}
	if out.Entities, err = entityDocs(c.Entities); err != nil {
		return Contribution{}, fmt.Errorf("contribution %q: %w", c.Name, err)
	}
	for _, part := range c.Parts {
		docs, err := entityDocs(part.Entities)
		if err != nil {
			return Contribution{}, fmt.Errorf("contribution %q: %w", c.Name, err)
		}
		// A part without entities or files is still a part: the count is in the pod template.
		out.Parts = append(out.Parts, ContributionPart{Entities: docs, Files: part.Files})
	}
	return out, nil
}

// entityDocs is one YAML document per entity.
func entityDocs(entities []backstage.Entity) ([]string, error) {
	var out []string
	for _, e := range entities {
		doc, err := backstage.MarshalEntities([]backstage.Entity{e})
		if err != nil {
			return nil, err
		}
		out = append(out, string(doc))
	}
	return out, nil
}

// importContributions turns the portal's `contributions` input back into the values the Go
// API takes. The app-config and entities are decoded strictly into their Go types, so a
// hand-written contribution with a misspelled key fails here, naming it, instead of being
// dropped.
func importContributions(cs []Contribution, errs *validate.Errors) []backstage.Contribution {
	out := make([]backstage.Contribution, 0, len(cs))
	for i, c := range cs {
		p := validate.Index("contributions", i)
		bc := backstage.Contribution{Name: c.Name, Files: c.Files}
		if err := strictYAML(c.Config, &bc.Config); err != nil {
			errs.Add(p+".config", "%v", err)
		}
		bc.Entities = importEntities(p+".entities", c.Entities, errs)
		for k, part := range c.Parts {
			pp := validate.Index(p+".parts", k)
			bc.Parts = append(bc.Parts, backstage.CatalogPart{Entities: importEntities(pp+".entities", part.Entities, errs), Files: part.Files})
		}
		out = append(out, bc)
	}
	return out
}

// importEntities decodes entity documents, reporting each bad one under its index at p.
func importEntities(p string, docs []string, errs *validate.Errors) []backstage.Entity {
	var out []backstage.Entity
	for j, text := range docs {
		entities, err := decodeEntities(text)
		if err != nil {
			errs.Add(validate.Index(p, j), "%v", err)
		}
		out = append(out, entities...)
	}
	return out
}

// entityDoc is one catalog entity as decoded from YAML: the spec stays a YAML node, so that it
// is written back with its keys in their order.
type entityDoc struct {
	APIVersion string             `yaml:"apiVersion"`
	Kind       string             `yaml:"kind"`
	Metadata   backstage.Metadata `yaml:"metadata"`
	Spec       yaml.Node          `yaml:"spec,omitempty"`
}

// decodeEntities reads YAML documents of catalog entities, refusing unknown keys outside spec.
func decodeEntities(text string) ([]backstage.Entity, error) {
	var out []backstage.Entity
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	for i := 0; ; i++ {
		var doc entityDoc
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("document %d: %s", i+1, joinSorted(te.Errors))
			}
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		e := backstage.Entity{APIVersion: doc.APIVersion, Kind: doc.Kind, Metadata: doc.Metadata}
		if doc.Spec.Kind != 0 {
			e.Spec = &doc.Spec
		}
		out = append(out, e)
	}
}

// strictYAML decodes a generic value into target through YAML (the types' yaml tags are the
// app-config's keys), refusing keys the type does not know.
func strictYAML(v, target any) error {
	if v == nil {
		return nil
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(target); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(joinSorted(te.Errors))
		}
		return err
	}
	return nil
}

func joinSorted(msgs []string) string {
	s := slices.Clone(msgs)
	slices.Sort(s)
	return strings.Join(s, "; ")
}

// secretEnvOutput is a contribution's secret environment variables as one map.
func secretEnvOutput(c backstage.Contribution) pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for _, k := range slices.Sorted(maps.Keys(c.SecretEnv)) {
		m[k] = c.SecretEnv[k]
	}
	return m.ToStringMapOutput()
}
