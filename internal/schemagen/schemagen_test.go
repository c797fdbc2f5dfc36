package schemagen

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/provider"
)

const committed = "../../cmd/pulumi-resource-coreplatform/schema.json"

// TestCommittedSchemaIsGenerated fails when the committed schema is not what the generator
// makes of the current source.
func TestCommittedSchemaIsGenerated(t *testing.T) {
	want, err := Generate("../..", provider.Components)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run `%s` and commit the result", strings.TrimPrefix(committed, "../../"), Command)
	}
}

// TestSchemaIsComplete checks what the SDK generators rely on: every reference resolves to a
// declared type, every type is used, every resource is a described component, and every
// property has a description.
func TestSchemaIsComplete(t *testing.T) {
	b, err := Generate("../..", provider.Components)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Name      string                    `json:"name"`
		Resources map[string]map[string]any `json:"resources"`
		Types     map[string]map[string]any `json:"types"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "coreplatform" {
		t.Errorf("package name %q", s.Name)
	}
	used := map[string]bool{}
	var visit func(path string, v any)
	visit = func(path string, v any) {
		switch t2 := v.(type) {
		case map[string]any:
			if ref, ok := t2["$ref"].(string); ok {
				if token, local := strings.CutPrefix(ref, "#/types/"); local {
					used[token] = true
					if s.Types[token] == nil {
						t.Errorf("%s: reference to undeclared type %s", path, token)
					}
				} else if ref != "pulumi.json#/Any" {
					t.Errorf("%s: unexpected reference %s", path, ref)
				}
			}
			for k, e := range t2 {
				visit(path+"."+k, e)
			}
		case []any:
			for _, e := range t2 {
				visit(path, e)
			}
		}
	}
	visit("", map[string]any{"resources": toAny(s.Resources), "types": toAny(s.Types)})
	var unused []string
	for token := range s.Types {
		if !used[token] {
			unused = append(unused, token)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("types never referenced: %v", unused)
	}
	for token, r := range s.Resources {
		if r["isComponent"] != true || r["description"] == "" {
			t.Errorf("%s: not a described component", token)
		}
		for _, section := range []string{"inputProperties", "properties"} {
			props, _ := r[section].(map[string]any)
			if len(props) == 0 {
				t.Errorf("%s: no %s", token, section)
			}
			for name, p := range props {
				if d, _ := p.(map[string]any)["description"].(string); d == "" {
					t.Errorf("%s: %s.%s has no description", token, section, name)
				}
			}
		}
	}
}

func toAny(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
