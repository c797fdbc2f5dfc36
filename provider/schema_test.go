package provider

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/coreeng/developer-portal/internal/configdecode"
)

// schemaFile is the committed schema (internal/schemagen checks that it is generated).
const schemaFile = "../cmd/pulumi-resource-coreplatform/schema.json"

type schemaProperty struct {
	Secret bool `json:"secret"`
}

type schemaResource struct {
	InputProperties map[string]schemaProperty `json:"inputProperties"`
	Properties      map[string]schemaProperty `json:"properties"`
}

func loadSchema(t *testing.T) map[string]schemaResource {
	t.Helper()
	b, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Resources map[string]schemaResource `json:"resources"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Resources
}

// inputsTypes are the inputs structs Construct decodes, by token.
var inputsTypes = map[string]reflect.Type{
	tPortal:   reflect.TypeFor[portalInputs](),
	tTenants:  reflect.TypeFor[tenantAccessInputs](),
	tDatabase: reflect.TypeFor[managedDatabaseInputs](),
	tGitHub:   reflect.TypeFor[gitHubIntegrationInputs](),
}

// TestSchemaInputsAreDecoded checks that every input the schema declares is one Construct
// decodes, and the reverse, with the same secrecy.
func TestSchemaInputsAreDecoded(t *testing.T) {
	schema := loadSchema(t)
	if len(schema) != len(Components) {
		t.Errorf("schema has %d resources, the provider %d", len(schema), len(Components))
	}
	for _, c := range Components {
		t.Run(c.Token, func(t *testing.T) {
			typ, ok := inputsTypes[c.Token]
			if !ok || typ.Name() != c.Inputs.Name {
				t.Fatalf("inputs type of %s is %v, the component says %s", c.Token, typ, c.Inputs.Name)
			}
			decoded := map[string]bool{}
			for k := range configdecode.Fields(typ) {
				decoded[k] = false
			}
			for k, f := range outputFields(typ) {
				decoded[k] = hasTag(f, secretTag)
			}
			declared := map[string]bool{}
			for k, p := range schema[c.Token].InputProperties {
				declared[k] = p.Secret
			}
			if !maps.Equal(decoded, declared) {
				t.Errorf("decoded inputs (name: secret) %v\nschema inputs %v", decoded, declared)
			}
		})
	}
}

// TestSchemaOutputsAreReturned checks that Construct returns exactly the outputs the schema
// declares, secret where the schema says so.
func TestSchemaOutputsAreReturned(t *testing.T) {
	schema := loadSchema(t)
	for _, c := range Components {
		t.Run(c.Token, func(t *testing.T) {
			got := constructWith(c.Token, validInputs[c.Token])
			if got.err != nil {
				t.Fatal(got.err)
			}
			returned := map[string]bool{}
			for k, a := range got.state {
				returned[k] = a.Secret
			}
			declared := map[string]bool{}
			for k, p := range schema[c.Token].Properties {
				declared[k] = p.Secret
			}
			if !maps.Equal(returned, declared) {
				t.Errorf("returned outputs (name: secret) %v\nschema outputs %v", sorted(returned), sorted(declared))
			}
		})
	}
}

func sorted(m map[string]bool) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] {
			k += " (secret)"
		}
		out = append(out, k)
	}
	return out
}
