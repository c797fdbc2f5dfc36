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
// permissionPolicy.js) and the service token's access restrictions against the booted
// backend, each in both directions: unauthenticated calls are refused; a member reads the
// catalog, docs and Kubernetes views and runs "Request a tenancy", refreshes only what their
// team owns and reads and cancels only their own runs; only the admin group
// (corePlatform.adminGroup, generated from portal.adminGroup) registers locations, creates,
// deletes and unregisters entities, manages templates and uses the Kubernetes proxy; the
// static service token reaches only the plugins and permissions its callers need.
func testPermissions(t *testing.T, svc *client, users *testUsers, gen *generated) {
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
	if !cfg.Permission.Enabled || cfg.CorePlatform.AdminGroup != portal.AdminGroupRef(gen.adminGroup) {
		t.Fatalf("generated permission config: enabled %v, admin group %q", cfg.Permission.Enabled, cfg.CorePlatform.AdminGroup)
	}
	team := "group:default/" + gen.someTenant
	member, otherMember, admin := users.member, users.otherMember, users.admin
	anonymous := &client{t: t, base: svc.base}

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

	// The policy's decisions, as the permission backend gives them to every plugin and to the
	// frontend: basic permissions, and resource permissions on an entity the member's team
	// owns (the tenant's System) and on one it does not (the portal's Component, owned by the
	// platform).
	owned, notOwned := "system:default/"+gen.someTenant, "component:default/"+gen.portalName
	if owner := entityOwner(t, svc, "system/default/"+gen.someTenant); owner != team {
		t.Fatalf("%s is owned by %q, want the member's team %s", owned, owner, team)
	}
	if owner := entityOwner(t, svc, "component/default/"+gen.portalName); owner == team {
		t.Fatalf("%s is owned by the member's team", notOwned)
	}
	for _, c := range []struct {
		permission, resourceRef string
		member, admin           string
	}{
		{"catalog.entity.read", owned, "ALLOW", "ALLOW"},
		{"catalog.entity.read", notOwned, "ALLOW", "ALLOW"},
		{"catalog.location.read", "", "ALLOW", "ALLOW"},
		{"kubernetes.resources.read", "", "ALLOW", "ALLOW"},
		{"kubernetes.clusters.read", "", "ALLOW", "ALLOW"},
		{"scaffolder.task.create", "", "ALLOW", "ALLOW"},
		{"scaffolder.template.parameter.read", "", "ALLOW", "ALLOW"},
		{"catalog.entity.refresh", owned, "ALLOW", "ALLOW"},
		{"catalog.entity.refresh", notOwned, "DENY", "ALLOW"},
		{"catalog.location.create", "", "DENY", "ALLOW"},
		{"catalog.entity.create", "", "DENY", "ALLOW"},
		{"catalog.location.analyze", "", "DENY", "ALLOW"},
		{"catalog.entity.delete", notOwned, "DENY", "ALLOW"},
		{"catalog.entity.delete", owned, "DENY", "ALLOW"},
		{"catalog.location.delete", "", "DENY", "ALLOW"},
		{"catalog.ingestion.manage", "", "DENY", "ALLOW"},
		{"scaffolder.template.management", "", "DENY", "ALLOW"},
		{"scaffolder.template.dry-run", "", "DENY", "ALLOW"},
		{"kubernetes.proxy", "", "DENY", "ALLOW"},
		// A permission the policy does not know (a plugin added later) is refused.
		{"some.plugin.added.later", "", "DENY", "ALLOW"},
	} {
		if got := decide(t, member, c.permission, c.resourceRef); got != c.member {
			t.Errorf("member: %s %s = %s, want %s", c.permission, c.resourceRef, got, c.member)
		}
		if got := decide(t, admin, c.permission, c.resourceRef); got != c.admin {
			t.Errorf("admin: %s %s = %s, want %s", c.permission, c.resourceRef, got, c.admin)
		}
	}

	// The same rules through the plugins' own APIs, refused and allowed.
	// Refreshing an entity: only what the member's team owns (admins: anything).
	for _, c := range []struct {
		who    string
		c      *client
		entity string
		want   int
	}{
		{"member, their team's System", member, owned, http.StatusOK},
		{"member, the platform's Component", member, notOwned, http.StatusForbidden},
		{"admin, the platform's Component", admin, notOwned, http.StatusOK},
	} {
		if code, body := c.c.status("POST", "/api/catalog/refresh", map[string]any{"entityRef": c.entity}, true); code != c.want {
			t.Errorf("%s refreshes %s: %d, want %d: %s", c.who, c.entity, code, c.want, trim(body))
		}
	}
	// Registering a location: refused for a member before anything is read; an admin passes
	// the policy (the dry run then fails to read the URL: no network here).
	location := map[string]any{"type": "url", "target": "https://github.com/cecg/payments/blob/main/catalog-info.yaml"}
	if code, body := member.status("POST", "/api/catalog/locations?dryRun=true", location, true); code != http.StatusForbidden {
		t.Errorf("member registers a location: %d, want 403: %s", code, trim(body))
	}
	if code, body := admin.status("POST", "/api/catalog/locations?dryRun=true", location, true); code == http.StatusForbidden || code == http.StatusUnauthorized {
		t.Errorf("admin registers a location: refused (%d): %s", code, trim(body))
	}

	// Deleting an entity: refused for a member, done for an admin (a file location brings it
	// back at the next refresh).
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
	// which this test cannot reach). Its run is the member's: another member neither reads
	// nor cancels it; the member and an admin do.
	values := map[string]any{
		"name": "payments-perm", "parent": gen.someTenant, "description": "A tenant requested by a member.",
		"contactEmail": "payments@cecg.io", "costCentre": "CECG-E2E-002",
		"environments": []string{tenantEnv}, "adminGroup": "payments-admin@cecg.io",
		"readonlyGroup": "payments-readonly@cecg.io", "repos": []string{"https://github.com/cecg/payments"},
	}
	code, body := member.status("POST", "/api/scaffolder/v2/tasks", map[string]any{
		"templateRef": "template:default/request-a-tenancy", "values": values,
	}, true)
	var task struct {
		ID string `json:"id"`
	}
	if code != http.StatusCreated || json.Unmarshal(body, &task) != nil || task.ID == "" {
		t.Fatalf("member runs request-a-tenancy: %d, want 201 and a task id: %s", code, trim(body))
	}
	t.Logf("member's request-a-tenancy task: %s", trim(body))
	for _, c := range []struct {
		who          string
		c            *client
		method, path string
		want         int
	}{
		{"another member reads", otherMember, "GET", "/api/scaffolder/v2/tasks/" + task.ID, http.StatusForbidden},
		{"another member cancels", otherMember, "POST", "/api/scaffolder/v2/tasks/" + task.ID + "/cancel", http.StatusForbidden},
		{"the member reads", member, "GET", "/api/scaffolder/v2/tasks/" + task.ID, http.StatusOK},
		{"an admin reads", admin, "GET", "/api/scaffolder/v2/tasks/" + task.ID, http.StatusOK},
		{"the member cancels", member, "POST", "/api/scaffolder/v2/tasks/" + task.ID + "/cancel", http.StatusOK},
		{"an admin cancels", admin, "POST", "/api/scaffolder/v2/tasks/" + task.ID + "/cancel", http.StatusOK},
	} {
		if code, body := c.c.status(c.method, c.path, nil, true); code != c.want {
			t.Errorf("%s the member's task: %d, want %d: %s", c.who, code, c.want, trim(body))
		}
	}
	// The task list: another member's list does not hold the member's run.
	if code, body := otherMember.status("GET", "/api/scaffolder/v2/tasks", nil, true); code != http.StatusOK || strings.Contains(string(body), task.ID) {
		t.Errorf("another member's task list (%d) shows the member's task %s: %s", code, task.ID, trim(body))
	}
	if code, body := admin.status("GET", "/api/scaffolder/v2/tasks", nil, true); code != http.StatusOK || !strings.Contains(string(body), task.ID) {
		t.Errorf("the admin's task list (%d) lacks the member's task %s: %s", code, task.ID, trim(body))
	}

	// The static service token: what its callers need, and nothing else.
	for _, c := range []struct {
		what, method, path string
		body               any
		allowed            bool
	}{
		{"reads the catalog", "GET", "/api/catalog/entities/by-name/system/default/" + gen.someTenant, nil, true},
		{"reads the catalog's locations", "GET", "/api/catalog/locations", nil, true},
		{"reads the Kubernetes clusters", "GET", "/api/kubernetes/clusters", nil, true},
		// A restricted token cannot be delegated: the plugin's call to the catalog on its
		// behalf is refused, so the workloads view is a user's.
		{"reads an entity's workloads", "POST", "/api/kubernetes/services/" + gen.portalName, map[string]any{"entity": map[string]any{
			"kind": "System", "metadata": map[string]any{"name": gen.someTenant, "namespace": "default"}}}, false},
		{"lists the scaffolder's actions", "GET", "/api/scaffolder/v2/actions", nil, true},
		{"registers a location", "POST", "/api/catalog/locations?dryRun=true", location, false},
		{"refreshes an entity", "POST", "/api/catalog/refresh", map[string]any{"entityRef": owned}, false},
		{"deletes an entity", "DELETE", "/api/catalog/entities/by-uid/" + victim.Metadata.UID, nil, false},
		{"reads anyone's task", "GET", "/api/scaffolder/v2/tasks/" + task.ID, nil, false},
		{"uses the Kubernetes proxy", "GET", "/api/kubernetes/proxy/api/v1/namespaces", nil, false},
		{"queries search (a plugin it may not call)", "GET", "/api/search/query?term=portal", nil, false},
		{"reads TechDocs (a plugin it may not call)", "GET", "/api/techdocs/metadata/entity/default/component/" + gen.portalName, nil, false},
	} {
		code, body := svc.status(c.method, c.path, c.body, true)
		if refused := code == http.StatusForbidden; refused == c.allowed {
			t.Errorf("the service token %s: %d (allowed %v): %s", c.what, code, c.allowed, trim(body))
		}
	}
}

