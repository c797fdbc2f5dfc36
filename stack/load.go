package stack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/github"
	"github.com/coreeng/developer-portal/internal/configdecode"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/coreeng/developer-portal/techdocs"
)

// unknownKey is the problem reported for a key no section knows.
const unknownKey = "unknown key (check the spelling against the config reference in README.md)"

// Config is one environment's whole configuration, decoded from the `developer-portal:*` keys.
// Each component section decodes straight into that component's Args, so the config keys are
// the Args' JSON names and a component's validation errors name config keys.
type Config struct {
	// Environment is `developer-portal:environment`: dev, prod, ...
	Environment string
	Cloud       Cloud
	Kubernetes  Kubernetes
	Portal      portal.Args
	Database    Database
	GitHub      github.Args
	Tenants     access.Args
	TechDocs    techdocs.Args
	Secrets     *Secrets
}

// section is one object-valued config key.
type section struct {
	key      string
	required string // why it is required; "" when optional
	target   func(*Config) any
}

var sections = []section{
	{"cloud", "the platform's cloud account: provider, gcp or aws", func(c *Config) any { return &c.Cloud }},
	{"kubernetes", "", func(c *Config) any { return &c.Kubernetes }},
	{"portal", "the portal's image, hostname, domain and cluster name", func(c *Config) any { return &c.Portal }},
	{"database", "where the portal's PostgreSQL lives", func(c *Config) any { return &c.Database }},
	{"github", "the GitHub organisation and App", func(c *Config) any { return &c.GitHub }},
	{"tenants", "", func(c *Config) any { return &c.Tenants }},
	{"techdocs", "", func(c *Config) any { return &c.TechDocs }},
}

// Keys lists every config key of the project (without namespace), for the unknown-key check
// and the documentation.
func Keys() []string {
	keys := []string{"environment"}
	for _, s := range sections {
		keys = append(keys, s.key)
	}
	for k := range secretHelp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Load decodes and validates the configuration. Every problem is reported at once, each
// naming its full key; nothing is registered when Load fails.
func Load(src Source) (*Config, error) {
	cfg, errs := load(src)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// failedSections names the sections (and secret keys) that have a problem: their components
// are not validated again, so each problem is reported once.
func failedSections(errs *validate.Errors) map[string]bool {
	failed := map[string]bool{}
	for _, p := range errs.Problems {
		short, _ := inNamespace(p.Path)
		if i := strings.IndexAny(short, ".["); i >= 0 {
			short = short[:i]
		}
		failed[short] = true
	}
	return failed
}

// load decodes and validates what it can. It returns the configuration, when the sections
// every other depends on decoded, together with every problem found.
func load(src Source) (*Config, *validate.Errors) {
	var errs validate.Errors
	cfg := &Config{}

	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
	}
	for _, key := range src.Keys() {
		if short, ok := inNamespace(key); ok && !known[short] {
			errs.Add(key, "unknown key (known keys: %v)", Keys())
		} else if ns, _, found := strings.Cut(key, ":"); found && ns != Namespace && nearNamespace(ns) {
			errs.Add(key, "namespace %q is not %s: the program would ignore this key; rename it to %s:%s",
				ns, Namespace, Namespace, key[len(ns)+1:])
		}
	}

	env, ok := src.Get(fullKey("environment"))
	switch {
	case !ok:
		errs.Add(fullKey("environment"), "is required (dev, prod, ...): pulumi config set developer-portal:environment <name>")
	default:
		if err := environmentName(env); err != nil {
			errs.Add(fullKey("environment"), "%v", err)
		}
		cfg.Environment = env
	}

	decoded := map[string]bool{}
	for _, s := range sections {
		raw, ok := src.Get(fullKey(s.key))
		if ok {
			literalSecrets(raw, fullKey(s.key), &errs)
		}
		if !ok {
			if s.required != "" {
				errs.Add(fullKey(s.key), "is required (%s)", s.required)
			} else {
				decoded[s.key] = true
			}
			continue
		}
		if err := configdecode.Decode(raw, s.target(cfg), unknownKey); err != nil {
			errs.Merge(fullKey(s.key), err)
			continue
		}
		decoded[s.key] = true
	}
	secretSections(src, &errs)
	cfg.Secrets = loadSecrets(src, &errs)
	if !decoded["cloud"] {
		// Every other section's defaults depend on the cloud: stop at the decoding errors.
		return nil, &errs
	}
	errs.Merge(fullKey("cloud"), cfg.Cloud.validate())
	if decoded["kubernetes"] {
		errs.Merge(fullKey("kubernetes"), cfg.Kubernetes.validate(cfg.Cloud.Provider))
	}
	if decoded["database"] {
		errs.Merge(fullKey("database"), cfg.Database.resolve(&cfg.Cloud))
		if cfg.Database.External != nil {
			cfg.Secrets.require(KeyDatabasePassword, "the external database's password", &errs)
		}
	}
	if decoded["github"] {
		cfg.resolveGitHub(&errs)
	}
	if decoded["tenants"] {
		cfg.resolveTenants()
	}
	if decoded["techdocs"] {
		if cfg.Cloud.Provider == cloud.None {
			if _, set := src.Get(fullKey("techdocs")); set && !isEmptyObject(src, "techdocs") {
				errs.Add(fullKey("techdocs"), "needs a cloud account for its bucket; remove it with cloud provider none")
			}
		} else {
			errs.Merge(fullKey("techdocs"), cfg.resolveTechDocs())
		}
	}
	if decoded["github"] && decoded["techdocs"] {
		cfg.githubVariables()
	}
	return cfg, &errs
}

// literalSecrets applies the one literal-credential rule to a whole section as the user wrote
// it, so the error names the user's own key (developer-portal:portal.extraAppConfig.x.apiKey)
// whichever generated file or ConfigMap the value would have reached.
func literalSecrets(raw, key string, errs *validate.Errors) {
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		v = raw
	}
	validate.LiteralSecrets(errs, key, v)
}

