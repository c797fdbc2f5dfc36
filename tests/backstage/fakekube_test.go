package backstagee2e

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/backstage"
)

// liveCatalogAPI stands in for the part of the Kubernetes API the portal's live catalog module
// reads: the live catalog's ConfigMaps, each read by name and watched by name (a field
// selector), under the Role the stack grants the portal (get and watch on exactly those
// names, in the portal's namespace, with the pod's token). Anything else is refused as the API
// server would refuse it, and recorded. update changes a ConfigMap as a deploy does, and
// every open watch on it sees a MODIFIED event.
type liveCatalogAPI struct {
	URL, caFile, tokenFile string
	namespace, token       string

	mu      sync.Mutex
	version int
	maps    map[string]*liveConfigMap
	changed map[string]chan struct{} // closed and replaced when the ConfigMap changes
	refused []string
	watches int
	// expiredBelow: a watch from an older resourceVersion gets 410 Gone, as from the real API
	// server once its watch cache has moved past that version; expired counts those answers
	// per ConfigMap. ended is closed to end every open watch.
	expiredBelow int
	expired      map[string]int
	ended        chan struct{}
}

type liveConfigMap struct {
	version int
	data    map[string]string
}

func newLiveCatalogAPI(t *testing.T, dir string, lc *backstage.LiveCatalog, data map[string]map[string]string) *liveCatalogAPI {
	t.Helper()
	a := &liveCatalogAPI{namespace: lc.Namespace, token: randomHex(t, 16), maps: map[string]*liveConfigMap{},
		changed: map[string]chan struct{}{}, expired: map[string]int{}, ended: make(chan struct{})}
	for _, cm := range lc.ConfigMaps {
		a.version++
		a.maps[cm.Name] = &liveConfigMap{version: a.version, data: maps.Clone(data[cm.Name])}
		a.changed[cm.Name] = make(chan struct{})
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(a.serve))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	a.caFile = filepath.Join(dir, "kube-ca.crt")
	writeFile(t, a.caFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	a.tokenFile = filepath.Join(dir, "kube-token")
	writeFile(t, a.tokenFile, a.token+"\n")
	return a
}

// config is corePlatform.liveCatalog.kubernetes: how the module reaches this API outside a pod.
func (a *liveCatalogAPI) config() map[string]any {
	return map[string]any{"url": a.URL, "caFile": a.caFile, "tokenFile": a.tokenFile}
}

func (a *liveCatalogAPI) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	a.mu.Lock()
	a.refused = append(a.refused, fmt.Sprintf("%d %s %s: %s", code, r.Method, r.URL.RequestURI(), why))
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "status": "Failure", "code": code, "message": why})
}

func (a *liveCatalogAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+a.token {
		a.refuse(w, r, http.StatusUnauthorized, "not the portal's token")
		return
	}
	prefix := "/api/v1/namespaces/" + a.namespace + "/configmaps"
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, prefix) {
		a.refuse(w, r, http.StatusForbidden, "outside the Role")
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, prefix), "/")
	watch := r.URL.Query().Get("watch") == "true"
	if name == "" {
		// A list or a watch of the collection: the Role allows it only narrowed to one of its
		// names by a field selector, and only as a watch (it grants no list).
		sel, ok := strings.CutPrefix(r.URL.Query().Get("fieldSelector"), "metadata.name=")
		if !ok || !watch {
			a.refuse(w, r, http.StatusForbidden, "list, or a watch without metadata.name")
			return
		}
		name = sel
	} else if watch {
		a.refuse(w, r, http.StatusForbidden, "watch of a named path")
		return
	}
	a.mu.Lock()
	cm := a.maps[name]
	a.mu.Unlock()
	if cm == nil {
		a.refuse(w, r, http.StatusForbidden, "not one of the Role's resourceNames")
		return
	}
	if !watch {
		w.Header().Set("Content-Type", "application/json")
		a.mu.Lock()
		obj := a.object(name)
		a.mu.Unlock()
		_ = json.NewEncoder(w).Encode(obj)
		return
	}
	a.watch(w, r, name)
}

// object is the ConfigMap as the API server serves it; a.mu is held.
func (a *liveCatalogAPI) object(name string) map[string]any {
	cm := a.maps[name]
	return map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": a.namespace, "resourceVersion": strconv.Itoa(cm.version)},
		"data":     cm.data,
	}
}

// watch streams the ConfigMap's changes after the request's resourceVersion, one JSON event
// a line, until the client goes or timeoutSeconds passes.
func (a *liveCatalogAPI) watch(w http.ResponseWriter, r *http.Request, name string) {
	from, _ := strconv.Atoi(r.URL.Query().Get("resourceVersion"))
	timeout, _ := strconv.Atoi(r.URL.Query().Get("timeoutSeconds"))
	if timeout <= 0 {
		timeout = 1800
	}
	end := time.After(time.Duration(timeout) * time.Second)
	a.mu.Lock()
	a.watches++
	ended := a.ended
	gone := from > 0 && from < a.expiredBelow
	if gone {
		a.expired[name]++
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if gone {
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "ERROR", "object": map[string]any{
			"kind": "Status", "status": "Failure", "code": http.StatusGone, "reason": "Expired",
			"message": "too old resource version: " + strconv.Itoa(from) + " (" + strconv.Itoa(a.expiredBelow) + ")",
		}})
		return
	}
	if flusher != nil {
		flusher.Flush()
	}
	for {
		a.mu.Lock()
		cm, changed := a.maps[name], a.changed[name]
		var event map[string]any
		if cm.version > from {
			typ := "MODIFIED"
			if from == 0 {
				typ = "ADDED"
			}
			event = map[string]any{"type": typ, "object": a.object(name)}
			from = cm.version
		}
		a.mu.Unlock()
		if event != nil {
			if err := json.NewEncoder(w).Encode(event); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-end:
			return
		case <-ended:
			return
		}
	}
}

// update sets key of the named ConfigMap to data, as a deploy does, and wakes its watches.
func (a *liveCatalogAPI) update(t *testing.T, name, key, data string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	cm := a.maps[name]
	if cm == nil {
		t.Fatalf("no live catalog ConfigMap %s (have %v)", name, slices.Sorted(maps.Keys(a.maps)))
	}
	a.version++
	cm.version = a.version
	cm.data = maps.Clone(cm.data)
	cm.data[key] = data
	close(a.changed[name])
	a.changed[name] = make(chan struct{})
}

// expire moves the API server past every version served so far, as other objects' changes
// move its watch cache, and ends the open watches, as the server's watch timeout does: a watch
// resumed from any version served so far gets 410 Gone.
func (a *liveCatalogAPI) expire() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.version++
	a.expiredBelow = a.version
	close(a.ended)
	a.ended = make(chan struct{})
}

// expiredWatches is how many watches of the named ConfigMap got 410 Gone.
func (a *liveCatalogAPI) expiredWatches(name string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expired[name]
}

// check fails the test if the module asked for anything the Role would refuse.
func (a *liveCatalogAPI) check(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.refused) > 0 {
		t.Errorf("the live catalog module asked the API for what the portal's Role refuses:\n%s", strings.Join(a.refused, "\n"))
	}
}
