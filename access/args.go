package access

import (
	"slices"
	"strings"
)

// Args configures TenantAccess. Plain fields carry the config key names of the stack's
// "developer-portal:tenants" section; fields tagged `json:"-"` are set by the program.
type Args struct {
	// Dir holds the tenant definitions, "<name>.yaml" each. Default "tenants". A relative
	// path resolves against the working directory: Pulumi runs a program from its project
	// root, so "tenants" is the folder beside Pulumi.yaml. Ignored when Tenants is set.
	Dir string `json:"dir,omitempty"`
	// Environments are the environment names tenants may list (e.g. ["gcp-dev", "gcp-prod"]).
	// Required.
	Environments []string `json:"environments,omitempty"`
	// Organization is the GitHub organisation of the tenants' teams and repositories.
	// Required when teams are managed.
	Organization string `json:"organization,omitempty"`
	// Quota caps what one tenant namespace may request, so no tenant starves the others.
	Quota Quota `json:"quota,omitempty"`
	// LimitRange gives containers defaults and bounds, so pods without resources still fit
	// the quota.
	LimitRange LimitRange `json:"limitRange,omitempty"`
	// Isolation is the tenant namespaces' NetworkPolicy.
	Isolation Isolation `json:"isolation,omitempty"`
	// GitHubTeams manages a team per tenant in the organisation.
	GitHubTeams GitHubTeams `json:"githubTeams,omitempty"`
	// Requests configures the "Request a tenancy" template. Requests.Repository is required.
	Requests Requests `json:"requests,omitempty"`
	// PodSecurity is the Pod Security Admission level enforced on tenant namespaces:
	// "privileged", "baseline" (default) or "restricted".
	PodSecurity string `json:"podSecurity,omitempty"`
	// RetainNamespaces keeps a tenant's namespace, and the workloads and volumes in it, in the
	// cluster when the tenant is removed (its bindings, and so its access, are still
	// deleted). Default true; set false to let Pulumi delete offboarded namespaces.
	RetainNamespaces *bool `json:"retainNamespaces,omitempty"`
	// ReservedNamespaces are platform namespaces no tenant may be named after: a tenant's
	// RoleBinding would give its group admin there. A trailing "*" reserves a prefix.
	// Default: the usual GKE and EKS add-ons (cert-manager, external-dns, gke-*, gmp-*,
	// ingress-nginx, istio-system, karpenter, monitoring...). Kubernetes' own namespaces
	// (kube-*, default), the portal's and the isolation settings' are always reserved.
	ReservedNamespaces []string `json:"reservedNamespaces,omitempty"`
	// Shard splits the tenants over several stacks of the project, because the engine's cost
	// of an update grows with the square of a stack's resources (docs/operators/scale.md).
	// With count above 1, this stack provisions the namespaces (and teams) of shard index's
	// tenants only; a tenant is in the shard of its top-level ancestor, so a tree of tenants
	// stays in one stack. Shard 0 is the portal's stack, and its catalog still lists every
	// tenant; a stack with another index provisions its tenants and nothing else. Default: one
	// stack provisions every tenant.
	Shard Shard `json:"shard,omitempty"`
	// AllowNoTenants accepts a configuration without any tenant. Off by default: a wrong or
	// empty dir would otherwise remove every tenant's access.
	AllowNoTenants bool `json:"allowNoTenants,omitempty"`
	// PortalNamespace is the developer portal's namespace (it holds the portal's Secret):
	// always reserved.
	PortalNamespace string `json:"-"`
	// PlatformNamespaces are namespaces the other components run in or admit traffic from (the
	// portal's ingress controller and scraper): reserved like ReservedNamespaces, derived by
	// the program from their settings rather than listed by hand.
	PlatformNamespaces []string `json:"-"`
	// AdminGroup is the team slug of the portal's admin group: no tenant may be named after it,
	// because a tenant's team and Group take its name. Default DefaultAdminGroup.
	AdminGroup string `json:"-"`
	// PortalRepository is the portal's own repository, "<owner>/<repo>": no tenant may list it
	// (its team would be granted the repository that deploys the portal), nor the tenants
	// repository of Requests.
	PortalRepository string `json:"-"`

	// Environment is this stack's environment as tenants list it (e.g. "gcp-dev"); one of
	// Environments. Required.
	Environment string `json:"-"`
	// Tenants are already loaded definitions (see LoadTenants); when nil, they are loaded
	// from Dir.
	Tenants []Tenant `json:"-"`
}

// Shard is one of count stacks provisioning the tenants.
type Shard struct {
	// Count is the number of stacks provisioning tenants (0 or 1: this one provisions all).
	Count int `json:"count,omitempty"`
	// Index is this stack's shard, from 1 to count-1; unset (0) in the portal's stack.
	Index int `json:"index,omitempty"`
}

