package backstage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	"gopkg.in/yaml.v3"
)

// Well-known annotations and labels the components agree on.
const (
	// AnnotationKubernetesID on an entity matches the LabelKubernetesID label on its objects.
	AnnotationKubernetesID = "backstage.io/kubernetes-id"
	// LabelKubernetesID is the object label the Kubernetes plugin looks for.
	LabelKubernetesID = "backstage.io/kubernetes-id"
	// AnnotationKubernetesLabelSelector takes precedence over the kubernetes-id annotation.
	AnnotationKubernetesLabelSelector = "backstage.io/kubernetes-label-selector"
	// AnnotationKubernetesNamespace narrows the lookup to one namespace.
	AnnotationKubernetesNamespace = "backstage.io/kubernetes-namespace"
	// AnnotationTechDocsRef points TechDocs at an entity's mkdocs.yml.
	AnnotationTechDocsRef = "backstage.io/techdocs-ref"
	// AnnotationViewURL and AnnotationEditURL are where an entity's "View source" and "Edit"
	// lead: the file that defines it.
	AnnotationViewURL = "backstage.io/view-url"
	AnnotationEditURL = "backstage.io/edit-url"
	// AnnotationGitHubProjectSlug is "<org>/<repo>" for the GitHub plugins.
	AnnotationGitHubProjectSlug = "github.com/project-slug"
	// AnnotationSourceLocation is where an entity's source lives.
	AnnotationSourceLocation = "backstage.io/source-location"
)

// Entity is a catalog entity (backstage.io/v1alpha1 kinds, or scaffolder.backstage.io/v1beta3
// Template). Spec is any Go value that marshals to the kind's spec.
type Entity struct {
	APIVersion string   `yaml:"apiVersion" json:"apiVersion"`
	Kind       string   `yaml:"kind" json:"kind"`
	Metadata   Metadata `yaml:"metadata" json:"metadata"`
	Spec       any      `yaml:"spec,omitempty" json:"spec,omitempty"`
}

// Metadata is an entity's metadata block.
type Metadata struct {
	Name        string            `yaml:"name" json:"name"`
	Namespace   string            `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Title       string            `yaml:"title,omitempty" json:"title,omitempty"`
	Description string            `yaml:"description,omitempty" json:"description,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
	Tags        []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Links       []Link            `yaml:"links,omitempty" json:"links,omitempty"`
}

// Link is an entity link shown on its page.
type Link struct {
	URL   string `yaml:"url" json:"url"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	Icon  string `yaml:"icon,omitempty" json:"icon,omitempty"`
}

// Ref is the entity reference "kind:namespace/name" (namespace "default" when empty).
func (e Entity) Ref() string {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = "default"
	}
	return fmt.Sprintf("%s:%s/%s", lower(e.Kind), ns, e.Metadata.Name)
}

// MarshalEntities renders entities as one multi-document YAML file, sorted by kind, namespace
// and name so the output does not depend on the order components produced them in.
func MarshalEntities(entities []Entity) ([]byte, error) {
	if len(entities) == 0 {
		return nil, nil
	}
	sorted := append([]Entity(nil), entities...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Ref() < sorted[j].Ref() })
	seen := map[string]bool{}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, e := range sorted {
		if e.Kind == "" || e.Metadata.Name == "" || e.APIVersion == "" {
			return nil, fmt.Errorf("catalog entity %q: apiVersion, kind and metadata.name are required", e.Ref())
		}
		if seen[e.Ref()] {
			return nil, fmt.Errorf("catalog entity %s is defined twice", e.Ref())
		}
		seen[e.Ref()] = true
		if err := enc.Encode(e); err != nil {
			return nil, fmt.Errorf("catalog entity %s: %w", e.Ref(), err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalEntities parses a multi-document catalog file into generic documents, for tests and
// tools that read a generated catalog back.
func UnmarshalEntities(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if doc != nil {
			out = append(out, doc)
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
