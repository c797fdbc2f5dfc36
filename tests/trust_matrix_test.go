package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
)

// The trust matrix: for every job of the committed workflows that asks for an OIDC token, the
// claims GitHub would issue for each trigger of its workflow, and which identity each token
// can obtain, computed from the trust the committed stacks generate (the pool provider's
// attribute condition and the service accounts' bindings on GCP, the roles' trust policies on
// AWS, the GitHub environments' branch policies and reviewers) and from the signer identity
// the deploy verifies. The whole table is asserted, and it is the table of
// docs/operators/security.md: widening a trust changes a row and fails here.

// trustTrigger is one way a workflow run starts, with the claims it carries.
type trustTrigger struct {
	label, event, ref string
	stale             bool // a re-run of a run whose commit is no longer main's head
}

// triggersOf are the simulated triggers of a workflow's on: section. A pull request runs at
// its merge ref; workflow_dispatch may be started on any branch by anyone with write access,
// as a pull request's author is.
func triggersOf(on map[string]any) []trustTrigger {
	var out []trustTrigger
	if _, ok := on["pull_request"]; ok {
		out = append(out, trustTrigger{"pull_request from a branch", "pull_request", "refs/pull/42/merge", false})
	}
	if push, ok := on["push"]; ok {
		m, _ := push.(map[string]any)
		if m == nil || strings.Contains(strings.Join(strs(m["branches"]), ","), "main") {
			out = append(out,
				trustTrigger{"push to main", "push", "refs/heads/main", false},
				trustTrigger{"re-run of an older push", "push", "refs/heads/main", true})
		}
	}
	if _, ok := on["schedule"]; ok {
		out = append(out, trustTrigger{"schedule", "schedule", "refs/heads/main", false})
	}
	if _, ok := on["workflow_dispatch"]; ok {
		out = append(out,
			trustTrigger{"workflow_dispatch on main", "workflow_dispatch", "refs/heads/main", false},
			trustTrigger{"workflow_dispatch on a branch", "workflow_dispatch", "refs/heads/feature", false})
	}
	return out
}

// tokenJob is a job (a matrix leg, or a called workflow's job) that asks for id-token: write.
type tokenJob struct {
	label    string // e.g. "deploy.yml dev → deploy-stack.yml plan"
	file     string // the workflow whose triggers start it
	defFile  string // the workflow that defines it: its job_workflow_ref
	env      string
	ifs      []string
	steps    []workflowStep
	triggers []trustTrigger
	stack    string // the stack it runs, if any
}

var exprRef = regexp.MustCompile(`\$\{\{\s*(matrix|inputs)\.([A-Za-z0-9_-]+)\s*\}\}`)

// substitute resolves ${{ matrix.x }} and ${{ inputs.x }}; any other expression is left as
// is, and an environment name that still holds one fails the matrix.
func substitute(s string, values map[string]string) string {
	return exprRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := exprRef.FindStringSubmatch(m)
		if v, ok := values[sub[1]+"."+sub[2]]; ok {
			return v
		}
		return m
	})
}

// stacksOutput is a matrix computed by the workflows' stacks job (cmd/stacks).
var stacksOutput = regexp.MustCompile(`^\$\{\{\s*fromJSON\(needs\.stacks\.outputs\.([A-Za-z0-9_-]+)\)\s*\}\}$`)

// matrixLegs are the legs of a job's matrix: its lists' combinations, or the stacks the
// stacks job's output gives (outputs: plan.MatrixOutputs of the stack files the run reads).
func matrixLegs(t *testing.T, label string, m map[string]any, outputs map[string][]plan.StackRef) []map[string]string {
	t.Helper()
	if include, ok := m["include"].(string); ok {
		sub := stacksOutput.FindStringSubmatch(include)
		if sub == nil || len(m) != 1 {
			t.Fatalf("%s: matrix %v: a computed matrix is include: ${{ fromJSON(needs.stacks.outputs.<name>) }} alone", label, m)
		}
		refs, ok := outputs[sub[1]]
		if !ok {
			t.Fatalf("%s: matrix reads stacks output %q, which cmd/stacks does not write (it writes %v)", label, sub[1], sortedKeys(outputs))
		}
		legs := []map[string]string{}
		for _, r := range refs {
			legs = append(legs, map[string]string{"matrix.stack": r.Stack, "matrix.environment": r.Environment, "matrix.shard": fmt.Sprint(r.Shard)})
		}
		return legs
	}
	legs := []map[string]string{{}}
	for _, k := range sortedKeys(m) {
		var next []map[string]string
		for _, leg := range legs {
			for _, val := range strs(m[k]) {
				l := map[string]string{"matrix." + k: val}
				for lk, lv := range leg {
					l[lk] = lv
				}
				next = append(next, l)
			}
		}
		legs = next
	}
	return legs
}