// Sharded reports whether the tenants are split over several stacks.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Quota is the ResourceQuota of every tenant namespace. Values are Kubernetes quantities;
// empty fields take the defaults shown.
type Quota struct {
	RequestsCPU            string `json:"requestsCpu,omitempty"`            // "4"
	RequestsMemory         string `json:"requestsMemory,omitempty"`         // "8Gi"
	LimitsCPU              string `json:"limitsCpu,omitempty"`              // "8"
	LimitsMemory           string `json:"limitsMemory,omitempty"`           // "16Gi"
	RequestsStorage        string `json:"requestsStorage,omitempty"`        // "100Gi"
	Pods                   string `json:"pods,omitempty"`                   // "50"
	Services               string `json:"services,omitempty"`               // "20"
	PersistentVolumeClaims string `json:"persistentVolumeClaims,omitempty"` // "10"
	// ServicesLoadBalancers and ServicesNodePorts default to "0": tenants are reached through
	// the platform ingress, not by exposing nodes or buying load balancers.
	ServicesLoadBalancers string `json:"servicesLoadBalancers,omitempty"` // "0"
	ServicesNodePorts     string `json:"servicesNodePorts,omitempty"`     // "0"
	// Extra adds other hard limits by resource name (e.g. "requests.nvidia.com/gpu": "0").
	Extra map[string]string `json:"extra,omitempty"`
}

// LimitRange is the per-container LimitRange of every tenant namespace.
type LimitRange struct {
	DefaultCPU           string `json:"defaultCpu,omitempty"`           // "500m" (limit)
	DefaultMemory        string `json:"defaultMemory,omitempty"`        // "512Mi" (limit)
	DefaultRequestCPU    string `json:"defaultRequestCpu,omitempty"`    // "100m"
	DefaultRequestMemory string `json:"defaultRequestMemory,omitempty"` // "128Mi"
	MaxCPU               string `json:"maxCpu,omitempty"`               // "4"
	MaxMemory            string `json:"maxMemory,omitempty"`            // "8Gi"
}

// Isolation is the NetworkPolicy that admits traffic into a tenant namespace only from the
// namespace itself, the ingress namespace and the monitoring namespaces.
type Isolation struct {
	// IngressNamespace runs the platform ingress controller. Default "platform-ingress".
	IngressNamespace string `json:"ingressNamespace,omitempty"`
	// MonitoringNamespaces scrape tenant metrics. Default ["platform-monitoring"].
	MonitoringNamespaces []string `json:"monitoringNamespaces,omitempty"`
}

// GitHubTeams is the team per tenant in the organisation: "closed" (visible), so organisation
// members can ask to join it from GitHub, which is the native access request.
type GitHubTeams struct {
	// Manage creates the teams. Default true; false for organisations that manage teams
	// elsewhere, in which case the catalog carries the tenants' Group entities instead.
	Manage *bool `json:"manage,omitempty"`
	// Maintainers are GitHub usernames made maintainers of every tenant team: they approve
	// requests to join.
	Maintainers []string `json:"maintainers,omitempty"`
	// Permission is the team's permission on the tenant's repositories: "pull" (default),
	// "triage", "push" or "maintain". Joining a team is self-service, so by default it grants
	// read access only; "admin" is refused because it lets a team lift branch protection.
	Permission string `json:"permission,omitempty"`
	// AllEnvironments creates teams for every tenant, not only those in this environment.
	// Teams belong to the organisation, not to an environment: when several stacks share an
	// organisation, enable Manage in one of them and set AllEnvironments there.
	AllEnvironments bool `json:"allEnvironments,omitempty"`
	// ManagedElsewhere says the teams exist in GitHub but another stack (the one with Manage
	// and AllEnvironments) creates them: this stack creates none, yet the catalog treats them
	// as GitHub teams (join links, Groups from the organisation sync, never Group entities of
	// its own, which would conflict with the synced ones). Requires manage: false.
	ManagedElsewhere bool `json:"managedElsewhere,omitempty"`
}

// Requests configures the "Request a tenancy" software template, which opens a pull request
// adding the tenant's definition to the tenants repository.
type Requests struct {
	// Repository is the tenants repository, "<owner>/<repo>". Required.
	Repository string `json:"repository,omitempty"`
	// TargetBranch is the pull requests' base branch. Default "main".
	TargetBranch string `json:"targetBranch,omitempty"`
	// Path is the tenants folder inside that repository. Default "tenants".
	Path string `json:"path,omitempty"`
	// Owner is the template's owner entity reference (e.g. "group:default/platform-team").
	Owner string `json:"owner,omitempty"`
	// TeamReviewers are team slugs asked to review each request.
	TeamReviewers []string `json:"teamReviewers,omitempty"`
}

