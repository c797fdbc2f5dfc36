// Command portal-external-db is a standalone Pulumi program importing the developer portal's
// components: DeveloperPortal on an existing cluster, connected to a PostgreSQL another program
// manages, and TenantAccess provisioning two tenants and handing the portal their catalog.
//
//	pulumi config set databaseHost 10.10.0.3
//	pulumi config set databaseCACert "$(cat ca.pem)"
//	pulumi config set --secret databasePassword ...
//	pulumi up
//
// It is part of the repository's Go module so it always builds against the current API;
// main_test.go plans it offline.
package main

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/portal"
)

func main() { pulumi.Run(program) }

// environment names this deployment among the tenants' environments.
const environment = "dev"

func program(ctx *pulumi.Context) error {
	// Missing settings are reported together, before anything is registered.
	var missing []string
	setting := func(key string) string {
		v, ok := ctx.GetConfig(ctx.Project() + ":" + key)
		if !ok {
			missing = append(missing, key)
		}
		return v
	}
	host, caCert, password := setting("databaseHost"), setting("databaseCACert"), setting("databasePassword")
	if len(missing) > 0 {
		return fmt.Errorf("missing config: %s (see Pulumi.yaml)", strings.Join(missing, ", "))
	}

	// Tenants are usually loaded from a folder of YAML files (access.LoadTenants); they are
	// written here in code to keep the example in one file.
	tenants := &access.Args{
		Environments: []string{environment},
		Environment:  environment,
		Organization: "cecg",
		// GitHub teams come from elsewhere: no GitHub provider is needed.
		GitHubTeams: access.GitHubTeams{Manage: pulumi.BoolRef(false)},
		Requests:    access.Requests{Repository: "cecg/developer-portal"},
		Tenants: []access.Tenant{
			{Name: "payments", Parent: "root", Description: "Card payments", ContactEmail: "payments@cecg.io",
				Environments: []string{environment}, AdminGroup: "payments-admins@cecg.io", ReadonlyGroup: "payments-readers@cecg.io"},
			{Name: "ledger", Parent: "payments", Description: "The payments ledger", ContactEmail: "ledger@cecg.io",
				Environments: []string{environment}, AdminGroup: "ledger-admins@cecg.io", ReadonlyGroup: "ledger-readers@cecg.io"},
		},
	}
	// The portal shows the tenants: their Systems, Groups and the "Request a tenancy" template.
	tenantCatalog, err := access.Contribution(tenants)
	if err != nil {
		return err
	}

	db := database.External{
		Host:     host,
		Port:     5432,
		Database: "backstage",
		User:     "backstage",
		Password: pulumi.ToSecret(pulumi.String(password)).(pulumi.StringOutput),
		CACert:   caCert,
		Cloud:    cloud.None,
	}
	args := &portal.Args{
		Image:         "ghcr.io/coreeng/developer-portal:1.4.2",
		Hostname:      "portal",
		Domain:        "dev.example.com",
		Kubernetes:    portal.Kubernetes{ClusterName: "dev"},
		AdminGroup:    "platform-team",
		Database:      db.Connection(),
		Contributions: []backstage.Contribution{tenantCatalog},
	}
	// Every problem with either component, before anything is registered.
	if err := args.Validate(); err != nil {
		return err
	}

	k8s, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{})
	if err != nil {
		return err
	}
	rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
	if err != nil {
		return err
	}
	ta, err := access.NewTenantAccess(ctx, "tenants", tenants, pulumi.Provider(k8s))
	if err != nil {
		return err
	}
	dp, err := portal.NewDeveloperPortal(ctx, "portal", args, pulumi.Providers(k8s, rnd))
	if err != nil {
		return err
	}
	ctx.Export("portalUrl", dp.URL)
	ctx.Export("tenantNamespaces", ta.Namespaces)
	return nil
}
