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

// actionsVariable is an Actions variable of the environment: identifiers workflows need,
// none of them a credential.
type actionsVariable struct {
	name  string
	value pulumi.StringOutput
}

// newEnvironment creates the stack's GitHub deployment environments and their Actions
// variables. The variables are per environment because their values are: two stacks writing
// repository-level variables would overwrite each other. Only protected branches (the
// default branch's ruleset) may deploy to the environment, administrators included, so a
// workflow on an unreviewed branch never reads them under the environment's name; the
// "-preview" environment, open to pull requests, carries the same identifiers (never a
// credential: the cloud trusts only this repository's OIDC tokens) for `pulumi preview`.
func newEnvironment(ctx *pulumi.Context, name string, d *Args, repoName pulumi.StringInput, ci, previewCI []actionsVariable,
	parent pulumi.Resource) error {
	withVariables := func(ci []actionsVariable) []actionsVariable {
		vars := append([]actionsVariable(nil), ci...)
		for n, v := range d.Variables {
			vars = append(vars, actionsVariable{n, pulumi.String(v).ToStringOutput()})
		}
		sort.Slice(vars, func(i, j int) bool { return vars[i].name < vars[j].name })
		return vars
	}

	envs := []struct {
		resource, name string
		protected      bool
	}{{name + "-environment", d.Environment, true}}
	if d.previewEnvironment() {
		envs = append(envs, struct {
			resource, name string
			protected      bool
		}{name + "-preview-environment", PreviewEnvironmentName(d.Environment), false})
	}
	for _, e := range envs {
		envArgs := &gh.RepositoryEnvironmentArgs{
			Repository:      repoName,
			Environment:     pulumi.String(e.name),
			CanAdminsBypass: pulumi.Bool(false),
			DeploymentBranchPolicy: &gh.RepositoryEnvironmentDeploymentBranchPolicyArgs{
				ProtectedBranches:    pulumi.Bool(e.protected),
				CustomBranchPolicies: pulumi.Bool(false),
			},
		}
		// Approval gates deployments only: the preview environment deploys nothing.
		if r := d.EnvironmentReviewers; r != nil && e.protected {
			reviewer := gh.RepositoryEnvironmentReviewerArgs{}
			if len(r.Teams) > 0 {
				reviewer.Teams = pulumi.ToIntArray(r.Teams)
			}
			if len(r.Users) > 0 {
				reviewer.Users = pulumi.ToIntArray(r.Users)
			}
			envArgs.Reviewers = gh.RepositoryEnvironmentReviewerArray{reviewer}
			envArgs.PreventSelfReview = pulumi.Bool(true)
		}
		env, err := gh.NewRepositoryEnvironment(ctx, e.resource, envArgs, pulumi.Parent(parent))
		if err != nil {
			return err
		}
		prefix := strings.TrimSuffix(e.resource, "environment")
		if e.protected {
			prefix = name + "-env-"
		}
		// Each environment names its own identity under the same variable names, so the
		// workflows read GCP_SERVICE_ACCOUNT / AWS_ROLE_ARN and get the deploy identity in
		// the protected environment and the preview identity in "<env>-preview".
		vars := withVariables(ci)
		if !e.protected {
			vars = withVariables(previewCI)
		}
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
	return nil
}
