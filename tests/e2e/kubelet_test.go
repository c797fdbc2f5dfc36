package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// workloadControllers are the kube-controller-manager controllers a rollout needs beyond the
// harness's usual ones: deployment and replicaset create the pods, endpoint fills the
// Endpoints the provider's Service and Ingress awaits watch, endpointslice the slices that
// Kubernetes clients of today read.
const workloadControllers = "deployment,replicaset,endpoint,endpointslice"

// fakeNode is the one Node the fake kubelet runs pods on.
const fakeNode = "e2e-node"

// ingressAddress is the load balancer address the fake ingress controller reports (TEST-NET-1:
// never routed).
const ingressAddress = "192.0.2.10"

// fakeKubelet stands in for a kubelet and an ingress controller, so that the Kubernetes
// provider's readiness awaits run for real: it registers a Ready Node, binds pending pods to it
// (there is no scheduler), reports them Running and Ready with a pod IP, removes pods being
// deleted at once (a kubelet would after stopping their containers), and gives every Ingress a
// load balancer address. It talks to the API server over HTTP with the admin token; the
// container images are never pulled.
type fakeKubelet struct {
	c      *cluster
	client *http.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu sync.Mutex
	// Counts of what it did, for the test's log and assertions.
	bound, started, removed, ingresses int
	nextIP                             int
	problems                           []string
}

// startFakeKubelet registers the Node and starts the loop; it is stopped when the test ends
// (before the control plane, since cleanups run last-registered first).
func startFakeKubelet(t *testing.T, c *cluster) *fakeKubelet {
	t.Helper()
	ctx, k := newFakeKubelet(c)
	if err := k.registerNode(ctx); err != nil {
		k.cancel()
		t.Fatalf("fake kubelet: register node: %v", err)
	}
	go k.run(ctx)
	t.Cleanup(func() {
		k.cancel()
		<-k.done
		// Logged, not failed: a call that failed once is retried on the next tick, and a
		// kubelet that really fails shows as a readiness wait that never ends.
		if p := k.problemList(); len(p) > 0 {
			t.Logf("fake kubelet calls that failed (each retried):\n%s", strings.Join(p, "\n"))
		}
	})
	return k
}

// newFakeKubelet returns a fake kubelet that is not running yet, and the context that its
// cancel function ends.
func newFakeKubelet(c *cluster) (context.Context, *fakeKubelet) {
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, &fakeKubelet{
		c:      c,
		client: &http.Client{Transport: trustingTransport(c.caPEM), Timeout: 20 * time.Second},
		cancel: cancel,
		done:   make(chan struct{}),
		nextIP: 10,
	}
}

func (k *fakeKubelet) stats() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return fmt.Sprintf("pods bound %d, started %d, removed %d; ingresses given an address %d",
		k.bound, k.started, k.removed, k.ingresses)
}

func (k *fakeKubelet) problemList() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.problems...)
}

func (k *fakeKubelet) problem(format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// Repeated failures of one call would flood the report; the first few tell the story.
	if len(k.problems) < 20 {
		k.problems = append(k.problems, fmt.Sprintf(format, args...))
	}
}