// resolveGitHub fills what the github section inherits and checks that exactly one kind of
// credential is configured, naming the secret keys to set.
func (c *Config) resolveGitHub(errs *validate.Errors) {
	g := &c.GitHub
	if g.OIDC.Cloud == "" && c.Cloud.Provider != cloud.None {
		g.OIDC.Cloud = c.Cloud.Provider
	}
	if g.OIDC.Cloud == cloud.GCP && c.Cloud.GCP != nil {
		if g.OIDC.GCP == nil {
			g.OIDC.GCP = &github.OIDCGCPArgs{}
		}
		if g.OIDC.GCP.Project == "" {
			g.OIDC.GCP.Project = c.Cloud.GCP.Project
		}
	}
	g.Environment = c.Environment
	if c.Cloud.Provider == cloud.None {
		if g.OIDC.Cloud != "" && g.OIDC.Cloud != cloud.None {
			errs.Add(fullKey("github")+".oidc.cloud", "needs a cloud account; leave it unset with cloud provider none")
		}
		g.OIDC.Cloud = ""
	}
	if g.Files.Directory == "" {
		// Environments share the repository: each keeps its files in its own directory.
		g.Files.Directory = "environments/" + c.Environment
	}
	appMode := g.App.AppID != ""
	tokenMode := c.Secrets.Has(KeyGitHubToken)
	switch {
	case appMode && tokenMode:
		errs.Add(fullKey(KeyGitHubToken), "conflicts with the GitHub App (developer-portal:github.app.appId): use one credential; remove the token with pulumi config rm developer-portal:githubToken")
	case appMode:
		c.Secrets.require(KeyGitHubAppPrivateKey, "GitHub App credentials", errs)
		c.Secrets.require(KeyGitHubAppClientSecret, "GitHub App sign-in and credentials", errs)
		if c.Secrets.Has(KeyGitHubAppPrivateKey) {
			if err := github.CheckPrivateKeyPEM(c.Secrets.plain(KeyGitHubAppPrivateKey)); err != nil {
				errs.Add(fullKey(KeyGitHubAppPrivateKey), "%v", err)
			}
		}
	case tokenMode:
	default:
		errs.Add(fullKey("github")+".app.appId", "no GitHub credential: set github.app (appId, clientId) and the secrets githubAppPrivateKey and githubAppClientSecret, or for trials the secret githubToken")
	}
	g.AppPrivateKey = c.Secrets.Output(KeyGitHubAppPrivateKey)
	g.AppClientSecret = c.Secrets.Output(KeyGitHubAppClientSecret)
	g.AppWebhookSecret = c.Secrets.Output(KeyGitHubAppWebhookSecret)
	g.Token = c.Secrets.Output(KeyGitHubToken)
}

