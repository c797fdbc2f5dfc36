package github

import (
	"errors"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's Pulumi type.
const Type = "coreplatform:github:GitHubIntegration"

// GitHubIntegration is the portal's GitHub side: its repository and the files kept there, the
// Backstage config sections for the GitHub App, discovery, org sync and sign-in, and the OIDC
// federation of the repository's CI into the cloud.
type GitHubIntegration struct {
	pulumi.ResourceState

	// Contribution is what the portal consumes (the same value Contribution(args) returns).
	Contribution backstage.Contribution

	// RepositoryName is the repository's name.
	RepositoryName pulumi.StringOutput `pulumi:"repositoryName"`
	// RepositoryURL is the repository's web address.
	RepositoryURL pulumi.StringOutput `pulumi:"repositoryUrl"`
	// FullName is "<organization>/<repository>".
	FullName pulumi.StringOutput `pulumi:"fullName"`
	// CIServiceAccountEmail is the deploy service account, impersonable only by jobs of the
	// stack's protected environment (GCP; else "").
	CIServiceAccountEmail pulumi.StringOutput `pulumi:"ciServiceAccountEmail"`
	// CIRoleArn is the deploy role, assumable only by jobs of the stack's protected
	// environment (AWS; else "").
	CIRoleArn pulumi.StringOutput `pulumi:"ciRoleArn"`
	// CIPrincipal is the deploy identity as an IAM member ("serviceAccount:<email>" on GCP,
	// the role ARN on AWS; "" without OIDC), to grant it what publishing needs.
	CIPrincipal pulumi.StringOutput `pulumi:"ciPrincipal"`
	// PreviewPrincipal is the preview identity as an IAM member, for jobs of "<env>-preview"
	// only (pull request previews, drift); "" without OIDC or preview environment. Grant it
	// read access only.
	PreviewPrincipal pulumi.StringOutput `pulumi:"previewPrincipal"`
	// WorkloadIdentityProvider is the pool provider's resource name, as
	// google-github-actions/auth takes it (GCP; else "").
	WorkloadIdentityProvider pulumi.StringOutput `pulumi:"workloadIdentityProvider"`
}

// NewGitHubIntegration validates args, then registers the component and its children. The
// caller passes the providers in opts: a GitHub provider whose owner is the organisation
// (always) and the platform account's gcp or aws provider (with OIDC); children inherit them.
func NewGitHubIntegration(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*GitHubIntegration, error) {
	if args == nil {
		return nil, errors.New("github: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	contribution, err := Contribution(args)
	if err != nil {
		return nil, err
	}
	d := new(args.WithDefaults())
	if err := checkGeneratedFiles(d); err != nil {
		return nil, err
	}
	files, err := managedFiles(d, ctx.Project()+"/"+ctx.Stack())
	if err != nil {
		return nil, err
	}

	comp := &GitHubIntegration{Contribution: contribution}
	if err := ctx.RegisterComponentResource(Type, name, comp, opts...); err != nil {
		return nil, err
	}
	if d.tokenMode() {
		_ = ctx.Log.Warn("the portal uses a personal access token for GitHub: it is tied to one person, "+
			"long-lived and broad; use it for trials only and switch to a GitHub App", &pulumi.LogArgs{Resource: comp})
	}

	full := d.Organization + "/" + d.Repository.Name
	comp.RepositoryName = pulumi.String(d.Repository.Name).ToStringOutput()
	comp.FullName = pulumi.String(full).ToStringOutput()
	comp.RepositoryURL = pulumi.String(githubURL + "/" + full).ToStringOutput()

	// Children of a managed repository take its name output, so they wait for it; otherwise
	// the repository (managed by another stack) is addressed by name.
	repoName := comp.RepositoryName
	if d.managed() {
		repo, err := newRepository(ctx, name, d, comp)
		if err != nil {
			return nil, err
		}
		repoName = repo.name
		comp.RepositoryName = repo.name
		comp.RepositoryURL = repo.url
		if len(files) > 0 {
			// The deprecated output is only read: the files branch starts from the default
			// branch. The BranchDefault resource offered instead would manage (and could
			// rename) the default branch, which this component leaves as GitHub has it.
			//nolint:staticcheck // SA1019: read-only use of Repository.DefaultBranch, see above.
			if err := newManagedFiles(ctx, name, d, files, repoName, repo.resource.DefaultBranch, comp); err != nil {
				return nil, err
			}
		}
	} else if len(files) > 0 {
		var source pulumi.StringInput
		if d.Files.Branch != "" {
			// The files branch starts from the repository's actual default branch, which
			// this stack does not manage.
			source = gh.LookupRepositoryOutput(ctx, gh.LookupRepositoryOutputArgs{FullName: pulumi.String(full)},
				pulumi.Parent(comp)).DefaultBranch()
		}
		if err := newManagedFiles(ctx, name, d, files, repoName, source, comp); err != nil {
			return nil, err
		}
	}

	ci := ciIdentity{}
	switch d.OIDC.Cloud {
	case cloud.GCP:
		ci, err = newGCPFederation(ctx, name, d, comp)
	case cloud.AWS:
		ci, err = newAWSFederation(ctx, name, d, comp)
	}
	if err != nil {
		return nil, err
	}
	if d.writesVariables() {
		if err := newEnvironments(ctx, name, d, repoName, ci.variables, comp); err != nil {
			return nil, err
		}
	}
	comp.CIServiceAccountEmail = orEmpty(ci.serviceAccountEmail)
	comp.CIRoleArn = orEmpty(ci.roleArn)
	comp.CIPrincipal = orEmpty(ci.principal)
	comp.PreviewPrincipal = orEmpty(ci.previewPrincipal)
	comp.WorkloadIdentityProvider = orEmpty(ci.workloadIdentityProvider)

	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"repositoryName":           comp.RepositoryName,
		"repositoryUrl":            comp.RepositoryURL,
		"fullName":                 comp.FullName,
		"ciServiceAccountEmail":    comp.CIServiceAccountEmail,
		"ciRoleArn":                comp.CIRoleArn,
		"ciPrincipal":              comp.CIPrincipal,
		"previewPrincipal":         comp.PreviewPrincipal,
		"workloadIdentityProvider": comp.WorkloadIdentityProvider,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// ciIdentity is what a cloud federation produces; unset outputs become "".
type ciIdentity struct {
	serviceAccountEmail      *pulumi.StringOutput
	roleArn                  *pulumi.StringOutput
	principal                *pulumi.StringOutput
	workloadIdentityProvider *pulumi.StringOutput
	previewPrincipal         *pulumi.StringOutput
	// variables are the Actions variables (identifiers, not secrets) that name an identity,
	// by CIEnvironment.identity: each environment names its own identity under the same
	// variable names ("" for the deploy environment, which names only the pool).
	variables map[string][]actionsVariable
}

func orEmpty(o *pulumi.StringOutput) pulumi.StringOutput {
	if o == nil {
		return pulumi.String("").ToStringOutput()
	}
	return *o
}
