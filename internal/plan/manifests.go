package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"
)

// Redacted replaces every secret value in rendered manifests.
const Redacted = "[redacted]"

// Manifest is one rendered Kubernetes object.
type Manifest struct {
	File   string
	Object map[string]any
}

// Manifests renders every Kubernetes resource as the object the provider would send, with the
// data of Secrets and every other secret value redacted.
func Manifests(resources []offline.Resource) []Manifest {
	var out []Manifest
	for _, r := range resources {
		apiVersion, kind, ok := gvk(r.Type)
		if !ok {
			continue
		}
		obj, _ := redact(resource.NewObjectProperty(r.Inputs), false).(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		}
		if apiVersion != "" {
			obj["apiVersion"] = apiVersion
			obj["kind"] = kind
		}
		if kind == "Secret" || obj["kind"] == "Secret" {
			for _, field := range []string{"data", "stringData"} {
				if data, ok := obj[field].(map[string]any); ok {
					for k := range data {
						data[k] = Redacted
					}
				}
			}
		}
		name := r.Name
		if md, ok := obj["metadata"].(map[string]any); ok {
			if n, ok := md["name"].(string); ok && n != "" {
				name = n
				if ns, ok := md["namespace"].(string); ok && ns != "" {
					name = ns + "." + n
				}
			}
		}
		k, _ := obj["kind"].(string)
		out = append(out, Manifest{File: strings.ToLower(k) + "-" + name + ".yaml", Object: obj})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// WriteManifests writes each manifest to dir/manifests/.
func WriteManifests(dir string, ms []Manifest) error {
	md := filepath.Join(dir, "manifests")
	if err := os.MkdirAll(md, 0o755); err != nil {
		return err
	}
	for _, m := range ms {
		b, err := yaml.Marshal(m.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", m.File, err)
		}
		if err := os.WriteFile(filepath.Join(md, m.File), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// gvk maps a pulumi-kubernetes type token to apiVersion and kind: "kubernetes:apps/v1:Deployment"
// is apps/v1 Deployment, "kubernetes:core/v1:Service" is v1 Service. Custom resources carry their
// own apiVersion and kind in their inputs (empty apiVersion returned).
func gvk(token string) (string, string, bool) {
	parts := strings.Split(token, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return "", "", false
	}
	if parts[1] == "apiextensions.k8s.io" && parts[2] == "CustomResource" {
		return "", "", true
	}
	group := strings.TrimPrefix(parts[1], "core/")
	return group, parts[2], true
}

func redact(v resource.PropertyValue, secret bool) any {
	switch {
	case v.IsSecret():
		return redact(v.SecretValue().Element, true)
	case v.IsOutput():
		return redact(v.OutputValue().Element, secret || v.OutputValue().Secret)
	case v.IsObject():
		m := map[string]any{}
		for k, e := range v.ObjectValue() {
			if strings.HasPrefix(string(k), "__") {
				continue
			}
			m[string(k)] = redact(e, secret)
		}
		return m
	case v.IsArray():
		var a []any
		for _, e := range v.ArrayValue() {
			a = append(a, redact(e, secret))
		}
		return a
	}
	if secret {
		return Redacted
	}
	return offline.Plain(v)
}
