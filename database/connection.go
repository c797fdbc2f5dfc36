package database

import (
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ConnectionMode is the part of the portal's connection known before the database exists: how
// the portal logs in, the cloud (its connector with IAM login) and the plugin layout. A
// program validates the portal against it before registering anything; the full connection is
// ManagedDatabase.Connection, which starts from it.
func (a Args) ConnectionMode() backstage.Postgres {
	d := a.WithDefaults()
	p := backstage.Postgres{Auth: d.Auth, Cloud: d.Cloud, PluginDivisionMode: PluginDivisionMode}
	if d.AWS != nil && d.Auth == cloud.AuthIAM {
		p.Region = d.AWS.Region
	}
	return p
}

// External is a PostgreSQL another program manages, which the portal uses with a password.
type External struct {
	Host     string
	Port     int
	Database string
	User     string
	// Password is the login's password (a secret).
	Password pulumi.StringInput
	// CACert is the PEM of the CA that signed the server's certificate.
	CACert string
	// Cloud is the platform's cloud ("gcp", "aws" or "none").
	Cloud string
}

// Connection is the portal's connection to the external database: password login, one schema
// per plugin, as with a managed database.
func (e External) Connection() backstage.Postgres {
	return backstage.Postgres{
		Host: pulumi.String(e.Host), Port: pulumi.Int(e.Port), Database: pulumi.String(e.Database),
		User: pulumi.String(e.User), Password: e.Password, CACert: pulumi.String(e.CACert),
		Auth: cloud.AuthPassword, Cloud: e.Cloud, PluginDivisionMode: PluginDivisionMode,
	}
}
