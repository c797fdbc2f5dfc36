package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkLiveCatalogAccess asks the real API server, with a token of the portal's own
// ServiceAccount, for what the image's live catalog module asks (each live catalog ConfigMap
// by name, and a watch on each narrowed to it by a field selector) and for what it must not
// get: the namespace's other ConfigMaps, a list, a watch of every ConfigMap, a Secret. The
// Role the stack grants must allow exactly the first and refuse the rest, with the API
// server's own RBAC.
// probeAnnotation marks the change checkLiveCatalogAccess makes; it removes it again.
const probeAnnotation = "e2e.coreplatform.cecg.io/live-catalog-probe"

func checkLiveCatalogAccess(t *testing.T, c *cluster, live map[string]object) {
	var parts, others []string
	for id := range live {
		name, ok := strings.CutPrefix(id, "ConfigMap/"+portalNamespace+"/")
		if !ok {
			continue
		}
		if strings.HasPrefix(name, portalName+"-catalog-tenants-") {
			parts = append(parts, name)
		} else {
			others = append(others, name)
		}
	}
	slices.Sort(parts)
	if len(parts) < 2 || len(others) == 0 {
		t.Fatalf("want the template's part, a shard's part and other ConfigMaps in %s; have parts %v, others %v", portalNamespace, parts, others)
	}
	token := strings.TrimSpace(string(c.kubectl(t, nil, "create", "token", portalName,
		"--namespace", portalNamespace, "--duration", "10m")))
	client := &http.Client{Transport: trustingTransport(c.caPEM)}
	base := c.URL + "/api/v1/namespaces/" + portalNamespace

	// ask returns the status and the body, or, for a watch, the first event: its type, the
	// object's name and, for an ERROR, the Status's message.
	ask := func(path string, query url.Values, during func()) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		u := base + path
		if query != nil {
			u += "?" + query.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer func() { _ = res.Body.Close() }()
		if res.StatusCode != http.StatusOK || query.Get("watch") != "true" {
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		if during != nil {
			during()
		}
		line, err := bufio.NewReader(res.Body).ReadBytes('\n')
		if err != nil {
			t.Fatalf("watch %s: no event: %v", u, err)
		}
		var ev struct {
			Type   string `json:"type"`
			Object struct {
				Message  string `json:"message"`
				Metadata struct {
					Name        string            `json:"name"`
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			} `json:"object"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("watch %s: %v", u, err)
		}
		return res.StatusCode, strings.TrimSpace(ev.Type + " " + ev.Object.Metadata.Name + " " + ev.Object.Metadata.Annotations[probeAnnotation] + ev.Object.Message)
	}
	watchOf := func(name, resourceVersion string) url.Values {
		q := url.Values{"watch": {"true"}, "timeoutSeconds": {"20"}}
		if name != "" {
			q.Set("fieldSelector", "metadata.name="+name)
		}
		if resourceVersion != "" {
			q.Set("resourceVersion", resourceVersion)
		}
		return q
	}

	// As the module does: read the ConfigMap, then watch it from the version read; a change
	// (here an annotation, made with the admin's credentials) arrives as MODIFIED.
	for i, name := range parts {
		code, body := ask("/configmaps/"+name, nil, nil)
		var cm struct {
			Metadata struct {
				ResourceVersion string `json:"resourceVersion"`
			} `json:"metadata"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &cm) != nil || cm.Metadata.ResourceVersion == "" {
			t.Errorf("get ConfigMap %s with the portal's token: %d, want 200 and the object", name, code)
			continue
		}
		mark := fmt.Sprintf("%d", i+1)
		code, ev := ask("/configmaps", watchOf(name, cm.Metadata.ResourceVersion), func() {
			c.kubectl(t, nil, "annotate", "--overwrite", "--namespace", portalNamespace, "configmap", name, probeAnnotation+"="+mark)
		})
		if want := "MODIFIED " + name + " " + mark; code != http.StatusOK || ev != want {
			t.Errorf("watch ConfigMap %s by field selector from its version, with the portal's token: %d, first event %q; want 200 and %q", name, code, ev, want)
		}
		c.kubectl(t, nil, "annotate", "--namespace", portalNamespace, "configmap", name, probeAnnotation+"-")
	}
	refused := []struct {
		what  string
		path  string
		query url.Values
	}{
		{"get ConfigMap " + others[0], "/configmaps/" + others[0], nil},
		{"watch ConfigMap " + others[0], "/configmaps", watchOf(others[0], "")},
		{"list ConfigMaps", "/configmaps", nil},
		{"list ConfigMaps by name", "/configmaps", url.Values{"fieldSelector": {"metadata.name=" + parts[0]}}},
		{"watch every ConfigMap", "/configmaps", watchOf("", "")},
		{"get the portal's Secret", "/secrets/" + portalName + "-secrets", nil},
	}
	for _, r := range refused {
		if code, _ := ask(r.path, r.query, nil); code != http.StatusForbidden {
			t.Errorf("%s with the portal's token: %d, want 403", r.what, code)
		}
	}
	t.Logf("the portal's token may get and watch %d live catalog ConfigMaps and nothing of %d other checks", len(parts), len(refused))
}
