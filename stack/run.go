package stack

import (
	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/github"
	"github.com/coreeng/developer-portal/identity"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/coreeng/developer-portal/techdocs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Run is the stack program (main.go: pulumi.Run(stack.Run)).
func Run(ctx *pulumi.Context) error { return Program(FromContext(ctx))(ctx) }

// Program returns the stack program reading its configuration from src.
func Program(src Source) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, errs := load(src)
		if cfg == nil {
			errs.Redact(secretValues(src))
			return errs.Err()
		}
		d := prepare(cfg, failedSections(errs), errs)
		if err := errs.Err(); err != nil {
			// A value set as a secret is never echoed, whichever check quotes it.
			errs.Redact(secretValues(src))
			return err
		}
		return d.deploy(ctx)
	}
}

// deployment is a validated configuration with every pure value computed: the components'
// contributions and the composed app-config. Building it registers nothing.
type deployment struct {
	cfg           *Config
	contributions []backstage.Contribution
	appConfigYAML string
	catalogInfo   string
}

// prepare validates the Args of every component whose section loaded without problems, and
// computes the contributions and the app-config. Problems are added to errs. Each component's
// Validate looks only at what is known before registration; the inputs one component takes
// from another's outputs (identities, the database's address) are checked by the constructors.
func prepare(cfg *Config, failed map[string]bool, errs *validate.Errors) *deployment {
	d := &deployment{cfg: cfg}
	ok := func(sections ...string) bool {
		for _, s := range sections {
			if failed[s] {
				return false
			}
		}
		return true
	}

	// The portal is checked against the database connection's mode. When the database section
	// itself is wrong, password login stands in, so its problems are reported once, under its
	// own key.
	dbMode := database.Args{Cloud: cfg.Cloud.Provider}.ConnectionMode()
	if ext := cfg.externalDatabase(); ext != nil {
		dbMode = ext.Connection()
	} else if ok("database") {
		if err := cfg.Database.Args.Validate(); err != nil {
			errs.Merge(fullKey("database"), err)
		} else {
			dbMode = cfg.Database.Args.ConnectionMode()
		}
	}

	// A component's contribution is only computed once its Args are valid, so each problem
	// is reported once.
	var ghPart, tdPart, tenantPart backstage.Contribution
	if ok("github", KeyGitHubAppPrivateKey, KeyGitHubAppClientSecret, KeyGitHubToken) {
		if err := cfg.GitHub.Validate(); err != nil {
			errs.Merge(fullKey("github"), err)
		} else if ghPart, err = github.Contribution(&cfg.GitHub); err != nil {
			errs.Merge(fullKey("github"), err)
		}
	}
	if cfg.hasCloud() && ok("techdocs") {
		td := cfg.TechDocs
		if err := td.Validate(); err != nil {
			errs.Merge(fullKey("techdocs"), err)
		} else if tdPart, err = techdocs.Contribution(&td); err != nil {
			errs.Merge(fullKey("techdocs"), err)
		}
	}
	if ok("tenants") {
		tenantPart = d.tenants(errs)
	}
	cfg.Secrets.secretObject(KeyKubernetesClusterTokens, "names", errs)
	var secretEnvPart backstage.Contribution
	if env := cfg.Secrets.portalSecretEnv(errs); len(env) > 0 {
		secretEnvPart = backstage.Contribution{Name: secretEnvContribution, SecretEnv: env}
	}

	// The portal is validated even when another component failed, with the contributions
	// that could be computed, so every problem is reported in one run.
	for _, part := range []backstage.Contribution{ghPart, tenantPart, tdPart, secretEnvPart} {
		if part.Name != "" {
			d.contributions = append(d.contributions, part)
		}
	}
	if !ok("portal") {
		return d
	}
	if cfg.Tenants.Shard.Index > 0 {
		// A tenant shard's stack deploys no portal. Its settings are still checked, so that
		// every stack of the project reports the same configuration problems, but not the
		// catalog, nor the app-config and files built from it: they are the portal's stack's,
		// and marshalling every tenant's entities is most of a shard program's time.
		var parts []backstage.Contribution
		for _, c := range d.contributions {
			c.Entities, c.Parts = nil, nil
			parts = append(parts, c)
		}
		if err := cfg.portalArgs(dbMode, parts).Validate(); err != nil {
			errs.Merge(fullKey("portal"), err)
		}
		return d
	}
	pa := cfg.portalArgs(dbMode, d.contributions)
	if err := pa.Validate(); err != nil {
		errs.Merge(fullKey("portal"), err)
		return d
	}
	doc, err := portal.AppConfig(pa)
	if err != nil {
		errs.Merge(fullKey("portal"), err)
		return d
	}
	b, err := doc.YAML()
	if err != nil {
		errs.Merge(fullKey("portal"), err)
		return d
	}
	d.appConfigYAML = string(b)
	entity, err := backstage.MarshalEntities([]backstage.Entity{portal.CatalogEntity(pa)})
	if err != nil {
		errs.Merge(fullKey("portal"), err)
		return d
	}
	d.catalogInfo = string(entity)
	if ok("github", KeyGitHubAppPrivateKey, KeyGitHubAppClientSecret, KeyGitHubToken) {
		// The files committed to the repository are checked here, not in the constructor
		// after the identity and the database were registered.
		gh := cfg.GitHub
		gh.AppConfigYAML, gh.CatalogInfoYAML = d.appConfigYAML, d.catalogInfo
		errs.Merge(fullKey("github"), github.CheckGeneratedFiles(&gh))
	}
	return d
}

