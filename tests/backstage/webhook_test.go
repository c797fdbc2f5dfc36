package backstagee2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/github"
	"gopkg.in/yaml.v3"
)

// webhookPath is where the events backend takes GitHub's deliveries (the App's webhook URL is
// <portal>/api/events/http/github).
const webhookPath = "/api/events/http/github"

// discoverySettings are what the generated app-config tells the GitHub discovery provider, and
// what a push delivery must match for the provider to act on it.
type discoverySettings struct {
	Organization string `yaml:"organization"`
	CatalogPath  string `yaml:"catalogPath"`
	Filters      struct {
		Branch     string `yaml:"branch"`
		Repository string `yaml:"repository"`
	} `yaml:"filters"`
}

// testGitHubWebhook posts GitHub App webhook deliveries to the running backend as GitHub would:
// a push that adds a catalog file to a repository of the organisation. Signed with the App's
// webhook secret, it is accepted and the discovery provider registers the file's Location at
// once (no scheduled run needed); unsigned, or signed with another secret, it is refused with
// 403 and changes nothing.
//
// The effect is read where the catalog records it: the provider's Location in the catalog's
// refresh state. The catalog API would list it only after the catalog has read the file from
// github.com, which this test's proxy refuses.
func testGitHubWebhook(t *testing.T, api *client, pg *postgres, appConfig, secret, logPath string) {
	var cfg struct {
		Catalog struct {
			Providers struct {
				GitHub map[string]discoverySettings `yaml:"github"`
			} `yaml:"providers"`
		} `yaml:"catalog"`
		Events struct {
			Modules struct {
				GitHub struct {
					WebhookSecret string `yaml:"webhookSecret"`
				} `yaml:"github"`
			} `yaml:"modules"`
		} `yaml:"events"`
	}
	if err := yaml.Unmarshal([]byte(appConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if want := "${" + github.EnvAppWebhookSecret + "}"; cfg.Events.Modules.GitHub.WebhookSecret != want {
		t.Fatalf("events.modules.github.webhookSecret = %q, want %q", cfg.Events.Modules.GitHub.WebhookSecret, want)
	}
	if len(cfg.Catalog.Providers.GitHub) != 1 {
		t.Fatalf("want one GitHub discovery provider, got %d", len(cfg.Catalog.Providers.GitHub))
	}
	var d discoverySettings
	for _, v := range cfg.Catalog.Providers.GitHub {
		d = v
	}
	if d.Filters.Repository != "" {
		t.Fatalf("the test's stack filters discovered repositories (%q): name the test's repositories to match", d.Filters.Repository)
	}

	run := randomHex(t, 4)
	cases := []struct {
		name   string
		repo   string
		secret string // "" sends no signature
		want   int
	}{
		{"unsigned", "svc-unsigned-" + run, "", http.StatusForbidden},
		{"signed with another secret", "svc-forged-" + run, randomHex(t, 32), http.StatusForbidden},
		{"signed with the App's secret", "svc-signed-" + run, secret, http.StatusAccepted},
	}
	for _, tc := range cases {
		code, body := postDelivery(t, api.base, pushDelivery(d, tc.repo), tc.secret)
		if code != tc.want {
			t.Errorf("%s delivery: %d %s, want %d", tc.name, code, trim(body), tc.want)
		}
	}

	// The accepted push registered its catalog file at once; the refused ones did not.
	signed := locationTarget(d, cases[2].repo)
	deadline := time.Now().Add(time.Minute)
	for !registered(t, pg, signed) {
		if time.Now().After(deadline) {
			for _, l := range strings.Split(readFile(t, logPath), "\n") {
				if strings.Contains(l, "/api/events/http") || strings.Contains(l, "github-provider") {
					t.Logf("backend log: %s", l)
				}
			}
			t.Fatalf("no Location for %s a minute after the signed delivery", signed)
		}
		time.Sleep(time.Second)
	}
	t.Logf("the signed push registered %s", signed)
	for _, tc := range cases[:2] {
		if target := locationTarget(d, tc.repo); registered(t, pg, target) {
			t.Errorf("the %s delivery registered %s", tc.name, target)
		}
	}
}

// branch is the branch discovery reads: the filter's, else the test repositories' default.
func (d discoverySettings) branch() string {
	if d.Filters.Branch != "" {
		return d.Filters.Branch
	}
	return "main"
}

// pushDelivery is a push event of GitHub's shape: one commit adding the catalog file to the
// default branch of a repository of the organisation.
func pushDelivery(d discoverySettings, repo string) []byte {
	branch := d.branch()
	org := d.Organization
	body, err := json.Marshal(map[string]any{
		"ref": "refs/heads/" + branch,
		"repository": map[string]any{
			"name": repo, "full_name": org + "/" + repo, "html_url": "https://github.com/" + org + "/" + repo,
			"default_branch": branch, "owner": map[string]any{"login": org}, "topics": []string{},
			"archived": false, "fork": false, "visibility": "private",
		},
		"organization": map[string]any{"login": org},
		"commits": []any{map[string]any{
			"added": []string{strings.TrimPrefix(d.CatalogPath, "/")}, "removed": []string{}, "modified": []string{},
		}},
	})
	if err != nil {
		panic(err)
	}
	return body
}

func locationTarget(d discoverySettings, repo string) string {
	branch := d.branch()
	return fmt.Sprintf("https://github.com/%s/%s/blob/%s/%s", d.Organization, repo, branch, strings.TrimPrefix(d.CatalogPath, "/"))
}

// postDelivery posts a delivery with GitHub's headers, signed (X-Hub-Signature-256, HMAC-SHA256
// of the body) when secret is set. It carries no portal token: GitHub has none.
func postDelivery(t *testing.T, base string, body []byte, secret string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+webhookPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/test")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", randomHex(t, 16))
	if secret != "" {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// registered reports whether an entity provider has handed the catalog a Location entity
// pointing at target (a row of the catalog's refresh state, processed or not).
func registered(t *testing.T, pg *postgres, target string) bool {
	t.Helper()
	if strings.ContainsAny(target, "'\\") {
		t.Fatalf("target %q cannot be quoted", target)
	}
	out := pg.query(t, "backstage", "SELECT count(*) FROM catalog.refresh_state WHERE "+
		"unprocessed_entity::jsonb ->> 'kind' = 'Location' AND unprocessed_entity::jsonb #>> '{spec,target}' = '"+target+"'")
	return strings.TrimSpace(out) != "0"
}
