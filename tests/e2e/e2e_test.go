package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// The portal's objects as the e2e stack file configures them.
const (
	portalNamespace = "developer-portal"
	portalName      = "developer-portal"
	portalHost      = "portal.e2e.developer-portal.test"
	changedImage    = "ghcr.io/cecg/developer-portal:1.8.4"
)

// TestEndToEnd deploys the stack through the real engine and provider to a real API server,
// then checks, in order: every object exists and kept its key fields after server-side
// validation and defaulting; a second preview changes nothing; an image change is an update of
// the Deployment only; the state holds no secret in plain text; kube-score finds nothing
// critical beyond the suppressions; with the Backstage toolchain given (BACKSTAGE_NODE,
// PG_BIN), a real Backstage backend's Kubernetes plugin finds the portal's Deployment, Service
// and Ingress on the API server; destroy leaves the API server as it found it.
func TestEndToEnd(t *testing.T) {
	tl := lookupTools(t)
	ctx := context.Background()

	start := time.Now()
	c := startCluster(t, tl)
	t.Logf("timing: control plane ready %s", since(start))
	before := c.inventory(t)

	tenantsDir, tenants := e2eTenants(t)
	sec := generateSecrets(t)
	cfg := loadStackConfig(t, tenantsDir, sec)
	sa := &SkipAwait{}
	e := newStack(t, ctx, tl, c, cfg, sa)
	logs := newOpLogs(t)

	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			// Leave nothing behind even when a check failed half-way.
			_, _ = e.stack.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "cleanup-destroy")))
		}
	})

	start = time.Now()
	up, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, "up")))
	if err != nil {
		t.Fatalf("up: %s\n%s", firstLine(err), logs.tail("up"))
	}
	t.Logf("timing: up %s (%v)", since(start), summary(deref(up.Summary.ResourceChanges)))
	if len(sa.problems) > 0 {
		t.Errorf("skipAwait transform could not annotate: %v", sa.problems)
	}
	t.Logf("skipAwait set by the harness on: %s", strings.Join(sa.annotated, ", "))

	state := e.state(t, ctx)
	objects := state.kubernetesObjects()
	live := c.readBack(t, objects)

	t.Run("up creates every object", func(t *testing.T) {
		if len(live) != len(objects) {
			t.Fatalf("state has %d Kubernetes objects, the API server returned %d", len(objects), len(live))
		}
		counts := map[string]int{}
		for _, o := range live {
			counts[o.kind()]++
		}
		t.Logf("objects read back: %v", counts)
		want := []string{
			"Namespace/" + portalNamespace,
			"ServiceAccount/" + portalNamespace + "/" + portalName,
			"Deployment/" + portalNamespace + "/" + portalName,
			"Service/" + portalNamespace + "/" + portalName,
			"Ingress/" + portalNamespace + "/" + portalName,
			"NetworkPolicy/" + portalNamespace + "/" + portalName,
			"PodDisruptionBudget/" + portalNamespace + "/" + portalName,
			"ClusterRole/" + portalName + "-kubernetes-read",
			"ClusterRoleBinding/" + portalName + "-kubernetes-read",
		}
		for _, tenant := range tenants {
			want = append(want, tenantObjects(tenant)...)
		}
		byID := index(live)
		for _, id := range want {
			if byID[id] == nil {
				t.Errorf("%s is not in the API server", id)
			}
		}
		if n := counts["ConfigMap"]; n < 2 {
			t.Errorf("want the app-config and catalog ConfigMaps, found %d ConfigMaps", n)
		}
		if counts["Secret"] < 1 {
			t.Errorf("want the portal's Secret")
		}
	})

	t.Run("server-side fields", func(t *testing.T) {
		checkServerSide(t, index(live), tenants)
	})

	t.Run("second preview changes nothing", func(t *testing.T) {
		checkNoChanges(t, ctx, e)
	})

	t.Run("image change updates the Deployment only", func(t *testing.T) {
		e.use(t, ctx, cfg.withImage(t, changedImage), sa)
		defer e.use(t, ctx, cfg, sa)
		events, steps := collectSteps()
		start := time.Now()
		res, err := e.stack.Preview(ctx, optpreview.EventStreams(events))
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		t.Logf("timing: image-change preview %s (%v)", since(start), summary(res.ChangeSummary))
		var changed []step
		for _, s := range steps() {
			if s.Op != "same" {
				changed = append(changed, s)
			}
		}
		if len(changed) != 1 || changed[0].Op != "update" || changed[0].Type != "kubernetes:apps/v1:Deployment" {
			t.Errorf("want one update of the Deployment, got %+v", changed)
		}
	})

	t.Run("state holds no secret in plain text", func(t *testing.T) {
		checkNoPlainSecrets(t, sec, e.backendDir, e.homeDir, e.stack.Workspace().WorkDir())
	})

	t.Run("kube-score", func(t *testing.T) {
		runKubeScore(t, tl.kubeScore, live, "kube-score-suppressions.txt")
	})

	t.Run("the portal reads its live catalog and nothing else", func(t *testing.T) {
		checkLiveCatalogAccess(t, c, index(live))
	})

	// Before destroy: a real Backstage backend reads the objects up created, through its
	// Kubernetes plugin, from this API server.
	t.Run("backstage kubernetes plugin against the real API server", func(t *testing.T) {
		runBackstage(t, c, index(live), logs)
	})

	t.Run("destroy leaves the API server clean", func(t *testing.T) {
		start := time.Now()
		res, err := e.stack.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "destroy")))
		if err != nil {
			t.Fatalf("destroy: %s\n%s", firstLine(err), logs.tail("destroy"))
		}
		destroyed = true
		t.Logf("timing: destroy %s (%v)", since(start), summary(deref(res.Summary.ResourceChanges)))
		after := e.state(t, ctx)
		if n := len(after.Resources); n > 0 {
			t.Errorf("state still holds %d resources after destroy", n)
		}
		for _, o := range objects {
			stub, _ := json.Marshal(o)
			if out, err := c.kubectlErr(stub, "get", "-f", "-", "-o", "name"); err == nil {
				t.Errorf("%s still exists: %s", o.id(), out)
			} else if !strings.Contains(err.Error(), "NotFound") {
				t.Errorf("%s: %v", o.id(), err)
			}
		}
		if diff := diffInventory(before, c.inventory(t)); diff != "" {
			t.Errorf("API server differs from before up:\n%s", diff)
		}
	})
}

