package backstagee2e

import (
	"encoding/json"
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

// testLiveCatalog adds a tenant's System to a part of the live catalog, as a deploy after a
// merged tenancy request changes its ConfigMap, and waits for the System in the catalog API.
// The catalog read the location at boot and, on its own, reads it again 100 to 150 s later;
// the deadline, 45 s after the change and well under a minute after boot, comes before that,
// so only the image's live catalog module, watching the ConfigMap through the API, can have
// made the catalog read the part again. The backend is the same process throughout: no
// restart.
func testLiveCatalog(t *testing.T, api *client, gen *generated) {
	if gen.liveAPI == nil {
		t.Fatal("the generated app-config has no live catalog (corePlatform.liveCatalog)")
	}
	name, key, data := "", "", ""
	for _, cm := range gen.liveCatalog.ConfigMaps {
		for _, it := range cm.Items {
			if d := gen.liveData[cm.Name][it.Key]; strings.HasPrefix(filepath.Base(it.Path), "part-") && strings.Contains(d, "kind: System") {
				name, key, data = cm.Name, it.Key, d
				break
			}
		}
		if name != "" {
			break
		}
	}
	if name == "" {
		t.Fatalf("no live catalog ConfigMap holds a tenant's System: %+v", gen.liveCatalog.ConfigMaps)
	}
	const probe = "live-catalog-probe"
	ref := "system/default/" + probe
	if code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true); code != http.StatusNotFound {
		t.Fatalf("%s is in the catalog before its part changed (%d)", ref, code)
	}
	doc, err := backstage.MarshalEntities([]backstage.Entity{{
		APIVersion: "backstage.io/v1alpha1", Kind: "System",
		Metadata: backstage.Metadata{Name: probe, Description: "A tenancy merged while the portal runs."},
		Spec:     map[string]any{"owner": "group:default/" + probe},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The API server's watch cache moves on and the open watches end, as they do in a cluster:
	// the module must resume without looping on 410 Gone. It used to resume from the object's
	// own version after every read, so each watch ended at once and changes arrived only at
	// each retry, up to 30 s apart.
	gen.liveAPI.expire()
	expiredAt := time.Now()
	start := time.Now()
	gen.liveAPI.update(t, name, key, data+"---\n"+string(doc))
	deadline := start.Add(45 * time.Second)
	for {
		code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not in the catalog %s after ConfigMap %s changed (%d): the live catalog module did not pick it up", ref, since(start), name, code)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("timing: a tenancy added to ConfigMap %s visible in the catalog after %s", name, since(start))
	// Long enough for a module looping on 410 to be refused twice (it retries after 1 s).
	time.Sleep(time.Until(expiredAt.Add(3 * time.Second)))
	for _, cm := range gen.liveCatalog.ConfigMaps {
		if n := gen.liveAPI.expiredWatches(cm.Name); n > 1 {
			t.Errorf("ConfigMap %s: %d watches got 410 Gone once the API server had moved on; want at most one, then a watch from the object as it is", cm.Name, n)
		}
	}
}

func since(start time.Time) string { return time.Since(start).Round(100 * time.Millisecond).String() }

// TestLiveCatalogAtScale is a benchmark, on demand: BACKSTAGE_SCALE_TENANTS=n boots the backend
// on this suite's stack with n generated tenants more, sharded 25 tenants a stack as
// docs/operators/scale.md recommends (the portal's live catalog holds a part per shard). It
// reports how long the catalog takes, once the backend is ready, to hold every tenant's System,
// and then, with every tenant in, how long a tenancy added to one part's ConfigMap takes to
// show: the backend's share of the time from a merged tenancy to the portal.
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
	testLiveCatalog(t, b.api, b.gen)
}
