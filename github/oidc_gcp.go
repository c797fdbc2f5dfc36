package github

import (
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newGCPFederation creates a workload identity pool and GitHub provider restricted to the
// repository's environment jobs (GCPAttributeCondition), and one service account per purpose,
// each impersonable only by its environments' token subjects: the TechDocs publisher
// ("<env>-techdocs"; the stack grants it write on the docs bucket and nothing else) and the
// read-only identity ("<env>-drift" and, with the preview environment, "<env>-preview"; read
// access granted by the platform's bootstrap). The deploying identity is the platform's.
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
	envs := CIEnvironments(d.Environment, d.previewEnvironment())
	// newAccount creates a service account impersonable by the tokens of exactly the given
	// environments' subjects (one binding each; the first keeps the resource name it had
	// when each account served one environment).
	newAccount := func(resource, accountID, purpose string, envs []CIEnvironment) (*serviceaccount.Account, error) {
		names := make([]string, 0, len(envs))
		for _, e := range envs {
			names = append(names, e.Name)
		}
		account, err := serviceaccount.NewAccount(ctx, resource, &serviceaccount.AccountArgs{
			Project:     pulumi.String(g.Project),
			AccountId:   pulumi.String(accountID),
			DisplayName: pulumi.String(truncate(purpose+" of "+full, 100)),
			Description: pulumi.String(truncate("Impersonated by GitHub Actions jobs of the environments "+strings.Join(names, ", ")+
				" of "+full+" through workload identity federation", 256)),
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, err
		}
		for i, e := range envs {
			subject := EnvironmentSubject(full, e.Name)
			bindingName := resource + "-wif-user"
			if i > 0 {
				bindingName += "-" + strings.TrimPrefix(e.Name, d.Environment+"-")
			}
			_, err = serviceaccount.NewIAMMember(ctx, bindingName, &serviceaccount.IAMMemberArgs{
				ServiceAccountId: account.Name,
				Role:             pulumi.String("roles/iam.workloadIdentityUser"),
				Member: pool.Name.ApplyT(func(pool string) string {
					return GCPSubjectPrincipal(pool, subject)
				}).(pulumi.StringOutput),
			}, pulumi.Parent(parent))
			if err != nil {
				return nil, err
			}
		}
		return account, nil
	}
	// The publisher keeps the resource and account ID of the former deploy identity (whose
	// only use was publishing), so the bucket grant the stack gives it stays in place.
	publisher, err := newAccount(name+"-ci-deploy", g.DeployServiceAccountID, "TechDocs publisher", environmentsOf(envs, identityPublisher))
	if err != nil {
		return ciIdentity{}, err
	}
	// The resource name predates the split (it was the one CI service account): kept, so the
	// account the platform's bootstrap grants read access to is not replaced.
	reader, err := newAccount(name+"-ci", g.ServiceAccountID, "Read-only identity", environmentsOf(envs, identityReader))
	if err != nil {
		return ciIdentity{}, err
	}
	email, member, providerName, readerMember := publisher.Email, publisher.Member, provider.Name, reader.Member
	projectID := pulumi.String(g.Project).ToStringOutput()
	return ciIdentity{
		serviceAccountEmail:      &email,
		principal:                &member,
		previewPrincipal:         &readerMember,
		workloadIdentityProvider: &providerName,
		variables: map[string][]actionsVariable{
			"": {{VarGCPWorkloadIdentityProvider, provider.Name}, {VarGCPProjectID, projectID}},
			identityPublisher: {
				{VarGCPWorkloadIdentityProvider, provider.Name},
				{VarGCPServiceAccount, publisher.Email},
				{VarGCPProjectID, projectID},
			},
			identityReader: {
				{VarGCPWorkloadIdentityProvider, provider.Name},
				{VarGCPServiceAccount, reader.Email},
				{VarGCPProjectID, projectID},
			},
		},
	}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
