package stack

import (
	"errors"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// SecretPlaceholders returns stand-in values for the secret keys the configuration requires
// but src lacks, for the offline plan: a committed stack file never holds secrets.
func SecretPlaceholders(src Source) map[string]string {
	out := map[string]string{}
	_, err := Load(src)
	var problems *validate.Errors
	if !errors.As(err, &problems) {
		return out
	}
	for _, p := range problems.Problems {
		short, ok := inNamespace(p.Path)
		if _, secret := secretHelp[short]; ok && secret && strings.HasPrefix(p.Message, "is required") {
			out[p.Path] = Placeholder(p.Path)
		}
	}
	// The webhook secret is optional, but production sets it: plan with it.
	if _, app := out[fullKey(KeyGitHubAppPrivateKey)]; app {
		if _, set := src.Get(fullKey(KeyGitHubAppWebhookSecret)); !set {
			out[fullKey(KeyGitHubAppWebhookSecret)] = Placeholder(fullKey(KeyGitHubAppWebhookSecret))
		}
	}
	return out
}
