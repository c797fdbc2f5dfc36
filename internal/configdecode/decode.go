// Package configdecode decodes configuration given as JSON (stack config sections, a component
// provider's inputs) into a component's Args strictly: the stack program and the component
// provider share it, so the same input fails the same way, naming the same key, in both.
package configdecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// Decode decodes one config value (JSON, as Pulumi hands objects to programs) into target,
// strictly: every key unknown to target's type is reported with its full path (a typo must
// never be silently ignored) with the message unknown, and a value of the wrong type names its
// key.
func Decode(raw string, target any, unknown string) error {
	var errs validate.Errors
	var generic any
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		// Pulumi hands a plain string over as it is: it was not an object in the stack file.
		// The value is not echoed: it may be a mistyped secret.
		errs.Add("", "must be an object (a YAML mapping), got a string")
		return errs.Err()
	}
	if _, ok := generic.(map[string]any); !ok {
		errs.Add("", "must be an object (a YAML mapping), got %s", jsonKind(generic))
		return errs.Err()
	}
	var keys keyProblems
	keys.walk(generic, reflect.TypeOf(target), "")
	for _, path := range keys.unknown {
		errs.Add(path, "%s", unknown)
	}
	for _, path := range keys.zeros {
		errs.Add(path, "0 is out of range: it would silently mean the default; leave the key unset for the default, or give a value in range")
	}
	for _, path := range longStrings(generic, "") {
		errs.Add(path, "is longer than %d characters", maxStringLength)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	if err := dec.Decode(target); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			errs.Add(typeErr.Field, "expected %s, got %s", describeType(typeErr.Type), typeErr.Value)
		} else {
			errs.Add("", "%v", err)
		}
	}
	return errs.Err()
}

// keyProblems walks a decoded JSON value alongside the Go type it will be decoded into and
// collects the paths of keys the type has no field for, and of integer settings written as 0
// where the Go field cannot tell 0 from unset (a plain int with omitempty): the component
// would take its default without a word.
type keyProblems struct{ unknown, zeros []string }

func (p *keyProblems) walk(v any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			kp := validate.Join(path, k)
			ft, ok := fields[k]
			if !ok {
				p.unknown = append(p.unknown, kp)
				continue
			}
			if n, isNum := obj[k].(float64); isNum && n == 0 && ft.Kind() == reflect.Int {
				p.zeros = append(p.zeros, kp)
				continue
			}
			p.walk(obj[k], ft, kp)
		}
	case reflect.Slice, reflect.Array:
		arr, _ := v.([]any)
		for i, e := range arr {
			p.walk(e, t.Elem(), validate.Index(path, i))
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			p.walk(obj[k], t.Elem(), validate.Join(path, k))
		}
	}
}

// Fields maps the JSON names of a struct type's configurable fields to their types (embedded
// structs flattened, as encoding/json does): the keys Decode accepts.
func Fields(t reflect.Type) map[string]reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return jsonFields(t)
}

// jsonFields maps the JSON names of a struct's fields (embedded structs flattened, as
// encoding/json does) to their types. Fields tagged "-" are not configurable.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					fields[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// maxStringLength bounds any string in the configuration: a megabyte value is a mistake that
// would otherwise fail only at apply, in an annotation or a ConfigMap.
const maxStringLength = 64 * 1024

func longStrings(v any, path string) []string {
	var out []string
	switch t := v.(type) {
	case string:
		if len(t) > maxStringLength {
			out = append(out, path)
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(t))
		for _, k := range keys {
			out = append(out, longStrings(t[k], validate.Join(path, k))...)
		}
	case []any:
		for i, e := range t {
			out = append(out, longStrings(e, validate.Index(path, i))...)
		}
	}
	return out
}
