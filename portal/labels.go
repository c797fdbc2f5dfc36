package portal

import (
	"context"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ServiceLabels are the labels a service's Deployments, StatefulSets, Services and Ingresses
// carry so the Kubernetes plugin finds them for the catalog entity with the same id.
func ServiceLabels(id string) map[string]string {
	return map[string]string{backstage.LabelKubernetesID: id}
}

// ServiceAnnotations are the catalog entity annotations matching ServiceLabels; namespace
// narrows the lookup and is omitted when empty.
func ServiceAnnotations(id, namespace string) map[string]string {
	a := map[string]string{backstage.AnnotationKubernetesID: id}
	if namespace != "" {
		a[backstage.AnnotationKubernetesNamespace] = namespace
	}
	return a
}

// workloadTypes carry the label on the object and on their pod template; serviceTypes only on
// the object.
var (
	workloadTypes = map[string]bool{
		"kubernetes:apps/v1:Deployment":  true,
		"kubernetes:apps/v1:StatefulSet": true,
	}
	serviceTypes = map[string]bool{
		"kubernetes:core/v1:Service":              true,
		"kubernetes:networking.k8s.io/v1:Ingress": true,
	}
)

// KubernetesIDTransform returns a resource transform that adds the backstage.io/kubernetes-id
// label to every Deployment, StatefulSet (object and pod template), Service and Ingress a
// program registers. A label the program already set is kept. Register it for a whole
// program with ctx.RegisterResourceTransform, or per resource with pulumi.Transforms.
func KubernetesIDTransform(id string) pulumi.ResourceTransform {
	return func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		workload := workloadTypes[args.Type]
		if !workload && !serviceTypes[args.Type] {
			return nil
		}
		props := copyMap(args.Props)
		props["metadata"] = withLabel(props["metadata"], id)
		if workload && props["spec"] != nil {
			spec := asMap(props["spec"])
			if spec == nil {
				// An unknown or secret spec cannot be edited field by field: edit it
				// once resolved.
				props["spec"] = pulumi.ToOutput(props["spec"]).ApplyT(func(v any) any {
					return addTemplateLabelPlain(v, id)
				})
			} else {
				template := asMap(spec["template"])
				if template == nil {
					spec["template"] = pulumi.ToOutput(orEmpty(spec["template"])).ApplyT(func(v any) any {
						return addLabelPlain(v, id)
					})
				} else {
					template["metadata"] = withLabel(template["metadata"], id)
					spec["template"] = template
				}
				props["spec"] = spec
			}
		}
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}
}

// withLabel returns metadata with the label added to metadata.labels.
func withLabel(metadata pulumi.Input, id string) pulumi.Input {
	if metadata == nil {
		return pulumi.Map{"labels": pulumi.StringMap{backstage.LabelKubernetesID: pulumi.String(id)}}
	}
	m := asMap(metadata)
	if m == nil {
		return pulumi.ToOutput(metadata).ApplyT(func(v any) any { return addLabelPlain(v, id) })
	}
	switch labels := m["labels"].(type) {
	case nil:
		m["labels"] = pulumi.StringMap{backstage.LabelKubernetesID: pulumi.String(id)}
	case pulumi.Map:
		l := copyMap(labels)
		if _, set := l[backstage.LabelKubernetesID]; !set {
			l[backstage.LabelKubernetesID] = pulumi.String(id)
		}
		m["labels"] = l
	case pulumi.StringMap:
		l := pulumi.StringMap{}
		for k, v := range labels {
			l[k] = v
		}
		if _, set := l[backstage.LabelKubernetesID]; !set {
			l[backstage.LabelKubernetesID] = pulumi.String(id)
		}
		m["labels"] = l
	default:
		m["labels"] = pulumi.ToOutput(labels).ApplyT(func(v any) any {
			return addKeyPlain(v, id)
		})
	}
	return m
}

// addLabelPlain, addKeyPlain and addTemplateLabelPlain edit resolved (plain) values.
func addLabelPlain(metadata any, id string) any {
	m := plainMap(metadata)
	m["labels"] = addKeyPlain(m["labels"], id)
	return m
}

func addKeyPlain(labels any, id string) any {
	l := plainMap(labels)
	if _, set := l[backstage.LabelKubernetesID]; !set {
		l[backstage.LabelKubernetesID] = id
	}
	return l
}

func addTemplateLabelPlain(spec any, id string) any {
	s := plainMap(spec)
	t := plainMap(s["template"])
	t["metadata"] = addLabelPlain(t["metadata"], id)
	s["template"] = t
	return s
}

func plainMap(v any) map[string]any {
	out := map[string]any{}
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			out[k] = e
		}
	case map[string]string:
		for k, e := range m {
			out[k] = e
		}
	}
	return out
}

// asMap returns a copy of a pulumi.Map input, or nil when the value is an output.
func asMap(v pulumi.Input) pulumi.Map {
	if m, ok := v.(pulumi.Map); ok {
		return copyMap(m)
	}
	return nil
}

func copyMap(m pulumi.Map) pulumi.Map {
	out := pulumi.Map{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func orEmpty(v pulumi.Input) pulumi.Input {
	if v == nil {
		return pulumi.Map{}
	}
	return v
}
