package techdocs

import (
	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's type token.
const Type = "coreplatform:techdocs:TechDocsPublisher"

// Defaults applied by WithDefaults.
const (
	// DefaultLocation is the Core Platform's home region on GCP.
	DefaultLocation = "EUROPE-WEST2"
	// DefaultNoncurrentVersionDays keeps superseded object versions for a month: every publish
	// rewrites every file, so versions would otherwise grow without bound.
	DefaultNoncurrentVersionDays = 30
	// DefaultOwner is the team that owns the documentation entity (a group from the GitHub
	// organisation sync).
	DefaultOwner = "group:default/platform-team"
)

// Args configures the publisher. Plain fields are the stack's config section
// `developer-portal:techdocs`; their json names are the config keys.
type Args struct {
	// Cloud is "gcp" or "aws": where the bucket lives (the platform's account). Set by the stack.
	Cloud string `json:"cloud,omitempty"`
	// BucketName is the bucket's globally unique name (required), checked against the cloud's
	// naming rules.
	BucketName string `json:"bucketName,omitempty"`
	// Location is the GCS location (GCP only). Default EUROPE-WEST2.
	Location string `json:"location,omitempty"`
	// Project is the GCP project holding the bucket (GCP only). Empty: the provider's project.
	// Also written to techdocs.publisher.googleGcs.projectId.
	Project string `json:"project,omitempty"`
	// Region is the AWS region of the bucket (AWS only, required). It must be the region of the
	// provider passed in: the S3 bucket is created there and the portal is told to read there.
	Region string `json:"region,omitempty"`
	// Protect guards the bucket with Pulumi protect. Default true; false is an explicit opt-out.
	Protect *bool `json:"protect,omitempty"`
	// ForceDestroy lets a delete remove a bucket that still holds objects. Default false; only
	// accepted with protect: false.
	ForceDestroy bool `json:"forceDestroy,omitempty"`
	// NoncurrentVersionDays is how long superseded object versions are kept (1-3650). Default 30.
	NoncurrentVersionDays int `json:"noncurrentVersionDays,omitempty"`
	// Owner is the entity reference of the documentation's owner. Default group:default/platform-team.
	Owner string `json:"owner,omitempty"`
	// Repository is "<org>/<repo>" of the repository the documentation is built from (optional):
	// adds the github.com/project-slug and source-location annotations to the entity.
	Repository string `json:"repository,omitempty"`

	// ReaderMembers are the GCP IAM members that read the published site: the portal's service
	// account ("serviceAccount:...", bound to its Kubernetes service account by Workload
	// Identity). GCP only, at least one. A list of inputs rather than one array input, so the
	// number of grants is known when the program runs while each value may come from another
	// resource.
	ReaderMembers []pulumi.StringInput `json:"-"`
	// WriterMembers are the GCP IAM members that publish: the CI identity federated from GitHub
	// Actions (a service account or a principalSet:// naming one repository). GCP only, at least one.
	WriterMembers []pulumi.StringInput `json:"-"`
	// ReaderRoleArns are the IAM role ARNs that read (the portal's IRSA role). AWS only, at least one.
	ReaderRoleArns []pulumi.StringInput `json:"-"`
	// WriterRoleArns are the IAM role ARNs that publish (the CI role assumed through GitHub
	// OIDC). AWS only, at least one.
	WriterRoleArns []pulumi.StringInput `json:"-"`
}

// Validate reports every problem with the Args (after defaults) at once, each naming its
// config key, so a program can check all components before registering any resource.
// The principals (readers, writers) usually come from other resources: when given as plain
// strings they are checked here, but their presence is checked by NewTechDocsPublisher.
func (a *Args) Validate() error { return a.validate() }

// WithDefaults returns a copy of the Args with every default applied; the caller's Args are
// never changed.
func (a Args) WithDefaults() Args {
	c := a
	if c.Cloud == cloud.GCP && c.Location == "" {
		c.Location = DefaultLocation
	}
	if c.Protect == nil {
		t := true
		c.Protect = &t
	}
	if c.NoncurrentVersionDays == 0 {
		c.NoncurrentVersionDays = DefaultNoncurrentVersionDays
	}
	if c.Owner == "" {
		c.Owner = DefaultOwner
	}
	return c
}

func (a *Args) protect() bool { return a.Protect == nil || *a.Protect }
