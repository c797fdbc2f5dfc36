package validate

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// The one rule for literal credentials. Every place that writes configuration somewhere a
// secret must not be — the portal's app-config ConfigMap, files committed to the repository,
// Actions variables readable by pull-request workflows — checks its values with it, so a
// credential cannot slip through one of them that another would have caught.

// secretKeySuffixes end the (lower-cased, separator-free) names of keys that hold credentials:
// "apiKey", "api_key", "X-Api-Key", "clientSecret", "AWS_SECRET_ACCESS_KEY", "Authorization".
var secretKeySuffixes = []string{
	"password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey",
	"credential", "credentials", "authorization", "passphrase",
}

// reference is how configuration names a secret held elsewhere: ${VAR}, substituted by
// Backstage from the environment (the portal's Secret).
var reference = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// schemeWords is what may surround a reference in a secret-named value, e.g. the
// "Bearer " or "Token token=" of an Authorization header.
var schemeWords = regexp.MustCompile(`^[A-Za-z =:-]{0,24}$`)

// SecretHint tells how to pass a secret instead of writing it in plain configuration.
const SecretHint = "keep it out of plain configuration: store it with " +
	"`pulumi config set --secret --path 'developer-portal:portalSecretEnv.<VAR>' <value>` and write ${<VAR>} here"

// SecretKeyName reports whether a key's name says it holds a credential (case-insensitive;
// "-", "_" and "." are ignored).
func SecretKeyName(key string) bool {
	n := strings.ToLower(key)
	n = strings.NewReplacer("-", "", "_", "", ".", "", " ", "").Replace(n)
	for _, s := range secretKeySuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// SecretShape says what kind of credential the value holds, or "" when it holds none: the
// first of gitleaks' default rules (rules/gitleaks.toml) that finds one.
func SecretShape(value string) string {
	if urlPassword(value) {
		return "a URL with a password"
	}
	if id := leakRuleID(value); id != "" {
		return "a credential (gitleaks rule " + id + ")"
	}
	if strings.Contains(value, "PRIVATE KEY-----") && pemKeyHeader.MatchString(value) {
		// gitleaks' rule wants the whole block; the header alone marks (part of) a key.
		return "a PEM private key"
	}
	return ""
}

var pemKeyHeader = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----`)

// IsReference reports whether a secret-named value only references secrets held elsewhere:
// ${VAR} references, optionally inside a short scheme prefix ("Bearer ${TOKEN}").
func IsReference(value string) bool {
	if !reference.MatchString(value) {
		return false
	}
	return schemeWords.MatchString(reference.ReplaceAllString(value, ""))
}

// LiteralSecrets records a problem for every literal credential in a decoded configuration
// value (maps and lists at any depth, header maps included), each at the path of the key that
// holds it: a non-empty scalar under a secret-named key that is not a ${VAR} reference, or a
// value shaped like a credential under any key. Values are never echoed.
func LiteralSecrets(errs *Errors, path string, v any) {
	literalSecrets(errs, path, v, false)
}

func literalSecrets(errs *Errors, path string, v any, secretKey bool) {
	switch t := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(t))
		for _, k := range keys {
			if k == "$file" || k == "$env" || k == "$include" {
				// Backstage reads the value from a file or the environment: the key holds
				// where, not the secret.
				literalSecrets(errs, Join(path, k), t[k], false)
				continue
			}
			literalSecrets(errs, Join(path, k), t[k], secretKey || SecretKeyName(k))
		}
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		literalSecrets(errs, path, m, secretKey)
	case []any:
		for i, e := range t {
			literalSecrets(errs, Index(path, i), e, secretKey)
		}
	case string:
		if what := SecretShape(t); what != "" {
			errs.Add(path, "holds %s: %s", what, SecretHint)
			return
		}
		if secretKey && t != "" && !IsReference(t) {
			errs.Add(path, "holds a literal secret (its name says it is a credential): %s", SecretHint)
		}
	case nil, bool:
	default:
		if secretKey {
			errs.Add(path, "holds a literal secret (its name says it is a credential): %s", SecretHint)
		}
	}
}

// ShapeOnly records a problem when a value that is not a secret by name (a CA bundle, a
// variable) is shaped like a credential.
func ShapeOnly(errs *Errors, path, value string) {
	if what := SecretShape(value); what != "" {
		errs.Add(path, "holds %s: %s", what, SecretHint)
	}
}

// urlWithPassword finds a URL that carries a password in its user-info
// ("postgres://user:password@host").
var urlWithPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@[^\s/]`)

func urlPassword(value string) bool {
	if !strings.Contains(value, "://") {
		// Every match holds "://"; most values hold none, and the unanchored pattern would
		// otherwise be tried from each of their letters.
		return false
	}
	for _, m := range urlWithPassword.FindAllStringSubmatch(value, -1) {
		if !reference.MatchString(m[1]) {
			return true
		}
	}
	return false
}

// SecretRules says, one rule a line, how every input is checked for secrets: the configuration
// reference lists them (tests/TestConfigReference), so the documentation is the code's.
func SecretRules() []string {
	return []string{
		"A secret is set with `pulumi config set --secret` in one of the keys listed under Secrets; it reaches the portal's Secret only, and the app-config refers to it as `${VAR}`.",
		"A `secure:` value anywhere else (`--secret --path` inside an ordinary section) is refused, naming its key: those sections are written in plain text to a ConfigMap, a committed file or an Actions variable.",
		"A plain value beside secure ones in `portalSecretEnv` or `kubernetesClusterTokens` is refused, naming its key.",
		"A key whose name says it holds a credential (it ends in " + strings.Join(secretKeySuffixes, ", ") + ", ignoring case, `-`, `_` and `.`) takes only a `${VAR}` reference, optionally after a short scheme such as `Bearer `.",
		"Every free-text input (app-config sections, contributions, GitHub variables, tenant descriptions and cost centres, database labels, ...) is scanned with gitleaks' default rules (internal/validate/rules/gitleaks.toml), a URL carrying a password and a PEM private key header; a match is refused, naming its key.",
		"No error message repeats a value that could be a secret: problems name the key and the kind of credential found.",
	}
}
