package identity

import (
	"regexp"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

// Args selects the cloud and the Kubernetes ServiceAccount to federate.
type Args struct {
	// Cloud is "gcp" or "aws".
	Cloud string `json:"cloud,omitempty"`
	// Namespace and ServiceAccount name the Kubernetes ServiceAccount that assumes the identity.
	Namespace      string `json:"namespace,omitempty"`
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Description is shown on the cloud identity.
	Description string   `json:"description,omitempty"`
	GCP         *GCPArgs `json:"gcp,omitempty"`
	AWS         *AWSArgs `json:"aws,omitempty"`
}

// GCPArgs place the service account in a project whose cluster pool is <project>.svc.id.goog.
type GCPArgs struct {
	// Project holds the service account and the GKE cluster (its Workload Identity pool).
	Project string `json:"project,omitempty"`
	// AccountID is the service account's id (6-30 characters).
	AccountID string `json:"accountId,omitempty"`
	// ProjectRoles are roles the service account holds on projects, each bound by a child
	// "<component name>-<name>".
	ProjectRoles []ProjectRole `json:"projectRoles,omitempty"`
}

// ProjectRole is a role the identity holds on a GCP project.
type ProjectRole struct {
	// Name suffixes the binding's resource name (a DNS label).
	Name    string `json:"name,omitempty"`
	Project string `json:"project,omitempty"`
	// Role is a predefined ("roles/...") or custom ("projects/.../roles/...") role.
	Role string `json:"role,omitempty"`
}

// AWSArgs name the EKS cluster's IAM OIDC provider that IRSA tokens come from.
type AWSArgs struct {
	// OIDCProviderARN is the IAM OIDC provider of the cluster
	// (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>).
	OIDCProviderARN string `json:"oidcProviderArn,omitempty"`
	// RoleName is the IAM role's name.
	RoleName string `json:"roleName,omitempty"`
}

var (
	oidcARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/(.+)$`)
)

// WithDefaults returns a copy of the Args. The identity has no defaults (every field names
// something only the caller knows); the method keeps the shape every component shares.
func (a Args) WithDefaults() Args {
	if a.GCP != nil {
		g := *a.GCP
		g.ProjectRoles = slices.Clone(g.ProjectRoles)
		a.GCP = &g
	}
	if a.AWS != nil {
		w := *a.AWS
		a.AWS = &w
	}
	return a
}

// Validate reports every problem with the arguments at once.
func (a *Args) Validate() error { return a.validate() }

func (a *Args) validate() error {
	var errs validate.Errors
	if a == nil {
		errs.Add("", "identity.Args is required")
		return errs.Err()
	}
	if !validate.DNSLabel(a.Namespace) {
		errs.Add("namespace", "%q is not a valid Kubernetes namespace name", a.Namespace)
	}
	if !validate.DNSName(a.ServiceAccount) {
		errs.Add("serviceAccount", "%q is not a valid Kubernetes ServiceAccount name", a.ServiceAccount)
	}
	switch a.Cloud {
	case cloud.GCP:
		if a.GCP == nil {
			errs.Add("gcp", "is required when cloud is gcp")
			break
		}
		if !validate.GCPProjectID(a.GCP.Project) {
			errs.Add("gcp.project", "%q is not a valid GCP project id", a.GCP.Project)
		}
		if !validate.GCPServiceAccountID(a.GCP.AccountID) {
			errs.Add("gcp.accountId", "%q is not a valid service account id (6-30 lower-case letters, digits, hyphens; starts with a letter)", a.GCP.AccountID)
		}
		names := map[string]bool{}
		for i, r := range a.GCP.ProjectRoles {
			p := validate.Index("gcp.projectRoles", i)
			if !validate.DNSLabel(r.Name) || names[r.Name] {
				errs.Add(p+".name", "%q is not a DNS label, or is used twice", r.Name)
			}
			names[r.Name] = true
			if !validate.GCPProjectID(r.Project) {
				errs.Add(p+".project", "%q is not a valid GCP project id", r.Project)
			}
			if !strings.HasPrefix(r.Role, "roles/") && !strings.HasPrefix(r.Role, "projects/") {
				errs.Add(p+".role", "%q is not a role (roles/... or projects/.../roles/...)", r.Role)
			}
		}
	case cloud.AWS:
		if a.AWS == nil {
			errs.Add("aws", "is required when cloud is aws")
			break
		}
		if !oidcARN.MatchString(a.AWS.OIDCProviderARN) {
			errs.Add("aws.oidcProviderArn", "%q is not an IAM OIDC provider ARN", a.AWS.OIDCProviderARN)
		}
		if !validate.IAMRoleName(a.AWS.RoleName) {
			errs.Add("aws.roleName", "%q is not a valid IAM role name", a.AWS.RoleName)
		}
	default:
		errs.Add("cloud", "%q is not supported (gcp or aws)", a.Cloud)
	}
	return errs.Err()
}

// issuer is the OIDC issuer host/path IRSA conditions are keyed on.
func (a *AWSArgs) issuer() string {
	m := oidcARN.FindStringSubmatch(a.OIDCProviderARN)
	if m == nil {
		return ""
	}
	return strings.TrimPrefix(m[1], "https://")
}
