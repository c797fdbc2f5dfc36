package backstage

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Document is a composed app-config as generic YAML values, ready to marshal.
type Document map[string]any

// Part is one named piece of app-config to compose; the name appears in conflict errors.
type Part struct {
	Name   string
	Config AppConfig
}

// Compose merges parts in the order given into one document, then applies extra (a free-form
// map from the user) last. Maps merge key by key and lists concatenate; two parts that set the
// same scalar to different values are an error naming the key and both parts, because a silent
// winner would make the deployed config depend on composition order. extra may override
// anything: it is the user's explicit escape hatch.
func Compose(parts []Part, extra map[string]any) (Document, error) {
	doc := map[string]any{}
	owner := map[string]string{}
	for _, p := range parts {
		m, err := Generic(p.Config)
		if err != nil {
			return nil, fmt.Errorf("app-config from %s: %w", p.Name, err)
		}
		if err := mergeStrict(doc, m, "", p.Name, owner); err != nil {
			return nil, err
		}
	}
	if len(extra) > 0 {
		normalised, err := Generic(extra)
		if err != nil {
			return nil, fmt.Errorf("extraAppConfig: %w", err)
		}
		mergeOverride(doc, normalised)
	}
	return Document(doc), nil
}

// YAML marshals the document with sorted keys: equal documents give equal bytes.
func (d Document) YAML() ([]byte, error) {
	return yaml.Marshal(map[string]any(d))
}

// Get returns the value at a dotted path ("backend.database.client").
func (d Document) Get(path string) (any, bool) {
	var cur any = map[string]any(d)
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[seg]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// Generic round-trips a value through YAML into generic maps, lists and scalars: the form
// Compose merges in, and the form checks over a configuration walk.
func Generic(v any) (map[string]any, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func mergeStrict(dst, src map[string]any, prefix, part string, owner map[string]string) error {
	keys := slices.Sorted(maps.Keys(src))
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		sv := src[k]
		dv, exists := dst[k]
		if !exists {
			dst[k] = sv
			owner[path] = part
			continue
		}
		switch s := sv.(type) {
		case map[string]any:
			d, ok := dv.(map[string]any)
			if !ok {
				return fmt.Errorf("app-config key %s: %s sets a map where %s set a value", path, part, ownerOf(owner, path))
			}
			if err := mergeStrict(d, s, path, part, owner); err != nil {
				return err
			}
		case []any:
			d, ok := dv.([]any)
			if !ok {
				return fmt.Errorf("app-config key %s: %s sets a list where %s set a value", path, part, ownerOf(owner, path))
			}
			dst[k] = append(d, s...)
		default:
			if !reflect.DeepEqual(dv, sv) {
				return fmt.Errorf("app-config key %s: %s sets %v but %s already set %v", path, part, sv, ownerOf(owner, path), dv)
			}
		}
	}
	return nil
}

// ownerOf names the part that set path, or the part that set the nearest enclosing map.
func ownerOf(owner map[string]string, path string) string {
	for {
		if o, ok := owner[path]; ok {
			return o
		}
		i := strings.LastIndex(path, ".")
		if i < 0 {
			return "another part"
		}
		path = path[:i]
	}
}

func mergeOverride(dst, src map[string]any) {
	for k, sv := range src {
		if s, ok := sv.(map[string]any); ok {
			if d, ok := dst[k].(map[string]any); ok {
				mergeOverride(d, s)
				continue
			}
		}
		dst[k] = sv
	}
}
