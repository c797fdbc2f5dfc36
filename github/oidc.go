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
)

// githubOIDCThumbprints are the certificate thumbprints GitHub publishes for its OIDC issuer.
// AWS now trusts the issuer's CA itself, but older API paths still expect a thumbprint.
var githubOIDCThumbprints = []string{
	"6938fd4d98bab03faadb97b34396831e3780aea1",
	"1c58a3a8518e8759bf075b76b750d4f2df264fcd",
}

// GCPAttributeCondition is the CEL condition of the pool provider: only tokens minted for the
// repository fullName ("org/repo") are accepted, and with branches only those branches (and
// pull requests when allowPullRequests). Without it any repository on GitHub could federate.
func GCPAttributeCondition(fullName string, branches []string, allowPullRequests bool) string {
	cond := fmt.Sprintf("assertion.repository == %q", fullName)
	if len(branches) == 0 {
		return cond
	}
	refs := make([]string, 0, len(branches))
	for _, b := range branches {
		refs = append(refs, fmt.Sprintf("%q", "refs/heads/"+b))
	}
	branchCond := "assertion.ref in [" + strings.Join(refs, ", ") + "]"
	if allowPullRequests {
		branchCond = "(" + branchCond + ` || assertion.event_name == "pull_request")`
	}
	return cond + " && " + branchCond
}

// GCPAttributeMapping maps the GitHub token claims the condition and the IAM bindings use.
func GCPAttributeMapping() map[string]string {
	return map[string]string{
		"google.subject":             "assertion.sub",
		"attribute.repository":       "assertion.repository",
		"attribute.repository_owner": "assertion.repository_owner",
		"attribute.ref":              "assertion.ref",
		"attribute.event_name":       "assertion.event_name",
		"attribute.actor":            "assertion.actor",
	}
}

// GCPPrincipalSet is the member of every identity federated from the repository in pool
// (the pool's resource name).
func GCPPrincipalSet(pool, fullName string) string {
	return "principalSet://iam.googleapis.com/" + pool + "/attribute.repository/" + fullName
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

// AWSTrustPolicy is the CI role's trust policy: web identities from the GitHub OIDC provider,
// for the STS audience, whose subject is the repository fullName ("org/repo") — any ref, or
// only the given branches (and pull requests when allowPullRequests). A job that names a
// deployment environment carries the subject repo:<org/repo>:environment:<name> instead of
// its ref, so with branches the stack's environment (which only protected branches may use)
// is admitted too; "" admits none.
func AWSTrustPolicy(providerARN, fullName string, branches []string, allowPullRequests bool, environment string) (string, error) {
	aud := githubOIDCHost + ":aud"
	sub := githubOIDCHost + ":sub"
	cond := map[string]map[string]any{"StringEquals": {aud: awsSTSAudience}}
	if len(branches) == 0 {
		cond["StringLike"] = map[string]any{sub: "repo:" + fullName + ":*"}
	} else {
		subjects := make([]string, 0, len(branches)+1)
		for _, b := range branches {
			subjects = append(subjects, "repo:"+fullName+":ref:refs/heads/"+b)
		}
		if allowPullRequests {
			subjects = append(subjects, "repo:"+fullName+":pull_request")
		}
		if environment != "" {
			subjects = append(subjects, "repo:"+fullName+":environment:"+environment)
		}
		cond["StringEquals"][sub] = subjects
	}
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"Federated": providerARN},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Condition: cond,
	}}}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
