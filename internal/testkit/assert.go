package testkit

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// AssertNoDuplicateURNs fails when two registrations share a URN: the mock monitor silently
// overwrites them, the real engine refuses the program.
func AssertNoDuplicateURNs(t testing.TB, m *Mocks) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range m.Resources() {
		if seen[r.URN] {
			t.Errorf("duplicate URN %s", r.URN)
		}
		seen[r.URN] = true
	}
}

// AssertExplicitProviders fails for every custom resource registered without an explicit
// provider: such a resource would fall back to ambient credentials (or, with default providers
// disabled, fail at deploy time).
func AssertExplicitProviders(t testing.TB, m *Mocks) {
	t.Helper()
	for _, r := range m.Resources() {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") && r.Provider == "" {
			t.Errorf("%s %q has no explicit provider", r.Type, r.Name)
		}
	}
}

// AssertParented fails for every registration that is not a child of some component (only the
// stack's own components and providers may sit at the top).
func AssertParented(t testing.TB, m *Mocks, topLevelTypes ...string) {
	t.Helper()
	allowed := map[string]bool{}
	for _, typ := range topLevelTypes {
		allowed[typ] = true
	}
	for _, r := range m.Resources() {
		if r.Parent == "" || resource.URN(r.Parent).QualifiedType() == resource.RootStackType {
			if !allowed[r.Type] && !strings.HasPrefix(r.Type, "pulumi:providers:") {
				t.Errorf("%s %q is not parented to a component", r.Type, r.Name)
			}
		}
	}
}

// AssertNoSecretLeak fails when one of the secret values appears in plain text in any input
// that is not marked secret (a ConfigMap's data, a repository file, a label, an annotation...).
// Every input of a ConfigMap is checked even if marked secret: a ConfigMap must never hold one.
func AssertNoSecretLeak(t testing.TB, m *Mocks, secrets ...string) {
	t.Helper()
	for _, r := range m.Resources() {
		configMap := r.Type == "kubernetes:core/v1:ConfigMap"
		walk(resource.NewObjectProperty(r.Inputs), "", false, func(path string, v resource.PropertyValue, secret bool) {
			if !v.IsString() || (secret && !configMap) {
				return
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(v.StringValue(), s) {
					t.Errorf("secret value leaks in plain text into %s %q at %s", r.Type, r.Name, path)
				}
			}
		})
	}
}

// AssertProtected fails unless every registration of the types has protect set.
func AssertProtected(t testing.TB, m *Mocks, types ...string) {
	t.Helper()
	for _, typ := range types {
		rs := m.ByType(typ)
		if len(rs) == 0 {
			t.Errorf("no %s registered", typ)
		}
		for _, r := range rs {
			if !r.Protect {
				t.Errorf("%s %q is not protected", typ, r.Name)
			}
		}
	}
}

func walk(v resource.PropertyValue, path string, secret bool, visit func(string, resource.PropertyValue, bool)) {
	switch {
	case v.IsSecret():
		walk(v.SecretValue().Element, path, true, visit)
	case v.IsOutput():
		walk(v.OutputValue().Element, path, secret || v.OutputValue().Secret, visit)
	case v.IsObject():
		for k, e := range v.ObjectValue() {
			walk(e, join(path, string(k)), secret, visit)
		}
	case v.IsArray():
		for i, e := range v.ArrayValue() {
			walk(e, join(path, strconv.Itoa(i)), secret, visit)
		}
	default:
		visit(path, v, secret)
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
