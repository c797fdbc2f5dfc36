package stack

// SecretPlaceholders returns stand-in values for the secret keys the configuration requires
// but src lacks, for the offline plan: a committed stack file never holds secrets.
func SecretPlaceholders(src Source) map[string]string {
	out := map[string]string{}
	cfg, _ := load(src)
	if cfg == nil || cfg.Secrets == nil {
		return out
	}
	for _, key := range cfg.Secrets.missing {
		out[fullKey(key)] = Placeholder(fullKey(key))
	}
	// The webhook secret is optional, but production sets it: plan with it.
	if _, app := out[fullKey(KeyGitHubAppPrivateKey)]; app {
		// Pulumi.yaml declares every secret with an empty default: empty means unset.
		if v, _ := src.Get(fullKey(KeyGitHubAppWebhookSecret)); v == "" {
			out[fullKey(KeyGitHubAppWebhookSecret)] = Placeholder(fullKey(KeyGitHubAppWebhookSecret))
		}
	}
	return out
}
