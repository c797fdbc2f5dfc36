package github

import (
	"encoding/json"
	"fmt"
	"strings"
)

const (
	githubOIDCHost   = "token.actions.githubusercontent.com"
	githubOIDCIssuer = "https://" + githubOIDCHost
	awsSTSAudience   = "sts.amazonaws.com"
	// gcpSubjectMaxLength is the longest google.subject a pool provider accepts.
	gcpSubjectMaxLength = 127
)

// githubOIDCThumbprints are the certificate thumbprints GitHub publishes for its OIDC issuer.
// AWS now trusts the issuer's CA itself, but older API paths still expect a thumbprint.
var githubOIDCThumbprints = []string{
	"6938fd4d98bab03faadb97b34396831e3780aea1",
	"1c58a3a8518e8759bf075b76b750d4f2df264fcd",
}

// The repository's branch that deploys, and the workflows of the portal's repository whose
// jobs receive an identity: each identity trusts exactly one workflow file, in an environment
// that only that workflow's job names (tests/TestTrustMatrix checks both against the
// committed workflows).
const (
	DeployBranch     = "main"
	WorkflowDeploy   = "deploy-stack.yml"
	WorkflowPreview  = "ci.yml"
	WorkflowDrift    = "drift.yml"
	WorkflowTechDocs = "techdocs.yml"
	deployBranchRef  = "refs/heads/" + DeployBranch
	pullRequestRefs  = "refs/pull/"
)

// CIEnvironment is one GitHub deployment environment of the stack and the one job it serves.
type CIEnvironment struct {
	// Name of the environment.
	Name string
	// Workflow is the file (under .github/workflows) whose job alone may use the environment's
	// identity: the token's job_workflow_ref must name it. "" for an environment without one.
	Workflow string
	// Events are the events whose jobs may use the identity.
	Events []string
	// PullRequest: the job runs on a pull request's merge ref (refs/pull/<n>/merge), with the
	// pull request's own workflow file; otherwise only the deploy branch's.
	PullRequest bool
	// Reviewed: the stack's required reviewers (environmentReviewers) approve every job of
	// the environment. DeployBranchOnly: only the deploy branch may use it.
	Reviewed, DeployBranchOnly bool
	// identity names the identity whose identifiers the environment's variables hold.
	identity string
}

// The identities the stack creates, as CIEnvironment.identity names them.
const (
	identityReader    = "reader"
	identityPublisher = "publisher"
)

// CIEnvironments are the stack's environments for env:
//   - <env>: `pulumi up` (deploy-stack.yml on main, after the required reviewers), with the
//     platform's deploying identity and the deploying App's key;
//   - <env>-approve-replacement: the reviewed approval a deploy needs to replace or delete a
//     stateful resource; no identity, no variable;
//   - <env>-techdocs: publishing the documentation (techdocs.yml on main): the bucket writer;
//   - <env>-drift: the drift check (drift.yml on main, scheduled or started by hand): the
//     read-only identity;
//   - with preview, <env>-preview: the pull request's `pulumi preview` (ci.yml at the pull
//     request's merge ref): the read-only identity, after the required reviewers when the
//     stack names them, because the pull request's code reads the stack's secrets there.
func CIEnvironments(env string, preview bool) []CIEnvironment {
	onMain := []string{"push", "workflow_dispatch"}
	envs := []CIEnvironment{
		{Name: env, Workflow: WorkflowDeploy, Events: onMain, Reviewed: true, DeployBranchOnly: true},
		{Name: env + "-approve-replacement", Reviewed: true, DeployBranchOnly: true},
		{Name: env + "-techdocs", Workflow: WorkflowTechDocs, Events: onMain, DeployBranchOnly: true, identity: identityPublisher},
		{Name: env + "-drift", Workflow: WorkflowDrift, Events: []string{"schedule", "workflow_dispatch"},
			DeployBranchOnly: true, identity: identityReader},
	}
	if preview {
		envs = append(envs, CIEnvironment{Name: PreviewEnvironmentName(env), Workflow: WorkflowPreview,
			Events: []string{"pull_request"}, PullRequest: true, Reviewed: true, identity: identityReader})
	}
	return envs
}

// environmentsOf returns the environments of envs whose variables name identity.
func environmentsOf(envs []CIEnvironment, identity string) []CIEnvironment {
	var out []CIEnvironment
	for _, e := range envs {
		if e.identity == identity {
			out = append(out, e)
		}
	}
	return out
}

// WorkflowRef is the job_workflow_ref claim of a job defined in workflow of the repository
// fullName, running at ref.
func WorkflowRef(fullName, workflow, ref string) string {
	return fullName + "/.github/workflows/" + workflow + "@" + ref
}

// EnvironmentSubject is the OIDC token subject GitHub gives a job that names the deployment
// environment env of the repository fullName ("org/repo"): the job's ref is not in it, the
// environment's deployment-branch policy bounds which refs may run there.
func EnvironmentSubject(fullName, env string) string {
	return "repo:" + fullName + ":environment:" + env
}

// PreviewEnvironmentName is the environment open to pull requests that holds the preview
// identity's identifiers.
func PreviewEnvironmentName(env string) string { return env + "-preview" }

