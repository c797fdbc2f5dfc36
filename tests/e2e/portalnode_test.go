package e2e

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// portalUID is the user and group the Deployment runs the portal as (portal.DefaultRunAsID).
const portalUID = "10001"

// TestPortalOnRealNode deploys the e2e stack, through the real engine and provider and with
// the provider's readiness waits (no skipAwait), onto a real node running the portal image
// that .ci/image built from app/Dockerfile, with PostgreSQL on the node's bridge as the
// external database. Then, on the running pods: the Deployment and pods are exactly what the
// stack generated; readiness and liveness pass; the process runs as 10001 with no
// capabilities, no new privileges and seccomp, on a read-only root; the frontend renders the
// branded sign-in page in Chromium and the GitHub sign-in starts towards the stack's App; a
// scaffolder dry-run works, TechDocs refuses the service token, and nothing is written outside
// the mounted volumes; metrics are served on :9464; an image change rolls out with no failed
// request (maxSurge 0, the PDB's minimum kept); a killed container is restarted; destroy
// leaves the node without a container; the host is left as it was (checked by the node's
// clean-up).
func TestPortalOnRealNode(t *testing.T) {
	tl := lookupTools(t)
	nt := lookupNodeTools(t)
	ctx := context.Background()

	start := time.Now()
	c := startCluster(t, tl, workloadControllers, nodeControllers)
	n := startRealNode(t, c, nt)
	startIngressStandIn(t, c)
	db := startBridgePostgres(t, nt.pgBin)
	t.Logf("timing: control plane, node and database ready %s", since(start))

	rolloutImage := nt.portalImage + "-rollout"
	n.ctr(t, "images", "tag", "--force", nt.portalImage, rolloutImage)

	tenantsDir, _ := e2eTenants(t)
	sec := generateSecrets(t)
	sec[stack.KeyDatabasePassword] = db.password
	cfg := loadStackConfig(t, tenantsDir, sec).withImage(t, nt.portalImage).with(t, func(values map[string]any) {
		values[stack.Namespace+":database"] = map[string]any{"external": map[string]any{
			"host": podGateway, "port": db.port, "database": "backstage", "user": db.user, "caCertificate": db.caPEM,
		}}
	})
	// sa nil: the product's program alone, so the provider waits for real pods.
	e := newStack(t, ctx, tl, c, cfg, nil)
	logs := newOpLogs(t)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			_, _ = e.stack.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "cleanup-destroy")))
		}
	})

	start = time.Now()
	if _, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, "up"))); err != nil {
		t.Fatalf("up: %s\n%s\n%s", firstLine(err), logs.tail("up"), n.podLogTails(t))
	}
	t.Logf("timing: up with the provider's readiness waits %s", since(start))

	state := e.state(t, ctx)
	live := index(c.readBack(t, state.kubernetesObjects()))
	deployment := live["Deployment/"+portalNamespace+"/"+portalName]
	if deployment == nil {
		t.Fatalf("no Deployment %s/%s", portalNamespace, portalName)
	}
	pods := n.portalPods(t)

	t.Run("the deployed Deployment and pods are what the stack generated", func(t *testing.T) {
		checkGeneratedWorkload(t, state, deployment, pods)
	})

	// Restarts are counted from here; the liveness check at the end of the read-only checks
	// below waits out the rest of a liveness period, so the two overlap.
	livenessFrom := time.Now()
	restartsBefore := map[string]int{}
	t.Run("readiness passes, no restart on the first start", func(t *testing.T) {
		want := intAt(deployment, "spec", "replicas")
		if len(pods) != want {
			t.Fatalf("want %d pods, got %d", want, len(pods))
		}
		// No restart, not even on the first start against an empty database: the startup lock
		// (app/packages/backend/src/startupLock.js) runs one replica's migrations at a time.
		for _, p := range pods {
			restartsBefore[p.name] = p.restarts
			if p.restarts == 0 {
				continue
			}
			lines := n.podLogLines(t, p)
			if dir := os.Getenv("E2E_LOG_DIR"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, p.name+".log"), []byte(strings.Join(lines, "\n")), 0o600)
			}
			t.Errorf("pod %s restarted %d times on its first start, last termination %s; its log ends:\n%s",
				p.name, p.restarts, p.lastTermination(), strings.Join(lines[max(0, len(lines)-15):], "\n"))
		}
	})

	t.Run("the process: uid 10001, no capabilities, no new privileges, seccomp, read-only root", func(t *testing.T) {
		for _, p := range pods {
			checkProcess(t, n, p)
		}
	})

	t.Run("the shipped frontend: the sign-in page and the GitHub sign-in's first step", func(t *testing.T) {
		checkShippedFrontend(t, pods[0], cfg)
	})

	token := sec[stack.KeyBackstageServiceToken]
	t.Run("scaffolder dry-run and TechDocs read write only to the mounted volumes", func(t *testing.T) {
		p := pods[0]
		before := n.tmpFiles(t, p)
		checkDryRun(t, p, token)
		for _, path := range []string{
			"/api/techdocs/metadata/entity/default/component/core-platform",
			"/api/techdocs/static/docs/default/component/core-platform/index.html",
		} {
			// The service token is limited to the plugins its callers need (accessRestrictions),
			// and TechDocs is not one: on the shipped image it must be refused. A docs read as a
			// signed-in member needs the browser suite against the pod.
			code, body := podGet(p.ip, 7007, path, token)
			t.Logf("TechDocs read %s with the service token: %d %s", path, code, trimBody(body))
			if code != http.StatusForbidden || !strings.Contains(body, "restricted to plugin") {
				t.Errorf("TechDocs read %s with the service token: %d %s, want 403 (accessRestrictions)", path, code, trimBody(body))
			}
		}
		after := n.tmpFiles(t, p)
		t.Logf("the pod's /tmp (emptyDir): %d entries before, %d after", len(before), len(after))
		for _, line := range n.podLogLines(t, p) {
			if strings.Contains(line, "EROFS") || strings.Contains(strings.ToLower(line), "read-only file system") {
				t.Errorf("pod %s wrote outside its volumes: %s", p.name, line)
			}
		}
	})

	t.Run("metrics on :9464", func(t *testing.T) {
		for _, p := range pods {
			code, body := podGet(p.ip, 9464, "/metrics", "")
			if code != http.StatusOK || !strings.Contains(body, "# TYPE ") {
				t.Errorf("pod %s :9464/metrics: %d %s", p.name, code, trimBody(body))
				continue
			}
			t.Logf("pod %s: %d metric families", p.name, strings.Count(body, "# TYPE "))
		}
	})

	t.Run("liveness passes over a liveness period", func(t *testing.T) {
		// Longer than the liveness probe's period: a failing probe would restart a container.
		time.Sleep(time.Until(livenessFrom.Add(25 * time.Second)))
		for _, p := range n.portalPods(t) {
			if !p.ready() || p.restarts != restartsBefore[p.name] {
				t.Errorf("pod %s: ready %v, restarts %d (before the liveness period %d); last termination %s",
					p.name, p.ready(), p.restarts, restartsBefore[p.name], p.lastTermination())
			}
			for _, path := range []string{"/.backstage/health/v1/readiness", "/.backstage/health/v1/liveness"} {
				if code, body := podGet(p.ip, 7007, path, ""); code != http.StatusOK {
					t.Errorf("pod %s %s: %d %s", p.name, path, code, body)
				}
			}
		}
	})

	t.Run("image change rolls out with no failed request, maxSurge 0 and the PDB kept", func(t *testing.T) {
		checkRollout(t, ctx, c, n, e, cfg.withImage(t, rolloutImage), deployment, live, logs, token)
	})

	t.Run("a tenancy change keeps the pods and reaches the catalog", func(t *testing.T) {
		checkTenancyChange(t, ctx, c, n, e, tenantsDir, logs, token)
	})

	t.Run("a killed container is restarted", func(t *testing.T) {
		p := n.portalPods(t)[0]
		pid := n.containerPID(t, p)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", pid, err)
		}
		start := time.Now()
		n.waitFor(t, "the killed container restarted and Ready", 5*time.Minute, func() error {
			for _, q := range n.portalPods(t) {
				if q.name == p.name {
					if q.restarts == p.restarts+1 && q.ready() {
						return nil
					}
					return fmt.Errorf("restarts %d, ready %v", q.restarts, q.ready())
				}
			}
			return fmt.Errorf("pod %s is gone", p.name)
		})
		t.Logf("timing: container of %s killed (PID %d), restarted and Ready again in %s", p.name, pid, since(start))
	})

	t.Run("destroy leaves the node without a container", func(t *testing.T) {
		start := time.Now()
		if _, err := e.stack.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "destroy"))); err != nil {
			t.Fatalf("destroy: %s\n%s", firstLine(err), logs.tail("destroy"))
		}
		destroyed = true
		t.Logf("timing: destroy with the provider's waits %s", since(start))
		n.waitFor(t, "no container left on the node", 2*time.Minute, func() error {
			tasks, err := n.tasks()
			if err != nil {
				return err
			}
			if len(tasks) > 0 {
				return fmt.Errorf("%d containers still running", len(tasks))
			}
			return nil
		})
		if out := c.kubectl(t, nil, "get", "pods", "--all-namespaces", "-o", "name"); len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("pods left: %s", out)
		}
	})
}

