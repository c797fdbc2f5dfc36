package provider

import (
	"github.com/coreeng/developer-portal/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// gitHubIntegrationInputs are GitHubIntegration's inputs: the keys of the stack's
// `developer-portal:github` section, the stack's environment, the files committed to the
// repository and the credentials.
type gitHubIntegrationInputs struct {
	github.Args

	// Environment is the stack's environment name (e.g. "dev"): the GitHub deployment
	// environment that holds this stack's Actions variables. Required when any variable is
	// written (oidc.cloud set or variables not empty).
	Environment string `json:"environment,omitempty"`
	// AppConfigYaml is the secret-free app-config committed as
	// <files.directory>/app-config.production.yaml. Required when files.manage is true (the
	// default). The portal's appConfigYaml output cannot feed it in the same program (the
	// portal takes this component's contribution): pass the text, or set files.manage false.
	AppConfigYaml string `json:"appConfigYaml,omitempty"`
	// CatalogInfoYaml is the portal's own catalog entities, committed as
	// <files.directory>/catalog-info.yaml. Required when files.manage is true.
	CatalogInfoYaml string `json:"catalogInfoYaml,omitempty"`

	// AppPrivateKey is the GitHub App's PEM private key; setting it selects App credentials.
	// Always kept secret.
	AppPrivateKey pulumi.StringInput `json:"-" pulumi:"appPrivateKey" provider:"secret"`
	// AppClientSecret is the App's OAuth client secret; it also serves GitHub sign-in. Always
	// kept secret.
	AppClientSecret pulumi.StringInput `json:"-" pulumi:"appClientSecret" provider:"secret"`
	// AppWebhookSecret verifies webhook deliveries from the App. Optional; always kept secret.
	AppWebhookSecret pulumi.StringInput `json:"-" pulumi:"appWebhookSecret" provider:"secret"`
	// Token is a personal access token used instead of an App, for trials only; setting it
	// together with App credentials is an error. Always kept secret.
	Token pulumi.StringInput `json:"-" pulumi:"token" provider:"secret"`
}

// gitHubIntegrationOutputs are the outputs only the provider has.
type gitHubIntegrationOutputs struct {
	// Contribution is what the portal adds for GitHub (integration, discovery, organisation
	// sync, sign-in), with credentials referenced as ${VAR}: pass it in the portal's
	// contributions. Nothing in it is secret.
	Contribution Contribution `pulumi:"contribution"`
	// SecretEnv holds the credentials the contribution references, by environment variable
	// name: pass it as the portal's secretEnv. Secret.
	SecretEnv pulumi.StringMapOutput `pulumi:"secretEnv" provider:"secret"`
}

// constructGitHubIntegration decodes the inputs into github.Args and calls
// NewGitHubIntegration.
func constructGitHubIntegration(ctx *pulumi.Context, name string, in pulumi.Map, opts pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	args, err := gitHubIntegrationArgs(ctx, in)
	if err != nil {
		return nil, err
	}
	comp, err := github.NewGitHubIntegration(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	contribution, err := exportContribution(comp.Contribution)
	if err != nil {
		return nil, err
	}
	return result(comp, &gitHubIntegrationOutputs{Contribution: contribution, SecretEnv: secretEnvOutput(comp.Contribution)})
}

// gitHubIntegrationArgs decodes the inputs; it registers nothing.
func gitHubIntegrationArgs(ctx *pulumi.Context, in pulumi.Map) (*github.Args, error) {
	var gi gitHubIntegrationInputs
	if _, err := decodeInputs(ctx, in, &gi); err != nil {
		return nil, err
	}
	a := gi.Args
	a.Environment = gi.Environment
	a.AppConfigYAML = gi.AppConfigYaml
	a.CatalogInfoYAML = gi.CatalogInfoYaml
	a.AppPrivateKey = gi.AppPrivateKey
	a.AppClientSecret = gi.AppClientSecret
	a.AppWebhookSecret = gi.AppWebhookSecret
	a.Token = gi.Token
	return &a, nil
}
