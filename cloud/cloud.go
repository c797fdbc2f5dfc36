// Package cloud names the clouds and the database authentication modes that several components
// and the stack configuration share. It is exported, not internal, because importers set these
// values in the components' Args (database.Args.Cloud, techdocs.Args.Cloud, github OIDC cloud).
package cloud

// Clouds a component can target. None is a cluster without a cloud account the stack manages
// (stack configuration only: no component provisions anything on None).
const (
	GCP  = "gcp"
	AWS  = "aws"
	None = "none"
)

// Database authentication modes: a generated password, or (GCP only) Cloud IAM database
// authentication through the Cloud SQL connector.
const (
	AuthPassword = "password"
	AuthIAM      = "iam"
)