// Defaults.
const (
	DefaultDir              = "tenants"
	DefaultIngressNamespace = "platform-ingress"
	DefaultPermission       = "pull"
	DefaultPodSecurity      = "baseline"
	DefaultTargetBranch     = "main"
	DefaultRequestsPath     = "tenants"
)

// DefaultPortalNamespace is the developer portal's default namespace, reserved when
// PortalNamespace is not set (the portal package's default; a test keeps them equal).
const DefaultPortalNamespace = "developer-portal"

// DefaultAdminGroup is the admin group reserved when AdminGroup is not set.
const DefaultAdminGroup = "platform-team"

// DefaultMonitoringNamespaces is the monitoring namespaces' default.
func DefaultMonitoringNamespaces() []string { return []string{"platform-monitoring"} }

// WithDefaults returns a copy of the args with every empty setting at its default. The
// caller's Args are never modified.
func (a Args) WithDefaults() Args {
	out := a
	str := func(p *string, def string) {
		if *p == "" {
			*p = def
		}
	}
	str(&out.Dir, DefaultDir)
	str(&out.PortalNamespace, DefaultPortalNamespace)
	str(&out.AdminGroup, DefaultAdminGroup)
	str(&out.PodSecurity, DefaultPodSecurity)
	if out.RetainNamespaces == nil {
		out.RetainNamespaces = boolPtr(true)
	}
	q := &out.Quota
	str(&q.RequestsCPU, "4")
	str(&q.RequestsMemory, "8Gi")
	str(&q.LimitsCPU, "8")
	str(&q.LimitsMemory, "16Gi")
	str(&q.RequestsStorage, "100Gi")
	str(&q.Pods, "50")
	str(&q.Services, "20")
	str(&q.PersistentVolumeClaims, "10")
	str(&q.ServicesLoadBalancers, "0")
	str(&q.ServicesNodePorts, "0")
	l := &out.LimitRange
	str(&l.DefaultCPU, "500m")
	str(&l.DefaultMemory, "512Mi")
	str(&l.DefaultRequestCPU, "100m")
	str(&l.DefaultRequestMemory, "128Mi")
	str(&l.MaxCPU, "4")
	str(&l.MaxMemory, "8Gi")
	str(&out.Isolation.IngressNamespace, DefaultIngressNamespace)
	if out.Isolation.MonitoringNamespaces == nil {
		out.Isolation.MonitoringNamespaces = DefaultMonitoringNamespaces()
	}
	if out.ReservedNamespaces == nil {
		out.ReservedNamespaces = DefaultReservedNamespaces()
	}
	if out.GitHubTeams.Manage == nil {
		out.GitHubTeams.Manage = boolPtr(true)
	}
	str(&out.GitHubTeams.Permission, DefaultPermission)
	str(&out.Requests.TargetBranch, DefaultTargetBranch)
	str(&out.Requests.Path, DefaultRequestsPath)
	return out
}

// ManageTeams reports whether GitHub teams are managed (the default).
func (a Args) ManageTeams() bool { return a.GitHubTeams.Manage == nil || *a.GitHubTeams.Manage }

// TeamsInGitHub reports whether tenant teams exist in the GitHub organisation, created by this
// stack or by another: then groups come from the organisation sync.
func (a Args) TeamsInGitHub() bool { return a.ManageTeams() || a.GitHubTeams.ManagedElsewhere }

func boolPtr(b bool) *bool { return &b }

// DefaultReservedNamespaces are the namespaces of the platform's own components on GKE and
// EKS clusters.
func DefaultReservedNamespaces() []string {
	return []string{
		"amazon-cloudwatch", "argocd", "aws-observability", "cert-manager", "cnrm-system",
		"config-management-system", "external-dns", "external-secrets", "flux-system", "gatekeeper-system",
		"gke-*", "gmp-*", "ingress-nginx", "istio-system", "karpenter", "kyverno", "monitoring",
	}
}

// reservedNamespace says why name cannot be a tenant, or "" when it can.
func (a Args) reservedNamespace(name string) string {
	switch {
	case name == a.PortalNamespace || name == DefaultPortalNamespace:
		return "is the developer portal's namespace"
	case slices.Contains(a.PlatformNamespaces, name):
		return "is a platform namespace (the portal's ingress controller or scraper)"
	case name == a.Isolation.IngressNamespace:
		return "is a platform namespace (isolation.ingressNamespace)"
	}
	for _, ns := range a.Isolation.MonitoringNamespaces {
		if name == ns {
			return "is a platform namespace (isolation.monitoringNamespaces)"
		}
	}
	for _, ns := range a.ReservedNamespaces {
		if prefix, ok := strings.CutSuffix(ns, "*"); ok && strings.HasPrefix(name, prefix) || name == ns {
			return "is a platform namespace (reservedNamespaces)"
		}
	}
	return ""
}
