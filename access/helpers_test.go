package access

import (
	"testing"

	"github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/internal/testkit"
)

// Resource types the component registers.
const (
	typeComponent   = "coreplatform:access:TenantAccess"
	typeNamespace   = "kubernetes:core/v1:Namespace"
	typeRoleBinding = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
	typeQuota       = "kubernetes:core/v1:ResourceQuota"
	typeLimitRange  = "kubernetes:core/v1:LimitRange"
	typeNetPol      = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	typeTeam        = "github:index/team:Team"
	typeMembership  = "github:index/teamMembership:TeamMembership"
	typeTeamRepo    = "github:index/teamRepository:TeamRepository"
)

// fixtureTenantsDir holds the test tenants: a fixed copy, so that tenancy requests merged into
// the live tenants folder change no test outcome.
const fixtureTenantsDir = "../tests/testdata/tenants"

// exampleTenants are the test tenants of fixtureTenantsDir.
func exampleTenants(t testing.TB) []Tenant {
	t.Helper()
	tenants, err := LoadTenants(fixtureTenantsDir)
	if err != nil {
		t.Fatalf("loading the example tenants: %v", err)
	}
	return tenants
}

// baseArgs are valid args for gcp-dev over the example tenants.
func baseArgs(t testing.TB) *Args {
	return &Args{
		Environments: []string{"gcp-dev", "gcp-prod"},
		Environment:  "gcp-dev",
		Organization: "cecg",
		GitHubTeams:  GitHubTeams{Maintainers: []string{"alice", "bob"}},
		Requests:     Requests{Repository: "cecg/environments", Owner: "group:default/platform-team"},
		Tenants:      exampleTenants(t),
	}
}

// newMocks gives teams the slug GitHub would compute from their name.
func newMocks() *testkit.Mocks {
	return testkit.NewMocks().WithOutputs(typeTeam, func(args pulumi.MockResourceArgs) resource.PropertyMap {
		return resource.PropertyMap{"slug": args.Inputs["name"]}
	})
}

// program registers the component with explicit Kubernetes and GitHub providers and resolves
// its outputs into outs.
func program(args *Args, outs map[string]testkit.Awaited) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		gh, err := github.NewProvider(ctx, "github", &github.ProviderArgs{Owner: pulumi.String("cecg")})
		if err != nil {
			return err
		}
		c, err := NewTenantAccess(ctx, "tenants", args, pulumi.Providers(k8s, gh))
		if err != nil {
			return err
		}
		if outs == nil {
			return nil
		}
		for name, out := range map[string]pulumi.Output{
			"tenantNames": c.TenantNames, "namespaces": c.Namespaces, "teamSlugs": c.TeamSlugs,
		} {
			a, err := testkit.Await(ctx, out)
			if err != nil {
				return err
			}
			outs[name] = a
		}
		return nil
	}
}

func mustRun(t *testing.T, args *Args) (*testkit.Mocks, map[string]testkit.Awaited) {
	t.Helper()
	m := newMocks()
	outs := map[string]testkit.Awaited{}
	if err := testkit.Run(program(args, outs), m, nil); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	testkit.AssertNoDuplicateURNs(t, m)
	testkit.AssertExplicitProviders(t, m)
	testkit.AssertParented(t, m, typeComponent)
	return m, outs
}

func strs(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := []string{}
		for _, e := range v {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}