// legLabel names a matrix leg: its stack, or its values.
func legLabel(leg map[string]string) string {
	if s, ok := leg["matrix.stack"]; ok {
		return " (" + s + ")"
	}
	var vals []string
	for _, k := range sortedKeys(leg) {
		vals = append(vals, leg[k])
	}
	if len(vals) == 0 {
		return ""
	}
	return " (" + strings.Join(vals, ", ") + ")"
}

// tokenJobs are the token jobs of the committed workflows over the committed stack files.
func tokenJobs(t *testing.T) []tokenJob {
	t.Helper()
	envs, err := plan.Environments(root)
	if err != nil {
		t.Fatal(err)
	}
	return tokenJobsFor(t, plan.MatrixOutputs(envs))
}

// tokenJobsFor are the token jobs of the committed workflows, their computed matrices
// expanded from outputs.
func tokenJobsFor(t *testing.T, outputs map[string][]plan.StackRef) []tokenJob {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []tokenJob
	for _, f := range files {
		file := filepath.Base(f)
		wf := readWorkflow(t, file)
		if _, called := wf.On["workflow_call"]; called && len(wf.On) == 1 {
			continue // runs as its callers' jobs
		}
		triggers := triggersOf(wf.On)
		for _, jn := range sortedKeys(wf.Jobs) {
			j := wf.Jobs[jn]
			legs := matrixLegs(t, file+" "+jn, j.Strategy.Matrix, outputs)
			if callee, ok := strings.CutPrefix(j.Uses, "./.github/workflows/"); ok {
				called := readWorkflow(t, callee)
				for _, leg := range legs {
					values := map[string]string{}
					for k, v := range j.With {
						values["inputs."+k] = substitute(fmt.Sprint(v), leg)
					}
					for _, cn := range sortedKeys(called.Jobs) {
						cj := called.Jobs[cn]
						if j.Permissions["id-token"] != "write" || cj.Permissions["id-token"] != "write" {
							continue
						}
						out = append(out, tokenJob{
							label: fmt.Sprintf("%s %s%s → %s %s", file, jn, legLabel(leg), callee, cn), file: file, defFile: callee,
							env: substitute(cj.Environment, values), ifs: []string{j.If, cj.If}, steps: cj.Steps, triggers: triggers,
							stack: values["inputs.stack"],
						})
					}
				}
				continue
			}
			if j.Permissions["id-token"] != "write" {
				continue
			}
			for _, leg := range legs {
				out = append(out, tokenJob{label: file + " " + jn + legLabel(leg), file: file, defFile: file, env: substitute(j.Environment, leg),
					ifs: []string{j.If}, steps: j.Steps, triggers: triggers, stack: leg["matrix.stack"]})
			}
		}
	}
	return out
}

var eventCond = regexp.MustCompile(`github\.event_name\s*(==|!=)\s*'([a-z_]+)'`)

// runsOn reports whether the job's if: conditions let it run for the event (only the
// github.event_name comparisons are read; any other condition is taken as true).
func (j tokenJob) runsOn(event string) bool {
	for _, cond := range j.ifs {
		for _, m := range eventCond.FindAllStringSubmatch(cond, -1) {
			if (m[1] == "==") != (m[2] == event) {
				return false
			}
		}
	}
	return true
}

// refusesStale reports whether the job checks that its commit is main's head before any step
// that obtains a credential.
func (j tokenJob) refusesStale() bool {
	for _, s := range j.steps {
		if strings.Contains(s.Run, ".github/scripts/head-of-main") {
			return true
		}
		if obtainsCredential(s) {
			return false
		}
	}
	return false
}

func obtainsCredential(s workflowStep) bool {
	for _, a := range []string{"google-github-actions/auth@", "aws-actions/configure-aws-credentials@", "actions/create-github-app-token@"} {
		if strings.HasPrefix(s.Uses, a) {
			return true
		}
	}
	return strings.Contains(s.Run, "cosign sign")
}

// claims are the OIDC token claims GitHub issues to the job for the trigger.
func (j tokenJob) claims(repo string, tr trustTrigger) map[string]string {
	c := map[string]string{
		"repository": repo, "repository_owner": strings.Split(repo, "/")[0], "event_name": tr.event, "ref": tr.ref,
		"job_workflow_ref": repo + "/.github/workflows/" + j.defFile + "@" + tr.ref, "environment": j.env,
		"aud": "sts.amazonaws.com",
	}
	switch {
	case j.env != "":
		c["sub"] = "repo:" + repo + ":environment:" + j.env
	case tr.event == "pull_request":
		c["sub"] = "repo:" + repo + ":pull_request"
	default:
		c["sub"] = "repo:" + repo + ":ref:" + tr.ref
	}
	return c
}

