package configref

import (
	"reflect"
	"testing"
)

// TestPulumiType checks how the SDK's Input and Output types map to schema types.
func TestPulumiType(t *testing.T) {
	str := TypeRef{Kind: "string"}
	cases := []struct {
		name string
		want TypeRef
	}{
		{"StringInput", str},
		{"StringOutput", str},
		{"IntInput", TypeRef{Kind: "integer"}},
		{"BoolOutput", TypeRef{Kind: "boolean"}},
		{"StringMapInput", TypeRef{Kind: "map", Elem: &str}},
		{"StringArrayOutput", TypeRef{Kind: "array", Elem: &str}},
		{"AnyOutput", TypeRef{Kind: "any"}},
		{"ResourceOption", TypeRef{}},
	}
	for _, c := range cases {
		if got := pulumiType(c.name); !reflect.DeepEqual(got, c.want) {
			t.Errorf("pulumiType(%s) = %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestFields reads a struct of this module: embedded structs are flattened, fields without the
// tag or tagged "-" are left out, a comment shared by two fields documents both, and struct
// types from other packages resolve.
func TestFields(t *testing.T) {
	g := New("../..", "github.com/coreeng/developer-portal")
	fields, err := g.Fields("portal", "Args", "json")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	if _, ok := byName["database"]; ok {
		t.Error(`a field tagged json:"-" is listed`)
	}
	if byName["runAsGroup"].Doc == "" || byName["runAsGroup"].Doc != byName["runAsUser"].Doc {
		t.Errorf("runAsGroup doc %q, want runAsUser's %q", byName["runAsGroup"].Doc, byName["runAsUser"].Doc)
	}
	if tls := byName["tls"].Type; tls.Kind != "object" || tls.Dir != "portal" || tls.Name != "TLS" {
		t.Errorf("tls type %+v", tls)
	}
	if k := byName["kubernetes"].Type.Object(); k == nil || k.Name != "Kubernetes" {
		t.Errorf("kubernetes object %+v", k)
	}

	// stack.Database embeds database.Args: its keys are the section's own.
	db, err := g.Fields("stack", "Database", "json")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range db {
		names[f.Name] = true
	}
	for _, want := range []string{"placement", "external", "cloud", "gcp"} {
		if !names[want] {
			t.Errorf("stack.Database lacks %q (embedded database.Args)", want)
		}
	}
}