// testUsers are signed-in users of the organisation: two members of a tenant's team and a
// member of the admin group.
type testUsers struct {
	member, otherMember, admin *client
}

// signInTestUsers issues the tokens a GitHub sign-in would give alice and carol (a tenant's
// team) and bob (the admin group), and stores their claims where a sign-in does: the auth
// backend's user_info table, where plugins called on a user's behalf look up the groups.
func signInTestUsers(t *testing.T, svc *client, signer *userTokenSigner, gen *generated, pg *postgres) *testUsers {
	t.Helper()
	groups := map[string][]string{
		"user:default/alice": {"group:default/" + gen.someTenant},
		"user:default/carol": {"group:default/" + gen.someTenant},
		"user:default/bob":   {portal.AdminGroupRef(gen.adminGroup)},
	}
	for user, g := range groups {
		info, _ := json.Marshal(map[string]any{"claims": map[string]any{"sub": user, "ent": append([]string{user}, g...)}})
		pg.superuser(t, "backstage", fmt.Sprintf("INSERT INTO auth.user_info (user_entity_ref, user_info, updated_at, created_at) VALUES ('%s', '%s', now(), now())", user, info))
	}
	as := func(user string) *client {
		return &client{t: t, base: svc.base, token: signer.token(user, groups[user]...)}
	}
	return &testUsers{member: as("user:default/alice"), otherMember: as("user:default/carol"), admin: as("user:default/bob")}
}

