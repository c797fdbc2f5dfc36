package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/configdecode"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Problems reported for inputs; the paths name the input property, as the schema spells it.
const (
	unknownProperty = "unknown property (check the spelling against the package schema)"
	mustBeKnown     = "must be known before deployment: it decides what is created, so it cannot come from a resource that is not created yet"
	mustNotBeSecret = "must not be a secret: it is stored in plain text (the portal's ConfigMaps, the resources' specs)"
)

// secretTag marks an Output input the component always keeps secret: `provider:"secret"`.
const secretTag = "secret"

// awaited is an input resolved for inspection.
type awaited struct {
	value  any
	known  bool
	secret bool
}

// decodeInputs fills target, a pointer to a component's inputs struct, from the engine's
// inputs. Fields with a json name are plain: they are awaited, must be known and not secret,
// and are decoded strictly from their JSON (configdecode, the stack's decoder: unknown keys and
// wrong types name their path). Fields with a pulumi tag stay Outputs (of their field's type,
// secret when tagged provider:"secret"); when known, their shape is checked. Every property
// neither kind names is refused. It returns the awaited Output inputs by property name, for
// callers that need the keys of a map (secretEnv). All problems are reported at once.
func decodeInputs(ctx *pulumi.Context, in pulumi.Map, target any) (map[string]awaited, error) {
	t := reflect.TypeOf(target).Elem()
	plainFields := configdecode.Fields(t)
	outputFields := outputFields(t)
	var errs validate.Errors
	plain := map[string]any{}
	outputs := map[string]awaited{}
	for _, k := range slices.Sorted(maps.Keys(in)) {
		_, isPlain := plainFields[k]
		_, isOutput := outputFields[k]
		if !isPlain && !isOutput {
			errs.Add(k, unknownProperty)
			continue
		}
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(in[k]))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		a := awaited{value: r.Value, known: r.Known, secret: r.Secret}
		switch {
		case isOutput:
			outputs[k] = a
		case !a.known:
			errs.Add(k, mustBeKnown)
		case a.secret:
			errs.Add(k, mustNotBeSecret)
		default:
			plain[k] = a.value
		}
	}
	raw, err := json.Marshal(plain)
	if err != nil {
		return nil, err
	}
	errs.Merge("", configdecode.Decode(string(raw), target, unknownProperty))

	v := reflect.ValueOf(target).Elem()
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		f := outputFields[name]
		out, problem := convertOutput(in[name], outputs[name], f.Type)
		if problem != "" {
			errs.Add(name, "%s", problem)
			continue
		}
		if out == nil {
			continue
		}
		if hasTag(f, secretTag) {
			out = pulumi.ToSecret(out)
		}
		v.FieldByIndex(f.Index).Set(reflect.ValueOf(out))
	}
	return outputs, errs.Err()
}

// outputFields are the fields of an inputs struct that stay Outputs, by pulumi tag.
func outputFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		if name, _, _ := strings.Cut(f.Tag.Get("pulumi"), ","); name != "" && f.IsExported() {
			out[name] = f
		}
	}
	return out
}

// hasProblem reports whether errs already holds a problem of the property name.
func hasProblem(errs *validate.Errors, name string) bool {
	return slices.ContainsFunc(errs.Problems, func(p validate.Problem) bool { return p.Path == name })
}

func hasTag(f reflect.StructField, flag string) bool {
	return slices.Contains(strings.Split(f.Tag.Get("provider"), ","), flag)
}

var (
	stringInput    = reflect.TypeFor[pulumi.StringInput]()
	intInput       = reflect.TypeFor[pulumi.IntInput]()
	stringMapInput = reflect.TypeFor[pulumi.StringMapInput]()
)

// convertOutput turns an input into an Output of the field's type, keeping its secrecy and
// dependencies. A known value of the wrong shape is a problem; nil means the property is null.
func convertOutput(in pulumi.Input, a awaited, ft reflect.Type) (pulumi.Output, string) {
	if a.known && a.value == nil {
		return nil, ""
	}
	o := pulumi.ToOutput(in)
	switch ft {
	case stringInput:
		if _, ok := a.value.(string); a.known && !ok {
			return nil, "expected a string, got " + kind(a.value)
		}
		return o.ApplyT(func(v any) string { s, _ := v.(string); return s }).(pulumi.StringOutput), ""
	case intInput:
		if _, ok := toInt(a.value); a.known && !ok {
			return nil, "expected an integer, got " + kind(a.value)
		}
		return o.ApplyT(func(v any) int { n, _ := toInt(v); return n }).(pulumi.IntOutput), ""
	case stringMapInput:
		if _, problem := toStringMap(a.value); a.known && problem != "" {
			return nil, problem
		}
		return o.ApplyT(func(v any) map[string]string { m, _ := toStringMap(v); return m }).(pulumi.StringMapOutput), ""
	}
	panic(fmt.Sprintf("provider: no conversion to %s", ft))
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<31 {
			return int(n), true
		}
	}
	return 0, false
}

func toStringMap(v any) (map[string]string, string) {
	switch m := v.(type) {
	case map[string]string:
		return m, ""
	case map[string]any:
		out := make(map[string]string, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			s, ok := m[k].(string)
			if !ok {
				return nil, fmt.Sprintf("%s: expected a string, got %s", k, kind(m[k]))
			}
			out[k] = s
		}
		return out, ""
	}
	return nil, "expected an object of strings, got " + kind(v)
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64, int:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// secretMap splits a map input whose keys must be known (they become environment variable
// names, Secret keys) into one secret Output per key, each keeping the input's dependencies.
func secretMap(name string, in pulumi.Input, a awaited, errs *validate.Errors) map[string]pulumi.StringInput {
	if in == nil {
		return nil
	}
	if !a.known {
		errs.Add(name, "must be known before deployment: its names become environment variables (only its values may be secret)")
		return nil
	}
	m, _ := toStringMap(a.value)
	out := make(map[string]pulumi.StringInput, len(m))
	whole := pulumi.ToOutput(in)
	for k := range m {
		out[k] = pulumi.ToSecret(whole.ApplyT(func(v any) string {
			vm, _ := toStringMap(v)
			return vm[k]
		})).(pulumi.StringOutput)
	}
	return out
}
