package backstagee2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/portal"
	"gopkg.in/yaml.v3"
)

// userTokenSigner issues Backstage user tokens (what the auth backend returns after a GitHub
// sign-in resolved by the organisation sync: the user's entity and its groups) with the key
// the auth backend is configured to use.
type userTokenSigner struct {
	t                  *testing.T
	key                *ecdsa.PrivateKey
	publicKey, privKey string // files
	keyID              string
}

func newUserTokenSigner(t *testing.T, dir string) *userTokenSigner {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s := &userTokenSigner{t: t, key: key, keyID: "test-" + randomHex(t, 4),
		publicKey: filepath.Join(dir, "auth-public.pem"), privKey: filepath.Join(dir, "auth-private.pem")}
	writeFile(t, s.publicKey, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
	writeFile(t, s.privKey, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})))
	return s
}

func (s *userTokenSigner) keyStoreConfig() map[string]any {
	return map[string]any{"provider": "static", "static": map[string]any{"keys": []any{map[string]any{
		"publicKeyFile": s.publicKey, "privateKeyFile": s.privKey, "keyId": s.keyID, "algorithm": "ES256",
	}}}}
}

// token is a signed-in user's token: sub is the user entity, ent its ownership references.
func (s *userTokenSigner) token(user string, groups ...string) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			s.t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now().Unix()
	// uip, the user identity proof, is the signature of the limited token (header and
	// sub/iat/exp only) the backend derives when it calls other plugins on the user's behalf.
	// The backend rebuilds that token byte for byte, so the members are in its order.
	limited := enc(struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}{"vnd.backstage.limited-user", "ES256", s.keyID}) + "." + enc(struct {
		Sub string `json:"sub"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
	}{user, now, now + 3600})
	unsigned := enc(map[string]any{"alg": "ES256", "kid": s.keyID, "typ": "vnd.backstage.user"}) + "." +
		enc(map[string]any{"sub": user, "ent": append([]string{user}, groups...), "aud": "backstage",
			"iat": now, "exp": now + 3600, "uip": s.sign(limited)})
	return unsigned + "." + s.sign(unsigned)
}

// sign is the JWS ES256 signature of a JWT's signing input.
func (s *userTokenSigner) sign(input string) string {
	sum := sha256.Sum256([]byte(input))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		s.t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return base64.RawURLEncoding.EncodeToString(sig)
}

// testPermissions proves each rule of the portal's policy (app/packages/backend/src/
// permissionPolicy.js) against the booted backend: unauthenticated calls are refused; a member
// reads the catalog, docs and Kubernetes views and runs "Request a tenancy"; only the admin
// group (corePlatform.adminGroup, generated from portal.adminGroup) deletes and unregisters
// entities and manages templates.
func testPermissions(t *testing.T, svc *client, signer *userTokenSigner, gen *generated, pg *postgres) {
	var cfg struct {
		CorePlatform struct {
			AdminGroup string `yaml:"adminGroup"`
		} `yaml:"corePlatform"`
		Permission struct {
			Enabled bool `yaml:"enabled"`
		} `yaml:"permission"`
	}
	if err := yaml.Unmarshal([]byte(gen.appConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.Permission.Enabled || cfg.CorePlatform.AdminGroup != portal.AdminGroupRef(portal.DefaultAdminGroup) {
		t.Fatalf("generated permission config: enabled %v, admin group %q", cfg.Permission.Enabled, cfg.CorePlatform.AdminGroup)
	}
	member := &client{t: t, base: svc.base, token: signer.token("user:default/alice", "group:default/"+gen.someTenant)}
	admin := &client{t: t, base: svc.base, token: signer.token("user:default/bob", cfg.CorePlatform.AdminGroup)}
	anonymous := &client{t: t, base: svc.base}
	// A sign-in also stores the user's claims in the auth backend's user_info table, where
	// plugins called on the user's behalf look up the groups.
	for user, groups := range map[string][]string{
		"user:default/alice": {"user:default/alice", "group:default/" + gen.someTenant},
		"user:default/bob":   {"user:default/bob", cfg.CorePlatform.AdminGroup},
	} {
		info, _ := json.Marshal(map[string]any{"claims": map[string]any{"sub": user, "ent": groups}})
		pg.superuser(t, "backstage", fmt.Sprintf("INSERT INTO auth.user_info (user_entity_ref, user_info, updated_at, created_at) VALUES ('%s', '%s', now(), now())", user, info))
	}

	// Unauthenticated: refused by every plugin.
	for _, p := range []string{"/api/catalog/entities?limit=1", "/api/kubernetes/clusters",
		"/api/techdocs/metadata/entity/default/component/" + gen.portalName, "/api/scaffolder/v2/actions",
		"/api/search/query?term=portal", "/api/permission/authorize"} {
		method := "GET"
		if strings.HasSuffix(p, "authorize") {
			method = "POST"
		}
		if code, body := anonymous.status(method, p, nil, false); code != http.StatusUnauthorized {
			t.Errorf("unauthenticated %s %s: %d, want 401: %s", method, p, code, trim(body))
		}
	}

	// A member reads the catalog, the Kubernetes views and the docs' metadata.
	for _, p := range []string{"/api/catalog/entities/by-name/component/default/" + gen.portalName, "/api/kubernetes/clusters"} {
		if code, body := member.status("GET", p, nil, true); code != http.StatusOK {
			t.Errorf("member GET %s: %d, want 200: %s", p, code, trim(body))
		}
	}

	// Decisions of the policy for each admin-only permission and for the member's.
	decide := func(c *client, name string) string {
		code, body := c.status("POST", "/api/permission/authorize", map[string]any{"items": []any{map[string]any{
			"id": "1", "permission": map[string]any{"type": "basic", "name": name, "attributes": map[string]any{}},
		}}}, true)
		if code != http.StatusOK {
			t.Fatalf("authorize %s: %d %s", name, code, trim(body))
		}
		var res struct {
			Items []struct {
				Result string `json:"result"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &res); err != nil || len(res.Items) != 1 {
			t.Fatalf("authorize %s: %v %s", name, err, body)
		}
		return res.Items[0].Result
	}
	for _, c := range []struct {
		permission    string
		member, admin string
	}{
		{"catalog.entity.read", "ALLOW", "ALLOW"},
		{"kubernetes.resources.read", "ALLOW", "ALLOW"},
		{"kubernetes.clusters.read", "ALLOW", "ALLOW"},
		{"scaffolder.task.create", "ALLOW", "ALLOW"},
		{"scaffolder.template.parameter.read", "ALLOW", "ALLOW"},
		{"catalog.entity.delete", "DENY", "ALLOW"},
		{"catalog.location.delete", "DENY", "ALLOW"},
		{"scaffolder.template.management", "DENY", "ALLOW"},
		{"scaffolder.template.dry-run", "DENY", "ALLOW"},
		{"kubernetes.proxy", "DENY", "ALLOW"},
	} {
		if got := decide(member, c.permission); got != c.member {
			t.Errorf("member: %s = %s, want %s", c.permission, got, c.member)
		}
		if got := decide(admin, c.permission); got != c.admin {
			t.Errorf("admin: %s = %s, want %s", c.permission, got, c.admin)
		}
	}

	// The same rules through the plugins' own APIs. Deleting an entity: refused for a member,
	// done for an admin (a file location brings it back at the next refresh).
	var victim struct {
		Metadata struct {
			UID string `json:"uid"`
		} `json:"metadata"`
	}
	ref := "component/default/" + gen.portalName
	if err := json.Unmarshal([]byte(svc.get("/api/catalog/entities/by-name/"+ref)), &victim); err != nil || victim.Metadata.UID == "" {
		t.Fatalf("%s: %v", ref, err)
	}
	if code, body := member.status("DELETE", "/api/catalog/entities/by-uid/"+victim.Metadata.UID, nil, true); code != http.StatusForbidden {
		t.Errorf("member deletes %s: %d, want 403: %s", ref, code, trim(body))
	}
	if code, body := admin.status("DELETE", "/api/catalog/entities/by-uid/"+victim.Metadata.UID, nil, true); code != http.StatusNoContent {
		t.Errorf("admin deletes %s: %d, want 204: %s", ref, code, trim(body))
	}
	// Unregistering a location.
	var locations []struct {
		Data struct {
			ID     string `json:"id"`
			Target string `json:"target"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(svc.get("/api/catalog/locations")), &locations); err != nil {
		t.Fatalf("locations: %v", err)
	}
	// The generated locations are static configuration, not registered ones: with none
	// registered, catalog.location.delete is proven by the policy's decisions above.
	for _, l := range locations[:min(len(locations), 1)] {
		loc := l.Data
		if code, body := member.status("DELETE", "/api/catalog/locations/"+loc.ID, nil, true); code != http.StatusForbidden {
			t.Errorf("member unregisters %s: %d, want 403: %s", loc.Target, code, trim(body))
		}
		if code, body := admin.status("DELETE", "/api/catalog/locations/"+loc.ID, nil, true); code != http.StatusNoContent {
			t.Errorf("admin unregisters %s: %d, want 204: %s", loc.Target, code, trim(body))
		}
	}
	// Running "Request a tenancy": the member's task is accepted (it then fails at GitHub,
	// which this test cannot reach).
	values := map[string]any{
		"name": "payments-perm", "parent": gen.someTenant, "description": "A tenant requested by a member.",
		"contactEmail": "payments@cecg.io", "costCentre": "CECG-E2E-002",
		"environments": []string{tenantEnv}, "adminGroup": "payments-admin@cecg.io",
		"readonlyGroup": "payments-readonly@cecg.io", "repos": []string{"https://github.com/cecg/payments"},
	}
	code, body := member.status("POST", "/api/scaffolder/v2/tasks", map[string]any{
		"templateRef": "template:default/request-a-tenancy", "values": values,
	}, true)
	if code != http.StatusCreated {
		t.Errorf("member runs request-a-tenancy: %d, want 201: %s", code, trim(body))
	} else {
		t.Logf("member's request-a-tenancy task: %s", trim(body))
	}
}

// testMetrics scrapes the OpenTelemetry Prometheus exporter the start command loads, on the
// port the Deployment exposes and the PodMonitoring/ServiceMonitor scrape.
func testMetrics(t *testing.T) {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", portal.DefaultMetricsPort, portal.DefaultMetricsPath)
	// The catalog's gauges are observed at each collection; the HTTP metrics need traffic,
	// which the earlier steps made.
	var text string
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			text = string(b)
			if resp.StatusCode == http.StatusOK && strings.Contains(text, "catalog_entities_count") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v; body: %.600s", url, err, text)
		}
		time.Sleep(time.Second)
	}
	for _, m := range []string{"catalog_entities_count", "catalog_registered_locations_count", "http_server_request_duration"} {
		if !strings.Contains(text, m) {
			t.Errorf("metrics lack %s", m)
		}
	}
	var names []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "# TYPE ") {
			names = append(names, strings.Fields(l)[2])
		}
	}
	t.Logf("metrics at %s: %d families, e.g. %v", url, len(names), names[:min(len(names), 15)])
}
