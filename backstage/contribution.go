package backstage

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Contribution is what a component adds to the portal: a partial app-config, catalog entities,
// files published beside them (template skeletons), and environment variables. The portal
// merges contributions deterministically (see Compose) and owns where each piece lands: the
// app-config and catalog in ConfigMaps, SecretEnv only in the portal's Secret.
type Contribution struct {
	// Name identifies the contribution in errors and names its catalog file; a DNS label.
	Name string
	// Config is merged into the app-config. It must hold no secret: reference secrets as
	// ${VAR} and provide VAR in SecretEnv.
	Config AppConfig
	// Entities are written to the generated catalog and registered as a file location.
	Entities []Entity
	// Files are extra non-secret files published beside the catalog, by path relative to the
	// contribution's catalog directory (e.g. a template's "skeleton/tenant.yaml").
	Files map[string]string
	// SecretEnv maps environment variable names to secret values; they reach the pod only
	// through the portal's Secret.
	SecretEnv map[string]pulumi.StringInput
	// Env maps environment variable names to non-secret values set on the container.
	Env map[string]pulumi.StringInput
}