// checkTenancyChange adds a tenant file, as a merged tenancy request does, and runs up: the
// Deployment keeps its generation and the pods keep running (same pods, no restart), while
// the tenant's namespace is created and its System reaches every pod's catalog through the
// live catalog's ConfigMap, which the image's live catalog module watches through the API
// server (the kubernetes Service's address, with the pod's own token and the stack's Role).
// It reports the time from the start of up to the System in the catalog: a merged tenancy's
// wait, less CI's.
func checkTenancyChange(t *testing.T, ctx context.Context, c *cluster, n *realNode, e *env, tenantsDir string, logs *opLogs, token string) {
	t.Helper()
	generation := func() string {
		return strings.TrimSpace(string(c.kubectl(t, nil, "get", "deployment", "-n", portalNamespace, portalName, "-o", "jsonpath={.metadata.generation}")))
	}
	before := n.portalPods(t)
	genBefore := generation()
	const name = "merged-tenancy"
	writeFile(t, filepath.Join(tenantsDir, name+".yaml"), fmt.Sprintf(`name: %[1]s
parent: root
description: A tenancy merged while the portal runs.
contactEmail: %[1]s@cecg.io
environments: [%[2]s]
repos: []
adminGroup: %[1]s-admin@cecg.io
readonlyGroup: %[1]s-readonly@cecg.io
`, name, tenantEnvironment))
	start := time.Now()
	res, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, "up-tenancy")))
	if err != nil {
		t.Fatalf("up with a new tenancy: %s\n%s", firstLine(err), logs.tail("up-tenancy"))
	}
	upTime := since(start)
	changes := deref(res.Summary.ResourceChanges)
	t.Logf("timing: up with a new tenancy %s (%v)", upTime, summary(changes))
	if out := c.kubectl(t, nil, "get", "namespace", name, "-o", "name"); !strings.Contains(string(out), name) {
		t.Errorf("the tenant's namespace %s does not exist after up", name)
	}
	ref := "/api/catalog/entities/by-name/system/default/" + name
	// The module sees the ConfigMap change as the API server makes it and has the catalog read
	// the part again. The deadline is under the kubelet's sync period (a minute at least): a
	// ConfigMap mounted in the pods would not have changed yet. It takes 3 to 4 s, 10 s on a
	// loaded machine; 31 s and 60 s were a module that resumed its watches from a version the
	// API server had dropped and so saw changes only at each retry (fixed).
	visible := map[string]time.Duration{}
	n.waitFor(t, "the new tenancy's System in every pod's catalog", 45*time.Second, func() error {
		var missing []string
		for _, p := range before {
			if _, ok := visible[p.name]; ok {
				continue
			}
			if code, _ := podGet(p.ip, 7007, ref, token); code == http.StatusOK {
				visible[p.name] = time.Since(start)
				continue
			}
			missing = append(missing, p.name)
		}
		if len(missing) > 0 {
			return fmt.Errorf("not yet in %v", missing)
		}
		return nil
	})
	t.Logf("timing: from the start of up to the System in each pod's catalog: %v", visible)
	if g := generation(); g != genBefore {
		t.Errorf("the Deployment's generation moved from %s to %s: a tenancy change rolled the pods", genBefore, g)
	}
	after := n.portalPods(t)
	if len(after) != len(before) {
		t.Fatalf("%d pods before the tenancy change, %d after", len(before), len(after))
	}
	for i, p := range after {
		if p.uid != before[i].uid || p.restarts != before[i].restarts {
			t.Errorf("pod %s (restarts %d) is not the pod %s (restarts %d) that ran before the tenancy change",
				p.name, p.restarts, before[i].name, before[i].restarts)
		}
	}
}

