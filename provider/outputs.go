package provider

import (
	"encoding/json"
	"reflect"
	"strings"

	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// result is the component's outputs: every field with a pulumi tag of the component struct
// (what the Go API exposes) and of extra, a struct of the outputs only the provider has (a
// contribution). The schema is generated from the same structs (a test checks that Construct
// returns exactly its outputs).
func result(comp pulumi.ComponentResource, extra any) (*pprovider.ConstructResult, error) {
	state, err := outputsOf(comp)
	if err != nil {
		return nil, err
	}
	if extra != nil {
		more, err := outputsOf(extra)
		if err != nil {
			return nil, err
		}
		for k, v := range more {
			state[k] = v
		}
	}
	return &pprovider.ConstructResult{URN: comp.URN(), State: state}, nil
}

// outputsOf reads the pulumi-tagged fields of a struct (by pointer): Outputs as they are (made
// secret when tagged provider:"secret"), plain values in their JSON form, so that every
// language reads the same object.
func outputsOf(v any) (pulumi.Map, error) {
	rv := reflect.ValueOf(v).Elem()
	state := pulumi.Map{}
	for _, f := range reflect.VisibleFields(rv.Type()) {
		name, _, _ := strings.Cut(f.Tag.Get("pulumi"), ",")
		if name == "" || !f.IsExported() {
			continue
		}
		value := rv.FieldByIndex(f.Index).Interface()
		var out pulumi.Input
		if o, ok := value.(pulumi.Output); ok {
			out = o
		} else {
			generic, err := jsonValue(value)
			if err != nil {
				return nil, err
			}
			if m, ok := generic.(map[string]any); ok {
				out = pulumi.ToMap(m)
			} else {
				out = pulumi.Any(generic)
			}
		}
		if hasTag(f, secretTag) {
			out = pulumi.ToSecret(out)
		}
		state[name] = out
	}
	return state, nil
}

func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
