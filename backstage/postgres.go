package backstage

import (
	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IAMAuthProblem is the one rule on passwordless database logins, which every layer (the
// database component, the portal and the stack) applies. On GCP the portal signs in through
// the Cloud SQL connector (connection.type cloudsql); on AWS it signs an RDS IAM token with
// its IRSA role (connection.type rds). A database of no cloud takes a password. It returns ""
// when IAM authentication is supported on the cloud.
func IAMAuthProblem(provider string) string {
	if provider == cloud.GCP || provider == cloud.AWS {
		return ""
	}
	return "iam is only supported on GCP (Cloud SQL connector) and AWS (RDS IAM tokens); use password"
}

// Postgres is everything the portal needs to reach its PostgreSQL database. ManagedDatabase
// produces one; any other program can build one for a database it manages itself.
type Postgres struct {
	// Host and Port of the server (private address).
	Host pulumi.StringInput
	Port pulumi.IntInput
	// Database is the database the portal uses (with PluginDivisionMode "schema" every plugin
	// gets a schema in it; with "database" it is only the connection's default).
	Database pulumi.StringInput
	// User is the login role (with IAM auth: the IAM principal's database user name).
	User pulumi.StringInput
	// Password is a secret; nil with IAM auth.
	Password pulumi.StringInput
	// CACert is the PEM of the server's CA, mounted into the pod so TLS is verified.
	CACert pulumi.StringInput
	// Auth is cloud.AuthPassword or cloud.AuthIAM.
	Auth string
	// Cloud is "gcp" or "aws": with IAM auth it selects Backstage's cloudsql or rds connector.
	Cloud string
	// CloudSQLInstance is "project:region:instance" (GCP, IAM auth through the Cloud SQL connector).
	CloudSQLInstance pulumi.StringInput
	// Region is the RDS instance's AWS region (AWS, IAM auth: the region the token is signed for).
	Region string
	// PluginDivisionMode is "schema" (one database, a schema per plugin) or "database".
	PluginDivisionMode string
}

// CloudSQLConnector reports whether the portal reaches the database through the Cloud SQL
// connector (IAM authentication on GCP): no host, port, password or CA of its own.
func (p Postgres) CloudSQLConnector() bool { return p.Auth == cloud.AuthIAM && p.Cloud == cloud.GCP }

// RDSIAM reports whether the portal signs in to RDS with IAM tokens (IAM authentication on
// AWS): host, port and the server's CA as with a password, and no password.
func (p Postgres) RDSIAM() bool { return p.Auth == cloud.AuthIAM && p.Cloud == cloud.AWS }
