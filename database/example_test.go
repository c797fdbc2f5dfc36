package database_test

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
)

// A program placing the portal's database in a tenant's paired AWS account (reached by
// assuming a role), with passwords, and exporting what the portal needs.
func ExampleNewManagedDatabase() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		paired, err := aws.NewProvider(ctx, "paired", &aws.ProviderArgs{
			Region: pulumi.String("eu-west-2"),
			AssumeRole: &aws.ProviderAssumeRoleArgs{
				RoleArn: pulumi.String("arn:aws:iam::222222222222:role/platform-deployer"),
			},
		})
		if err != nil {
			return err
		}
		rnd, err := random.NewProvider(ctx, "random", nil)
		if err != nil {
			return err
		}
		db, err := database.NewManagedDatabase(ctx, "portal-db", &database.Args{
			Cloud: cloud.AWS,
			AWS: &database.AWSArgs{
				SubnetIDs:        []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
				SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
				CABundle:         "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
			},
		}, pulumi.Providers(paired, rnd))
		if err != nil {
			return err
		}
		// db.Connection (a backstage.Postgres) goes to the portal component.
		ctx.Export("databaseHost", db.Host)
		ctx.Export("databasePassword", db.Password) // secret
		return nil
	})
}