// tenantObjects are the ids of the objects the e2e stack creates for a tenant.
func tenantObjects(tenant string) []string {
	return []string{"Namespace/" + tenant,
		"RoleBinding/" + tenant + "/tenant-admin", "RoleBinding/" + tenant + "/tenant-view",
		"ResourceQuota/" + tenant + "/tenant-quota", "LimitRange/" + tenant + "/tenant-limits",
		"NetworkPolicy/" + tenant + "/tenant-isolation"}
}

// checkNoChanges previews the stack with its current program and configuration and fails on
// any step but "same": a perma-diff, or a stack that has not converged.
func checkNoChanges(t *testing.T, ctx context.Context, e *env) {
	t.Helper()
	events, steps := collectSteps()
	start := time.Now()
	res, err := e.stack.Preview(ctx, optpreview.EventStreams(events), optpreview.Diff())
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	t.Logf("timing: no-op preview %s (%v)", since(start), summary(res.ChangeSummary))
	for _, s := range steps() {
		if s.Op != "same" {
			t.Errorf("perma-diff: %s %s (diffs %v)", s.Op, s.URN, s.Diffs)
		}
	}
	for op, n := range res.ChangeSummary {
		if op != "same" && n > 0 {
			t.Errorf("change summary has %s: %d", op, n)
		}
	}
}

// firstLine is an Automation API error without the CLI output it carries (the operation's
// log, shown separately).
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

func deref(m *map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	return *m
}

