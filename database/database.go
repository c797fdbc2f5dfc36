package database

import (
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

// Type is the component's type token.
const Type = "coreplatform:database:ManagedDatabase"

// PluginDivisionMode is how Backstage lays plugins out in the database: one schema per
// plugin inside the single protected database (see the package documentation).
const PluginDivisionMode = "schema"

// postgresPort is the port both clouds serve PostgreSQL on.
const postgresPort = 5432

// passwordLength is long enough that an alphanumeric password carries > 230 bits.
const passwordLength = 40

// componentName keeps the name usable as a prefix of cloud identifiers (Cloud SQL instance
// names, RDS identifiers and snapshot names): a lower-case letter first, no "--", room for
// the random suffixes.
var componentName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$`)

// ManagedDatabase is the portal's PostgreSQL database on Cloud SQL or RDS.
type ManagedDatabase struct {
	pulumi.ResourceState

	// Connection is everything the portal needs to connect, in the form the portal accepts.
	Connection backstage.Postgres

	// Host is the private address of the server.
	Host pulumi.StringOutput `pulumi:"host"`
	// Port is the server port (5432).
	Port pulumi.IntOutput `pulumi:"port"`
	// DatabaseName is the database the portal uses.
	DatabaseName pulumi.StringOutput `pulumi:"databaseName"`
	// User is the login of the portal (with IAM auth on GCP: the service account's IAM user).
	User pulumi.StringOutput `pulumi:"user"`
	// Password is the portal's password, always secret (an empty secret with IAM auth).
	Password pulumi.StringOutput `pulumi:"password"`
	// CACert is the PEM the portal verifies the server with.
	CACert pulumi.StringOutput `pulumi:"caCert"`
	// ConnectionName is the Cloud SQL "project:region:instance" (empty on AWS).
	ConnectionName pulumi.StringOutput `pulumi:"connectionName"`
	// Endpoint is the RDS "address:port" (empty on GCP).
	Endpoint pulumi.StringOutput `pulumi:"endpoint"`
	// InstanceName is the Cloud SQL instance name or the RDS identifier.
	InstanceName pulumi.StringOutput `pulumi:"instanceName"`
	// IAMPrincipal is the GCP service account email the portal logs in as in IAM mode (empty
	// with passwords).
	IAMPrincipal pulumi.StringOutput `pulumi:"iamPrincipal"`
	// BootstrapSQL is the one-time SQL an administrator runs in IAM mode (empty otherwise);
	// see the package documentation. It holds no secret.
	BootstrapSQL pulumi.StringOutput `pulumi:"bootstrapSql"`
}

// built is what a cloud's children give the component.
type built struct {
	host, user, caCert, instanceName pulumi.StringOutput
	connectionName, endpoint         pulumi.StringOutput
	principal, sql                   pulumi.StringOutput
	port                             pulumi.IntOutput
	cloudSQLInstance                 pulumi.StringInput
}

// NewManagedDatabase creates the portal's database. The caller passes the provider of the
// account it lives in (a gcp or aws provider, for the platform's account or a paired one)
// and a random provider: pulumi.Providers(cloudProvider, randomProvider).
func NewManagedDatabase(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*ManagedDatabase, error) {
	var errs validate.Errors
	if !componentName.MatchString(name) || strings.Contains(name, "--") {
		errs.Add("", "component name %q must be 1-40 lower-case letters, digits and single hyphens, starting with a letter (it prefixes cloud identifiers)", name)
	}
	errs.Merge("", args.Validate())
	errs.Merge("", args.checkWiring())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	d := new(args.WithDefaults())

	comp := &ManagedDatabase{}
	if err := ctx.RegisterComponentResource(Type, name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	var password pulumi.StringOutput
	if d.Auth == cloud.AuthPassword {
		pw, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
			Length: pulumi.Int(passwordLength),
			// Alphanumeric only: the password goes into connection strings and env vars.
			Special:    pulumi.Bool(false),
			MinLower:   pulumi.Int(1),
			MinUpper:   pulumi.Int(1),
			MinNumeric: pulumi.Int(1),
		}, parent)
		if err != nil {
			return nil, err
		}
		password = pulumi.ToSecret(pw.Result).(pulumi.StringOutput)
	}

	var b *built
	var err error
	if d.Cloud == cloud.GCP {
		b, err = newCloudSQL(ctx, name, d, password, parent)
	} else {
		b, err = newRDS(ctx, name, d, password, parent)
	}
	if err != nil {
		return nil, err
	}

	comp.Host = b.host
	comp.Port = b.port
	comp.DatabaseName = pulumi.String(d.DatabaseName).ToStringOutput()
	comp.User = b.user
	if d.Auth == cloud.AuthPassword {
		comp.Password = password
	} else {
		comp.Password = pulumi.ToSecret(pulumi.String("")).(pulumi.StringOutput)
	}
	comp.CACert = b.caCert
	comp.ConnectionName = b.connectionName
	comp.Endpoint = b.endpoint
	comp.InstanceName = b.instanceName
	comp.IAMPrincipal = b.principal
	comp.BootstrapSQL = b.sql

	comp.Connection = d.ConnectionMode()
	comp.Connection.Host, comp.Connection.Port = comp.Host, comp.Port
	comp.Connection.Database, comp.Connection.User = comp.DatabaseName, comp.User
	comp.Connection.CACert, comp.Connection.CloudSQLInstance = comp.CACert, b.cloudSQLInstance
	if d.Auth == cloud.AuthPassword {
		comp.Connection.Password = password
	}

	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"host":           comp.Host,
		"port":           comp.Port,
		"databaseName":   comp.DatabaseName,
		"user":           comp.User,
		"password":       comp.Password,
		"caCert":         comp.CACert,
		"connectionName": comp.ConnectionName,
		"endpoint":       comp.Endpoint,
		"instanceName":   comp.InstanceName,
		"iamPrincipal":   comp.IAMPrincipal,
		"bootstrapSql":   comp.BootstrapSQL,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// dataOptions protects a resource that holds or guards data, unless the stack opted out.
// retain also keeps the cloud resource when Pulumi deletes or replaces it.
func dataOptions(d *Args, retain bool) []pulumi.ResourceOption {
	if !*d.Protect {
		return nil
	}
	opts := []pulumi.ResourceOption{pulumi.Protect(true)}
	if retain {
		opts = append(opts, pulumi.RetainOnDelete(true))
	}
	return opts
}

// labels are the product's labels plus the caller's (which win).
func labels(d *Args) map[string]string {
	out := map[string]string{"app": "developer-portal", "component": "database", "managed-by": "pulumi"}
	for k, v := range d.Labels {
		out[k] = v
	}
	return out
}

func emptyString() pulumi.StringOutput { return pulumi.String("").ToStringOutput() }
