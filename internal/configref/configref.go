// Package configref renders the configuration reference from the source itself: every key of
// every `developer-portal:*` section is a JSON field of a Go struct, and its documentation is
// that field's doc comment. The documentation's configuration reference
// (docs/operators/configuration.md) embeds the result, and a test keeps the two equal, so the
// reference can never drift from the code.
package configref

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Section is one config key and the struct its value decodes into.
type Section struct {
	Key         string
	Package     string // directory relative to the module root
	Type        string
	Description string
	// Defaults is the section's value with every default applied to an empty one (the
	// component's WithDefaults); its JSON gives the Default column. Nil: no defaults.
	Defaults any
	// Required are the keys (full, "portal.image") an empty section is refused without. When
	// nil, a doc comment that says "Required." marks its key instead.
	Required map[string]bool
}

// Row is one documented key.
type Row struct {
	Key, Type, Doc string
	Default        string
	Required       bool
}

// Component is a component resource whose outputs are documented: the struct's fields with
// a pulumi tag.
type Component struct {
	Package, Type string
}

type typeInfo struct {
	pkg     string
	st      *ast.StructType
	file    *ast.File
	imports map[string]string // local name -> directory
	doc     string
}

// Generator resolves struct types across the module's packages.
type Generator struct {
	root   string
	module string
	types  map[string]*typeInfo // "dir.Type"
	parsed map[string]bool
}

// New reads the module rooted at root.
func New(root, module string) *Generator {
	return &Generator{root: root, module: module, types: map[string]*typeInfo{}, parsed: map[string]bool{}}
}

func (g *Generator) parse(dir string) error {
	if g.parsed[dir] {
		return nil
	}
	g.parsed[dir] = true
	fset := token.NewFileSet()
	entries, err := os.ReadDir(filepath.Join(g.root, dir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(g.root, dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			return err
		}
		imports := map[string]string{}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(path, g.module+"/") {
				continue
			}
			local := filepath.Base(path)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			imports[local] = strings.TrimPrefix(path, g.module+"/")
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range gd.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok {
					continue
				}
				if st, ok := ts.Type.(*ast.StructType); ok {
					cg := ts.Doc
					if cg == nil && len(gd.Specs) == 1 {
						cg = gd.Doc
					}
					g.types[dir+"."+ts.Name.Name] = &typeInfo{pkg: dir, st: st, file: f, imports: imports, doc: docText(cg)}
				}
			}
		}
	}
	return nil
}