func summary[K ~string](m map[K]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s: %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// opLogs keeps each operation's progress output in a file, shown when the operation fails.
type opLogs struct{ dir string }

func newOpLogs(t *testing.T) *opLogs {
	dir := os.Getenv("E2E_LOG_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &opLogs{dir: dir}
}

// path is the log file of op; a subtest's name holds slashes, which become dashes.
func (l *opLogs) path(op string) string {
	return filepath.Join(l.dir, strings.ReplaceAll(op, "/", "-")+".log")
}

func (l *opLogs) writer(t *testing.T, op string) *os.File {
	f, err := os.Create(l.path(op))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func (l *opLogs) tail(op string) string { return tail(l.path(op), 60) }

// stateFile is the part of an exported deployment the tests read.
type stateFile struct {
	Resources         []stateResource    `json:"resources"`
	PendingOperations []pendingOperation `json:"pending_operations"`
}

type stateResource struct {
	URN     string         `json:"urn"`
	Type    string         `json:"type"`
	Custom  bool           `json:"custom"`
	Protect bool           `json:"protect"`
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
}

// pendingOperation is an operation the engine began and never saw end: "creating",
// "updating", "deleting", "reading" or "importing".
type pendingOperation struct {
	Resource stateResource `json:"resource"`
	Type     string        `json:"type"`
}

func (e *env) state(t *testing.T, ctx context.Context) stateFile {
	t.Helper()
	dep, err := e.stack.Export(ctx)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var s stateFile
	if len(dep.Deployment) > 0 {
		if err := json.Unmarshal(dep.Deployment, &s); err != nil {
			t.Fatalf("export: %v", err)
		}
	}
	return s
}

// ref names a Kubernetes object.
type ref struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace,omitempty"`
	} `json:"metadata"`
}

func (r ref) id() string {
	if r.Metadata.Namespace == "" {
		return r.Kind + "/" + r.Metadata.Name
	}
	return r.Kind + "/" + r.Metadata.Namespace + "/" + r.Metadata.Name
}

// kubernetesObjects are the Kubernetes objects the stack's state says it created.
func (s stateFile) kubernetesObjects() []ref {
	var out []ref
	for _, r := range s.Resources {
		if !r.Custom || !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		b, _ := json.Marshal(r.Outputs)
		var o ref
		if err := json.Unmarshal(b, &o); err == nil && o.Kind != "" {
			out = append(out, o)
		}
	}
	return out
}

// object is a Kubernetes object as the API server returned it.
type object map[string]any

func (o object) kind() string { return str(o, "kind") }

func (o object) id() string {
	ns := str(o, "metadata", "namespace")
	if ns == "" {
		return o.kind() + "/" + str(o, "metadata", "name")
	}
	return o.kind() + "/" + ns + "/" + str(o, "metadata", "name")
}

func index(objs []object) map[string]object {
	m := map[string]object{}
	for _, o := range objs {
		m[o.id()] = o
	}
	return m
}

// readBack reads the objects back from the API server (kubectl get -f with their names).
func (c *cluster) readBack(t *testing.T, refs []ref) []object {
	t.Helper()
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": refs}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	out := c.kubectl(t, b, "get", "-f", "-", "-o", "json")
	var got struct {
		Kind  string   `json:"kind"`
		Items []object `json:"items"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("kubectl get: %v", err)
	}
	if got.Kind != "List" {
		var single object
		if err := json.Unmarshal(out, &single); err != nil {
			t.Fatal(err)
		}
		return []object{single}
	}
	return got.Items
}

// inventory lists every object the API server holds that a stack could have created:
// namespaces, and namespaced and cluster-scoped objects of the kinds the stack uses, by id.
func (c *cluster) inventory(t *testing.T) map[string]bool {
	t.Helper()
	kinds := "namespaces,serviceaccounts,configmaps,secrets,services,deployments.apps,ingresses.networking.k8s.io," +
		"networkpolicies.networking.k8s.io,poddisruptionbudgets.policy,clusterroles.rbac.authorization.k8s.io," +
		"clusterrolebindings.rbac.authorization.k8s.io,roles.rbac.authorization.k8s.io," +
		"rolebindings.rbac.authorization.k8s.io,resourcequotas,limitranges,horizontalpodautoscalers.autoscaling"
	out := c.kubectl(t, nil, "get", kinds, "--all-namespaces", "-o", "json")
	var got struct {
		Items []object `json:"items"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	inv := map[string]bool{}
	for _, o := range got.Items {
		id := o.id()
		// Objects the control plane makes in every namespace, and renews, are not the stack's.
		if strings.HasPrefix(id, "ConfigMap/") && strings.HasSuffix(id, "/kube-root-ca.crt") ||
			strings.HasPrefix(id, "ServiceAccount/") && strings.HasSuffix(id, "/default") {
			id = o.kind() + "/<per-namespace>/" + str(o, "metadata", "name")
		}
		inv[id] = true
	}
	return inv
}

func diffInventory(before, after map[string]bool) string {
	var lines []string
	for id := range after {
		if !before[id] {
			lines = append(lines, "+ "+id)
		}
	}
	for id := range before {
		if !after[id] {
			lines = append(lines, "- "+id)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// str walks o along path and returns the string there ("" when absent).
func str(o any, path ...string) string {
	s, _ := get(o, path...).(string)
	return s
}

func get(o any, path ...string) any {
	cur := o
	for _, p := range path {
		switch m := cur.(type) {
		case object:
			cur = m[p]
		case map[string]any:
			cur = m[p]
		case []any:
			var i int
			if _, err := fmt.Sscanf(p, "%d", &i); err != nil || i < 0 || i >= len(m) {
				return nil
			}
			cur = m[i]
		default:
			return nil
		}
	}
	return cur
}

// checkNoPlainSecrets greps every file of the backend (the state, its backups and history),
// of PULUMI_HOME and of the workspace (the stack settings with the encrypted config) for the
// secrets.
func checkNoPlainSecrets(t *testing.T, sec secrets, dirs ...string) {
	t.Helper()
	leaks, files, err := findPlainSecrets(sec, dirs...)
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no state files found in %v", dirs)
	}
	for _, l := range leaks {
		t.Error(l)
	}
	t.Logf("searched %d files for %d forms of %d secrets", files, len(sec.needles()), len(sec))
}

func findPlainSecrets(sec secrets, dirs ...string) (leaks []string, files int, err error) {
	needles := sec.needles()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for name, needle := range needles {
				if bytes.Contains(b, []byte(needle)) {
					leaks = append(leaks, fmt.Sprintf("%s holds %s in plain text", path, name))
				}
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	sort.Strings(leaks)
	return leaks, files, nil
}
