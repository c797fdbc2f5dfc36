package backstage

// AppConfig is the part of Backstage's app-config this product generates. Fields left at their
// zero value are omitted, so a partial AppConfig is a contribution to be merged (see Compose).
// Keys follow Backstage's config schema (packages/backend-defaults/config.d.ts and the plugins').
type AppConfig struct {
	App          *App          `yaml:"app,omitempty" json:"app,omitempty"`
	Organization *Organization `yaml:"organization,omitempty" json:"organization,omitempty"`
	Backend      *Backend      `yaml:"backend,omitempty" json:"backend,omitempty"`
	Integrations *Integrations `yaml:"integrations,omitempty" json:"integrations,omitempty"`
	Auth         *Auth         `yaml:"auth,omitempty" json:"auth,omitempty"`
	Catalog      *Catalog      `yaml:"catalog,omitempty" json:"catalog,omitempty"`
	Kubernetes   *Kubernetes   `yaml:"kubernetes,omitempty" json:"kubernetes,omitempty"`
	TechDocs     *TechDocs     `yaml:"techdocs,omitempty" json:"techdocs,omitempty"`
	Scaffolder   *Scaffolder   `yaml:"scaffolder,omitempty" json:"scaffolder,omitempty"`
	Events       *Events       `yaml:"events,omitempty" json:"events,omitempty"`
	Permission   *Permission   `yaml:"permission,omitempty" json:"permission,omitempty"`
	CorePlatform *CorePlatform `yaml:"corePlatform,omitempty" json:"corePlatform,omitempty"`
}

// App is the app section: the frontend's title and public URL.
type App struct {
	Title   string `yaml:"title,omitempty" json:"title,omitempty"`
	BaseURL string `yaml:"baseUrl,omitempty" json:"baseUrl,omitempty"`
}

