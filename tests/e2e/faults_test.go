package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"gopkg.in/yaml.v3"
)

// The fault tests interrupt an update that adds addedTenants generated tenants to a converged
// e2e stack. kube-controller-manager is paused (SIGSTOP) for that update: the provider waits
// for a ResourceQuota's status, which only its resourcequota controller fills, so the new
// quotas' creates stay in flight, created on the API server and pending in the state, until
// the fault strikes. That makes the moment of the fault deterministic.
const (
	addedTenants   = 3
	quotaType      = "kubernetes:core/v1:ResourceQuota"
	namespaceType  = "kubernetes:core/v1:Namespace"
	controllerName = "kube-controller-manager"
)

// faultStack is a converged e2e stack on its own control plane, and a grown configuration
// (the same stack plus generated tenants) whose update a fault test interrupts.
type faultStack struct {
	c     *cluster
	e     *env
	sa    *SkipAwait
	logs  *opLogs
	grown *stackConfig
	// base are the first configuration's tenants, tenants the grown one's, added the
	// generated ones among them.
	base, tenants, added []string
	// before maps every object the first up created to its uid: an object that is deleted
	// and created again comes back with another uid.
	before map[string]string
	// urnIDs maps the first up's resources to their objects; replaced are the objects the
	// grown configuration replaces on purpose (its preview says so before the fault).
	urnIDs   map[string]string
	replaced map[string]bool
}

// newFaultStack starts a control plane and deploys the e2e stack to it, with edit (if not
// nil) applied to both configurations.
func newFaultStack(t *testing.T, ctx context.Context, tl tools, edit func(values map[string]any)) *faultStack {
	t.Helper()
	start := time.Now()
	f := &faultStack{c: startCluster(t, tl), sa: &SkipAwait{}, logs: newOpLogs(t)}
	sec := generateSecrets(t)
	baseDir, baseTenants := e2eTenants(t)
	f.base = baseTenants
	base := loadStackConfig(t, baseDir, sec)
	grownDir, tenants := e2eTenants(t)
	f.added = addTenants(t, grownDir, "fault", addedTenants)
	f.tenants = append(slices.Clip(tenants), f.added...)
	f.grown = loadStackConfig(t, grownDir, sec)
	if edit != nil {
		base, f.grown = base.with(t, edit), f.grown.with(t, edit)
	}
	f.e = newStack(t, ctx, tl, f.c, base, f.sa)
	if _, err := f.e.stack.Up(ctx, optup.ProgressStreams(f.logs.writer(t, t.Name()+"-first-up"))); err != nil {
		t.Fatalf("first up: %s\n%s", firstLine(err), f.logs.tail(t.Name()+"-first-up"))
	}
	st := f.e.state(t, ctx)
	live := f.c.readBack(t, st.kubernetesObjects())
	f.before = uids(live)
	f.urnIDs = map[string]string{}
	for _, r := range st.Resources {
		if o := (stateFile{Resources: []stateResource{r}}).kubernetesObjects(); len(o) == 1 {
			f.urnIDs[r.URN] = o[0].id()
		}
	}
	t.Logf("timing: control plane and first up %s (%d objects)", since(start), len(live))
	return f
}

// addTenants writes n valid tenants, named <prefix>-01..., deployed to the e2e environment,
// into dir, and returns their names.
func addTenants(t *testing.T, dir, prefix string, n int) []string {
	t.Helper()
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s-%02d", prefix, i)
		tenant := map[string]any{
			"name":          name,
			"parent":        "root",
			"description":   "A generated tenant of the end-to-end fault tests.",
			"contactEmail":  name + "@cecg.io",
			"costCentre":    "CECG-E2E-001",
			"environments":  []string{tenantEnvironment},
			"repos":         []string{"https://github.com/cecg/" + name},
			"adminGroup":    name + "-admin@cecg.io",
			"readonlyGroup": name + "-readonly@cecg.io",
		}
		out, err := yaml.Marshal(tenant)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name+".yaml"), string(out))
		names = append(names, name)
	}
	return names
}

func uids(live []object) map[string]string {
	m := map[string]string{}
	for _, o := range live {
		m[o.id()] = str(o, "metadata", "uid")
	}
	return m
}