func (k *fakeKubelet) run(ctx context.Context) {
	defer close(k.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		k.syncPods(ctx)
		k.syncIngresses(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// registerNode creates the Node and reports it Ready, with room for the pods.
func (k *fakeKubelet) registerNode(ctx context.Context) error {
	node := map[string]any{
		"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": fakeNode, "labels": map[string]string{
			"kubernetes.io/hostname": fakeNode, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
		}},
	}
	if err := k.do(ctx, http.MethodPost, "/api/v1/nodes", "application/json", node, nil); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	resources := map[string]string{"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"}
	status := map[string]any{"status": map[string]any{
		"capacity": resources, "allocatable": resources,
		"addresses": []map[string]string{{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": fakeNode}},
		"conditions": []map[string]string{{
			"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "fake kubelet of the e2e test",
			"lastHeartbeatTime": now, "lastTransitionTime": now,
		}},
		"nodeInfo": map[string]string{"kubeletVersion": "v1.34.4", "operatingSystem": "linux", "architecture": "amd64"},
	}}
	return k.do(ctx, http.MethodPatch, "/api/v1/nodes/"+fakeNode+"/status", "application/merge-patch+json", status, nil)
}

// podItem is the part of a pod the fake kubelet reads.
type podItem struct {
	Metadata struct {
		Name              string  `json:"name"`
		Namespace         string  `json:"namespace"`
		UID               string  `json:"uid"`
		DeletionTimestamp *string `json:"deletionTimestamp"`
	} `json:"metadata"`
	Spec struct {
		NodeName   string `json:"nodeName"`
		Containers []struct {
			Name  string `json:"name"`
			Image string `json:"image"`
		} `json:"containers"`
	} `json:"spec"`
	Status struct {
		Phase      string `json:"phase"`
		PodIP      string `json:"podIP"`
		Conditions []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

func (p *podItem) ready() bool {
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

func (k *fakeKubelet) syncPods(ctx context.Context) {
	var list struct {
		Items []podItem `json:"items"`
	}
	if err := k.do(ctx, http.MethodGet, "/api/v1/pods", "", nil, &list); err != nil {
		if ctx.Err() == nil {
			k.problem("list pods: %v", err)
		}
		return
	}
	for i := range list.Items {
		p := &list.Items[i]
		base := "/api/v1/namespaces/" + p.Metadata.Namespace + "/pods/" + p.Metadata.Name
		switch {
		case p.Metadata.DeletionTimestamp != nil:
			// A kubelet stops the containers, then deletes the pod with grace period 0.
			body := map[string]any{"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
				"preconditions": map[string]string{"uid": p.Metadata.UID}}
			if err := k.do(ctx, http.MethodDelete, base, "application/json", body, nil); err != nil && !isNotFound(err) {
				k.problem("remove pod %s/%s: %v", p.Metadata.Namespace, p.Metadata.Name, err)
				continue
			}
			k.count(&k.removed)
		case p.Spec.NodeName == "":
			binding := map[string]any{"apiVersion": "v1", "kind": "Binding",
				"metadata": map[string]string{"name": p.Metadata.Name, "namespace": p.Metadata.Namespace},
				"target":   map[string]string{"apiVersion": "v1", "kind": "Node", "name": fakeNode}}
			if err := k.do(ctx, http.MethodPost, base+"/binding", "application/json", binding, nil); err != nil && !isNotFound(err) {
				k.problem("bind pod %s/%s: %v", p.Metadata.Namespace, p.Metadata.Name, err)
				continue
			}
			k.count(&k.bound)
		case p.Status.Phase != "Running" || !p.ready():
			if err := k.do(ctx, http.MethodPatch, base+"/status", "application/merge-patch+json", k.runningStatus(p), nil); err != nil && !isNotFound(err) {
				k.problem("start pod %s/%s: %v", p.Metadata.Namespace, p.Metadata.Name, err)
				continue
			}
			k.count(&k.started)
		}
	}
}

// runningStatus is the status a kubelet reports once every container runs and passes its
// readiness probe.
func (k *fakeKubelet) runningStatus(p *podItem) map[string]any {
	k.mu.Lock()
	ip := p.Status.PodIP
	if ip == "" {
		ip = fmt.Sprintf("10.244.%d.%d", k.nextIP/250, k.nextIP%250+2)
		k.nextIP++
	}
	k.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339)
	var containers []map[string]any
	for _, c := range p.Spec.Containers {
		containers = append(containers, map[string]any{
			"name": c.Name, "image": c.Image, "imageID": c.Image, "ready": true, "started": true,
			"restartCount": 0, "containerID": "fake://" + p.Metadata.UID + "/" + c.Name,
			"state": map[string]any{"running": map[string]string{"startedAt": now}},
		})
	}
	var conditions []map[string]string
	for _, c := range []string{"PodReadyToStartContainers", "Initialized", "PodScheduled", "ContainersReady", "Ready"} {
		conditions = append(conditions, map[string]string{"type": c, "status": "True", "lastTransitionTime": now})
	}
	return map[string]any{"status": map[string]any{
		"phase": "Running", "hostIP": "127.0.0.1", "hostIPs": []map[string]string{{"ip": "127.0.0.1"}},
		"podIP": ip, "podIPs": []map[string]string{{"ip": ip}}, "startTime": now,
		"conditions": conditions, "containerStatuses": containers,
	}}
}

// ingressItem is the part of an Ingress the fake ingress controller reads.
type ingressItem struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Status struct {
		LoadBalancer struct {
			Ingress []any `json:"ingress"`
		} `json:"loadBalancer"`
	} `json:"status"`
}

func (k *fakeKubelet) syncIngresses(ctx context.Context) {
	var list struct {
		Items []ingressItem `json:"items"`
	}
	if err := k.do(ctx, http.MethodGet, "/apis/networking.k8s.io/v1/ingresses", "", nil, &list); err != nil {
		if ctx.Err() == nil {
			k.problem("list ingresses: %v", err)
		}
		return
	}
	for _, ing := range list.Items {
		if len(ing.Status.LoadBalancer.Ingress) > 0 {
			continue
		}
		path := "/apis/networking.k8s.io/v1/namespaces/" + ing.Metadata.Namespace + "/ingresses/" + ing.Metadata.Name + "/status"
		status := map[string]any{"status": map[string]any{"loadBalancer": map[string]any{
			"ingress": []map[string]string{{"ip": ingressAddress}}}}}
		if err := k.do(ctx, http.MethodPatch, path, "application/merge-patch+json", status, nil); err != nil && !isNotFound(err) {
			k.problem("ingress %s/%s status: %v", ing.Metadata.Namespace, ing.Metadata.Name, err)
			continue
		}
		k.count(&k.ingresses)
	}
}

func (k *fakeKubelet) count(n *int) {
	k.mu.Lock()
	*n++
	k.mu.Unlock()
}

// apiError is a failed API call with the server's status code.
type apiError struct {
	code int
	body string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.code == http.StatusNotFound
}

// do calls the API server with the admin token, sending body as JSON and decoding the answer
// into out when given.
func (k *fakeKubelet) do(ctx context.Context, method, path, contentType string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	u, err := url.JoinPath(k.c.URL, path)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+k.c.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return &apiError{code: resp.StatusCode, body: strings.TrimSpace(string(b))}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// podsLeft lists the pods the API server still holds (namespace/name), for the destroy check.
func (k *fakeKubelet) podsLeft(t *testing.T) []string {
	t.Helper()
	var list struct {
		Items []podItem `json:"items"`
	}
	if err := k.do(context.Background(), http.MethodGet, "/api/v1/pods", "", nil, &list); err != nil {
		t.Fatalf("list pods: %v", err)
	}
	var out []string
	for _, p := range list.Items {
		out = append(out, p.Metadata.Namespace+"/"+p.Metadata.Name)
	}
	sort.Strings(out)
	return out
}
