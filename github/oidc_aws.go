package github

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newAWSFederation creates (or reuses) the account's GitHub OIDC provider and two roles, one
// per purpose: the TechDocs publisher, assumable only by the job of "<env>-techdocs" (the
// stack grants it write on the docs bucket), and the read-only role, assumable only by the
// jobs of "<env>-drift" and "<env>-preview" (read access granted by the platform's
// bootstrap). Neither role has permissions here.
func newAWSFederation(ctx *pulumi.Context, name string, d *Args, parent pulumi.Resource) (ciIdentity, error) {
	w := d.OIDC.AWS
	if w == nil {
		w = &OIDCAWSArgs{}
	}
	full := d.Organization + "/" + d.Repository.Name
	providerARN := pulumi.String(w.OIDCProviderARN).ToStringOutput()
	if w.OIDCProviderARN == "" {
		provider, err := iam.NewOpenIdConnectProvider(ctx, name+"-ci-oidc", &iam.OpenIdConnectProviderArgs{
			Url:             pulumi.String(githubOIDCIssuer),
			ClientIdLists:   pulumi.ToStringArray([]string{awsSTSAudience}),
			ThumbprintLists: pulumi.ToStringArray(githubOIDCThumbprints),
		}, pulumi.Parent(parent))
		if err != nil {
			return ciIdentity{}, err
		}
		providerARN = provider.Arn
	}
	envs := CIEnvironments(d.Environment, d.previewEnvironment())
	newRole := func(resource, roleName, purpose string, envs []CIEnvironment) (*iam.Role, error) {
		names := make([]string, 0, len(envs))
		for _, e := range envs {
			names = append(names, e.Name)
		}
		roleArgs := &iam.RoleArgs{
			Description: pulumi.String(purpose + " of " + full + ": GitHub Actions jobs of its environments " + strings.Join(names, ", ") + " only, through OIDC"),
			AssumeRolePolicy: providerARN.ApplyT(func(arn string) (string, error) {
				return AWSTrustPolicy(arn, full, envs...)
			}).(pulumi.StringOutput),
			MaxSessionDuration: pulumi.Int(3600),
		}
		if roleName != "" {
			roleArgs.Name = pulumi.String(roleName)
		}
		return iam.NewRole(ctx, resource, roleArgs, pulumi.Parent(parent))
	}
	// The publisher keeps the resource of the former deploy role (whose only use was
	// publishing), so the bucket grant the stack gives it stays in place.
	publisher, err := newRole(name+"-ci-deploy-role", w.DeployRoleName, "TechDocs publisher", environmentsOf(envs, identityPublisher))
	if err != nil {
		return ciIdentity{}, err
	}
	// The resource name predates the split (it was the one CI role): kept, so the role the
	// platform's bootstrap grants read access to is not replaced.
	reader, err := newRole(name+"-ci-role", w.RoleName, "Read-only identity", environmentsOf(envs, identityReader))
	if err != nil {
		return ciIdentity{}, err
	}
	arn, readerArn := publisher.Arn, reader.Arn
	return ciIdentity{
		roleArn:          &arn,
		principal:        &arn,
		previewPrincipal: &readerArn,
		variables: map[string][]actionsVariable{
			identityPublisher: {{VarAWSRoleARN, publisher.Arn}},
			identityReader:    {{VarAWSRoleARN, reader.Arn}},
		},
	}, nil
}
