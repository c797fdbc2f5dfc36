package stack

import (
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/identity"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/coreeng/developer-portal/techdocs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The component Args the stack builds from its configuration (copies: cfg is not changed).

func (c *Config) databaseArgs(id *identity.WorkloadIdentity) *database.Args {
	a := c.Database.Args
	if a.Auth == cloud.AuthIAM {
		if c.Cloud.Provider == cloud.AWS {
			a.IAMRoleName = id.RoleName
		} else {
			a.IAMServiceAccountEmail = id.Email
		}
	}
	return &a
}

// externalDatabase is the database another program manages, or nil.
func (c *Config) externalDatabase() *database.External {
	ext := c.Database.External
	if ext == nil {
		return nil
	}
	return &database.External{
		Host: ext.Host, Port: ext.Port, Database: ext.Database, User: ext.User,
		Password: c.Secrets.Output(KeyDatabasePassword), CACert: ext.CACertificate, Cloud: c.Cloud.Provider,
	}
}

func (c *Config) techDocsArgs(readers, writers []pulumi.StringInput) *techdocs.Args {
	a := c.TechDocs
	if c.Cloud.Provider == cloud.GCP {
		a.ReaderMembers, a.WriterMembers = readers, writers
	} else {
		a.ReaderRoleArns, a.WriterRoleArns = readers, writers
	}
	return &a
}

func (c *Config) portalArgs(pg backstage.Postgres, parts []backstage.Contribution) *portal.Args {
	a := c.Portal
	a.Database = pg
	a.Contributions = parts
	if tokens := c.Secrets.secretObject(KeyKubernetesClusterTokens, "names", &validate.Errors{}); len(tokens) > 0 {
		a.ClusterTokens = tokens
	}
	switch c.Cloud.Provider {
	case cloud.GCP:
		a.CloudIdentity = portal.IdentityGKE
	case cloud.AWS:
		a.CloudIdentity = portal.IdentityIRSA
	}
	return &a
}

// identityArgs federates the portal's ServiceAccount (same namespace and name the portal uses).
func (c *Config) identityArgs() *identity.Args {
	p := c.Portal.WithDefaults()
	a := &identity.Args{
		Cloud:          c.Cloud.Provider,
		Namespace:      p.Namespace,
		ServiceAccount: p.Name,
		Description:    "Developer portal (" + c.Environment + "): TechDocs, database IAM login, cluster discovery",
	}
	switch c.Cloud.Provider {
	case cloud.GCP:
		a.GCP = &identity.GCPArgs{Project: c.Cloud.GCP.Project, AccountID: identityAccountID(p.Name, c.Environment),
			ProjectRoles: c.Portal.IdentityProjectRoles()}
	case cloud.AWS:
		a.AWS = &identity.AWSArgs{OIDCProviderARN: c.Kubernetes.OIDCProviderARN, RoleName: p.Name + "-" + c.Environment}
	}
	return a
}

// identityAccountID fits "<name>-<env>" into a service account id (at most 30 characters).
func identityAccountID(name, env string) string {
	id := name + "-" + env
	if len(id) > 30 {
		id = id[:30]
	}
	for len(id) > 0 && id[len(id)-1] == '-' {
		id = id[:len(id)-1]
	}
	return id
}
