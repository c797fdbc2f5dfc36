package stack

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/coreeng/developer-portal/internal/validate"
	"gopkg.in/yaml.v3"
)

// The engine hands the program an object-valued key whole, marked secret when any value in
// it was set with `pulumi config set --secret --path`: which values were encrypted is only
// in the stack file. The program reads them from there, so that a secret value inside an
// ordinary section is refused naming its own key, and a plain value beside secret ones in
// portalSecretEnv is refused too.

// SecureLeaves lists the paths (under path) of the encrypted `secure:` values in a stack
// file's value; path itself when the whole value is encrypted.
func SecureLeaves(v any, path string) []string {
	switch t := v.(type) {
	case map[string]any:
		if isSecureValue(t) {
			return []string{path}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, SecureLeaves(t[k], validate.Join(path, k))...)
		}
		return out
	case []any:
		var out []string
		for i, e := range t {
			out = append(out, SecureLeaves(e, validate.Index(path, i))...)
		}
		return out
	}
	return nil
}

func isSecureValue(m map[string]any) bool {
	_, ok := m["secure"]
	return ok && len(m) == 1
}

// stackFileSecretPaths reads the encrypted paths of every key from the stack file the engine
// runs with (Pulumi.<stack>.yaml beside Pulumi.yaml, the working directory of a program run),
// or nil when there is none (a stack whose config lives elsewhere).
func stackFileSecretPaths(stackName string) map[string][]string {
	b, err := os.ReadFile(filepath.Clean("Pulumi." + stackName + ".yaml"))
	if err != nil {
		return nil
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if yaml.Unmarshal(b, &file) != nil {
		return nil
	}
	out := map[string][]string{}
	for k, v := range file.Config {
		if leaves := SecureLeaves(v, k); len(leaves) > 0 {
			out[k] = leaves
		}
	}
	return out
}

// secretSections refuses secret values inside the ordinary sections: each section is written
// in plain text somewhere (the portal's ConfigMap, files committed to the repository, Actions
// variables), so an encrypted value there would be decrypted into it. Each problem names the
// encrypted value's own key; a source that cannot tell which values are encrypted gets the
// section's.
func secretSections(src Source, errs *validate.Errors) {
	for _, s := range sections {
		key := fullKey(s.key)
		if !src.IsSecret(key) {
			continue
		}
		paths, known := src.SecretPaths(key)
		if !known || len(paths) == 0 || slices.Contains(paths, key) {
			paths = []string{key}
		}
		for _, p := range paths {
			errs.Add(p, "is a secret, but this section is written in plain text (the portal's ConfigMap, the repository, Actions variables): "+
				"store the value with `pulumi config set --secret --path 'developer-portal:portalSecretEnv.<VAR>' <value>` and reference it as ${<VAR>}, "+
				"where the key takes a reference")
		}
	}
}

// plainBesideSecret refuses a plain value inside a secret object key set value by value
// (portalSecretEnv, kubernetesClusterTokens): it sits unencrypted in the stack file.
func plainBesideSecret(src Source, key, raw string, errs *validate.Errors) {
	paths, known := src.SecretPaths(key)
	if !known || slices.Contains(paths, key) {
		return
	}
	var obj map[string]any
	if json.Unmarshal([]byte(raw), &obj) != nil {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		p := validate.Join(key, k)
		if !slices.Contains(paths, p) {
			errs.Add(p, "is set in plain text beside secret values: it sits unencrypted in the stack file; set it with "+
				"`pulumi config set --secret --path '%s' <value>`", p)
		}
	}
}

// secretValues are the plain values of every secret the source holds, to be kept out of
// error messages: the secret keys' values, the encrypted values inside sections, and the
// strings of a secret object.
func secretValues(src Source) []string {
	var out []string
	keys := src.Keys()
	if keys == nil {
		keys = make([]string, 0, len(Keys()))
		for _, k := range Keys() {
			keys = append(keys, fullKey(k))
		}
	}
	for _, key := range keys {
		if !src.IsSecret(key) {
			continue
		}
		raw, ok := src.Get(key)
		if !ok {
			continue
		}
		out = append(out, raw)
		var v any
		if json.Unmarshal([]byte(raw), &v) == nil {
			out = append(out, stringLeaves(v)...)
		}
	}
	return out
}

func stringLeaves(v any) []string {
	switch t := v.(type) {
	case map[string]any:
		var out []string
		for _, e := range t {
			out = append(out, stringLeaves(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, stringLeaves(e)...)
		}
		return out
	case string:
		return []string{t}
	}
	return nil
}
