package stack

import (
	"fmt"
	"regexp"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

// Cloud is `developer-portal:cloud`: the platform's own cloud account.
type Cloud struct {
	// Provider is "gcp" or "aws", or "none" for a cluster without a cloud account the stack
	// may use (a non-core platform): then no cloud identity, TechDocs bucket or CI federation is
	// created, and the database must be external.
	Provider string `json:"provider,omitempty"`
	// GCP is the platform's project (provider gcp).
	GCP *GCPCloud `json:"gcp,omitempty"`
	// AWS is the platform's account (provider aws).
	AWS *AWSCloud `json:"aws,omitempty"`
}

// GCPCloud is the platform's GCP project.
type GCPCloud struct {
	// Project is the platform's GCP project id.
	Project string `json:"project,omitempty"`
	// ProjectNumber is the project's number (optional, informational).
	ProjectNumber string `json:"projectNumber,omitempty"`
	// Region of the platform, e.g. europe-west2.
	Region string `json:"region,omitempty"`
}

// AWSCloud is the platform's AWS account.
type AWSCloud struct {
	// AccountID is the 12-digit account the provider is pinned to.
	AccountID string `json:"accountId,omitempty"`
	// Region of the platform, e.g. eu-west-2.
	Region string `json:"region,omitempty"`
	// RoleArn, when set, is assumed for every platform-account resource (otherwise the
	// ambient credentials of the pipeline are used, pinned to AccountID).
	RoleArn string `json:"roleArn,omitempty"`
}

// Kubernetes is `developer-portal:kubernetes`: how to reach the platform cluster.
type Kubernetes struct {
	// Context is the kubeconfig context; empty means the current context.
	Context string `json:"context,omitempty"`
	// OIDCProviderARN is the EKS cluster's IAM OIDC provider, for IRSA (AWS only).
	OIDCProviderARN string `json:"oidcProviderArn,omitempty"`
}

var (
	awsAccountID = regexp.MustCompile(`^[0-9]{12}$`)
	digits       = regexp.MustCompile(`^[0-9]+$`)
)

func (c *Cloud) validate() error {
	var errs validate.Errors
	switch c.Provider {
	case cloud.GCP:
		if c.GCP == nil {
			errs.Add("gcp", "is required when provider is gcp (project, region)")
			break
		}
		c.GCP.check(&errs, "gcp")
		if c.AWS != nil {
			errs.Add("aws", "must not be set when provider is gcp")
		}
	case cloud.AWS:
		if c.AWS == nil {
			errs.Add("aws", "is required when provider is aws (accountId, region)")
			break
		}
		c.AWS.check(&errs, "aws")
		if c.GCP != nil {
			errs.Add("gcp", "must not be set when provider is aws")
		}
	case cloud.None:
		if c.GCP != nil || c.AWS != nil {
			errs.Add("provider", "none takes no gcp or aws settings")
		}
	case "":
		errs.Add("provider", "is required (gcp, aws or none)")
	default:
		errs.Add("provider", "%q is not supported (gcp, aws or none)", c.Provider)
	}
	return errs.Err()
}

func (g *GCPCloud) check(errs *validate.Errors, path string) {
	if !validate.GCPProjectID(g.Project) {
		errs.Add(path+".project", "%q is not a valid GCP project id", g.Project)
	}
	if g.Region != "" && !validate.GCPRegion(g.Region) {
		errs.Add(path+".region", "%q is not a GCP region (e.g. europe-west2)", g.Region)
	}
	if g.Region == "" {
		errs.Add(path+".region", "is required (e.g. europe-west2)")
	}
	if g.ProjectNumber != "" && !digits.MatchString(g.ProjectNumber) {
		errs.Add(path+".projectNumber", "%q must be the numeric project number", g.ProjectNumber)
	}
}

func (a *AWSCloud) check(errs *validate.Errors, path string) {
	if !awsAccountID.MatchString(a.AccountID) {
		errs.Add(path+".accountId", "%q is not a 12-digit AWS account id", a.AccountID)
	}
	if !validate.AWSRegion(a.Region) {
		errs.Add(path+".region", "%q is not an AWS region (e.g. eu-west-2)", a.Region)
	}
	if a.RoleArn != "" && !validate.IAMRoleARN(a.RoleArn) {
		errs.Add(path+".roleArn", "%q is not an IAM role ARN", a.RoleArn)
	}
}

func (k *Kubernetes) validate(provider string) error {
	var errs validate.Errors
	if provider == cloud.AWS && k.OIDCProviderARN == "" {
		errs.Add("oidcProviderArn", "is required on AWS: the portal's pods assume their IAM role through the cluster's OIDC provider (IRSA)")
	}
	if provider == cloud.GCP && k.OIDCProviderARN != "" {
		errs.Add("oidcProviderArn", "applies to AWS only (GKE uses Workload Identity)")
	}
	return errs.Err()
}

// environmentName validates `developer-portal:environment`.
func environmentName(v string) error {
	if !validate.DNSLabel(v) {
		return fmt.Errorf("%q is not a valid environment name (a DNS label such as dev, pre-prod or prod)", v)
	}
	return nil
}
