package tests

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/stack"
)

// Credentials as an attacker (or a careless operator) would paste them. None is real; each
// is built at run time so that no scanner of this repository mistakes the source for a leak.
var (
	fakeGitHubToken = "ghp_" + "0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX"
	fakeAWSKeyID    = "AKIA" + "QX7ZP3LMN2TY4VW5"
	fakePEMKey      = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow" + "0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX\n-----END RSA PRIVATE KEY-----"
	fakeSlackToken  = "xoxb-" + "1234567890123-1234567890123-" + "aB3dE5gH7jK9mN1pQ3sT5vW7"
	// fakeLowerSecret fits a GCP label value's syntax, so only the secret detector refuses it.
	fakeLowerSecret = "xoxb-" + "1234567890123-1234567890123-" + "ab3de5gh7jk9mn1pq3st5vw7"
)

// adversarialCase is one crafted input: what it edits, and the key the error must name.
type adversarialCase struct {
	name string
	// edit changes the dev stack's configuration; tenants, when set, are extra tenant files
	// (name → body) planned beside a valid one.
	edit    func(c *stackConfig)
	tenants map[string]string
	// key is the config key (or tenant file and field) the error must name, followed by ":".
	key string
	// secret, when set, must not appear in the error.
	secret string
}

// extra sets portal.extraAppConfig to v.
func extra(v map[string]any) func(c *stackConfig) {
	return func(c *stackConfig) { c.set("portal", "extraAppConfig", v) }
}

