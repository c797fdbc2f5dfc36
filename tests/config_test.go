package tests

import (
	"strings"
	"testing"

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
	}{
		{"environment missing", devStack, func(c *stackConfig) { c.set("environment", "", nil) },
			[]string{"developer-portal:environment: is required"}},
		{"environment not a DNS label", devStack, func(c *stackConfig) { c.set("environment", "", "Dev_1") },
			[]string{"developer-portal:environment: \"Dev_1\""}},
		{"unknown top-level key", devStack, func(c *stackConfig) { c.set("portl", "", map[string]any{"x": 1}) },
			[]string{"developer-portal:portl: unknown key"}},
		{"unknown nested key", devStack, func(c *stackConfig) { c.set("portal", "hostnme", "portal") },
			[]string{"developer-portal:portal.hostnme: unknown key"}},
		{"unknown key in a list element", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "x", "url": "https://x.example.com", "authProvider": "google", "tokn": "y"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].tokn: unknown key"}},
		{"wrong type", devStack, func(c *stackConfig) { c.set("portal", "replicas", "two") },
			[]string{"developer-portal:portal.replicas: expected an integer"}},
		{"wrong type of list", devStack, func(c *stackConfig) { c.set("tenants", "environments", "gcp-dev") },
			[]string{"developer-portal:tenants.environments: expected a list"}},
		{"section not an object", devStack, func(c *stackConfig) { c.set("portal", "", `"portal"`) },
			[]string{"developer-portal:portal: must be an object"}},
		{"bad hostname", devStack, func(c *stackConfig) { c.set("portal", "hostname", "Portal.Dev") },
			[]string{"developer-portal:portal.hostname:"}},
		{"latest image", devStack, func(c *stackConfig) { c.set("portal", "image", "ghcr.io/cecg/developer-portal:latest") },
			[]string{"developer-portal:portal.image:"}},
		{"untagged image", devStack, func(c *stackConfig) { c.set("portal", "image", "ghcr.io/cecg/developer-portal") },
			[]string{"developer-portal:portal.image:"}},
		{"replicas below one", devStack, func(c *stackConfig) { c.set("portal", "replicas", 0) },
			[]string{"developer-portal:portal.replicas:"}},
		{"TLS secret and issuer", devStack, func(c *stackConfig) {
			c.set("portal", "tls", map[string]any{"secretName": "portal-tls", "clusterIssuer": "letsencrypt"})
		}, []string{"developer-portal:portal.tls"}},
		{"unknown cluster auth provider", devStack, func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{map[string]any{"name": "x", "url": "https://x.example.com", "authProvider": "kerberos"}})
		}, []string{"developer-portal:portal.kubernetes.extraClusters[0].authProvider:"}},
		{"cloud missing", devStack, func(c *stackConfig) { c.set("cloud", "", nil) },
			[]string{"developer-portal:cloud: is required"}},
		{"unsupported cloud", devStack, func(c *stackConfig) { c.set("cloud", "provider", "azure") },
			[]string{"developer-portal:cloud.provider: \"azure\" is not supported"}},
		{"bad GCP project", devStack, func(c *stackConfig) { c.set("cloud", "gcp.project", "CECG_Dev") },
			[]string{"developer-portal:cloud.gcp.project:"}},
		{"IRSA setting on GCP", devStack, func(c *stackConfig) { c.set("kubernetes", "oidcProviderArn", "arn:aws:iam::1:oidc-provider/x") },
			[]string{"developer-portal:kubernetes.oidcProviderArn:"}},
		{"bad placement", devStack, func(c *stackConfig) { c.set("database", "placement", "tenant") },
			[]string{"developer-portal:database.placement: \"tenant\" is not supported"}},
		{"paired without the paired account", devStack, func(c *stackConfig) { c.set("database", "placement", "paired") },
			[]string{"developer-portal:database.paired: is required"}},
		{"unsupported engine version", devStack, func(c *stackConfig) { c.set("database", "engineVersion", "9") },
			[]string{"developer-portal:database.engineVersion:"}},
		{"no private network", devStack, func(c *stackConfig) { c.set("database", "gcp.privateNetwork", nil) },
			[]string{"developer-portal:database.gcp.privateNetwork:"}},
		{"retention beyond the limit", devStack, func(c *stackConfig) { c.set("database", "backupRetentionDays", 400) },
			[]string{"developer-portal:database.backupRetentionDays:"}},
		{"HA on a shared-core tier", devStack, func(c *stackConfig) {
			c.set("database", "highAvailability", true).set("database", "gcp.tier", "db-f1-micro")
		}, []string{"developer-portal:database"}},
		{"external and managed database", devStack, func(c *stackConfig) {
			c.set("database", "external", map[string]any{"host": "db.example.com", "database": "backstage", "user": "backstage", "caCertificate": "x"})
		}, []string{"developer-portal:database.external.caCertificate:", "developer-portal:database.external: conflicts"}},
		{"missing GitHub App private key", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppPrivateKey, "", true) },
			[]string{"developer-portal:githubAppPrivateKey: is required", "pulumi config set --secret developer-portal:githubAppPrivateKey"}},
		{"private key that is not a PEM", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppPrivateKey, "not-a-key", true) },
			[]string{"developer-portal:githubAppPrivateKey:"}},
		{"secret stored in plain text", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubAppClientSecret, "abc123", false) },
			[]string{"developer-portal:githubAppClientSecret: is set in plain text"}},
		{"App and token together", devStack, func(c *stackConfig) { c.secret(stack.KeyGitHubToken, "ghp_example", true) },
			[]string{"developer-portal:githubToken: conflicts with the GitHub App"}},
		{"no GitHub credential", devStack, func(c *stackConfig) {
			c.set("github", "app", nil).secret(stack.KeyGitHubAppPrivateKey, "", true).secret(stack.KeyGitHubAppClientSecret, "", true).secret(stack.KeyGitHubAppWebhookSecret, "", true)
		}, []string{"developer-portal:github.app.appId: no GitHub credential"}},
		{"bad organisation", devStack, func(c *stackConfig) { c.set("github", "organization", "-cecg-") },
			[]string{"developer-portal:github.organization:"}},
		{"IAM auth in a paired AWS account", awsStack, func(c *stackConfig) { c.set("database", "auth", "iam") },
			[]string{"developer-portal:database.auth: iam is not supported with placement: paired on AWS"}},
		{"AWS without IRSA provider", awsStack, func(c *stackConfig) { c.set("kubernetes", "", nil) },
			[]string{"developer-portal:kubernetes.oidcProviderArn: is required on AWS"}},
		{"AWS database with one subnet", awsStack, func(c *stackConfig) { c.set("database", "aws.subnetIds", []any{"subnet-0a1b2c3d4e5f60718"}) },
			[]string{"developer-portal:database.aws.subnetIds:"}},
		{"every problem at once", devStack, func(c *stackConfig) {
			c.set("environment", "", "Prod!").set("portal", "hostname", "a.b").set("database", "placement", "x")
		}, []string{"developer-portal:environment:", "developer-portal:portal.hostname:", "developer-portal:database.placement:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := loadStack(t, tc.stack)
			tc.mutate(c)
			m := testkit.NewMocks()
			err := testkit.Run(stack.Program(c.src), m, c.src.Values, c.src.SecretKeys()...)
			if err == nil {
				t.Fatal("the stack accepted the configuration")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
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
