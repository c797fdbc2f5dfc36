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
	// Parts, instead of Entities and Files, is a catalog that changes while the portal runs
	// (the tenants: one change per merged tenancy request). The portal writes each part to a
	// ConfigMap of its own and mounts them all, outside the pods' configuration checksum: the
	// kubelet updates the mounted files in place and the catalog reads them again at its
	// processing interval, so a change needs no restart, and no single object's size limit
	// caps the catalog. What a part holds may change; how many parts there are and the
	// paths of their Files are part of the pod template, so changing them rolls the pods.
	Parts []CatalogPart
}

// CatalogPart is one part of a contribution's live catalog: one ConfigMap.
type CatalogPart struct {
	// Entities are written to the part's entity file.
	Entities []Entity
	// Files are extra non-secret files, by path relative to the contribution's directory,
	// as in Contribution.Files; no two parts may hold the same path.
	Files map[string]string
}
