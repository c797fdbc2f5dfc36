package backstagee2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit/tenantgen"
	"gopkg.in/yaml.v3"
)

// writeVolume lays files out in dir as the kubelet lays out a ConfigMap or projected volume,
// and updates it as the kubelet does: each version in a new hidden directory, the ..data link
// swapped to it in one rename, and each top-level entry a link through ..data. A reader sees
// the old version or the new one, never a mix, and the portal's live catalog module notices
// the swap.
func writeVolume(t *testing.T, dir string, files []file) {
	t.Helper()
	version := filepath.Join(dir, fmt.Sprintf("..%d", time.Now().UnixNano()))
	top := map[string]bool{}
	for _, f := range files {
		writeFile(t, filepath.Join(version, filepath.FromSlash(f.path)), f.data)
		first, _, _ := strings.Cut(f.path, "/")
		top[first] = true
	}
	next := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(next)
	if err := os.Symlink(filepath.Base(version), next); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name := range top {
		link := filepath.Join(dir, name)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
			t.Fatal(err)
		}
	}
}

// testLiveCatalog adds a tenant's System to a part of the live catalog, as a deploy after a
// merged tenancy request changes its ConfigMap and the kubelet the mounted files, and waits
// for the System in the catalog API. The catalog read the location at boot and, on its own,
// reads it again 100 to 150 s later; the deadline, 45 s after the change and well under a
// minute after boot, comes before that, so only the image's live catalog module can have made
// the catalog read the file again. The backend is the same process throughout: no restart.
func testLiveCatalog(t *testing.T, api *client, root string, gen *generated) {
	part := -1
	for i, f := range gen.live {
		if strings.HasPrefix(filepath.Base(f.path), "part-") && strings.Contains(f.data, "kind: System") {
			part = i
			break
		}
	}
	if part < 0 {
		t.Fatalf("no live catalog part holds a tenant's System: %v", gen.live)
	}
	const name = "live-catalog-probe"
	ref := "system/default/" + name
	if code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true); code != http.StatusNotFound {
		t.Fatalf("%s is in the catalog before its part changed (%d)", ref, code)
	}
	doc, err := backstage.MarshalEntities([]backstage.Entity{{
		APIVersion: "backstage.io/v1alpha1", Kind: "System",
		Metadata: backstage.Metadata{Name: name, Description: "A tenancy merged while the portal runs."},
		Spec:     map[string]any{"owner": "group:default/" + name},
	}})
	if err != nil {
		t.Fatal(err)
	}
	updated := append([]file(nil), gen.live...)
	updated[part] = file{updated[part].path, updated[part].data + "---\n" + string(doc)}
	start := time.Now()
	writeVolume(t, filepath.Join(root, "catalog-live"), updated)
	deadline := start.Add(45 * time.Second)
	for {
		code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not in the catalog %s after its part changed (%d): the live catalog module did not refresh the location", ref, since(start), code)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("timing: a tenancy added to the live catalog visible after %s", since(start))
}

func since(start time.Time) string { return time.Since(start).Round(100 * time.Millisecond).String() }

// TestLiveCatalogAtScale is a benchmark, on demand: BACKSTAGE_SCALE_TENANTS=n boots the backend
// on this suite's stack with n generated tenants more, sharded 25 tenants a stack as
// docs/operators/scale.md recommends (the portal's live catalog holds a part per shard). It
// reports how long the catalog takes, once the backend is ready, to hold every tenant's System,
// and then, with every tenant in, how long a tenancy added to one part takes to show: the
// backend's share of the time from a merged tenancy to the portal.
func TestLiveCatalogAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BACKSTAGE_SCALE_TENANTS"))
	if n <= 0 {
		t.Skip("BACKSTAGE_SCALE_TENANTS unset (e.g. 1000): the live catalog benchmark runs on demand")
	}
	nodeBin := backstageNode(t, "to boot a real Backstage backend")
	pgBin := envOr("PG_BIN", "/usr/lib/postgresql/15/bin")

	sf, err := plan.ReadStackFile(stackFile, projectFile)
	if err != nil {
		t.Fatal(err)
	}
	env := tenantEnvironment(t, sf.Values)
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, stackFile)), &doc); err != nil {
		t.Fatal(err)
	}
	tenants, _ := doc["config"].(map[string]any)["developer-portal:tenants"].(map[string]any)
	if tenants == nil {
		t.Fatalf("%s sets no developer-portal:tenants", stackFile)
	}
	tenants["shard"] = map[string]any{"count": (n + 24) / 25}
	sharded := filepath.Join(t.TempDir(), filepath.Base(stackFile))
	writeYAML(t, sharded, doc)

	b := bootStackFile(t, nodeBin, pgBin, sharded, func(dir string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := tenantgen.Write(dir, tenantgen.Generate("scale", n, env)); err != nil {
			t.Fatal(err)
		}
	})
	systems := 0
	for _, f := range slices.Concat(b.gen.catalog, b.gen.live) {
		systems += strings.Count(f.data, "\nkind: System\n")
	}
	if systems < n {
		t.Fatalf("the generated catalog holds %d Systems, fewer than the %d generated tenants", systems, n)
	}
	start := time.Now()
	var count int
	for {
		var page struct {
			TotalItems int `json:"totalItems"`
		}
		if err := json.Unmarshal([]byte(b.api.get("/api/catalog/entities/by-query?filter=kind=system&limit=1")), &page); err != nil {
			t.Fatal(err)
		}
		if count = page.TotalItems; count >= systems {
			break
		}
		if time.Since(start) > 10*time.Minute {
			t.Fatalf("%d of %d Systems in the catalog 10 minutes after the backend was ready", count, systems)
		}
		time.Sleep(time.Second)
	}
	t.Logf("timing: backend ready in %s; the catalog held all %d Systems (%d tenants) %s later", b.ready.Round(100*time.Millisecond), systems, n, since(start))
	testLiveCatalog(t, b.api, b.root, b.gen)
}
