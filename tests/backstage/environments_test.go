package backstagee2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBackstageBootsEnvironmentConfigs boots the portal's backend on the app-config the stack
// generates for the committed environments (dev and prod on GCP, and the AWS test stack), not a
// reduced test stack. Only what needs a real cloud is replaced, by the overlay below; every
// other key boots as generated, validated against every installed plugin's schema.
func TestBackstageBootsEnvironmentConfigs(t *testing.T) {
	nodeBin := backstageNode(t, "to boot a real Backstage backend")
	pgBin := envOr("PG_BIN", "/usr/lib/postgresql/15/bin")
	for _, c := range []struct{ name, stackFile string }{
		{"dev", "../../Pulumi.dev.yaml"},
		{"prod", "../../Pulumi.prod.yaml"},
		{"aws", "../testdata/Pulumi.aws.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each environment has its own database, ports and files: the three boot side by
			// side; together they took 29 s in the cold CI run of 7 December 2026.
			t.Parallel()
			b := bootStackFile(t, nodeBin, pgBin, c.stackFile, nil)
			gen, api, refuse := b.gen, b.api, b.refuse
			t.Logf("%s: ready in %.1fs", c.name, b.ready.Seconds())
			checkConfigLog(t, b.logPath)

			if code, _ := api.status("GET", "/api/catalog/entities?limit=1", nil, false); code != http.StatusUnauthorized {
				t.Errorf("catalog without a token: %d, want 401", code)
			}
			deadline := time.Now().Add(2 * time.Minute)
			missing := 0
			for _, e := range gen.entities {
				ref := fmt.Sprintf("%s/default/%s", strings.ToLower(e.Kind), e.Metadata.Name)
				for {
					code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true)
					if code == http.StatusOK {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("%s: not in the catalog (%d)", ref, code)
						missing++
						break
					}
					time.Sleep(time.Second)
				}
			}
			t.Logf("%s: %d of the %d generated entities are in the catalog", c.name, len(gen.entities)-missing, len(gen.entities))
			if clusters := api.get("/api/kubernetes/clusters"); !strings.Contains(clusters, `"name":"`+gen.clusterName+`"`) {
				t.Errorf("/api/kubernetes/clusters lacks %s: %s", gen.clusterName, clusters)
			}
			if code, body := api.status("GET", "/", nil, false); code != http.StatusOK || !strings.Contains(string(body), "<title>Core Platform</title>") {
				t.Errorf("GET /: %d %s", code, trim(body))
			}
			t.Logf("%s: outgoing requests refused: %v", c.name, refuse.hosts())

			if strings.Contains(gen.appConfig, "type: cloudsql") {
				t.Run("cloudsql-as-generated", func(t *testing.T) {
					checkCloudSQLAsGenerated(t, nodeBin, b.tmp, gen, b.appConfig, b.kube)
				})
			}
		})
	}
}

// techdocsOverlay points an S3 publisher at url; other publishers are left as generated.
func techdocsOverlay(gen *generated, url string) map[string]any {
	if !strings.Contains(gen.appConfig, "type: awsS3") {
		return map[string]any{}
	}
	return map[string]any{"publisher": map[string]any{"awsS3": map[string]any{"endpoint": url, "s3ForcePathStyle": true}}}
}

// bootedStack is a backend booted on the app-config the stack program generates from a stack
// file.
type bootedStack struct {
	*preparedStack
	logPath string
	api     *client
	ready   time.Duration
}

// preparedStack is everything a backend needs to boot on the app-config the stack generates
// from a stack file: the database, the generated files, the stand-ins for the cloud. Any
// number of backends can start on it, sharing the database, as replicas do.
type preparedStack struct {
	tmp, root, appConfig string
	gen                  *generated
	pg                   *postgres
	kube                 *kubeAPI
	refuse               *refusingProxy
	caFile               string
	started              int
}

