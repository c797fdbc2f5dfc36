package stack

import "testing"

// TestSecretPlaceholdersPlanTheWebhook: the offline plan stands in for the App's webhook secret
// unless the stack sets one, as production does. Pulumi.yaml declares every secret with an
// empty default, so an empty value is unset too.
func TestSecretPlaceholdersPlanTheWebhook(t *testing.T) {
	webhook := fullKey(KeyGitHubAppWebhookSecret)
	cases := []struct {
		name     string
		webhook  *string // nil: the key is absent
		wantHold bool    // the placeholders include the webhook secret
	}{
		{"absent", nil, true},
		{"Pulumi.yaml's empty default", new(""), true},
		{"set by the stack", new("whsec"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := MapSource{Values: map[string]string{
				fullKey("environment"): "dev",
				fullKey("cloud"):       `{"provider":"gcp","gcp":{"project":"cecg-platform-dev","region":"europe-west2"}}`,
				fullKey("portal"):      `{"hostname":"portal"}`,
				fullKey("github"):      `{"organization":"cecg","codeOwners":["@cecg/platform-team"],"app":{"appId":"1","clientId":"c"}}`,
			}, Secrets: map[string]bool{}}
			if tc.webhook != nil {
				src.Values[webhook] = *tc.webhook
				src.Secrets[webhook] = true
			}
			_, got := SecretPlaceholders(src)[webhook]
			if got != tc.wantHold {
				t.Errorf("placeholder for %s: %v, want %v", webhook, got, tc.wantHold)
			}
		})
	}
}
