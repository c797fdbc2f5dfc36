package backstage

import (
	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IAMAuthProblem is the one rule on passwordless database logins, which every layer (the
// database component, the portal and the stack) applies. On GCP the portal signs in through
// the Cloud SQL connector (connection.type cloudsql), proven against the image's backend. The
// pinned backend can also sign RDS IAM tokens (connection.type rds), but this library does
// not build that path (the rds-db:connect policy, the rds_iam grant, a test of the token
// sign-in), so on AWS and elsewhere the portal logs in with a password. It returns "" when
// IAM authentication is supported on the cloud.
func IAMAuthProblem(provider string) string {
	if provider == cloud.GCP {
		return ""
	}
	return "iam is only supported on GCP (through the Cloud SQL connector; RDS IAM sign-in is " +
		"not built by this library); use password"
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
	// PluginDivisionMode is "schema" (one database, a schema per plugin) or "database".
	PluginDivisionMode string
}
