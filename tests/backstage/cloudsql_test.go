package backstagee2e

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"path/filepath"
	"strconv"
	"strings"

	"testing"
	"time"
)

// checkCloudSQLAsGenerated starts the backend on a generated app-config whose database is
// `type: cloudsql` with nothing replaced in backend.database, and shows that the Cloud SQL
// connector (an optional dependency of @backstage/backend-defaults that the image must ship)
// takes the connection: given a service-account key, the connector asks Google's OAuth
// endpoint for the IAM access token it signs in with, which the refusing proxy records, and the
// start fails on the database connection, not on a missing module. Google's endpoints cannot
// be reached (or stood in for: they are fixed https hosts) here.
func checkCloudSQLAsGenerated(t *testing.T, nodeBin, tmp string, gen *generated, appConfig string, kube *kubeAPI) {
	t.Helper()
	proxy := newRefusingProxy(t)
	keyDER, _ := pem.Decode([]byte(rsaKeyPEM(t)))
	if keyDER == nil {
		t.Fatal("no key")
	}
	rsaKey, err := x509.ParsePKCS1PrivateKey(keyDER.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "test-project", "private_key_id": "test",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"client_email": "developer-portal@test-project.iam.gserviceaccount.com", "client_id": "1",
	})
	dir := filepath.Join(tmp, "cloudsql")
	credentials := filepath.Join(dir, "credentials.json")
	writeFile(t, credentials, string(sa))
	port := freePort(t)
	overlay := filepath.Join(dir, "app-config.test.yaml")
	writeYAML(t, overlay, map[string]any{
		"backend": map[string]any{"listen": map[string]any{"host": "127.0.0.1", "port": port}},
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type": "config", "clusters": []any{kube.cluster(gen.clusterName)},
		}}},
	})
	env := append(minimalEnv(), gen.podEnv...)
	env = append(env,
		"KUBE_TOKEN="+kube.token,
		"GOOGLE_APPLICATION_CREDENTIALS="+credentials,
		"METADATA_SERVER_DETECTION=none",
		"NODE_USE_ENV_PROXY=1",
		"HTTPS_PROXY="+proxy.URL, "HTTP_PROXY="+proxy.URL,
		"NO_PROXY=127.0.0.1,localhost",
		"TMPDIR="+dir,
		"NODE_ENV=production",
		"OTEL_EXPORTER_PROMETHEUS_HOST=127.0.0.1",
		"OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)),
	)
	be := startBackend(t, nodeBin, dir, env, appConfig, overlay)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		log := readFile(t, be.logPath)
		if strings.Contains(log, "Cannot find module") {
			t.Fatalf("the backend cannot load a module for the cloudsql connection:\n%s", grepLines(log, "Cannot find module"))
		}
		if proxy.hosts()["oauth2.googleapis.com:443"] > 0 && strings.Contains(log, "Failed to connect to the database") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Cloud SQL connector never asked for an IAM token (proxy saw %v):\n%s", proxy.hosts(), grepLines(log, "database"))
		}
		time.Sleep(time.Second)
	}
	t.Logf("cloudsql as generated: the connector asked Google for the IAM token (%v); %.300s", proxy.hosts(),
		grepLines(readFile(t, be.logPath), "Failed to connect to the database"))
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, fmt.Sprintf("%.300s", l))
		}
	}
	return strings.Join(out, "\n")
}
