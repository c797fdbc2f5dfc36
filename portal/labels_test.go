package portal

import (
	"context"
	"reflect"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

func TestServiceLabelsAndAnnotations(t *testing.T) {
	if got := ServiceLabels("payments"); !reflect.DeepEqual(got, map[string]string{"backstage.io/kubernetes-id": "payments"}) {
		t.Errorf("ServiceLabels = %v", got)
	}
	if got := ServiceAnnotations("payments", "payments-ns"); !reflect.DeepEqual(got, map[string]string{
		"backstage.io/kubernetes-id": "payments", "backstage.io/kubernetes-namespace": "payments-ns"}) {
		t.Errorf("ServiceAnnotations = %v", got)
	}
	if got := ServiceAnnotations("payments", ""); len(got) != 1 {
		t.Errorf("empty namespace kept: %v", got)
	}
}

// resolve turns a transformed property value into plain Go values, awaiting outputs.
func resolve(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case pulumi.Map:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolve(t, e)
		}
		return out
	case pulumi.StringMap:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolve(t, e)
		}
		return out
	case pulumi.String:
		return string(x)
	case pulumi.Output:
		r, err := internals.UnsafeAwaitOutput(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		return r.Value
	}
	return v
}

func TestKubernetesIDTransform(t *testing.T) {
	id := "payments"
	label := backstage.LabelKubernetesID
	unknownMeta := pulumi.ToOutput(pulumi.Map{"name": pulumi.String("x"), "labels": pulumi.Map{"app": pulumi.String("x")}})
	cases := []struct {
		name         string
		typ          string
		props        pulumi.Map
		wantMeta     map[string]any
		wantTemplate map[string]any // nil: no pod template expected
		unchanged    bool
	}{
		{
			name:         "deployment with labels",
			typ:          "kubernetes:apps/v1:Deployment",
			props:        pulumi.Map{"metadata": pulumi.Map{"name": pulumi.String("api"), "labels": pulumi.Map{"app": pulumi.String("api")}}, "spec": pulumi.Map{"template": pulumi.Map{"metadata": pulumi.Map{"labels": pulumi.StringMap{"app": pulumi.String("api")}}}}},
			wantMeta:     map[string]any{"name": "api", "labels": map[string]any{"app": "api", label: id}},
			wantTemplate: map[string]any{"labels": map[string]any{"app": "api", label: id}},
		},
		{
			name:         "statefulset without template labels",
			typ:          "kubernetes:apps/v1:StatefulSet",
			props:        pulumi.Map{"spec": pulumi.Map{"template": pulumi.Map{}}},
			wantMeta:     map[string]any{"labels": map[string]any{label: id}},
			wantTemplate: map[string]any{"labels": map[string]any{label: id}},
		},
		{
			name:     "service without metadata",
			typ:      "kubernetes:core/v1:Service",
			props:    pulumi.Map{"spec": pulumi.Map{"type": pulumi.String("ClusterIP")}},
			wantMeta: map[string]any{"labels": map[string]any{label: id}},
		},
		{
			name:     "ingress keeps an explicit id",
			typ:      "kubernetes:networking.k8s.io/v1:Ingress",
			props:    pulumi.Map{"metadata": pulumi.Map{"labels": pulumi.Map{label: pulumi.String("other")}}},
			wantMeta: map[string]any{"labels": map[string]any{label: "other"}},
		},
		{
			name:     "metadata that is an output",
			typ:      "kubernetes:core/v1:Service",
			props:    pulumi.Map{"metadata": unknownMeta},
			wantMeta: map[string]any{"name": "x", "labels": map[string]any{"app": "x", label: id}},
		},
		{name: "configmap untouched", typ: "kubernetes:core/v1:ConfigMap", props: pulumi.Map{"data": pulumi.StringMap{}}, unchanged: true},
		{name: "other provider untouched", typ: "random:index/randomPassword:RandomPassword", props: pulumi.Map{}, unchanged: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := resolve(t, tc.props)
			res := KubernetesIDTransform(id)(context.Background(), &pulumi.ResourceTransformArgs{
				Custom: true, Type: tc.typ, Name: "x", Props: tc.props,
			})
			if tc.unchanged {
				if res != nil {
					t.Errorf("transform changed a %s", tc.typ)
				}
				return
			}
			if res == nil {
				t.Fatal("transform returned nil")
			}
			got := resolve(t, res.Props).(map[string]any)
			if !reflect.DeepEqual(got["metadata"], tc.wantMeta) {
				t.Errorf("metadata = %#v, want %#v", got["metadata"], tc.wantMeta)
			}
			if tc.wantTemplate != nil {
				tmpl := got["spec"].(map[string]any)["template"].(map[string]any)["metadata"]
				if !reflect.DeepEqual(tmpl, tc.wantTemplate) {
					t.Errorf("template metadata = %#v, want %#v", tmpl, tc.wantTemplate)
				}
			}
			if !reflect.DeepEqual(resolve(t, tc.props), before) {
				t.Error("transform mutated the input props")
			}
		})
	}
}

func TestFileKey(t *testing.T) {
	if got := fileKey("tenants", "skeleton/tenant.yaml"); got != "tenants__skeleton__tenant.yaml" {
		t.Errorf("a plain path maps to %q", got)
	}
	templated := fileKey("tenants", "skeleton/${{ values.name }}.yaml")
	if keyUnsafe.MatchString(templated) {
		t.Errorf("%q holds characters a ConfigMap key cannot", templated)
	}
	if templated == fileKey("tenants", "skeleton/_{{ values.name }}.yaml") {
		t.Error("two different paths share a ConfigMap key")
	}
}
