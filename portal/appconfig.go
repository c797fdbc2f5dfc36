package portal

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/backstage"
)

// Where things live in the pod, and the environment variables the app-config references.
const (
	backendPort = 7007

	configDir      = "/etc/backstage"
	appConfigKey   = "app-config.yaml"
	dbCAKey        = "db-ca.pem"
	AppConfigPath  = configDir + "/" + appConfigKey
	DatabaseCAPath = configDir + "/" + dbCAKey
	CatalogDir     = "/catalog"
	// LiveCatalogDir holds the contributions' live catalogs (backstage.Contribution.Parts),
	// one directory each, outside CatalogDir: a volume cannot be mounted inside another.
	LiveCatalogDir = "/catalog-live"

	inClusterURL    = "https://kubernetes.default.svc"
	inClusterCAFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"

	EnvServiceToken     = "BACKSTAGE_SERVICE_TOKEN"
	EnvPostgresHost     = "POSTGRES_HOST"
	EnvPostgresPort     = "POSTGRES_PORT"
	EnvPostgresUser     = "POSTGRES_USER"
	EnvPostgresPassword = "POSTGRES_PASSWORD"
	EnvPostgresDB       = "POSTGRES_DB"
	EnvPostgresInstance = "POSTGRES_INSTANCE"
	EnvPGSSLMode        = "PGSSLMODE"
	// EnvMetricsPort is OpenTelemetry's name for the Prometheus exporter's port;
	// EnvMetricsPath is the image's own (OpenTelemetry has none for the path).
	EnvMetricsPort = "OTEL_EXPORTER_PROMETHEUS_PORT"
	EnvMetricsPath = "PORTAL_METRICS_PATH"

	// clusterTokenEnvPrefix + the upper-cased cluster name holds an extra cluster's token.
	clusterTokenEnvPrefix = "K8S_CLUSTER_TOKEN_"

	// Annotations the Kubernetes plugin reads from a cluster's authMetadata.
	authMetaServiceAccountToken = "serviceAccountToken"
	authMetaOIDCTokenProvider   = "kubernetes.io/oidc-token-provider"
	authMetaAWSAssumeRole       = "kubernetes.io/aws-assume-role"
	authMetaAWSExternalID       = "kubernetes.io/aws-external-id"
	authMetaAWSClusterID        = "kubernetes.io/x-k8s-aws-id"
)

// AppConfig returns the portal's whole app-config: the portal's own part (branding, URLs,
// database, service-to-service auth, generated catalog locations, Kubernetes plugin), then
// each contribution's part in order, then extraAppConfig. Every secret and every database
// connection value is a ${ENV} reference, so the document can be stored anywhere (the
// ConfigMap, a repository file). It validates the args first.
func AppConfig(args *Args) (backstage.Document, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	return appConfig(args)
}

// appConfig composes the app-config of validated args.
func appConfig(args *Args) (backstage.Document, error) {
	d := args.WithDefaults()
	files, err := catalogLayout(&d)
	if err != nil {
		return nil, err
	}
	parts := []backstage.Part{{Name: "portal", Config: baseConfig(&d, files)}}
	for _, c := range d.Contributions {
		parts = append(parts, backstage.Part{Name: "contribution " + c.Name, Config: c.Config})
	}
	extra, _ := integralNumbers(d.ExtraAppConfig).(map[string]any)
	return backstage.Compose(parts, extra)
}

// integralNumbers turns the whole numbers of a config decoded from JSON (all float64) into
// integers, so 123456789 is rendered as written and not as 1.23456789e+08.
func integralNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = integralNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = integralNumbers(e)
		}
		return out
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	}
	return v
}

