package portal

import (
	"maps"
	"slices"
)

// WithDefaults returns a copy of the args with every empty field set to its default. The
// caller's Args (and the maps and slices it holds) are never modified.
func (a Args) WithDefaults() Args {
	d := a
	d.CreateNamespace = boolOr(a.CreateNamespace, true)
	d.RetainNamespace = boolOr(a.RetainNamespace, true)
	d.Namespace = or(a.Namespace, DefaultNamespace)
	d.Name = or(a.Name, DefaultName)
	if a.Replicas == nil {
		d.Replicas = ptr(DefaultReplicas)
	}
	d.IngressClassName = or(a.IngressClassName, DefaultIngressClassName)
	d.ExternalDNSTarget = or(a.ExternalDNSTarget, a.Domain)
	d.Title = or(a.Title, DefaultTitle)
	d.Organization = or(a.Organization, DefaultOrganization)
	d.Owner = or(a.Owner, DefaultOwner)
	if a.RunAsUser == nil {
		d.RunAsUser = ptr(DefaultRunAsID)
	}
	if a.RunAsGroup == nil {
		d.RunAsGroup = ptr(DefaultRunAsID)
	}

	if d.TLS.Mode == "" {
		switch {
		case a.TLS.SecretName != "" && a.TLS.ClusterIssuer == "":
			d.TLS.Mode = TLSSecret
		case a.TLS.ClusterIssuer != "" && a.TLS.SecretName == "":
			d.TLS.Mode = TLSCertManager
		case a.TLS.SecretName == "" && a.TLS.ClusterIssuer == "":
			d.TLS.Mode = TLSPlatform
		}
	}

	def := DefaultResources()
	d.Resources = Resources{
		Requests: a.Resources.Requests.or(def.Requests),
		Limits:   a.Resources.Limits.or(def.Limits),
	}

	d.NetworkPolicy.IngressControllerNamespace = or(a.NetworkPolicy.IngressControllerNamespace, DefaultIngressControllerNamespace)
	if d.NetworkPolicy.APIServerPort == 0 {
		d.NetworkPolicy.APIServerPort = DefaultAPIServerPort
	}
	d.NetworkPolicy.DatabaseCIDRs = slices.Clone(a.NetworkPolicy.DatabaseCIDRs)
	d.NetworkPolicy.APIServerCIDRs = slices.Clone(a.NetworkPolicy.APIServerCIDRs)

	d.Kubernetes.ExtraClusters = slices.Clone(a.Kubernetes.ExtraClusters)
	d.Kubernetes.EKS = slices.Clone(a.Kubernetes.EKS)
	if a.Kubernetes.GKE != nil {
		g := *a.Kubernetes.GKE
		g.AuthProvider = or(g.AuthProvider, DefaultGKEAuthProvider)
		d.Kubernetes.GKE = &g
	}

	d.Monitoring.Kind = or(a.Monitoring.Kind, MonitoringNone)
	if d.Monitoring.Port == 0 {
		d.Monitoring.Port = DefaultMetricsPort
	}
	d.Monitoring.Path = or(a.Monitoring.Path, DefaultMetricsPath)
	d.Monitoring.Interval = or(a.Monitoring.Interval, DefaultScrapeInterval)
	switch d.Monitoring.Kind {
	case MonitoringPodMonitoring:
		d.Monitoring.ScraperNamespace = or(a.Monitoring.ScraperNamespace, "gmp-system")
	case MonitoringServiceMonitor:
		d.Monitoring.ScraperNamespace = or(a.Monitoring.ScraperNamespace, "monitoring")
	}
	d.Monitoring.RuleLabels = maps.Clone(a.Monitoring.RuleLabels)

	if d.Autoscaling.MinReplicas == 0 {
		d.Autoscaling.MinReplicas = DefaultMinReplicas
	}
	if d.Autoscaling.MaxReplicas == 0 {
		d.Autoscaling.MaxReplicas = max(DefaultMaxReplicas, d.Autoscaling.MinReplicas)
	}
	if d.Autoscaling.TargetCPUUtilization == 0 {
		d.Autoscaling.TargetCPUUtilization = DefaultTargetCPUUtilization
	}

	d.ExtraAppConfig = maps.Clone(a.ExtraAppConfig)
	d.Contributions = slices.Clone(a.Contributions)
	d.ClusterTokens = maps.Clone(a.ClusterTokens)
	return d
}

// OwnedNamespaces are the namespaces the portal runs in or admits traffic from (its own, its
// ingress controller's and, with monitoring, its scraper's), derived from the settings with
// their defaults. No tenancy may take one: a tenant's RoleBinding would give its group admin
// there, and its NetworkPolicy exceptions would admit the tenant's pods.
func (a Args) OwnedNamespaces() []string {
	d := a.WithDefaults()
	out := []string{d.Namespace, d.NetworkPolicy.IngressControllerNamespace}
	if d.Monitoring.Kind != MonitoringNone {
		out = append(out, d.Monitoring.ScraperNamespace)
	}
	return out
}

// Host is the portal's fully qualified hostname, "<hostname>.<domain>".
func (a *Args) Host() string {
	if a == nil {
		return ""
	}
	return a.Hostname + "." + a.Domain
}

func (l ResourceList) or(def ResourceList) ResourceList {
	return ResourceList{
		CPU:              or(l.CPU, def.CPU),
		Memory:           or(l.Memory, def.Memory),
		EphemeralStorage: or(l.EphemeralStorage, def.EphemeralStorage),
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func boolOr(v *bool, def bool) *bool {
	if v == nil {
		return &def
	}
	b := *v
	return &b
}

func ptr[T any](v T) *T { return &v }
