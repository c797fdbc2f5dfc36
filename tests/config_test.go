package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/stack"
)

const devStack = "Pulumi.dev.yaml"
const awsStack = "tests/testdata/Pulumi.aws.yaml"

// TestMalformedConfig feeds broken configurations to the real stack program: each must fail
// with an error naming the key, and register nothing (no half-built stack).
func TestMalformedConfig(t *testing.T) {
	cases := []struct {
		name   string
		stack  string
		mutate func(c *stackConfig)
		want   []string
		// file, when set, edits the stack file's text before it is read, as the offline plan
		// reads it (secrets in the file get no placeholder).
		file func(text string) string
		// not are texts the error must not contain (values that must not be echoed).
		not []string
	}{
		{"environment missing", devStack, func(c *stackConfig) { c.set("environment", "", nil) },
			[]string{"developer-portal:environment: is required"}, nil, nil},
		{"environment not a DNS label", devStack, func(c *stackConfig) { c.set("environment", "", "Dev_1") },
			[]string{"developer-portal:environment: \"Dev_1\""}, nil, nil},
		{"unknown top-level key", devStack, func(c *stackConfig) { c.set("portl", "", map[string]any{"x": 1}) },
			[]string{"developer-portal:portl: unknown key"}, nil, nil},
		{"unknown nested key", devStack, func(c *stackConfig) { c.set("portal", "hostnme", "portal") },
			[]string{"developer-portal:portal.hostnme: unknown key"}, nil, nil},
		{"unknown key in a list element", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "x", "url": "https://x.example.com", "authProvider": "google", "tokn": "y"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].tokn: unknown key"}, nil, nil},
		{"wrong type", devStack, func(c *stackConfig) { c.set("portal", "replicas", "two") },
			[]string{"developer-portal:portal.replicas: expected an integer"}, nil, nil},
		{"wrong type of list", devStack, func(c *stackConfig) { c.set("tenants", "environments", "gcp-dev") },
			[]string{"developer-portal:tenants.environments: expected a list"}, nil, nil},
		{"section not an object", devStack, func(c *stackConfig) { c.set("portal", "", `"portal"`) },
			[]string{"developer-portal:portal: must be an object"}, nil, nil},
		{"admin group missing", devStack, func(c *stackConfig) { c.set("portal", "adminGroup", nil) },
			[]string{"developer-portal:portal.adminGroup: is required"}, nil, nil},
		{"bad hostname", devStack, func(c *stackConfig) { c.set("portal", "hostname", "Portal.Dev") },
			[]string{"developer-portal:portal.hostname:"}, nil, nil},
		{"latest image", devStack, func(c *stackConfig) { c.set("portal", "image", "ghcr.io/cecg/developer-portal:latest") },
			[]string{"developer-portal:portal.image:"}, nil, nil},
		{"untagged image", devStack, func(c *stackConfig) { c.set("portal", "image", "ghcr.io/cecg/developer-portal") },
			[]string{"developer-portal:portal.image:"}, nil, nil},
		{"replicas below one", devStack, func(c *stackConfig) { c.set("portal", "replicas", 0) },
			[]string{"developer-portal:portal.replicas:"}, nil, nil},
		{"TLS secret and issuer", devStack, func(c *stackConfig) {
			c.set("portal", "tls", map[string]any{"secretName": "portal-tls", "clusterIssuer": "letsencrypt"})
		}, []string{"developer-portal:portal.tls"}, nil, nil},
		{"GKE discovery would list the platform cluster twice", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.gke", map[string]any{"projectId": "cecg-platform-dev", "region": "europe-west2"})
		}, []string{"developer-portal:portal.kubernetes.gke.matchingResourceLabels: is required when the portal runs on GKE"}, nil, nil},
		{"deploy and preview identities merged", devStack, func(c *stackConfig) {
			c.set("github", "oidc.gcp", map[string]any{"serviceAccountId": "portal-ci", "deployServiceAccountId": "portal-ci"})
		}, []string{"developer-portal:github.oidc.gcp.deployServiceAccountId: \"portal-ci\" is also serviceAccountId"}, nil, nil},
		{"branch-based CI trust is gone", devStack, func(c *stackConfig) { c.set("github", "oidc.branches", []any{"main"}) },
			[]string{"developer-portal:github.oidc.branches: unknown key"}, nil, nil},
		{"discovery allowed to claim tenancies and teams", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"catalog": map[string]any{"rules": []any{map[string]any{"allow": []any{"System", "Group", "User"}}}}})
		}, []string{"developer-portal:portal.extraAppConfig.catalog: is owned by the components"}, nil, nil},
		{"unknown cluster auth provider", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "x", "url": "https://x.example.com", "authProvider": "kerberos"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].authProvider:"}, nil, nil},
		{"cloud missing", devStack, func(c *stackConfig) { c.set("cloud", "", nil) },
			[]string{"developer-portal:cloud: is required"}, nil, nil},
		{"unsupported cloud", devStack, func(c *stackConfig) { c.set("cloud", "provider", "azure") },
			[]string{"developer-portal:cloud.provider: \"azure\" is not supported"}, nil, nil},
		{"bad GCP project", devStack, func(c *stackConfig) { c.set("cloud", "gcp.project", "CECG_Dev") },
			[]string{"developer-portal:cloud.gcp.project:"}, nil, nil},
		{"IRSA setting on GCP", devStack, func(c *stackConfig) { c.set("kubernetes", "oidcProviderArn", "arn:aws:iam::1:oidc-provider/x") },
			[]string{"developer-portal:kubernetes.oidcProviderArn:"}, nil, nil},
		{"bad placement", devStack, func(c *stackConfig) { c.set("database", "placement", "tenant") },
			[]string{"developer-portal:database.placement: \"tenant\" is not supported"}, nil, nil},
		{"paired without the paired account", devStack, func(c *stackConfig) { c.set("database", "placement", "paired") },
			[]string{"developer-portal:database.paired: is required"}, nil, nil},
		{"unsupported engine version", devStack, func(c *stackConfig) { c.set("database", "engineVersion", "9") },
			[]string{"developer-portal:database.engineVersion:"}, nil, nil},
		{"no private network", devStack, func(c *stackConfig) { c.set("database", "gcp.privateNetwork", nil) },
			[]string{"developer-portal:database.gcp.privateNetwork:"}, nil, nil},
		{"retention beyond the limit", devStack, func(c *stackConfig) { c.set("database", "backupRetentionDays", 400) },
			[]string{"developer-portal:database.backupRetentionDays:"}, nil, nil},
		{"HA on a shared-core tier", devStack, func(c *stackConfig) {
			c.set("database", "highAvailability", true).set("database", "gcp.tier", "db-f1-micro")
		}, []string{"developer-portal:database"}, nil, nil},
		{"external and managed database", devStack, func(c *stackConfig) {
			c.set("database", "external", map[string]any{"host": "db.example.com", "database": "backstage", "user": "backstage", "caCertificate": "x"})
		}, []string{"developer-portal:database.external.caCertificate:", "developer-portal:database.external: conflicts"}, nil, nil},
		{"missing GitHub App private key", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppPrivateKey, "", true) },
			[]string{"developer-portal:githubAppPrivateKey: is required", "pulumi config set --secret developer-portal:githubAppPrivateKey"}, nil, nil},
		{"private key that is not a PEM", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppPrivateKey, "not-a-key", true) },
			[]string{"developer-portal:githubAppPrivateKey:"}, nil, nil},
		{"secret stored in plain text", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppClientSecret, "abc123", false) },
			[]string{"developer-portal:githubAppClientSecret: is set in plain text"}, nil, nil},
		{"App and token together", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubToken, "ghp_example", true) },
			[]string{"developer-portal:githubToken: conflicts with the GitHub App"}, nil, nil},
		{"no GitHub credential", devStack, func(c *stackConfig) {
			c.set("github", "app", nil).secret(stack.KeyGitHubAppPrivateKey, "", true).secret(stack.KeyGitHubAppClientSecret, "", true).secret(stack.KeyGitHubAppWebhookSecret, "", true)
		}, []string{"developer-portal:github.app.appId: no GitHub credential"}, nil, nil},
		{"bad organisation", devStack, func(c *stackConfig) { c.set("github", "organization", "-cecg-") },
			[]string{"developer-portal:github.organization:"}, nil, nil},
		{"IAM auth in a paired AWS account", awsStack, func(c *stackConfig) { c.set("database", "auth", "iam") },
			[]string{"developer-portal:database.auth: iam needs placement platform on AWS"}, nil, nil},
		{"AWS without IRSA provider", awsStack, func(c *stackConfig) { c.set("kubernetes", "", nil) },
			[]string{"developer-portal:kubernetes.oidcProviderArn: is required on AWS"}, nil, nil},
		{"AWS database with one subnet", awsStack, func(c *stackConfig) { c.set("database", "aws.subnetIds", []any{"subnet-0a1b2c3d4e5f60718"}) },
			[]string{"developer-portal:database.aws.subnetIds:"}, nil, nil},

		// A literal credential never reaches the ConfigMap, a committed file or an Actions
		// variable; the error names the user's own key and how to pass the value.
		{"API key in extraAppConfig (files not managed)", awsStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"sonarqube": map[string]any{"baseUrl": "https://sonar.example.com", "apiKey": "4f9c2d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392"}})
		}, []string{"developer-portal:portal.extraAppConfig.sonarqube.apiKey: holds a literal secret", "pulumi config set --secret", "${"}, nil, []string{"4f9c2d0e8b7a"}},
		{"API key in extraAppConfig (files managed)", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"sonarqube": map[string]any{"baseUrl": "https://sonar.example.com", "apiKey": "4f9c2d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392"}})
		}, []string{"developer-portal:portal.extraAppConfig.sonarqube.apiKey: holds a literal secret"}, nil, []string{"appConfigYAML"}},
		{"Authorization header in a proxy endpoint", awsStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"proxy": map[string]any{"endpoints": map[string]any{"/pagerduty": map[string]any{
				"target": "https://api.pagerduty.com", "headers": map[string]any{"Authorization": "Token token=y_NbAkKc66ryYTWUXYEu"}}}}})
		}, []string{"developer-portal:portal.extraAppConfig.proxy.endpoints./pagerduty.headers.Authorization: holds a credential"}, nil, []string{"y_NbAkKc66ryYTWUXYEu"}},
		{"numeric password in extraAppConfig", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"jenkins": map[string]any{"password": 123456789}})
		}, []string{"developer-portal:portal.extraAppConfig.jenkins.password: holds a literal secret"}, nil, nil},
		{"GitHub token under an innocent key", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"integrations": map[string]any{"note": "ghp_0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX"}})
		}, []string{"developer-portal:portal.extraAppConfig.integrations.note: holds a credential"}, nil, []string{"ghp_0aB1"}},
		{"substitution in a section the browser receives", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"app": map[string]any{"title": "${POSTGRES_PASSWORD}"}, "organization": map[string]any{"name": map[string]any{"$file": "/etc/secret"}}})
		}, []string{"developer-portal:portal.extraAppConfig.app.title: is sent to every visitor's browser", "developer-portal:portal.extraAppConfig.organization.name.$file:"}, nil, nil},
		{"private key appended to the RDS CA bundle", awsStack, func(c *stackConfig) {
			c.set("database", "aws.caBundle", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX\n-----END RSA PRIVATE KEY-----\n")
		}, []string{"developer-portal:database.aws.caBundle: holds a credential (gitleaks rule private-key)"}, nil, nil},
		{"private key appended to the external database's CA", devStack, func(c *stackConfig) {
			c.set("database", "", map[string]any{"external": map[string]any{"host": "db.example.com", "database": "backstage", "user": "backstage",
				"caCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEA0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX\n-----END PRIVATE KEY-----\n"}}).
				secret(stack.KeyDatabasePassword, "example-password", true)
		}, []string{"developer-portal:database.external.caCertificate: holds a credential (gitleaks rule private-key)"}, nil, nil},
		{"credential-named Actions variable", devStack, func(c *stackConfig) {
			c.set("github", "variables.AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").set("github", "variables.PULUMI_ACCESS_TOKEN", "pul-0123456789abcdef")
		}, []string{"developer-portal:github.variables.AWS_SECRET_ACCESS_KEY:", "developer-portal:github.variables.PULUMI_ACCESS_TOKEN:"}, nil, []string{"wJalrXUtn", "pul-0123"}},
		{"AWS access key id as an Actions variable", devStack, func(c *stackConfig) {
			c.set("github", "variables.DEPLOY_KEY_ID", "AKIAQX7ZP3LMN2TY4VW5")
		}, []string{"developer-portal:github.variables.DEPLOY_KEY_ID: holds a credential"}, nil, []string{"AKIAQX7ZP3LMN2TY4VW5"}},
		// The offline plan reads the stack file as committed: a secret in plain text there is
		// an error, not a value to replace with a placeholder.
		{"client secret in plain text in the stack file", devStack, func(*stackConfig) {},
			[]string{"developer-portal:githubAppClientSecret: is set in plain text"},
			func(s string) string {
				return s + "  developer-portal:githubAppClientSecret: not-encrypted-client-secret\n"
			}, []string{"not-encrypted"}},
		{"private key in plain text in the stack file", devStack, func(*stackConfig) {},
			[]string{"developer-portal:githubAppPrivateKey: is set in plain text"},
			func(s string) string { return s + "  developer-portal:githubAppPrivateKey: not-a-pem\n" }, nil},
		{"database password in plain text in the stack file", devStack, func(*stackConfig) {},
			[]string{"developer-portal:databasePassword: is set in plain text"},
			func(s string) string { return s + "  developer-portal:databasePassword: hunter2\n" }, []string{"hunter2"}},
		// Errors say what is wrong in the user's terms.
		{"string where an object is expected", devStack, func(c *stackConfig) { c.set("portal", "", "portal") },
			[]string{"developer-portal:portal: must be an object (a YAML mapping), got a string"}, nil, []string{"invalid character"}},
		{".nan as a number", devStack, func(*stackConfig) {},
			[]string{"developer-portal:portal.replicas: .nan"},
			func(s string) string {
				return strings.Replace(s, "    hostname: portal\n", "    hostname: portal\n    replicas: .nan\n", 1)
			}, nil},
		{"credentials in a cluster URL", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "x", "url": "https://admin:s3cr3tpass@x.example.com", "authProvider": "google"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].url:", "holds a URL with a password"}, nil, []string{"s3cr3tpass", "admin:"}},
		{"malformed GCP region", devStack, func(c *stackConfig) { c.set("cloud", "gcp.region", "europe-west") },
			[]string{"developer-portal:cloud.gcp.region:"}, nil, nil},
		{"malformed AWS region", awsStack, func(c *stackConfig) { c.set("cloud", "aws.region", "eu-west-2a") },
			[]string{"developer-portal:cloud.aws.region:"}, nil, nil},
		// A tenancy request can name any namespace: the portal's and the platform's are reserved.
		{"tenant named after the portal's namespace", devStack, func(c *stackConfig) { c.set("tenants", "dir", tenantDir(c, "developer-portal")) },
			[]string{"developer-portal.yaml: name: \"developer-portal\" is the developer portal's namespace"}, nil, nil},
		{"tenant named after a platform namespace", devStack, func(c *stackConfig) { c.set("tenants", "dir", tenantDir(c, "cert-manager", "gmp-system")) },
			[]string{"cert-manager.yaml: name: \"cert-manager\" is a platform namespace", "gmp-system.yaml: name: \"gmp-system\" is a platform namespace"}, nil, nil},
		{"tenant named after a configured platform namespace", devStack, func(c *stackConfig) {
			c.set("tenants", "dir", tenantDir(c, "vault")).set("tenants", "reservedNamespaces", []any{"vault"})
		}, []string{"vault.yaml: name: \"vault\" is a platform namespace (reservedNamespaces)"}, nil, nil},
		// Nothing is accepted silently.
		{"empty tenants directory", devStack, func(c *stackConfig) { c.set("tenants", "dir", tenantDir(c)) },
			[]string{"developer-portal:tenants.dir:", "holds no tenant definition", "allowNoTenants"}, nil, nil},
		{"misspelt namespace", devStack, func(c *stackConfig) {
			c.src.Values["developer-portl:tenants"] = `{"dir":"tenants"}`
			c.src.Values["developer_portal:githubToken"] = "x"
		}, []string{"developer-portl:tenants: namespace \"developer-portl\" is not developer-portal", "developer_portal:githubToken: namespace"}, nil, nil},
		{"zero that would silently become the default", devStack, func(c *stackConfig) {
			c.set("database", "backupRetentionDays", 0).set("github", "protection.requiredApprovals", 0).
				set("portal", "autoscaling", map[string]any{"enabled": true, "targetCpuUtilization": 0})
		}, []string{"developer-portal:database.backupRetentionDays: 0 is out of range", "developer-portal:github.protection.requiredApprovals: 0 is out of range",
			"developer-portal:portal.autoscaling.targetCpuUtilization: 0 is out of range"}, nil, nil},
		{"megabyte string", devStack, func(c *stackConfig) { c.set("portal", "title", strings.Repeat("x", 1<<20)) },
			[]string{"developer-portal:portal.title: is longer than"}, nil, nil},
		{"extraAppConfig overriding what the portal owns", devStack, func(c *stackConfig) {
			c.set("portal", "extraAppConfig", map[string]any{"permission": map[string]any{"enabled": false},
				"auth":    map[string]any{"providers": map[string]any{"guest": map[string]any{}}},
				"backend": map[string]any{"database": map[string]any{"client": "better-sqlite3"}, "listen": map[string]any{"port": 8080}},
				"app":     map[string]any{"baseUrl": "http://portal.example.com"}})
		}, []string{"developer-portal:portal.extraAppConfig.permission: is owned by the components", "developer-portal:portal.extraAppConfig.auth:",
			"developer-portal:portal.extraAppConfig.backend:", "developer-portal:portal.extraAppConfig.app.baseUrl:"}, nil, nil},
		{"five billion replicas", devStack, func(c *stackConfig) { c.set("portal", "replicas", 5000000000) },
			[]string{"developer-portal:portal.replicas: must be at most 50"}, nil, nil},
		{"ServiceAccount cluster without its token", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "partner", "url": "https://partner.example.com", "authProvider": "serviceAccount"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].authProvider: serviceAccount needs a token", "developer-portal:kubernetesClusterTokens.partner"}, nil, nil},
		{"every problem at once", devStack, func(c *stackConfig) {
			c.set("environment", "", "Prod!").set("portal", "hostname", "a.b").set("database", "placement", "x")
		}, []string{"developer-portal:environment:", "developer-portal:portal.hostname:", "developer-portal:database.placement:"}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := testkit.NewMocks()
			var err error
			if c, readErr := loadEditedStack(t, tc.stack, tc.file); readErr != nil {
				err = readErr
			} else {
				tc.mutate(c)
				err = testkit.Run(stack.Program(c.src), m, c.src.Values, c.src.SecretKeys()...)
			}
			if err == nil {
				t.Fatal("the stack accepted the configuration")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(err.Error(), not) {
					t.Errorf("error contains %q:\n%v", not, err)
				}
			}
			if n := len(m.Resources()); n != 0 {
				t.Errorf("%d resources registered despite the invalid configuration", n)
			}
		})
	}
}

