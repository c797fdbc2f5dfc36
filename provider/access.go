package provider

import (
	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// tenantAccessInputs are TenantAccess's inputs: the keys of the stack's
// `developer-portal:tenants` section, this stack's environment and the tenant definitions.
type tenantAccessInputs struct {
	access.Args

	// Environment is this stack's environment as tenants list it (e.g. "gcp-dev"); one of
	// environments. Required.
	Environment string `json:"environment,omitempty"`
	// Tenants are the tenant definitions, each the content of one tenants/<name>.yaml file.
	// When absent they are read from dir, relative to the provider's working directory.
	Tenants []access.Tenant `json:"tenants,omitempty"`
	// PortalNamespace is the developer portal's namespace (it holds the portal's Secret): no
	// tenant may be named after it. Default "developer-portal" (the portal's default), which is
	// reserved in any case.
	PortalNamespace string `json:"portalNamespace,omitempty"`
	// AdminGroup is the team slug of the portal's admin group (the portal's adminGroup): no
	// tenant may be named after it (its team and Group would take the admins' name). Required.
	// No default, as the portal has none: a default would protect a group the organisation may
	// not use and leave its real admin group open.
	AdminGroup string `json:"adminGroup,omitempty"`
	// PortalRepository is the portal's own repository, "<owner>/<repo>": no tenant may list it.
	PortalRepository string `json:"portalRepository,omitempty"`
}

// tenantAccessOutputs are the outputs only the provider has.
type tenantAccessOutputs struct {
	// Contribution is what the portal adds for the tenants (a System per tenant, the "Request a
	// tenancy" template): pass it in the portal's contributions. Nothing in it is secret.
	Contribution Contribution `pulumi:"contribution"`
}

// constructTenantAccess decodes the inputs into access.Args, computes the contribution and
// calls NewTenantAccess.
func constructTenantAccess(ctx *pulumi.Context, name string, in pulumi.Map, opts pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	args, err := tenantAccessArgs(ctx, in)
	if err != nil {
		return nil, err
	}
	part, err := access.Contribution(args)
	if err != nil {
		return nil, err
	}
	contribution, err := exportContribution(part)
	if err != nil {
		return nil, err
	}
	comp, err := access.NewTenantAccess(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	return result(comp, &tenantAccessOutputs{Contribution: contribution})
}

// tenantAccessArgs decodes the inputs; it registers nothing.
func tenantAccessArgs(ctx *pulumi.Context, in pulumi.Map) (*access.Args, error) {
	var ti tenantAccessInputs
	if _, err := decodeInputs(ctx, in, &ti); err != nil {
		return nil, err
	}
	var errs validate.Errors
	if ti.AdminGroup == "" {
		errs.Add("adminGroup", "is required: the portal's admin group (its adminGroup), which no tenancy may take")
	}
	a := ti.Args
	a.Environment = ti.Environment
	a.Tenants = ti.Tenants
	a.PortalNamespace = ti.PortalNamespace
	a.AdminGroup = ti.AdminGroup
	a.PortalRepository = ti.PortalRepository
	errs.Merge("", a.Validate())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &a, nil
}
