package portal

import (
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/identity"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults applied when a field is left empty.
const (
	DefaultNamespace                  = "developer-portal"
	DefaultName                       = "developer-portal"
	DefaultReplicas                   = 2
	DefaultIngressClassName           = "platform-ingress"
	DefaultTitle                      = "Core Platform"
	DefaultOrganization               = "CECG"
	DefaultOwner                      = "platform-team"
	DefaultIngressControllerNamespace = "platform-ingress"
	DefaultAPIServerPort              = 443
	DefaultRunAsID                    = 10001
	DefaultGKEAuthProvider            = "googleServiceAccount"
	DefaultMetricsPort                = 9464
	DefaultMetricsPath                = "/metrics"
	DefaultScrapeInterval             = "30s"
	DefaultMinReplicas                = 2
	DefaultMaxReplicas                = 4
	DefaultTargetCPUUtilization       = 75
)

// TLS modes for the Ingress.
const (
	// TLSPlatform lets the ingress controller serve the platform's wildcard certificate: the
	// Ingress lists the host without a secret (the Core Platform default).
	TLSPlatform = "platform"
	// TLSSecret serves an existing kubernetes.io/tls Secret in the portal's namespace.
	TLSSecret = "secret"
	// TLSCertManager asks cert-manager for a certificate from a ClusterIssuer.
	TLSCertManager = "certManager"
)

// Monitoring kinds.
const (
	MonitoringNone           = "none"
	MonitoringPodMonitoring  = "podMonitoring"
	MonitoringServiceMonitor = "serviceMonitor"
)

// AlertName is the alert that fires when the portal cannot be reached; the name is the one
// Core Platform operators already know.
const AlertName = "KubePodCannotConnectToDeveloperPortal"

// The cloud identities of the portal's pods (Args.CloudIdentity).
const (
	IdentityGKE  = "gke"
	IdentityIRSA = "irsa"
)

// Args configures a DeveloperPortal. Plain fields are the `developer-portal:portal` config
// section (JSON names are the config keys); Inputs come from other resources.
type Args struct {
	// Namespace the portal runs in. Default "developer-portal".
	Namespace string `json:"namespace,omitempty"`
	// CreateNamespace creates (and owns) the namespace. Default true.
	CreateNamespace *bool `json:"createNamespace,omitempty"`
	// RetainNamespace keeps a created namespace when the portal is deleted, so whatever else
	// lives in it survives a `pulumi destroy`. Default true; set false to delete it.
	RetainNamespace *bool `json:"retainNamespace,omitempty"`
	// Name of the Deployment, Service, ServiceAccount and the portal's catalog entity (also its
	// backstage.io/kubernetes-id). Default "developer-portal".
	Name string `json:"name,omitempty"`
	// Image is the Backstage image, pinned by tag (not "latest") or digest. Required.
	Image string `json:"image,omitempty"`
	// Replicas when autoscaling is off. Default 2.
	Replicas *int `json:"replicas,omitempty"`
	// Hostname is one DNS label under Domain: the platform's wildcard certificate covers
	// exactly one label. Required.
	Hostname string `json:"hostname,omitempty"`
	// Domain is the ingress domain, e.g. "dev.cecg.platform.cecg.io". Required.
	Domain string `json:"domain,omitempty"`
	// IngressClassName of the Ingress. Default "platform-ingress".
	IngressClassName string `json:"ingressClassName,omitempty"`
	// TLS selects how the Ingress serves HTTPS.
	TLS TLS `json:"tls,omitempty"`
	// ExternalDNSTarget is the external-dns target annotation. Default: Domain.
	ExternalDNSTarget string `json:"externalDnsTarget,omitempty"`
	// Title is app.title. Default "Core Platform".
	Title string `json:"title,omitempty"`
	// Organization is organization.name. Default "CECG".
	Organization string `json:"organization,omitempty"`
	// Owner is spec.owner of the portal's own catalog entity. Default "platform-team".
	Owner string `json:"owner,omitempty"`
	// AdminGroup is the slug of the GitHub team whose members administer the portal: register
	// locations, create, refresh, unregister and delete catalog entities, manage templates,
	// read and cancel anyone's template runs, use the Kubernetes proxy. Every other signed-in
	// member of the organisation reads the catalog, docs and Kubernetes views, runs templates,
	// reads and cancels their own runs and refreshes the entities their teams own. The
	// organisation sync turns the team into the Group entity the portal's permission policy
	// checks. Required: no default, so a stack names the team it trusts.
	AdminGroup string `json:"adminGroup,omitempty"`
	// Resources of the Backstage container.
	Resources Resources `json:"resources,omitempty"`
	// NetworkPolicy tunes the portal's NetworkPolicy (always created).
	NetworkPolicy NetworkPolicy `json:"networkPolicy,omitempty"`
	// Kubernetes configures Backstage's Kubernetes plugin.
	Kubernetes Kubernetes `json:"kubernetes,omitempty"`
	// Monitoring adds a scrape object and the unreachable alert (needs their CRDs).
	Monitoring Monitoring `json:"monitoring,omitempty"`
	// Autoscaling adds a HorizontalPodAutoscaler; the Deployment then leaves replicas unset.
	Autoscaling Autoscaling `json:"autoscaling,omitempty"`
	// ExtraAppConfig is merged last into the app-config. It may set keys only under the
	// extension points (app.support, scaffolder.defaultAuthor, scaffolder.defaultCommitMessage,
	// techdocs.cache; docs/operators/extension-points.md says why each): sign-in, admins, the
	// catalog's trust, credentials and what the browser loads are the components'. It is
	// stored in a ConfigMap: never inline a secret.
	ExtraAppConfig map[string]any `json:"extraAppConfig,omitempty"`
	// RunAsUser and RunAsGroup of the pod. Default 10001 (kube-score wants > 10000).
	RunAsUser  *int `json:"runAsUser,omitempty"`
	RunAsGroup *int `json:"runAsGroup,omitempty"`

	// Database is the PostgreSQL connection (from a ManagedDatabase or any other program).
	Database backstage.Postgres `json:"-"`
	// Contributions from the other components (GitHub, tenants, docs...), merged in order.
	Contributions []backstage.Contribution `json:"-"`
	// ServiceAccountAnnotations go on the portal's ServiceAccount (Workload Identity's
	// iam.gke.io/gcp-service-account, IRSA's eks.amazonaws.com/role-arn).
	ServiceAccountAnnotations pulumi.StringMapInput `json:"-"`
	// CloudIdentity is how the pods get cloud credentials: IdentityGKE (GKE Workload
	// Identity: the egress policy lets them reach the GKE metadata server), IdentityIRSA (EKS
	// IRSA: tokens come from STS over HTTPS, nothing extra) or "" (none).
	CloudIdentity string `json:"-"`
	// ClusterTokens are the service-account tokens of extra clusters using the
	// serviceAccount auth provider, by cluster name. They reach the pod only via the Secret.
	ClusterTokens map[string]pulumi.StringInput `json:"-"`
	// ServiceToken is the static token other services present to the backend. Default: a
	// generated random.RandomPassword (then a random provider must be passed in opts).
	ServiceToken pulumi.StringInput `json:"-"`
}

// TLS selects the Ingress's certificate. Mode defaults to "platform", or is inferred from
// SecretName ("secret") or ClusterIssuer ("certManager") when only one of them is set.
type TLS struct {
	// Mode is platform (the platform's wildcard certificate, no secret), secret or certManager.
	Mode string `json:"mode,omitempty"`
	// SecretName of an existing TLS Secret (mode "secret").
	SecretName string `json:"secretName,omitempty"`
	// ClusterIssuer for cert-manager (mode "certManager"); the certificate lands in
	// Secret "<name>-tls".
	ClusterIssuer string `json:"clusterIssuer,omitempty"`
}

// Resources are the container's requests and limits (Kubernetes quantities).
type Resources struct {
	// Requests default to 250m CPU, 1Gi memory, 512Mi ephemeral storage.
	Requests ResourceList `json:"requests,omitempty"`
	// Limits default to 1000m CPU, 2560Mi memory, 2Gi ephemeral storage.
	Limits ResourceList `json:"limits,omitempty"`
}

// ResourceList is one set of quantities; empty fields take the defaults.
type ResourceList struct {
	// CPU quantity, e.g. 500m.
	CPU string `json:"cpu,omitempty"`
	// Memory quantity, e.g. 1Gi.
	Memory string `json:"memory,omitempty"`
	// EphemeralStorage quantity (the /tmp emptyDir is sized to the limit).
	EphemeralStorage string `json:"ephemeralStorage,omitempty"`
}

// DefaultResources are the sizes production Backstage charts use.
func DefaultResources() Resources {
	return Resources{
		Requests: ResourceList{CPU: "250m", Memory: "1Gi", EphemeralStorage: "512Mi"},
		Limits:   ResourceList{CPU: "1000m", Memory: "2560Mi", EphemeralStorage: "2Gi"},
	}
}

// NetworkPolicy tunes the portal's NetworkPolicy. Ingress is only from the ingress
// controller's namespace (and the scraper's, with monitoring); egress only DNS, the
// database, the Kubernetes API and HTTPS.
type NetworkPolicy struct {
	// IngressControllerNamespace may reach the backend port. Default "platform-ingress".
	IngressControllerNamespace string `json:"ingressControllerNamespace,omitempty"`
	// DatabaseCIDRs narrow egress to the database port. Empty: the port on any address.
	DatabaseCIDRs []string `json:"databaseCidrs,omitempty"`
	// APIServerCIDRs narrow egress to the API server port. Empty: the port on any address.
	APIServerCIDRs []string `json:"apiServerCidrs,omitempty"`
	// APIServerPort is the control plane's port as the pod sees it after service NAT.
	// Default 443.
	APIServerPort int `json:"apiServerPort,omitempty"`
}

// Kubernetes configures the Kubernetes plugin's cluster locators.
type Kubernetes struct {
	// ClusterName is the platform cluster's name as shown in Backstage. Required.
	ClusterName string `json:"clusterName,omitempty"`
	// ExtraClusters is a static list of further clusters.
	ExtraClusters []Cluster `json:"extraClusters,omitempty"`
	// GKE discovers every GKE cluster of a project and region.
	GKE *GKE `json:"gke,omitempty"`
	// EKS lists EKS clusters reached with the aws auth provider (IRSA).
	EKS []EKSCluster `json:"eks,omitempty"`
}

// Cluster is one statically configured cluster.
type Cluster struct {
	// Name of the cluster as Backstage shows it.
	Name string `json:"name,omitempty"`
	// URL of the API server (https).
	URL string `json:"url,omitempty"`
	// CAData is the base64 PEM of the API server's CA.
	CAData string `json:"caData,omitempty"`
	// AuthProvider is one of serviceAccount (token from Args.ClusterTokens), google,
	// googleServiceAccount, aws, oidc, azure, aks.
	AuthProvider string `json:"authProvider,omitempty"`
	// SkipTLSVerify disables TLS verification of the API server (test clusters only).
	SkipTLSVerify bool `json:"skipTLSVerify,omitempty"`
	// SkipMetricsLookup stops the plugin asking the cluster for pod metrics.
	SkipMetricsLookup bool `json:"skipMetricsLookup,omitempty"`
	// OIDCTokenProvider is required with the oidc auth provider (e.g. "okta").
	OIDCTokenProvider string `json:"oidcTokenProvider,omitempty"`
}

// GKE is GKE cluster discovery. The portal's GCP service account (Workload Identity) needs
// roles/container.viewer on the project (see GKEViewerRole).
type GKE struct {
	// ProjectID whose GKE clusters are discovered.
	ProjectID string `json:"projectId,omitempty"`
	// Region to discover clusters in (empty: every location).
	Region string `json:"region,omitempty"`
	// AuthProvider is googleServiceAccount (the portal's own identity, default) or google
	// (the signed-in user's Google token).
	AuthProvider string `json:"authProvider,omitempty"`
	// MatchingResourceLabels limit discovery to clusters carrying all these GCP resource
	// labels. Required when the portal runs on GKE: Backstage's gke locator cannot exclude a
	// cluster, so the platform cluster (already listed by name, with its least-privilege
	// ServiceAccount) must be kept out by not carrying them.
	MatchingResourceLabels map[string]string `json:"matchingResourceLabels,omitempty"`
}

// GKEViewerRole is the role the portal's GCP service account needs for GKE discovery.
const GKEViewerRole = "roles/container.viewer"

// IdentityProjectRoles are the roles the portal's GCP identity needs on projects: with GKE
// discovery, GKEViewerRole on the discovered project (cluster metadata is read with the
// portal's own identity).
func (a Args) IdentityProjectRoles() []identity.ProjectRole {
	if a.Kubernetes.GKE == nil {
		return nil
	}
	return []identity.ProjectRole{{Name: "gke-viewer", Project: a.Kubernetes.GKE.ProjectID, Role: GKEViewerRole}}
}

// EKSCluster is an EKS cluster reached with the aws auth provider: the pod's IRSA role, or a
// role it assumes.
type EKSCluster struct {
	// Name of the cluster as Backstage shows it.
	Name string `json:"name,omitempty"`
	// URL of the EKS API server.
	URL string `json:"url,omitempty"`
	// CAData is the base64 PEM of the API server's CA.
	CAData string `json:"caData,omitempty"`
	// AssumeRole is an IAM role ARN to assume from the pod's IRSA role.
	AssumeRole string `json:"assumeRole,omitempty"`
	// ExternalID goes with AssumeRole.
	ExternalID string `json:"externalId,omitempty"`
	// SkipMetricsLookup stops the plugin asking the cluster for pod metrics.
	SkipMetricsLookup bool `json:"skipMetricsLookup,omitempty"`
}

// Monitoring adds a PodMonitoring + Rules (Google Managed Prometheus) or a ServiceMonitor +
// PrometheusRule (Prometheus operator) and the KubePodCannotConnectToDeveloperPortal alert.
// The image must serve Prometheus metrics on Port (Backstage's OpenTelemetry Prometheus
// exporter listens on 9464).
type Monitoring struct {
	// Kind is none (default), podMonitoring or serviceMonitor.
	Kind string `json:"kind,omitempty"`
	// Port and Path of the metrics endpoint. Default 9464 and /metrics.
	Port int    `json:"port,omitempty"`
	Path string `json:"path,omitempty"`
	// Interval between scrapes. Default 30s.
	Interval string `json:"interval,omitempty"`
	// ScraperNamespace may reach the metrics port. Default gmp-system (podMonitoring) or
	// monitoring (serviceMonitor).
	ScraperNamespace string `json:"scraperNamespace,omitempty"`
	// RuleLabels are added to the ServiceMonitor and PrometheusRule so the operator's
	// selectors pick them up (e.g. release: kube-prometheus-stack).
	RuleLabels map[string]string `json:"ruleLabels,omitempty"`
}

// Autoscaling adds a HorizontalPodAutoscaler on CPU.
type Autoscaling struct {
	// Enabled adds the HorizontalPodAutoscaler; replicas is then left to it.
	Enabled bool `json:"enabled,omitempty"`
	// MinReplicas default 2, MaxReplicas default 4.
	MinReplicas int `json:"minReplicas,omitempty"`
	MaxReplicas int `json:"maxReplicas,omitempty"`
	// TargetCPUUtilization in percent of the request. Default 75.
	TargetCPUUtilization int `json:"targetCpuUtilization,omitempty"`
}
