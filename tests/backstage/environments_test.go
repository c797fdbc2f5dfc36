package backstagee2e

import (
	"fmt"
	"net/http"
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
	tmp, root, appConfig, logPath string
	gen                           *generated
	kube                          *kubeAPI
	refuse                        *refusingProxy
	api                           *client
	ready                         time.Duration
}

// bootStackFile boots the portal's backend on the app-config the stack generates for
// stackFile. Only what needs a real cloud is replaced, by the overlay below; every other key
// boots as generated. before, when set, gets the tenants directory before the stack program
// reads it.
func bootStackFile(t *testing.T, nodeBin, pgBin, stackFile string, before func(tenantsDir string)) *bootedStack {
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
	kube := standInAPIServer(t, gen.manifests)
	refuse := newRefusingProxy(t)
	port := freePort(t)

	overlay := filepath.Join(root, "app-config.test.yaml")
	writeYAML(t, overlay, map[string]any{
		"backend": map[string]any{
			// Loopback on a free port (the pod listens on 7007 in its own network).
			"listen": map[string]any{"host": "127.0.0.1", "port": port},
			// The generated connection needs the cloud: Cloud SQL through its connector
			// with the pod's IAM identity, or RDS. The test's PostgreSQL 15 instead,
			// with a password over verified TLS (the generated shape of an external
			// database); type default switches the cloud connector off.
			"database": map[string]any{"connection": map[string]any{
				"type": "default", "host": "127.0.0.1", "port": pg.port, "user": pg.user,
				"password": pg.password, "database": "backstage",
				"ssl": map[string]any{"rejectUnauthorized": true, "ca": map[string]any{"$file": caFile}},
			}},
		},
		// In-cluster address, GKE discovery and EKS need a real cluster or cloud: the
		// generated cluster's name, served by the loopback stand-in API server.
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type": "config", "clusters": []any{kube.cluster(gen.clusterName)},
		}}},
		// S3's endpoint: a loopback server that refuses (GCS has no endpoint key; its
		// calls go to the refusing proxy).
		"techdocs": techdocsOverlay(gen, refuse.URL),
	})
	env := backendEnv(t, gen, kube, refuse.URL, tmp,
		"OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)),
		// No probing of cloud metadata servers (link-local, not loopback).
		"METADATA_SERVER_DETECTION=none",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	be := startBackend(t, nodeBin, tmp, env, appConfig, overlay)
	// The service token the stack generated for the pod (a random password here).
	api := &client{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), token: tokenOf(t, gen)}
	return &bootedStack{tmp: tmp, root: root, appConfig: appConfig, logPath: be.logPath, gen: gen, kube: kube, refuse: refuse, api: api, ready: be.waitReady(t, api)}
}
