package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/tests"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
)

// safeStatefulOps are the steps a stateful resource may take in an upgrade: anything else
// (delete, replace, create-replacement, delete-replaced, discard...) loses its data or access.
var safeStatefulOps = map[string]bool{"same": true, "update": true, "create": true, "read": true, "refresh": true}

// TestUpgradeKeepsStatefulResources deploys the stack with the previous commit's program and
// e2e configuration (E2E_UPGRADE_FROM, default HEAD~1), then previews it with the current
// program and configuration through the real engine: no stateful resource (tests.IsStateful:
// namespaces in this stack) may be replaced or deleted. The previous program is the previous
// commit's root module (stack and components, from `git archive`) built into
// internal/previousup, which runs it through this harness's Program; so the test needs the
// git history, and fails, saying so, without it.
func TestUpgradeKeepsStatefulResources(t *testing.T) {
	tl := lookupTools(t)
	ctx := context.Background()

	rev := os.Getenv("E2E_UPGRADE_FROM")
	if rev == "" {
		rev = "HEAD~1"
	}
	start := time.Now()
	prev := checkoutRevision(t, rev)
	bin := buildPreviousUp(t, prev)
	t.Logf("timing: previous program (%s) built %s", rev, since(start))

	c := startCluster(t, tl)
	sec := generateSecrets(t)
	prevTenants, _ := e2eTenantsFrom(t, filepath.Join(prev, "tests", "testdata", "tenants"))
	prevCfg := loadStackConfigFile(t, filepath.Join(prev, "tests", "e2e", "testdata", "Pulumi.e2e.yaml"), prevTenants, sec)
	sa := &SkipAwait{}
	e := newStack(t, ctx, tl, c, prevCfg, sa)
	logs := newOpLogs(t)

	start = time.Now()
	runPreviousUp(t, ctx, bin, e, prevCfg, logs.writer(t, "previous-up"))
	before := e.state(t, ctx)
	t.Logf("timing: up with the previous program %s (%d resources)", since(start), len(before.Resources))

	curTenants, _ := e2eTenants(t)
	e.use(t, ctx, loadStackConfig(t, curTenants, sec), sa)
	events, steps := collectSteps()
	start = time.Now()
	res, err := e.stack.Preview(ctx, optpreview.EventStreams(events), optpreview.Diff(),
		optpreview.ProgressStreams(logs.writer(t, "upgrade-preview")))
	if err != nil {
		t.Fatalf("preview with the current program: %v", err)
	}
	t.Logf("timing: preview with the current program %s (%v)", since(start), summary(res.ChangeSummary))
	var stateful int
	for _, s := range steps() {
		if !tests.IsStateful(s.Type) {
			if s.Op != "same" {
				t.Logf("the upgrade would %s %s (diffs %v)", s.Op, s.URN, s.Diffs)
			}
			continue
		}
		stateful++
		if !safeStatefulOps[s.Op] {
			t.Errorf("upgrading from %s would %s stateful resource %s (diffs %v): give the new resource an alias to the old URN, "+
				"or make the change in place", rev, s.Op, s.URN, s.Diffs)
		}
	}
	if stateful == 0 {
		t.Error("the preview had no stateful resource: the test checked nothing")
	}
	t.Logf("%d stateful resources previewed", stateful)
}

// checkoutRevision writes the tree of a commit of this repository into a temporary directory
// (`git archive`, which leaves the repository and its worktrees untouched) and returns it.
func checkoutRevision(t *testing.T, rev string) string {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	sha, err := exec.Command("git", "-C", repo, "rev-parse", "--verify", "--quiet", rev+"^{commit}").Output()
	if err != nil {
		t.Fatalf("the upgrade test deploys the program of %s, which is not in this clone of %s (%v): "+
			"run it in a clone with history (git fetch --unshallow, or a CI checkout with fetch-depth 0), "+
			"or set E2E_UPGRADE_FROM to a commit the clone has", rev, repo, err)
	}
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "previous.tar")
	commit := strings.TrimSpace(string(sha))
	for _, args := range [][]string{
		{"git", "-C", repo, "archive", "--format=tar", "-o", archive, commit},
		{"tar", "-xf", archive, "-C", dir},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	t.Logf("previous program: %s (%s)", rev, commit)
	return dir
}

// buildPreviousUp builds internal/previousup with this module's go.mod, but the root module
// (stack, components) replaced by the previous commit's tree.
func buildPreviousUp(t *testing.T, prev string) string {
	t.Helper()
	tmp := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(tmp, f), string(b))
	}
	bin := filepath.Join(tmp, "previousup")
	for _, args := range [][]string{
		{"go", "mod", "edit", "-replace=github.com/coreeng/developer-portal=" + prev, filepath.Join(tmp, "go.mod")},
		// -mod=mod: the previous commit may require other module versions than this one.
		{"go", "build", "-modfile=" + filepath.Join(tmp, "go.mod"), "-mod=mod", "-o", bin, "./internal/previousup"},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s\nThe harness's Program (program.go) must build against the previous commit's stack package.",
				strings.Join(args, " "), err, out)
		}
	}
	return bin
}

// runPreviousUp runs the previous program's up on the stack's workspace, with the configuration
// the stack's settings hold (cfg, set by newStack).
func runPreviousUp(t *testing.T, ctx context.Context, bin string, e *env, cfg *stackConfig, progress *os.File) {
	t.Helper()
	src, err := json.Marshal(cfg.source(t))
	if err != nil {
		t.Fatal(err)
	}
	srcFile := filepath.Join(t.TempDir(), "source.json")
	writeFile(t, srcFile, string(src))
	ws := e.stack.Workspace()
	// The workspace's variables go to the CLI only, as in this process: the program must not
	// see what an inline program here does not (KUBECONFIG, for one).
	wsEnv, err := json.Marshal(ws.GetEnvVars())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "E2E_WORK_DIR="+ws.WorkDir(), "E2E_PROGRAM_SOURCE="+srcFile,
		"E2E_WORKSPACE_ENV="+string(wsEnv), "E2E_PULUMI_HOME="+ws.PulumiHome())
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Run(); err != nil {
		t.Fatalf("up with the previous program: %v\n%s", err, tail(progress.Name(), 60))
	}
}
