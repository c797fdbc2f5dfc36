package backstagee2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub is the part of a GitHub instance that the portal's GitHub sign-in talks to: the
// OAuth authorisation page, the code-for-token exchange and the signed-in user's profile. The
// browser test points the sign-in provider at it with enterpriseInstanceUrl, a key only its
// overlay sets, so the real sign-in flow runs (popup, OAuth state check, token exchange,
// profile, sign-in resolver) while github.com stays out of reach.
//
// The authorisation page does not ask: it signs in whoever the test chose with signInAs, as a
// GitHub account that already granted the App would. Accounts are a login and GitHub's
// immutable numeric ID: a login can be renamed and registered again by another account, the
// ID cannot (setAccount models both).
type fakeGitHub struct {
	URL string

	mu       sync.Mutex
	accounts map[string]int64  // login → account ID
	next     string            // the login the next authorisation signs in
	codes    map[string]string // code → login
	tokens   map[string]string // access token → login
	signIns  []string          // logins whose profile the backend fetched
}

// gitHubNodeID is the GraphQL node ID GitHub gives the user account with this numeric ID (the
// REST profile's node_id, the org sync's github.com/user-id annotation): "04:User<id>" in
// base64, GitHub's format for accounts.
func gitHubNodeID(id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("04:User%d", id)))
}

func newFakeGitHub(t *testing.T, clientID string) *fakeGitHub {
	t.Helper()
	g := &fakeGitHub{accounts: map[string]int64{}, codes: map[string]string{}, tokens: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != clientID {
			http.Error(w, "unknown client_id "+q.Get("client_id"), http.StatusBadRequest)
			return
		}
		redirect, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || !isLoopback(redirect.Hostname()) {
			http.Error(w, "redirect_uri must be the portal on loopback", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		login := g.next
		code := "code-" + randomHex(t, 8)
		g.codes[code] = login
		g.mu.Unlock()
		if login == "" {
			http.Error(w, "the test chose no user (signInAs)", http.StatusForbidden)
			return
		}
		back := redirect.Query()
		back.Set("code", code)
		back.Set("state", q.Get("state"))
		redirect.RawQuery = back.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		login, ok := g.codes[r.Form.Get("code")]
		delete(g.codes, r.Form.Get("code"))
		token := "gho_" + randomHex(t, 16)
		if ok {
			g.tokens[token] = login
		}
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok || r.Form.Get("client_id") != clientID || r.Form.Get("client_secret") == "" {
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": token, "token_type": "bearer", "scope": "read:user"})
	})
	mux.HandleFunc("GET /api/v3/user", func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token := auth[strings.LastIndex(auth, " ")+1:]
		g.mu.Lock()
		login, ok := g.tokens[token]
		id, registered := g.accounts[login]
		if ok {
			g.signIns = append(g.signIns, login)
		}
		g.mu.Unlock()
		if !ok || !registered {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"login": login, "id": id, "node_id": gitHubNodeID(id), "name": login, "email": login + "@cecg.io",
			"avatar_url": "", "html_url": "https://github.com/" + login,
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// setAccount gives login to the account with this ID: a new account, or a rename (the same
// ID under a new login), or a login registered again by another account after a rename.
func (g *fakeGitHub) setAccount(login string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for l, other := range g.accounts {
		if other == id {
			delete(g.accounts, l)
		}
	}
	g.accounts[login] = id
}

// nodeID is the node ID of the account that holds login now.
func (g *fakeGitHub) nodeID(login string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return gitHubNodeID(g.accounts[login])
}

// signInAs makes the next authorisation sign in login.
func (g *fakeGitHub) signInAs(login string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next = login
}

func (g *fakeGitHub) profilesFetched() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.signIns...)
}