// bootStackFile boots the portal's backend on the app-config the stack generates for
// stackFile. Only what needs a real cloud is replaced, by the overlay below; every other key
// boots as generated. before, when set, gets the tenants directory before the stack program
// reads it.
func bootStackFile(t *testing.T, nodeBin, pgBin, stackFile string, before func(tenantsDir string)) *bootedStack {
	t.Helper()
	p := prepareStackFile(t, pgBin, stackFile, before)
	be, api := p.start(t, nodeBin)
	return &bootedStack{preparedStack: p, logPath: be.logPath, api: api, ready: be.waitReady(t, api)}
}

// prepareStackFile generates what the pod gets from stackFile, against a PostgreSQL of its own.
func prepareStackFile(t *testing.T, pgBin, stackFile string, before func(tenantsDir string)) *preparedStack {
	t.Helper()
	tmp := postgresReachableTempDir(t)
	pg := startPostgres(t, pgBin, filepath.Join(tmp, "pg"))
	secrets := freshSecrets(t, "")
	tenantsDir := filepath.Join(tmp, "tenants")
	if before != nil {
		before(tenantsDir)
	}
	gen := generate(t, stackFile, tenantsDir, pg, secrets)
	root := filepath.Join(tmp, "pod")
	appConfig := gen.writePodFiles(t, root)
	caFile := filepath.Join(root, "test-db-ca.pem")
	writeFile(t, caFile, pg.caPEM)
	return &preparedStack{tmp: tmp, root: root, appConfig: appConfig, gen: gen, pg: pg,
		kube: standInAPIServer(t, gen.manifests), refuse: newRefusingProxy(t), caFile: caFile}
}

// start starts one more backend on the prepared stack, on a free port with its own overlay,
// log and temporary directory, and returns it with a client that holds the service token the
// stack generated for the pod. It does not wait for readiness.
func (p *preparedStack) start(t *testing.T, nodeBin string) (*runningBackend, *client) {
	t.Helper()
	p.started++
	// The first backend keeps the stack's directory, where the tests read its log.
	tmp := p.tmp
	if p.started > 1 {
		tmp = filepath.Join(p.tmp, fmt.Sprintf("replica-%d", p.started))
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	overlay := filepath.Join(tmp, fmt.Sprintf("app-config.test-%d.yaml", p.started))
	writeYAML(t, overlay, map[string]any{
		"backend": map[string]any{
			// Loopback on a free port (the pod listens on 7007 in its own network).
			"listen": map[string]any{"host": "127.0.0.1", "port": port},
			// The generated connection needs the cloud: Cloud SQL through its connector
			// with the pod's IAM identity, or RDS. The test's PostgreSQL 15 instead,
			// with a password over verified TLS (the generated shape of an external
			// database); type default switches the cloud connector off.
			"database": map[string]any{"connection": map[string]any{
				"type": "default", "host": "127.0.0.1", "port": p.pg.port, "user": p.pg.user,
				"password": p.pg.password, "database": "backstage",
				"ssl": map[string]any{"rejectUnauthorized": true, "ca": map[string]any{"$file": p.caFile}},
			}},
		},
		// In-cluster address, GKE discovery and EKS need a real cluster or cloud: the
		// generated cluster's name, served by the loopback stand-in API server.
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type": "config", "clusters": []any{p.kube.cluster(p.gen.clusterName)},
		}}},
		// S3's endpoint: a loopback server that refuses (GCS has no endpoint key; its
		// calls go to the refusing proxy).
		"techdocs": techdocsOverlay(p.gen, p.refuse.URL),
	})
	env := backendEnv(t, p.gen, p.kube, p.refuse.URL, tmp,
		"OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)),
		// No probing of cloud metadata servers (link-local, not loopback).
		"METADATA_SERVER_DETECTION=none",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	be := startBackend(t, nodeBin, tmp, env, p.appConfig, overlay)
	return be, &client{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), token: tokenOf(t, p.gen)}
}
