package provider

import (
	"fmt"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/github"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// Name is the package's name: the first part of every resource token.
const Name = "coreplatform"

type constructFunc func(ctx *pulumi.Context, name string, in pulumi.Map, opts pulumi.ResourceOption) (*pprovider.ConstructResult, error)

// Component describes one component the provider constructs, for the schema generator: where
// its inputs, outputs and documentation live in this module's source.
type Component struct {
	// Token is the resource token, the component's Type constant.
	Token string
	// Doc is the struct whose doc comment describes the component ("portal.DeveloperPortal").
	Doc TypeName
	// Inputs is the inputs struct: its json fields are plain inputs, its pulumi fields inputs
	// that may come from other resources.
	Inputs TypeName
	// Outputs are the structs whose pulumi fields are the outputs: the component struct, and
	// the provider's extra outputs.
	Outputs []TypeName
	// SecretOutputs are the outputs the component always makes secret (outputs tagged
	// provider:"secret" are secret too).
	SecretOutputs []string

	construct constructFunc
}

// TypeName locates a struct type: its directory relative to the module root, and its name.
type TypeName struct{ Dir, Name string }

// Components are the components the provider constructs.
var Components = []Component{
	{
		Token: portal.Type, Doc: TypeName{"portal", "DeveloperPortal"},
		Inputs:        TypeName{"provider", "portalInputs"},
		Outputs:       []TypeName{{"portal", "DeveloperPortal"}},
		SecretOutputs: []string{"serviceToken"},
		construct:     constructPortal,
	},
	{
		Token: access.Type, Doc: TypeName{"access", "TenantAccess"},
		Inputs:    TypeName{"provider", "tenantAccessInputs"},
		Outputs:   []TypeName{{"access", "TenantAccess"}, {"provider", "tenantAccessOutputs"}},
		construct: constructTenantAccess,
	},
	{
		Token: database.Type, Doc: TypeName{"database", "ManagedDatabase"},
		Inputs:        TypeName{"provider", "managedDatabaseInputs"},
		Outputs:       []TypeName{{"database", "ManagedDatabase"}},
		SecretOutputs: []string{"password"},
		construct:     constructManagedDatabase,
	},
	{
		Token: github.Type, Doc: TypeName{"github", "GitHubIntegration"},
		Inputs:    TypeName{"provider", "gitHubIntegrationInputs"},
		Outputs:   []TypeName{{"github", "GitHubIntegration"}, {"provider", "gitHubIntegrationOutputs"}},
		construct: constructGitHubIntegration,
	},
}

// Construct is the provider's ConstructFunc: it constructs the component typ names. The
// options carry what the program gave the component (its providers: kubernetes, random,
// github, gcp or aws; its parent, dependencies...) and go to the component unchanged.
func Construct(ctx *pulumi.Context, typ, name string, inputs pprovider.ConstructInputs, options pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	in, err := inputs.Map()
	if err != nil {
		return nil, err
	}
	return construct(ctx, typ, name, in, options)
}

func construct(ctx *pulumi.Context, typ, name string, in pulumi.Map, options pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	for _, c := range Components {
		if c.Token == typ {
			return c.construct(ctx, name, in, options)
		}
	}
	return nil, fmt.Errorf("unknown resource type %q", typ)
}