// ---- the portal's pods ----

type portalPod struct {
	name, ip, uid, containerID string
	restarts                   int
	conditions                 map[string]string
	raw                        object
}

func (p portalPod) ready() bool { return p.conditions["Ready"] == "True" }

// lastTermination is how the container last ended (reason, exit code, when), or "none".
func (p portalPod) lastTermination() string {
	cs, _ := get(p.raw, "status", "containerStatuses").([]any)
	if len(cs) == 0 {
		return "none"
	}
	term, _ := get(cs[0], "lastState", "terminated").(map[string]any)
	if term == nil {
		return "none"
	}
	return fmt.Sprintf("%v (exit %v) %v to %v", term["reason"], term["exitCode"], term["startedAt"], term["finishedAt"])
}

// portalPods lists the portal's pods that are not being deleted, by name.
func (n *realNode) portalPods(t *testing.T) []portalPod {
	t.Helper()
	out := n.c.kubectl(t, nil, "get", "pods", "-n", portalNamespace, "-o", "json")
	var list struct {
		Items []object `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	var pods []portalPod
	for _, o := range list.Items {
		if get(o, "metadata", "deletionTimestamp") != nil {
			continue
		}
		p := portalPod{name: str(o, "metadata", "name"), ip: str(o, "status", "podIP"), uid: str(o, "metadata", "uid"),
			conditions: map[string]string{}, raw: o}
		conds, _ := get(o, "status", "conditions").([]any)
		for _, c := range conds {
			p.conditions[str(c, "type")] = str(c, "status")
		}
		if cs, _ := get(o, "status", "containerStatuses").([]any); len(cs) > 0 {
			p.restarts = intAt(cs[0], "restartCount")
			_, p.containerID, _ = strings.Cut(str(cs[0], "containerID"), "://")
		}
		pods = append(pods, p)
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].name < pods[j].name })
	return pods
}

func intAt(o any, path ...string) int {
	switch v := get(o, path...).(type) {
	case float64:
		return int(v)
	case int:
		return v
	case string:
		i, _ := strconv.Atoi(v)
		return i
	}
	return 0
}

// containerPID is the host PID of the pod's portal container's first process.
func (n *realNode) containerPID(t *testing.T, p portalPod) int {
	t.Helper()
	tasks, err := n.tasks()
	if err != nil {
		t.Fatal(err)
	}
	pid, ok := tasks[p.containerID]
	if !ok {
		t.Fatalf("pod %s: container %s is not running (tasks: %v)", p.name, p.containerID, tasks)
	}
	return pid
}

// tmpFiles lists the pod's /tmp emptyDir as kubelet keeps it on the host.
func (n *realNode) tmpFiles(t *testing.T, p portalPod) []string {
	t.Helper()
	dir := filepath.Join(n.dir, "kubelet", "pods", p.uid, "volumes", "kubernetes.io~empty-dir", "tmp")
	var out []string
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out = append(out, strings.TrimPrefix(path, dir))
		return nil
	})
	if err != nil {
		t.Fatalf("the pod's /tmp on the host: %v", err)
	}
	return out
}

// podLogLines are the lines of the pod's container logs, as kubelet writes them.
func (n *realNode) podLogLines(t *testing.T, p portalPod) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(n.dir, "pod-logs", portalNamespace+"_"+p.name+"_"+p.uid, "*", "*.log"))
	var lines []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	return lines
}

// podLogTails is the end of every pod's logs, for a failed up.
func (n *realNode) podLogTails(_ *testing.T) string {
	files, _ := filepath.Glob(filepath.Join(n.dir, "pod-logs", "*", "*", "*.log"))
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "--- %s:\n%s\n", strings.TrimPrefix(f, n.dir), tail(f, 20))
	}
	return b.String() + n.logTails()
}

var podClient = &http.Client{Timeout: 10 * time.Second}

// podGet GETs a path from a pod's address on the bridge; token, when given, is sent as a
// bearer token.
func podGet(ip string, port int, path, token string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+net.JoinHostPort(ip, strconv.Itoa(port))+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := podClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(b)
}

func trimBody(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// ---- checks ----

// checkGeneratedWorkload compares what runs with what the stack generated: every field of the
// Deployment's spec in the state's inputs (what the program registered) has the same value on
// the live Deployment (which the API server may only add defaults to), no object carries
// pulumi.com/skipAwait, and each pod's container is the template's.
func checkGeneratedWorkload(t *testing.T, state stateFile, deployment object, pods []portalPod) {
	t.Helper()
	var inputs map[string]any
	for _, r := range state.Resources {
		// By the object it created (the resource's name is the program's, not the object's).
		if r.Type == "kubernetes:apps/v1:Deployment" &&
			str(r.Outputs, "metadata", "name") == portalName && str(r.Outputs, "metadata", "namespace") == portalNamespace {
			inputs = r.Inputs
		}
	}
	if inputs == nil {
		t.Fatal("no Deployment in the state")
	}
	for _, d := range subsetDiff("spec", inputs["spec"], deployment["spec"]) {
		t.Errorf("live Deployment differs from the stack's: %s", d)
	}
	if a := str(deployment, "metadata", "annotations", skipAwaitAnnotation); a != "" {
		t.Errorf("the Deployment carries %s=%s", skipAwaitAnnotation, a)
	}
	template, _ := get(deployment, "spec", "template", "spec").(map[string]any)
	for _, p := range pods {
		spec, _ := p.raw["spec"].(map[string]any)
		for _, field := range []string{"containers", "volumes", "securityContext", "serviceAccountName", "automountServiceAccountToken"} {
			if field == "volumes" {
				// The API server adds the service account token's projected volume to the pod.
				if d := subsetDiff("spec.volumes", template[field], spec[field]); len(d) > 0 {
					t.Errorf("pod %s: %v", p.name, d)
				}
				continue
			}
			if !reflect.DeepEqual(template[field], spec[field]) && field != "containers" {
				t.Errorf("pod %s: spec.%s differs from the Deployment's template", p.name, field)
			}
		}
		tc, _ := template["containers"].([]any)
		pc, _ := spec["containers"].([]any)
		if len(tc) != 1 || len(pc) != 1 {
			t.Fatalf("pod %s: want one container in the template and the pod, got %d and %d", p.name, len(tc), len(pc))
		}
		// The service account token's mount is the only addition.
		if d := subsetDiff("container", tc[0], pc[0]); len(d) > 0 {
			t.Errorf("pod %s: container differs from the template: %v", p.name, d)
		}
	}
}

// subsetDiff lists where want (the program's inputs) is not found in got (the live object):
// maps must hold every key of want with an equal value, lists the same length, element by
// element; numbers compare as numbers.
func subsetDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, subsetDiff(path+"."+k, v, g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want a list, got %T", path, got)}
		}
		if len(g) < len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %d", path, len(w), len(g))}
		}
		var out []string
		for i := range w {
			out = append(out, subsetDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	case float64:
		if g, ok := got.(float64); ok && g == w {
			return nil
		}
		if g, ok := got.(string); ok && g == strconv.FormatFloat(w, 'f', -1, 64) {
			return nil
		}
	default:
		if reflect.DeepEqual(want, got) {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
}

// checkProcess reads the portal container's first process from the host's /proc.
func checkProcess(t *testing.T, n *realNode, p portalPod) {
	t.Helper()
	pid := n.containerPID(t, p)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok {
			fields[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	ids := strings.Repeat(portalUID+" ", 4)
	want := map[string]string{
		"Uid": ids[:len(ids)-1], "Gid": ids[:len(ids)-1],
		"CapInh": "0000000000000000", "CapPrm": "0000000000000000", "CapEff": "0000000000000000",
		"CapBnd": "0000000000000000", "CapAmb": "0000000000000000",
		"NoNewPrivs": "1",
		// 2: a seccomp filter (RuntimeDefault) is in force.
		"Seccomp": "2",
	}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("pod %s PID %d: %s is %q, want %q", p.name, pid, k, fields[k], v)
		}
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	t.Logf("pod %s: PID %d runs %q as %s", p.name, pid, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "), fields["Uid"])
	mounts, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatal(err)
	}
	writable := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(mounts)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		opts := strings.Split(f[5], ",")
		if opts[0] == "rw" {
			writable[unescapeMount(f[4])] = true
		}
	}
	if writable["/"] {
		t.Errorf("pod %s: the root filesystem is mounted read-write", p.name)
	}
	if !writable["/tmp"] {
		t.Errorf("pod %s: /tmp (the emptyDir) is not a writable mount", p.name)
	}
	var ws []string
	for m := range writable {
		if !strings.HasPrefix(m, "/proc") && !strings.HasPrefix(m, "/sys") && !strings.HasPrefix(m, "/dev") {
			ws = append(ws, m)
		}
	}
	sort.Strings(ws)
	t.Logf("pod %s: writable mounts (beside /proc, /sys, /dev): %v", p.name, ws)
}

// checkDryRun runs a small template through the scaffolder's dry-run API on the pod: its
// fetch:template step renders a skeleton in the scaffolder's working directory.
func checkDryRun(t *testing.T, p portalPod, token string) {
	t.Helper()
	template := map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
		"metadata": map[string]any{"name": "real-node-check", "namespace": "default"},
		"spec": map[string]any{
			"type":       "service",
			"parameters": []any{map[string]any{"properties": map[string]any{"name": map[string]any{"type": "string"}}}},
			"steps": []any{map[string]any{
				"id": "render", "name": "Render", "action": "fetch:template",
				"input": map[string]any{"url": "./skeleton", "values": map[string]any{"name": "${{ parameters.name }}"}},
			}},
		},
	}
	body, _ := json.Marshal(map[string]any{
		"template": template, "values": map[string]any{"name": "real-node"},
		"directoryContents": []map[string]string{{
			"path": "skeleton/README.md", "base64Content": base64.StdEncoding.EncodeToString([]byte("# ${{ values.name }}\n")),
		}},
	})
	req, _ := http.NewRequest(http.MethodPost, "http://"+net.JoinHostPort(p.ip, "7007")+"/api/scaffolder/v2/dry-run", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("dry-run: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dry-run: %s %s", resp.Status, trimBody(string(raw)))
	}
	var res struct {
		DirectoryContents []struct {
			Path          string `json:"path"`
			Base64Content string `json:"base64Content"`
		} `json:"directoryContents"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.DirectoryContents {
		if filepath.Base(f.Path) == "README.md" {
			got, _ := base64.StdEncoding.DecodeString(f.Base64Content)
			if string(got) != "# real-node\n" {
				t.Errorf("dry-run rendered %q", got)
			}
			return
		}
	}
	t.Errorf("dry-run wrote no README.md: %s", trimBody(string(raw)))
}

// checkRollout changes the image through the stack (the provider waits for the rollout) while
// a bounded request loop reads the catalog through the pods the Service's endpoints list as
// ready (what a Service proxy would send traffic to), and samples the pods: never more than
// the replicas (maxSurge 0), never fewer ready than the PDB's minimum.
func checkRollout(t *testing.T, ctx context.Context, c *cluster, n *realNode, e *env, changed *stackConfig,
	deployment object, live map[string]object, logs *opLogs, token string) {
	t.Helper()
	replicas := intAt(deployment, "spec", "replicas")
	if s := get(deployment, "spec", "strategy", "rollingUpdate", "maxSurge"); fmt.Sprint(s) != "0" {
		t.Errorf("maxSurge is %v, want 0", s)
	}
	// The PDB's minimum: minAvailable, or the replicas less maxUnavailable.
	pdb := live["PodDisruptionBudget/"+portalNamespace+"/"+portalName]
	minAvailable := intAt(pdb, "spec", "minAvailable")
	if get(pdb, "spec", "maxUnavailable") != nil {
		minAvailable = replicas - intAt(pdb, "spec", "maxUnavailable")
	}
	if pdb == nil || minAvailable < 1 {
		t.Fatalf("want the portal's PodDisruptionBudget to keep at least one pod, got %v", get(pdb, "spec"))
	}
	api := newAPIReader(c)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var requests, failed, maxPods, minReady int
	minReady = replicas
	served := map[string]int{}
	var failures []string
	// The loop is bounded: at most 10 minutes, at most 20 requests a second.
	deadline := time.Now().Add(10 * time.Minute)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(deadline); i++ {
			select {
			case <-stop:
				return
			default:
			}
			ips, err := api.readyEndpoints(portalNamespace, portalName)
			if err != nil || len(ips) == 0 {
				mu.Lock()
				failed++
				failures = append(failures, fmt.Sprintf("no ready endpoint (%v)", err))
				mu.Unlock()
				time.Sleep(50 * time.Millisecond)
				continue
			}
			ip := ips[i%len(ips)]
			code, body := podGet(ip, 7007, "/api/catalog/entities?limit=1", token)
			mu.Lock()
			requests++
			served[ip]++
			if code != http.StatusOK {
				failed++
				if len(failures) < 10 {
					failures = append(failures, fmt.Sprintf("%s: %d %s", ip, code, trimBody(body)))
				}
			}
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			select {
			case <-stop:
				return
			default:
			}
			total, ready, err := api.podCounts(portalNamespace)
			if err == nil {
				mu.Lock()
				maxPods = max(maxPods, total)
				minReady = min(minReady, ready)
				mu.Unlock()
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	e.use(t, ctx, changed, nil)
	start := time.Now()
	_, err := e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, "up-image-change")))
	// A last stretch after the rollout: the old pods' endpoints are gone.
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("up with the new image: %s\n%s", firstLine(err), logs.tail("up-image-change"))
	}
	t.Logf("timing: image change rolled out in %s; %d requests during it, %d failed; served by %v; at most %d running pods, at least %d ready",
		since(start), requests, failed, served, maxPods, minReady)
	if failed > 0 {
		t.Errorf("%d of %d requests failed during the rollout: %v", failed, requests, failures)
	}
	if requests == 0 {
		t.Error("no request was made during the rollout")
	}
	if maxPods > replicas {
		t.Errorf("%d pods ran at once, more than the %d replicas (maxSurge 0)", maxPods, replicas)
	}
	if minReady < minAvailable {
		t.Errorf("%d pods were ready at one point, fewer than the PDB's minAvailable %d", minReady, minAvailable)
	}
	for _, p := range n.portalPods(t) {
		if img := str(get(p.raw, "spec", "containers", "0"), "image"); img != changedImageOf(changed) {
			t.Errorf("pod %s runs %s after the rollout", p.name, img)
		}
	}
}

