package backstagee2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/backstage"
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
