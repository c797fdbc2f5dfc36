// Package backstagee2e boots the portal's own Backstage backend (app/packages/backend, started
// with the image's command, portal.Command) with the configuration the stack generates, on a real PostgreSQL 15 over verified TLS,
// and checks it through Backstage's own HTTP API with the generated service token.
//
// It needs Node.js 22+, `yarn install --immutable` in app/ and the frontend built, so it runs only with
// BACKSTAGE_E2E=1;
// .ci/backstage installs everything and runs it:
//
//	.ci/backstage
//	BACKSTAGE_E2E=1 BACKSTAGE_NODE=<node 24> go test ./tests/backstage/ -count=1 -v
//
// Environment:
//
//	BACKSTAGE_E2E=1    run (otherwise skipped)
//	BACKSTAGE_NODE     the node binary (default: node on PATH; must be 22+)
//	PG_BIN             PostgreSQL 15 server binaries (default /usr/lib/postgresql/15/bin)
//	KUBE_API_URL       a real kube-apiserver holding the portal's objects (the real-engine
//	KUBE_TOKEN         suite's); its token, and optionally KUBE_CA_FILE (otherwise TLS is not
//	KUBE_CA_FILE       verified). Unset: a loopback stand-in serving the generated manifests.
package backstagee2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/portal"
	"github.com/coreeng/developer-portal/stack"
	"gopkg.in/yaml.v3"
)

const (
	// appDir is the portal's Backstage app, the image's source.
	appDir      = "../../app"
	stackFile   = "testdata/Pulumi.backstage.yaml"
	projectFile = "../../Pulumi.yaml"
	// tenantEnv is how tenant files name this stack's environment ("<cloud>-<environment>").
	tenantEnv = "none-backstage"
	// copyFrom: tenants of this environment also get tenantEnv in the test's copy.
	copyFrom = "gcp-dev"
)

