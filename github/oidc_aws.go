package github

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newAWSFederation creates (or reuses) the account's GitHub OIDC provider and two roles, one
// per purpose: the deploy role, assumable only by jobs of the stack's protected environment
// (TechDocs publishing; the stack grants it what it owns), and, with the preview environment,
// the preview role, assumable only by jobs of "<env>-preview" (pull request previews, drift).
// Neither role has permissions here.
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
	newRole := func(resource, roleName, env, purpose string) (*iam.Role, error) {
		subject := EnvironmentSubject(full, env)
		roleArgs := &iam.RoleArgs{
			Description: pulumi.String(purpose + " of " + full + ": GitHub Actions jobs of its environment " + env + " only, through OIDC"),
			AssumeRolePolicy: providerARN.ApplyT(func(arn string) (string, error) {
				return AWSTrustPolicy(arn, subject)
			}).(pulumi.StringOutput),
			MaxSessionDuration: pulumi.Int(3600),
		}
		if roleName != "" {
			roleArgs.Name = pulumi.String(roleName)
		}
		return iam.NewRole(ctx, resource, roleArgs, pulumi.Parent(parent))
	}
	deploy, err := newRole(name+"-ci-deploy-role", w.DeployRoleName, d.Environment, "Deploy identity")
	if err != nil {
		return ciIdentity{}, err
	}
	arn := deploy.Arn
	ci := ciIdentity{
		roleArn:   &arn,
		principal: &arn,
		variables: []actionsVariable{{VarAWSRoleARN, deploy.Arn}},
	}
	if d.previewEnvironment() {
		// The resource name predates the split (it was the one CI role): kept, so the role
		// the platform's bootstrap grants read access to is not replaced.
		preview, err := newRole(name+"-ci-role", w.RoleName, PreviewEnvironmentName(d.Environment), "Preview identity")
		if err != nil {
			return ciIdentity{}, err
		}
		previewArn := preview.Arn
		ci.previewPrincipal = &previewArn
		ci.previewVariables = []actionsVariable{{VarAWSRoleARN, preview.Arn}}
	}
	return ci, nil
}