// upInBackground starts an up of the grown configuration with kube-controller-manager paused,
// and waits until the update has a create in flight that the API server has already done: a
// new tenant's ResourceQuota. It returns the channel the update's result arrives on. The
// controller is resumed when the test ends, if the test has not done so.
func (f *faultStack) upInBackground(t *testing.T, ctx context.Context, log string) <-chan error {
	t.Helper()
	f.e.use(t, ctx, f.grown, f.sa)
	// What the grown configuration replaces by itself, fault or not.
	events, steps := collectSteps()
	if _, err := f.e.stack.Preview(ctx, optpreview.EventStreams(events)); err != nil {
		t.Fatalf("preview of the grown configuration: %v", err)
	}
	f.replaced = map[string]bool{}
	for _, s := range steps() {
		if s.Op == "replace" || s.Op == "create-replacement" || s.Op == "delete-replaced" {
			// A new tenant changes the catalog: its ConfigMap updates in place and the
			// Deployment rolls; replacing either (delete-first) is an outage of the portal.
			if strings.Contains(s.URN, "kubernetes:apps/v1:Deployment") || strings.Contains(s.URN, "kubernetes:core/v1:ConfigMap") {
				t.Errorf("adding tenants replaces %s: the portal would go down", s.URN)
			}
			if id := f.urnIDs[s.URN]; id != "" && !f.replaced[id] {
				f.replaced[id] = true
				t.Logf("the grown configuration replaces %s (%s) by itself", id, s.URN)
			}
		}
	}
	f.c.signal(t, controllerName, syscall.SIGSTOP)
	t.Cleanup(func() { f.resumeControllers(t) })
	progress := f.logs.writer(t, log)
	done := make(chan error, 1)
	go func() {
		_, err := f.e.stack.Up(ctx, optup.ProgressStreams(progress))
		done <- err
	}()
	added := map[string]bool{}
	for _, n := range f.added {
		added[n] = true
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the update ended (error: %v) before a new ResourceQuota's create was in flight\n%s", err, f.logs.tail(log))
		default:
		}
		// The checkpoint can be read half-written: a read error means try again.
		if st, err := readCheckpoint(f.e.backendDir); err == nil {
			for _, op := range st.PendingOperations {
				ns, name := str(op.Resource.Inputs, "metadata", "namespace"), str(op.Resource.Inputs, "metadata", "name")
				if op.Type != "creating" || op.Resource.Type != quotaType || !added[ns] {
					continue
				}
				if _, err := f.c.kubectlErr(nil, "get", "resourcequota", name, "-n", ns, "-o", "name"); err == nil {
					return done
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no create of a new ResourceQuota was in flight after 3 minutes\n%s", f.logs.tail(log))
	return nil
}

func (f *faultStack) resumeControllers(t *testing.T) {
	_, p := f.c.proc(t, controllerName)
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
}

// checkpointPath is the file that holds the stack's checkpoint in the file backend.
func checkpointPath(backendDir string) (string, error) {
	paths, err := filepath.Glob(filepath.Join(backendDir, ".pulumi", "stacks", "*", stackName+".json"))
	if err != nil {
		return "", fmt.Errorf("checkpoint of stack %s in %s: %w", stackName, backendDir, err)
	}
	if len(paths) != 1 {
		return "", fmt.Errorf("want one checkpoint of stack %s in %s, found %v", stackName, backendDir, paths)
	}
	return paths[0], nil
}

// readCheckpoint reads the stack's state as the CLI last wrote it to the file backend. It
// works while an operation runs, unlike `pulumi stack export`, which would be a second CLI
// process.
func readCheckpoint(backendDir string) (stateFile, error) {
	path, err := checkpointPath(backendDir)
	if err != nil {
		return stateFile{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return stateFile{}, err
	}
	var cp struct {
		Checkpoint struct {
			Latest *stateFile `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return stateFile{}, err
	}
	if cp.Checkpoint.Latest == nil {
		return stateFile{}, nil
	}
	return *cp.Checkpoint.Latest, nil
}

// stackLocks are the lock files of the file backend: an update writes one and removes it when
// it ends, so a killed CLI leaves its lock behind.
func stackLocks(t *testing.T, backendDir string) []string {
	var locks []string
	err := filepath.WalkDir(filepath.Join(backendDir, ".pulumi", "locks"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			locks = append(locks, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return locks
}

// cliProcess returns the pid of the Pulumi CLI the Automation API is running for this test:
// a direct child of the test process, named "pulumi". The Automation API itself can only
// interrupt the CLI (SIGINT, which the engine handles gracefully); a crash needs the pid.
func cliProcess(t *testing.T) int {
	t.Helper()
	self := os.Getpid()
	var found []int
	for pid, p := range processes(t) {
		if p.ppid == self && p.comm == "pulumi" {
			found = append(found, pid)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one pulumi CLI process started by the test (pid %d), found %v", self, found)
	}
	return found[0]
}

type procInfo struct {
	ppid int
	comm string
}

// pids lists the processes in /proc.
func pids() ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, d := range entries {
		if pid, err := strconv.Atoi(d.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// processes reads every process's parent and command name from /proc.
func processes(t *testing.T) map[int]procInfo {
	t.Helper()
	all, err := pids()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]procInfo{}
	for _, pid := range all {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			continue
		}
		// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses,
		// so the fields are counted after the last closing parenthesis.
		lp, rp := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if lp < 0 || rp < lp {
			continue
		}
		fields := strings.Fields(string(stat[rp+1:]))
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		out[pid] = procInfo{ppid: ppid, comm: string(stat[lp+1 : rp])}
	}
	return out
}

// descendants are the processes below pid: the CLI's plugins (each in a process group of its
// own, so the CLI's group does not hold them).
func descendants(t *testing.T, pid int) []int {
	t.Helper()
	children := map[int][]int{}
	for p, info := range processes(t) {
		children[info.ppid] = append(children[info.ppid], p)
	}
	var out []int
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return out
}

// killPoint is a moment at which TestFaultKilledCLI kills the CLI. Each is deterministic: the
// test reaches it by waiting for a state (a create in flight) or by having strace deliver
// SIGKILL on entry to one system call on one file of the backend, whatever the machine's load.
type killPoint struct {
	name string
	// syscalls and file: strace kills the CLI on entry to the first of syscalls on file (given
	// the path of the stack's checkpoint). Empty: the test kills it while a create is in flight.
	syscalls string
	file     func(checkpoint string) string
	// unreadable: the kill leaves the checkpoint's metadata file empty, and the CLI unable to
	// read the checkpoint (failed to load checkpoint: EOF) until the runbook's repair step.
	unreadable bool
}

// killPoints are where a SIGKILL can leave the file backend in a different state. gocloud's
// fileblob driver, which the file backend uses, writes a checkpoint in three steps: the JSON
// into a temporary file, the metadata file "<checkpoint>.attrs" in place (os.Create truncates
// it, then one write fills it), and a rename of the temporary file over the checkpoint.
// A kill between the truncation and the write leaves an empty metadata file, which every later
// read of the checkpoint fails to decode (EOF); the checkpoint itself is intact.
var killPoints = []killPoint{
	{name: "create in flight"},
	{
		name:       "metadata file write",
		syscalls:   "write",
		file:       func(cp string) string { return cp + ".attrs" },
		unreadable: true,
	},
	{
		name:     "checkpoint rename",
		syscalls: "rename,renameat,renameat2",
		file:     func(cp string) string { return cp },
	},
}

// kill kills the running CLI at the kill point and returns the update's result. Its plugins
// (the Kubernetes provider) outlive it, orphaned, as after a real crash; once the update has
// returned they are ended too, by the pids recorded before the kill, so that no test leaves
// processes behind.
func (f *faultStack) kill(t *testing.T, tl tools, kp killPoint, done <-chan error) error {
	t.Helper()
	// A failure to kill: say whether the update had already ended, and how. A CLI gone before
	// strace attaches is one that was no longer running the update (seen once under load).
	returned := false
	defer func() {
		if returned || !t.Failed() {
			return
		}
		select {
		case err := <-done:
			t.Logf("the update had ended (error: %v)\n%s", err, f.logs.tail("killed-up"))
		case <-time.After(10 * time.Second):
			t.Log("the update was still running 10 s after the failure")
		}
	}()
	pid := cliProcess(t)
	plugins := descendants(t, pid)
	var tracer *killer
	var checkpoint string
	if kp.syscalls == "" {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill the CLI (pid %d): %v", pid, err)
		}
	} else {
		var err error
		if checkpoint, err = checkpointPath(f.e.backendDir); err != nil {
			t.Fatal(err)
		}
		// A failure before the update returns must not leave the CLI or its plugins running.
		defer func() {
			if t.Failed() {
				for _, p := range append([]int{pid}, plugins...) {
					_ = syscall.Kill(p, syscall.SIGKILL)
				}
			}
		}()
		tracer = attachKiller(t, tl.strace, pid, kp.syscalls, kp.file(checkpoint))
		defer func() {
			if tracer != nil {
				tracer.stop(t)
			}
		}()
		// The CLI writes its next checkpoint when a step finishes: the paused quotas' creates
		// finish once their controller runs again.
		f.resumeControllers(t)
	}
	var upErr error
	select {
	case upErr = <-done:
		returned = true
	case <-time.After(3 * time.Minute):
		t.Fatalf("the update did not end within 3 minutes of the kill (%s)", kp.name)
	}
	if tracer != nil {
		log := tracer.stop(t)
		tracer = nil
		if !killedAt(log, kp.syscalls, kp.file(checkpoint)) {
			t.Fatalf("strace did not kill the CLI on entry to %s on %s: the update ended by itself (error: %v)\n%s",
				kp.syscalls, kp.file(checkpoint), upErr, f.logs.tail("killed-up"))
		}
	}
	for _, p := range plugins {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	return upErr
}

// killer is strace attached to the CLI, set to kill it on entry to a system call on a file.
type killer struct {
	cmd *exec.Cmd
	log string
}

// attachKiller attaches strace to every thread of pid (and those it starts later), to deliver
// SIGKILL on entry to the first of syscalls (a comma-separated list) whose path or file
// descriptor is file, and waits until every thread is traced. A thread strace missed is named
// with its state; strace is then started once more (the kill point is deterministic only once
// every thread is traced), and the test fails if a thread stays untraced.
func attachKiller(t *testing.T, strace string, pid int, syscalls, file string) *killer {
	t.Helper()
	const attempts = 2
	for attempt := 1; ; attempt++ {
		k := &killer{log: filepath.Join(t.TempDir(), "strace.log")}
		k.cmd = exec.Command(strace, "-f", "-qq", "-y", "-o", k.log, "-p", strconv.Itoa(pid), "-P", file,
			"-e", "trace="+syscalls, "-e", "inject="+syscalls+":signal=KILL")
		var stderr bytes.Buffer
		k.cmd.Stderr = &stderr
		if err := k.cmd.Start(); err != nil {
			t.Fatalf("start strace: %v", err)
		}
		var untraced []string
		deadline := time.Now().Add(30 * time.Second)
		for {
			if untraced = untracedThreads(pid, k.cmd.Process.Pid); len(untraced) == 0 {
				return k
			}
			// The CLI goes on writing checkpoints while strace attaches (the new tenants'
			// other resources finish): a traced thread can reach the kill point before the
			// last thread is traced. kill checks in strace's log that strace killed it.
			if ended(pid) {
				t.Logf("the CLI (pid %d) ended while strace attached", pid)
				return k
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
		msg := fmt.Sprintf("strace (attempt %d of %d) left threads of the CLI (pid %d) untraced after 30 s: %s; strace: %q",
			attempt, attempts, pid, strings.Join(untraced, ", "), stderr.String())
		if attempt == attempts {
			t.Fatal(msg)
		}
		t.Log(msg)
	}
}

// untracedThreads names each thread of pid that tracer does not trace, with its state, or the
// reason the threads cannot be read.
func untracedThreads(pid, tracer int) []string {
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil || len(tasks) == 0 {
		return []string{fmt.Sprintf("threads unreadable (%v)", err)}
	}
	var out []string
	for _, task := range tasks {
		status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", task.Name(), "status"))
		if err != nil {
			out = append(out, task.Name()+" (gone: "+err.Error()+")")
			continue
		}
		got, state := 0, ""
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
				got, _ = strconv.Atoi(strings.TrimSpace(v))
			}
			if v, ok := strings.CutPrefix(line, "State:"); ok {
				state = strings.TrimSpace(v)
			}
		}
		if got != tracer {
			out = append(out, fmt.Sprintf("%s (%s, tracer %d)", task.Name(), state, got))
		}
	}
	return out
}

// ended says whether pid has exited: gone from /proc, or a zombie its parent has not reaped.
func ended(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return os.IsNotExist(err) || errors.Is(err, syscall.ESRCH)
	}
	rp := bytes.LastIndexByte(stat, ')')
	fields := strings.Fields(string(stat[rp+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

// killedAt says whether strace's log shows it killed the tracee on entry to one of syscalls
// (a comma-separated list) on file: that call's line, then "killed by SIGKILL". strace -y
// writes a file descriptor's path as 5</path>, a path argument as "/path".
func killedAt(log, syscalls, file string) bool {
	lines := strings.Split(log, "\n")
	for i, line := range lines {
		_, call, _ := strings.Cut(strings.TrimSpace(line), " ")
		call = strings.TrimSpace(call)
		name, _, ok := strings.Cut(call, "(")
		onFile := strings.Contains(call, strconv.Quote(file)) || strings.Contains(call, "<"+file+">")
		if !ok || !slices.Contains(strings.Split(syscalls, ","), name) || !onFile {
			continue
		}
		for _, next := range lines[i+1:] {
			if strings.Contains(next, "+++ killed by SIGKILL +++") {
				return true
			}
		}
	}
	return false
}

// stop waits for strace, which ends with its tracee, logs the system call it killed at and
// returns its log.
func (k *killer) stop(t *testing.T) string {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- k.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		_ = k.cmd.Process.Kill()
		err = <-exited
	}
	// strace ends as its tracee did: killed, so an exit error is what is expected.
	t.Logf("strace ended: %v", err)
	b, err := os.ReadFile(k.log)
	if err != nil {
		t.Logf("strace's log: %v", err)
	}
	log := strings.TrimSpace(string(b))
	t.Logf("strace:\n%s", log)
	return log
}

// TestFaultKilledCLI kills the CLI with SIGKILL in the middle of an up that adds tenants, at
// each kill point, then recovers as docs/operators/runbook-failed-deploy.md says, and checks
// that the stack converged: nothing pending, every object once in the state and on the API
// server, the objects from before the fault never deleted, a preview and a refresh that find
// nothing to do.
func TestFaultKilledCLI(t *testing.T) {
	tl := lookupTools(t)
	lookupEnv(t, "strace", map[string]*string{"E2E_STRACE": &tl.strace})
	for _, kp := range killPoints {
		t.Run(kp.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFaultStack(t, ctx, tl, nil)

			start := time.Now()
			done := f.upInBackground(t, ctx, "killed-up")
			if err := f.kill(t, tl, kp, done); err == nil {
				t.Fatal("the update whose CLI was killed reported success")
			}
			f.resumeControllers(t)
			t.Logf("timing: up until killed %s", since(start))

			crashed, err := readCheckpoint(f.e.backendDir)
			if err != nil {
				t.Fatal(err)
			}
			var pendingCreates int
			for _, op := range crashed.PendingOperations {
				t.Logf("pending after the kill: %s %s", op.Type, op.Resource.URN)
				if op.Type == "creating" {
					pendingCreates++
				}
			}
			if pendingCreates == 0 {
				t.Fatal("the killed update left no pending create: the test did not interrupt a create")
			}
			if locks := stackLocks(t, f.e.backendDir); len(locks) == 0 {
				t.Error("the killed update left no lock in the backend; the runbook's `pulumi cancel` step assumes it does")
			}
			// A kill at a random moment can also strike inside a checkpoint's write: what the
			// runbook must do follows from what the kill left, and a kill point reached by
			// strace leaves what it names.
			unreadable := emptiedMetadata(t, f.e.backendDir)
			if kp.syscalls != "" && unreadable != kp.unreadable {
				t.Errorf("the kill left the checkpoint's metadata file empty: %t, want %t", unreadable, kp.unreadable)
			}
			// The runbook quotes what the next deploy says; it stops before any change.
			want := lockedMessage
			if unreadable {
				want = unreadableMessage
			}
			if _, err := f.e.stack.Up(ctx); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("an up after the kill does not stop with %q: %v", want, err)
			}

			start = time.Now()
			rec := f.recoverInterrupted(t, ctx)
			t.Logf("timing: recovery %s: %+v", since(start), rec)
			if rec.repaired != unreadable {
				t.Errorf("the runbook's repair of the file backend ran: %t, want %t", rec.repaired, unreadable)
			}
			if rec.imported == 0 {
				t.Error("no pending create was imported, though the API server had created the ResourceQuota in flight")
			}
			if locks := stackLocks(t, f.e.backendDir); len(locks) > 0 {
				t.Errorf("locks left after `pulumi cancel`: %v", locks)
			}

			f.upConverges(t, ctx, "recovered-up", "up after the recovery")
		})
	}
}

// What the CLI says after a kill, as the runbook quotes it: a lock left behind, and (file
// backend) an emptied metadata file.
const (
	lockedMessage     = "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."
	unreadableMessage = "failed to load checkpoint: EOF"
)

// emptiedMetadata says whether the checkpoint's metadata file is empty: a kill struck between
// its truncation and its write, and the CLI cannot read the checkpoint.
func emptiedMetadata(t *testing.T, backendDir string) bool {
	t.Helper()
	cp, err := checkpointPath(backendDir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(cp + ".attrs")
	if err != nil {
		t.Fatalf("the checkpoint's metadata file: %v", err)
	}
	return info.Size() == 0
}

// repairScript is the runbook's repair of a file backend whose metadata file a killed CLI
// emptied, verbatim (TestRunbookQuotesRepair): check that the checkpoint itself parses, then
// delete (and print) the empty metadata files. fileblob reads a missing one as default
// attributes; the data files are untouched.
const repairScript = `jq -e '.checkpoint' "$BACKEND/.pulumi/stacks/developer-portal/$STACK.json" >/dev/null && echo "checkpoint intact"
find "$BACKEND/.pulumi" -name '*.attrs' -size 0 -print -delete`

// repairFileBackend runs repairScript on the stack's backend and checks that the checkpoint is
// byte for byte what it was. It returns the files deleted.
func (f *faultStack) repairFileBackend(t *testing.T) []string {
	t.Helper()
	cp, err := checkpointPath(f.e.backendDir)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", repairScript)
	cmd.Env = append(os.Environ(), "BACKEND="+f.e.backendDir, "STACK="+stackName)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the runbook's repair: %v\n%s", err, out)
	}
	deleted, ok := strings.CutPrefix(string(out), "checkpoint intact\n")
	if !ok {
		t.Fatalf("the runbook's repair did not find the checkpoint intact:\n%s", out)
	}
	after, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the repair changed the checkpoint")
	}
	return strings.Fields(deleted)
}

// TestRunbookQuotesRepair checks that the runbook gives the repair the fault test runs,
// verbatim.
func TestRunbookQuotesRepair(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operators/runbook-failed-deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```bash\n"+repairScript+"\n```") {
		t.Errorf("docs/operators/runbook-failed-deploy.md does not give the repair the fault test runs:\n%s", repairScript)
	}
}

// recovery is what the runbook's recovery did.
type recovery struct {
	// repaired: the file backend was unreadable and its emptied metadata files were deleted.
	repaired bool
	// imported and cleared count the pending creates imported and dropped.
	imported, cleared int
}

// recoverInterrupted is the runbook's recovery from an interrupted update
// (docs/operators/runbook-failed-deploy.md), step by step:
//  0. (file backend) when `pulumi cancel` fails to load the checkpoint, the emptied metadata
//     files are deleted (repairFileBackend) and `pulumi cancel` runs again;
//  1. `pulumi cancel --yes` removes the lock the dead CLI left in the backend;
//  2. `pulumi stack export` shows the pending operations;
//  3. each pending create is looked up on the API server: an object that exists is imported
//     (`--import-pending-creates <urn> --import-pending-creates <id>`), one that does not is
//     dropped (`--clear-pending-creates`); one `pulumi refresh --yes` does both, and clears
//     the pending updates and deletes as it reads their objects back.
//
// The next `pulumi up` (the caller's) then converges.
func (f *faultStack) recoverInterrupted(t *testing.T, ctx context.Context) recovery {
	t.Helper()
	e, c := f.e, f.c
	var rec recovery
	out, err := e.cli(ctx, "cancel", "--yes", "--stack", stackName)
	if err != nil && strings.Contains(out, unreadableMessage) {
		deleted := f.repairFileBackend(t)
		t.Logf("pulumi cancel said %q; the repair deleted %v", unreadableMessage, deleted)
		rec.repaired = len(deleted) > 0
		out, err = e.cli(ctx, "cancel", "--yes", "--stack", stackName)
	}
	if err != nil {
		t.Fatalf("pulumi cancel: %v\n%s", err, out)
	}
	st := e.state(t, ctx)
	var imports []optrefresh.PendingCreate
	for _, op := range st.PendingOperations {
		if op.Type != "creating" {
			continue
		}
		var r ref
		b, _ := json.Marshal(op.Resource.Inputs)
		if err := json.Unmarshal(b, &r); err != nil || r.Kind == "" {
			t.Fatalf("pending create %s: no Kubernetes object in its inputs (%v)", op.Resource.URN, err)
		}
		stub, _ := json.Marshal(r)
		_, err := c.kubectlErr(stub, "get", "-f", "-", "-o", "name")
		switch {
		case err == nil:
			imports = append(imports, optrefresh.PendingCreate{URN: op.Resource.URN, ID: providerID(r)})
		case strings.Contains(err.Error(), "NotFound"):
			rec.cleared++
		default:
			t.Fatalf("look up %s: %v", r.id(), err)
		}
	}
	opts := []optrefresh.Option{optrefresh.ClearPendingCreates(), optrefresh.ProgressStreams(f.logs.writer(t, "recovery-refresh"))}
	if len(imports) > 0 {
		opts = append(opts, optrefresh.ImportPendingCreates(imports))
	}
	if _, err := e.stack.Refresh(ctx, opts...); err != nil {
		t.Fatalf("pulumi refresh: %s\n%s", firstLine(err), f.logs.tail("recovery-refresh"))
	}
	if after := e.state(t, ctx); len(after.PendingOperations) > 0 {
		t.Fatalf("pending operations left after the refresh: %+v", after.PendingOperations)
	}
	rec.imported = len(imports)
	return rec
}

// providerID is the Kubernetes provider's id of an object: "<namespace>/<name>", or "<name>"
// for a cluster-scoped object.
func providerID(r ref) string {
	if r.Metadata.Namespace == "" {
		return r.Metadata.Name
	}
	return r.Metadata.Namespace + "/" + r.Metadata.Name
}

// TestFaultAPIServerDown kills kube-apiserver in the middle of an up that adds tenants: the
// update must fail with an error that names the unreachable API server; once the server is
// back, a plain retry of the up must converge.
func TestFaultAPIServerDown(t *testing.T) {
	tl := lookupTools(t)
	ctx := context.Background()
	f := newFaultStack(t, ctx, tl, nil)

	start := time.Now()
	done := f.upInBackground(t, ctx, "apiserver-down-up")
	f.c.kill(t, "kube-apiserver")
	f.resumeControllers(t)
	var upErr error
	select {
	case upErr = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("the update did not end within 5 minutes of the API server's death\n%s", f.logs.tail("apiserver-down-up"))
	}
	t.Logf("timing: up until it failed %s", since(start))
	if upErr == nil {
		t.Fatal("the update reported success though the API server was killed during it")
	}
	// The CLI's output, which an operator reads, must say what failed and where.
	output := upErr.Error() + "\n" + f.logs.tail("apiserver-down-up")
	host := strings.TrimPrefix(f.c.URL, "https://")
	if !strings.Contains(output, host) || !strings.Contains(output, "connection refused") {
		t.Errorf("the failed update does not say that the API server at %s refused connections:\n%s", host, output)
	}
	t.Logf("the failed update said:\n%s", f.logs.tail("apiserver-down-up"))

	f.c.restart(t, "kube-apiserver")
	f.upConverges(t, ctx, "apiserver-back-up", "up after the API server returned")
}

// upConverges runs up (its progress logged as op) and checks the stack converged; what names
// the up in the failure and the timing line.
func (f *faultStack) upConverges(t *testing.T, ctx context.Context, op, what string) {
	t.Helper()
	start := time.Now()
	res, err := f.e.stack.Up(ctx, optup.ProgressStreams(f.logs.writer(t, op)))
	if err != nil {
		t.Fatalf("%s: %s\n%s", what, firstLine(err), f.logs.tail(op))
	}
	t.Logf("timing: %s %s (%v)", what, since(start), summary(deref(res.Summary.ResourceChanges)))
	f.checkConverged(t, ctx)
}

// checkConverged asserts what a recovered stack must show.
func (f *faultStack) checkConverged(t *testing.T, ctx context.Context) {
	t.Helper()
	st := f.e.state(t, ctx)
	if len(st.PendingOperations) > 0 {
		t.Errorf("the state still has %d pending operations", len(st.PendingOperations))
	}
	urns := map[string]int{}
	for _, r := range st.Resources {
		urns[r.URN]++
	}
	objects := st.kubernetesObjects()
	ids := map[string]int{}
	for _, o := range objects {
		ids[o.id()]++
	}
	for urn, n := range urns {
		if n > 1 {
			t.Errorf("the state holds %s %d times", urn, n)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("%d resources of the state manage %s", n, id)
		}
	}
	live := f.c.readBack(t, objects)
	if len(live) != len(objects) {
		t.Errorf("the state has %d Kubernetes objects, the API server returned %d", len(objects), len(live))
	}
	now := uids(live)
	for _, tenant := range f.tenants {
		for _, id := range tenantObjects(tenant) {
			if now[id] == "" {
				t.Errorf("%s is not in both the state and the API server", id)
			}
		}
	}
	var kept, replaced int
	for id, uid := range f.before {
		switch now[id] {
		case "":
			t.Errorf("%s existed before the fault and is gone", id)
		case uid:
			kept++
		default:
			if f.replaced[id] {
				replaced++
			} else {
				t.Errorf("%s was deleted and created again (uid %s, before %s), and the change does not replace it", id, now[id], uid)
			}
		}
	}
	t.Logf("%d objects in the state and on the API server; of the %d from before the fault, %d kept their uid and %d were replaced as the change itself does",
		len(live), len(f.before), kept, replaced)

	checkNoChanges(t, ctx, f.e)
	// A refresh preview compares the state with the API server, object by object.
	start := time.Now()
	res, err := f.e.stack.PreviewRefresh(ctx)
	if err != nil {
		t.Fatalf("refresh preview: %v", err)
	}
	t.Logf("timing: refresh preview %s (%v)", since(start), summary(res.ChangeSummary))
	for op, n := range res.ChangeSummary {
		if op != "same" && n > 0 {
			t.Errorf("the state differs from the API server: a refresh would %s %d resources", op, n)
		}
	}
}

// TestFaultProtectedDestroy deploys the stack with retainNamespaces: true for the tenants and
// protects the portal's Namespace as an operator would (`pulumi state protect`). destroy
// must fail with the engine's protect error and leave the protected Namespace in the state and
// on the API server; after `pulumi state unprotect`, destroy must succeed and the tenants'
// namespaces, retained on delete, must still be on the API server (and no longer in the state).
func TestFaultProtectedDestroy(t *testing.T) {
	tl := lookupTools(t)
	ctx := context.Background()
	f := newFaultStack(t, ctx, tl, func(values map[string]any) {
		values[stack.Namespace+":tenants"].(map[string]any)["retainNamespaces"] = true
	})
	st := f.e.state(t, ctx)
	var portalNS string
	for _, r := range st.Resources {
		if r.Type == namespaceType && str(r.Outputs, "metadata", "name") == portalNamespace {
			portalNS = r.URN
		}
	}
	if portalNS == "" {
		t.Fatalf("no Namespace %s in the state", portalNamespace)
	}
	if out, err := f.e.cli(ctx, "state", "protect", portalNS, "--yes", "--stack", stackName); err != nil {
		t.Fatalf("pulumi state protect: %v\n%s", err, out)
	}

	start := time.Now()
	_, err := f.e.stack.Destroy(ctx, optdestroy.ProgressStreams(f.logs.writer(t, "protected-destroy")))
	t.Logf("timing: refused destroy %s", since(start))
	if err == nil {
		t.Fatal("destroy succeeded though the portal's Namespace is protected")
	}
	output := err.Error() + "\n" + f.logs.tail("protected-destroy")
	for _, want := range []string{"cannot be deleted", "because it is protected", "pulumi state unprotect '" + portalNS + "'"} {
		if !strings.Contains(output, want) {
			t.Errorf("the failed destroy does not say %q:\n%s", want, output)
		}
	}
	after := f.e.state(t, ctx)
	var stillProtected bool
	for _, r := range after.Resources {
		if r.URN == portalNS && r.Protect {
			stillProtected = true
		}
	}
	if !stillProtected {
		t.Errorf("%s is no longer protected in the state", portalNS)
	}
	if _, err := f.c.kubectlErr(nil, "get", "namespace", portalNamespace, "-o", "name"); err != nil {
		t.Errorf("the protected Namespace %s is gone from the API server: %v", portalNamespace, err)
	}
	t.Logf("the refused destroy left %d of %d resources in the state", len(after.Resources), len(st.Resources))

	if out, err := f.e.cli(ctx, "state", "unprotect", portalNS, "--yes", "--stack", stackName); err != nil {
		t.Fatalf("pulumi state unprotect: %v\n%s", err, out)
	}
	start = time.Now()
	if _, err := f.e.stack.Destroy(ctx, optdestroy.ProgressStreams(f.logs.writer(t, "unprotected-destroy"))); err != nil {
		t.Fatalf("destroy after unprotect: %s\n%s", firstLine(err), f.logs.tail("unprotected-destroy"))
	}
	t.Logf("timing: destroy after unprotect %s", since(start))
	if n := len(f.e.state(t, ctx).Resources); n > 0 {
		t.Errorf("the state still holds %d resources", n)
	}
	var retained []string
	for _, tenant := range f.base {
		out, err := f.c.kubectlErr(nil, "get", "namespace", tenant, "-o", "json")
		if err != nil {
			t.Errorf("tenant namespace %s, retained on delete, did not survive destroy: %v", tenant, err)
			continue
		}
		var ns object
		if err := json.Unmarshal(out, &ns); err != nil {
			t.Fatal(err)
		}
		if uid := str(ns, "metadata", "uid"); uid != f.before["Namespace/"+tenant] {
			t.Errorf("tenant namespace %s was replaced (uid %s, before %s)", tenant, uid, f.before["Namespace/"+tenant])
		}
		retained = append(retained, tenant)
	}
	sort.Strings(retained)
	t.Logf("tenant namespaces retained after destroy: %s", strings.Join(retained, ", "))
	// The portal's own Namespace is not retained (retainNamespace: false): destroy deleted it.
	if out, err := f.c.kubectlErr(nil, "get", "namespace", portalNamespace, "-o", "name"); err == nil {
		t.Errorf("the portal's Namespace, not retained, survived destroy: %s", out)
	}
}

// TestAddedTenantsAreValid checks, without any tool, that the tenants the fault tests generate
// pass the product's tenant validation next to the example tenants, and are all deployed to
// the e2e environment.
func TestAddedTenantsAreValid(t *testing.T) {
	dir, examples := e2eTenants(t)
	added := addTenants(t, dir, "fault", addedTenants)
	tenants, err := access.LoadTenants(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadStackConfig(t, dir, generateSecrets(t))
	envs, _ := cfg.values[stack.Namespace+":tenants"].(map[string]any)["environments"].([]any)
	var known []string
	for _, e := range envs {
		known = append(known, fmt.Sprint(e))
	}
	if err := access.ValidateTenants(tenants, known); err != nil {
		t.Fatalf("the generated tenants are rejected:\n%v", err)
	}
	if len(tenants) != len(examples)+len(added) {
		t.Fatalf("loaded %d tenants, want %d examples and %d generated", len(tenants), len(examples), len(added))
	}
	for _, tn := range tenants {
		if !slices.Contains(tn.Environments, tenantEnvironment) {
			t.Errorf("tenant %s is not deployed to %s: %v", tn.Name, tenantEnvironment, tn.Environments)
		}
	}
}

// TestKilledAt reads strace logs as strace writes them with -f -qq -y.
func TestKilledAt(t *testing.T) {
	const cp = "/b/.pulumi/stacks/p/e2e.json"
	for _, tc := range []struct {
		name, log string
		want      bool
	}{
		{"killed at the rename", `101 renameat(AT_FDCWD, "/b/.pulumi/stacks/p/e2e.json.tmp", AT_FDCWD, "` + cp + `") = ?
101 +++ killed by SIGKILL +++`, true},
		{"killed at a write to it", `101 write(7<` + cp + `>, "{}", 2) = ?
101 +++ killed by SIGKILL +++`, true},
		{"killed in a write, other threads first", `7501  write(24<` + cp + `>, "{\"user.cache_control\":\"\""..., 212 <unfinished ...>
7502  +++ killed by SIGKILL +++
7501  <... write resumed>)              = ?
7501  +++ killed by SIGKILL +++`, true},
		{"a write to its metadata file", `101 write(7<` + cp + `.attrs>, "{}", 2) = ?
101 +++ killed by SIGKILL +++`, false},
		{"another file", `101 renameat(AT_FDCWD, "/tmp/x", AT_FDCWD, "/tmp/y") = ?
101 +++ killed by SIGKILL +++`, false},
		{"another system call", `101 unlinkat(AT_FDCWD, "` + cp + `", 0) = ?
101 +++ killed by SIGKILL +++`, false},
		{"traced, not killed", `101 renameat(AT_FDCWD, "/b/.pulumi/stacks/p/e2e.json.tmp", AT_FDCWD, "` + cp + `") = 0
101 +++ exited with 0 +++`, false},
		{"empty log", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := killedAt(tc.log, "rename,renameat,renameat2,write", cp); got != tc.want {
				t.Errorf("killedAt = %t, want %t", got, tc.want)
			}
		})
	}
}
