package portal

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

var (
	imageTag    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imageDigest = regexp.MustCompile(`@sha256:[a-f0-9]{64}$`)
	imageRepo   = regexp.MustCompile(`^[a-z0-9]+([._/:-]+[a-z0-9]+)*$`)
	clusterName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	duration    = regexp.MustCompile(`^[0-9]+(ms|s|m|h)$`)
	fileSegment = regexp.MustCompile(`^[^\x00-\x1f\\]+$`)
	labelKey    = regexp.MustCompile(`^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)
)

// maxReplicas bounds the portal's pods: more is a typo that would only fail at apply.
const maxReplicas = 50

// clusterAuthProviders are the auth providers of Backstage's Kubernetes plugin that a static
// cluster entry can use.
var clusterAuthProviders = []string{"serviceAccount", "google", "googleServiceAccount", "aws", "oidc", "azure", "aks"}

// Validate reports every problem with the args at once, each naming its config key, so a
// program can check all components before registering any resource. Of the database
// connection it checks only the mode (database.ConnectionMode gives it before the database
// exists); NewDeveloperPortal also requires the connection's values.
func (a *Args) Validate() error { return a.validate() }

func (a *Args) validate() error {
	_, err := a.resolve()
	return err
}

// generated is what validation computes to check the ConfigMaps' sizes and the constructor
// deploys: the catalog's files, the live catalog's parts and the app-config. For a portal with
// many tenants, marshalling every part's entities is most of the stack program's time, so the
// constructor takes them from its own validation instead of computing them again.
type generated struct {
	files     []catalogFile
	live      []livePart
	appConfig string
	// err is why the app-config or the catalog files could not be composed: not a problem of
	// the args as Validate reports them, but the constructor's error.
	err error
}

// resolve validates the args and returns what was generated on the way (nil when a problem
// was found).
func (a *Args) resolve() (*generated, error) {
	if a == nil {
		return nil, fmt.Errorf("portal: args are required")
	}
	d := a.WithDefaults()
	var errs validate.Errors

	validateImage(&errs, a.Image)
	if a.Replicas != nil && *a.Replicas < 1 {
		errs.Add("replicas", "must be at least 1, got %d", *a.Replicas)
	}
	if a.Replicas != nil && *a.Replicas > maxReplicas {
		errs.Add("replicas", "must be at most %d, got %d", maxReplicas, *a.Replicas)
	}
	if !validate.DNSLabel(d.Name) {
		errs.Add("name", "%q is not a DNS label", d.Name)
	}
	if !validate.DNSLabel(d.Namespace) {
		errs.Add("namespace", "%q is not a DNS label", d.Namespace)
	}
	switch {
	case a.Hostname == "":
		errs.Add("hostname", "is required (one DNS label, e.g. \"portal\")")
	case !validate.DNSLabel(a.Hostname):
		errs.Add("hostname", "%q must be one DNS label under the domain (the platform's wildcard certificate covers one label)", a.Hostname)
	}
	switch {
	case a.Domain == "":
		errs.Add("domain", "is required (e.g. \"dev.cecg.platform.cecg.io\")")
	case !validate.DNSName(a.Domain):
		errs.Add("domain", "%q is not a DNS name", a.Domain)
	case len(d.Host()) > 253:
		errs.Add("hostname", "%q is longer than 253 characters", d.Host())
	}
	if !validate.DNSName(d.IngressClassName) {
		errs.Add("ingressClassName", "%q is not a DNS name", d.IngressClassName)
	}
	if d.ExternalDNSTarget != "" && !validate.DNSName(d.ExternalDNSTarget) {
		errs.Add("externalDnsTarget", "%q is not a DNS name", d.ExternalDNSTarget)
	}
	validateTLS(&errs, a.TLS, d.TLS.Mode)
	// app.title and organization.name are sent to every visitor's browser.
	for _, f := range []struct{ key, value string }{{"title", d.Title}, {"organization", d.Organization}} {
		if backstage.HasSubstitution(f.value) {
			errs.Add(f.key, "is sent to every visitor's browser: a ${VAR} substitution there would publish a server-side value")
		}
	}
	if !validate.EntityRef(d.Owner) {
		errs.Add("owner", "%q is not a catalog entity reference", d.Owner)
	}
	switch {
	case d.AdminGroup == "":
		errs.Add("adminGroup", "is required: the slug of the GitHub team that administers the portal (e.g. \"platform-team\")")
	case !validate.GitHubTeamSlug(d.AdminGroup):
		errs.Add("adminGroup", "%q is not a GitHub team slug (lower case letters, digits, '-' and '_', e.g. \"platform-team\")", d.AdminGroup)
	}
	validateResources(&errs, d.Resources)
	if *d.RunAsUser < 1 {
		errs.Add("runAsUser", "must be a non-root UID, got %d", *d.RunAsUser)
	}
	if *d.RunAsGroup < 1 {
		errs.Add("runAsGroup", "must be a non-root GID, got %d", *d.RunAsGroup)
	}
	validateNetworkPolicy(&errs, d.NetworkPolicy)
	if !validate.OneOf(a.CloudIdentity, "", IdentityGKE, IdentityIRSA) {
		errs.Add("cloudIdentity", "%q is not %s, %s or empty", a.CloudIdentity, IdentityGKE, IdentityIRSA)
	}
	validateKubernetes(&errs, &d)
	validateMonitoring(&errs, d.Monitoring)
	validateAutoscaling(&errs, d.Autoscaling)
	validateDatabase(&errs, a.Database)
	validateContributions(&errs, d.Contributions, d.Kubernetes.ExtraClusters, d.AdminGroup, a.OwnedNamespaces())
	if len(a.ExtraAppConfig) > 0 {
		if m, err := backstage.Generic(a.ExtraAppConfig); err != nil {
			errs.Add("extraAppConfig", "cannot be marshalled: %v", err)
		} else {
			validate.LiteralSecrets(&errs, "extraAppConfig", m)
			backstage.CheckExtraAppConfig(&errs, "extraAppConfig", m)
			backstage.CheckFrontend(&errs, "extraAppConfig", m)
		}
	}
	var gen *generated
	if len(errs.Problems) == 0 {
		gen = checkConfigMapSizes(&errs, a)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return gen, nil
}

// maxConfigMapBytes is the API server's limit on a ConfigMap: the lengths of its keys and
// values together (ValidateConfigMap) may not exceed 1 MiB.
const maxConfigMapBytes = 1 << 20

// checkConfigMapSizes computes the generated catalog and app-config ConfigMaps' data as the
// API server measures it, so a plan fails where `up` would, and returns what it composed. The
// database CA, added at apply time, is not counted.
func checkConfigMapSizes(errs *validate.Errors, a *Args) *generated {
	d := a.WithDefaults()
	gen := &generated{}
	// A file that cannot be composed is the constructor's error (gen.err), the app-config's
	// first; the sizes of what could be composed are still checked.
	doc, err := appConfig(a)
	var text []byte
	if err == nil {
		if text, err = doc.YAML(); err != nil {
			err = fmt.Errorf("portal: app-config: %w", err)
		}
	}
	gen.err = err
	files, err := catalogLayout(&d)
	if err != nil {
		if gen.err == nil {
			gen.err = fmt.Errorf("portal: %w", err)
		}
		return gen
	}
	total := 0
	size := map[string]int{}
	for _, f := range files {
		total += len(f.Key) + len(f.Data)
		name, _, _ := strings.Cut(f.Path, "/")
		size[name] += len(f.Key) + len(f.Data)
	}
	if total > maxConfigMapBytes {
		largest := portalCatalogName
		for _, n := range slices.Sorted(maps.Keys(size)) {
			if size[n] > size[largest] {
				largest = n
			}
		}
		path := "contributions"
		for i, c := range d.Contributions {
			if c.Name == largest {
				path = validate.Index("contributions", i)
			}
		}
		errs.Add(path, "the generated catalog ConfigMap would hold %d bytes (contribution %q: %d); the API server accepts at most %d: split the tenants over shards or trim the entities",
			total, largest, size[largest], maxConfigMapBytes)
	}
	live, err := liveLayout(&d)
	if err != nil {
		errs.Add("contributions", "%v", err)
		return nil
	}
	for _, part := range live {
		n := 0
		for _, f := range part.Files {
			n += len(f.Key) + len(f.Data)
		}
		if n > maxConfigMapBytes {
			path := "contributions"
			for i, c := range d.Contributions {
				if c.Name == part.Contribution {
					path = validate.Index(validate.Index("contributions", i)+".parts", part.Index)
				}
			}
			errs.Add(path, "the ConfigMap %s would hold %d bytes; the API server accepts at most %d: spread the entities over more parts (for the tenants, more shards: tenants.shard.count)",
				part.ConfigMapName(d.Name), n, maxConfigMapBytes)
		}
	}
	if gen.err != nil {
		return gen
	}
	if n := len(appConfigKey) + len(text); n > maxConfigMapBytes {
		errs.Add("extraAppConfig", "the generated app-config ConfigMap would hold %d bytes; the API server accepts at most %d", n, maxConfigMapBytes)
	}
	gen.files, gen.live, gen.appConfig = files, live, string(text)
	return gen
}

func validateImage(errs *validate.Errors, image string) {
	if image == "" {
		errs.Add("image", "is required (a pinned Backstage image, by tag or digest)")
		return
	}
	if strings.Contains(image, "://") {
		errs.Add("image", "is a URL: an image reference has no scheme (registry/repository:tag or @sha256:digest)")
		return
	}
	if imageDigest.MatchString(image) {
		repo := image[:strings.LastIndex(image, "@")]
		if name, _ := splitTag(repo); !imageRepo.MatchString(name) {
			errs.Add("image", "%q is not a valid image reference", image)
		}
		return
	}
	if strings.Contains(image, "@") {
		errs.Add("image", "%q has a malformed digest (want @sha256:<64 hex>)", image)
		return
	}
	name, tag := splitTag(image)
	switch {
	case !imageRepo.MatchString(name):
		errs.Add("image", "%q is not a valid image reference", image)
	case tag == "":
		errs.Add("image", "%q is untagged: pin a tag other than latest, or a digest", image)
	case tag == "latest":
		errs.Add("image", "%q uses the latest tag: pin a version or a digest so deploys are reproducible", image)
	case !imageTag.MatchString(tag):
		errs.Add("image", "%q has an invalid tag", image)
	}
}

// splitTag splits "registry:5000/repo:tag" into name and tag; a colon before the last slash
// is a registry port, not a tag.
func splitTag(ref string) (name, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, ""
	}
	return ref[:i], ref[i+1:]
}

func validateTLS(errs *validate.Errors, t TLS, mode string) {
	if t.SecretName != "" && t.ClusterIssuer != "" {
		errs.Add("tls", "secretName and clusterIssuer are mutually exclusive: serve an existing secret or let cert-manager issue one")
		return
	}
	switch mode {
	case TLSPlatform:
		if t.SecretName != "" || t.ClusterIssuer != "" {
			errs.Add("tls.mode", "platform mode serves the wildcard certificate: leave secretName and clusterIssuer empty")
		}
	case TLSSecret:
		if t.SecretName == "" {
			errs.Add("tls.secretName", "is required with mode secret")
		} else if !validate.DNSName(t.SecretName) {
			errs.Add("tls.secretName", "%q is not a valid Secret name", t.SecretName)
		}
		if t.ClusterIssuer != "" {
			errs.Add("tls.clusterIssuer", "is only used with mode certManager")
		}
	case TLSCertManager:
		if t.ClusterIssuer == "" {
			errs.Add("tls.clusterIssuer", "is required with mode certManager")
		} else if !validate.DNSName(t.ClusterIssuer) {
			errs.Add("tls.clusterIssuer", "%q is not a valid ClusterIssuer name", t.ClusterIssuer)
		}
		if t.SecretName != "" {
			errs.Add("tls.secretName", "is chosen by the portal with mode certManager")
		}
	default:
		errs.Add("tls.mode", "%q is not one of platform, secret, certManager", mode)
	}
}

func validateResources(errs *validate.Errors, r Resources) {
	for _, q := range []struct{ path, v string }{
		{"resources.requests.cpu", r.Requests.CPU},
		{"resources.requests.memory", r.Requests.Memory},
		{"resources.requests.ephemeralStorage", r.Requests.EphemeralStorage},
		{"resources.limits.cpu", r.Limits.CPU},
		{"resources.limits.memory", r.Limits.Memory},
		{"resources.limits.ephemeralStorage", r.Limits.EphemeralStorage},
	} {
		if !validate.Quantity(q.v) {
			errs.Add(q.path, "%q is not a Kubernetes quantity", q.v)
		}
	}
}

func validateNetworkPolicy(errs *validate.Errors, n NetworkPolicy) {
	if !validate.DNSLabel(n.IngressControllerNamespace) {
		errs.Add("networkPolicy.ingressControllerNamespace", "%q is not a namespace name", n.IngressControllerNamespace)
	}
	for i, c := range n.DatabaseCIDRs {
		if _, _, err := net.ParseCIDR(c); err != nil {
			errs.Add(validate.Index("networkPolicy.databaseCidrs", i), "%q is not a CIDR", c)
		}
	}
	for i, c := range n.APIServerCIDRs {
		if _, _, err := net.ParseCIDR(c); err != nil {
			errs.Add(validate.Index("networkPolicy.apiServerCidrs", i), "%q is not a CIDR", c)
		}
	}
	if n.APIServerPort < 1 || n.APIServerPort > 65535 {
		errs.Add("networkPolicy.apiServerPort", "%d is not a port", n.APIServerPort)
	}
}

func validateKubernetes(errs *validate.Errors, d *Args) {
	k := d.Kubernetes
	names := map[string]string{}
	claim := func(p, name string) {
		if prev, dup := names[name]; dup {
			errs.Add(p, "cluster name %q is already used by %s", name, prev)
		}
		names[name] = p
	}
	switch {
	case k.ClusterName == "":
		errs.Add("kubernetes.clusterName", "is required (the platform cluster's name in Backstage)")
	case !clusterName.MatchString(k.ClusterName):
		errs.Add("kubernetes.clusterName", "%q is not a valid cluster name", k.ClusterName)
	default:
		claim("kubernetes.clusterName", k.ClusterName)
	}
	tokenUsers := map[string]bool{}
	tokenEnvs := map[string]string{}
	for i, c := range k.ExtraClusters {
		p := validate.Index("kubernetes.extraClusters", i)
		if !clusterName.MatchString(c.Name) {
			errs.Add(p+".name", "%q is not a valid cluster name", c.Name)
		} else {
			claim(p+".name", c.Name)
		}
		validateHTTPSURL(errs, p+".url", c.URL)
		validateCAData(errs, p+".caData", c.CAData)
		switch {
		case c.AuthProvider == "":
			errs.Add(p+".authProvider", "is required (one of %s)", strings.Join(clusterAuthProviders, ", "))
		case !validate.OneOf(c.AuthProvider, clusterAuthProviders...):
			errs.Add(p+".authProvider", "unknown auth provider %q (want one of %s)", c.AuthProvider, strings.Join(clusterAuthProviders, ", "))
		}
		if c.AuthProvider == "oidc" && c.OIDCTokenProvider == "" {
			errs.Add(p+".oidcTokenProvider", "is required with the oidc auth provider")
		}
		if c.AuthProvider != "oidc" && c.OIDCTokenProvider != "" {
			errs.Add(p+".oidcTokenProvider", "is only used with the oidc auth provider")
		}
		if c.AuthProvider == "serviceAccount" {
			env := clusterTokenEnv(c.Name)
			if prev, dup := tokenEnvs[env]; dup && prev != c.Name {
				errs.Add(p+".name", "cluster %q and cluster %q would share the token variable %s: rename one", c.Name, prev, env)
			}
			tokenEnvs[env] = c.Name
			tokenUsers[c.Name] = true
			if d.ClusterTokens[c.Name] == nil {
				errs.Add(p+".authProvider", "serviceAccount needs a token (ClusterTokens[%q], kept in the portal's Secret): "+
					"pulumi config set --secret --path 'developer-portal:kubernetesClusterTokens.%s' <token>", c.Name, c.Name)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(d.ClusterTokens)) {
		if !tokenUsers[name] {
			errs.Add("clusterTokens."+name, "no extra cluster %q uses the serviceAccount auth provider", name)
		}
	}
	if g := k.GKE; g != nil {
		if !validate.GCPProjectID(g.ProjectID) {
			errs.Add("kubernetes.gke.projectId", "%q is not a GCP project ID", g.ProjectID)
		}
		if g.Region != "" && !validate.GCPLocation(g.Region) {
			errs.Add("kubernetes.gke.region", "%q is not a GCP region or zone", g.Region)
		}
		if !validate.OneOf(g.AuthProvider, "googleServiceAccount", "google") {
			errs.Add("kubernetes.gke.authProvider", "unknown auth provider %q (want googleServiceAccount or google)", g.AuthProvider)
		}
		for _, key := range slices.Sorted(maps.Keys(g.MatchingResourceLabels)) {
			if !validate.GCPLabelKey(key) || !validate.GCPLabelValue(g.MatchingResourceLabels[key]) {
				errs.Add("kubernetes.gke.matchingResourceLabels."+key, "%q=%q is not a GCP resource label (key: a lowercase letter then up to 62 of a-z, 0-9, _ and -; value: up to 63 of those)", key, g.MatchingResourceLabels[key])
			}
		}
		if d.CloudIdentity == IdentityGKE && len(g.MatchingResourceLabels) == 0 {
			errs.Add("kubernetes.gke.matchingResourceLabels", "is required when the portal runs on GKE: discovery would list the platform cluster %q a second time (under its GKE name, with the project-wide Google identity); label the clusters to discover and leave the label off %q", k.ClusterName, k.ClusterName)
		}
	}
	for i, c := range k.EKS {
		p := validate.Index("kubernetes.eks", i)
		if !clusterName.MatchString(c.Name) {
			errs.Add(p+".name", "%q is not a valid cluster name", c.Name)
		} else {
			claim(p+".name", c.Name)
		}
		validateHTTPSURL(errs, p+".url", c.URL)
		validateCAData(errs, p+".caData", c.CAData)
		if c.AssumeRole != "" && !validate.IAMRoleARN(c.AssumeRole) {
			errs.Add(p+".assumeRole", "%q is not an IAM role ARN", c.AssumeRole)
		}
		if c.ExternalID != "" && c.AssumeRole == "" {
			errs.Add(p+".externalId", "is only used with assumeRole")
		}
	}
}

func validateHTTPSURL(errs *validate.Errors, p, raw string) {
	u, err := url.Parse(raw)
	switch {
	case raw == "" || err != nil || u.Scheme != "https" || u.Host == "":
		errs.Add(p, "%q is not an https URL", validate.RedactURL(raw))
	case u.User != nil:
		errs.Add(p, "%q holds credentials: give the cluster's credentials through its auth provider", validate.RedactURL(raw))
	case backstage.HasSubstitution(raw):
		// Cluster URLs are sent to every visitor's browser.
		errs.Add(p, "is sent to every visitor's browser: a ${VAR} substitution there would publish a server-side value")
	}
}

func validateCAData(errs *validate.Errors, p, data string) {
	if data == "" {
		return
	}
	pemData, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		errs.Add(p, "is not base64 (want the base64 of the CA's PEM)")
		return
	}
	block, _ := pem.Decode(pemData)
	if block == nil || block.Type != "CERTIFICATE" {
		errs.Add(p, "is not the base64 of a PEM certificate (-----BEGIN CERTIFICATE-----)")
		return
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		errs.Add(p, "holds a PEM block that is not an X.509 certificate")
	}
}

func validateMonitoring(errs *validate.Errors, m Monitoring) {
	if !validate.OneOf(m.Kind, MonitoringNone, MonitoringPodMonitoring, MonitoringServiceMonitor) {
		errs.Add("monitoring.kind", "%q is not one of none, podMonitoring, serviceMonitor", m.Kind)
		return
	}
	if m.Kind == MonitoringNone {
		return
	}
	if m.Port < 1 || m.Port > 65535 || m.Port == backendPort {
		errs.Add("monitoring.port", "%d is not a free port (1-65535, not the backend's %d)", m.Port, backendPort)
	}
	if !strings.HasPrefix(m.Path, "/") {
		errs.Add("monitoring.path", "%q must start with /", m.Path)
	}
	if !duration.MatchString(m.Interval) {
		errs.Add("monitoring.interval", "%q is not a duration like 30s", m.Interval)
	}
	if !validate.DNSLabel(m.ScraperNamespace) {
		errs.Add("monitoring.scraperNamespace", "%q is not a namespace name", m.ScraperNamespace)
	}
	for _, k := range slices.Sorted(maps.Keys(m.RuleLabels)) {
		if !labelKey.MatchString(k) {
			errs.Add("monitoring.ruleLabels."+k, "is not a label key")
		}
		if !validate.LabelValue(m.RuleLabels[k]) {
			errs.Add("monitoring.ruleLabels."+k, "is not a label value (at most 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit)")
		}
	}
}

func validateAutoscaling(errs *validate.Errors, s Autoscaling) {
	if !s.Enabled {
		return
	}
	if s.MinReplicas < 1 {
		errs.Add("autoscaling.minReplicas", "must be at least 1, got %d", s.MinReplicas)
	}
	if s.MaxReplicas < s.MinReplicas {
		errs.Add("autoscaling.maxReplicas", "%d is less than minReplicas %d", s.MaxReplicas, s.MinReplicas)
	}
	if s.MaxReplicas > maxReplicas {
		errs.Add("autoscaling.maxReplicas", "must be at most %d, got %d", maxReplicas, s.MaxReplicas)
	}
	if s.TargetCPUUtilization < 1 || s.TargetCPUUtilization > 100 {
		errs.Add("autoscaling.targetCpuUtilization", "%d is not a percentage", s.TargetCPUUtilization)
	}
}

// validateDatabase checks the connection's mode (database.ConnectionMode: auth, cloud, plugin
// layout), which is known before the database exists.
func validateDatabase(errs *validate.Errors, db backstage.Postgres) {
	if !validate.OneOf(db.PluginDivisionMode, "", "schema", "database") {
		errs.Add("database.pluginDivisionMode", "%q is not schema or database", db.PluginDivisionMode)
	}
	switch or(db.Auth, cloud.AuthPassword) {
	case cloud.AuthPassword:
	case cloud.AuthIAM:
		if problem := backstage.IAMAuthProblem(db.Cloud); problem != "" {
			errs.Add("database.auth", "%s", problem)
		}
		if db.Password != nil {
			errs.Add("database.password", "must be empty with IAM authentication")
		}
		if db.Cloud == cloud.AWS && !validate.AWSRegion(db.Region) {
			errs.Add("database.region", "%q is not an AWS region: the RDS IAM token is signed for the instance's region", db.Region)
		}
	default:
		errs.Add("database.auth", "%q is not password or iam", db.Auth)
	}
}

// checkWiring checks the connection's values, which usually come from the database
// component's outputs; NewDeveloperPortal calls it after Validate.
func (a *Args) checkWiring() error {
	var errs validate.Errors
	db := a.Database
	if db.Database == nil {
		errs.Add("database.database", "is required")
	}
	if db.User == nil {
		errs.Add("database.user", "is required")
	}
	if !db.CloudSQLConnector() {
		if db.Host == nil {
			errs.Add("database.host", "is required")
		}
		if db.Port == nil {
			errs.Add("database.port", "is required")
		}
		if db.CACert == nil {
			errs.Add("database.caCert", "is required: the portal verifies the server's certificate")
		}
	}
	switch or(db.Auth, cloud.AuthPassword) {
	case cloud.AuthPassword:
		if db.Password == nil {
			errs.Add("database.password", "is required with password authentication")
		}
	case cloud.AuthIAM:
		if db.CloudSQLConnector() && db.CloudSQLInstance == nil {
			errs.Add("database.cloudSqlInstance", "is required with IAM authentication on GCP (project:region:instance)")
		}
	}
	return errs.Err()
}

func validateContributions(errs *validate.Errors, cs []backstage.Contribution, clusters []Cluster, adminGroup string, owned []string) {
	policy := backstage.ContributionPolicy{
		AdminGroup: adminGroup, TemplateContributions: []string{access.ContributionName}, OwnedNamespaces: owned,
	}
	owner := map[string]string{}
	for _, name := range reservedEnv(clusters) {
		owner[name] = "the portal"
	}
	names := map[string]bool{portalCatalogName: true}
	for i, c := range cs {
		p := validate.Index("contributions", i)
		switch {
		case !validate.DNSLabel(c.Name):
			errs.Add(p+".name", "%q is not a DNS label", c.Name)
		case names[c.Name]:
			errs.Add(p+".name", "%q is used twice (or reserved)", c.Name)
		}
		names[c.Name] = true
		envs := map[string]bool{}
		for _, kind := range []struct {
			field string
			keys  []string
		}{{"env", slices.Sorted(maps.Keys(c.Env))}, {"secretEnv", slices.Sorted(maps.Keys(c.SecretEnv))}} {
			for _, k := range kind.keys {
				kp := p + "." + kind.field + "." + k
				switch {
				case !validate.EnvVarName(k):
					errs.Add(kp, "is not an environment variable name")
				case owner[k] != "":
					errs.Add(kp, "is already set by %s", owner[k])
				}
				owner[k] = fmt.Sprintf("contribution %q", c.Name)
				envs[k] = true
			}
		}
		for _, k := range slices.Sorted(maps.Keys(c.SecretEnv)) {
			if c.SecretEnv[k] == nil {
				errs.Add(p+".secretEnv."+k, "has no value")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(c.Env)) {
			if c.Env[k] == nil {
				errs.Add(p+".env."+k, "has no value")
			}
		}
		for _, f := range slices.Sorted(maps.Keys(c.Files)) {
			if err := checkFilePath(f); err != nil {
				errs.Add(p+".files."+f, "%v", err)
			}
		}
		if len(c.Entities) > 0 {
			if _, err := backstage.MarshalEntities(c.Entities); err != nil {
				errs.Add(p+".entities", "%v", err)
			}
		}
		checkParts(errs, p, c)
		if m, err := backstage.Generic(c.Config); err != nil {
			errs.Add(p+".config", "%v", err)
		} else {
			validate.LiteralSecrets(errs, p+".config", m)
			backstage.CheckFrontend(errs, p+".config", m)
		}
		backstage.CheckContribution(errs, p, c, policy)
	}
}

// checkParts checks a contribution's live catalog: static or live, not both (the two would
// share a directory name in different volumes); every part's files clean, each path in one
// part only and none taking a part's entity file name; no entity in two parts.
func checkParts(errs *validate.Errors, p string, c backstage.Contribution) {
	if len(c.Parts) == 0 {
		return
	}
	if len(c.Entities) > 0 || len(c.Files) > 0 {
		errs.Add(p+".parts", "a contribution's catalog is either entities and files, or parts, not both")
	}
	inPart := map[string]int{}
	seen := map[string]string{} // entity ref → the part that holds it
	for i, part := range c.Parts {
		pp := validate.Index(p+".parts", i)
		for _, f := range slices.Sorted(maps.Keys(part.Files)) {
			fp := pp + ".files." + f
			if err := checkFilePath(f); err != nil {
				errs.Add(fp, "%v", err)
				continue
			}
			if ok, _ := path.Match(livePartGlob, f); ok {
				errs.Add(fp, "takes the name of a part's entity file (%s)", livePartGlob)
			}
			if j, dup := inPart[f]; dup {
				errs.Add(fp, "is also in part %d: the parts share one directory", j)
			}
			inPart[f] = i
		}
		// The entities are marshalled once, when the parts' sizes are checked; here only what
		// marshalling would refuse, without writing 10,000 tenants' YAML once more.
		for j, e := range part.Entities {
			ref := e.Ref()
			switch {
			case e.Kind == "" || e.Metadata.Name == "" || e.APIVersion == "":
				errs.Add(validate.Index(pp+".entities", j), "catalog entity %q: apiVersion, kind and metadata.name are required", ref)
			case seen[ref] != "":
				errs.Add(validate.Index(pp+".entities", j), "catalog entity %s is defined twice (also in %s)", ref, seen[ref])
			default:
				seen[ref] = pp
			}
		}
	}
}

// checkFilePath accepts a clean relative path whose segments are valid ConfigMap keys.
func checkFilePath(f string) error {
	if f == "" || path.IsAbs(f) || path.Clean(f) != f || strings.HasPrefix(f, "..") {
		return fmt.Errorf("must be a clean relative path")
	}
	for _, seg := range strings.Split(f, "/") {
		if !fileSegment.MatchString(seg) || seg == "." || seg == ".." {
			return fmt.Errorf("segment %q must not be empty, \".\" or \"..\", nor hold control characters or backslashes", seg)
		}
	}
	return nil
}
