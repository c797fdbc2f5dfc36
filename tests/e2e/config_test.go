package e2e

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/stack"
)

// TestStackConfig checks, without any tool, that the e2e configuration (the stack file, the
// example tenants and generated secrets) passes the stack's validation and deploys every
// example tenant.
func TestStackConfig(t *testing.T) {
	dir, names := e2eTenants(t)
	cfg := loadStackConfig(t, dir, generateSecrets(t))
	loaded, err := stack.Load(cfg.source(t))
	if err != nil {
		t.Fatalf("the e2e configuration is rejected:\n%v", err)
	}
	if loaded.Cloud.Provider != "none" || loaded.Database.External == nil {
		t.Errorf("the e2e stack must need no cloud plugin: cloud %q, external database %v",
			loaded.Cloud.Provider, loaded.Database.External != nil)
	}
	if got := loaded.TenantEnvironment(); got != tenantEnvironment {
		t.Errorf("tenant environment = %q, want %q", got, tenantEnvironment)
	}
	if len(names) < 2 {
		t.Errorf("want the example tenants, got %v", names)
	}
}

// TestFindPlainSecrets checks the state grep itself: it finds a secret in plain text and in
// base64, and a line of the private key, and nothing in a file without them.
func TestFindPlainSecrets(t *testing.T) {
	sec := generateSecrets(t)
	dir := t.TempDir()
	keyLine := strings.Split(sec[stack.KeyGitHubAppPrivateKey], "\n")[3]
	writeFile(t, filepath.Join(dir, "clean.json"), `{"ciphertext":"v1:abc"}`)
	writeFile(t, filepath.Join(dir, "plain.json"), `{"password":"`+sec[stack.KeyDatabasePassword]+`"}`)
	writeFile(t, filepath.Join(dir, "b64.json"), `{"data":{"token":"`+
		base64.StdEncoding.EncodeToString([]byte(sec[stack.KeyBackstageServiceToken]))+`"}}`)
	writeFile(t, filepath.Join(dir, "key.json"), `{"key":"`+keyLine+`"}`)
	leaks, files, err := findPlainSecrets(sec, dir)
	if err != nil {
		t.Fatal(err)
	}
	if files != 4 || len(leaks) != 3 {
		t.Fatalf("searched %d files, found %d leaks, want 4 and 3: %v", files, len(leaks), leaks)
	}
	for i, want := range []string{"b64.json holds backstageServiceToken (base64)", "key.json holds githubAppPrivateKey (line 4)", "plain.json holds databasePassword in plain text"} {
		if !strings.Contains(leaks[i], want) {
			t.Errorf("leak %d = %q, want it to mention %q", i, leaks[i], want)
		}
	}
}