// tenants loads the tenant definitions (once), validates them and returns their
// contribution.
func (d *deployment) tenants(errs *validate.Errors) backstage.Contribution {
	t := &d.cfg.Tenants
	if t.Tenants == nil {
		tenants, err := access.LoadTenants(t.WithDefaults().Dir)
		if err != nil {
			errs.Merge(fullKey("tenants"), err)
			return backstage.Contribution{}
		}
		t.Tenants = tenants
	}
	if t.Shard.Index > 0 {
		// A tenant shard's stack deploys no catalog: validating every tenant is all it
		// needs, and building their entities would be most of its program's time.
		if err := t.Validate(); err != nil {
			errs.Merge(fullKey("tenants"), err)
			return backstage.Contribution{}
		}
		return backstage.Contribution{Name: access.ContributionName}
	}
	// Contribution validates first, and returns the same problems Validate would.
	part, err := access.Contribution(t)
	if err != nil {
		errs.Merge(fullKey("tenants"), err)
	}
	return part
}

// deploy registers everything. Only reached with a fully validated configuration.
func (d *deployment) deploy(ctx *pulumi.Context) error {
	cfg := d.cfg
	if cfg.Tenants.Shard.Index > 0 {
		return d.deployTenantShard(ctx)
	}
	p, err := newProviders(ctx, cfg)
	if err != nil {
		return err
	}

	var id *identity.WorkloadIdentity
	if cfg.hasCloud() {
		if id, err = identity.NewWorkloadIdentity(ctx, "portal-identity", cfg.identityArgs(), pulumi.Provider(p.Platform)); err != nil {
			return err
		}
	}

	pg, dbOutputs, err := d.database(ctx, p, id)
	if err != nil {
		return err
	}

	gh := cfg.GitHub
	gh.AppConfigYAML, gh.CatalogInfoYAML = d.appConfigYAML, d.catalogInfo
	ghi, err := github.NewGitHubIntegration(ctx, "github", &gh, pulumi.Providers(p.forGitHub()...))
	if err != nil {
		return err
	}

	var docs *techdocs.TechDocsPublisher
	if cfg.hasCloud() {
		td := cfg.techDocsArgs([]pulumi.StringInput{id.Member}, []pulumi.StringInput{ghi.CIPrincipal})
		if docs, err = techdocs.NewTechDocsPublisher(ctx, "techdocs", td, pulumi.Provider(p.Platform)); err != nil {
			return err
		}
	}

	tenants, err := access.NewTenantAccess(ctx, "tenants", &cfg.Tenants, pulumi.Providers(p.forTenants()...))
	if err != nil {
		return err
	}

	pa := cfg.portalArgs(pg, d.contributions)
	if id != nil {
		pa.ServiceAccountAnnotations = id.Annotations
	}
	pa.ServiceToken = cfg.Secrets.Output(KeyBackstageServiceToken)
	dp, err := portal.NewDeveloperPortal(ctx, "portal", pa, pulumi.Providers(p.forPortal()...))
	if err != nil {
		return err
	}

	ctx.Export("portalUrl", dp.URL)
	ctx.Export("portalNamespace", dp.Namespace)
	for k, v := range dbOutputs {
		ctx.Export(k, v)
	}
	ctx.Export("repositoryUrl", ghi.RepositoryURL)
	ctx.Export("tenants", tenants.TenantNames)
	if cfg.hasCloud() {
		ctx.Export("portalIdentity", id.Member)
		ctx.Export("ciIdentity", ghi.CIPrincipal)
		ctx.Export("ciPreviewIdentity", ghi.PreviewPrincipal)
		ctx.Export("techdocsBucket", docs.BucketName)
	}
	return nil
}

// deployTenantShard registers a tenant shard's stack (tenants.shard.index above 0): its
// tenants' namespaces and teams, with the Kubernetes and GitHub providers they need, and
// nothing else; the portal, its catalog of every tenant and shard 0's tenants are the portal
// stack's. The whole configuration was validated all the same, so every stack of the project
// reports the same problems.
func (d *deployment) deployTenantShard(ctx *pulumi.Context) error {
	cfg := d.cfg
	k8s, err := kubernetesProvider(ctx, cfg)
	if err != nil {
		return err
	}
	p := &Providers{Kubernetes: k8s}
	if cfg.Tenants.ManageTeams() {
		if p.GitHub, err = githubProvider(ctx, cfg); err != nil {
			return err
		}
	}
	tenants, err := access.NewTenantAccess(ctx, "tenants", &cfg.Tenants, pulumi.Providers(p.forTenants()...))
	if err != nil {
		return err
	}
	ctx.Export("tenants", tenants.TenantNames)
	return nil
}

// database creates the ManagedDatabase, or describes the external one.
func (d *deployment) database(ctx *pulumi.Context, p *Providers, id *identity.WorkloadIdentity) (backstage.Postgres, pulumi.Map, error) {
	cfg := d.cfg
	if ext := cfg.externalDatabase(); ext != nil {
		return ext.Connection(), pulumi.Map{"databaseHost": pulumi.String(ext.Host)}, nil
	}
	db, err := database.NewManagedDatabase(ctx, "portal-db", cfg.databaseArgs(id),
		pulumi.Providers(p.forDatabase()...))
	if err != nil {
		return backstage.Postgres{}, nil, err
	}
	outputs := pulumi.Map{"databaseInstance": db.InstanceName}
	if cfg.Cloud.Provider == cloud.GCP {
		outputs["databaseConnectionName"] = db.ConnectionName
	} else {
		outputs["databaseEndpoint"] = db.Endpoint
	}
	if cfg.Database.Args.Auth == cloud.AuthIAM {
		outputs["databaseBootstrapSql"] = db.BootstrapSQL
	}
	return db.Connection, outputs, nil
}