// decide is the permission backend's decision for the user of c: a basic permission, or a
// resource permission on the catalog entity resourceRef (the backend applies a conditional
// decision through the catalog).
func decide(t *testing.T, c *client, name, resourceRef string) string {
	t.Helper()
	perm := map[string]any{"type": "basic", "name": name, "attributes": map[string]any{}}
	item := map[string]any{"id": "1", "permission": perm}
	if resourceRef != "" {
		perm["type"], perm["resourceType"] = "resource", "catalog-entity"
		item["resourceRef"] = resourceRef
	}
	code, body := c.status("POST", "/api/permission/authorize", map[string]any{"items": []any{item}}, true)
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

// entityOwner is spec.owner of the entity ref (kind/namespace/name) as an entity reference.
func entityOwner(t *testing.T, svc *client, ref string) string {
	t.Helper()
	var e struct {
		Relations []struct {
			Type      string `json:"type"`
			TargetRef string `json:"targetRef"`
		} `json:"relations"`
	}
	if err := json.Unmarshal([]byte(svc.get("/api/catalog/entities/by-name/"+ref)), &e); err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	for _, r := range e.Relations {
		if r.Type == "ownedBy" {
			return r.TargetRef
		}
	}
	return ""
}

// testMetrics scrapes the OpenTelemetry Prometheus exporter the start command loads, on port
// (the test's stand-in for the Deployment's metrics port) and the Deployment's path.
func testMetrics(t *testing.T, port int) {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, portal.DefaultMetricsPath)
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
