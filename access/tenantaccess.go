package access

import (
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's Pulumi type.
const Type = "coreplatform:access:TenantAccess"

// TenantAccess is the platform's tenants in one environment: a namespace each with its
// bindings, quota, limits and isolation, and (optionally) a GitHub team each.
type TenantAccess struct {
	pulumi.ResourceState

	// TenantNames are the tenants provisioned in this environment, parents first.
	TenantNames pulumi.StringArrayOutput `pulumi:"tenantNames"`
	// Namespaces are their namespaces, in the same order.
	Namespaces pulumi.StringArrayOutput `pulumi:"namespaces"`
	// TeamSlugs are the GitHub teams created (empty when teams are not managed).
	TeamSlugs pulumi.StringArrayOutput `pulumi:"teamSlugs"`
}

// NewTenantAccess validates the args and every tenant definition, then provisions the tenants
// whose environments include args.Environment. Pass a Kubernetes provider, and a GitHub
// provider (owner = the organisation) when teams are managed, through opts:
// pulumi.Providers(k8s, github).
func NewTenantAccess(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*TenantAccess, error) {
	p, err := args.resolve()
	if err != nil {
		return nil, err
	}
	comp := &TenantAccess{}
	if err := ctx.RegisterComponentResource(Type, name, comp, opts...); err != nil {
		return nil, err
	}

	s := newShared(p.args)
	names := make(pulumi.StringArray, 0, len(p.provisioned))
	namespaces := make(pulumi.StringArray, 0, len(p.provisioned))
	for _, t := range p.provisioned {
		ns, err := tenantNamespace(ctx, name, t, s, comp)
		if err != nil {
			return nil, err
		}
		names = append(names, pulumi.String(t.Name))
		namespaces = append(namespaces, ns.Metadata.Name().Elem())
	}

	teams := make(map[string]*gh.Team, len(p.teams))
	slugs := make(pulumi.StringArray, 0, len(p.teams))
	for _, t := range p.teams {
		team, err := tenantTeam(ctx, name, t, p.args, teams[t.Parent], comp)
		if err != nil {
			return nil, err
		}
		teams[t.Name] = team
		slugs = append(slugs, team.Slug)
	}

	comp.TenantNames = names.ToStringArrayOutput()
	comp.Namespaces = namespaces.ToStringArrayOutput()
	comp.TeamSlugs = slugs.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"tenantNames": comp.TenantNames,
		"namespaces":  comp.Namespaces,
		"teamSlugs":   comp.TeamSlugs,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// childOptions are the options of every object the component creates for a tenant. Besides
// the parent, each answers to the URN it has when the stack itself is its parent: that is
// where `pulumi state move` puts a resource it moves without its parent, which stays in the
// stack the tenant leaves. A shard's stack then adopts the tenant's moved objects unchanged,
// and a rebalance between stacks deletes and recreates nothing (docs/operators/scale.md).
func childOptions(parent pulumi.Resource) []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Aliases([]pulumi.Alias{{NoParent: pulumi.Bool(true)}})}
}
