package stack

import (
	"encoding/pem"
	"net"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/internal/validate"
)

// Database is `developer-portal:database`: where the portal's PostgreSQL lives, then the
// ManagedDatabase settings themselves (the keys of database.Args), or an external database.
type Database struct {
	// Placement is "platform" (the platform's own account, default) or "paired" (a paired
	// cloud account, reached through Paired).
	Placement string `json:"placement,omitempty"`
	// Paired is the paired account: a GCP project, or an AWS account reached by assuming a role.
	Paired *Paired `json:"paired,omitempty"`
	// External is a database another program manages: no ManagedDatabase is created and the
	// portal connects to it (password from the databasePassword secret).
	External *ExternalDatabase `json:"external,omitempty"`

	database.Args
}

// Paired names the paired cloud account.
type Paired struct {
	// GCP: the paired project (and its region; default the platform's).
	Project string `json:"project,omitempty"`
	// AWS: the paired account, the role the stack assumes there, and its region.
	AccountID string `json:"accountId,omitempty"`
	// RoleArn is the role the stack assumes in the paired AWS account.
	RoleArn string `json:"roleArn,omitempty"`
	// Region of the paired account (default: the platform's).
	Region string `json:"region,omitempty"`
}

// ExternalDatabase is a PostgreSQL the portal uses but this stack does not manage.
type ExternalDatabase struct {
	// Host name or IP address of the server.
	Host string `json:"host,omitempty"`
	// Port of the server. Default 5432.
	Port int `json:"port,omitempty"`
	// Database the portal uses (one schema per plugin).
	Database string `json:"database,omitempty"`
	// User the portal logs in as; its password is the databasePassword secret.
	User string `json:"user,omitempty"`
	// CACertificate is the PEM of the CA that signed the server's certificate.
	CACertificate string `json:"caCertificate,omitempty"`
}

func (d *Database) pairedGCP() *Paired {
	if d.External != nil || d.Placement != "paired" || d.Paired == nil || d.Paired.Project == "" {
		return nil
	}
	return d.Paired
}

func (d *Database) pairedAWS() *Paired {
	if d.External != nil || d.Placement != "paired" || d.Paired == nil || d.Paired.RoleArn == "" {
		return nil
	}
	return d.Paired
}

// resolve fills what the database section inherits from the cloud section (the cloud, and the
// project and region of the account it lands in) and validates the section as a whole.
func (d *Database) resolve(platform *Cloud) error {
	var errs validate.Errors
	if d.External != nil {
		d.External.check(&errs)
		if d.Placement != "" || d.Paired != nil {
			errs.Add("placement", "does not apply to an external database")
		}
		if d.Args.GCP != nil || d.Args.AWS != nil || d.Args.Cloud != "" {
			errs.Add("external", "conflicts with the managed database settings (cloud, gcp, aws): choose one")
		}
		return errs.Err()
	}
	if platform.Provider == cloud.None {
		errs.Add("external", "is required with cloud provider none: there is no cloud account to create a database in")
		return errs.Err()
	}
	if d.Placement == "" {
		d.Placement = "platform"
	}
	if d.Args.Cloud != "" && d.Args.Cloud != platform.Provider {
		errs.Add("cloud", "%q differs from developer-portal:cloud.provider %q; leave it unset", d.Args.Cloud, platform.Provider)
	}
	d.Args.Cloud = platform.Provider
	switch d.Placement {
	case "platform":
		if d.Paired != nil {
			errs.Add("paired", "is only used with placement: paired")
		}
	case "paired":
		if d.Paired == nil {
			errs.Add("paired", "is required with placement: paired (GCP: project; AWS: accountId and roleArn)")
		}
	default:
		errs.Add("placement", "%q is not supported (platform or paired)", d.Placement)
	}
	switch platform.Provider {
	case "gcp":
		if d.Args.GCP == nil {
			errs.Add("gcp", "is required on GCP (at least privateNetwork)")
			break
		}
		if d.Placement == "paired" && d.Paired != nil {
			if !validate.GCPProjectID(d.Paired.Project) {
				errs.Add("paired.project", "%q is not a valid GCP project id", d.Paired.Project)
			}
			if d.Paired.AccountID != "" || d.Paired.RoleArn != "" {
				errs.Add("paired", "accountId and roleArn apply to AWS; on GCP give project")
			}
			if d.Args.GCP.Project != "" && d.Args.GCP.Project != d.Paired.Project {
				errs.Add("gcp.project", "%q differs from paired.project %q; leave it unset", d.Args.GCP.Project, d.Paired.Project)
			}
			d.Args.GCP.Project = d.Paired.Project
		}
		if d.Args.GCP.Project == "" && platform.GCP != nil {
			d.Args.GCP.Project = platform.GCP.Project
		}
		if d.Args.GCP.Region == "" && platform.GCP != nil {
			d.Args.GCP.Region = platform.GCP.Region
			if d.Paired != nil && d.Paired.Region != "" {
				d.Args.GCP.Region = d.Paired.Region
			}
		}
	case "aws":
		if d.Args.AWS == nil {
			errs.Add("aws", "is required on AWS (subnetIds, securityGroupIds, caBundle)")
			break
		}
		if d.Placement == "paired" && d.Args.Auth == cloud.AuthIAM {
			// The portal's role lives in the platform's account; RDS accepts IAM tokens only
			// from principals of the instance's own account.
			errs.Add("auth", "iam needs placement platform on AWS: RDS IAM tokens must be signed by a role of the instance's account, and the portal's role is the platform's")
		}
		if d.Placement == "paired" && d.Paired != nil {
			if !awsAccountID.MatchString(d.Paired.AccountID) {
				errs.Add("paired.accountId", "%q is not a 12-digit AWS account id", d.Paired.AccountID)
			}
			if !validate.IAMRoleARN(d.Paired.RoleArn) {
				errs.Add("paired.roleArn", "%q is not an IAM role ARN (the role the stack assumes in the paired account)", d.Paired.RoleArn)
			}
			if d.Paired.Project != "" {
				errs.Add("paired.project", "applies to GCP; on AWS give accountId and roleArn")
			}
		}
		if d.Args.AWS.Region == "" && platform.AWS != nil {
			d.Args.AWS.Region = platform.AWS.Region
			if d.Paired != nil && d.Paired.Region != "" {
				d.Args.AWS.Region = d.Paired.Region
			}
		}
	}
	return errs.Err()
}

func (e *ExternalDatabase) check(errs *validate.Errors) {
	if !validate.DNSName(e.Host) && net.ParseIP(e.Host) == nil {
		errs.Add("external.host", "%q is not a valid host name or IP address", e.Host)
	}
	if e.Port == 0 {
		e.Port = 5432
	}
	if e.Port < 1 || e.Port > 65535 {
		errs.Add("external.port", "%d is not a TCP port", e.Port)
	}
	if e.Database == "" {
		errs.Add("external.database", "is required")
	}
	if e.User == "" {
		errs.Add("external.user", "is required")
	}
	if block, _ := pem.Decode([]byte(e.CACertificate)); block == nil || block.Type != "CERTIFICATE" {
		errs.Add("external.caCertificate", "must be a PEM certificate (the CA the portal verifies the server against)")
	}
}
