package stack

import (
	"encoding/json"
	"testing"
)

// FuzzLoad feeds arbitrary values to every config key: Load must return a result or an error,
// never panic, and any accepted configuration must decode the same way twice.
func FuzzLoad(f *testing.F) {
	f.Add("dev", `{"provider":"gcp","gcp":{"project":"cecg-platform-dev","region":"europe-west2"}}`, `{"hostname":"portal","replicas":2}`, `{"placement":"paired","paired":{"project":"cecg-tenant-a"}}`)
	f.Add("prod", `{"provider":"aws","aws":{"accountId":"111122223333","region":"eu-west-2"}}`, `{"tls":{"mode":"secret"}}`, `{"external":{"host":"db","port":5432}}`)
	f.Add("", `[]`, `"x"`, `null`)
	f.Add("dev", `{"provider":"gcp","gcp":null}`, `{"kubernetes":{"extraClusters":[{"name":1}]}}`, `{"gcp":{"maintenanceWindow":{"hour":-1}}}`)
	f.Fuzz(func(t *testing.T, env, cloud, portal, database string) {
		src := MapSource{Values: map[string]string{
			fullKey("environment"):            env,
			fullKey("cloud"):                  cloud,
			fullKey("portal"):                 portal,
			fullKey("database"):               database,
			fullKey("github"):                 `{"organization":"cecg","codeOwners":["@cecg/platform-team"],"app":{"appId":"1","clientId":"c"}}`,
			fullKey(KeyGitHubAppPrivateKey):   Placeholder(fullKey(KeyGitHubAppPrivateKey)),
			fullKey(KeyGitHubAppClientSecret): Placeholder(fullKey(KeyGitHubAppClientSecret)),
		}, Secrets: map[string]bool{fullKey(KeyGitHubAppPrivateKey): true, fullKey(KeyGitHubAppClientSecret): true}}
		cfg, err := Load(src)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		again, err := Load(src)
		if err != nil {
			t.Fatalf("second load failed: %v", err)
		}
		a, _ := json.Marshal(cfg.Portal)
		b, _ := json.Marshal(again.Portal)
		if string(a) != string(b) {
			t.Fatalf("decoding is not deterministic:\n%s\n%s", a, b)
		}
	})
}
