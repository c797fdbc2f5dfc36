package provider

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestSameResourcesAsTheGoAPI deploys a portal with tenants through the provider (the
// tenants' contribution output passed back in, as a YAML program does) and through the Go API
// with the same settings: every resource registered, with its inputs, is the same.
func TestSameResourcesAsTheGoAPI(t *testing.T) {
	tenants, err := access.LoadTenants(tenantsTestDir)
	if err != nil {
		t.Fatal(err)
	}
	tenantDefs := pulumi.Array{}
	for _, tn := range tenants {
		m := pulumi.Map{
			"name": pulumi.String(tn.Name), "parent": pulumi.String(tn.Parent), "description": pulumi.String(tn.Description),
			"contactEmail": pulumi.String(tn.ContactEmail), "environments": pulumi.ToStringArray(tn.Environments),
			"repos": pulumi.ToStringArray(tn.Repos), "adminGroup": pulumi.String(tn.AdminGroup), "readonlyGroup": pulumi.String(tn.ReadonlyGroup),
		}
		if tn.CostCentre != "" {
			m["costCentre"] = pulumi.String(tn.CostCentre)
		}
		tenantDefs = append(tenantDefs, m)
	}
	for i := range tenants {
		tenants[i].File = "" // definitions passed as inputs name no file
	}

	viaProvider := program(func(ctx *pulumi.Context, _ pulumi.Resource, opts pulumi.ResourceOption) error {
		ta, err := construct(ctx, tTenants, "tenants", pulumi.Map{
			"environments": pulumi.ToStringArray([]string{"gcp-dev", "gcp-prod"}), "environment": pulumi.String("gcp-dev"),
			"organization": pulumi.String("cecg"), "adminGroup": pulumi.String("platform-team"),
			"githubTeams": pulumi.Map{"maintainers": pulumi.ToStringArray([]string{"alice"})},
			"requests":    pulumi.Map{"repository": pulumi.String("cecg/environments")}, "tenants": tenantDefs,
		}, opts)
		if err != nil {
			return err
		}
		part := await(t, ctx, ta.State.(pulumi.Map)["contribution"])
		_, err = construct(ctx, tPortal, "portal", pulumi.Map{
			"image": pulumi.String("ghcr.io/coreeng/developer-portal:1.4.2"), "hostname": pulumi.String("portal"),
			"domain": pulumi.String("dev.example.io"), "kubernetes": pulumi.Map{"clusterName": pulumi.String("dev")},
			"adminGroup":   pulumi.String("platform-team"),
			"databaseHost": pulumi.String(upstreamHost), "databaseName": pulumi.String("backstage"),
			"databaseUser": pulumi.String("backstage"), "databasePassword": testkit.Secret(dbPassword),
			"databaseCaCertificate": pulumi.String(testkit.FakeCACert), "serviceToken": testkit.Secret(serviceToken),
			"contributions": pulumi.Array{pulumi.Any(part.Value)},
		}, opts)
		return err
	})
	if viaProvider.err != nil {
		t.Fatal(viaProvider.err)
	}

	viaGo := program(func(ctx *pulumi.Context, _ pulumi.Resource, opts pulumi.ResourceOption) error {
		ta := &access.Args{
			Environments: []string{"gcp-dev", "gcp-prod"}, Environment: "gcp-dev", Organization: "cecg",
			GitHubTeams: access.GitHubTeams{Maintainers: []string{"alice"}},
			Requests:    access.Requests{Repository: "cecg/environments"}, Tenants: tenants,
		}
		part, err := access.Contribution(ta)
		if err != nil {
			return err
		}
		if _, err := access.NewTenantAccess(ctx, "tenants", ta, opts); err != nil {
			return err
		}
		_, err = portal.NewDeveloperPortal(ctx, "portal", &portal.Args{
			Image: "ghcr.io/coreeng/developer-portal:1.4.2", Hostname: "portal", Domain: "dev.example.io",
			Kubernetes: portal.Kubernetes{ClusterName: "dev"}, AdminGroup: "platform-team",
			Database: backstage.Postgres{
				Host: pulumi.String(upstreamHost), Port: pulumi.Int(DefaultDatabasePort), Database: pulumi.String("backstage"),
				User: pulumi.String("backstage"), Password: testkit.Secret(dbPassword).(pulumi.AnyOutput).AsStringOutput(),
				CACert: pulumi.String(testkit.FakeCACert), Auth: cloud.AuthPassword, PluginDivisionMode: database.PluginDivisionMode,
			},
			ServiceToken:  pulumi.String(serviceToken),
			Contributions: []backstage.Contribution{part},
		}, opts)
		return err
	})
	if viaGo.err != nil {
		t.Fatal(viaGo.err)
	}

	goResources := map[string]testkit.Resource{}
	for _, r := range viaGo.m.Resources() {
		goResources[r.URN] = r
	}
	got := viaProvider.m.Resources()
	if len(got) != len(goResources) {
		t.Errorf("%d resources through the provider, %d through the Go API", len(got), len(goResources))
	}
	for _, r := range got {
		want, ok := goResources[r.URN]
		if !ok {
			t.Errorf("%s registered only through the provider", r.URN)
			continue
		}
		if !r.Inputs.DeepEquals(want.Inputs) {
			t.Errorf("%s inputs differ:\nprovider: %v\n  Go API: %v", r.URN, r.Inputs, want.Inputs)
		}
	}
}

// TestManyTenants passes the contribution of 300 tenancies (far more text than one input string
// may hold) from TenantAccess to the portal.
func TestManyTenants(t *testing.T) {
	defs := pulumi.Array{}
	for i := range 300 {
		name := fmt.Sprintf("tenant-%03d", i)
		defs = append(defs, pulumi.Map{
			"name": pulumi.String(name), "parent": pulumi.String("root"), "description": pulumi.String("Tenant " + name),
			"contactEmail": pulumi.String(name + "@example.io"), "environments": pulumi.ToStringArray([]string{"gcp-dev"}),
			"adminGroup": pulumi.String(name + "-admins@example.io"), "readonlyGroup": pulumi.String(name + "-readers@example.io"),
		})
	}
	r := program(func(ctx *pulumi.Context, upstream pulumi.Resource, opts pulumi.ResourceOption) error {
		in := validInputs[tTenants](upstream)
		in["tenants"] = defs
		ta, err := construct(ctx, tTenants, "tenants", in, opts)
		if err != nil {
			return err
		}
		part := await(t, ctx, ta.State.(pulumi.Map)["contribution"])
		if b, _ := json.Marshal(part.Value); len(b) < 200_000 {
			t.Errorf("contribution is %d bytes: the test needs one larger than any input string may be", len(b))
		}
		portalIn := validInputs[tPortal](upstream)
		portalIn["contributions"] = pulumi.Array{pulumi.Any(part.Value)}
		_, err = construct(ctx, tPortal, "portal", portalIn, opts)
		return err
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
}
