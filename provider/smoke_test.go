package provider

import (
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestSmokePortalWithTenants(t *testing.T) {
	m := testkit.NewMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
		if err != nil {
			return err
		}
		tenants, err := construct(ctx, "coreplatform:access:TenantAccess", "tenants", pulumi.Map{
			"environments": pulumi.ToStringArray([]string{"gcp-dev", "gcp-prod"}),
			"environment":  pulumi.String("gcp-dev"),
			"dir":          pulumi.String("../tests/testdata/tenants"),
			"githubTeams":  pulumi.Map{"manage": pulumi.Bool(false)},
			"requests":     pulumi.Map{"repository": pulumi.String("cecg/environments")},
		}, pulumi.Providers(k8s))
		if err != nil {
			return err
		}
		state := tenants.State.(pulumi.Map)
		contribution, err := testkit.Await(ctx, pulumi.ToOutput(state["contribution"]))
		if err != nil {
			return err
		}
		t.Logf("contribution known=%v secret=%v", contribution.Known, contribution.Secret)
		res, err := construct(ctx, "coreplatform:portal:DeveloperPortal", "portal", pulumi.Map{
			"image":                 pulumi.String("ghcr.io/coreeng/developer-portal:1.4.2"),
			"hostname":              pulumi.String("portal"),
			"domain":                pulumi.String("dev.example.io"),
			"kubernetes":            pulumi.Map{"clusterName": pulumi.String("dev")},
			"databaseHost":          pulumi.String("10.0.0.3"),
			"databaseName":          pulumi.String("backstage"),
			"databaseUser":          pulumi.String("backstage"),
			"databasePassword":      pulumi.ToSecret(pulumi.String("pw-unique")),
			"databaseCaCertificate": pulumi.String(testkit.FakeCACert),
			"contributions":         pulumi.Array{pulumi.Any(contribution.Value)},
		}, pulumi.Providers(k8s, rnd))
		if err != nil {
			return err
		}
		url, err := testkit.Await(ctx, pulumi.ToOutput(res.State.(pulumi.Map)["url"]))
		t.Logf("url %v", url.Value)
		return err
	}, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Resources() {
		t.Log(r.Type, r.Name)
	}
}