// Organization is the organization section: the name the portal shows.
type Organization struct {
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// Backend is the backend section.
type Backend struct {
	BaseURL          string       `yaml:"baseUrl,omitempty" json:"baseUrl,omitempty"`
	Listen           *Listen      `yaml:"listen,omitempty" json:"listen,omitempty"`
	CORS             *CORS        `yaml:"cors,omitempty" json:"cors,omitempty"`
	Database         *Database    `yaml:"database,omitempty" json:"database,omitempty"`
	Auth             *BackendAuth `yaml:"auth,omitempty" json:"auth,omitempty"`
	WorkingDirectory string       `yaml:"workingDirectory,omitempty" json:"workingDirectory,omitempty"`
	Reading          *Reading     `yaml:"reading,omitempty" json:"reading,omitempty"`
}

// Listen is backend.listen: the port the backend serves on.
type Listen struct {
	Port int `yaml:"port,omitempty" json:"port,omitempty"`
}

// CORS is backend.cors: the origins, methods and credentials the backend accepts.
type CORS struct {
	Origin      string   `yaml:"origin,omitempty" json:"origin,omitempty"`
	Methods     []string `yaml:"methods,omitempty" json:"methods,omitempty"`
	Credentials bool     `yaml:"credentials,omitempty" json:"credentials,omitempty"`
}

// Database is backend.database. Connection values are usually ${ENV} references.
type Database struct {
	Client             string              `yaml:"client" json:"client"`
	PluginDivisionMode string              `yaml:"pluginDivisionMode,omitempty" json:"pluginDivisionMode,omitempty"`
	EnsureExists       *bool               `yaml:"ensureExists,omitempty" json:"ensureExists,omitempty"`
	EnsureSchemaExists *bool               `yaml:"ensureSchemaExists,omitempty" json:"ensureSchemaExists,omitempty"`
	Connection         *DatabaseConnection `yaml:"connection" json:"connection"`
}

// DatabaseConnection is backend.database.connection.
type DatabaseConnection struct {
	Type          string `yaml:"type,omitempty" json:"type,omitempty"`
	Instance      string `yaml:"instance,omitempty" json:"instance,omitempty"`
	IPAddressType string `yaml:"ipAddressType,omitempty" json:"ipAddressType,omitempty"`
	Host          string `yaml:"host,omitempty" json:"host,omitempty"`
	Port          string `yaml:"port,omitempty" json:"port,omitempty"`
	User          string `yaml:"user,omitempty" json:"user,omitempty"`
	Password      string `yaml:"password,omitempty" json:"password,omitempty"`
	Database      string `yaml:"database,omitempty" json:"database,omitempty"`
	// Region is the AWS region an RDS IAM token is signed for (type rds).
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	SSL    *SSL   `yaml:"ssl,omitempty" json:"ssl,omitempty"`
}

// SSL is backend.database.connection.ssl.
type SSL struct {
	RejectUnauthorized bool     `yaml:"rejectUnauthorized" json:"rejectUnauthorized"`
	CA                 *FileRef `yaml:"ca,omitempty" json:"ca,omitempty"`
}

// FileRef is Backstage's {$file: path} substitution.
type FileRef struct {
	File string `yaml:"$file" json:"$file"`
}

// BackendAuth is backend.auth: the static tokens other services call the backend with.
type BackendAuth struct {
	ExternalAccess []ExternalAccess `yaml:"externalAccess,omitempty" json:"externalAccess,omitempty"`
}

// ExternalAccess is one entry of backend.auth.externalAccess.
type ExternalAccess struct {
	Type    string                `yaml:"type" json:"type"`
	Options ExternalAccessOptions `yaml:"options" json:"options"`
	// AccessRestrictions limit the token to these plugins, and within each to these
	// permissions; without them a static token may do anything (service principals bypass the
	// permission policy).
	AccessRestrictions []AccessRestriction `yaml:"accessRestrictions,omitempty" json:"accessRestrictions,omitempty"`
}

// AccessRestriction is one entry of an externalAccess entry's accessRestrictions: a plugin
// the token may call and the permissions it is granted there.
type AccessRestriction struct {
	Plugin     string   `yaml:"plugin" json:"plugin"`
	Permission []string `yaml:"permission,omitempty" json:"permission,omitempty"`
}

// ExternalAccessOptions are the options of one backend.auth.externalAccess entry.
type ExternalAccessOptions struct {
	Token   string `yaml:"token,omitempty" json:"token,omitempty"`
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`
}

// Reading is backend.reading: the hosts the backend may read URLs from.
type Reading struct {
	Allow []ReadingAllow `yaml:"allow,omitempty" json:"allow,omitempty"`
}

// ReadingAllow is one entry of backend.reading.allow.
type ReadingAllow struct {
	Host  string   `yaml:"host" json:"host"`
	Paths []string `yaml:"paths,omitempty" json:"paths,omitempty"`
}

// Integrations is the integrations section.
type Integrations struct {
	GitHub []GitHubIntegration `yaml:"github,omitempty" json:"github,omitempty"`
}

// GitHubIntegration is one entry of integrations.github: a host and its credentials.
type GitHubIntegration struct {
	Host  string      `yaml:"host" json:"host"`
	Token string      `yaml:"token,omitempty" json:"token,omitempty"`
	Apps  []GitHubApp `yaml:"apps,omitempty" json:"apps,omitempty"`
}

// GitHubApp is one entry of integrations.github[].apps: a GitHub App's credentials.
type GitHubApp struct {
	AppID                     string   `yaml:"appId" json:"appId"`
	ClientID                  string   `yaml:"clientId" json:"clientId"`
	ClientSecret              string   `yaml:"clientSecret" json:"clientSecret"`
	PrivateKey                string   `yaml:"privateKey" json:"privateKey"`
	WebhookSecret             string   `yaml:"webhookSecret,omitempty" json:"webhookSecret,omitempty"`
	AllowedInstallationOwners []string `yaml:"allowedInstallationOwners,omitempty" json:"allowedInstallationOwners,omitempty"`
}

// Auth is the auth section: the environment and the sign-in providers.
type Auth struct {
	Environment string                    `yaml:"environment,omitempty" json:"environment,omitempty"`
	Providers   map[string]map[string]any `yaml:"providers,omitempty" json:"providers,omitempty"`
}

// Catalog is the catalog section.
type Catalog struct {
	Rules     []CatalogRule  `yaml:"rules,omitempty" json:"rules,omitempty"`
	Locations []Location     `yaml:"locations,omitempty" json:"locations,omitempty"`
	Providers map[string]any `yaml:"providers,omitempty" json:"providers,omitempty"`
}

// CatalogRule is one entry of catalog.rules (or of a location's rules): the entity kinds allowed.
type CatalogRule struct {
	Allow []string `yaml:"allow" json:"allow"`
}

// Location is one entry of catalog.locations.
type Location struct {
	Type   string        `yaml:"type" json:"type"`
	Target string        `yaml:"target" json:"target"`
	Rules  []CatalogRule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// Schedule is a task schedule as the catalog providers take it.
type Schedule struct {
	Frequency Duration `yaml:"frequency" json:"frequency"`
	Timeout   Duration `yaml:"timeout" json:"timeout"`
}

// Duration is a duration as Backstage's config takes it (HumanDuration).
type Duration struct {
	Minutes int `yaml:"minutes,omitempty" json:"minutes,omitempty"`
	Hours   int `yaml:"hours,omitempty" json:"hours,omitempty"`
}

// Kubernetes is the kubernetes section.
type Kubernetes struct {
	ServiceLocatorMethod  ServiceLocatorMethod   `yaml:"serviceLocatorMethod" json:"serviceLocatorMethod"`
	ClusterLocatorMethods []ClusterLocatorMethod `yaml:"clusterLocatorMethods" json:"clusterLocatorMethods"`
	// ObjectTypes are the object kinds the plugin fetches for an entity (its default list
	// includes configmaps).
	ObjectTypes []string `yaml:"objectTypes,omitempty" json:"objectTypes,omitempty"`
}

// ServiceLocatorMethod is kubernetes.serviceLocatorMethod.
type ServiceLocatorMethod struct {
	Type string `yaml:"type" json:"type"`
}

// ClusterLocatorMethod is one entry of kubernetes.clusterLocatorMethods: type "config" with
// Clusters, "gke" with ProjectID/Region, or "catalog".
type ClusterLocatorMethod struct {
	Type            string    `yaml:"type" json:"type"`
	Clusters        []Cluster `yaml:"clusters,omitempty" json:"clusters,omitempty"`
	ProjectID       string    `yaml:"projectId,omitempty" json:"projectId,omitempty"`
	Region          string    `yaml:"region,omitempty" json:"region,omitempty"`
	AuthProvider    string    `yaml:"authProvider,omitempty" json:"authProvider,omitempty"`
	SkipTLSVerify   bool      `yaml:"skipTLSVerify,omitempty" json:"skipTLSVerify,omitempty"`
	ExposeDashboard bool      `yaml:"exposeDashboard,omitempty" json:"exposeDashboard,omitempty"`
	// MatchingResourceLabels (gke) keeps only clusters carrying every one of these labels.
	MatchingResourceLabels []ResourceLabel `yaml:"matchingResourceLabels,omitempty" json:"matchingResourceLabels,omitempty"`
}

// ResourceLabel is a GCP resource label a discovered cluster must carry.
type ResourceLabel struct {
	Key   string `yaml:"key" json:"key"`
	Value string `yaml:"value" json:"value"`
}

// Cluster is one entry of a "config" cluster locator's clusters.
type Cluster struct {
	Name              string            `yaml:"name" json:"name"`
	URL               string            `yaml:"url" json:"url"`
	AuthProvider      string            `yaml:"authProvider" json:"authProvider"`
	CAData            string            `yaml:"caData,omitempty" json:"caData,omitempty"`
	CAFile            string            `yaml:"caFile,omitempty" json:"caFile,omitempty"`
	SkipTLSVerify     bool              `yaml:"skipTLSVerify,omitempty" json:"skipTLSVerify,omitempty"`
	SkipMetricsLookup bool              `yaml:"skipMetricsLookup,omitempty" json:"skipMetricsLookup,omitempty"`
	AuthMetadata      map[string]string `yaml:"authMetadata,omitempty" json:"authMetadata,omitempty"`
}

// TechDocs is the techdocs section.
type TechDocs struct {
	Builder   string             `yaml:"builder" json:"builder"`
	Generator *TechDocsGenerator `yaml:"generator,omitempty" json:"generator,omitempty"`
	Publisher *TechDocsPublisher `yaml:"publisher,omitempty" json:"publisher,omitempty"`
}

// TechDocsGenerator is techdocs.generator.
type TechDocsGenerator struct {
	RunIn string `yaml:"runIn" json:"runIn"`
}

// TechDocsPublisher is techdocs.publisher: where the generated sites are stored.
type TechDocsPublisher struct {
	Type      string          `yaml:"type" json:"type"`
	GoogleGCS *BucketSettings `yaml:"googleGcs,omitempty" json:"googleGcs,omitempty"`
	AWSS3     *BucketSettings `yaml:"awsS3,omitempty" json:"awsS3,omitempty"`
}

// BucketSettings is the bucket of techdocs.publisher.googleGcs or .awsS3.
type BucketSettings struct {
	BucketName string `yaml:"bucketName" json:"bucketName"`
	Region     string `yaml:"region,omitempty" json:"region,omitempty"`
	ProjectID  string `yaml:"projectId,omitempty" json:"projectId,omitempty"`
}

// Scaffolder is the scaffolder section.
type Scaffolder struct {
	DefaultAuthor        *Author `yaml:"defaultAuthor,omitempty" json:"defaultAuthor,omitempty"`
	DefaultCommitMessage string  `yaml:"defaultCommitMessage,omitempty" json:"defaultCommitMessage,omitempty"`
}

// Author is scaffolder.defaultAuthor.
type Author struct {
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
}

// Events is the events section (@backstage/plugin-events-backend and its GitHub module).
type Events struct {
	Modules *EventsModules `yaml:"modules,omitempty" json:"modules,omitempty"`
}

// EventsModules is events.modules.
type EventsModules struct {
	GitHub *GitHubEvents `yaml:"github,omitempty" json:"github,omitempty"`
}

// GitHubEvents is events.modules.github: the secret GitHub signs webhook deliveries with. The
// module opens POST /api/events/http/github only when a secret is set, and accepts only
// deliveries whose X-Hub-Signature-256 it verifies.
type GitHubEvents struct {
	WebhookSecret string `yaml:"webhookSecret" json:"webhookSecret"`
}

// Permission is the permission section.
type Permission struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
}

// CorePlatform is the portal's own configuration section, read by its backend (the schema is
// declared in app/packages/backend/package.json, configSchema).
type CorePlatform struct {
	// AdminGroup is the entity reference of the group allowed to unregister and delete
	// entities and manage templates (the permission policy's only privileged group).
	AdminGroup string `yaml:"adminGroup" json:"adminGroup"`
	// LiveCatalog names the ConfigMaps of the catalog files that change while the portal
	// runs; the image's live catalog module watches them through the Kubernetes API, writes
	// them into Directory and refreshes their locations when they change.
	LiveCatalog *LiveCatalog `yaml:"liveCatalog,omitempty" json:"liveCatalog,omitempty"`
}

// LiveCatalog is corePlatform.liveCatalog.
type LiveCatalog struct {
	// Directory is where the module writes the ConfigMaps' items (a writable volume).
	Directory string `yaml:"directory" json:"directory"`
	// Namespace is the ConfigMaps' namespace, the portal's own.
	Namespace  string          `yaml:"namespace" json:"namespace"`
	ConfigMaps []LiveConfigMap `yaml:"configMaps" json:"configMaps"`
}

// LiveConfigMap is one ConfigMap the live catalog module follows, and where each of its keys
// goes under LiveCatalog.Directory.
type LiveConfigMap struct {
	Name  string         `yaml:"name" json:"name"`
	Items []LiveFileItem `yaml:"items" json:"items"`
}

// LiveFileItem is one key of a LiveConfigMap and its path relative to LiveCatalog.Directory.
type LiveFileItem struct {
	Key  string `yaml:"key" json:"key"`
	Path string `yaml:"path" json:"path"`
}
