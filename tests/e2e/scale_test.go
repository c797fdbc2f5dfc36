package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit/tenantgen"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"gopkg.in/yaml.v3"
)

// TestScale measures the stack with generated tenants through the real engine, provider and
// API server, at every size E2E_SCALE lists (e.g. "10,100,1000"): an up from empty, a no-op
// preview, an up that changes one tenant, and a destroy; for each, the wall time, the
// resources per second, the peak RSS and the CPU time of the CLI, the program and the
// provider, and the state files' size. It is a benchmark, not a check of speed: it fails only
// when an operation fails (or a no-op preview is not one). Each size starts its own control
// plane. docs/operators/scale.md shows the results and how to run it.
//
//   - E2E_SCALE_TENANTS_PER_SHARD=n splits the tenants over as many stacks as n tenants per
//     stack need (tenants.shard, as docs/operators/scale.md sets it up); 0 (the default)
//     keeps every tenant in one stack. A one-tenant change runs up in the tenant's stack and
//     in the portal's (its catalog lists every tenant).
//   - E2E_SCALE_PARALLEL=p runs up to p stacks' operations at once (default 1).
//   - E2E_SCALE_LIMIT (a duration, default 30m) bounds the first up: a size that does not
//     finish in it is recorded as incomplete, with the resources its state holds then.
//   - E2E_SCALE_OUT appends one JSON line per size (a ScaleResult) to that file;
//     cmd/scalereport turns the lines into scale.md's tables and chart.
//   - E2E_SCALE_NOTE is recorded with the results (e.g. "machine busy with builds").
//   - Before the engine's operations, the same objects go through `kubectl apply
//     --server-side` on a control plane of their own (op "kubectl"); E2E_SCALE_ONLY=kubectl
//     stops there.
//   - E2E_SCALE_PULUMI_<NAME>=v passes PULUMI_<NAME>=v to the CLI, to study engine settings.
//   - E2E_SCALE_DESTROY_UP_TO=n destroys only sizes up to n tenants: a larger size's control
//     plane is thrown away with its objects (destroy, about 0.66 s a tenant, is not a target).
func TestScale(t *testing.T) {
	sizes := scaleSizes(t)
	if len(sizes) == 0 {
		t.Skip("E2E_SCALE unset (e.g. E2E_SCALE=10,100,1000): the scale benchmark runs on demand")
	}
	tl := lookupTools(t)
	limit := 30 * time.Minute
	if v := os.Getenv("E2E_SCALE_LIMIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("E2E_SCALE_LIMIT=%q: %v", v, err)
		}
		limit = d
	}
	perShard := envInt(t, "E2E_SCALE_TENANTS_PER_SHARD", 0)
	parallel := envInt(t, "E2E_SCALE_PARALLEL", 1)
	for _, n := range sizes {
		t.Run(fmt.Sprintf("tenants=%d", n), func(t *testing.T) {
			shards := 1
			if perShard > 0 {
				shards = (n + perShard - 1) / perShard
			}
			res := runScale(t, tl, n, shards, parallel, limit)
			res.TenantsPerShard = perShard
			res.Note = os.Getenv("E2E_SCALE_NOTE")
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("result: %s", b)
			if out := os.Getenv("E2E_SCALE_OUT"); out != "" {
				f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = f.Close() }()
				if _, err := f.Write(append(b, '\n')); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func envInt(t *testing.T, key string, def int) int {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", key, v)
	}
	return n
}

// scaleSizes parses E2E_SCALE.
func scaleSizes(t *testing.T) []int {
	t.Helper()
	var sizes []int
	for _, f := range strings.Split(os.Getenv("E2E_SCALE"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 9999 {
			t.Fatalf("E2E_SCALE: %q is not a number of tenants from 1 to 9999", f)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// scaleStack is one stack of a measured shape: the portal's (shard 0) or a tenant shard's.
type scaleStack struct {
	name string
	e    *env
	// tenants are the tenants the stack provisions (its "tenants" output after up).
	tenants map[string]bool
}

// runScale deploys n generated tenants to a fresh control plane, split over shards stacks
// (tenants.shard; 1: one stack), and measures the four operations, running up to parallel
// stacks at once.
func runScale(t *testing.T, tl tools, n, shards, parallel int, limit time.Duration) ScaleResult {
	t.Helper()
	ctx := context.Background()
	res := ScaleResult{Tenants: n, Shards: shards, Parallel: parallel, CPUs: runtime.NumCPU(), LoadAvg: loadAvg(),
		Date: time.Now().UTC().Format(time.RFC3339)}
	c := startCluster(t, tl)
	dir := t.TempDir()
	tenants := generateTenants(t, n)
	writeTenants(t, dir, tenants)
	base := loadStackConfig(t, dir, generateSecrets(t))
	logs := newOpLogs(t)
	cp := controlPlanePIDs(c)
	var configs []*stackConfig
	for i := 0; i < shards; i++ {
		cfg := base
		if shards > 1 {
			cfg = base.with(t, func(values map[string]any) {
				// Shard 0, the portal's stack, leaves the index unset: the configuration
				// rejects a zero written out, which would read as the default.
				shard := map[string]any{"count": shards}
				if i > 0 {
					shard["index"] = i
				}
				values["developer-portal:tenants"].(map[string]any)["shard"] = shard
			})
		}
		configs = append(configs, cfg)
	}

	// The side-by-side anchor first, on a control plane of its own, as empty as the one the
	// engine gets.
	kc := startCluster(t, tl)
	op, applied := kubectlApply(t, kc, configs, parallel)
	kc.stop()
	op = res.record(op, applied)
	t.Logf("timing: kubectl apply --server-side %.1fs (%d objects)", op.Seconds, applied)
	if os.Getenv("E2E_SCALE_ONLY") == "kubectl" {
		return res
	}

	var stacks []*scaleStack
	for i, cfg := range configs {
		name := stackName
		if shards > 1 {
			name = fmt.Sprintf("%s-shard-%d", stackName, i)
		}
		stacks = append(stacks, &scaleStack{name: name, e: newScaleStack(t, ctx, tl, c, cfg, name)})
	}
	logName := func(op string, s *scaleStack) string { return fmt.Sprintf("scale-%d-%s-%s", n, s.name, op) }

	// up from empty, bounded by limit.
	upCtx, cancel := context.WithTimeout(ctx, limit)
	var mu sync.Mutex
	sm := startSampler(cp)
	err := forEachParallel(parallel, stacks, func(s *scaleStack) error {
		up, err := s.e.stack.Up(upCtx, optup.ProgressStreams(logs.writer(t, logName("up", s))))
		if err != nil {
			return fmt.Errorf("up of %s: %s\n%s", s.name, firstLine(err), logs.tail(logName("up", s)))
		}
		names, _ := up.Outputs["tenants"].Value.([]any)
		mu.Lock()
		defer mu.Unlock()
		s.tenants = map[string]bool{}
		for _, v := range names {
			s.tenants[fmt.Sprint(v)] = true
		}
		return nil
	})
	op = sm.stop("up")
	timedOut := errors.Is(upCtx.Err(), context.DeadlineExceeded)
	cancel()
	for _, s := range stacks {
		if size, count, cerr := scaleCheckpoint(s.e.backendDir, s.name); cerr == nil {
			res.Resources += count
			res.StateBytesTotal += size
			res.StateBytes = max(res.StateBytes, size)
		}
	}
	op = res.record(op, res.Resources)
	if err != nil {
		if !timedOut {
			t.Fatal(err)
		}
		res.Incomplete = true
		t.Logf("up of %d tenants stopped after %s with %d resources in the state", n, limit, res.Resources)
		return res
	}
	t.Logf("timing: up %.1fs, %d resources in %d stacks, largest state %d bytes", op.Seconds, res.Resources, shards, res.StateBytes)
	for _, cm := range portalConfigMaps(t, c) {
		if strings.Contains(cm.Metadata.Name, "-catalog-tenants-") {
			size := int64(0)
			for _, v := range cm.Data {
				size += int64(len(v))
			}
			res.CatalogParts++
			res.CatalogBytes += size
			res.CatalogLargest = max(res.CatalogLargest, size)
		}
	}
	t.Logf("live catalog: %d bytes in %d parts, the largest %d bytes", res.CatalogBytes, res.CatalogParts, res.CatalogLargest)

	// A no-op preview of every stack: every resource compared, none changed.
	same := 0
	sm = startSampler(cp)
	err = forEachParallel(parallel, stacks, func(s *scaleStack) error {
		pre, err := s.e.stack.Preview(ctx)
		if err != nil {
			return fmt.Errorf("preview of %s: %w", s.name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		same += pre.ChangeSummary["same"]
		for k, v := range pre.ChangeSummary {
			if k != "same" && v > 0 {
				t.Errorf("the no-op preview of %s has %s: %d", s.name, k, v)
			}
		}
		return nil
	})
	op = sm.stop("preview")
	if err != nil {
		t.Fatal(err)
	}
	op = res.record(op, same)
	t.Logf("timing: no-op preview %.1fs (%d same)", op.Seconds, same)

	// One tenant changes its contact: its namespace's annotation changes in its shard's
	// stack, and the catalog in the portal's.
	changed := tenants[len(tenants)/2]
	changed.ContactEmail = "new-contact-" + changed.Name + "@cecg.io"
	writeTenants(t, dir, []access.Tenant{changed})
	affected := []*scaleStack{stacks[0]}
	for _, s := range stacks[1:] {
		if s.tenants[changed.Name] {
			affected = append(affected, s)
		}
	}
	if len(affected) == 1 && !stacks[0].tenants[changed.Name] {
		t.Fatalf("no stack provisions tenant %s", changed.Name)
	}
	// upCounting is an up of a stack that adds the resource steps it took to *steps.
	upCounting := func(op, what string, steps *int) func(*scaleStack) error {
		return func(s *scaleStack) error {
			up, err := s.e.stack.Up(ctx, optup.ProgressStreams(logs.writer(t, logName(op, s))))
			if err != nil {
				return fmt.Errorf("up of %s in %s: %s\n%s", what, s.name, firstLine(err), logs.tail(logName(op, s)))
			}
			changes := deref(up.Summary.ResourceChanges)
			mu.Lock()
			defer mu.Unlock()
			*steps += changes["update"] + changes["create"] + changes["delete"] + changes["replace"]
			t.Logf("%s in %s: %v", what, s.name, summary(changes))
			return nil
		}
	}
	steps := 0
	sm = startSampler(cp)
	err = forEachParallel(parallel, affected, upCounting("change", "one changed tenant", &steps))
	op = sm.stop("change")
	if err != nil {
		t.Fatal(err)
	}
	op = res.record(op, steps)
	t.Logf("timing: one-tenant change %.1fs (%d stacks, %d steps)", op.Seconds, len(affected), steps)

	// A tenancy merged: its file added, then the deploy as deploy.yml runs it, every shard's
	// stack (parallel at once) and then the portal's, until the new namespace is Active and
	// the portal's catalog lists the tenancy. The engine's share of the time from merge to
	// visible (docs/operators/scale.md).
	added := generateTenants(t, 1)[0]
	added.Name, added.File = "scale-merged", "scale-merged.yaml"
	added.ContactEmail, added.AdminGroup, added.ReadonlyGroup = "scale-merged@cecg.io", "scale-merged-admin@cecg.io", "scale-merged-readonly@cecg.io"
	added.Repos = []string{"https://github.com/cecg/scale-merged"}
	writeTenants(t, dir, []access.Tenant{added})
	steps = 0
	sm = startSampler(cp)
	deploy := upCounting("merged", "a merged tenancy", &steps)
	err = forEachParallel(parallel, stacks[1:], deploy)
	shardsDone := time.Since(sm.start)
	if err == nil {
		err = deploy(stacks[0])
	}
	if err == nil {
		err = waitMerged(c, added.Name, 2*time.Minute)
	}
	op = sm.stop("merged")
	if err != nil {
		t.Fatal(err)
	}
	op = res.record(op, steps)
	t.Logf("timing: merged tenancy deployed %.1fs (shard stacks %.1fs, then the portal's; %d steps): namespace Active, catalog lists it",
		op.Seconds, shardsDone.Seconds(), steps)

	if upTo := envInt(t, "E2E_SCALE_DESTROY_UP_TO", 0); upTo > 0 && n > upTo {
		t.Logf("destroy not run: %d tenants is over E2E_SCALE_DESTROY_UP_TO=%d", n, upTo)
		return res
	}
	deleted := 0
	sm = startSampler(cp)
	err = forEachParallel(parallel, stacks, func(s *scaleStack) error {
		des, err := s.e.stack.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, logName("destroy", s))))
		if err != nil {
			return fmt.Errorf("destroy of %s: %s\n%s", s.name, firstLine(err), logs.tail(logName("destroy", s)))
		}
		mu.Lock()
		defer mu.Unlock()
		deleted += deref(des.Summary.ResourceChanges)["delete"]
		return nil
	})
	op = sm.stop("destroy")
	if err != nil {
		t.Fatal(err)
	}
	op = res.record(op, deleted)
	t.Logf("timing: destroy %.1fs (%d deleted)", op.Seconds, deleted)
	return res
}

// waitMerged waits until tenant's namespace is Active and a catalog ConfigMap of the portal
// lists the tenant's System.
func waitMerged(c *cluster, tenant string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		phase, _ := c.kubectlErr(nil, "get", "namespace", tenant, "-o", "jsonpath={.status.phase}")
		listed := false
		if list, err := readConfigMaps(c); err == nil {
			for _, cm := range list {
				for _, v := range cm.Data {
					if strings.Contains(cm.Metadata.Name, "-catalog-") && strings.Contains(v, "kind: System") && strings.Contains(v, "name: "+tenant+"\n") {
						listed = true
					}
				}
			}
		}
		if string(phase) == "Active" && listed {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: namespace %s phase %q, in a catalog ConfigMap: %v", limit, tenant, phase, listed)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// configMap is what the benchmark reads of a ConfigMap.
type configMap struct {
	Metadata struct{ Name string } `json:"metadata"`
	Data     map[string]string     `json:"data"`
}

// readConfigMaps lists the ConfigMaps of the portal's namespace.
func readConfigMaps(c *cluster) ([]configMap, error) {
	out, err := c.kubectlErr(nil, "get", "configmaps", "-n", portalNamespace, "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []configMap `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("ConfigMaps of %s: %w", portalNamespace, err)
	}
	return list.Items, nil
}

// portalConfigMaps is readConfigMaps for a test that cannot go on without them.
func portalConfigMaps(t *testing.T, c *cluster) []configMap {
	t.Helper()
	list, err := readConfigMaps(c)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// kubectlApply applies the objects the stacks manage, as `cmd/plan -out` renders them from
// each stack's configuration, with `kubectl apply --server-side` against a fresh API server
// of the same build: the side-by-side anchor of docs/operators/scale.md. As the engine runs the
// stacks, one kubectl per stack's manifests, parallel at a time: one kubectl over every stack's
// objects at once does not scale (at 5,000 tenants, about 30,000 objects, it had applied none
// after 7 minutes and 9 minutes of its CPU). kubectl applies the documents of a stream in
// order, so each stack's Namespaces go first. Secrets' data, redacted in the rendering, gets a
// placeholder. It returns the operation and the objects applied.
func kubectlApply(t *testing.T, c *cluster, configs []*stackConfig, parallel int) (OpResult, int) {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	streams := make([][]byte, len(configs))
	counts := make([]int, len(configs))
	for i, cfg := range configs {
		dir := t.TempDir()
		b, err := yaml.Marshal(map[string]any{"config": cfg.values})
		if err != nil {
			t.Fatal(err)
		}
		stackFile := filepath.Join(dir, fmt.Sprintf("Pulumi.e2e-%d.yaml", i))
		writeFile(t, stackFile, string(b))
		p, err := plan.Run(plan.Options{Root: root, StackFile: stackFile})
		if err != nil {
			t.Fatalf("offline plan of the benchmark's stack %d: %v", i, err)
		}
		if err := plan.WriteManifests(dir, plan.Manifests(p.Resources)); err != nil {
			t.Fatal(err)
		}
		streams[i], counts[i] = manifestStream(t, filepath.Join(dir, "manifests"))
	}
	var mu sync.Mutex
	applied, stacks := 0, make([]int, len(configs))
	for i := range stacks {
		stacks[i] = i
	}
	sm := startSampler(controlPlanePIDs(c))
	err = forEachParallel(parallel, stacks, func(i int) error {
		// A shard that no tenant falls in has nothing to apply (kubectl refuses an empty
		// stream); the engine still runs its stack.
		if counts[i] == 0 {
			return nil
		}
		out, err := c.kubectlFor(30*time.Minute, streams[i], "apply", "--server-side", "--field-manager", "scale-benchmark", "-f", "-")
		if err != nil {
			return fmt.Errorf("kubectl apply --server-side of stack %d's %d manifests: %w", i, counts[i], err)
		}
		n := strings.Count(string(out), "serverside-applied")
		if n != counts[i] {
			return fmt.Errorf("kubectl applied %d objects of stack %d, the plan rendered %d", n, i, counts[i])
		}
		mu.Lock()
		defer mu.Unlock()
		applied += n
		return nil
	})
	op := sm.stop("kubectl")
	if err != nil {
		t.Fatal(err)
	}
	return op, applied
}

// manifestStream reads the manifests in dir into one YAML stream, Namespaces first, and
// returns it with the number of objects.
func manifestStream(t *testing.T, dir string) ([]byte, int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(files, func(a, b string) int {
		rank := func(f string) int {
			if strings.HasPrefix(filepath.Base(f), "namespace-") {
				return 0
			}
			return 1
		}
		return rank(a) - rank(b)
	})
	var stream bytes.Buffer
	for _, f := range files {
		obj := readYAMLFile[map[string]any](t, f)
		if data, ok := obj["data"].(map[string]any); ok && obj["kind"] == "Secret" {
			for k := range data {
				data[k] = b64([]byte("redacted"))
			}
		}
		doc, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		stream.WriteString("---\n")
		stream.Write(doc)
	}
	return stream.Bytes(), len(files)
}

// forEachParallel runs f on every item (a stack), at most parallel at once, and returns the
// first error.
func forEachParallel[T any](parallel int, items []T, f func(T) error) error {
	sem := make(chan struct{}, max(parallel, 1))
	errs := make(chan error, len(items))
	var wg sync.WaitGroup
	for _, s := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- f(s)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// newScaleStack is newStack for a stack of another name (a shard's), with the engine settings
// under study (E2E_SCALE_PULUMI_SKIP_CHECKPOINTS, E2E_SCALE_PULUMI_PARALLEL...) passed through
// without their E2E_SCALE_ prefix.
func newScaleStack(t *testing.T, ctx context.Context, tl tools, c *cluster, cfg *stackConfig, name string) *env {
	t.Helper()
	engine := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "E2E_SCALE_PULUMI_") {
			engine[strings.TrimPrefix(k, "E2E_SCALE_")] = v
		}
	}
	return newNamedStack(t, ctx, tl, c, cfg, name, &SkipAwait{}, engine)
}

// scaleCheckpoint reads a stack's checkpoint file in the file backend: its size, and the
// resources it holds.
func scaleCheckpoint(backendDir, name string) (size int64, resources int, err error) {
	paths, _ := filepath.Glob(filepath.Join(backendDir, ".pulumi", "stacks", "*", name+".json"))
	if len(paths) != 1 {
		return 0, 0, fmt.Errorf("want one checkpoint of stack %s in %s, found %v", name, backendDir, paths)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		return 0, 0, err
	}
	var cp struct {
		Checkpoint struct {
			Latest *stateFile `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return 0, 0, err
	}
	if cp.Checkpoint.Latest != nil {
		resources = len(cp.Checkpoint.Latest.Resources)
	}
	return int64(len(b)), resources, nil
}

// generateTenants builds n valid tenants deployed to the e2e environment (tenantgen's shape).
func generateTenants(t *testing.T, n int) []access.Tenant {
	t.Helper()
	tenants := tenantgen.Generate("scale", n, tenantEnvironment)
	if err := access.ValidateTenants(tenants, []string{tenantEnvironment}); err != nil {
		t.Fatalf("generated tenants are not valid: %v", err)
	}
	return tenants
}

// writeTenants writes each tenant to dir/<name>.yaml.
func writeTenants(t *testing.T, dir string, tenants []access.Tenant) {
	t.Helper()
	if err := tenantgen.Write(dir, tenants); err != nil {
		t.Fatal(err)
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func controlPlanePIDs(c *cluster) map[string]int {
	m := map[string]int{}
	for _, p := range c.procs {
		switch p.name {
		case "kube-apiserver":
			m["apiserver"] = p.cmd.Process.Pid
		case "etcd":
			m["etcd"] = p.cmd.Process.Pid
		}
	}
	return m
}

// sampler reads /proc every 200ms while an operation runs: the peak RSS (VmHWM, the kernel's
// own high-water mark, and VmRSS) and the CPU time of the CLI and the provider, found as
// descendants of this process by name, and of this process itself (the inline program) and
// the control plane.
type sampler struct {
	start  time.Time
	fixed  map[string]int // role -> pid for long-lived processes: CPU counted as a delta
	base   map[string]float64
	mu     sync.Mutex
	rss    map[string]int64
	cpu    map[int]float64 // pid -> last CPU seconds seen, for processes of this operation
	roleOf map[int]string
	done   chan struct{}
	wg     sync.WaitGroup
}

func startSampler(controlPlane map[string]int) *sampler {
	s := &sampler{
		start: time.Now(), fixed: map[string]int{"program": os.Getpid()}, base: map[string]float64{},
		rss: map[string]int64{}, cpu: map[int]float64{}, roleOf: map[int]string{}, done: make(chan struct{}),
	}
	for k, v := range controlPlane {
		s.fixed[k] = v
	}
	for role, pid := range s.fixed {
		s.base[role] = procCPU(pid)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.done:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) sample() {
	self := os.Getpid()
	parents := procParents()
	s.mu.Lock()
	defer s.mu.Unlock()
	for pid, pp := range parents {
		role := ""
		switch {
		case !descends(parents, pid, self):
			continue
		case pp.comm == "pulumi":
			role = "cli"
		case strings.HasPrefix(pp.comm, "pulumi-resource"):
			role = "provider"
		case pp.comm == "kubectl":
			role = "kubectl"
		default:
			continue
		}
		s.roleOf[pid] = role
		if c := procCPU(pid); c > 0 {
			s.cpu[pid] = c
		}
		if r := procRSS(pid); r > s.rss[role] {
			s.rss[role] = r
		}
	}
	for _, role := range []string{"program", "apiserver", "etcd"} {
		if pid, ok := s.fixed[role]; ok {
			if r := procRSSNow(pid); r > s.rss[role] {
				s.rss[role] = r
			}
		}
	}
}

func (s *sampler) stop(op string) OpResult {
	close(s.done)
	s.wg.Wait()
	r := OpResult{Op: op, Seconds: time.Since(s.start).Seconds(), PeakRSS: s.rss, CPU: map[string]float64{}}
	for pid, c := range s.cpu {
		r.CPU[s.roleOf[pid]] += c
	}
	for role, pid := range s.fixed {
		r.CPU[role] = procCPU(pid) - s.base[role]
	}
	return r
}

type procParent struct {
	ppid int
	comm string
}

// procParents reads every process's parent and command name from /proc.
func procParents() map[int]procParent {
	out := map[int]procParent{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, d := range entries {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		fields, comm, err := procStat(pid)
		if err != nil || len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		out[pid] = procParent{ppid: ppid, comm: comm}
	}
	return out
}

func descends(parents map[int]procParent, pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		p, ok := parents[pid]
		if !ok {
			return false
		}
		if p.ppid == ancestor {
			return true
		}
		pid = p.ppid
	}
	return false
}

// procStat returns the fields of /proc/<pid>/stat after the command name, and the name.
func procStat(pid int) ([]string, string, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, "", err
	}
	lp, rp := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if lp < 0 || rp < lp {
		return nil, "", errors.New("malformed stat")
	}
	return strings.Fields(string(stat[rp+1:])), string(stat[lp+1 : rp]), nil
}

// procCPU is a process's user and system CPU time in seconds (clock ticks of 1/100 s).
func procCPU(pid int) float64 {
	f, _, err := procStat(pid)
	if err != nil || len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}

// procRSS is a process's peak resident set (VmHWM) in bytes.
func procRSS(pid int) int64 { return procStatus(pid, "VmHWM:") }

// procRSSNow is a process's current resident set (VmRSS) in bytes: for the long-lived
// processes, whose high-water mark would span earlier operations.
func procRSSNow(pid int) int64 { return procStatus(pid, "VmRSS:") }

func procStatus(pid int, key string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			fields := strings.Fields(v)
			if len(fields) > 0 {
				kb, _ := strconv.ParseInt(fields[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}
