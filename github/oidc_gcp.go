package github

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newGCPFederation creates a workload identity pool and GitHub provider restricted to the
// repository's environment jobs (GCPAttributeCondition), and one service account per purpose,
// each impersonable by exactly one environment's token subject: the deploy service account
// (the stack's protected environment: TechDocs publishing; the stack grants it what it owns)
// and, with the preview environment, the preview service account ("<env>-preview": pull
// request previews and drift, read access granted by the platform's bootstrap).
func newGCPFederation(ctx *pulumi.Context, name string, d *Args, parent pulumi.Resource) (ciIdentity, error) {
	g := d.OIDC.GCP
	full := d.Organization + "/" + d.Repository.Name
	pool, err := iam.NewWorkloadIdentityPool(ctx, name+"-ci-pool", &iam.WorkloadIdentityPoolArgs{
		Project:                pulumi.String(g.Project),
		WorkloadIdentityPoolId: pulumi.String(g.PoolID),
		DisplayName:            pulumi.String("GitHub Actions"),
		Description:            pulumi.String("GitHub Actions of " + full),
	}, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	mapping := pulumi.StringMap{}
	for k, v := range GCPAttributeMapping() {
		mapping[k] = pulumi.String(v)
	}
	provider, err := iam.NewWorkloadIdentityPoolProvider(ctx, name+"-ci-provider", &iam.WorkloadIdentityPoolProviderArgs{
		Project:                        pulumi.String(g.Project),
		WorkloadIdentityPoolId:         pool.WorkloadIdentityPoolId,
		WorkloadIdentityPoolProviderId: pulumi.String(g.ProviderID),
		DisplayName:                    pulumi.String("GitHub " + truncate(d.Repository.Name, 25)),
		Description:                    pulumi.String("Environment jobs of " + full + " only"),
		AttributeMapping:               mapping,
		AttributeCondition:             pulumi.String(GCPAttributeCondition(full, d.Environment, d.previewEnvironment())),
		Oidc:                           &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(githubOIDCIssuer)},
	}, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	newAccount := func(resource, accountID, env, purpose string) (*serviceaccount.Account, error) {
		account, err := serviceaccount.NewAccount(ctx, resource, &serviceaccount.AccountArgs{
			Project:     pulumi.String(g.Project),
			AccountId:   pulumi.String(accountID),
			DisplayName: pulumi.String(truncate(purpose+" of "+full, 100)),
			Description: pulumi.String("Impersonated by GitHub Actions jobs of the environment " + env + " of " + full + " through workload identity federation"),
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, err
		}
		subject := EnvironmentSubject(full, env)
		_, err = serviceaccount.NewIAMMember(ctx, resource+"-wif-user", &serviceaccount.IAMMemberArgs{
			ServiceAccountId: account.Name,
			Role:             pulumi.String("roles/iam.workloadIdentityUser"),
			Member: pool.Name.ApplyT(func(pool string) string {
				return GCPSubjectPrincipal(pool, subject)
			}).(pulumi.StringOutput),
		}, pulumi.Parent(parent))
		return account, err
	}
	deploy, err := newAccount(name+"-ci-deploy", g.DeployServiceAccountID, d.Environment, "Deploy identity")
	if err != nil {
		return ciIdentity{}, err
	}
	email, member, providerName := deploy.Email, deploy.Member, provider.Name
	projectID := pulumi.String(g.Project).ToStringOutput()
	ci := ciIdentity{
		serviceAccountEmail:      &email,
		principal:                &member,
		workloadIdentityProvider: &providerName,
		variables: []actionsVariable{
			{VarGCPWorkloadIdentityProvider, provider.Name},
			{VarGCPServiceAccount, deploy.Email},
			{VarGCPProjectID, projectID},
		},
	}
	if d.previewEnvironment() {
		// The resource name predates the split (it was the one CI service account): kept, so
		// the account the platform's bootstrap grants read access to is not replaced.
		preview, err := newAccount(name+"-ci", g.ServiceAccountID, PreviewEnvironmentName(d.Environment), "Preview identity")
		if err != nil {
			return ciIdentity{}, err
		}
		previewMember := preview.Member
		ci.previewPrincipal = &previewMember
		ci.previewVariables = []actionsVariable{
			{VarGCPWorkloadIdentityProvider, provider.Name},
			{VarGCPServiceAccount, preview.Email},
			{VarGCPProjectID, projectID},
		}
	}
	return ci, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