// GCPAttributeCondition is the CEL condition of the pool provider; a token failing it is
// refused before any service account binding is consulted. It admits a token only when
//   - assertion.repository is the repository: no other repository on GitHub, forks included
//     (a workflow running in a fork carries the fork's name), federates;
//   - and its subject is one of the stack's environments that serves a workflow
//     (CIEnvironments), with that environment's events and job_workflow_ref: its own workflow
//     file at the deploy branch, or, for the preview environment, ci.yml at a pull request's
//     merge ref. A job naming no environment (sub ...:ref:... or ...:pull_request), another
//     environment, another workflow file, pull_request_target, workflow_run, or a branch
//     other than the deploy branch is refused. GitHub gives a fork's pull_request run no
//     OIDC token at all (id-token: write is withheld from forks).
//
// Which service account a token may impersonate is decided per subject (GCPSubjectPrincipal);
// the platform's deploying service account is bound to the subject of <env> by the
// platform's bootstrap, so this condition is what holds it to deploy-stack.yml on main.
func GCPAttributeCondition(fullName, env string, preview bool) string {
	var clauses []string
	for _, e := range CIEnvironments(env, preview) {
		if e.Workflow == "" {
			continue
		}
		events := make([]string, 0, len(e.Events))
		for _, ev := range e.Events {
			events = append(events, fmt.Sprintf("%q", ev))
		}
		ref := fmt.Sprintf("assertion.ref == %q && assertion.job_workflow_ref == %q",
			deployBranchRef, WorkflowRef(fullName, e.Workflow, deployBranchRef))
		if e.PullRequest {
			ref = fmt.Sprintf("assertion.ref.startsWith(%q) && assertion.job_workflow_ref.startsWith(%q)",
				pullRequestRefs, WorkflowRef(fullName, e.Workflow, pullRequestRefs))
		}
		clauses = append(clauses, fmt.Sprintf("(assertion.sub == %q && assertion.event_name in [%s] && %s)",
			EnvironmentSubject(fullName, e.Name), strings.Join(events, ", "), ref))
	}
	return fmt.Sprintf("assertion.repository == %q && (%s)", fullName, strings.Join(clauses, " || "))
}

// GCPAttributeMapping maps the GitHub token claims the condition and the IAM bindings use.
func GCPAttributeMapping() map[string]string {
	return map[string]string{
		"google.subject":             "assertion.sub",
		"attribute.repository":       "assertion.repository",
		"attribute.repository_owner": "assertion.repository_owner",
		"attribute.ref":              "assertion.ref",
		"attribute.event_name":       "assertion.event_name",
		"attribute.environment":      "assertion.environment",
		"attribute.actor":            "assertion.actor",
		"attribute.job_workflow_ref": "assertion.job_workflow_ref",
	}
}

// GCPSubjectPrincipal is the IAM member of exactly the federated tokens whose subject
// (google.subject, the token's sub) is subject, in pool (the pool's resource name). Binding a
// service account to one environment's subject keeps a preview job from impersonating the
// identity of the protected environment, and the reverse.
func GCPSubjectPrincipal(pool, subject string) string {
	return "principal://iam.googleapis.com/" + pool + "/subject/" + subject
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect    string                    `json:"Effect"`
	Principal map[string]string         `json:"Principal"`
	Action    string                    `json:"Action"`
	Condition map[string]map[string]any `json:"Condition"`
}

// AWSTrustPolicy is a CI role's trust policy: web identities from the GitHub OIDC provider,
// for the STS audience, one statement per environment of envs, each admitting exactly that
// environment's subject (StringEquals, no wildcard) and its workflow file in job_workflow_ref
// (StringEquals at the deploy branch; for the pull-request environment StringLike at a
// refs/pull/ ref, the only wildcard). With the environment in the subject the role is
// assumable only by jobs of that environment of that repository: not by another repository
// or a fork (the repository is in the subject), not by a job without the environment (its
// subject names its ref or pull_request instead), and only from the refs the environment's
// deployment-branch policy admits. IAM has no condition key for the event name: each
// environment serves one job, whose workflow decides its events.
func AWSTrustPolicy(providerARN, fullName string, envs ...CIEnvironment) (string, error) {
	if len(envs) == 0 {
		return "", fmt.Errorf("a trust policy needs at least one environment")
	}
	doc := policyDocument{Version: "2012-10-17"}
	for _, e := range envs {
		cond := map[string]map[string]any{"StringEquals": {
			githubOIDCHost + ":aud": awsSTSAudience,
			githubOIDCHost + ":sub": EnvironmentSubject(fullName, e.Name),
		}}
		if e.PullRequest {
			cond["StringLike"] = map[string]any{
				githubOIDCHost + ":job_workflow_ref": WorkflowRef(fullName, e.Workflow, pullRequestRefs+"*"),
			}
		} else {
			cond["StringEquals"][githubOIDCHost+":job_workflow_ref"] = WorkflowRef(fullName, e.Workflow, deployBranchRef)
		}
		doc.Statement = append(doc.Statement, policyStatement{
			Effect:    "Allow",
			Principal: map[string]string{"Federated": providerARN},
			Action:    "sts:AssumeRoleWithWebIdentity",
			Condition: cond,
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