// TenantEnvironment is how tenant files name this stack's environment: "<cloud>-<env>".
func (c *Config) TenantEnvironment() string {
	return fmt.Sprintf("%s-%s", c.Cloud.Provider, c.Environment)
}

// standardEnvironments are the Core Platform's environments.
var standardEnvironments = []string{"sandbox", "pre-dev", "dev", "pre-prod", "prod"}

func (c *Config) resolveTenants() {
	t := &c.Tenants
	t.Environment = c.TenantEnvironment()
	pd := c.Portal.WithDefaults()
	t.PortalNamespace = pd.Namespace
	t.AdminGroup = pd.AdminGroup
	// The namespaces the portal admits traffic from are the platform's: derived from its
	// settings, so a tenant cannot take one whatever the cluster calls them.
	t.PlatformNamespaces = c.Portal.OwnedNamespaces()
	if c.GitHub.Organization != "" {
		t.PortalRepository = c.GitHub.FullName()
	}
	if len(t.Environments) == 0 {
		// Tenant files are shared by every environment of the platform, on either cloud.
		for _, provider := range []string{cloud.GCP, cloud.AWS} {
			for _, e := range standardEnvironments {
				t.Environments = append(t.Environments, provider+"-"+e)
			}
		}
		if c.Cloud.Provider == cloud.None {
			t.Environments = append(t.Environments, c.TenantEnvironment())
		}
	}
	if t.Organization == "" {
		t.Organization = c.GitHub.Organization
	}
	if t.Requests.Repository == "" && c.GitHub.Organization != "" {
		// Tenants are defined in the portal's own repository unless configured otherwise.
		t.Requests.Repository = c.GitHub.FullName()
	}
}

func (c *Config) resolveTechDocs() error {
	var errs validate.Errors
	t := &c.TechDocs
	if t.Cloud != "" && t.Cloud != c.Cloud.Provider {
		errs.Add("cloud", "%q differs from developer-portal:cloud.provider; leave it unset", t.Cloud)
	}
	t.Cloud = c.Cloud.Provider
	switch t.Cloud {
	case cloud.GCP:
		if t.Project == "" && c.Cloud.GCP != nil {
			t.Project = c.Cloud.GCP.Project
		}
		if t.BucketName == "" && c.Cloud.GCP != nil {
			t.BucketName = fmt.Sprintf("%s-%s-techdocs", c.Cloud.GCP.Project, c.Environment)
		}
	case cloud.AWS:
		if t.Region == "" && c.Cloud.AWS != nil {
			t.Region = c.Cloud.AWS.Region
		}
		if t.BucketName == "" && c.Cloud.AWS != nil {
			t.BucketName = fmt.Sprintf("developer-portal-%s-techdocs-%s", c.Environment, c.Cloud.AWS.AccountID)
		}
	}
	if t.Repository == "" && c.GitHub.Organization != "" {
		t.Repository = c.GitHub.FullName()
	}
	return errs.Err()
}

// githubVariables are the environment's Actions variables the workflows read besides the OIDC
// identifiers: which cloud, and where TechDocs are published.
func (c *Config) githubVariables() {
	if c.Cloud.Provider == cloud.None {
		return
	}
	vars := map[string]string{"CLOUD": c.Cloud.Provider, "TECHDOCS_BUCKET": c.TechDocs.BucketName}
	if c.Cloud.Provider == cloud.AWS && c.Cloud.AWS != nil {
		vars["AWS_REGION"] = c.Cloud.AWS.Region
	}
	for k, v := range c.GitHub.Variables {
		vars[k] = v
	}
	c.GitHub.Variables = vars
}

func isEmptyObject(src Source, key string) bool {
	raw, _ := src.Get(fullKey(key))
	return raw == "{}" || raw == ""
}

// nearNamespace reports whether a config namespace is a misspelling of the project's
// ("developer-portl", "developer_portal", "Developer-Portal").
func nearNamespace(ns string) bool {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", ".", "").Replace(strings.ToLower(s))
	}
	return editDistance(norm(ns), norm(Namespace)) <= 2
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
