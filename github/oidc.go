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

// previewEvents are the events whose jobs may use the preview identity on GCP: the pull
// request preview (ci.yml) and the drift check (drift.yml: scheduled, or started by hand).
// A workflow_dispatch needs write access to the repository, as a pull request from one of its
// branches does, so it admits nobody new. pull_request_target is not among them: it runs the
// base repository's workflow with its privileges for a fork's pull request, the usual way fork
// code reaches them; nor are workflow_run, push and the other events.
var previewEvents = []string{"pull_request", "schedule", "workflow_dispatch"}

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
// refused before any service account binding is consulted:
//   - assertion.repository pins the repository, so no other repository on GitHub, forks
//     included (a workflow running in a fork carries the fork's name), federates;
//   - assertion.sub admits only jobs of the stack's protected environment env (deploy and
//     TechDocs publishing: protected branches only, reviewers) and, with preview, of
//     "<env>-preview"; a job naming no environment (sub ...:ref:... or ...:pull_request) or
//     another environment is refused;
//   - for "<env>-preview", assertion.event_name must be one of previewEvents: that
//     environment is open to every branch, and pull_request_target, workflow_run and pushes
//     of unreviewed branches are refused. GitHub gives a fork's pull_request run no OIDC
//     token at all (id-token: write is withheld from forks).
//
// Which service account a token may impersonate is decided per subject (GCPSubjectPrincipal).
func GCPAttributeCondition(fullName, env string, preview bool) string {
	subjects := fmt.Sprintf("assertion.sub == %q", EnvironmentSubject(fullName, env))
	if preview {
		events := make([]string, 0, len(previewEvents))
		for _, e := range previewEvents {
			events = append(events, fmt.Sprintf("%q", e))
		}
		subjects = fmt.Sprintf("(%s || (assertion.sub == %q && assertion.event_name in [%s]))",
			subjects, EnvironmentSubject(fullName, PreviewEnvironmentName(env)), strings.Join(events, ", "))
	}
	return fmt.Sprintf("assertion.repository == %q && %s", fullName, subjects)
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
// for the STS audience, whose subject is exactly subject (StringEquals, no wildcard). With an
// environment's subject (EnvironmentSubject) the role is assumable only by jobs of that
// environment of that repository: not by another repository or a fork (the repository is in
// the subject), not by a job without the environment (its subject names its ref or
// pull_request instead), and only from the refs the environment's deployment-branch policy
// admits. IAM has no condition key for the event name: on AWS the preview environment is the
// boundary of the preview role.
func AWSTrustPolicy(providerARN, subject string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"Federated": providerARN},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]map[string]any{"StringEquals": {
			githubOIDCHost + ":aud": awsSTSAudience,
			githubOIDCHost + ":sub": subject,
		}},
	}}}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
