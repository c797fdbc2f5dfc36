package github

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newAWSFederation creates (or reuses) the account's GitHub OIDC provider and a CI role whose
// trust policy admits only the repository's workflows. The role has no permissions: the stack
// grants what CI needs to CIRoleArn.
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
	branches, allowPRs, env := d.OIDC.Branches, boolOr(d.OIDC.AllowPullRequests, true), d.Environment
	trust := providerARN.ApplyT(func(arn string) (string, error) {
		return AWSTrustPolicy(arn, full, branches, allowPRs, env)
	}).(pulumi.StringOutput)
	roleArgs := &iam.RoleArgs{
		Description:        pulumi.String("Assumed by GitHub Actions of " + full + " through OIDC"),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(3600),
	}
	if w.RoleName != "" {
		roleArgs.Name = pulumi.String(w.RoleName)
	}
	role, err := iam.NewRole(ctx, name+"-ci-role", roleArgs, pulumi.Parent(parent))
	if err != nil {
		return ciIdentity{}, err
	}
	arn := role.Arn
	return ciIdentity{
		roleArn:   &arn,
		principal: &arn,
		variables: []actionsVariable{{VarAWSRoleARN, role.Arn}},
	}, nil
}
