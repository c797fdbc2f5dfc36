package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// StackFile is a Pulumi.<stack>.yaml as the offline plan reads it.
type StackFile struct {
	// Values maps full config keys to the string form Pulumi hands a program (objects as JSON).
	Values map[string]string
	// Encrypted lists keys whose value is an encrypted `secure:` value the plan cannot read.
	Encrypted []string
}

// ReadStackFile parses a stack file and applies the defaults declared in the project file
// (Pulumi.yaml) for keys the stack file does not set, as the engine does.
func ReadStackFile(stackPath, projectPath string) (*StackFile, error) {
	var stack struct {
		Config map[string]any `yaml:"config"`
	}
	if err := readYAML(stackPath, &stack); err != nil {
		return nil, err
	}
	var project struct {
		Name   string                    `yaml:"name"`
		Config map[string]map[string]any `yaml:"config"`
	}
	if err := readYAML(projectPath, &project); err != nil {
		return nil, err
	}
	sf := &StackFile{Values: map[string]string{}}
	for key, v := range stack.Config {
		if m, ok := v.(map[string]any); ok && len(m) == 1 && m["secure"] != nil {
			sf.Encrypted = append(sf.Encrypted, key)
			continue
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