func TestBackstageBootsGeneratedConfig(t *testing.T) {
	nodeBin := backstageNode(t, "to boot a real Backstage backend")
	pgBin := envOr("PG_BIN", "/usr/lib/postgresql/15/bin")
	if _, err := os.Stat(filepath.Join(appDir, "node_modules/@backstage/backend-defaults")); err != nil {
		t.Fatalf("node_modules missing: run `yarn install --immutable` in app/ (.ci/backstage does): %v", err)
	}
	if _, err := os.Stat(filepath.Join(appDir, "packages/app/dist/index.html")); err != nil {
		t.Fatalf("the frontend is not built: run `yarn build` in app/ (.ci/backstage does): %v", err)
	}
	tmp := postgresReachableTempDir(t)

	// PostgreSQL 15 on loopback, TLS with its own CA, a scram-sha-256 user.
	pg := startPostgres(t, pgBin, filepath.Join(tmp, "pg"))

	// The stack program, run by the offline plan's mock engine with this environment's stack
	// file, the database above and freshly generated secrets.
	secrets := freshSecrets(t, pg.password)
	gen := generate(t, stackFile, filepath.Join(tmp, "tenants"), pg, secrets)
	token := secrets["backstageServiceToken"]

	// The files the pod mounts, under tmp instead of /etc/backstage and /catalog.
	root := filepath.Join(tmp, "pod")
	appConfig := gen.writePodFiles(t, root)

	// Kubernetes: the real-engine suite's API server when given, else a loopback stand-in
	// serving the generated manifests.
	kube := kubeTarget(t, gen)

	// Every outgoing HTTP(S) request of the backend goes through a loopback proxy that refuses
	// it: GitHub discovery and the organisation sync stay scheduled, as in the image, but never
	// reach github.com; the proxy records what they tried.
	proxy := newRefusingProxy(t)

	// User tokens: GitHub's OAuth sign-in cannot run here, so the auth backend signs with a key
	// the test holds, and the test issues the tokens a GitHub sign-in would give.
	signer := newUserTokenSigner(t, root)

	port := freePort(t)
	override := filepath.Join(root, "app-config.test.yaml")
	// The test overlay: every key replaces something that needs a real cloud or a browser.
	writeYAML(t, override, map[string]any{
		// backend.listen: only loopback, on a free port (the pod listens on 7007 in its own
		// network namespace).
		"backend": map[string]any{"listen": map[string]any{"host": "127.0.0.1", "port": port}},
		// auth.keyStore: the auth backend signs user tokens with the test's key instead of
		// keys it generates, so the test can act as signed-in members (see above).
		"auth": map[string]any{"keyStore": signer.keyStoreConfig()},
		// kubernetes.clusterLocatorMethods: see below.
		// The cluster of the generated config (same name), reached at the test's API server
		// instead of the in-cluster address.
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type":     "config",
			"clusters": []any{kube.cluster(gen.clusterName)},
		}}},
	})

	// In the pod the exporter listens on the Deployment's metrics port (the image's default,
	// 9464, unless monitoring sets another); here on a free loopback port instead, so that two
	// runs on one machine cannot answer each other's scrape. TestPortalOnRealNode scrapes :9464
	// on the pod itself.
	metricsPort := freePort(t)
	env := backendEnv(t, gen, kube, proxy.URL, tmp, fmt.Sprintf("%s=%d", portal.EnvMetricsPort, metricsPort))

	be := startBackend(t, nodeBin, tmp, env, appConfig, override)
	logPath := be.logPath

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	api := &client{t: t, base: base, token: token}

	// 1. Readiness, and no configuration error in the log.
	t.Run("1-readiness-and-config", func(t *testing.T) {
		boot := be.waitReady(t, api)
		t.Logf("timing: backstage boot %.1fs (process start to readiness 200)", boot.Seconds())
		fmt.Printf("timing: backstage boot %.1fs\n", boot.Seconds())
		checkConfigLog(t, logPath)
		// The readiness probe path must be the one the Deployment's probe uses.
		if gen.readinessPath != portalReadiness {
			t.Errorf("the Deployment probes %q, Backstage serves readiness at %q", gen.readinessPath, portalReadiness)
		}
		// The service token is required: without it the catalog refuses.
		if code, _ := api.status("GET", "/api/catalog/entities?limit=1", nil, false); code != http.StatusUnauthorized {
			t.Errorf("catalog without a token: %d, want 401", code)
		}
	})
	if t.Failed() {
		return
	}

	// 2. The catalog holds every generated entity with its annotations.
	t.Run("2-catalog", func(t *testing.T) {
		want := gen.entities
		kinds := map[string]int{}
		for _, e := range want {
			kinds[e.Kind]++
		}
		t.Logf("generated catalog: %d entities %v", len(want), kinds)
		// Each tenancy is a System (its repositories' own entities join it); the portal is the
		// one generated Component.
		if kinds["System"] == 0 || kinds["Component"] != 1 || kinds["Template"] != 1 {
			t.Fatalf("the generated catalog lacks the tenant Systems, the portal's Component or the template: %v", kinds)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for _, e := range want {
			ref := fmt.Sprintf("%s/default/%s", strings.ToLower(e.Kind), e.Metadata.Name)
			var got catalogEntity
			for {
				code, body := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true)
				if code == http.StatusOK {
					if err := json.Unmarshal(body, &got); err != nil {
						t.Fatalf("%s: %v", ref, err)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("%s: not in the catalog (%d); catalog locations: %s", ref, code, api.get("/api/catalog/locations"))
					break
				}
				time.Sleep(time.Second)
			}
			if got.Metadata.Name == "" {
				continue
			}
			for k, v := range e.Metadata.Annotations {
				if got.Metadata.Annotations[k] != v {
					t.Errorf("%s: annotation %s = %q, want %q", ref, k, got.Metadata.Annotations[k], v)
				}
			}
		}
		// The portal's own entity, and the tenants of this environment only.
		portal := api.entity("component/default/" + gen.portalName)
		if portal.Metadata.Annotations["backstage.io/kubernetes-id"] != gen.portalName ||
			portal.Metadata.Annotations["backstage.io/kubernetes-namespace"] != gen.portalNS {
			t.Errorf("portal entity annotations (want kubernetes-id %s, kubernetes-namespace %s): %v",
				gen.portalName, gen.portalNS, portal.Metadata.Annotations)
		}
		if code, _ := api.status("GET", "/api/catalog/entities/by-name/system/default/delivery-insights", nil, true); code != http.StatusNotFound {
			t.Errorf("delivery-insights (gcp-prod only) is in this environment's catalog: %d", code)
		}
		// The docs entity: TechDocs needs a cloud bucket, so a cloud provider none stack has
		// none, although the portal's entity names it in backstage.io/techdocs-entity.
		docs := portal.Metadata.Annotations["backstage.io/techdocs-entity"]
		if docs != "" {
			kind, rest, _ := strings.Cut(docs, ":")
			if code, _ := api.status("GET", "/api/catalog/entities/by-name/"+kind+"/"+rest, nil, true); code == http.StatusOK {
				t.Logf("docs entity %s is in the catalog", docs)
			} else if gen.hasTechDocs {
				t.Errorf("docs entity %s is generated but not in the catalog (%d)", docs, code)
			} else {
				t.Logf("docs entity %s: not generated with cloud provider none (no TechDocs bucket); the portal's backstage.io/techdocs-entity points at an entity this catalog lacks", docs)
			}
		}
		// Entities with processing errors would be missing above; report the catalog's view.
		var page struct {
			TotalItems int `json:"totalItems"`
		}
		_ = json.Unmarshal([]byte(api.get("/api/catalog/entities/by-query?limit=1&fields=metadata.name")), &page)
		t.Logf("the catalog holds %d entities: the %d generated ones and their Location entities", page.TotalItems, len(want))
	})

	// 3. The template's parameters, evaluated by the scaffolder's dry-run API.
	t.Run("3-template-dry-run", func(t *testing.T) {
		tmpl := templateWithoutPublishing(t, api)
		t.Logf("dry-run without the steps that need GitHub: %v", tmpl.skipped)
		skeleton := gen.skeleton
		if skeleton.path == "" {
			t.Fatal("no skeleton file in the catalog ConfigMap")
		}
		valid := map[string]any{
			"name": "payments-e2e", "parent": gen.someTenant, "description": "A tenant requested by the test.",
			"contactEmail": "payments@cecg.io", "costCentre": "CECG-E2E-001",
			"environments": []string{tenantEnv}, "adminGroup": "payments-admin@cecg.io",
			"readonlyGroup": "payments-readonly@cecg.io", "repos": []string{"https://github.com/cecg/payments"},
		}
		code, body := tmpl.dryRun(api, skeleton, valid)
		if code != http.StatusOK {
			t.Fatalf("dry-run of a valid request: %d %s", code, body)
		}
		res := decodeDryRun(t, body)
		rendered := string(res.file("payments-e2e.yaml"))
		if rendered == "" {
			t.Errorf("the dry-run rendered no payments-e2e.yaml; files: %+v", res.DirectoryContents)
		} else {
			var tenant map[string]any
			if err := yaml.Unmarshal([]byte(rendered), &tenant); err != nil {
				t.Errorf("rendered tenant file is not YAML: %v\n%s", err, rendered)
			}
			if tenant["name"] != "payments-e2e" || tenant["contactEmail"] != "payments@cecg.io" {
				t.Errorf("rendered tenant file:\n%s", rendered)
			}
			t.Logf("dry-run rendered the tenant file:\n%s", rendered)
		}
		for _, l := range res.Log {
			if l.Body.StepID == "publish" && l.Body.Message != "" {
				t.Logf("dry-run publish step: %s", l.Body.Message)
			}
		}

		invalid := []struct {
			name   string
			change map[string]any
		}{
			{"existing tenant", map[string]any{"name": gen.someTenant}},
			{"reserved name", map[string]any{"name": "default"}},
			{"unknown parent", map[string]any{"parent": "no-such-tenant"}},
			{"bad name", map[string]any{"name": "Payments_E2E"}},
			{"bad e-mail", map[string]any{"contactEmail": "not-an-email"}},
			{"unknown environment", map[string]any{"environments": []string{"mars-prod"}}},
			{"repository not on GitHub", map[string]any{"repos": []string{"https://gitlab.com/cecg/payments"}}},
			{"missing admin group", map[string]any{"adminGroup": nil}},
		}
		for _, c := range invalid {
			values := map[string]any{}
			for k, v := range valid {
				values[k] = v
			}
			for k, v := range c.change {
				if v == nil {
					delete(values, k)
					continue
				}
				values[k] = v
			}
			code, body := tmpl.dryRun(api, skeleton, values)
			if code != http.StatusBadRequest {
				t.Errorf("dry-run with %s: %d, want 400: %s", c.name, code, trim(body))
				continue
			}
			t.Logf("dry-run with %s rejected: %s", c.name, trim(body))
		}
	})

	// Signed-in members of the organisation and the admin group (see permissions_test.go).
	users := signInTestUsers(t, api, signer, gen, pg)

	// 4. The Kubernetes plugin: the configured cluster, and the portal's own objects, as a
	// member sees them (the service token may not act through the catalog on its behalf).
	t.Run("4-kubernetes", func(t *testing.T) {
		clusters := api.get("/api/kubernetes/clusters")
		if !strings.Contains(clusters, `"name":"`+gen.clusterName+`"`) {
			t.Errorf("/api/kubernetes/clusters lacks %s: %s", gen.clusterName, clusters)
		}
		portal := api.rawEntity("component/default/" + gen.portalName)
		code, body := users.member.status("POST", "/api/kubernetes/services/"+gen.portalName, map[string]any{"entity": portal}, true)
		if code != http.StatusOK {
			t.Fatalf("/api/kubernetes/services/%s: %d %s", gen.portalName, code, trim(body))
		}
		var res struct {
			Items []struct {
				Cluster struct {
					Name string `json:"name"`
				} `json:"cluster"`
				Errors    []any `json:"errors"`
				Resources []struct {
					Type      string `json:"type"`
					Resources []struct {
						Kind     string `json:"kind"`
						Metadata struct {
							Name      string `json:"name"`
							Namespace string `json:"namespace"`
						} `json:"metadata"`
					} `json:"resources"`
				} `json:"resources"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		found := map[string][]string{} // object type → namespace/name of each object returned
		for _, it := range res.Items {
			if it.Cluster.Name != gen.clusterName {
				continue
			}
			if len(it.Errors) > 0 {
				// A real API server answers every list the plugin makes (with the token it
				// was given); an error there means the plugin could not read something.
				if kube.real {
					t.Errorf("cluster %s errors: %v", it.Cluster.Name, it.Errors)
				} else {
					t.Logf("cluster %s errors: %v", it.Cluster.Name, it.Errors)
				}
			}
			for _, r := range it.Resources {
				for _, o := range r.Resources {
					found[r.Type] = append(found[r.Type], o.Metadata.Namespace+"/"+o.Metadata.Name)
				}
			}
		}
		// The portal's own Deployment, Service and Ingress, by name, in its namespace.
		want := gen.portalNS + "/" + gen.portalName
		for _, typ := range []string{"deployments", "services", "ingresses"} {
			if !slices.Contains(found[typ], want) {
				t.Errorf("the Kubernetes plugin returned no %s %s for entity %s; got %v", typ, want, gen.portalName, found)
			}
		}
		t.Logf("Kubernetes plugin, entity %s on cluster %s: %v (API server: %s)", gen.portalName, gen.clusterName, found, kube.describe)
		// Never ConfigMaps or Secrets: kubernetes.objectTypes leaves them out (and the
		// ClusterRole does not grant them).
		for typ := range found {
			if typ == "configmaps" || typ == "secrets" {
				t.Errorf("the Kubernetes plugin returned %s: %v", typ, found[typ])
			}
		}
		if kube.seen != nil {
			seen := kube.seen()
			for _, p := range seen {
				if strings.HasSuffix(p, "/configmaps") || strings.HasSuffix(p, "/secrets") {
					t.Errorf("the Kubernetes plugin asked the API server for %s", p)
				}
			}
			t.Logf("stand-in API server requests: %v", seen)
		}
	})

	// 5. Backstage created its per-plugin schemas, owned by the configured user.
	t.Run("5-database", func(t *testing.T) {
		out := pg.query(t, "backstage", "SELECT n.nspname || '=' || pg_get_userbyid(n.nspowner) FROM pg_namespace n "+
			"WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public') ORDER BY 1")
		schemas := map[string]string{}
		for _, l := range strings.Fields(out) {
			k, v, _ := strings.Cut(l, "=")
			schemas[k] = v
		}
		t.Logf("schemas in database backstage: %v", schemas)
		for _, s := range []string{"auth", "catalog", "scaffolder"} {
			if schemas[s] != pg.user {
				t.Errorf("schema %s: owner %q, want %q", s, schemas[s], pg.user)
			}
		}
		tables := pg.query(t, "backstage", "SELECT count(*) FROM pg_tables WHERE schemaname = 'catalog' AND tableowner = '"+pg.user+"'")
		if n, _ := strconv.Atoi(strings.TrimSpace(tables)); n < 5 {
			t.Errorf("catalog schema holds %s tables of %s, want its migrations", strings.TrimSpace(tables), pg.user)
		}
		conns := pg.query(t, "postgres", "SELECT count(*) FILTER (WHERE ssl) || '/' || count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = '"+pg.user+"'")
		t.Logf("backstage's connections over TLS: %s", strings.TrimSpace(conns))
		if ssl, all, _ := strings.Cut(strings.TrimSpace(conns), "/"); ssl != all || all == "0" {
			t.Errorf("backstage's connections over TLS: %s", strings.TrimSpace(conns))
		}
	})

	// 6. The permission policy, against the running backend, as signed-in members.
	t.Run("6-permissions", func(t *testing.T) {
		testPermissions(t, api, users, gen)
	})

	// 7. Metrics on the Deployment's metrics port, from the image's start command.
	t.Run("7-metrics", func(t *testing.T) {
		testMetrics(t, metricsPort)
	})

	// 8. The frontend, served by the backend with the generated branding.
	t.Run("8-frontend", func(t *testing.T) {
		code, body := api.status("GET", "/", nil, false)
		if code != http.StatusOK {
			t.Fatalf("GET /: %d", code)
		}
		if !strings.Contains(string(body), "<title>Core Platform</title>") {
			t.Errorf("GET / lacks the Core Platform title: %s", trim(body))
		}
		if !strings.Contains(string(body), `id="root"`) {
			t.Errorf("GET / is not the app: %s", trim(body))
		}
		// The brand's logo (app/packages/app/src/brand/logo.svg) is in the served bundle.
		logos, _ := filepath.Glob(filepath.Join(appDir, "packages/app/dist/static/logo.*.svg"))
		if len(logos) != 1 {
			t.Fatalf("the bundle holds %d logo files, want 1", len(logos))
		}
		code, served := api.status("GET", "/static/"+filepath.Base(logos[0]), nil, false)
		if code != http.StatusOK || string(served) != readFile(t, filepath.Join(appDir, "packages/app/src/brand/logo.svg")) {
			t.Errorf("GET /static/%s: %d, not the brand's logo", filepath.Base(logos[0]), code)
		}
	})

	// 9. The GitHub App's webhook: a signed push registers its catalog file at once; unsigned or
	// wrongly signed deliveries are refused.
	t.Run("9-github-webhook", func(t *testing.T) {
		testGitHubWebhook(t, api, pg, gen.appConfig, secrets["githubAppWebhookSecret"], logPath)
	})

	// 10. A tenancy reaches the running backend through the live catalog, without a restart.
	t.Run("10-live-catalog", func(t *testing.T) {
		testLiveCatalog(t, api, gen)
	})

	hosts := proxy.hosts()
	t.Logf("outgoing requests refused by the loopback proxy: %v", hosts)
	log := readFile(t, logPath)
	for _, l := range errorLines(log) {
		t.Logf("backstage error-level log: %s", l)
	}
}

const portalReadiness = "/.backstage/health/v1/readiness"

// bootPrerequisites skips the test unless BACKSTAGE_E2E=1, and returns the node binary, the
// test's temporary directory and a PostgreSQL 15 started in it.
func bootPrerequisites(t *testing.T) (nodeBin, tmp string, pg *postgres) {
	t.Helper()
	nodeBin = backstageNode(t, "to boot a real Backstage backend")
	tmp = postgresReachableTempDir(t)
	pg = startPostgres(t, envOr("PG_BIN", "/usr/lib/postgresql/15/bin"), filepath.Join(tmp, "pg"))
	return nodeBin, tmp, pg
}

// backstageNode skips the test unless BACKSTAGE_E2E=1 (.ci/backstage sets it once the app is
// installed), saying what the test needs it for, and returns the Node.js binary to run the app
// with.
func backstageNode(t *testing.T, why string) string {
	t.Helper()
	if os.Getenv("BACKSTAGE_E2E") != "1" {
		t.Skip("set BACKSTAGE_E2E=1 (or run .ci/backstage) " + why)
	}
	return envOr("BACKSTAGE_NODE", "node")
}

// checkConfigLog fails on a configuration Backstage rejected or warned about.
func checkConfigLog(t *testing.T, logPath string) {
	t.Helper()
	log := readFile(t, logPath)
	if !strings.Contains(log, "Configuration schema validation passed") {
		t.Errorf("the log does not show the schema validation passing")
	}
	// Every boot here is on PostgreSQL: the plugins start under the startup lock.
	if !strings.Contains(log, "Startup lock taken after") {
		t.Errorf("the log does not show the startup lock taken before the plugins started")
	}
	for _, bad := range configErrors {
		if m := bad.FindString(log); m != "" {
			t.Errorf("configuration error in the log: %s", m)
		}
	}
}

// configErrors are the messages Backstage prints for configuration it rejects.
var configErrors = []*regexp.Regexp{
	regexp.MustCompile(`Configuration schema validation failed[^\n]*`),
	regexp.MustCompile(`Missing required config value[^\n]*`),
	regexp.MustCompile(`Invalid type in config[^\n]*`),
	regexp.MustCompile(`Failed to read config[^\n]*`),
	regexp.MustCompile(`Config validation failed[^\n]*`),
	regexp.MustCompile(`[Dd]eprecated config[^\n]*`),
}

// runningBackend is app/packages/backend started with the image's command.
type runningBackend struct {
	logPath string
	exited  chan error
	started time.Time
}

// startBackend starts the portal's backend as the image does (portal.Command, from app/, which
// has the image's layout) with the given app-config files, logging to tmp/backstage.log, and
// stops it when the test ends.
func startBackend(t *testing.T, nodeBin, tmp string, env []string, configs ...string) *runningBackend {
	t.Helper()
	b := &runningBackend{logPath: filepath.Join(tmp, "backstage.log"), exited: make(chan error, 1)}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{}, portal.Command[1:]...)
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	cmd := exec.Command(nodeBin, args...)
	cmd.Dir = appDir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	b.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start backstage: %v", err)
	}
	go func() { b.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(os.Interrupt)
			// Stopped on purpose: the exit status (a signal) is logged, not checked.
			var stopped error
			select {
			case stopped = <-b.exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				stopped = <-b.exited
			}
			t.Logf("backstage stopped: %v", stopped)
		}
		_ = logFile.Close()
		if t.Failed() || testing.Verbose() {
			logTail(t, b.logPath, 60)
		}
	})
	return b
}

// waitReady waits for the readiness endpoint's 200 and returns the time since the start.
func (b *runningBackend) waitReady(t *testing.T, api *client) time.Duration {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for {
		select {
		case err := <-b.exited:
			t.Fatalf("backstage exited before it was ready: %v", err)
		default:
		}
		code, _ := api.status("GET", portalReadiness, nil, false)
		if code == http.StatusOK {
			return time.Since(b.started)
		}
		if time.Now().After(deadline) {
			t.Fatalf("readiness never returned 200 (last %d)", code)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// ---- the stack's output ----

type entity struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
}

type file struct{ path, data string }

type generated struct {
	appConfig string
	dbCA      string
	catalog   []file // paths relative to the catalog mount
	live      []file // paths relative to the live catalog's directory (the tenants)
	// liveCatalog is corePlatform.liveCatalog; liveData the data of its ConfigMaps, by name,
	// which the live catalog stand-in serves (writePodFiles).
	liveCatalog   *backstage.LiveCatalog
	liveData      map[string]map[string]string
	liveAPI       *liveCatalogAPI
	podEnv        []string
	entities      []entity
	skeleton      file
	manifests     []plan.Manifest
	portalName    string
	portalNS      string
	clusterName   string
	readinessPath string
	someTenant    string
	tenantEnv     string // how tenant files name this environment: "<cloud>-<environment>"
	tenantsDir    string // the tenant files the stack read
	// knownEnvironments are the environments tenant files may name (tenants.environments).
	knownEnvironments []string
	hasTechDocs       bool
	// adminGroup is the slug of the portal's admin team (corePlatform.adminGroup is its Group).
	adminGroup string
}

// generate runs the real stack program under the offline plan's mock engine with the stack
// file, the test's database and secrets, and a tenants directory in which this environment is
// listed, and collects what the pod would get.
func generate(t *testing.T, stackFile, tenantsDir string, pg *postgres, secrets map[string]string) *generated {
	t.Helper()
	sf, err := plan.ReadStackFile(stackFile, projectFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(sf.Encrypted) > 0 {
		t.Fatalf("the stack file holds encrypted values: %v", sf.Encrypted)
	}
	values := sf.Values
	// An external database (this suite's own stack) is the test's PostgreSQL as generated; a
	// cloud database (Cloud SQL, RDS) is generated as the stack file says and replaced by the
	// overlay (see bootEnvironment).
	external := false
	setJSON(t, values, "developer-portal:database", func(m map[string]any) {
		ext, ok := m["external"].(map[string]any)
		if !ok {
			return
		}
		external = true
		ext["host"] = "127.0.0.1"
		ext["port"] = pg.port
		ext["database"] = "backstage"
		ext["user"] = pg.user
		ext["caCertificate"] = pg.caPEM
	})
	someTenant, tenantEnvName := "", tenantEnvironment(t, values)
	if external {
		someTenant = copyTenants(t, "../testdata/tenants", tenantsDir, tenantEnvName)
	} else if tenantsDir, err = filepath.Abs("../testdata/tenants"); err != nil {
		t.Fatal(err)
	}
	setJSON(t, values, "developer-portal:tenants", func(m map[string]any) { m["dir"] = tenantsDir })
	src := stack.MapSource{Values: values, Secrets: map[string]bool{}}
	// Every secret the stack needs: the test's own value where it has one, else the offline
	// plan's placeholder.
	for k, v := range stack.SecretPlaceholders(src) {
		if own, ok := secrets[strings.TrimPrefix(k, "developer-portal:")]; ok {
			v = own
		}
		src.Values[k] = v
		src.Secrets[k] = true
	}
	for k, v := range secrets {
		if _, set := src.Values["developer-portal:"+k]; external && !set {
			src.Values["developer-portal:"+k] = v
			src.Secrets["developer-portal:"+k] = true
		}
	}
	m := testkit.NewMocks()
	if err := testkit.Run(stack.Program(src), m, src.Values, src.SecretKeys()...); err != nil {
		t.Fatalf("stack program: %v", err)
	}
	res := m.Resources()
	appConfig, err := plan.AppConfig(res)
	if err != nil {
		t.Fatal(err)
	}
	g := &generated{appConfig: appConfig, manifests: plan.Manifests(res), someTenant: someTenant, tenantEnv: tenantEnvName, tenantsDir: tenantsDir}
	setJSON(t, values, "developer-portal:tenants", func(m map[string]any) {
		// Stack files that leave tenants.environments to the default list set none.
		envs, _ := m["environments"].([]any)
		for _, e := range envs {
			if name, ok := e.(string); ok {
				g.knownEnvironments = append(g.knownEnvironments, name)
			}
		}
	})

	deps := m.ByType("kubernetes:apps/v1:Deployment")
	if len(deps) != 1 {
		t.Fatalf("want one Deployment, got %d", len(deps))
	}
	dep := deps[0]
	g.portalName = dep.String("metadata.name")
	g.portalNS = dep.String("metadata.namespace")
	if g.portalName == "" || g.portalNS == "" {
		t.Fatalf("the Deployment has no name or namespace: %q/%q", g.portalNS, g.portalName)
	}
	g.readinessPath = dep.String("spec.template.spec.containers.0.readinessProbe.httpGet.path")
	configMaps := map[string]map[string]any{}
	for _, cm := range m.ByType("kubernetes:core/v1:ConfigMap") {
		data, _ := cm.Plain("data").(map[string]any)
		configMaps[cm.String("metadata.name")] = data
	}
	secretData := map[string]map[string]any{}
	for _, s := range m.ByType("kubernetes:core/v1:Secret") {
		data, _ := s.Plain("stringData").(map[string]any)
		secretData[s.String("metadata.name")] = data
	}

	// Volumes: the config ConfigMap at /etc/backstage, the catalog ConfigMap at /catalog.
	volumes, _ := dep.Plain("spec.template.spec.volumes").([]any)
	for _, v := range volumes {
		vol := v.(map[string]any)
		if vol["projected"] != nil {
			t.Errorf("volume %v is projected: the live catalog is read through the API", vol["name"])
		}
		if cmSrc, ok := vol["configMap"].(map[string]any); ok {
			data := configMaps[cmSrc["name"].(string)]
			items, _ := cmSrc["items"].([]any)
			for _, it := range items {
				item := it.(map[string]any)
				key, path := item["key"].(string), item["path"].(string)
				content, _ := data[key].(string)
				if strings.Contains(path, "/skeleton/") {
					_, rel, _ := strings.Cut(path, "/")
					g.skeleton = file{rel, content}
				}
				switch vol["name"] {
				case "catalog":
					g.catalog = append(g.catalog, file{path, content})
				case "config":
					if path == "db-ca.pem" {
						g.dbCA = content
					}
				}
			}
		}
	}
	// The live catalog: the ConfigMaps corePlatform.liveCatalog names, their items at the
	// paths it gives.
	var cfg struct {
		Kubernetes struct {
			ClusterLocatorMethods []struct {
				Clusters []struct {
					Name string `yaml:"name"`
				} `yaml:"clusters"`
			} `yaml:"clusterLocatorMethods"`
		} `yaml:"kubernetes"`
		TechDocs     map[string]any `yaml:"techdocs"`
		CorePlatform struct {
			AdminGroup  string                 `yaml:"adminGroup"`
			LiveCatalog *backstage.LiveCatalog `yaml:"liveCatalog"`
		} `yaml:"corePlatform"`
	}
	if err := yaml.Unmarshal([]byte(appConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if lc := cfg.CorePlatform.LiveCatalog; lc != nil {
		g.liveCatalog, g.liveData = lc, map[string]map[string]string{}
		for _, cm := range lc.ConfigMaps {
			data, ok := configMaps[cm.Name]
			if !ok {
				t.Fatalf("corePlatform.liveCatalog names ConfigMap %s, which the stack does not create", cm.Name)
			}
			g.liveData[cm.Name] = map[string]string{}
			for k, v := range data {
				g.liveData[cm.Name][k], _ = v.(string)
			}
			for _, it := range cm.Items {
				content, ok := g.liveData[cm.Name][it.Key]
				if !ok {
					t.Fatalf("corePlatform.liveCatalog: ConfigMap %s has no key %s", cm.Name, it.Key)
				}
				if strings.Contains(it.Path, "/skeleton/") {
					_, rel, _ := strings.Cut(it.Path, "/")
					g.skeleton = file{rel, content}
				}
				g.live = append(g.live, file{it.Path, content})
			}
		}
	}
	if external && g.dbCA != pg.caPEM {
		t.Errorf("the config ConfigMap's db-ca.pem is not the database's CA")
	}

	// The container's environment, secret references resolved from the Secret.
	env, _ := dep.Plain("spec.template.spec.containers.0.env").([]any)
	for _, e := range env {
		ev := e.(map[string]any)
		name := ev["name"].(string)
		if v, ok := ev["value"].(string); ok {
			g.podEnv = append(g.podEnv, name+"="+v)
			continue
		}
		ref := ev["valueFrom"].(map[string]any)["secretKeyRef"].(map[string]any)
		v, ok := secretData[ref["name"].(string)][ref["key"].(string)].(string)
		if !ok {
			t.Fatalf("env %s: no key %v in the Secret", name, ref)
		}
		g.podEnv = append(g.podEnv, name+"="+v)
	}

	// The entities of the generated catalog files.
	for _, f := range slices.Concat(g.catalog, g.live) {
		if !strings.HasSuffix(f.path, ".yaml") || strings.Contains(f.path, "/skeleton/") {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(f.data))
		for {
			var e entity
			if err := dec.Decode(&e); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("catalog file %s: %v", f.path, err)
			}
			if e.Kind != "" {
				g.entities = append(g.entities, e)
			}
		}
	}

	slug, ok := strings.CutPrefix(cfg.CorePlatform.AdminGroup, "group:default/")
	if !ok || slug == "" {
		t.Fatalf("the generated app-config names no admin group (corePlatform.adminGroup %q)", cfg.CorePlatform.AdminGroup)
	}
	g.adminGroup = slug
	if len(cfg.Kubernetes.ClusterLocatorMethods) == 0 || len(cfg.Kubernetes.ClusterLocatorMethods[0].Clusters) == 0 {
		t.Fatal("the generated app-config configures no Kubernetes cluster")
	}
	g.clusterName = cfg.Kubernetes.ClusterLocatorMethods[0].Clusters[0].Name
	g.hasTechDocs = cfg.TechDocs != nil
	return g
}

// writePodFiles writes the app-config and the catalog files under root, with the pod's mount
// paths (/etc/backstage, /catalog, /catalog-live) moved there, starts the live catalog's
// stand-in API, and returns the app-config's path.
func (g *generated) writePodFiles(t *testing.T, root string) string {
	t.Helper()
	etc := filepath.Join(root, "etc", "backstage")
	catalog := filepath.Join(root, "catalog")
	live := filepath.Join(root, "catalog-live")
	if g.dbCA != "" {
		writeFile(t, filepath.Join(etc, "db-ca.pem"), g.dbCA)
	}
	for _, f := range g.catalog {
		writeFile(t, filepath.Join(catalog, filepath.FromSlash(f.path)), f.data)
	}
	var doc any
	if err := yaml.Unmarshal([]byte(g.appConfig), &doc); err != nil {
		t.Fatal(err)
	}
	if g.liveCatalog != nil {
		// The live catalog module reads its ConfigMaps from a stand-in for the pod's API
		// server, reached as outside a pod (corePlatform.liveCatalog.kubernetes), and writes
		// them into the directory, which starts empty as the pod's emptyDir does.
		g.liveAPI = newLiveCatalogAPI(t, root, g.liveCatalog, g.liveData)
		t.Cleanup(func() { g.liveAPI.check(t) })
		lc := doc.(map[string]any)["corePlatform"].(map[string]any)["liveCatalog"].(map[string]any)
		lc["kubernetes"] = g.liveAPI.config()
	}
	var rewritten []string
	doc = mapStrings(doc, func(s string) string {
		if s == portal.LiveCatalogDir {
			rewritten = append(rewritten, s)
			return live
		}
		for _, mount := range []struct{ from, to string }{{"/etc/backstage/", etc + "/"}, {"/catalog/", catalog + "/"}, {portal.LiveCatalogDir + "/", live + "/"}} {
			if strings.HasPrefix(s, mount.from) {
				rewritten = append(rewritten, s)
				return mount.to + strings.TrimPrefix(s, mount.from)
			}
		}
		return s
	})
	t.Logf("pod paths moved under %s: %v", root, rewritten)
	path := filepath.Join(etc, "app-config.yaml")
	writeYAML(t, path, doc)
	return path
}

func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = mapStrings(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = mapStrings(e, f)
		}
	case string:
		return f(x)
	}
	return v
}

// tenantEnvironment is how tenant files name the stack file's environment: "<cloud>-<environment>".
func tenantEnvironment(t *testing.T, values map[string]string) string {
	t.Helper()
	var cloud struct {
		Provider string `json:"provider"`
	}
	if err := json.Unmarshal([]byte(values["developer-portal:cloud"]), &cloud); err != nil || cloud.Provider == "" {
		t.Fatalf("the stack file has no cloud.provider: %v", err)
	}
	return cloud.Provider + "-" + values["developer-portal:environment"]
}

// copyTenants copies the example tenants, adding env to every tenant of copyFrom, and returns
// the name of one such tenant.
func copyTenants(t *testing.T, from, to, env string) string {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		var tenant map[string]any
		if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(from, e.Name()))), &tenant); err != nil {
			t.Fatal(err)
		}
		envs, _ := tenant["environments"].([]any)
		for _, e := range envs {
			if e == copyFrom {
				tenant["environments"] = append(envs, env)
				names = append(names, tenant["name"].(string))
				break
			}
		}
		writeYAML(t, filepath.Join(to, e.Name()), tenant)
	}
	if len(names) == 0 {
		t.Fatalf("no tenant in %s lists %s", from, copyFrom)
	}
	sort.Strings(names)
	return names[0]
}

func setJSON(t *testing.T, values map[string]string, key string, edit func(map[string]any)) {
	t.Helper()
	m := map[string]any{}
	if raw, ok := values[key]; ok && raw != "" {
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	values[key] = string(b)
}

// ---- PostgreSQL ----

type postgres struct {
	bin, dir, caFile  string
	port              int
	caPEM             string
	user, password    string
	superuserPassword string
}

func startPostgres(t *testing.T, bin, dir string) *postgres {
	t.Helper()
	for _, tool := range []string{"initdb", "pg_ctl", "psql"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			t.Fatalf("PostgreSQL 15 binaries not found in %s (apt-get install postgresql-15): %v", bin, err)
		}
	}
	p := &postgres{bin: bin, dir: dir, port: freePort(t), user: "backstage",
		password: randomHex(t, 16), superuserPassword: randomHex(t, 16)}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	caPEM, certPEM, keyPEM := issueServerCert(t)
	p.caPEM = caPEM
	p.caFile = filepath.Join(dir, "ca.pem")
	writeFile(t, p.caFile, caPEM)
	writeFile(t, filepath.Join(dir, "server.crt"), certPEM)
	writeFile(t, filepath.Join(dir, "server.key"), keyPEM)
	writeFile(t, filepath.Join(dir, "pwfile"), p.superuserPassword+"\n")
	if err := os.Chmod(filepath.Join(dir, "server.key"), 0o600); err != nil {
		t.Fatal(err)
	}
	asPostgres := asPostgresUser(t, dir)
	chownTree(t, dir)
	run(t, asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "scram-sha-256",
		"--pwfile", filepath.Join(dir, "pwfile"), "-E", "UTF8", "--locale", "C"))
	appendFile(t, filepath.Join(data, "postgresql.conf"), fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
ssl = on
ssl_cert_file = '%s'
ssl_key_file = '%s'
password_encryption = 'scram-sha-256'
fsync = off
`, p.port, dir, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")))
	// TLS only, every user with scram-sha-256.
	writeFile(t, filepath.Join(data, "pg_hba.conf"), "hostssl all all 127.0.0.1/32 scram-sha-256\n")
	chownTree(t, dir)
	run(t, asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start"))
	t.Cleanup(func() {
		cmd := asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v: %s", err, out)
		}
	})
	p.superuser(t, "postgres", fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", p.user, p.password))
	p.superuser(t, "postgres", "CREATE DATABASE backstage OWNER "+p.user)
	// The server refuses connections without TLS.
	plain := exec.Command(filepath.Join(bin, "psql"), p.dsn("postgres", "postgres", "disable"), "-c", "SELECT 1")
	plain.Env = append(os.Environ(), "PGPASSWORD="+p.superuserPassword)
	if out, err := plain.CombinedOutput(); err == nil {
		t.Fatalf("PostgreSQL accepted a connection without TLS: %s", out)
	}
	t.Logf("PostgreSQL 15 on 127.0.0.1:%d (TLS, scram-sha-256), user %s", p.port, p.user)
	return p
}

func (p *postgres) dsn(user, db, sslmode string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=%s sslrootcert=%s", p.port, user, db, sslmode, p.caFile)
}

func (p *postgres) superuser(t *testing.T, db, sql string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, "psql"), p.dsn("postgres", db, "verify-full"), "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+p.superuserPassword)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v: %s", sql, err, out)
	}
	return string(out)
}

func (p *postgres) query(t *testing.T, db, sql string) string { return p.superuser(t, db, sql) }

// asPostgresUser returns a command builder that runs PostgreSQL's server tools as the postgres
// user when the test runs as root (initdb refuses root), and as the current user otherwise.
func asPostgresUser(t *testing.T, dir string) func(name string, args ...string) *exec.Cmd {
	if os.Geteuid() != 0 {
		return exec.Command
	}
	if _, err := user.Lookup("postgres"); err != nil {
		t.Fatalf("running as root needs the postgres user (Debian's postgresql package creates it): %v", err)
	}
	return func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
		cmd.Dir = dir
		return cmd
	}
}

func chownTree(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// issueServerCert makes a CA and a server certificate for 127.0.0.1 signed by it.
func issueServerCert(t *testing.T) (caPEM, certPEM, keyPEM string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "developer-portal backstage test database CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// ---- Kubernetes ----

type kubeAPI struct {
	url, token, caData string
	describe           string
	real               bool // a real kube-apiserver (KUBE_API_URL), not the stand-in
	seen               func() []string
}

func (k *kubeAPI) cluster(name string) map[string]any {
	c := map[string]any{
		"name":              name,
		"url":               k.url,
		"authProvider":      "serviceAccount",
		"authMetadata":      map[string]any{"serviceAccountToken": "${KUBE_TOKEN}"},
		"skipMetricsLookup": true,
	}
	if k.caData != "" {
		c["caData"] = k.caData
	} else {
		c["skipTLSVerify"] = true
	}
	return c
}

func kubeTarget(t *testing.T, gen *generated) *kubeAPI {
	t.Helper()
	if u := os.Getenv("KUBE_API_URL"); u != "" {
		k := &kubeAPI{url: u, token: os.Getenv("KUBE_TOKEN"), describe: "KUBE_API_URL " + u, real: true}
		if k.token == "" {
			t.Fatal("KUBE_API_URL is set but KUBE_TOKEN is not")
		}
		if f := os.Getenv("KUBE_CA_FILE"); f != "" {
			k.caData = base64.StdEncoding.EncodeToString([]byte(readFile(t, f)))
		}
		if parsed, err := url.Parse(u); err != nil || !isLoopback(parsed.Hostname()) {
			t.Fatalf("KUBE_API_URL %q must be a loopback address", u)
		}
		return k
	}
	return standInAPIServer(t, gen.manifests)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// standInAPIServer serves the generated manifests as a kube-apiserver would answer the
// Kubernetes plugin's list calls: GET /api/v1/<resource> and /apis/<group>/<version>/<resource>
// (optionally under namespaces/<ns>/), filtered by labelSelector (equality terms).
func standInAPIServer(t *testing.T, manifests []plan.Manifest) *kubeAPI {
	t.Helper()
	token := randomHex(t, 16)
	byPath := map[string][]map[string]any{} // "<apiVersion> <plural>" → objects
	for i, m := range manifests {
		obj := m.Object
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		md, _ := obj["metadata"].(map[string]any)
		if md == nil {
			continue
		}
		md["uid"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		md["creationTimestamp"] = "2026-01-01T00:00:00Z"
		md["resourceVersion"] = "1"
		byPath[apiVersion+" "+plural(kind)] = append(byPath[apiVersion+" "+plural(kind)], obj)
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"kind":"Status","code":401}`, http.StatusUnauthorized)
			return
		}
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		var apiVersion string
		switch {
		case len(parts) >= 3 && parts[0] == "api":
			apiVersion, parts = parts[1], parts[2:]
		case len(parts) >= 4 && parts[0] == "apis":
			apiVersion, parts = parts[1]+"/"+parts[2], parts[3:]
		default:
			http.NotFound(w, r)
			return
		}
		ns := ""
		if len(parts) == 3 && parts[0] == "namespaces" {
			ns, parts = parts[1], parts[2:]
		}
		if len(parts) != 1 || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		selector := parseSelector(r.URL.Query().Get("labelSelector"))
		items := []any{}
		for _, obj := range byPath[apiVersion+" "+parts[0]] {
			md := obj["metadata"].(map[string]any)
			if ns != "" && md["namespace"] != ns {
				continue
			}
			labels, _ := md["labels"].(map[string]any)
			match := true
			for k, v := range selector {
				if labels[k] != v {
					match = false
				}
			}
			if match {
				items = append(items, obj)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"apiVersion": apiVersion, "kind": "List",
			"metadata": map[string]any{"resourceVersion": "1"}, "items": items,
		})
	}))
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return &kubeAPI{
		url: srv.URL, token: token, caData: base64.StdEncoding.EncodeToString(caPEM),
		describe: "loopback stand-in serving the generated manifests at " + srv.URL,
		seen: func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), seen...)
		},
	}
}

func plural(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "ss"):
		return k + "es"
	case strings.HasSuffix(k, "y"):
		return strings.TrimSuffix(k, "y") + "ies"
	}
	return k + "s"
}

func parseSelector(s string) map[string]string {
	out := map[string]string{}
	for _, term := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(term, "="); ok {
			out[strings.TrimSpace(strings.TrimSuffix(k, "="))] = strings.TrimSpace(strings.TrimPrefix(v, "="))
		}
	}
	return out
}

// ---- outgoing traffic ----

type refusingProxy struct {
	URL  string
	mu   sync.Mutex
	seen map[string]int
}

// newRefusingProxy answers every proxied request (CONNECT or plain) with 403 and records the
// target host.
func newRefusingProxy(t *testing.T) *refusingProxy {
	t.Helper()
	p := &refusingProxy{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		p.mu.Lock()
		p.seen[host]++
		p.mu.Unlock()
		http.Error(w, "no network in this test", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *refusingProxy) hosts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.seen {
		out[k] = v
	}
	return out
}

// ---- HTTP API ----

type client struct {
	t     *testing.T
	base  string
	token string
}

type catalogEntity struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

func (c *client) status(method, path string, body any, auth bool) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *client) get(path string) string {
	code, body := c.status("GET", path, nil, true)
	if code != http.StatusOK {
		c.t.Errorf("GET %s: %d %s", path, code, trim(body))
	}
	return string(body)
}

func (c *client) rawEntity(ref string) map[string]any {
	var e map[string]any
	if err := json.Unmarshal([]byte(c.get("/api/catalog/entities/by-name/"+ref)), &e); err != nil {
		c.t.Fatalf("%s: %v", ref, err)
	}
	return e
}

func (c *client) entity(ref string) catalogEntity {
	var e catalogEntity
	if err := json.Unmarshal([]byte(c.get("/api/catalog/entities/by-name/"+ref)), &e); err != nil {
		c.t.Fatalf("%s: %v", ref, err)
	}
	return e
}

// ---- helpers ----

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// minimalEnv is the backend's base environment: no variables of the machine that could change
// its configuration (APP_CONFIG_*), only what a process needs.
// backendEnv is the environment a test boots the backend with: the pod's own (as the
// Deployment sets it), the token of the test's API server, every outbound call through
// proxyURL (loopback excepted), a writable TMPDIR under tmp, and metrics on loopback; extra
// entries come last and so win.
func backendEnv(t *testing.T, gen *generated, kube *kubeAPI, proxyURL, tmp string, extra ...string) []string {
	t.Helper()
	nodeTmp := filepath.Join(tmp, "node-tmp")
	if err := os.MkdirAll(nodeTmp, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(minimalEnv(), gen.podEnv...)
	env = append(env,
		"KUBE_TOKEN="+kube.token,
		"NODE_USE_ENV_PROXY=1",
		"HTTPS_PROXY="+proxyURL, "HTTP_PROXY="+proxyURL,
		"NO_PROXY=127.0.0.1,localhost",
		"TMPDIR="+nodeTmp,
		"NODE_ENV=production",
		"OTEL_EXPORTER_PROMETHEUS_HOST=127.0.0.1",
	)
	return append(env, extra...)
}

// postgresReachableTempDir is the test's temporary directory, opened to the postgres user the
// PostgreSQL server runs as, which must reach its files there.
func postgresReachableTempDir(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	for _, d := range []string{filepath.Dir(tmp), tmp} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return tmp
}

func minimalEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// freshSecrets are the stack's secrets, generated per run; databasePassword is set when the
// stack's database is the test's PostgreSQL (dbPassword, its user's), not a cloud one.
func freshSecrets(t *testing.T, dbPassword string) map[string]string {
	t.Helper()
	s := map[string]string{
		"githubAppPrivateKey":    rsaKeyPEM(t),
		"githubAppClientSecret":  randomHex(t, 20),
		"githubAppWebhookSecret": randomHex(t, 32),
		"backstageServiceToken":  randomHex(t, 24),
	}
	if dbPassword != "" {
		s["databasePassword"] = dbPassword
	}
	return s
}

// rsaKeyPEM is a GitHub App private key as GitHub issues them (PKCS#1 RSA), generated per run.
func rsaKeyPEM(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func run(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

func trim(b []byte) string {
	s := string(b)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// errorLines are the backend's error-level log lines, shortened.
func errorLines(log string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(ansi.ReplaceAllString(log, ""), "\n") {
		if !strings.Contains(l, `"level":"error"`) && !strings.Contains(l, " error ") {
			continue
		}
		if i := strings.Index(l, " stack="); i > 0 {
			l = l[:i]
		}
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		key := l
		if len(key) > 25 {
			key = key[25:] // without the timestamp
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, l)
		}
	}
	return out
}

func logTail(t *testing.T, path string, n int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(ansi.ReplaceAllString(string(b), ""), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > 400 {
			lines[i] = l[:400] + "…"
		}
	}
	t.Logf("backstage log (last %d lines):\n%s", n, strings.Join(lines, "\n"))
}
