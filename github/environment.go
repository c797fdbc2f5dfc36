package github

import (
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Actions variables the OIDC federation writes, by cloud.
const (
	VarGCPWorkloadIdentityProvider = "GCP_WORKLOAD_IDENTITY_PROVIDER"
	VarGCPServiceAccount           = "GCP_SERVICE_ACCOUNT"
	VarGCPProjectID                = "GCP_PROJECT_ID"
	VarAWSRoleARN                  = "AWS_ROLE_ARN"
)

var oidcVariableNames = map[string][]string{
	cloud.GCP: {VarGCPWorkloadIdentityProvider, VarGCPServiceAccount, VarGCPProjectID},
	cloud.AWS: {VarAWSRoleARN},
}

// actionsVariable is an Actions variable of an environment: identifiers workflows need, none
// of them a credential.
type actionsVariable struct {
	name  string
	value pulumi.StringOutput
}

// ReleaseEnvironment holds the release App that opens the image promotion pull requests; the
// stack that manages the repository creates it, limited to the deploy branch.
const ReleaseEnvironment = "release"

// newEnvironments creates the stack's GitHub deployment environments (CIEnvironments), the
// release environment when the stack manages the repository, and
// their Actions variables. The variables are per environment because their values are: two
// stacks writing repository-level variables would overwrite each other, and each environment
// names its own identity.
//
// An environment limited to the deploy branch names it in a custom branch policy
// ("main"), never through "protected branches": main is protected by a ruleset, and an
// environment that admits protected branches admits whatever branch protection or ruleset
// later covers. Administrators cannot bypass any environment. A reviewed environment gets the
// stack's environmentReviewers, never the person who started the run; an environment that
// needs reviewers when the stack names none admits no branch at all (the approval of a
// replacement fails closed), except the pull-request preview, which then runs unreviewed.
func newEnvironments(ctx *pulumi.Context, name string, d *Args, repoName pulumi.StringInput,
	identities map[string][]actionsVariable, parent pulumi.Resource) error {
	for _, e := range CIEnvironments(d.Environment, d.previewEnvironment()) {
		suffix := strings.TrimPrefix(e.Name, d.Environment)
		resource := name + suffix + "-environment"
		reviewers := d.EnvironmentReviewers
		if !e.Reviewed {
			reviewers = nil
		}
		envArgs := &gh.RepositoryEnvironmentArgs{
			Repository:      repoName,
			Environment:     pulumi.String(e.Name),
			CanAdminsBypass: pulumi.Bool(false),
		}
		if e.DeployBranchOnly {
			envArgs.DeploymentBranchPolicy = &gh.RepositoryEnvironmentDeploymentBranchPolicyArgs{
				ProtectedBranches:    pulumi.Bool(false),
				CustomBranchPolicies: pulumi.Bool(true),
			}
		} else {
			envArgs.DeploymentBranchPolicy = &gh.RepositoryEnvironmentDeploymentBranchPolicyArgs{
				ProtectedBranches:    pulumi.Bool(false),
				CustomBranchPolicies: pulumi.Bool(false),
			}
		}
		if reviewers != nil {
			reviewer := gh.RepositoryEnvironmentReviewerArgs{}
			if len(reviewers.Teams) > 0 {
				reviewer.Teams = pulumi.ToIntArray(reviewers.Teams)
			}
			if len(reviewers.Users) > 0 {
				reviewer.Users = pulumi.ToIntArray(reviewers.Users)
			}
			envArgs.Reviewers = gh.RepositoryEnvironmentReviewerArray{reviewer}
			envArgs.PreventSelfReview = pulumi.Bool(true)
		}
		env, err := gh.NewRepositoryEnvironment(ctx, resource, envArgs, pulumi.Parent(parent))
		if err != nil {
			return err
		}
		// A reviewed environment without reviewers (approve-replacement of a stack that names
		// none) gets no branch pattern: no job may use it.
		failClosed := e.Workflow == "" && reviewers == nil
		if e.DeployBranchOnly && !failClosed {
			if err := newDeployBranchPolicy(ctx, resource, repoName, env, parent); err != nil {
				return err
			}
		}
		if e.Name != d.Environment && e.identity == "" {
			continue // the approval environment holds nothing
		}
		prefix := name + suffix + "-"
		if e.Name == d.Environment {
			prefix = name + "-env-" // the resource names that predate the other environments
		}
		vars := append([]actionsVariable(nil), identities[e.identity]...)
		for n, v := range d.Variables {
			vars = append(vars, actionsVariable{n, pulumi.String(v).ToStringOutput()})
		}
		sort.Slice(vars, func(i, j int) bool { return vars[i].name < vars[j].name })
		for _, v := range vars {
			_, err := gh.NewActionsEnvironmentVariable(ctx, prefix+"var-"+strings.ToLower(strings.ReplaceAll(v.name, "_", "-")),
				&gh.ActionsEnvironmentVariableArgs{
					Repository:   repoName,
					Environment:  env.Environment,
					VariableName: pulumi.String(v.name),
					Value:        v.value,
				}, pulumi.Parent(parent))
			if err != nil {
				return err
			}
		}
	}
	if d.managed() {
		// The repository-wide environment of the release App (promotion pull requests): main
		// only; its App key is set by hand, it names no identity.
		resource := name + "-release-environment"
		env, err := gh.NewRepositoryEnvironment(ctx, resource, &gh.RepositoryEnvironmentArgs{
			Repository:      repoName,
			Environment:     pulumi.String(ReleaseEnvironment),
			CanAdminsBypass: pulumi.Bool(false),
			DeploymentBranchPolicy: &gh.RepositoryEnvironmentDeploymentBranchPolicyArgs{
				ProtectedBranches:    pulumi.Bool(false),
				CustomBranchPolicies: pulumi.Bool(true),
			},
		}, pulumi.Parent(parent))
		if err != nil {
			return err
		}
		if err := newDeployBranchPolicy(ctx, resource, repoName, env, parent); err != nil {
			return err
		}
	}
	return nil
}

// newDeployBranchPolicy names the deploy branch as the one branch that may use env.
func newDeployBranchPolicy(ctx *pulumi.Context, resource string, repoName pulumi.StringInput, env *gh.RepositoryEnvironment,
	parent pulumi.Resource) error {
	_, err := gh.NewRepositoryEnvironmentDeploymentPolicy(ctx, resource+"-"+DeployBranch, &gh.RepositoryEnvironmentDeploymentPolicyArgs{
		Repository:    repoName,
		Environment:   env.Environment,
		BranchPattern: pulumi.String(DeployBranch),
	}, pulumi.Parent(parent))
	return err
}
