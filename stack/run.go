package stack

import (
	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/github"
	"github.com/coreeng/developer-portal/identity"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/coreeng/developer-portal/techdocs"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Run is the stack program (main.go: pulumi.Run(stack.Run)).
func Run(ctx *pulumi.Context) error { return Program(FromContext(ctx))(ctx) }

// Program returns the stack program reading its configuration from src.
func Program(src Source) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, err := Load(src)
		if err != nil {
			return err
		}
		d, err := prepare(cfg)
		if err != nil {
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

// placeholderInput stands in for values that only exist once a resource is created, so every
// component's Args can be validated before the first registration.
var placeholderInput = pulumi.String("placeholder")

// placeholderMember is a well-formed principal of the cloud, standing in for an identity that
// does not exist yet.
func placeholderMember(cloud string) pulumi.StringInput {
	if cloud == "aws" {
		return pulumi.String("arn:aws:iam::000000000000:role/placeholder")
	}
	return pulumi.String("serviceAccount:placeholder@placeholder.iam.gserviceaccount.com")
}

func placeholderDatabase(auth, cloud string) backstage.Postgres {
	pg := backstage.Postgres{
		Host: placeholderInput, Port: pulumi.Int(5432), Database: placeholderInput,
		User: placeholderInput, CACert: placeholderInput, Auth: auth, Cloud: cloud,
		CloudSQLInstance: placeholderInput, PluginDivisionMode: "schema",
	}
	if auth != backstage.AuthIAM {
		pg.Password = placeholderInput
	}
	return pg
}

// prepare validates every component's Args and computes the contributions and the app-config.
func prepare(cfg *Config) (*deployment, error) {
	var errs validate.Errors
	d := &deployment{cfg: cfg}

	dbAuth := backstage.AuthPassword
	if cfg.Database.External == nil {
		db := cfg.databaseArgs(placeholderInput, placeholderInput)
		errs.Merge(fullKey("database"), db.Validate())
		if db.Auth == backstage.AuthIAM {
			dbAuth = backstage.AuthIAM
		}
	}

	// A component's contribution is only computed once its Args are valid, so each problem
	// is reported once.
	var ghPart, tdPart, tenantPart backstage.Contribution
	if err := cfg.GitHub.Validate(); err != nil {
		errs.Merge(fullKey("github"), err)
	} else if ghPart, err = github.Contribution(&cfg.GitHub); err != nil {
		errs.Merge(fullKey("github"), err)
	}

	member := placeholderMember(cfg.Cloud.Provider)
	td := cfg.techDocsArgs([]pulumi.StringInput{member}, []pulumi.StringInput{member})
	if err := td.Validate(); err != nil {
		errs.Merge(fullKey("techdocs"), err)
	} else if tdPart, err = techdocs.Contribution(td); err != nil {
		errs.Merge(fullKey("techdocs"), err)
	}

	if cfg.Tenants.Tenants == nil {
		tenants, err := access.LoadTenants(cfg.Tenants.WithDefaults().Dir)
		if err != nil {
			errs.Merge(fullKey("tenants")+".dir", err)
		}
		cfg.Tenants.Tenants = tenants
	}
	if err := cfg.Tenants.Validate(); err != nil {
		errs.Merge(fullKey("tenants"), err)
	} else if tenantPart, err = access.Contribution(&cfg.Tenants); err != nil {
		errs.Merge(fullKey("tenants"), err)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}

	d.contributions = []backstage.Contribution{ghPart, tenantPart, tdPart}
	pa := cfg.portalArgs(placeholderDatabase(dbAuth, cfg.Cloud.Provider), d.contributions, nil)
	errs.Merge(fullKey("portal"), pa.Validate())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	doc, err := portal.AppConfig(pa)
	if err != nil {
		errs.Merge(fullKey("portal"), err)
		return nil, errs.Err()
	}
	b, err := doc.YAML()
	if err != nil {
		return nil, err
	}
	d.appConfigYAML = string(b)
	entity, err := backstage.MarshalEntities([]backstage.Entity{portal.CatalogEntity(pa)})
	if err != nil {
		return nil, err
	}
	d.catalogInfo = string(entity)
	return d, nil
}

// deploy registers everything. Only reached with a fully validated configuration.
func (d *deployment) deploy(ctx *pulumi.Context) error {
	cfg := d.cfg
	p, err := newProviders(ctx, cfg)
	if err != nil {
		return err
	}

	id, err := identity.NewWorkloadIdentity(ctx, "portal-identity", cfg.identityArgs(), pulumi.Provider(p.Platform))
	if err != nil {
		return err
	}
	if gke := cfg.Portal.Kubernetes.GKE; gke != nil && cfg.Cloud.Provider == "gcp" {
		// GKE cluster discovery reads cluster metadata with the portal's own identity.
		if _, err := projects.NewIAMMember(ctx, "portal-identity-gke-viewer", &projects.IAMMemberArgs{
			Project: pulumi.String(gke.ProjectID),
			Role:    pulumi.String(portal.GKEViewerRole),
			Member:  id.Member,
		}, pulumi.Parent(id), pulumi.Provider(p.Platform)); err != nil {
			return err
		}
	}

	pg, dbOutputs, err := d.database(ctx, p, id)
	if err != nil {
		return err
	}

	gh := cfg.GitHub
	gh.AppConfigYAML, gh.CatalogInfoYAML = d.appConfigYAML, d.catalogInfo
	ghOpts := []pulumi.ResourceOption{pulumi.Providers(p.Platform)}
	if p.GitHub != nil {
		ghOpts = []pulumi.ResourceOption{pulumi.Providers(p.GitHub, p.Platform)}
	}
	ghi, err := github.NewGitHubIntegration(ctx, "github", &gh, ghOpts...)
	if err != nil {
		return err
	}

	td := cfg.techDocsArgs([]pulumi.StringInput{id.Member}, []pulumi.StringInput{ghi.CIPrincipal})
	docs, err := techdocs.NewTechDocsPublisher(ctx, "techdocs", td, pulumi.Provider(p.Platform))
	if err != nil {
		return err
	}

	tenantOpts := []pulumi.ResourceOption{pulumi.Providers(p.Kubernetes)}
	if p.GitHub != nil {
		tenantOpts = []pulumi.ResourceOption{pulumi.Providers(p.Kubernetes, p.GitHub)}
	}
	tenants, err := access.NewTenantAccess(ctx, "tenants", &cfg.Tenants, tenantOpts...)
	if err != nil {
		return err
	}

	dp, err := portal.NewDeveloperPortal(ctx, "portal", cfg.portalArgs(pg, d.contributions, id.Annotations),
		pulumi.Providers(p.Kubernetes, p.Random))
	if err != nil {
		return err
	}

	ctx.Export("portalUrl", dp.URL)
	ctx.Export("portalNamespace", dp.Namespace)
	ctx.Export("portalIdentity", id.Member)
	for k, v := range dbOutputs {
		ctx.Export(k, v)
	}
	ctx.Export("repositoryUrl", ghi.RepositoryURL)
	ctx.Export("ciIdentity", ghi.CIPrincipal)
	ctx.Export("techdocsBucket", docs.BucketName)
	ctx.Export("tenants", tenants.TenantNames)
	return nil
}

// database creates the ManagedDatabase, or describes the external one.
func (d *deployment) database(ctx *pulumi.Context, p *Providers, id *identity.WorkloadIdentity) (backstage.Postgres, pulumi.Map, error) {
	cfg := d.cfg
	if ext := cfg.Database.External; ext != nil {
		pg := backstage.Postgres{
			Host: pulumi.String(ext.Host), Port: pulumi.Int(ext.Port), Database: pulumi.String(ext.Database),
			User: pulumi.String(ext.User), Password: cfg.Secrets.Output(KeyDatabasePassword),
			CACert: pulumi.String(ext.CACertificate), Auth: backstage.AuthPassword, Cloud: cfg.Cloud.Provider,
			PluginDivisionMode: "schema",
		}
		return pg, pulumi.Map{"databaseHost": pulumi.String(ext.Host)}, nil
	}
	db, err := database.NewManagedDatabase(ctx, "portal-db", cfg.databaseArgs(id.Email, id.RoleName),
		pulumi.Providers(p.Database, p.Random))
	if err != nil {
		return backstage.Postgres{}, nil, err
	}
	outputs := pulumi.Map{"databaseInstance": db.InstanceName}
	if cfg.Cloud.Provider == "gcp" {
		outputs["databaseConnectionName"] = db.ConnectionName
	} else {
		outputs["databaseEndpoint"] = db.Endpoint
	}
	if cfg.Database.Args.Auth == backstage.AuthIAM {
		outputs["databaseBootstrapSql"] = db.BootstrapSQL
	}
	return db.Connection, outputs, nil
}
