package tests

import (
	"os"
	"path/filepath"
	"regexp"
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
	Steps []struct {
		Uses string         `yaml:"uses"`
		Run  string         `yaml:"run"`
		With map[string]any `yaml:"with"`
	} `yaml:"steps"`
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

// Merges deploy dev, then prod behind its environment, each stack through the guard first.
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
		if !ok || j.Uses != "./.github/workflows/deploy-stack.yml" || j.With["stack"] != stack {
			t.Errorf("job %s does not deploy stack %s through deploy-stack.yml: %+v", stack, stack, j)
		}
		if j.Permissions["id-token"] != "write" {
			t.Errorf("job %s cannot get an OIDC token", stack)
		}
	}
	if needs, _ := wf.Jobs["prod"].Needs.(string); needs != "dev" {
		t.Errorf("prod needs %v, want dev", wf.Jobs["prod"].Needs)
	}

	stack := readWorkflow(t, "deploy-stack.yml")
	up := stack.Jobs["up"]
	if up.Environment != "${{ inputs.stack }}" {
		t.Errorf("the deploy job runs in environment %q, want the stack's", up.Environment)
	}
	if !strings.Contains(up.Concurrency.Group, "inputs.stack") || up.Concurrency.CancelInProgress == nil || *up.Concurrency.CancelInProgress {
		t.Errorf("concurrency group %q (cancel-in-progress %v), want one group per stack, never cancelled in progress",
			up.Concurrency.Group, up.Concurrency.CancelInProgress != nil && *up.Concurrency.CancelInProgress)
	}
	guard, upStep := -1, -1
	for i, s := range up.Steps {
		if strings.Contains(s.Run, "go run ./cmd/guard") && strings.Contains(s.Run, "pulumi preview") {
			guard = i
		}
		if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] == "up" {
			upStep = i
		}
		if strings.HasPrefix(s.Uses, "google-github-actions/auth@") && s.With["credentials_json"] != nil {
			t.Error("the deploy authenticates with a stored key")
		}
	}
	if guard < 0 || upStep < 0 || guard > upStep {
		t.Errorf("the data-loss guard (step %d) must run before pulumi up (step %d)", guard, upStep)
	}
	used := secretRef.FindAllStringSubmatch(stack.raw, -1)
	if len(used) != 1 || used[0][1] != "DEPLOY_APP_PRIVATE_KEY" {
		t.Errorf("the deploy reads secrets %v, want only the deploying App's key", used)
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
	if !strings.Contains(wf.raw, "--expect-no-changes") || !strings.Contains(wf.raw, "--refresh") {
		t.Error("drift does not preview with --refresh --expect-no-changes")
	}
	if p := wf.Jobs["report"].Permissions; len(p) != 1 || p["issues"] != "write" {
		t.Errorf("report permissions = %v, want issues: write only", p)
	}
	if p := wf.Jobs["preview"].Permissions; p["contents"] != "read" || p["id-token"] != "write" || len(p) != 2 {
		t.Errorf("preview permissions = %v", p)
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