// m is a shorthand for nested maps: m("a", m("b", 1)).
func m(kv ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// validTenant is a tenant file body; edit replaces lines of it ("description: x").
func validTenant(name string, edits ...string) string {
	fields := []struct{ key, line string }{
		{"name", "name: " + name}, {"parent", "parent: root"}, {"description", "description: Test tenant."},
		{"contactEmail", "contactEmail: " + name + "@cecg.io"}, {"environments", "environments:\n  - gcp-dev"},
		{"repos", "repos:\n  - https://github.com/cecg/" + name + "-service"},
		{"adminGroup", "adminGroup: " + name + "-admin@cecg.io"}, {"readonlyGroup", "readonlyGroup: " + name + "-readonly@cecg.io"},
	}
	var b strings.Builder
	for _, f := range fields {
		line := f.line
		for _, e := range edits {
			if strings.HasPrefix(e, f.key+":") {
				line = e
			}
		}
		b.WriteString(line + "\n")
	}
	for _, e := range edits {
		if strings.HasPrefix(e, "costCentre:") {
			b.WriteString(e + "\n")
		}
	}
	return b.String()
}

func caData(pemText string) string { return base64.StdEncoding.EncodeToString([]byte(pemText)) }

func cluster(name string) map[string]any {
	return m("name", name, "url", "https://"+name+".example.com", "authProvider", "serviceAccount")
}

// adversarialStackCases are the crafted stack and tenant inputs: each must be refused before
// anything is registered, with an error naming the key.
func adversarialStackCases() []adversarialCase {
	const x = "developer-portal:portal.extraAppConfig."
	const tenantKey = "developer-portal:tenants"
	cases := []adversarialCase{
		// Who signs in and who is an admin.
		{name: "admin group replaced", edit: extra(m("corePlatform", m("adminGroup", "group:default/everyone"))), key: x + "corePlatform"},
		{name: "sign-in resolver replaced", edit: extra(m("auth", m("providers", m("github", m("production", m("signIn", m("resolvers", []any{m("resolver", "emailLocalPartMatchingUserEntityName")}))))))), key: x + "auth"},
		{name: "login-matching sign-in resolver", edit: extra(m("auth", m("providers", m("github", m("production", m("signIn", m("resolvers", []any{m("resolver", "usernameMatchingUserEntityName")}))))))), key: x + "auth"},
		{name: "sign-in without a catalog user", edit: extra(m("auth", m("providers", m("github", m("production", m("signIn", m("resolvers", []any{m("resolver", "usernameMatchingUserEntityName", "dangerouslyAllowSignInWithoutUserInCatalog", true)}))))))), key: x + "auth"},
		{name: "guest sign-in", edit: extra(m("auth", m("providers", m("guest", m())))), key: x + "auth"},
		{name: "another sign-in provider", edit: extra(m("auth", m("providers", m("oidc", m("production", m("metadataUrl", "https://idp.example.com")))))), key: x + "auth"},
		{name: "auth environment", edit: extra(m("auth", m("environment", "development"))), key: x + "auth"},
		{name: "auth session secret", edit: extra(m("auth", m("session", m("secret", "${BACKSTAGE_SERVICE_TOKEN}")))), key: x + "auth"},
		{name: "permission off", edit: extra(m("permission", m("enabled", false))), key: x + "permission"},
		{name: "permission policy options", edit: extra(m("permission", m("rbac", m("admin", m("users", []any{"user:default/mallory"}))))), key: x + "permission"},
		// What the catalog trusts.
		{name: "catalog location", edit: extra(m("catalog", m("locations", []any{m("type", "url", "target", "https://evil.example.com/org.yaml")}))), key: x + "catalog"},
		{name: "catalog location with its rules", edit: extra(m("catalog", m("locations", []any{m("type", "url", "target", "https://evil.example.com/org.yaml", "rules", []any{m("allow", []any{"Group", "User"})})}))), key: x + "catalog"},
		{name: "catalog rules", edit: extra(m("catalog", m("rules", []any{m("allow", []any{"Group", "User", "Template"})}))), key: x + "catalog"},
		{name: "another org synced", edit: extra(m("catalog", m("providers", m("githubOrg", []any{m("id", "evil", "githubUrl", "https://github.com", "orgs", []any{"evil"})})))), key: x + "catalog"},
		{name: "catalog orphan strategy", edit: extra(m("catalog", m("orphanStrategy", "keep"))), key: x + "catalog"},
		{name: "catalog processing", edit: extra(m("catalog", m("processingInterval", m("seconds", 1)))), key: x + "catalog"},
		{name: "templates from anywhere", edit: extra(m("catalog", m("locations", []any{m("type", "url", "target", "https://evil.example.com/template.yaml", "rules", []any{m("allow", []any{"Template"})})}))), key: x + "catalog"},
		// Where credentials go.
		{name: "integration to another host", edit: extra(m("integrations", m("github", []any{m("host", "github.evil.example.com", "token", "${GITHUB_TOKEN}")}))), key: x + "integrations"},
		{name: "gitlab integration", edit: extra(m("integrations", m("gitlab", []any{m("host", "gitlab.example.com")}))), key: x + "integrations"},
		{name: "reading the metadata server", edit: extra(m("backend", m("reading", m("allow", []any{m("host", "169.254.169.254")})))), key: x + "backend"},
		{name: "CORS from anywhere", edit: extra(m("backend", m("cors", m("origin", "*")))), key: x + "backend"},
		{name: "database switched", edit: extra(m("backend", m("database", m("client", "better-sqlite3")))), key: x + "backend"},
		{name: "listen port", edit: extra(m("backend", m("listen", m("port", 8080)))), key: x + "backend"},
		{name: "backend base URL", edit: extra(m("backend", m("baseUrl", "http://evil.example.com"))), key: x + "backend"},
		{name: "static token added", edit: extra(m("backend", m("auth", m("externalAccess", []any{m("type", "static", "options", m("token", "${POSTGRES_PASSWORD}", "subject", "x"))})))), key: x + "backend"},
		{name: "dangerous backend auth", edit: extra(m("backend", m("auth", m("dangerouslyDisableDefaultAuthPolicy", true)))), key: x + "backend"},
		{name: "proxy to the metadata server", edit: extra(m("proxy", m("endpoints", m("/meta", m("target", "http://169.254.169.254"))))), key: x + "proxy"},
		{name: "proxy with the GitHub token", edit: extra(m("proxy", m("endpoints", m("/gh", m("target", "https://evil.example.com", "headers", m("Authorization", "token ${GITHUB_TOKEN}")))))), key: x + "proxy"},
		{name: "cluster without TLS verification", edit: extra(m("kubernetes", m("clusterLocatorMethods", []any{m("type", "config", "clusters", []any{m("name", "x", "url", "https://x.example.com", "authProvider", "serviceAccount", "skipTLSVerify", true)})}))), key: x + "kubernetes"},
		{name: "kubernetes object types", edit: extra(m("kubernetes", m("objectTypes", []any{"secrets", "configmaps"}))), key: x + "kubernetes"},
		{name: "scaffolder actions", edit: extra(m("scaffolder", m("concurrentTasksLimit", 100))), key: x + "scaffolder.concurrentTasksLimit"},
		{name: "techdocs built in the pod", edit: extra(m("techdocs", m("builder", "local"))), key: x + "techdocs.builder"},
		{name: "techdocs publisher", edit: extra(m("techdocs", m("publisher", m("type", "local")))), key: x + "techdocs.publisher"},
		{name: "search engine", edit: extra(m("search", m("pg", m("highlightOptions", m("useHighlight", false))))), key: x + "search"},
		{name: "unknown plugin section", edit: extra(m("sonarqube", m("baseUrl", "https://sonar.example.com"))), key: x + "sonarqube"},
		// Includes, anywhere.
		{name: "$include at the top", edit: extra(m("$include", "/etc/passwd")), key: x + "$include"},
		{name: "$file under an extension point", edit: extra(m("scaffolder", m("defaultCommitMessage", m("$file", "/var/run/secrets/kubernetes.io/serviceaccount/token")))), key: x + "scaffolder.defaultCommitMessage.$file"},
		{name: "$env under an extension point", edit: extra(m("techdocs", m("cache", m("ttl", m("$env", "POSTGRES_PASSWORD"))))), key: x + "techdocs.cache.ttl.$env"},
		{name: "$include under an extension point", edit: extra(m("app", m("support", m("$include", "/etc/backstage/app-config.yaml")))), key: x + "app.support.$include"},
		// What the browser loads.
		{name: "app base URL", edit: extra(m("app", m("baseUrl", "http://evil.example.com"))), key: x + "app.baseUrl"},
		{name: "app title", edit: extra(m("app", m("title", "${POSTGRES_PASSWORD}"))), key: x + "app.title"},
		{name: "analytics script", edit: extra(m("app", m("analytics", m("ga", m("trackingId", "UA-1"))))), key: x + "app.analytics"},
		{name: "organization name", edit: extra(m("organization", m("name", "${GITHUB_TOKEN}"))), key: x + "organization"},
		{name: "support URL with a server-side value", edit: extra(m("app", m("support", m("url", "https://help.example.com/${POSTGRES_PASSWORD}")))), key: x + "app.support.url"},
		{name: "support item with a server-side value", edit: extra(m("app", m("support", m("items", []any{m("title", "${BACKSTAGE_SERVICE_TOKEN}")})))), key: x + "app.support.items[0].title"},
		{name: "title with a substitution", edit: func(c *stackConfig) { c.set("portal", "title", "${POSTGRES_PASSWORD}") }, key: "developer-portal:portal.title"},
		{name: "organization with a substitution", edit: func(c *stackConfig) { c.set("portal", "organization", "CECG ${GITHUB_APP_CLIENT_SECRET}") }, key: "developer-portal:portal.organization"},
		// Credentials in plain configuration; none echoed.
		{name: "GitHub token in a support item", edit: extra(m("app", m("support", m("url", "https://x.example.com/?t="+fakeGitHubToken)))), key: x + "app.support.url", secret: fakeGitHubToken},
		{name: "credential under a secret-named key", edit: extra(m("scaffolder", m("defaultAuthor", m("name", "bot", "email", "bot@cecg.io", "apiKey", "s3cr3t-value-123")))), key: x + "scaffolder.defaultAuthor.apiKey", secret: "s3cr3t-value-123"},
		{name: "AWS key id in a commit message", edit: extra(m("scaffolder", m("defaultCommitMessage", "deploy "+fakeAWSKeyID))), key: x + "scaffolder.defaultCommitMessage", secret: fakeAWSKeyID},
		{name: "PEM key in a GitHub variable", edit: func(c *stackConfig) { c.set("github", "variables.DEPLOY_KEY", fakePEMKey) }, key: "developer-portal:github.variables.DEPLOY_KEY", secret: "MIIEow"},
		{name: "token in the image reference", edit: func(c *stackConfig) { c.set("portal", "image", "ghcr.io/cecg/"+strings.ToLower(fakeGitHubToken)+":1") }, key: "developer-portal:portal.image", secret: strings.ToLower(fakeGitHubToken)},
		{name: "token as a cluster name", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{m("name", fakeGitHubToken+"!", "url", "https://x.example.com", "authProvider", "google")})
		}, key: "developer-portal:portal.kubernetes.extraClusters[0].name", secret: fakeGitHubToken},
		// What `up` would refuse.
		{name: "image by https URL", edit: func(c *stackConfig) { c.set("portal", "image", "https://ghcr.io/cecg/developer-portal:1.8.3") }, key: "developer-portal:portal.image"},
		{name: "image by http URL", edit: func(c *stackConfig) { c.set("portal", "image", "http://registry.example.com/portal:1") }, key: "developer-portal:portal.image"},
		{name: "image by oci URL", edit: func(c *stackConfig) { c.set("portal", "image", "oci://ghcr.io/cecg/portal:1") }, key: "developer-portal:portal.image"},
		{name: "caData not base64", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{m("name", "x", "url", "https://x.example.com", "authProvider", "google", "caData", "not base64!")})
		}, key: "developer-portal:portal.kubernetes.extraClusters[0].caData"},
		{name: "caData of plain text", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{m("name", "x", "url", "https://x.example.com", "authProvider", "google", "caData", caData("hello"))})
		}, key: "developer-portal:portal.kubernetes.extraClusters[0].caData"},
		{name: "caData of a public key", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{m("name", "x", "url", "https://x.example.com", "authProvider", "google", "caData", caData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))})
		}, key: "developer-portal:portal.kubernetes.extraClusters[0].caData"},
		{name: "caData of a corrupt certificate", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{m("name", "x", "url", "https://x.example.com", "authProvider", "google", "caData", caData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))})
		}, key: "developer-portal:portal.kubernetes.extraClusters[0].caData"},
		{name: "EKS caData of plain text", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.eks", []any{m("name", "eks", "url", "https://eks.example.com", "caData", caData("hello"))})
		}, key: "developer-portal:portal.kubernetes.eks[0].caData"},
		{name: "token variables collide (prod-a, prod.a)", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{cluster("prod-a"), cluster("prod.a")})
			c.secret(stack.KeyKubernetesClusterTokens, `{"prod-a":"t1-aaaa","prod.a":"t2-bbbb"}`, true)
		}, key: "developer-portal:portal.kubernetes.extraClusters[1].name"},
		{name: "token variables collide (prod-a, prod_a)", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{cluster("prod-a"), cluster("prod_a")})
			c.secret(stack.KeyKubernetesClusterTokens, `{"prod-a":"t1-aaaa","prod_a":"t2-bbbb"}`, true)
		}, key: "developer-portal:portal.kubernetes.extraClusters[1].name"},
		{name: "database label holding a token", edit: func(c *stackConfig) { c.set("database", "labels", m("owner", fakeSlackToken)) }, key: "developer-portal:database.labels.owner", secret: fakeSlackToken},
		{name: "database label holding a lower-case key", edit: func(c *stackConfig) { c.set("database", "labels", m("owner", fakeLowerSecret)) }, key: "developer-portal:database.labels.owner", secret: fakeLowerSecret},
		{name: "rule label value with a space", edit: func(c *stackConfig) { c.set("portal", "monitoring.ruleLabels", m("team", "platform team")) }, key: "developer-portal:portal.monitoring.ruleLabels.team"},
		{name: "rule label value too long", edit: func(c *stackConfig) { c.set("portal", "monitoring.ruleLabels", m("team", strings.Repeat("a", 64))) }, key: "developer-portal:portal.monitoring.ruleLabels.team"},
		{name: "rule label value ending in a dash", edit: func(c *stackConfig) { c.set("portal", "monitoring.ruleLabels", m("team", "platform-")) }, key: "developer-portal:portal.monitoring.ruleLabels.team"},
		{name: "LimitRange default CPU above max", edit: func(c *stackConfig) { c.set("tenants", "limitRange", m("defaultCpu", "8", "maxCpu", "4")) }, key: tenantKey + ".limitRange.defaultCpu"},
		{name: "LimitRange default memory above max", edit: func(c *stackConfig) { c.set("tenants", "limitRange", m("defaultMemory", "16Gi", "maxMemory", "8Gi")) }, key: tenantKey + ".limitRange.defaultMemory"},
		{name: "LimitRange default memory above max across units", edit: func(c *stackConfig) { c.set("tenants", "limitRange", m("defaultMemory", "9G", "maxMemory", "8Gi")) }, key: tenantKey + ".limitRange.defaultMemory"},
		{name: "LimitRange default request above default", edit: func(c *stackConfig) {
			c.set("tenants", "limitRange", m("defaultRequestCpu", "2", "defaultCpu", "500m"))
		}, key: tenantKey + ".limitRange.defaultRequestCpu"},
		{name: "LimitRange default request memory above default", edit: func(c *stackConfig) { c.set("tenants", "limitRange", m("defaultRequestMemory", "1Gi")) }, key: tenantKey + ".limitRange.defaultRequestMemory"},
		{name: "target branch ending in .lock", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "main.lock") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch with ..", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "a..b") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch ending in /", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "feature/") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch @", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "@") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch with a space", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "my branch") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch hidden component", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "release/.hidden") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch with @{", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "main@{1}") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch with a control character", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "main\x07") }, key: tenantKey + ".requests.targetBranch"},
		{name: "target branch like an option", edit: func(c *stackConfig) { c.set("tenants", "requests.targetBranch", "-f") }, key: tenantKey + ".requests.targetBranch"},
		// Secrets set inside ordinary sections, or in plain text beside secret ones.
		{name: "secure value in extraAppConfig", edit: secretLeaf("portal", "extraAppConfig.scaffolder.defaultCommitMessage", "leaked-commit-message-42"), key: "developer-portal:portal.extraAppConfig.scaffolder.defaultCommitMessage", secret: "leaked-commit-message-42"},
		{name: "secure GitHub variable", edit: secretLeaf("github", "variables.DEPLOY_TOKEN", "leaked-variable-value-42"), key: "developer-portal:github.variables.DEPLOY_TOKEN", secret: "leaked-variable-value-42"},
		{name: "secure tenants setting", edit: secretLeaf("tenants", "requests.owner", "leaked-owner-value-42"), key: "developer-portal:tenants.requests.owner", secret: "leaked-owner-value-42"},
		{name: "secure hostname, also invalid", edit: secretLeaf("portal", "hostname", "Leaked_Host_Value_42"), key: "developer-portal:portal.hostname", secret: "Leaked_Host_Value_42"},
		{name: "plain value beside secret ones in portalSecretEnv", edit: func(c *stackConfig) {
			c.secret(stack.KeyPortalSecretEnv, `{"SECRET_A":"secret-value-a","PLAIN_B":"plain-value-b"}`, true)
			c.src.SecretLeaves = map[string][]string{"developer-portal:" + stack.KeyPortalSecretEnv: {"developer-portal:portalSecretEnv.SECRET_A"}}
		}, key: "developer-portal:portalSecretEnv.PLAIN_B", secret: "secret-value-a"},
		{name: "plain token beside secret ones", edit: func(c *stackConfig) {
			c.set("portal", "kubernetes.extraClusters", []any{cluster("a"), cluster("b")})
			c.secret(stack.KeyKubernetesClusterTokens, `{"a":"token-a-value","b":"token-b-value"}`, true)
			c.src.SecretLeaves = map[string][]string{"developer-portal:" + stack.KeyKubernetesClusterTokens: {"developer-portal:kubernetesClusterTokens.a"}}
		}, key: "developer-portal:kubernetesClusterTokens.b", secret: "token-a-value"},
		// What a tenancy request can name.
		{name: "tenant named after the admin group", tenants: map[string]string{"platform-team": validTenant("platform-team")}, key: "platform-team.yaml: name"},
		{name: "tenant named after a custom admin group", edit: func(c *stackConfig) { c.set("portal", "adminGroup", "portal-admins") },
			tenants: map[string]string{"portal-admins": validTenant("portal-admins")}, key: "portal-admins.yaml: name"},
		{name: "tenant named after the portal's namespace", tenants: map[string]string{"developer-portal": validTenant("developer-portal")}, key: "developer-portal.yaml: name"},
		{name: "tenant named after a custom portal namespace", edit: func(c *stackConfig) { c.set("portal", "namespace", "backstage") },
			tenants: map[string]string{"backstage": validTenant("backstage")}, key: "backstage.yaml: name"},
		{name: "tenant named after the ingress controller's namespace", edit: func(c *stackConfig) { c.set("portal", "networkPolicy.ingressControllerNamespace", "edge") },
			tenants: map[string]string{"edge": validTenant("edge")}, key: "edge.yaml: name"},
		{name: "tenant named after the scraper's namespace", edit: func(c *stackConfig) { c.set("portal", "monitoring.scraperNamespace", "observability") },
			tenants: map[string]string{"observability": validTenant("observability")}, key: "observability.yaml: name"},
		{name: "tenant named after the default ingress namespace", tenants: map[string]string{"platform-ingress": validTenant("platform-ingress")}, key: "platform-ingress.yaml: name"},
		{name: "tenant named kube-system", tenants: map[string]string{"kube-system": validTenant("kube-system")}, key: "kube-system.yaml: name"},
		{name: "tenant named default", tenants: map[string]string{"default": validTenant("default")}, key: "default.yaml: name"},
		{name: "tenant named cert-manager", tenants: map[string]string{"cert-manager": validTenant("cert-manager")}, key: "cert-manager.yaml: name"},
		{name: "tenant listing the portal's repository", tenants: map[string]string{"grabber": validTenant("grabber", "repos:\n  - https://github.com/cecg/developer-portal")}, key: "grabber.yaml: repos[0]"},
		{name: "tenant listing the portal's repository in another case", tenants: map[string]string{"grabber": validTenant("grabber", "repos:\n  - https://github.com/CECG/Developer-Portal")}, key: "grabber.yaml: repos[0]"},
		{name: "GitHub token in a description", tenants: map[string]string{"leaky": validTenant("leaky", "description: deploy with "+fakeGitHubToken)}, key: "leaky.yaml: description", secret: fakeGitHubToken},
		{name: "AWS key id in a description", tenants: map[string]string{"leaky": validTenant("leaky", "description: key "+fakeAWSKeyID)}, key: "leaky.yaml: description", secret: fakeAWSKeyID},
		{name: "PEM key in a description", tenants: map[string]string{"leaky": validTenant("leaky", "description: |\n  "+strings.ReplaceAll(fakePEMKey, "\n", "\n  "))}, key: "leaky.yaml: description", secret: "MIIEow"},
		{name: "Slack token in a description", tenants: map[string]string{"leaky": validTenant("leaky", "description: bot "+fakeSlackToken)}, key: "leaky.yaml: description", secret: fakeSlackToken},
		{name: "GitHub token as the cost centre", tenants: map[string]string{"leaky": validTenant("leaky", "costCentre: "+fakeGitHubToken)}, key: "leaky.yaml: costCentre", secret: fakeGitHubToken},
		{name: "AWS key id as the cost centre", tenants: map[string]string{"leaky": validTenant("leaky", "costCentre: "+fakeAWSKeyID)}, key: "leaky.yaml: costCentre", secret: fakeAWSKeyID},
		{name: "token as the contact e-mail", tenants: map[string]string{"leaky": validTenant("leaky", "contactEmail: "+fakeGitHubToken)}, key: "leaky.yaml: contactEmail", secret: fakeGitHubToken},
		{name: "token in a repository URL", tenants: map[string]string{"leaky": validTenant("leaky", "repos:\n  - https://"+fakeGitHubToken+"@github.com/cecg/leaky")}, key: "leaky.yaml: repos[0]", secret: fakeGitHubToken},
	}
	return cases
}

