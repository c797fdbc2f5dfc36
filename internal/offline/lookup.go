package offline

import (
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Lookup walks a dotted path ("spec.template.spec.containers.0.image") through objects and
// arrays, unwrapping secrets and outputs on the way.
func Lookup(v resource.PropertyValue, path string) (resource.PropertyValue, bool) {
	for _, seg := range splitPath(path) {
		next, ok := step(unwrap(v), seg)
		if !ok {
			return resource.PropertyValue{}, false
		}
		v = next
	}
	return unwrap(v), true
}

// Plain converts a property value into plain Go values (map[string]any, []any, string,
// float64, bool, nil) with secrets unwrapped, for comparisons and YAML/JSON round trips.
func Plain(v resource.PropertyValue) any {
	v = unwrap(v)
	switch {
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = Plain(e)
		}
		return out
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, Plain(e))
		}
		return out
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsBool():
		return v.BoolValue()
	default:
		return nil
	}
}

// String returns the string at path, or "" when absent or not a string.
func (r Resource) String(path string) string {
	v, ok := r.Input(path)
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Plain returns the input at path as plain Go values (nil when absent).
func (r Resource) Plain(path string) any {
	if path == "" {
		return Plain(resource.NewObjectProperty(r.Inputs))
	}
	v, ok := r.Input(path)
	if !ok {
		return nil
	}
	return Plain(v)
}

func splitPath(path string) []string {
	if path == "" {
		return nil
	}
	return strings.Split(path, ".")
}

func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

func step(v resource.PropertyValue, seg string) (resource.PropertyValue, bool) {
	switch {
	case v.IsObject():
		e, ok := v.ObjectValue()[resource.PropertyKey(seg)]
		return e, ok
	case v.IsArray():
		i, err := strconv.Atoi(seg)
		arr := v.ArrayValue()
		if err != nil || i < 0 || i >= len(arr) {
			return resource.PropertyValue{}, false
		}
		return arr[i], true
	}
	return resource.PropertyValue{}, false
}
