package backstagee2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestGitHubSignInMatchesAccountID signs in through the portal's real GitHub OAuth flow (the
// backend's start and callback endpoints, the token exchange and the profile fetch, against
// the loopback GitHub of fakegithub_test.go) with the sign-in resolver the stack generates,
// and proves that users are matched by their GitHub account's immutable ID, not by login: a
// login renamed and then registered by another account does not reach the old holder's
// catalog user, while the renamed account still signs in as that user.
func TestGitHubSignInMatchesAccountID(t *testing.T) {
	nodeBin, tmp, pg := bootPrerequisites(t)
	secrets := freshSecrets(t, pg.password)
	gen := generate(t, stackFile, filepath.Join(tmp, "tenants"), pg, secrets)
	root := filepath.Join(tmp, "pod")
	appConfigPath := gen.writePodFiles(t, root)
	cfg := readSignInConfig(t, appConfigPath)
	if cfg.resolvers != "userIdMatchingUserEntityAnnotation" {
		t.Fatalf("the generated GitHub sign-in resolvers are %q, want userIdMatchingUserEntityAnnotation alone", cfg.resolvers)
	}
	kube := standInAPIServer(t, gen.manifests)
	refuse := newRefusingProxy(t)
	github := newFakeGitHub(t, cfg.clientID)

	// The organisation as the org sync last wrote it: octocat (account 7001) in a tenant's
	// team, and the admin team.
	const login, ownerID, impostorID = "octocat", 7001, 9002
	github.setAccount(login, ownerID)
	orgFile := filepath.Join(root, "catalog", "test-org", "org.yaml")
	writeYAMLDocs(t, orgFile, []any{
		orgGroup(gen.adminGroup),
		orgUser(login, github.nodeID(login), gen.someTenant),
	})

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	overlay := filepath.Join(root, "app-config.signin.yaml")
	writeYAML(t, overlay, signInOverlay(base, port, cfg.environment, github, cfg.locations, orgFile, kube, gen.clusterName))
	env := backendEnv(t, gen, kube, refuse.URL, tmp, "OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)))
	be := startBackend(t, nodeBin, tmp, env, appConfigPath, overlay)
	api := &client{t: t, base: base, token: tokenOf(t, gen)}
	t.Logf("timing: backstage ready in %.1fs", be.waitReady(t, api).Seconds())
	checkConfigLog(t, be.logPath)
	waitEntity(t, api, "user/default/"+login)

	wantUser, wantGroup := "user:default/"+login, "group:default/"+gen.someTenant
	for _, c := range []struct {
		name string
		// The accounts as GitHub holds them when the sign-in happens.
		accounts map[string]int64
		signInAs string
		// The Backstage user signed in, or "" when the sign-in must be refused.
		want string
	}{
		{"the organisation's member signs in as their user", map[string]int64{login: ownerID}, login, wantUser},
		{"renamed, the same account still signs in as its user", map[string]int64{login + "-renamed": ownerID}, login + "-renamed", wantUser},
		{"another account holding the renamed login is refused", map[string]int64{login + "-renamed": ownerID, login: impostorID}, login, ""},
		{"an account the org sync never wrote is refused", map[string]int64{"stranger": 9003}, "stranger", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			for l, id := range c.accounts {
				github.setAccount(l, id)
			}
			res := oauthSignIn(t, base, cfg.environment, github, c.signInAs)
			if c.want == "" {
				if res.Error == nil || res.Response != nil {
					t.Fatalf("signed in as %s (account %s): %+v, want refused", c.signInAs, github.nodeID(c.signInAs), res.Response)
				}
				t.Logf("%s (account %s) refused: %s: %s", c.signInAs, github.nodeID(c.signInAs), res.Error.Name, res.Error.Message)
				return
			}
			if res.Response == nil || res.Response.BackstageIdentity == nil {
				t.Fatalf("%s (account %s) was not signed in: %+v", c.signInAs, github.nodeID(c.signInAs), res.Error)
			}
			id := res.Response.BackstageIdentity.Identity
			if id.UserEntityRef != c.want || !slices.Contains(id.OwnershipEntityRefs, wantGroup) {
				t.Errorf("%s signed in as %s owning %v, want %s in %s", c.signInAs, id.UserEntityRef, id.OwnershipEntityRefs, c.want, wantGroup)
			}
			// The token the portal issued is accepted by its plugins.
			user := &client{t: t, base: base, token: res.Response.BackstageIdentity.Token}
			if code, body := user.status("GET", "/api/catalog/entities/by-name/user/default/"+login, nil, true); code != http.StatusOK {
				t.Errorf("the signed-in user's token: catalog %d %s", code, trim(body))
			}
			t.Logf("%s (account %s) signed in as %s %v", c.signInAs, github.nodeID(c.signInAs), id.UserEntityRef, id.OwnershipEntityRefs)
		})
	}
	if got := github.profilesFetched(); len(got) != 4 {
		t.Errorf("profiles fetched %v: every case must reach the resolver through GitHub's profile", got)
	}
}

