package backstage

import (
	_ "embed"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// FrontendKeysFile lists the app-config keys Backstage sends to every visitor's browser: the
// keys the installed packages' config schemas (config.d.ts) mark `@visibility frontend`, one
// path a line, "*" standing for any map key and "[]" for any list element. It is derived from
// app/node_modules by tests/backstage/testdata/frontend-keys.cjs (Backstage's own schema loader);
// tests/backstage/frontendkeys_test.go compares it after `.ci/backstage install`, and
// regenerates it with -update-frontend-keys.
//
//go:embed frontend-keys.txt
var FrontendKeysFile string

// FrontendKeys are the paths of FrontendKeysFile.
func FrontendKeys() []string {
	var out []string
	for _, l := range strings.Split(FrontendKeysFile, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// substitution matches Backstage's ${VAR} substitution (and its $${ escape, refused too: a
// frontend value has no reason to hold one).
var substitution = regexp.MustCompile(`\$\{`)

// HasSubstitution reports whether s holds a ${...} substitution.
func HasSubstitution(s string) bool { return substitution.MatchString(s) }

// CheckFrontend records a problem for every value of m (an app-config part, at prefix) that
// Backstage would send to the browser and that holds a ${VAR} substitution or is read with
// $file, $env or $include: the browser would receive the pod's environment or files.
// Visibility is a key's own: Backstage sends a key's children only when they are marked too.
func CheckFrontend(errs *validate.Errors, prefix string, m map[string]any) {
	walkFrontend(errs, prefix, "", m, FrontendKeys())
}

func walkFrontend(errs *validate.Errors, prefix, pattern string, v any, keys []string) {
	frontend := pattern != "" && isFrontend(pattern, keys)
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if isInclude(k) {
				if frontend {
					errs.Add(validate.Join(prefix, k), "is sent to every visitor's browser: a %s there would publish the pod's files or environment", k)
				}
				continue
			}
			walkFrontend(errs, validate.Join(prefix, k), validate.Join(pattern, k), t[k], keys)
		}
	case []any:
		for i, e := range t {
			walkFrontend(errs, validate.Index(prefix, i), pattern+"[]", e, keys)
		}
	case string:
		if frontend && HasSubstitution(t) {
			errs.Add(prefix, "is sent to every visitor's browser: a ${VAR} substitution there would publish a server-side value")
		}
	}
}

// isFrontend reports whether the config path p (list elements as "[]") is a frontend key.
func isFrontend(p string, keys []string) bool {
	for _, k := range keys {
		if matchPath(k, p) {
			return true
		}
	}
	return false
}

// matchPath matches a path against a pattern segment by segment; "*" matches one map key.
func matchPath(pattern, p string) bool {
	ps, xs := splitPath(pattern), splitPath(p)
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func splitPath(p string) []string {
	return strings.Split(strings.ReplaceAll(p, "[]", ".[]"), ".")
}