// envProtection is a GitHub environment as the committed stacks create it.
type envProtection struct {
	customBranches, protectedBranches, reviewers bool
	patterns                                     []string
}

// trustIdentity is an identity and the test of a token against its trust.
type trustIdentity struct {
	label  string
	admits func(claims map[string]string) (bool, error)
}

type trustModel struct {
	repo       string
	envs       map[string]envProtection
	identities []trustIdentity
}

func buildTrustModel(t *testing.T) trustModel {
	t.Helper()
	var gh struct {
		Organization string `json:"organization"`
		Repository   struct {
			Name string `json:"name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal([]byte(loadStack(t, "Pulumi.prod.yaml").src.Values["developer-portal:github"]), &gh); err != nil {
		t.Fatal(err)
	}
	m := trustModel{repo: gh.Organization + "/" + gh.Repository.Name, envs: map[string]envProtection{}}
	for _, s := range plannedStacks {
		res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
		if err != nil {
			t.Fatal(err)
		}
		if s.stack != "" { // the committed stacks: they own the repository's environments
			for _, e := range byType(res.Resources, "github:index/repositoryEnvironment:RepositoryEnvironment") {
				_, reviewed := e.Input("reviewers")
				m.envs[e.String("environment")] = envProtection{
					customBranches:    e.Plain("deploymentBranchPolicy.customBranchPolicies") == true,
					protectedBranches: e.Plain("deploymentBranchPolicy.protectedBranches") == true,
					reviewers:         reviewed && e.Plain("preventSelfReview") == true,
				}
			}
			for _, p := range byType(res.Resources, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy") {
				e := m.envs[p.String("environment")]
				e.patterns = append(e.patterns, p.String("branchPattern"))
				m.envs[p.String("environment")] = e
			}
		}
		m.identities = append(m.identities, gcpIdentities(t, s.name, res.Resources, loadStackVariables(t, s))...)
		m.identities = append(m.identities, awsIdentities(t, s.name, res.Resources)...)
	}
	// The image signer a deploy accepts (cosign verify --certificate-identity): Fulcio names
	// a GitHub job by https://github.com/<job_workflow_ref>.
	deploy := readWorkflow(t, "deploy-stack.yml")
	signer := strings.ReplaceAll(deploy.Env["RELEASE_IDENTITY"], "${{ github.repository }}", m.repo)
	m.identities = append(m.identities, trustIdentity{"portal image signer (accepted by deploys)", func(c map[string]string) (bool, error) {
		return signer != "" && "https://github.com/"+c["job_workflow_ref"] == signer, nil
	}})
	return m
}

func byType(rs []testkit.Resource, typ string) []testkit.Resource {
	var out []testkit.Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// loadStackVariables are the github.variables of a committed stack (GCP_DEPLOY_SERVICE_ACCOUNT).
func loadStackVariables(t *testing.T, s struct{ name, stack, file string }) map[string]string {
	t.Helper()
	file := s.file
	if file == "" {
		file = "Pulumi." + s.stack + ".yaml"
	}
	var gh struct {
		Variables map[string]string `json:"variables"`
	}
	if err := json.Unmarshal([]byte(loadStack(t, file).src.Values["developer-portal:github"]), &gh); err != nil {
		t.Fatal(err)
	}
	return gh.Variables
}

// gcpIdentities are the stack's service accounts impersonable through its pool, and the
// platform's deploying service account, which the platform's bootstrap binds to the subject of
// the stack's deploy environment (docs/operators/setup.md).
func gcpIdentities(t *testing.T, stack string, rs []testkit.Resource, vars map[string]string) []trustIdentity {
	t.Helper()
	providers := byType(rs, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
	if len(providers) == 0 {
		return nil
	}
	if len(providers) != 1 {
		t.Fatalf("%s: %d pool providers", stack, len(providers))
	}
	cond := providers[0].String("attributeCondition")
	admits := func(member string) func(map[string]string) (bool, error) {
		return func(c map[string]string) (bool, error) {
			ok, err := celEval(cond, c)
			if err != nil || !ok {
				return false, err
			}
			switch {
			case strings.Contains(member, "/subject/"):
				return c["sub"] == member[strings.Index(member, "/subject/")+len("/subject/"):], nil
			case strings.HasPrefix(member, "principalSet://"):
				_, attr, _ := strings.Cut(member, "/attribute.")
				name, value, _ := strings.Cut(attr, "/")
				return c[name] == value, nil
			}
			return false, fmt.Errorf("unsupported member %s", member)
		}
	}
	var out []trustIdentity
	for _, b := range byType(rs, "gcp:serviceaccount/iAMMember:IAMMember") {
		member := b.String("member")
		if !strings.HasPrefix(member, "principal") {
			continue // Kubernetes service accounts (Workload Identity), not GitHub
		}
		if b.String("role") != "roles/iam.workloadIdentityUser" {
			t.Errorf("%s: %s has %s on %s", stack, member, b.String("role"), b.String("serviceAccountId"))
		}
		sa := b.String("serviceAccountId")
		out = append(out, trustIdentity{stack + " " + sa[strings.LastIndex(sa, "/")+1:], admits(member)})
	}
	if deployer := vars["GCP_DEPLOY_SERVICE_ACCOUNT"]; deployer != "" {
		member := "principal://iam.googleapis.com/pool/subject/repo:" + strings.Split(cond, `"`)[1] + ":environment:" + stack
		out = append(out, trustIdentity{stack + " deployer (platform bootstrap)", admits(member)})
	}
	return mergeIdentities(out)
}

// mergeIdentities joins the bindings of one service account: it admits a token any binding does.
func mergeIdentities(ids []trustIdentity) []trustIdentity {
	var out []trustIdentity
	index := map[string]int{}
	for _, id := range ids {
		i, ok := index[id.label]
		if !ok {
			index[id.label] = len(out)
			out = append(out, id)
			continue
		}
		prev, next := out[i].admits, id.admits
		out[i].admits = func(c map[string]string) (bool, error) {
			if ok, err := prev(c); ok || err != nil {
				return ok, err
			}
			return next(c)
		}
	}
	return out
}

// awsIdentities are the stack's roles, each with its trust policy.
func awsIdentities(t *testing.T, stack string, rs []testkit.Resource) []trustIdentity {
	t.Helper()
	var out []trustIdentity
	for _, r := range byType(rs, "aws:iam/role:Role") {
		var doc struct {
			Statement []struct {
				Effect    string
				Action    string
				Principal map[string]string
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal([]byte(r.String("assumeRolePolicy")), &doc); err != nil {
			t.Fatalf("%s %s: %v", stack, r.Name, err)
		}
		github := false
		for _, s := range doc.Statement {
			github = github || strings.Contains(s.Principal["Federated"], "token.actions.githubusercontent.com")
		}
		if !github {
			continue // the portal's own role (IRSA)
		}
		out = append(out, trustIdentity{stack + " " + r.Name, func(c map[string]string) (bool, error) {
			for _, s := range doc.Statement {
				if s.Effect != "Allow" || s.Action != "sts:AssumeRoleWithWebIdentity" {
					return false, fmt.Errorf("statement %+v", s)
				}
				ok := true
				for op, conds := range s.Condition {
					for key, want := range conds {
						claim, found := strings.CutPrefix(key, "token.actions.githubusercontent.com:")
						if !found {
							return false, fmt.Errorf("condition key %s", key)
						}
						var values []string
						switch v := want.(type) {
						case string:
							values = []string{v}
						case []any:
							for _, e := range v {
								values = append(values, fmt.Sprint(e))
							}
						}
						match := false
						for _, v := range values {
							switch op {
							case "StringEquals":
								match = match || c[claim] == v
							case "StringLike":
								glob, err := path.Match(strings.ReplaceAll(v, "/", "\x00"), strings.ReplaceAll(c[claim], "/", "\x00"))
								if err != nil {
									return false, err
								}
								match = match || glob
							default:
								return false, fmt.Errorf("condition operator %s", op)
							}
						}
						ok = ok && match
					}
				}
				if ok {
					return true, nil
				}
			}
			return false, nil
		}})
	}
	return out
}

// gate is what the job's GitHub environment does with the run: "" lets it through, "approval"
// holds it for a required reviewer, anything else refuses it (the reason).
func (m trustModel) gate(env string, tr trustTrigger) string {
	if env == "" {
		return ""
	}
	e, ok := m.envs[env]
	if !ok {
		return "" // GitHub creates a missing environment unprotected; TestTrustMatrix refuses that
	}
	if e.customBranches {
		branch, isBranch := strings.CutPrefix(tr.ref, "refs/heads/")
		allowed := false
		for _, p := range e.patterns {
			if ok, _ := path.Match(p, branch); ok && isBranch {
				allowed = true
			}
		}
		if !allowed {
			return "branch not allowed"
		}
	}
	if e.reviewers {
		return "approval"
	}
	return ""
}

// trustMatrix computes the table: one row per token job and trigger, listing the identities
// the token obtains ("allowed" or "needs approval"); every other identity is refused.
func trustMatrix(t *testing.T) (rows [][3]string, jobs []tokenJob, m trustModel) {
	t.Helper()
	m = buildTrustModel(t)
	jobs = tokenJobs(t)
	return m.rows(t, jobs), jobs, m
}

// rows are the trust matrix's rows of jobs.
func (m trustModel) rows(t *testing.T, jobs []tokenJob) (rows [][3]string) {
	t.Helper()
	for _, j := range jobs {
		for _, tr := range j.triggers {
			if !j.runsOn(tr.event) {
				continue
			}
			var got []string
			gate := m.gate(j.env, tr)
			switch {
			case tr.stale && j.refusesStale():
				got = []string{"none: the job refuses a commit that is not main's head"}
			case gate != "" && gate != "approval":
				got = []string{"none: " + gate + " in environment " + j.env}
			default:
				claims := j.claims(m.repo, tr)
				for _, id := range m.identities {
					ok, err := id.admits(claims)
					if err != nil {
						t.Fatalf("%s: %v", id.label, err)
					}
					if !ok {
						continue
					}
					if gate == "approval" {
						got = append(got, id.label+": needs approval")
					} else {
						got = append(got, id.label+": allowed")
					}
				}
				if len(got) == 0 {
					got = []string{"none"}
				}
			}
			rows = append(rows, [3]string{j.label, tr.label, strings.Join(got, "; ")})
		}
	}
	return rows
}

const (
	matrixStart = "<!-- trust-matrix:start (generated by go test ./tests/ -run TestTrustMatrix -update) -->"
	matrixEnd   = "<!-- trust-matrix:end -->"
)

func TestTrustMatrix(t *testing.T) {
	rows, jobs, m := trustMatrix(t)

	var b strings.Builder
	b.WriteString("| Job (workflow, job) | Trigger | Identities its token obtains (every other one: refused) |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
	table := b.String()
	docPath := filepath.Join(root, "docs", "operators", "security.md")
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start, end := strings.Index(doc, matrixStart), strings.Index(doc, matrixEnd)
	if start < 0 || end < start {
		t.Fatalf("%s has no %s … %s section", docPath, matrixStart, matrixEnd)
	}
	current := doc[start+len(matrixStart)+1 : end]
	if *update {
		doc = doc[:start+len(matrixStart)] + "\n" + table + doc[end:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if current != table {
		t.Errorf("the trust matrix changed: a trust was widened or narrowed. If on purpose, run "+
			"go test ./tests/ -run TestTrustMatrix -update and review the diff of docs/operators/security.md.\ncomputed:\n%s", table)
	}

	// What must hold whatever the table says.
	prodOrDeploy := regexp.MustCompile(`^(prod |.*deployer)`)
	for _, r := range rows {
		authorControlled := strings.HasPrefix(r[1], "pull_request") || strings.HasSuffix(r[1], "on a branch")
		for _, id := range strings.Split(r[2], "; ") {
			if authorControlled && strings.HasSuffix(id, ": allowed") && prodOrDeploy.MatchString(id) {
				t.Errorf("%s on %s obtains %s without a second person", r[0], r[1], id)
			}
			if strings.HasPrefix(r[1], "re-run") && id != "none: the job refuses a commit that is not main's head" && strings.Contains(id, "deployer") {
				t.Errorf("%s: a re-run of an older run obtains %s", r[0], id)
			}
		}
	}
	// Every environment a token job names is created by a committed stack (GitHub would create
	// a missing one unprotected), limited to main by a custom policy unless it is a pull
	// request's, and serves exactly one workflow file.
	served := map[string]string{}
	for _, j := range jobs {
		if j.env == "" {
			continue
		}
		e, ok := m.envs[j.env]
		if !ok {
			t.Errorf("%s names environment %q, which no committed stack creates", j.label, j.env)
		}
		if e.protectedBranches {
			t.Errorf("environment %s admits protected branches: name main in a custom branch policy", j.env)
		}
		if !strings.HasSuffix(j.env, "-preview") && (!e.customBranches || len(e.patterns) != 1 || e.patterns[0] != "main") {
			t.Errorf("environment %s: custom branch policy %v with patterns %v, want main only", j.env, e.customBranches, e.patterns)
		}
		if prev, ok := served[j.env]; ok && prev != j.defFile {
			t.Errorf("environment %s serves %s and %s: an identity's environment serves one workflow", j.env, prev, j.defFile)
		}
		served[j.env] = j.defFile
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