func baseConfig(d *Args, files []catalogFile) backstage.AppConfig {
	url := "https://" + d.Host()
	return backstage.AppConfig{
		App:          &backstage.App{Title: d.Title, BaseURL: url},
		Organization: &backstage.Organization{Name: d.Organization},
		Backend: &backstage.Backend{
			BaseURL: url,
			Listen:  &backstage.Listen{Port: backendPort},
			CORS: &backstage.CORS{
				Origin:      url,
				Methods:     []string{"GET", "HEAD", "PATCH", "POST", "PUT", "DELETE"},
				Credentials: true,
			},
			Database: databaseConfig(d.Database),
			Auth: &backstage.BackendAuth{ExternalAccess: []backstage.ExternalAccess{{
				Type:               "static",
				Options:            backstage.ExternalAccessOptions{Token: ref(EnvServiceToken), Subject: d.Name + "-automation"},
				AccessRestrictions: ServiceTokenAccess(),
			}}},
		},
		Catalog:    &backstage.Catalog{Locations: append(catalogLocations(files), liveLocations(d)...)},
		Kubernetes: kubernetesConfig(d),
		// The image's permission policy (app/packages/backend) refuses what only the admin
		// group may do; without permission.enabled Backstage would allow everything.
		Permission:   &backstage.Permission{Enabled: true},
		CorePlatform: corePlatform(d),
	}
}

func corePlatform(d *Args) *backstage.CorePlatform {
	c := &backstage.CorePlatform{AdminGroup: AdminGroupRef(d.AdminGroup)}
	if hasLiveCatalog(d) {
		c.LiveCatalog = &backstage.LiveCatalog{Directory: LiveCatalogDir, Namespace: d.Namespace, ConfigMaps: liveConfigMaps(d)}
	}
	return c
}

func databaseConfig(db backstage.Postgres) *backstage.Database {
	// The database exists before the portal starts (ManagedDatabase creates it, an external
	// one is given): ensureExists off keeps the backend from connecting to the server's
	// "postgres" database to create it, which its login need not be allowed to do. Each
	// plugin's schema is still created in the portal's database.
	out := &backstage.Database{
		Client: "pg", PluginDivisionMode: db.PluginDivisionMode,
		EnsureExists: ptr(false), EnsureSchemaExists: ptr(db.PluginDivisionMode == "schema"),
	}
	if db.CloudSQLConnector() {
		// The Cloud SQL connector authenticates with the pod's IAM identity and wraps the
		// connection in its own mutual TLS, so there is neither a password nor a CA here.
		out.Connection = &backstage.DatabaseConnection{
			Type:          "cloudsql",
			Instance:      ref(EnvPostgresInstance),
			IPAddressType: "PRIVATE",
			User:          ref(EnvPostgresUser),
			Database:      ref(EnvPostgresDB),
		}
		return out
	}
	out.Connection = &backstage.DatabaseConnection{
		Host:     ref(EnvPostgresHost),
		Port:     ref(EnvPostgresPort),
		User:     ref(EnvPostgresUser),
		Password: ref(EnvPostgresPassword),
		Database: ref(EnvPostgresDB),
		SSL: &backstage.SSL{
			RejectUnauthorized: true,
			CA:                 &backstage.FileRef{File: DatabaseCAPath},
		},
	}
	if db.RDSIAM() {
		// The backend signs a 15-minute RDS IAM token for host, port, user and region with
		// the pod's IRSA credentials (@backstage/backend-defaults' rds connector), and renews
		// it before it expires; the server is still verified against its CA.
		out.Connection.Type = "rds"
		out.Connection.Password = ""
		out.Connection.Region = db.Region
	}
	return out
}

