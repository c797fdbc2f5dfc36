// Package schemagen generates the component provider's Pulumi package schema from the source:
// the components' inputs structs (the json fields of the Args they embed are the same config
// keys the stack reads), their output fields, and the doc comments of both, read with
// configref, the generator of the README's configuration reference. The committed
// cmd/pulumi-resource-coreplatform/schema.json is its output; a test keeps them equal.
package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/configref"
	"github.com/coreeng/developer-portal/provider"
)

// Module is this module's import path.
const Module = "github.com/coreeng/developer-portal"

// Command regenerates the committed schema (run from the repository root).
const Command = "go generate ./cmd/pulumi-resource-coreplatform"

// typeModules names the schema module of struct types by source directory; any other
// directory is its own module.
var typeModules = map[string]string{"provider": "portal"}

// Package is the part of the schema that is not generated from the source.
func header() map[string]any {
	return map[string]any{
		"name":        provider.Name,
		"displayName": "Core Platform developer portal",
		"description": "Components that deploy the Core Platform developer portal (Backstage) with its database, GitHub integration and tenants.",
		"publisher":   "CECG",
		"repository":  "https://github.com/coreeng/developer-portal",
		"keywords":    []string{"backstage", "developer-portal", "kind/component", "category/utility"},
		"language": map[string]any{
			"nodejs": map[string]any{
				"packageName":  "@coreeng/coreplatform",
				"dependencies": map[string]string{"@pulumi/pulumi": "^3.0.0"},
			},
			"python": map[string]any{
				"packageName": "pulumi_coreplatform",
				"requires":    map[string]string{"pulumi": ">=3.0.0,<4.0.0"},
			},
		},
	}
}

type generator struct {
	ref   *configref.Generator
	types map[string]any    // token -> type spec
	owner map[string]string // token -> Go type, to refuse two types under one token
}

// Generate renders the schema of the given components, reading the module rooted at root.
func Generate(root string, components []provider.Component) ([]byte, error) {
	g := &generator{ref: configref.New(root, Module), types: map[string]any{}, owner: map[string]string{}}
	resources := map[string]any{}
	for _, c := range components {
		r, err := g.resource(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Token, err)
		}
		resources[c.Token] = r
	}
	schema := header()
	schema["resources"] = resources
	schema["types"] = g.types
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(schema); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (g *generator) resource(c provider.Component) (map[string]any, error) {
	doc, err := g.ref.TypeDoc(c.Doc.Dir, c.Doc.Name)
	if err != nil {
		return nil, err
	}
	inputs, requiredInputs := map[string]any{}, []string{}
	for _, tag := range []string{"json", "pulumi"} {
		fields, err := g.ref.Fields(c.Inputs.Dir, c.Inputs.Name, tag)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			if _, dup := inputs[f.Name]; dup {
				return nil, fmt.Errorf("input %q is declared twice", f.Name)
			}
			p, err := g.property(f)
			if err != nil {
				return nil, fmt.Errorf("input %s: %w", f.Name, err)
			}
			inputs[f.Name] = p
			if configref.RequiredDoc(f.Doc) {
				requiredInputs = append(requiredInputs, f.Name)
			}
		}
	}
	outputs, required := map[string]any{}, []string{}
	for _, t := range c.Outputs {
		fields, err := g.ref.Fields(t.Dir, t.Name, "pulumi")
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			p, err := g.property(f)
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", f.Name, err)
			}
			if slices.Contains(c.SecretOutputs, f.Name) {
				p["secret"] = true
			}
			outputs[f.Name] = p
			required = append(required, f.Name)
		}
	}
	slices.Sort(requiredInputs)
	slices.Sort(required)
	return map[string]any{
		"isComponent":     true,
		"description":     doc,
		"inputProperties": inputs,
		"requiredInputs":  requiredInputs,
		"properties":      outputs,
		"required":        required,
	}, nil
}

// property is a field's property spec: its type, description and secrecy.
func (g *generator) property(f configref.Field) (map[string]any, error) {
	p, err := g.typeSpec(f.Type)
	if err != nil {
		return nil, err
	}
	if f.Doc != "" {
		p["description"] = f.Doc
	}
	if slices.Contains(strings.Split(f.Tag.Get("provider"), ","), "secret") {
		p["secret"] = true
	}
	return p, nil
}

func (g *generator) typeSpec(t configref.TypeRef) (map[string]any, error) {
	switch t.Kind {
	case "string", "integer", "number", "boolean":
		return map[string]any{"type": t.Kind}, nil
	case "any":
		return map[string]any{"$ref": "pulumi.json#/Any"}, nil
	case "array", "map":
		elem, err := g.typeSpec(*t.Elem)
		if err != nil {
			return nil, err
		}
		if t.Kind == "array" {
			return map[string]any{"type": "array", "items": elem}, nil
		}
		return map[string]any{"type": "object", "additionalProperties": elem}, nil
	case "object":
		token, err := g.objectType(t)
		if err != nil {
			return nil, err
		}
		return map[string]any{"$ref": "#/types/" + token}, nil
	}
	return nil, fmt.Errorf("type %+v has no schema equivalent", t)
}

// objectType adds the struct t to the schema's types (once) and returns its token:
// coreplatform:<module>:<Name>, where a Go name's "Args" suffix is dropped (the SDK generators
// add their own).
func (g *generator) objectType(t configref.TypeRef) (string, error) {
	module, ok := typeModules[t.Dir]
	if !ok {
		module = path.Base(t.Dir)
	}
	name := strings.TrimSuffix(t.Name, "Args")
	token := provider.Name + ":" + module + ":" + name
	goType := t.Dir + "." + t.Name
	if prev, seen := g.owner[token]; seen {
		if prev != goType {
			return "", fmt.Errorf("types %s and %s would both be %s", prev, goType, token)
		}
		return token, nil
	}
	g.owner[token] = goType
	doc, err := g.ref.TypeDoc(t.Dir, t.Name)
	if err != nil {
		return "", err
	}
	fields, err := g.ref.Fields(t.Dir, t.Name, "json")
	if err != nil {
		return "", err
	}
	props, required := map[string]any{}, []string{}
	for _, f := range fields {
		p, err := g.property(f)
		if err != nil {
			return "", fmt.Errorf("%s.%s: %w", goType, f.Name, err)
		}
		props[f.Name] = p
		if configref.RequiredDoc(f.Doc) {
			required = append(required, f.Name)
		}
	}
	spec := map[string]any{"type": "object", "description": doc, "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		spec["required"] = required
	}
	g.types[token] = spec
	return token, nil
}