func changedImageOf(c *stackConfig) string {
	return fmt.Sprint(c.values[stack.Namespace+":portal"].(map[string]any)["image"])
}

// apiReader reads the API server over HTTP (a rollout's sampling is too frequent for kubectl).
type apiReader struct {
	base, token string
	client      *http.Client
}

func newAPIReader(c *cluster) *apiReader {
	return &apiReader{base: c.URL, token: c.Token, client: &http.Client{
		Transport: trustingTransport(c.caPEM), Timeout: 10 * time.Second}}
}

func (a *apiReader) get(path string, out any) error {
	req, _ := http.NewRequest(http.MethodGet, a.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// readyEndpoints are the ready addresses of a Service's EndpointSlices.
func (a *apiReader) readyEndpoints(ns, service string) ([]string, error) {
	var list struct {
		Items []struct {
			Endpoints []struct {
				Addresses  []string `json:"addresses"`
				Conditions struct {
					Ready *bool `json:"ready"`
				} `json:"conditions"`
			} `json:"endpoints"`
		} `json:"items"`
	}
	if err := a.get("/apis/discovery.k8s.io/v1/namespaces/"+ns+"/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D"+service, &list); err != nil {
		return nil, err
	}
	var ips []string
	for _, s := range list.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				ips = append(ips, ep.Addresses...)
			}
		}
	}
	sort.Strings(ips)
	return ips, nil
}

