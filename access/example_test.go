package access_test

import (
	"fmt"

	"github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/access"
)

// A program provisioning the tenants of gcp-dev from the "tenants" folder beside Pulumi.yaml,
// and handing the portal their catalog and the request template.
func ExampleNewTenantAccess() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		args := &access.Args{
			Environments: []string{"gcp-dev", "gcp-prod"},
			Environment:  "gcp-dev",
			Organization: "cecg",
			GitHubTeams:  access.GitHubTeams{Maintainers: []string{"cecg-platform-bot"}},
			Requests:     access.Requests{Repository: "cecg/environments"},
		}
		tenants, err := access.LoadTenants("tenants")
		if err != nil {
			return err
		}
		args.Tenants = tenants // loaded once for both calls below
		contribution, err := access.Contribution(args)
		if err != nil {
			return err
		}
		_ = contribution // handed to the portal component

		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		gh, err := github.NewProvider(ctx, "github", &github.ProviderArgs{Owner: pulumi.String("cecg")})
		if err != nil {
			return err
		}
		tenantAccess, err := access.NewTenantAccess(ctx, "tenants", args, pulumi.Providers(k8s, gh))
		if err != nil {
			return err
		}
		ctx.Export("tenantNamespaces", tenantAccess.Namespaces)
		return nil
	})
}

// The catalog owner of a tenant's entities is the Group of its GitHub team.
func ExampleOwnerRef() {
	fmt.Println(access.TeamSlug("payments"))
	fmt.Println(access.OwnerRef("payments"))
	// Output:
	// payments
	// group:default/payments
}
