package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Render prints the resources as a tree (children under their parent, siblings sorted by type
// and name), each with its inputs flattened to one "path: value" line; secret values print as
// [secret] and multi-line strings as indented blocks. The output depends only on what was
// registered, never on registration order.
func Render(resources []offline.Resource) string {
	children := map[string][]offline.Resource{}
	known := map[string]bool{}
	for _, r := range resources {
		known[r.URN] = true
	}
	for _, r := range resources {
		parent := r.Parent
		if !known[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], r)
	}
	for _, rs := range children {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Type != rs[j].Type {
				return rs[i].Type < rs[j].Type
			}
			return rs[i].Name < rs[j].Name
		})
	}
	var b strings.Builder
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, r := range children[parent] {
			indent := strings.Repeat("  ", depth)
			flags := ""
			if r.Protect {
				flags += " [protect]"
			}
			if r.RetainOnDelete {
				flags += " [retainOnDelete]"
			}
			if len(r.IgnoreChanges) > 0 {
				flags += " [ignoreChanges: " + strings.Join(r.IgnoreChanges, ", ") + "]"
			}
			fmt.Fprintf(&b, "%s+ %s %s%s\n", indent, r.Type, r.Name, flags)
			for _, line := range flatten(resource.NewObjectProperty(r.Inputs), "", false) {
				fmt.Fprintf(&b, "%s    %s\n", indent, line)
			}
			walk(r.URN, depth+1)
		}
	}
	walk("", 0)
	return b.String()
}

func flatten(v resource.PropertyValue, path string, secret bool) []string {
	switch {
	case v.IsSecret():
		return flatten(v.SecretValue().Element, path, true)
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return []string{path + ": [unknown]"}
		}
		return flatten(o.Element, path, secret || o.Secret)
	case v.IsObject():
		obj := v.ObjectValue()
		if len(obj) == 0 {
			if path == "" {
				return nil
			}
			return []string{path + ": {}"}
		}
		var out []string
		for _, k := range obj.StableKeys() {
			if strings.HasPrefix(string(k), "__") {
				continue
			}
			out = append(out, flatten(obj[k], join(path, string(k)), secret)...)
		}
		return out
	case v.IsArray():
		arr := v.ArrayValue()
		if len(arr) == 0 {
			return []string{path + ": []"}
		}
		var out []string
		for i, e := range arr {
			out = append(out, flatten(e, join(path, strconv.Itoa(i)), secret)...)
		}
		return out
	}
	if secret {
		return []string{path + ": [secret]"}
	}
	switch {
	case v.IsString():
		s := v.StringValue()
		if strings.Contains(s, "\n") {
			lines := []string{path + ": |"}
			for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
				lines = append(lines, "    "+l)
			}
			return lines
		}
		return []string{path + ": " + strconv.Quote(s)}
	case v.IsNumber():
		return []string{path + ": " + strconv.FormatFloat(v.NumberValue(), 'f', -1, 64)}
	case v.IsBool():
		return []string{path + ": " + strconv.FormatBool(v.BoolValue())}
	case v.IsNull():
		return []string{path + ": null"}
	case v.IsResourceReference():
		return []string{path + ": " + string(v.ResourceReferenceValue().URN)}
	}
	return []string{path + ": " + v.String()}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
