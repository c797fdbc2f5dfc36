package provider

import (
	"github.com/coreeng/developer-portal/database"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// managedDatabaseInputs are ManagedDatabase's inputs: the keys of the stack's
// `developer-portal:database` section (managed database settings) and the portal's identity.
type managedDatabaseInputs struct {
	database.Args

	// IamServiceAccountEmail is the portal's GCP service account (bound to its Kubernetes
	// service account by Workload Identity). Required with cloud "gcp" and auth "iam".
	IamServiceAccountEmail pulumi.StringInput `json:"-" pulumi:"iamServiceAccountEmail"`
}

// constructManagedDatabase decodes the inputs into database.Args and calls NewManagedDatabase.
func constructManagedDatabase(ctx *pulumi.Context, name string, in pulumi.Map, opts pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	args, err := managedDatabaseArgs(ctx, in)
	if err != nil {
		return nil, err
	}
	comp, err := database.NewManagedDatabase(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	return result(comp, nil)
}

// managedDatabaseArgs decodes the inputs; it registers nothing.
func managedDatabaseArgs(ctx *pulumi.Context, in pulumi.Map) (*database.Args, error) {
	var di managedDatabaseInputs
	if _, err := decodeInputs(ctx, in, &di); err != nil {
		return nil, err
	}
	a := di.Args
	a.IAMServiceAccountEmail = di.IamServiceAccountEmail
	return &a, nil
}
