package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// repoRoot is the root module's directory (tests/e2e is a nested module).
const repoRoot = "../.."

// backstageTest is the root module's test that boots a real Backstage backend on the
// generated configuration (tests/backstage); run against this suite's API server, its
// Kubernetes check reads the objects the real engine created. browserTest drives the portal
// in headless Chromium against the same API server: its Kubernetes tab shows those objects.
const (
	backstageTest = "TestBackstageBootsGeneratedConfig"
	browserTest   = "TestPortalInBrowser"
)

// runBackstage runs the Backstage test (go test ./tests/backstage/ in the root module) with
// KUBE_API_URL, KUBE_TOKEN and KUBE_CA_FILE pointing at the cluster, so that the Kubernetes
// plugin's /api/kubernetes/services/<entity> for the portal's entity must return the
// Deployment, Service and Ingress that up created. It needs the Backstage toolchain, given as
// .ci/backstage passes it: BACKSTAGE_NODE (Node.js 24) and PG_BIN (PostgreSQL 15 binaries);
// without them it is skipped. The token is the portal's own ServiceAccount's (TokenRequest),
// so the plugin reads the cluster with exactly the read-only ClusterRole the stack grants.
// With CHROMIUM and TECHDOCS_CLI too (.ci/backstage env prints both), the browser test runs
// in the same go test; SCREENSHOT_DIR, when set, keeps its screenshots.
func runBackstage(t *testing.T, c *cluster, live map[string]object, logs *opLogs) {
	t.Helper()
	node, pgBin := os.Getenv("BACKSTAGE_NODE"), os.Getenv("PG_BIN")
	if node == "" || pgBin == "" {
		t.Skipf("Backstage toolchain not given (BACKSTAGE_NODE=%q, PG_BIN=%q; .ci/run sets both from `.ci/backstage env`): "+
			"the Kubernetes plugin is not checked against this API server", node, pgBin)
	}

	// The objects the plugin must find carry the portal's kubernetes-id label, in the
	// namespace the portal's entity names (both stack files leave the defaults).
	for _, kind := range []string{"Deployment", "Service", "Ingress"} {
		id := kind + "/" + portalNamespace + "/" + portalName
		o := live[id]
		if o == nil {
			t.Fatalf("%s is not in the API server", id)
		}
		if got := str(o, "metadata", "labels", "backstage.io/kubernetes-id"); got != portalName {
			t.Errorf("%s: label backstage.io/kubernetes-id = %q, want %q", id, got, portalName)
		}
	}

	token := strings.TrimSpace(string(c.kubectl(t, nil, "create", "token", portalName,
		"--namespace", portalNamespace, "--duration", "1h")))
	caFile := filepath.Join(t.TempDir(), "kube-ca.crt")
	writeFile(t, caFile, string(c.caPEM))

	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	out := logs.writer(t, "backstage")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	tests := "^" + backstageTest + "$"
	browser := os.Getenv("CHROMIUM") != "" && os.Getenv("TECHDOCS_CLI") != ""
	if browser {
		tests = "^(" + backstageTest + "|" + browserTest + ")$"
	} else {
		t.Logf("CHROMIUM and TECHDOCS_CLI not given: the browser test (%s) does not run", browserTest)
	}
	cmd := exec.CommandContext(ctx, "go", "test", "./tests/backstage/", "-run", tests,
		"-count=1", "-v", "-timeout", "18m")
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"BACKSTAGE_E2E=1",
		"BROWSER_E2E=1",
		"BACKSTAGE_NODE="+node,
		"PG_BIN="+pgBin,
		"KUBE_API_URL="+c.URL,
		"KUBE_TOKEN="+token,
		"KUBE_CA_FILE="+caFile,
	)
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(out, &buf)
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("timing: backstage against real API server %.0fs", time.Since(start).Seconds())

	summary, ran, browserRan := backstageSummary(buf.String())
	t.Logf("go test ./tests/backstage/ -run '%s' against %s:\n%s", tests, c.URL, summary)
	if runErr != nil {
		t.Fatalf("the Backstage test failed against the real API server: %v\n%s", runErr, lastLines(buf.String(), 150))
	}
	if !ran {
		t.Fatalf("the Backstage test did not run its Kubernetes check:\n%s", lastLines(buf.String(), 80))
	}
	if browser && !browserRan {
		t.Fatalf("the browser test did not show the Kubernetes tab:\n%s", lastLines(buf.String(), 80))
	}
}

// backstageSummary keeps the lines of the Backstage tests' output worth showing: results,
// timings, screenshots and what the Kubernetes plugin returned; ran and browserRan report
// whether the Kubernetes check and the browser's Kubernetes tab passed.
func backstageSummary(out string) (summary string, ran, browserRan bool) {
	keep := regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP)|^(ok|FAIL|PASS)\b|timing:|screenshot |Kubernetes plugin, entity|cluster .* errors`)
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if keep.MatchString(l) {
			lines = append(lines, "    "+strings.TrimSpace(l))
		}
		if strings.Contains(l, "--- PASS: "+backstageTest+"/4-kubernetes") {
			ran = true
		}
		if strings.Contains(l, "--- PASS: "+browserTest+"/3-kubernetes") {
			browserRan = true
		}
	}
	return strings.Join(lines, "\n"), ran, browserRan
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