// TestValidStacksLoad guards the committed stack files themselves.
func TestValidStacksLoad(t *testing.T) {
	for _, path := range []string{"Pulumi.dev.yaml", "Pulumi.prod.yaml", awsStack} {
		t.Run(path, func(t *testing.T) {
			c := loadStack(t, path)
			if _, err := stack.Load(c.src); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		})
	}
}

// loadEditedStack is loadStack after edit changed the stack file's text (nil: unchanged). A
// file the offline plan cannot read returns its error.
func loadEditedStack(t *testing.T, path string, edit func(string) string) (*stackConfig, error) {
	t.Helper()
	if edit == nil {
		return loadStack(t, path), nil
	}
	b, err := os.ReadFile(abs(path))
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(edited, []byte(edit(string(b))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.ReadStackFile(edited, abs("Pulumi.yaml")); err != nil {
		return nil, err
	}
	return loadStack(t, edited), nil
}

// TestRecentRegionsLoad: regions opened after the first release are accepted by every
// component (one rule per cloud, in internal/validate).
func TestRecentRegionsLoad(t *testing.T) {
	cases := []struct{ stack, key, path, region string }{
		{devStack, "cloud", "gcp.region", "europe-west10"},
		{devStack, "cloud", "gcp.region", "northamerica-south1"},
		{awsStack, "cloud", "aws.region", "us-iso-east-1"},
		{awsStack, "cloud", "aws.region", "ap-southeast-7"},
		{awsStack, "database", "paired.region", "eusc-de-east-1"},
	}
	for _, tc := range cases {
		t.Run(tc.region, func(t *testing.T) {
			c := loadStack(t, tc.stack)
			c.set(tc.key, tc.path, tc.region)
			if _, err := stack.Load(c.src); err != nil {
				t.Fatalf("%s %s: %v", tc.key, tc.region, err)
			}
		})
	}
}

// tenantDir writes a valid tenant file for each name into a new directory and returns it.
func tenantDir(c *stackConfig, names ...string) string {
	c.t.Helper()
	dir := c.t.TempDir()
	for _, n := range names {
		body := "name: " + n + "\nparent: root\ndescription: Test tenant.\ncontactEmail: " + n + "@cecg.io\n" +
			"environments:\n  - gcp-dev\nrepos:\n  - https://github.com/cecg/" + n + "\n" +
			"adminGroup: " + n + "-admin@cecg.io\nreadonlyGroup: " + n + "-readonly@cecg.io\n"
		if err := os.WriteFile(filepath.Join(dir, n+".yaml"), []byte(body), 0o600); err != nil {
			c.t.Fatal(err)
		}
	}
	return dir
}

// TestNoTenantsByOptIn: a stack without tenants plans when it says so explicitly.
func TestNoTenantsByOptIn(t *testing.T) {
	c := loadStack(t, devStack)
	c.set("tenants", "dir", tenantDir(c)).set("tenants", "allowNoTenants", true)
	testkit.MustRun(t, stack.Program(c.src), c.src.Values, c.src.SecretKeys()...)
}
