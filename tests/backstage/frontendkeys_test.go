package backstagee2e

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
)

var updateFrontendKeys = flag.Bool("update-frontend-keys", false, "rewrite backstage/frontend-keys.txt from the installed schemas")

// TestFrontendKeysMatchTheSchemas derives the keys Backstage sends to the browser from the
// installed packages' config schemas (app/node_modules, after `.ci/backstage install`) and
// compares them with backstage/frontend-keys.txt, which the checks use. It lives here, beside
// the booted backend, because this suite runs after the install; -update-frontend-keys
// rewrites the file.
func TestFrontendKeysMatchTheSchemas(t *testing.T) {
	backstageNode(t, "to read app/node_modules")
	if _, err := os.Stat(filepath.Join(appDir, "node_modules", "@backstage", "config-loader")); err != nil {
		t.Fatalf("app/node_modules is not installed (.ci/backstage install): %v", err)
	}
	cmd := exec.Command(envOr("BACKSTAGE_NODE", "node"), filepath.Join("..", "tests", "backstage", "testdata", "frontend-keys.cjs"))
	cmd.Dir = appDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deriving the frontend keys: %v\n%s", err, stderr.String())
	}
	if n := len(strings.Fields(string(out))); n < 20 {
		t.Fatalf("only %d frontend keys derived: the schemas were not read (are the workspace links of app/node_modules to this checkout?)\n%s", n, out)
	}
	path := filepath.Join("..", "..", "backstage", "frontend-keys.txt")
	if *updateFrontendKeys {
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(out) != backstage.FrontendKeysFile {
		t.Errorf("backstage/frontend-keys.txt differs from the installed schemas; regenerate with BACKSTAGE_E2E=1 go test ./tests/backstage/ -run TestFrontendKeysMatchTheSchemas -update-frontend-keys\nderived:\n%s", out)
	}
}