// signInResult is the message the callback page posts to the app's window.
type signInResult struct {
	Type     string `json:"type"`
	Response *struct {
		BackstageIdentity *struct {
			Token    string `json:"token"`
			Identity struct {
				UserEntityRef       string   `json:"userEntityRef"`
				OwnershipEntityRefs []string `json:"ownershipEntityRefs"`
			} `json:"identity"`
		} `json:"backstageIdentity"`
	} `json:"response"`
	Error *struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

var postedMessage = regexp.MustCompile(`var authResponse = decodeURIComponent\('([^']*)'\)`)

// oauthSignIn runs the popup's part of the sign-in as a browser would: the start endpoint (its
// nonce cookie), GitHub's authorisation (the fake signs in login), the callback with the code
// and state, and returns what the callback page posts to the app.
func oauthSignIn(t *testing.T, base, environment string, github *fakeGitHub, login string) signInResult {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	github.signInAs(login)
	hc := &http.Client{Jar: jar, Timeout: time.Minute}
	resp, err := hc.Get(base + "/api/auth/github/start?env=" + url.QueryEscape(environment) + "&scope=read%3Auser")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/api/auth/github/handler/frame") {
		t.Fatalf("sign-in as %s ended at %s with %d: %s", login, resp.Request.URL, resp.StatusCode, trim(body))
	}
	m := postedMessage.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the callback page posts no response: %s", trim(body))
	}
	raw, err := url.PathUnescape(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	var res signInResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil || res.Type != "authorization_response" {
		t.Fatalf("callback message %s: %v", trim([]byte(raw)), err)
	}
	return res
}

// signInConfig is what the sign-in test reads from the generated app-config.
type signInConfig struct {
	environment, clientID, resolvers string
	locations                        []any
}

func readSignInConfig(t *testing.T, path string) signInConfig {
	t.Helper()
	var doc struct {
		Auth struct {
			Environment string `yaml:"environment"`
			Providers   struct {
				GitHub map[string]struct {
					ClientID string `yaml:"clientId"`
					SignIn   struct {
						Resolvers []struct {
							Resolver string `yaml:"resolver"`
						} `yaml:"resolvers"`
					} `yaml:"signIn"`
				} `yaml:"github"`
			} `yaml:"providers"`
		} `yaml:"auth"`
		Catalog struct {
			Locations []any `yaml:"locations"`
		} `yaml:"catalog"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, path)), &doc); err != nil {
		t.Fatal(err)
	}
	gh := doc.Auth.Providers.GitHub[doc.Auth.Environment]
	var resolvers []string
	for _, r := range gh.SignIn.Resolvers {
		resolvers = append(resolvers, r.Resolver)
	}
	c := signInConfig{environment: doc.Auth.Environment, clientID: gh.ClientID,
		resolvers: strings.Join(resolvers, ","), locations: doc.Catalog.Locations}
	if c.environment == "" || c.clientID == "" || len(c.locations) == 0 {
		t.Fatalf("the generated app-config lacks the GitHub sign-in or catalog locations: %+v", c)
	}
	return c
}
