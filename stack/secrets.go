package stack

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"

	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The secret config keys. Each is set with `pulumi config set --secret`, so the stack files
// hold them only encrypted; the program keeps them as secret Outputs from the moment it reads
// them.
const (
	KeyGitHubAppPrivateKey    = "githubAppPrivateKey"
	KeyGitHubAppClientSecret  = "githubAppClientSecret"
	KeyGitHubAppWebhookSecret = "githubAppWebhookSecret"
	KeyGitHubToken            = "githubToken"
	KeyDatabasePassword       = "databasePassword"
	KeyBackstageServiceToken  = "backstageServiceToken"
	// KeyPortalSecretEnv is an object of environment variables for the portal's Secret,
	// which the image's app-config references as ${NAME}: how a plugin's credential reaches
	// the portal.
	KeyPortalSecretEnv = "portalSecretEnv"
	// KeyKubernetesClusterTokens is an object of ServiceAccount tokens by extra cluster name,
	// for portal.kubernetes.extraClusters entries with authProvider serviceAccount.
	KeyKubernetesClusterTokens = "kubernetesClusterTokens"
)

// secretHelp says how to set each secret.
var secretHelp = map[string]string{
	KeyGitHubAppPrivateKey:     "cat backstage-app.private-key.pem | pulumi config set --secret developer-portal:githubAppPrivateKey",
	KeyGitHubAppClientSecret:   "pulumi config set --secret developer-portal:githubAppClientSecret <client secret from the GitHub App's settings>",
	KeyGitHubAppWebhookSecret:  "pulumi config set --secret developer-portal:githubAppWebhookSecret \"$(openssl rand -hex 32)\" (and enter the same value in the GitHub App's webhook settings)",
	KeyGitHubToken:             "pulumi config set --secret developer-portal:githubToken <personal access token> (trials only; prefer the GitHub App)",
	KeyDatabasePassword:        "pulumi config set --secret developer-portal:databasePassword <password of the external database's user>",
	KeyBackstageServiceToken:   "pulumi config set --secret developer-portal:backstageServiceToken \"$(openssl rand -hex 24)\" (optional: generated when unset)",
	KeyPortalSecretEnv:         "pulumi config set --secret --path 'developer-portal:portalSecretEnv.SONARQUBE_API_KEY' <value>, then reference ${SONARQUBE_API_KEY} from the image's app-config (optional)",
	KeyKubernetesClusterTokens: "pulumi config set --secret --path 'developer-portal:kubernetesClusterTokens.<cluster name>' <token> (for extraClusters with authProvider serviceAccount)",
}

// Secrets are the secret config values, as secret Outputs, with the plain values kept only for
// validation (format checks) inside the program.
type Secrets struct {
	values map[string]string
	// plainText are keys set without encryption (already reported).
	plainText map[string]bool
	// missing are the required keys that are not set, in the order found.
	missing []string
}

// Has reports whether the secret key is set.
func (s *Secrets) Has(key string) bool { _, ok := s.values[key]; return ok }

// Output returns the secret as a secret Output (nil when not set).
func (s *Secrets) Output(key string) pulumi.StringInput {
	v, ok := s.values[key]
	if !ok {
		return nil
	}
	return pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
}

// plain returns the value for format checks only; it must never reach a resource unwrapped.
func (s *Secrets) plain(key string) string { return s.values[key] }

// loadSecrets reads every secret key; a value set in plain text is rejected, because it would
// sit unencrypted in the committed stack file.
func loadSecrets(src Source, errs *validate.Errors) *Secrets {
	s := &Secrets{values: map[string]string{}, plainText: map[string]bool{}}
	keys := slices.Sorted(maps.Keys(secretHelp))
	for _, k := range keys {
		v, ok := src.Get(fullKey(k))
		if !ok || v == "" {
			// Pulumi.yaml declares every secret with an empty default: empty means unset.
			continue
		}
		if !src.IsSecret(fullKey(k)) {
			errs.Add(fullKey(k), "is set in plain text; remove it from the stack file and set it as a secret: %s", secretHelp[k])
			s.plainText[k] = true
			continue
		}
		if k == KeyPortalSecretEnv || k == KeyKubernetesClusterTokens {
			plainBesideSecret(src, fullKey(k), v, errs)
		}
		s.values[k] = v
	}
	return s
}

// require records a missing secret with the exact command to set it.
func (s *Secrets) require(key, why string, errs *validate.Errors) {
	if s.Has(key) {
		return
	}
	if s.plainText[key] {
		// Reported once, as set in plain text: it is not missing, and the offline plan must
		// not stand a placeholder in for it.
		return
	}
	s.missing = append(s.missing, key)
	errs.Add(fullKey(key), "is required (%s); set it with: %s", why, secretHelp[key])
}

// Placeholder is the stand-in value of a secret in the offline plan.
func Placeholder(key string) string {
	short, _ := inNamespace(key)
	if short == KeyGitHubAppPrivateKey {
		return placeholderKey()
	}
	return fmt.Sprintf("placeholder-%s-not-a-real-secret", short)
}

// placeholderKey is a parseable private key derived from a fixed, public seed: deterministic,
// so plans are reproducible, and worthless, so nothing real is ever committed or printed.
func placeholderKey() string {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "offline-plan-placeholder-key")
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// SecretKeys lists the secret config keys (without namespace) with how to set each.
func SecretKeys() map[string]string {
	out := make(map[string]string, len(secretHelp))
	for k, v := range secretHelp {
		out[k] = v
	}
	return out
}

// secretEnvContribution is the portal's share of portalSecretEnv: its variables in the portal's
// Secret, for the app-config to reference as ${NAME}.
const secretEnvContribution = "secret-env"

// portalSecretEnv decodes portalSecretEnv into secret Outputs, one per variable; names that
// are not environment variable names are reported and left out.
func (s *Secrets) portalSecretEnv(errs *validate.Errors) map[string]pulumi.StringInput {
	out := s.secretObject(KeyPortalSecretEnv, "environment variable names", errs)
	for _, k := range slices.Sorted(maps.Keys(out)) {
		if !validate.EnvVarName(k) {
			errs.Add(validate.Join(fullKey(KeyPortalSecretEnv), k), "is not an environment variable name (A-Z, 0-9, _)")
			delete(out, k)
		}
	}
	return out
}

// secretObject decodes a secret key holding an object of strings into secret Outputs.
// keysAre names what the object's keys must be, for the error.
func (s *Secrets) secretObject(key, keysAre string, errs *validate.Errors) map[string]pulumi.StringInput {
	if !s.Has(key) {
		return nil
	}
	var vars map[string]string
	if err := json.Unmarshal([]byte(s.plain(key)), &vars); err != nil {
		// The value is not echoed: it is a secret.
		errs.Add(fullKey(key), "must be an object of %s to strings: %s", keysAre, secretHelp[key])
		return nil
	}
	out := make(map[string]pulumi.StringInput, len(vars))
	for k, v := range vars {
		out[k] = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
	}
	return out
}