// Rows lists every key of a section, depth first, in field order.
func (g *Generator) Rows(s Section) ([]Row, error) {
	if err := g.parse(s.Package); err != nil {
		return nil, err
	}
	var rows []Row
	if err := g.walk(s.Package, s.Type, s.Key, &rows, 0); err != nil {
		return nil, err
	}
	defaults := map[string]string{}
	if s.Defaults != nil {
		b, err := json.Marshal(s.Defaults)
		if err != nil {
			return nil, fmt.Errorf("%s defaults: %w", s.Key, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		flatten(s.Key, v, defaults)
	}
	for i := range rows {
		r := &rows[i]
		if r.Type != "object" && !strings.HasPrefix(r.Type, "list of") {
			r.Default = strings.ReplaceAll(defaults[r.Key], "|", "\\|")
		} else if strings.HasPrefix(r.Type, "list of") {
			r.Default = defaults[r.Key]
		}
		r.Required = s.Required[r.Key] || (s.Required == nil && RequiredDoc(r.Doc))
	}
	return rows, nil
}

// requiredDoc is a doc comment that says its key is required, unconditionally.
var requiredDoc = regexp.MustCompile(`(^|\. )Required(\.|$)`)

// RequiredDoc reports whether a doc comment says its key is required, unconditionally
// ("... Required." but not "Required with cloud gcp").
func RequiredDoc(doc string) bool { return requiredDoc.MatchString(doc) }

// flatten records the JSON value of every leaf under key; lists and maps are one value.
func flatten(key string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok {
		b, _ := json.Marshal(m)
		out[key] = "`" + string(b) + "`"
		for k, e := range m {
			flatten(key+"."+k, e, out)
		}
		return
	}
	switch t := v.(type) {
	case string:
		if t != "" {
			out[key] = "`" + t + "`"
		}
	case nil:
	default:
		b, _ := json.Marshal(t)
		out[key] = "`" + string(b) + "`"
	}
}

// Outputs lists a component's outputs: the fields with a pulumi tag, and their doc comments.
func (g *Generator) Outputs(c Component) ([]Row, error) {
	fields, err := g.Fields(c.Package, c.Type, "pulumi")
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(fields))
	for _, f := range fields {
		rows = append(rows, Row{Key: f.GoName + " (`" + f.Name + "`)", Type: strings.TrimSuffix(f.TypeName, "Output"), Doc: escape(f.Doc)})
	}
	return rows, nil
}

// OutputsMarkdown renders one table of outputs per component.
func (g *Generator) OutputsMarkdown(components []Component) (string, error) {
	var b strings.Builder
	for _, c := range components {
		rows, err := g.Outputs(c)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "## Outputs of `%s.%s`\n\n| field | type | meaning |\n|---|---|---|\n", c.Package, c.Type)
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Key, r.Type, r.Doc)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

func (g *Generator) walk(dir, typ, prefix string, rows *[]Row, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%s: nesting too deep", prefix)
	}
	fields, err := g.Fields(dir, typ, "json")
	if err != nil {
		return err
	}
	for _, f := range fields {
		key := prefix + "." + f.Name
		*rows = append(*rows, Row{Key: key, Type: f.Kind, Doc: escape(f.Doc)})
		obj := f.Type.Object()
		if obj == nil {
			continue
		}
		sub := key
		if strings.HasPrefix(f.Kind, "list") {
			sub = key + "[]"
		}
		if err := g.walk(obj.Dir, obj.Name, sub, rows, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// TypeDoc is the doc comment of the struct type dir.typ, on one line.
func (g *Generator) TypeDoc(dir, typ string) (string, error) {
	if err := g.parse(dir); err != nil {
		return "", err
	}
	ti, ok := g.types[dir+"."+typ]
	if !ok {
		return "", fmt.Errorf("type %s.%s not found", dir, typ)
	}
	return ti.doc, nil
}

// Field is one field of a struct as the reference and the provider schema see it.
type Field struct {
	// Name is the field's name under the tag key asked for (its config key for "json").
	Name   string
	GoName string
	// Doc is the doc comment on one line (or the trailing comment, or the comment shared with
	// the field before it, as in "RunAsUser and RunAsGroup of the pod").
	Doc string
	// Kind is the short type the reference shows ("string", "list of object", ...).
	Kind string
	Type TypeRef
	// TypeName is the name of a type from another package ("StringOutput" for
	// pulumi.StringOutput), "" otherwise.
	TypeName string
	Tag      reflect.StructTag
}

// TypeRef is a field's type, resolved across the module's packages.
type TypeRef struct {
	// Kind is string, integer, number, boolean, any, object (a struct of the module), array,
	// map, or "" for a type the generator does not know.
	Kind string
	// Elem is the element type of an array or map.
	Elem *TypeRef
	// Dir and Name locate an object's struct type.
	Dir, Name string
}

// Object returns the struct type an object, or a list or map of them, holds; nil otherwise.
func (t TypeRef) Object() *TypeRef {
	switch {
	case t.Kind == "object":
		return &t
	case t.Elem != nil:
		return t.Elem.Object()
	}
	return nil
}

// Fields lists the fields of the struct dir.typ that carry a name under tagKey ("json" for
// config keys, "pulumi" for outputs), in source order; embedded structs contribute their own
// fields, as encoding/json flattens them.
func (g *Generator) Fields(dir, typ, tagKey string) ([]Field, error) {
	if err := g.parse(dir); err != nil {
		return nil, err
	}
	ti, ok := g.types[dir+"."+typ]
	if !ok {
		return nil, fmt.Errorf("type %s.%s not found", dir, typ)
	}
	var out []Field
	prevDoc := ""
	for _, f := range ti.st.Fields.List {
		var tag reflect.StructTag
		if f.Tag != nil {
			tag = reflect.StructTag(strings.Trim(f.Tag.Value, "`"))
		}
		name, _, _ := strings.Cut(tag.Get(tagKey), ",")
		if name == "-" {
			continue
		}
		fdir, ftyp, kind := g.resolve(ti, f.Type)
		if len(f.Names) == 0 { // embedded: its fields are this struct's fields
			if fdir == "" { // another module's type, such as pulumi.ResourceState
				continue
			}
			if err := g.parse(fdir); err != nil {
				return nil, err
			}
			sub, err := g.Fields(fdir, ftyp, tagKey)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		if !f.Names[0].IsExported() || name == "" {
			continue
		}
		text := docText(f.Doc)
		if text == "" {
			text = docText(f.Comment) // a trailing comment, such as a default value
		}
		if text == "" && prevDoc != "" && strings.Contains(prevDoc, f.Names[0].Name) {
			text = prevDoc // "RunAsUser and RunAsGroup of the pod": one comment, two fields
		}
		if len(f.Names) > 1 || text != "" {
			prevDoc = text
		}
		typeName := ""
		if sel, ok := f.Type.(*ast.SelectorExpr); ok {
			typeName = sel.Sel.Name
		}
		out = append(out, Field{Name: name, GoName: f.Names[0].Name, Doc: text, Kind: kind,
			Type: g.typeRef(ti, f.Type), TypeName: typeName, Tag: tag})
	}
	return out, nil
}

// typeRef resolves a field's type expression.
func (g *Generator) typeRef(ti *typeInfo, expr ast.Expr) TypeRef {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return g.typeRef(ti, t.X)
	case *ast.ArrayType:
		elem := g.typeRef(ti, t.Elt)
		return TypeRef{Kind: "array", Elem: &elem}
	case *ast.MapType:
		elem := g.typeRef(ti, t.Value)
		return TypeRef{Kind: "map", Elem: &elem}
	case *ast.InterfaceType:
		return TypeRef{Kind: "any"}
	case *ast.Ident:
		switch t.Name {
		case "string", "bool", "int", "int64", "float64", "any":
			return basicTypes[t.Name]
		}
		if _, ok := g.types[ti.pkg+"."+t.Name]; ok {
			return TypeRef{Kind: "object", Dir: ti.pkg, Name: t.Name}
		}
	case *ast.SelectorExpr:
		pkg, ok := t.X.(*ast.Ident)
		if !ok {
			break
		}
		if d, ok := ti.imports[pkg.Name]; ok {
			if err := g.parse(d); err == nil {
				if _, isStruct := g.types[d+"."+t.Sel.Name]; isStruct {
					return TypeRef{Kind: "object", Dir: d, Name: t.Sel.Name}
				}
			}
			break
		}
		if pkg.Name == "pulumi" {
			return pulumiType(t.Sel.Name)
		}
	}
	return TypeRef{}
}

var basicTypes = map[string]TypeRef{
	"string": {Kind: "string"}, "bool": {Kind: "boolean"}, "int": {Kind: "integer"},
	"int64": {Kind: "integer"}, "float64": {Kind: "number"}, "any": {Kind: "any"},
}

// pulumiType maps the SDK's Input and Output types (pulumi.StringInput, pulumi.IntOutput,
// pulumi.StringMapInput...) to the value they carry.
func pulumiType(name string) TypeRef {
	base := strings.TrimSuffix(strings.TrimSuffix(name, "Input"), "Output")
	for _, c := range []struct {
		suffix string
		kind   string
	}{{"Map", "map"}, {"Array", "array"}} {
		if elem, ok := strings.CutSuffix(base, c.suffix); ok && elem != "" {
			e := pulumiType(elem)
			return TypeRef{Kind: c.kind, Elem: &e}
		}
	}
	switch base {
	case "String", "URN", "ID":
		return TypeRef{Kind: "string"}
	case "Int":
		return TypeRef{Kind: "integer"}
	case "Float64":
		return TypeRef{Kind: "number"}
	case "Bool":
		return TypeRef{Kind: "boolean"}
	case "Any", "":
		return TypeRef{Kind: "any"}
	}
	return TypeRef{}
}

// resolve returns the directory and name of a named type in expr (if any) and a short kind.
func (g *Generator) resolve(ti *typeInfo, expr ast.Expr) (dir, name, kind string) {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return g.resolve(ti, t.X)
	case *ast.ArrayType:
		d, n, k := g.resolve(ti, t.Elt)
		return d, n, "list of " + k
	case *ast.MapType:
		_, _, k := g.resolve(ti, t.Value)
		return "", "", "map of " + k
	case *ast.Ident:
		switch t.Name {
		case "string":
			return "", "", "string"
		case "int", "int64":
			return "", "", "integer"
		case "bool":
			return "", "", "boolean"
		case "any":
			return "", "", "any"
		}
		if _, ok := g.types[ti.pkg+"."+t.Name]; ok {
			return ti.pkg, t.Name, "object"
		}
		return "", "", t.Name
	case *ast.SelectorExpr:
		if pkg, ok := t.X.(*ast.Ident); ok {
			if d, ok := ti.imports[pkg.Name]; ok {
				_ = g.parse(d)
				return d, t.Sel.Name, "object"
			}
		}
	case *ast.InterfaceType:
		return "", "", "any"
	}
	return "", "", "value"
}

// docText is a field comment on one line.
func docText(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	return strings.Join(strings.Fields(cg.Text()), " ")
}

// escape keeps a text inside one Markdown table cell.
func escape(text string) string { return strings.ReplaceAll(text, "|", "\\|") }

// Markdown renders the sections as one table each.
func (g *Generator) Markdown(sections []Section, extra []Row) (string, error) {
	var b strings.Builder
	for _, s := range sections {
		rows, err := g.Rows(s)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "## `developer-portal:%s`\n\n%s\n\n| key | type | default | required | meaning |\n|---|---|---|---|---|\n", s.Key, s.Description)
		for _, r := range rows {
			req := ""
			if r.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Key, r.Type, r.Default, req, r.Doc)
		}
		b.WriteString("\n")
	}
	if len(extra) > 0 {
		sort.SliceStable(extra, func(i, j int) bool { return extra[i].Key < extra[j].Key })
		b.WriteString("## Secrets\n\nSet each with `pulumi config set --secret`; a value stored in plain text is rejected.\n\n| key | meaning |\n|---|---|\n")
		for _, r := range extra {
			fmt.Fprintf(&b, "| `developer-portal:%s` | %s |\n", r.Key, r.Doc)
		}
	}
	return b.String(), nil
}