func kubernetesConfig(d *Args) *backstage.Kubernetes {
	k := d.Kubernetes
	// The platform cluster is reached with the pod's own service account token (no token
	// in config: the in-cluster client), verified against the in-cluster CA.
	clusters := []backstage.Cluster{{
		Name:         k.ClusterName,
		URL:          inClusterURL,
		AuthProvider: "serviceAccount",
		CAFile:       inClusterCAFile,
	}}
	for _, c := range k.ExtraClusters {
		bc := backstage.Cluster{
			Name:              c.Name,
			URL:               c.URL,
			AuthProvider:      c.AuthProvider,
			CAData:            c.CAData,
			SkipTLSVerify:     c.SkipTLSVerify,
			SkipMetricsLookup: c.SkipMetricsLookup,
		}
		switch c.AuthProvider {
		case "serviceAccount":
			bc.AuthMetadata = map[string]string{authMetaServiceAccountToken: ref(clusterTokenEnv(c.Name))}
		case "oidc":
			bc.AuthMetadata = map[string]string{authMetaOIDCTokenProvider: c.OIDCTokenProvider}
		}
		clusters = append(clusters, bc)
	}
	for _, c := range k.EKS {
		meta := map[string]string{authMetaAWSClusterID: c.Name}
		if c.AssumeRole != "" {
			meta[authMetaAWSAssumeRole] = c.AssumeRole
		}
		if c.ExternalID != "" {
			meta[authMetaAWSExternalID] = c.ExternalID
		}
		clusters = append(clusters, backstage.Cluster{
			Name:              c.Name,
			URL:               c.URL,
			AuthProvider:      "aws",
			CAData:            c.CAData,
			SkipMetricsLookup: c.SkipMetricsLookup,
			AuthMetadata:      meta,
		})
	}
	methods := []backstage.ClusterLocatorMethod{{Type: "config", Clusters: clusters}}
	if g := k.GKE; g != nil {
		var labels []backstage.ResourceLabel
		for _, key := range slices.Sorted(maps.Keys(g.MatchingResourceLabels)) {
			labels = append(labels, backstage.ResourceLabel{Key: key, Value: g.MatchingResourceLabels[key]})
		}
		methods = append(methods, backstage.ClusterLocatorMethod{
			Type:                   "gke",
			ProjectID:              g.ProjectID,
			Region:                 g.Region,
			AuthProvider:           g.AuthProvider,
			MatchingResourceLabels: labels,
		})
	}
	return &backstage.Kubernetes{
		ServiceLocatorMethod:  backstage.ServiceLocatorMethod{Type: "multiTenant"},
		ClusterLocatorMethods: methods,
		ObjectTypes:           KubernetesObjectTypes(),
	}
}

// ServiceTokenAccess is all the static service token may do (backend.auth.externalAccess
// accessRestrictions). Its callers are the checks of a running portal through Backstage's
// HTTP API (the Backstage and browser tests, an operator's smoke test): they read the
// catalog and the configured clusters and dry-run "Request a tenancy". Service principals
// bypass the permission policy, so without this list the token could do anything a plugin
// offers: register locations, delete entities, run templates that publish, use the Kubernetes
// proxy. (A restricted token is never delegated: an entity's workloads, which the Kubernetes
// plugin looks up through the catalog on the caller's behalf, are a signed-in user's view.)
func ServiceTokenAccess() []backstage.AccessRestriction {
	return []backstage.AccessRestriction{
		{Plugin: "catalog", Permission: []string{"catalog.entity.read", "catalog.location.read"}},
		{Plugin: "kubernetes", Permission: []string{"kubernetes.clusters.read"}},
		// A dry run needs the task and dry-run permissions, and executes the template's
		// actions (fetch:template renders the files; publishing steps are left out).
		{Plugin: "scaffolder", Permission: []string{
			"scaffolder.template.parameter.read", "scaffolder.template.step.read",
			"scaffolder.task.create", "scaffolder.template.dry-run", "scaffolder.action.execute",
		}},
	}
}

// reservedEnv lists the environment variables the portal sets itself.
func reservedEnv(clusters []Cluster) []string {
	out := []string{EnvServiceToken, EnvPostgresHost, EnvPostgresPort, EnvPostgresUser,
		EnvPostgresPassword, EnvPostgresDB, EnvPostgresInstance, EnvPGSSLMode}
	for _, c := range clusters {
		if c.AuthProvider == "serviceAccount" {
			out = append(out, clusterTokenEnv(c.Name))
		}
	}
	return out
}

func clusterTokenEnv(cluster string) string {
	r := strings.NewReplacer("-", "_", ".", "_")
	return clusterTokenEnvPrefix + strings.ToUpper(r.Replace(cluster))
}

// AdminGroupRef is the entity reference the organisation sync gives a GitHub team.
func AdminGroupRef(teamSlug string) string { return "group:default/" + teamSlug }

func ref(env string) string { return "${" + env + "}" }
