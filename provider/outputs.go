package provider

import (
	"reflect"
	"strings"

	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// result is the component's outputs: every field of the component struct with a pulumi tag
// (what the Go API exposes), plus extra outputs only the provider has (a contribution). The
// schema lists the same names (a test checks both).
func result(comp pulumi.ComponentResource, extra pulumi.Map) *pprovider.ConstructResult {
	state := componentOutputs(comp)
	for k, v := range extra {
		state[k] = v
	}
	return &pprovider.ConstructResult{URN: comp.URN(), State: state}
}

// componentOutputs reads the pulumi-tagged Output fields of a component struct.
func componentOutputs(comp any) pulumi.Map {
	v := reflect.ValueOf(comp).Elem()
	state := pulumi.Map{}
	for _, f := range reflect.VisibleFields(v.Type()) {
		name, _, _ := strings.Cut(f.Tag.Get("pulumi"), ",")
		if name == "" || !f.IsExported() {
			continue
		}
		if out, ok := v.FieldByIndex(f.Index).Interface().(pulumi.Output); ok {
			state[name] = out
		}
	}
	return state
}
