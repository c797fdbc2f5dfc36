package plan

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/stack"
	"gopkg.in/yaml.v3"
)

// StackFile is a Pulumi.<stack>.yaml as the offline plan reads it.
type StackFile struct {
	// Values maps full config keys to the string form Pulumi hands a program (objects as JSON).
	Values map[string]string
	// Encrypted lists keys whose value is an encrypted `secure:` value the plan cannot read.
	Encrypted []string
	// SecretObjects lists object keys holding encrypted values at some path (set with
	// `pulumi config set --secret --path`): Values holds them with placeholders there, and
	// the engine hands the whole key over as a secret.
	SecretObjects []string
	// SecretLeaves are the paths of the encrypted values of each of SecretObjects.
	SecretLeaves map[string][]string
	// SecretsProvider is the file's secretsprovider: where its secrets' key lives.
	SecretsProvider string
}

// ReadStackFile parses a stack file and applies the defaults declared in the project file
// (Pulumi.yaml) for keys the stack file does not set, as the engine does.
func ReadStackFile(stackPath, projectPath string) (*StackFile, error) {
	var file struct {
		SecretsProvider string         `yaml:"secretsprovider"`
		Config          map[string]any `yaml:"config"`
	}
	if err := readYAML(stackPath, &file); err != nil {
		return nil, err
	}
	var project struct {
		Name   string                    `yaml:"name"`
		Config map[string]map[string]any `yaml:"config"`
	}
	if err := readYAML(projectPath, &project); err != nil {
		return nil, err
	}
	sf := &StackFile{Values: map[string]string{}, SecretLeaves: map[string][]string{}, SecretsProvider: file.SecretsProvider}
	for key, v := range file.Config {
		if m, ok := v.(map[string]any); ok && len(m) == 1 && m["secure"] != nil {
			sf.Encrypted = append(sf.Encrypted, key)
			continue
		}
		if m, ok := v.(map[string]any); ok && len(stack.SecureLeaves(m, key)) > 0 {
			sf.SecretLeaves[key] = stack.SecureLeaves(m, key)
			v = placeholderLeaves(m, key)
			sf.SecretObjects = append(sf.SecretObjects, key)
		}
		if path, ok := notFinite(v, key); ok {
			return nil, fmt.Errorf("%s: %s: .nan and .inf are not numbers a configuration can hold", stackPath, path)
		}
		s, err := configString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", stackPath, key, err)
		}
		sf.Values[key] = s
	}
	for short, decl := range project.Config {
		def, ok := decl["default"]
		if !ok {
			continue
		}
		key := project.Name + ":" + short
		if _, set := sf.Values[key]; set {
			continue
		}
		s, err := configString(def)
		if err != nil {
			return nil, fmt.Errorf("%s: default of %s: %w", projectPath, short, err)
		}
		sf.Values[key] = s
	}
	sort.Strings(sf.Encrypted)
	sort.Strings(sf.SecretObjects)
	return sf, nil
}

// SetObjectField sets one field of an object-valued key (created when absent), keeping the
// string form the engine hands the program.
func (sf *StackFile) SetObjectField(key, field string, value any) error {
	obj := map[string]any{}
	if raw, ok := sf.Values[key]; ok && raw != "" {
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return fmt.Errorf("%s is not an object: %w", key, err)
		}
	}
	obj[field] = value
	s, err := configString(obj)
	if err != nil {
		return err
	}
	sf.Values[key] = s
	return nil
}

// configString renders a YAML value the way the engine passes config to programs: strings as
// they are, everything else as JSON.
func configString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// notFinite finds a YAML .nan or .inf, which JSON (how Pulumi hands config over) cannot carry.
func notFinite(v any, path string) (string, bool) {
	switch t := v.(type) {
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return path, true
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(t))
		for _, k := range keys {
			if p, ok := notFinite(t[k], validate.Join(path, k)); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range t {
			if p, ok := notFinite(e, validate.Index(path, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

func readYAML(path string, into any) error {
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func isSecure(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 1 && m["secure"] != nil
}

// placeholderLeaves replaces each encrypted value by a placeholder naming its path.
func placeholderLeaves(v any, path string) any {
	switch t := v.(type) {
	case map[string]any:
		if isSecure(t) {
			return "placeholder-" + path + "-not-a-real-secret"
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = placeholderLeaves(e, validate.Join(path, k))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = placeholderLeaves(e, validate.Index(path, i))
		}
		return out
	}
	return v
}
