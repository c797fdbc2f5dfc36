package provider

import (
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// DefaultDatabasePort is databasePort's default.
const DefaultDatabasePort = 5432

// secretEnvContribution names the contribution that carries the portal's secretEnv input.
const secretEnvContribution = "secret-env"

// portalInputs are DeveloperPortal's inputs: the keys of the stack's `developer-portal:portal`
// section, and the connection, credentials and contributions that come from elsewhere.
type portalInputs struct {
	portal.Args

	// Contributions are what the other components add to the portal, merged in order: the
	// `contribution` outputs of TenantAccess and GitHubIntegration. Known before deployment,
	// never secret.
	Contributions []Contribution `json:"contributions,omitempty"`
	// CloudIdentity is how the pods get cloud credentials: "gke" (GKE Workload Identity: the
	// egress policy lets them reach the GKE metadata server), "irsa" (EKS IRSA) or empty (none).
	CloudIdentity string `json:"cloudIdentity,omitempty"`

	// DatabaseHost is the PostgreSQL server's host name or address. Required.
	DatabaseHost pulumi.StringInput `json:"-" pulumi:"databaseHost"`
	// DatabasePort is the PostgreSQL server's port. Default 5432.
	DatabasePort pulumi.IntInput `json:"-" pulumi:"databasePort"`
	// DatabaseName is the database the portal uses (one schema per plugin). Required.
	DatabaseName pulumi.StringInput `json:"-" pulumi:"databaseName"`
	// DatabaseUser is the login the portal connects as. Required.
	DatabaseUser pulumi.StringInput `json:"-" pulumi:"databaseUser"`
	// DatabasePassword is the login's password; always kept secret. Required.
	DatabasePassword pulumi.StringInput `json:"-" pulumi:"databasePassword" provider:"secret"`
	// DatabaseCaCertificate is the PEM of the CA that signed the server's certificate: the
	// portal verifies it. Required.
	DatabaseCaCertificate pulumi.StringInput `json:"-" pulumi:"databaseCaCertificate"`
	// ServiceToken is the static token other services present to the backend; always kept
	// secret. Default: a generated random password (then pass a random provider).
	ServiceToken pulumi.StringInput `json:"-" pulumi:"serviceToken" provider:"secret"`
	// SecretEnv are environment variables that reach the pod only through the portal's
	// Secret (the GitHub credentials a GitHubIntegration's secretEnv output carries), by name.
	// The names must be known before deployment; the values are always kept secret.
	SecretEnv pulumi.StringMapInput `json:"-" pulumi:"secretEnv" provider:"secret"`
	// ClusterTokens are the service-account tokens of extraClusters using the serviceAccount
	// auth provider, by cluster name. Always kept secret; the names must be known.
	ClusterTokens pulumi.StringMapInput `json:"-" pulumi:"clusterTokens" provider:"secret"`
	// ServiceAccountAnnotations go on the portal's ServiceAccount (Workload Identity's
	// iam.gke.io/gcp-service-account, IRSA's eks.amazonaws.com/role-arn).
	ServiceAccountAnnotations pulumi.StringMapInput `json:"-" pulumi:"serviceAccountAnnotations"`
}

// constructPortal decodes the inputs into portal.Args and calls NewDeveloperPortal.
func constructPortal(ctx *pulumi.Context, name string, in pulumi.Map, opts pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
	args, err := portalArgs(ctx, in)
	if err != nil {
		return nil, err
	}
	comp, err := portal.NewDeveloperPortal(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	return result(comp, nil)
}

// portalArgs decodes and assembles the portal's Args; it registers nothing.
func portalArgs(ctx *pulumi.Context, in pulumi.Map) (*portal.Args, error) {
	var pi portalInputs
	awaitedOutputs, err := decodeInputs(ctx, in, &pi)
	var errs validate.Errors
	errs.Merge("", err)
	for _, req := range []struct {
		name  string
		value pulumi.StringInput
	}{
		{"databaseHost", pi.DatabaseHost}, {"databaseName", pi.DatabaseName},
		{"databaseUser", pi.DatabaseUser}, {"databasePassword", pi.DatabasePassword},
		{"databaseCaCertificate", pi.DatabaseCaCertificate},
	} {
		// Absent or null; a value of the wrong shape is already reported.
		if req.value == nil && !hasProblem(&errs, req.name) {
			errs.Add(req.name, "is required")
		}
	}
	a := pi.Args
	a.CloudIdentity = pi.CloudIdentity
	a.Contributions = importContributions(pi.Contributions, &errs)
	if env := secretMap("secretEnv", in["secretEnv"], awaitedOutputs["secretEnv"], &errs); len(env) > 0 {
		a.Contributions = append(a.Contributions, backstage.Contribution{Name: secretEnvContribution, SecretEnv: env})
	}
	if tokens := secretMap("clusterTokens", in["clusterTokens"], awaitedOutputs["clusterTokens"], &errs); len(tokens) > 0 {
		a.ClusterTokens = tokens
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	port := pi.DatabasePort
	if port == nil {
		port = pulumi.Int(DefaultDatabasePort)
	}
	a.Database = backstage.Postgres{
		Host: pi.DatabaseHost, Port: port, Database: pi.DatabaseName, User: pi.DatabaseUser,
		Password: pi.DatabasePassword, CACert: pi.DatabaseCaCertificate,
		Auth: cloud.AuthPassword, PluginDivisionMode: database.PluginDivisionMode,
	}
	a.ServiceAccountAnnotations = pi.ServiceAccountAnnotations
	a.ServiceToken = pi.ServiceToken
	return &a, nil
}