// podCounts counts a namespace's pods that are not being deleted, and those of them Ready.
func (a *apiReader) podCounts(ns string) (total, ready int, err error) {
	var list struct {
		Items []object `json:"items"`
	}
	if err := a.get("/api/v1/namespaces/"+ns+"/pods", &list); err != nil {
		return 0, 0, err
	}
	for _, o := range list.Items {
		if get(o, "metadata", "deletionTimestamp") != nil {
			continue
		}
		total++
		conds, _ := get(o, "status", "conditions").([]any)
		for _, c := range conds {
			if str(c, "type") == "Ready" && str(c, "status") == "True" {
				ready++
			}
		}
	}
	return total, ready, nil
}

// startIngressStandIn gives every Ingress a load balancer address, as an ingress controller
// would (there is none on the node), so the provider's Ingress wait ends.
func startIngressStandIn(t *testing.T, c *cluster) {
	t.Helper()
	ctx, k := newFakeKubelet(c)
	go func() {
		defer close(k.done)
		for ctx.Err() == nil {
			k.syncIngresses(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { k.cancel(); <-k.done })
}

// ---- PostgreSQL on the node's bridge ----

type bridgePostgres struct {
	port           int
	user, password string
	caPEM          string
}

// startBridgePostgres runs PostgreSQL 15 on the bridge's host address only, TLS with a
// certificate for that address and scram-sha-256 passwords: the portal's external database.
func startBridgePostgres(t *testing.T, bin string) *bridgePostgres {
	t.Helper()
	if _, err := user.Lookup("postgres"); err != nil {
		t.Skipf("the real node's database runs as the postgres user (Debian's postgresql package): %v", err)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port, _ := strconv.Atoi(freePort(t))
	p := &bridgePostgres{port: port, user: "backstage", password: randomHex(t, 16)}
	caPEM, certPEM, keyPEM := serverCertFor(t, net.ParseIP(podGateway))
	p.caPEM = caPEM
	writeFile(t, filepath.Join(dir, "server.crt"), certPEM)
	writeFile(t, filepath.Join(dir, "server.key"), keyPEM)
	data := filepath.Join(dir, "data")
	asPostgres := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		cmd.Dir = dir
		return cmd
	}
	chown := exec.Command("chown", "-R", "postgres:postgres", dir)
	if out, err := chown.CombinedOutput(); err != nil {
		t.Fatalf("chown: %v: %s", err, out)
	}
	runCmd(t, asPostgres("initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale", "C"))
	conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fmt.Fprintf(conf, "\nlisten_addresses = '%s'\nport = %d\nunix_socket_directories = '%s'\nssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\nfsync = off\n",
		podGateway, port, dir, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"))
	_ = conf.Close()
	// The superuser over the local socket only; the portal's user over TLS from the pods'
	// subnet, to its own database only: the generated config (ensureExists off) never reaches
	// for the server's "postgres" database, as a least-privilege login on Cloud SQL or RDS
	// may not.
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte("local all postgres trust\nhostssl backstage backstage "+podSubnet+" scram-sha-256\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd(t, exec.Command("chown", "-R", "postgres:postgres", dir))
	runCmd(t, asPostgres("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start"))
	t.Cleanup(func() {
		if out, err := asPostgres("pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v: %s", err, out)
		}
	})
	for _, sql := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", p.user, p.password),
		"CREATE DATABASE backstage OWNER " + p.user,
	} {
		runCmd(t, asPostgres("psql", "-h", dir, "-p", strconv.Itoa(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql))
	}
	t.Logf("PostgreSQL 15 on %s:%d (TLS, scram-sha-256)", podGateway, port)
	return p
}

func runCmd(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(cmd.Args, " "), err, out)
	}
}

// serverCertFor makes a CA and a server certificate for ip signed by it.
func serverCertFor(t *testing.T, ip net.IP) (caCert, cert, key string) {
	t.Helper()
	caKey, serverKey := newKey(t), newKey(t)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "developer-portal-e2e database CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip.String()},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{ip},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), keyPEM(t, serverKey)
}
