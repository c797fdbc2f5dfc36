package github

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newGCPFederation creates a workload identity pool and GitHub provider restricted to the
// repository, and the CI service account only that repository may impersonate.
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
		Description:                    pulumi.String("Tokens of " + full + " only"),
		AttributeMapping:               mapping,
		AttributeCondition:             pulumi.String(GCPAttributeCondition(full, d.OIDC.Branches, boolOr(d.OIDC.AllowPullRequests, true))),
		Oidc:                           &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(githubOIDCIssuer)},
	}, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	account, err := serviceaccount.NewAccount(ctx, name+"-ci", &serviceaccount.AccountArgs{
		Project:     pulumi.String(g.Project),
		AccountId:   pulumi.String(g.ServiceAccountID),
		DisplayName: pulumi.String("CI of " + truncate(full, 90)),
		Description: pulumi.String("Impersonated by GitHub Actions of " + full + " through workload identity federation"),
	}, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	_, err = serviceaccount.NewIAMMember(ctx, name+"-ci-wif-user", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: account.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member: pool.Name.ApplyT(func(pool string) string {
			return GCPPrincipalSet(pool, full)
		}).(pulumi.StringOutput),
	}, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	email, member, providerName := account.Email, account.Member, provider.Name
	return ciIdentity{
		serviceAccountEmail:      &email,
		principal:                &member,
		workloadIdentityProvider: &providerName,
		variables: []actionsVariable{
			{VarGCPWorkloadIdentityProvider, provider.Name},
			{VarGCPServiceAccount, account.Email},
			{VarGCPProjectID, pulumi.String(g.Project).ToStringOutput()},
		},
	}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
