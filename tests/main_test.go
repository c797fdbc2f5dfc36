// Package tests holds the stack-level tests: configuration errors, the offline plan's golden
// files, the compile-weight guard and the benchmarks of whole stacks under mocks.
package tests

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in tests/testdata")

// root is the project root, absolute, and fixtureTenants the test tenants under it: the
// stack-level tests plan with them instead of the live tenants/ folder, so a merged tenancy
// request changes no golden plan (tenants_test.go checks the live folder by rules).
//
// Tests name the files they read by absolute path: `go test` caches a result until a file
// the test read changes, and it resolves relative paths against the package directory,
// because the chdir below happens before it starts watching.
var root, fixtureTenants string

// TestMain runs every test from the project root, where Pulumi runs the program (tenant
// definitions resolve against it).
func TestMain(m *testing.M) {
	flag.Parse()
	if err := os.Chdir(".."); err != nil {
		panic(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	root = wd
	fixtureTenants = filepath.Join(root, "tests", "testdata", "tenants")
	os.Exit(m.Run())
}

// abs is a project-relative path made absolute (empty stays empty).
func abs(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

// stackConfig is a stack file's configuration with placeholder secrets, as a mutable source.
type stackConfig struct {
	t   testing.TB
	src stack.MapSource
}

func loadStack(t testing.TB, path string) *stackConfig {
	t.Helper()
	sf, err := plan.ReadStackFile(abs(path), filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sf.SetObjectField(stack.Namespace+":tenants", "dir", fixtureTenants); err != nil {
		t.Fatal(err)
	}
	src := stack.MapSource{Values: sf.Values, Secrets: map[string]bool{}, SecretLeaves: sf.SecretLeaves}
	for _, k := range sf.SecretObjects {
		src.Secrets[k] = true
	}
	for k, v := range stack.SecretPlaceholders(src) {
		src.Values[k] = v
		src.Secrets[k] = true
	}
	return &stackConfig{t: t, src: src}
}

// set changes one value inside an object key: set("portal", "tls.mode", "x"). A nil value
// deletes it; an empty path replaces the whole key with raw JSON/string value.
func (c *stackConfig) set(key, path string, value any) *stackConfig {
	c.t.Helper()
	full := stack.Namespace + ":" + key
	if path == "" {
		if value == nil {
			delete(c.src.Values, full)
			return c
		}
		if s, ok := value.(string); ok {
			c.src.Values[full] = s
			return c
		}
		b, _ := json.Marshal(value)
		c.src.Values[full] = string(b)
		return c
	}
	obj := map[string]any{}
	if raw, ok := c.src.Values[full]; ok {
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			c.t.Fatalf("%s is not an object: %v", full, err)
		}
	}
	parts := strings.Split(path, ".")
	cur := obj
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	last := parts[len(parts)-1]
	if value == nil {
		delete(cur, last)
	} else {
		cur[last] = value
	}
	b, err := json.Marshal(obj)
	if err != nil {
		c.t.Fatal(err)
	}
	c.src.Values[full] = string(b)
	return c
}

// secret sets a secret key (secret=false stores it in plain text, as a mistaken user would).
func (c *stackConfig) secret(key, value string, secret bool) *stackConfig {
	full := stack.Namespace + ":" + key
	if value == "" {
		delete(c.src.Values, full)
		delete(c.src.Secrets, full)
		return c
	}
	c.src.Values[full] = value
	c.src.Secrets[full] = secret
	return c
}
