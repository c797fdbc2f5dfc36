package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"gopkg.in/yaml.v3"
)

// shardedRoot is a copy of the project's stack files in a temporary directory with each
// environment's tenants split over shards stacks (env → shard count), as
// docs/operators/scale.md sets them up: tenants.shard.count in the portal's file, and
// Pulumi.<env>-tenants-<i>.yaml the same file with tenants.shard.index i.
func shardedRoot(t *testing.T, counts map[string]int) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "Pulumi.yaml"), project)
	for env, count := range counts {
		raw, err := os.ReadFile(filepath.Join(root, "Pulumi."+env+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		withShard := func(index int) []byte {
			var file map[string]any
			if err := yaml.Unmarshal(raw, &file); err != nil {
				t.Fatal(err)
			}
			config := file["config"].(map[string]any)
			tenants, _ := config["developer-portal:tenants"].(map[string]any)
			if tenants == nil {
				tenants = map[string]any{}
			}
			shard := map[string]any{"count": count}
			if index > 0 {
				shard["index"] = index
			}
			tenants["shard"] = shard
			config["developer-portal:tenants"] = tenants
			out, err := yaml.Marshal(file)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		writeFile(t, filepath.Join(dir, "Pulumi."+env+".yaml"), withShard(0))
		for i := 1; i < count; i++ {
			writeFile(t, filepath.Join(dir, fmt.Sprintf("Pulumi.%s-tenants-%d.yaml", env, i)), withShard(i))
		}
	}
	return dir
}

// needsOf is a job's needs: one job or a list.
func needsOf(j job) []string {
	if s, ok := j.Needs.(string); ok {
		return []string{s}
	}
	return strs(j.Needs)
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tokenCoverage lists what the workflows' token jobs (expanded over envs) leave out: every
// stack of every environment has a pull-request preview (ci.yml, <env>-preview), a drift check
// (drift.yml, <env>-drift) and a deploy's plan and up (deploy-stack.yml, <env>), and no token
// job runs a stack that is not one of its environment's.
func tokenCoverage(jobs []tokenJob, envs []plan.EnvironmentStacks) []string {
	kinds := []struct{ name, labelPrefix, labelSuffix, envSuffix string }{
		{"pull-request preview", "ci.yml preview (", ")", "-preview"},
		{"drift check", "drift.yml preview (", ")", "-drift"},
		{"deploy plan", "deploy.yml ", "→ deploy-stack.yml plan", ""},
		{"deploy up", "deploy.yml ", "→ deploy-stack.yml up", ""},
	}
	known := map[string]string{} // stack → environment
	for _, e := range envs {
		for _, s := range e.All() {
			known[s.Stack] = e.Name
		}
	}
	var problems []string
	for _, j := range jobs {
		if env, ok := known[j.stack]; j.stack != "" && (!ok || !strings.HasPrefix(j.env, env)) {
			problems = append(problems, fmt.Sprintf("%s runs stack %q in environment %q", j.label, j.stack, j.env))
		}
	}
	// Each leg's steps name its own stack: the matrix's or the called workflow's input, never
	// the environment (which would run the portal's stack once per shard).
	for _, j := range jobs {
		if j.stack == "" {
			continue
		}
		guard := false
		for _, st := range j.steps {
			for what, v := range map[string]any{"stack-name": st.With["stack-name"], "STACK": st.Env["STACK"]} {
				if v != nil && v != "" && v != "${{ matrix.stack }}" && v != "${{ inputs.stack }}" {
					problems = append(problems, fmt.Sprintf("%s: step %q sets %s to %v, not the leg's stack", j.label, st.Name, what, v))
				}
			}
			guard = guard || strings.Contains(st.Run, "go run ./cmd/guard")
		}
		if strings.HasPrefix(j.label, "ci.yml preview") && !guard {
			problems = append(problems, j.label+": no data-loss guard")
		}
	}
	for _, e := range envs {
		for _, s := range e.All() {
			for _, k := range kinds {
				n := 0
				for _, j := range jobs {
					if j.stack == s.Stack && j.env == e.Name+k.envSuffix &&
						strings.HasPrefix(j.label, k.labelPrefix) && strings.HasSuffix(j.label, k.labelSuffix) {
						n++
					}
				}
				if n != 1 {
					problems = append(problems, fmt.Sprintf("stack %s (environment %s): %d %s jobs, want 1", s.Stack, e.Name, n, k.name))
				}
			}
		}
	}
	return problems
}

// deployCoverage lists what deploy.yml misses for envs: per environment, the stacks job's
// <env>-shards output, the <env>-shards job deploying that matrix in the environment a few at
// a time, and the <env> job deploying the portal's stack after it.
func deployCoverage(wf workflow, envs []plan.EnvironmentStacks) []string {
	var problems []string
	for _, e := range envs {
		out := e.Name + "-shards"
		if wf.Jobs["stacks"].Outputs[out] != "${{ steps.stacks.outputs."+out+" }}" {
			problems = append(problems, fmt.Sprintf("the stacks job does not pass on output %s", out))
		}
		shards, ok := wf.Jobs[out]
		if !ok || shards.Uses != "./.github/workflows/deploy-stack.yml" ||
			shards.Strategy.Matrix["include"] != "${{ fromJSON(needs.stacks.outputs."+out+") }}" ||
			shards.With["stack"] != "${{ matrix.stack }}" || shards.With["environment"] != e.Name ||
			shards.If != "needs.stacks.outputs."+out+" != '[]'" || !slices.Contains(needsOf(shards), "stacks") {
			problems = append(problems, fmt.Sprintf("no job %s deploying %s's shard stacks (matrix %v, with %v, if %q)", out, e.Name, shards.Strategy.Matrix, shards.With, shards.If))
		}
		if shards.Strategy.MaxParallel < 1 || shards.Strategy.FailFast == nil || *shards.Strategy.FailFast {
			problems = append(problems, fmt.Sprintf("%s: max-parallel %d, fail-fast %v: want a bound, and every shard tried", out, shards.Strategy.MaxParallel, shards.Strategy.FailFast))
		}
		if shards.Concurrency.Group != "pulumi-${{ matrix.stack }}" || shards.Concurrency.CancelInProgress == nil || *shards.Concurrency.CancelInProgress {
			problems = append(problems, fmt.Sprintf("%s: concurrency %+v, want pulumi-<stack>, never cancelled", out, shards.Concurrency))
		}
		portal, ok := wf.Jobs[e.Name]
		needs := needsOf(portal)
		want := fmt.Sprintf("(needs.%s.result == 'success' || needs.%s.result == 'skipped')", out, out)
		if !ok || portal.With["stack"] != e.Portal.Stack || portal.With["environment"] != e.Name ||
			!slices.Contains(needs, out) || !slices.Contains(needs, "stacks") ||
			!strings.HasPrefix(portal.If, "!cancelled() && needs.stacks.result == 'success' &&") || !strings.Contains(portal.If, want) {
			problems = append(problems, fmt.Sprintf("job %s does not deploy the portal's stack %s after %s (needs %v, if %q)", e.Name, e.Portal.Stack, out, needs, portal.If))
		}
	}
	return problems
}

// TestWorkflowsRunEveryStack: with shard stacks committed (here in a copy of the stack
// files), every workflow that runs a stack runs each of them, in its environment's GitHub
// environments, with exactly the identities the portal's stack's jobs obtain; the deploy
// runs the shards before the portal's stack. An environment the workflows do not run, or a
// stack file that is not one of an environment's, fails.
func TestWorkflowsRunEveryStack(t *testing.T) {
	committed, err := plan.Environments(root)
	if err != nil {
		t.Fatalf("the committed stack files: %v", err)
	}
	deploy := readWorkflow(t, "deploy.yml")
	m := buildTrustModel(t)
	for _, tc := range []struct {
		name   string
		counts map[string]int
	}{
		{"as committed", nil},
		{"prod in three shards, dev in two", map[string]int{"dev": 2, "prod": 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envs := committed
			if tc.counts != nil {
				if envs, err = plan.Environments(shardedRoot(t, tc.counts)); err != nil {
					t.Fatal(err)
				}
				for _, e := range envs {
					if len(e.Shards) != tc.counts[e.Name]-1 {
						t.Fatalf("%s: shards %v, want %d", e.Name, e.Shards, tc.counts[e.Name]-1)
					}
				}
			}
			jobs := tokenJobsFor(t, plan.MatrixOutputs(envs))
			for _, p := range append(tokenCoverage(jobs, envs), deployCoverage(deploy, envs)...) {
				t.Error(p)
			}
			// A shard's jobs obtain what its portal stack's jobs obtain, trigger by trigger:
			// the OIDC subject names the environment, never the stack, and the job is the
			// same workflow file's.
			rows := m.rows(t, jobs)
			byJob := map[string]map[string]string{}
			for _, r := range rows {
				if byJob[r[0]] == nil {
					byJob[r[0]] = map[string]string{}
				}
				byJob[r[0]][r[1]] = r[2]
			}
			shardJobs := 0
			for _, j := range jobs {
				if j.stack == "" || slices.ContainsFunc(envs, func(e plan.EnvironmentStacks) bool { return e.Portal.Stack == j.stack }) {
					continue
				}
				shardJobs++
				var portal *tokenJob
				calledJob := func(label string) string { _, after, _ := strings.Cut(label, "→"); return after }
				for i, p := range jobs {
					if p.file == j.file && p.defFile == j.defFile && p.env == j.env && p.stack == strings.Split(j.stack, "-tenants-")[0] &&
						calledJob(p.label) == calledJob(j.label) {
						portal = &jobs[i]
					}
				}
				if portal == nil {
					t.Errorf("%s: no job of the portal's stack in %s to compare with", j.label, j.env)
					continue
				}
				for tr, got := range byJob[j.label] {
					if want := byJob[portal.label][tr]; got != want {
						t.Errorf("%s on %s obtains %q; the portal stack's %s obtains %q", j.label, tr, got, portal.label, want)
					}
					if j.defFile == "deploy-stack.yml" && tr == "push to main" && !strings.Contains(got, "deployer (platform bootstrap): needs approval") &&
						!strings.HasPrefix(j.env, "dev") {
						t.Errorf("%s on %s obtains %q: want the deploying identity after approval", j.label, tr, got)
					}
				}
			}
			// Each shard stack: its preview, its drift check, its deploy's plan and up.
			want := 0
			for _, e := range envs {
				want += 4 * len(e.Shards)
			}
			if shardJobs != want {
				t.Errorf("%d token jobs run shard stacks, want %d", shardJobs, want)
			}
		})
	}

	t.Run("an environment without deploy jobs", func(t *testing.T) {
		dir := shardedRoot(t, map[string]int{"dev": 1, "prod": 2})
		raw, err := os.ReadFile(filepath.Join(root, "Pulumi.dev.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "Pulumi.staging.yaml"), []byte(strings.Replace(string(raw), "environment: dev", "environment: staging", 1)))
		envs, err := plan.Environments(dir)
		if err != nil {
			t.Fatal(err)
		}
		problems := append(tokenCoverage(tokenJobsFor(t, plan.MatrixOutputs(envs)), envs), deployCoverage(deploy, envs)...)
		joined := strings.Join(problems, "\n")
		for _, want := range []string{"stack staging (environment staging): 0 deploy plan jobs", "no job staging-shards", "job staging does not deploy"} {
			if !strings.Contains(joined, want) {
				t.Errorf("problems %q\ndo not say %q", joined, want)
			}
		}
	})

	for name, file := range map[string]string{
		"a shard of an unknown environment":     "Pulumi.staging-tenants-1.yaml",
		"a shard beyond the count":              "Pulumi.prod-tenants-2.yaml",
		"a stack name the workflows do not run": "Pulumi.prod-tenants.yaml",
	} {
		t.Run(name, func(t *testing.T) {
			dir := shardedRoot(t, map[string]int{"dev": 1, "prod": 2})
			shard, err := os.ReadFile(filepath.Join(dir, "Pulumi.prod-tenants-1.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, file), shard)
			if _, err := plan.Environments(dir); err == nil || !strings.Contains(err.Error(), file+": ") {
				t.Errorf("error %v, want one naming %s", err, file)
			}
		})
	}
}

// The tenancy check reports on the shard stacks too: a tenancy shows in the stack that
// deploys its namespace.
func TestTenancyCheckCoversShardStacks(t *testing.T) {
	dir := shardedRoot(t, map[string]int{"dev": 1, "prod": 2})
	files, err := filepath.Glob(filepath.Join(fixtureTenants, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture tenants (%v)", err)
	}
	report, ok, err := plan.TenantCheck(plan.TenantCheckOptions{Root: dir, TenantsDir: fixtureTenants, Files: files})
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v\n%s", ok, err, report)
	}
	for _, s := range []string{"dev", "prod", "prod-tenants-1"} {
		if !strings.Contains(report, "- stack `"+s+"`: ") {
			t.Errorf("the report does not cover stack %s:\n%s", s, report)
		}
	}
	if !strings.Contains(report, "What <code>pulumi up</code> of stack <code>prod-tenants-1</code> creates") {
		t.Errorf("no fixture tenant is deployed by shard 1's stack:\n%s", report)
	}
	// The fixture tenants spread over both shards (TestTenantShards): one is another shard's.
	if !strings.Contains(report, "- stack `prod-tenants-1`: nothing (another shard's stack deploys the tenancy") {
		t.Errorf("no fixture tenant is reported as deployed by another shard than 1:\n%s", report)
	}
}

// A tenant shard's stack that manages no GitHub teams writes no repository: the workflows'
// scope step prints nothing (and they create no App token); without -allow-none it is an
// error, as for any stack.
func TestGitHubRepositoriesOfShardStacks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	dir := shardedRoot(t, map[string]int{"dev": 2, "prod": 2})
	repos := func(args ...string) (string, error) {
		cmd := exec.Command("go", append([]string{"run", "./cmd/github-repositories", "-root", dir, "-tenants-dir", fixtureTenants}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := repos("-allow-none", "-stack", "dev-tenants-1"); err != nil || out != "" {
		t.Errorf("dev-tenants-1 -allow-none: %q (%v), want nothing", out, err)
	}
	if out, err := repos("-stack", "dev-tenants-1"); err == nil || !strings.Contains(out, "the stack writes no GitHub repository") {
		t.Errorf("dev-tenants-1 without -allow-none: %q (%v), want the error", out, err)
	}
	if out, err := repos("-allow-none", "-stack", "prod-tenants-1"); err != nil || out == "" || strings.Contains(out, "developer-portal") {
		t.Errorf("prod-tenants-1: %q (%v), want its tenants' team repositories only", out, err)
	}
}
