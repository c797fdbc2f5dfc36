package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub workflow file these tests read.
type workflow struct {
	On          map[string]any     `yaml:"on"`
	Permissions *map[string]string `yaml:"permissions"`
	Env         map[string]string  `yaml:"env"`
	Jobs        map[string]job     `yaml:"jobs"`
	raw         string
}

type job struct {
	If          string            `yaml:"if"`
	Uses        string            `yaml:"uses"`
	With        map[string]any    `yaml:"with"`
	Needs       any               `yaml:"needs"`
	Environment string            `yaml:"environment"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress *bool  `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Strategy struct {
		Matrix      map[string]any `yaml:"matrix"`
		MaxParallel int            `yaml:"max-parallel"`
		FailFast    *bool          `yaml:"fail-fast"`
	} `yaml:"strategy"`
	Outputs map[string]string `yaml:"outputs"`
	Steps   []workflowStep    `yaml:"steps"`
}

type workflowStep struct {
	ID              string            `yaml:"id"`
	Name            string            `yaml:"name"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	With            map[string]any    `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError bool              `yaml:"continue-on-error"`
}

// secretRef is a secret read in a workflow expression.
var secretRef = regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z0-9_]+)`)

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	wf.raw = string(raw)
	return wf
}

// Least privilege: no workflow grants anything at its top level (an absent key would grant the
// repository's default token permissions); every job names what it uses.
func TestWorkflowPermissionsPerJob(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows (%v)", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "release") {
			continue // the Backstage app's release workflows follow their own rules
		}
		wf := readWorkflow(t, name)
		if wf.Permissions == nil || len(*wf.Permissions) != 0 {
			t.Errorf("%s: workflow-level permissions = %v, want {}", name, wf.Permissions)
		}
		for jn, j := range wf.Jobs {
			if j.Permissions == nil {
				t.Errorf("%s: job %s declares no permissions", name, jn)
			}
		}
	}
}

// Merges deploy dev, then prod behind its environment, each stack through the guard on the
// saved plan, the approval of a replacement, then `pulumi up --plan`; one deploy per stack.
func TestDeployWorkflow(t *testing.T) {
	wf := readWorkflow(t, "deploy.yml")
	push, _ := wf.On["push"].(map[string]any)
	if push == nil || !strings.Contains(strings.Join(strs(push["branches"]), ","), "main") {
		t.Errorf("deploy does not run on pushes to main: %v", wf.On)
	}
	if ignored := strs(push["paths-ignore"]); len(ignored) != 1 || ignored[0] != "environments/**" {
		t.Errorf("paths-ignore = %v, want only the generated files environments/**", ignored)
	}
	for _, stack := range []string{"dev", "prod"} {
		j, ok := wf.Jobs[stack]
		if !ok || j.Uses != "./.github/workflows/deploy-stack.yml" || j.With["stack"] != stack || j.With["environment"] != stack {
			t.Errorf("job %s does not deploy stack %s in environment %s through deploy-stack.yml: %+v", stack, stack, stack, j)
		}
		if j.Permissions["id-token"] != "write" {
			t.Errorf("job %s cannot get an OIDC token", stack)
		}
		if j.Concurrency.Group != "pulumi-"+stack || j.Concurrency.CancelInProgress == nil || *j.Concurrency.CancelInProgress {
			t.Errorf("job %s: concurrency %+v, want pulumi-%s, never cancelled in progress", stack, j.Concurrency, stack)
		}
	}
	// prod after dev: its shards need dev, and prod needs dev itself too, so that prod's
	// condition (which lets it run when prod has no shards) still requires dev's success.
	if needs := strs(wf.Jobs["prod"].Needs); !slices.Contains(needs, "dev") || !slices.Contains(needs, "prod-shards") ||
		!strings.Contains(wf.Jobs["prod"].If, "needs.dev.result == 'success'") {
		t.Errorf("prod needs %v if %q, want dev and prod-shards, and dev's success", needs, wf.Jobs["prod"].If)
	}
	if needs := strs(wf.Jobs["prod-shards"].Needs); !slices.Contains(needs, "dev") {
		t.Errorf("prod-shards needs %v, want dev", needs)
	}

	stack := readWorkflow(t, "deploy-stack.yml")
	planJob, approve, up := stack.Jobs["plan"], stack.Jobs["approve-replacement"], stack.Jobs["up"]
	for name, j := range map[string]job{"plan": planJob, "up": up} {
		if j.Environment != "${{ inputs.environment }}" {
			t.Errorf("the %s job runs in environment %q, want the stack's environment's", name, j.Environment)
		}
		order := map[string]int{}
		for i, s := range j.Steps {
			switch {
			case strings.Contains(s.Run, ".github/scripts/head-of-main"):
				order["head"] = i + 1
			case strings.Contains(s.Run, ".github/scripts/verify-image"):
				order["verify"] = i + 1
			case strings.Contains(s.Run, `go run ./cmd/stacks -stack "$STACK" -environment "$ENVIRONMENT"`) &&
				s.Env["STACK"] == "${{ inputs.stack }}" && s.Env["ENVIRONMENT"] == "${{ inputs.environment }}":
				order["belongs"] = i + 1
			case strings.HasPrefix(s.Uses, "google-github-actions/auth@"):
				order["auth"] = i + 1
				if s.With["credentials_json"] != nil {
					t.Errorf("%s authenticates with a stored key", name)
				}
			case strings.Contains(s.Run, "pulumi preview") && strings.Contains(s.Run, "--save-plan plan/plan.json") &&
				strings.Contains(s.Run, "go run ./cmd/guard -plan plan/plan.json plan/preview.json"):
				order["guard"] = i + 1
			case strings.Contains(s.Run, "pulumi up") && strings.Contains(s.Run, "--plan plan/plan.json"):
				order["up"] = i + 1
			case strings.HasPrefix(s.Uses, "actions/create-github-app-token@"):
				if s.With["repositories"] != "${{ steps.scope.outputs.repositories }}" {
					t.Errorf("%s: the App token is not scoped to the stack's repositories: %v", name, s.With["repositories"])
				}
				if s.If != "steps.scope.outputs.repositories != ''" {
					t.Errorf("%s: the App token is created when the stack writes no repository (if %q): it would reach every repository", name, s.If)
				}
			}
		}
		last := "guard"
		if name == "up" {
			last = "up"
		}
		if order["head"] == 0 || order["verify"] == 0 || order["belongs"] == 0 || order[last] == 0 ||
			order["head"] > order["auth"] || order["verify"] > order["auth"] || order["belongs"] > order["auth"] || order["auth"] > order[last] {
			t.Errorf("%s job step order %v: want the head-of-main check, the stack's environment check and the image verification before any credential, %s last", name, order, last)
		}
	}
	if up.If == "" || !strings.Contains(up.If, "needs.approve-replacement.result == 'success'") ||
		!strings.Contains(up.If, "needs.plan.outputs.replaces == 'false'") {
		t.Errorf("up runs when %q: want only a plan the guard cleared or a replacement approved", up.If)
	}
	if approve.Environment != "${{ inputs.environment }}-approve-replacement" || len(approve.Permissions) != 0 ||
		approve.If != "needs.plan.outputs.replaces == 'true'" {
		t.Errorf("approve-replacement: environment %q, permissions %v, if %q", approve.Environment, approve.Permissions, approve.If)
	}
	used := secretRef.FindAllStringSubmatch(stack.raw, -1)
	for _, u := range used {
		if u[1] != "DEPLOY_APP_PRIVATE_KEY" {
			t.Errorf("the deploy reads secret %s, want only the deploying App's key", u[1])
		}
	}
	if !strings.Contains(stack.Env["RELEASE_IDENTITY"], "/.github/workflows/release.yml@refs/heads/main") {
		t.Errorf("the deploy accepts images signed by %q, want the release workflow on main", stack.Env["RELEASE_IDENTITY"])
	}
}

// The deploy refuses a commit that is no longer main's head: a re-run of an old run would
// roll the stack back.
func TestHeadOfMain(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\necho 1111111111111111111111111111111111111111\n"
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	for sha, wantOK := range map[string]bool{
		"1111111111111111111111111111111111111111": true,
		"2222222222222222222222222222222222222222": false,
	} {
		cmd := exec.Command("bash", filepath.Join(root, ".github", "scripts", "head-of-main"))
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "GITHUB_SHA="+sha, "REPO=cecg/developer-portal", "GH_TOKEN=x")
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Errorf("GITHUB_SHA %s…: err %v, want ok %v; output %s", sha[:6], err, wantOK, out)
		}
	}
}

// The drift verdict is the pinned CLI's exit code: 0 clean, 7 (ExitNoChanges) drift, any
// other an error, whatever the CLI prints.
func TestDriftStatus(t *testing.T) {
	for code, want := range map[string]string{"0": "clean", "7": "drift", "1": "error", "2": "error", "255": "error"} {
		out, err := exec.Command("bash", filepath.Join(root, ".github", "scripts", "drift-status"), code).Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("exit %s: %q (%v), want %s", code, out, err, want)
		}
	}
}

// The tenancy check runs untrusted code without credentials; the comment is posted by a
// workflow that never checks the pull request's code out.
func TestTenancyWorkflows(t *testing.T) {
	check := readWorkflow(t, "tenancy-check.yml")
	if _, ok := check.On["pull_request"]; !ok || check.On["pull_request_target"] != nil {
		t.Errorf("tenancy-check triggers = %v, want pull_request only", check.On)
	}
	j := check.Jobs["tenancy-check"]
	if len(j.Permissions) != 1 || j.Permissions["contents"] != "read" {
		t.Errorf("tenancy-check permissions = %v, want contents: read only", j.Permissions)
	}
	if secretRef.MatchString(check.raw) || strings.Contains(check.raw, "id-token") {
		t.Error("tenancy-check reads a secret or an OIDC token")
	}
	if !strings.Contains(check.raw, "go run ./cmd/plan") || !strings.Contains(check.raw, "-tenant") {
		t.Error("tenancy-check does not render the offline plan of the changed tenants")
	}

	comment := readWorkflow(t, "tenancy-comment.yml")
	if _, ok := comment.On["workflow_run"]; !ok {
		t.Errorf("tenancy-comment triggers = %v, want workflow_run", comment.On)
	}
	for _, s := range comment.Jobs["comment"].Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") {
			t.Error("tenancy-comment checks code out; it must only read the report")
		}
	}
	if !strings.Contains(comment.raw, "head.sha") {
		t.Error("tenancy-comment does not check that the pull request is still at the checked commit")
	}
}

func TestDriftWorkflow(t *testing.T) {
	wf := readWorkflow(t, "drift.yml")
	if wf.On["schedule"] == nil {
		t.Error("drift is not scheduled")
	}
	preview, report := wf.Jobs["preview"], wf.Jobs["report"]
	var verdict, appToken bool
	for _, s := range preview.Steps {
		if strings.Contains(s.Run, "--expect-no-changes") && strings.Contains(s.Run, "--refresh") &&
			strings.Contains(s.Run, ".github/scripts/drift-status \"$status\"") {
			verdict = true
		}
		if strings.Contains(s.Run, "grep") {
			t.Errorf("drift reads the CLI's words: %s", s.Run)
		}
		if strings.HasPrefix(s.Uses, "actions/create-github-app-token@") && s.With["app-id"] == "${{ vars.DRIFT_APP_ID }}" &&
			s.With["repositories"] == "${{ steps.scope.outputs.repositories }}" && s.If == "steps.scope.outputs.repositories != ''" {
			appToken = true
		}
		for _, v := range s.Env {
			if strings.Contains(v, "github.token") {
				t.Errorf("the refresh runs with github.token, which cannot read the GitHub resources: step %q", s.Name)
			}
		}
	}
	if !verdict || !appToken {
		t.Errorf("drift preview: exit-code verdict %v, read-only App token %v", verdict, appToken)
	}
	if preview.Environment != "${{ matrix.environment }}-drift" || preview.Concurrency.Group != "pulumi-${{ matrix.stack }}" {
		t.Errorf("preview: environment %q, concurrency %q; want <environment>-drift and the deploy's group pulumi-<stack>",
			preview.Environment, preview.Concurrency.Group)
	}
	if p := report.Permissions; len(p) != 1 || p["issues"] != "write" {
		t.Errorf("report permissions = %v, want issues: write only", p)
	}
	if p := preview.Permissions; p["contents"] != "read" || p["id-token"] != "write" || len(p) != 2 {
		t.Errorf("preview permissions = %v", p)
	}
	// One report per stack, which runs whatever the previews did and reads a missing result
	// as an error of its stack.
	if report.If != "always() && needs.stacks.result == 'success'" || report.Strategy.Matrix["include"] != preview.Strategy.Matrix["include"] ||
		report.Strategy.Matrix["include"] != "${{ fromJSON(needs.stacks.outputs.stacks) }}" ||
		!strings.Contains(wf.raw, `|| echo error)`) || !strings.Contains(wf.raw, `label="drift:$STACK"`) {
		t.Errorf("report: if %q, matrix %v: want one issue per stack, opened even when its preview failed", report.If, report.Strategy.Matrix)
	}
}

// One Pulumi CLI version: .ci/pulumi-version, read by .ci/e2e and by every workflow step that
// installs the CLI, and the version of the CLI module the e2e tools build.
func TestPulumiVersionPinned(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, ".ci", "pulumi-version"))
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(raw))
	if !regexp.MustCompile(`^v3\.\d+\.\d+$`).MatchString(version) {
		t.Fatalf(".ci/pulumi-version = %q, want an exact v3.x.y", version)
	}
	e2e, err := os.ReadFile(filepath.Join(root, ".ci", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^PULUMI_VERSION=\$\(<\.ci/pulumi-version\)$`).Match(e2e) ||
		regexp.MustCompile(`(?m)^PULUMI_VERSION=v`).Match(e2e) {
		t.Error(".ci/e2e does not read PULUMI_VERSION from .ci/pulumi-version")
	}
	mod, err := os.ReadFile(filepath.Join(root, "tests", "e2e", "tools", "pulumi", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "github.com/pulumi/pulumi/pkg/v3 "+version+"\n") {
		t.Errorf("tests/e2e/tools/pulumi builds another CLI than %s", version)
	}
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	installs := 0
	for _, f := range files {
		wf := readWorkflow(t, filepath.Base(f))
		for jn, j := range wf.Jobs {
			reads := false
			for _, s := range j.Steps {
				if s.ID == "pulumi-version" && strings.Contains(s.Run, ".ci/pulumi-version") {
					reads = true
				}
				if !strings.HasPrefix(s.Uses, "pulumi/actions@") {
					continue
				}
				installs++
				if !reads || s.With["pulumi-version"] != "${{ steps.pulumi-version.outputs.version }}" {
					t.Errorf("%s %s: pulumi/actions installs %v, not the version of .ci/pulumi-version", filepath.Base(f), jn, s.With["pulumi-version"])
				}
			}
		}
	}
	if installs == 0 {
		t.Error("no workflow installs the Pulumi CLI")
	}
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