// secretLeaf sets path inside key to value as `pulumi config set --secret --path` does: the
// engine marks the whole key secret, and the stack file records which value is encrypted.
func secretLeaf(key, path, value string) func(c *stackConfig) {
	return func(c *stackConfig) {
		c.set(key, path, value)
		full := stack.Namespace + ":" + key
		c.src.Secrets[full] = true
		if c.src.SecretLeaves == nil {
			c.src.SecretLeaves = map[string][]string{}
		}
		c.src.SecretLeaves[full] = append(c.src.SecretLeaves[full], full+"."+path)
	}
}

// TestAdversarialStackInputs plans each crafted stack or tenant input: the error names the
// key, echoes no secret, and nothing is registered.
func TestAdversarialStackInputs(t *testing.T) {
	cases := adversarialStackCases()
	if len(cases) < 80 {
		t.Fatalf("only %d adversarial stack cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := loadStack(t, devStack)
			if tc.edit != nil {
				tc.edit(c)
			}
			if tc.tenants != nil {
				dir := tenantDir(c, "valid-tenant")
				for name, body := range tc.tenants {
					if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(body), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				c.set("tenants", "dir", dir)
			}
			mocks := testkit.NewMocks()
			err := testkit.Run(stack.Program(c.src), mocks, c.src.Values, c.src.SecretKeys()...)
			if err == nil {
				t.Fatal("the stack accepted the input")
			}
			if !strings.Contains(err.Error(), tc.key+":") {
				t.Errorf("the error does not name %s:\n%v", tc.key, err)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the error echoes the secret:\n%v", err)
			}
			if n := len(mocks.Resources()); n != 0 {
				t.Errorf("%d resources registered before the rejection", n)
			}
		})
	}
}
