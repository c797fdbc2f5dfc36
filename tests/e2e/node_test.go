package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// A real node on this machine, joined to a test's control plane: containerd (Debian's, with
// runc and the CNI bridge plugin), kubelet and kube-scheduler (built like kube-apiserver). Pods
// get addresses on a bridge of their own with no route beyond it: the host reaches them, they
// reach the host's bridge address, and nothing else.
const (
	realNodeName = "developer-portal-e2e-node"
	nodeBridge   = "dp-e2e0"
	podSubnet    = "10.244.0.0/24"
	// podGateway is the host's address on the bridge: what pods reach the host's services at.
	podGateway = "10.244.0.1"
	// The Services' addresses on a real node's control plane (serviceRange): the pod subnet's
	// upper half, which the node's IPAM leaves out; the kubernetes Service takes the first.
	nodeServiceRange = "10.244.0.128/25"
	nodeAPIServiceIP = "10.244.0.129"
	lastPodIP        = "10.244.0.127"
	cniBinDir        = "/usr/lib/cni"
	// criNamespace is containerd's namespace for CRI (kubelet's) images and containers.
	criNamespace = "k8s.io"
)

// nodeControllers are the kube-controller-manager controllers a real node needs beyond the
// harness's usual ones and the workload ones: nodelifecycle lifts the node's not-ready taint
// once it reports Ready (nothing schedules before), disruption keeps PodDisruptionBudgets'
// status.
const nodeControllers = "nodelifecycle,disruption,root-ca-cert-publisher"

// nodeTools are the parts of a real node, beyond the control plane's tools.
type nodeTools struct {
	kubelet, scheduler     string
	containerd, ctr        string
	pauseImage, pauseArchv string
	portalImage, portalArc string
	pgBin                  string
}

func lookupNodeTools(t *testing.T) nodeTools {
	t.Helper()
	var nt nodeTools
	lookupEnv(t, "the real node", map[string]*string{
		"E2E_KUBELET":             &nt.kubelet,
		"E2E_KUBE_SCHEDULER":      &nt.scheduler,
		"E2E_PAUSE_IMAGE":         &nt.pauseImage,
		"E2E_PAUSE_IMAGE_ARCHIVE": &nt.pauseArchv,
		"PORTAL_IMAGE":            &nt.portalImage,
		"PORTAL_IMAGE_ARCHIVE":    &nt.portalArc,
		"PG_BIN":                  &nt.pgBin,
	})
	if os.Geteuid() != 0 {
		t.Skip("the real node needs root (containerd, runc, kubelet): run .ci/e2e as root or through sudo")
	}
	for _, bin := range []struct {
		name string
		dst  *string
	}{{"containerd", &nt.containerd}, {"ctr", &nt.ctr}} {
		p, err := exec.LookPath(bin.name)
		if err != nil {
			t.Skipf("the real node needs %s (Debian's containerd package; .ci/image installs it)", bin.name)
		}
		*bin.dst = p
	}
	if _, err := os.Stat(filepath.Join(cniBinDir, "bridge")); err != nil {
		t.Skipf("the real node needs the CNI bridge plugin in %s (containernetworking-plugins)", cniBinDir)
	}
	return nt
}

// realNode is a running node; stop (registered as a cleanup) ends every process it started
// and undoes its host changes.
type realNode struct {
	c       *cluster
	tl      nodeTools
	dir     string
	sock    string
	host    *hostState
	procs   []*process
	stopped bool
}

// startRealNode records the host, starts containerd, imports the pause and portal images,
// starts kubelet and kube-scheduler, and waits until the node is Ready and schedulable. The
// control plane must run nodeControllers and workloadControllers.
func startRealNode(t *testing.T, c *cluster, nt nodeTools) *realNode {
	t.Helper()
	n := &realNode{c: c, tl: nt, dir: t.TempDir()}
	n.host = recordHost(n.dir)
	n.sock = filepath.Join(n.dir, "containerd.sock")
	t.Cleanup(func() { n.stop(t) })

	start := time.Now()
	n.ip(t, "link", "add", nodeBridge, "type", "bridge")
	n.ip(t, "addr", "add", podGateway+"/24", "dev", nodeBridge)
	n.ip(t, "link", "set", nodeBridge, "up")
	// What a kube-proxy gives pods: the kubernetes Service's address (KUBERNETES_SERVICE_HOST)
	// reaches the API server, here through a forwarder on the bridge (the API server listens
	// on loopback only).
	n.ip(t, "addr", "add", nodeAPIServiceIP+"/32", "dev", nodeBridge)
	forwardTCP(t, net.JoinHostPort(nodeAPIServiceIP, "443"), strings.TrimPrefix(c.URL, "https://"))

	cniDir := filepath.Join(n.dir, "cni")
	mkdir(t, cniDir)
	// The bridge and no gateway: pods get a route to the bridge's subnet only.
	writeJSON(t, filepath.Join(cniDir, "10-developer-portal-e2e.conflist"), map[string]any{
		"cniVersion": "0.4.0",
		"name":       "developer-portal-e2e",
		"plugins": []any{map[string]any{
			"type": "bridge", "bridge": nodeBridge, "isGateway": false, "ipMasq": false, "hairpinMode": true,
			"ipam": map[string]any{
				"type":    "host-local",
				"ranges":  [][]map[string]string{{{"subnet": podSubnet, "gateway": podGateway, "rangeEnd": lastPodIP}}},
				"dataDir": filepath.Join(n.dir, "cni-ipam"),
			},
		}},
	})

	cfg := map[string]any{
		"version": 2,
		"root":    filepath.Join(n.dir, "containerd", "root"),
		"state":   filepath.Join(n.dir, "containerd", "state"),
		"grpc":    map[string]any{"address": n.sock},
		"ttrpc":   map[string]any{"address": n.sock + ".ttrpc"},
		"disabled_plugins": []string{"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
			"io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"},
		"plugins": map[string]any{
			"io.containerd.grpc.v1.cri": map[string]any{
				"sandbox_image": nt.pauseImage,
				// No CAP_SYS_RESOURCE here: containerd must not lower a container's OOM score.
				"restrict_oom_score_adj": true,
				"containerd": map[string]any{
					"snapshotter":          "overlayfs",
					"default_runtime_name": "runc",
					"runtimes": map[string]any{"runc": map[string]any{
						"runtime_type": "io.containerd.runc.v2",
						"options":      map[string]any{"SystemdCgroup": false},
					}},
				},
				"cni": map[string]any{"bin_dir": cniBinDir, "conf_dir": cniDir},
			},
			"io.containerd.internal.v1.opt": map[string]any{"path": filepath.Join(n.dir, "containerd", "opt")},
		},
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		t.Fatal(err)
	}
	containerdConfig := filepath.Join(n.dir, "containerd.toml")
	writeFile(t, containerdConfig, buf.String())
	n.spawn(t, "containerd", nt.containerd, "--config", containerdConfig)
	n.waitFor(t, "containerd", 60*time.Second, func() error {
		_, err := n.ctrErr("version")
		return err
	})
	for _, archive := range []string{nt.pauseArchv, nt.portalArc} {
		t0 := time.Now()
		n.ctr(t, "images", "import", archive)
		t.Logf("timing: imported %s in %s", filepath.Base(filepath.Dir(archive))+"/"+filepath.Base(archive), since(t0))
	}

	kubeletDir := filepath.Join(n.dir, "kubelet")
	mkdir(t, kubeletDir)
	kubeletConfig := filepath.Join(n.dir, "kubelet.yaml")
	port, _ := strconv.Atoi(freePort(t))
	healthz, _ := strconv.Atoi(freePort(t))
	writeYAML(t, kubeletConfig, map[string]any{
		"apiVersion":         "kubelet.config.k8s.io/v1beta1",
		"kind":               "KubeletConfiguration",
		"address":            "127.0.0.1",
		"port":               port,
		"readOnlyPort":       0,
		"healthzBindAddress": "127.0.0.1",
		"healthzPort":        healthz,
		"authentication": map[string]any{
			"anonymous": map[string]any{"enabled": false},
			"webhook":   map[string]any{"enabled": true},
			"x509":      map[string]any{"clientCAFile": filepath.Join(c.dir, "pki", "ca.crt")},
		},
		"authorization":            map[string]any{"mode": "Webhook"},
		"containerRuntimeEndpoint": "unix://" + n.sock,
		"imageServiceEndpoint":     "unix://" + n.sock,
		// containerd 1.6 cannot tell kubelet its cgroup driver: kubelet uses this one.
		"cgroupDriver": "cgroupfs",
		"failCgroupV1": false,
		"failSwapOn":   false,
		// cadvisor cannot measure this machine's disk: no local storage accounting, no
		// disk-based eviction, no image garbage collection.
		"localStorageCapacityIsolation": false,
		"evictionHard":                  map[string]string{"memory.available": "100Mi"},
		"imageGCHighThresholdPercent":   100,
		"protectKernelDefaults":         false,
		// No KUBE-FIREWALL or canary chains: fewer changes to the host's iptables.
		"makeIPTablesUtilChains": false,
		"podLogsDir":             filepath.Join(n.dir, "pod-logs"),
		"resolvConf":             "/etc/resolv.conf",
		"maxPods":                20,
		"serializeImagePulls":    false,
	})
	n.spawn(t, "kubelet", nt.kubelet,
		"--config="+kubeletConfig,
		"--kubeconfig="+c.Kubeconfig,
		"--hostname-override="+realNodeName,
		"--root-dir="+kubeletDir,
		"--cert-dir="+filepath.Join(kubeletDir, "pki"),
		"--v=1",
	)
	n.spawn(t, "kube-scheduler", nt.scheduler,
		"--kubeconfig="+c.Kubeconfig,
		"--authentication-kubeconfig="+c.Kubeconfig,
		"--authorization-kubeconfig="+c.Kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port="+freePort(t),
	)
	n.waitFor(t, "a Ready, untainted node", 3*time.Minute, func() error {
		out, err := c.kubectlErr(nil, "get", "node", realNodeName, "-o", "json")
		if err != nil {
			return err
		}
		var node object
		if err := json.Unmarshal(out, &node); err != nil {
			return err
		}
		ready := false
		conds, _ := get(node, "status", "conditions").([]any)
		for _, cond := range conds {
			if str(cond, "type") == "Ready" && str(cond, "status") == "True" {
				ready = true
			}
		}
		if !ready {
			return fmt.Errorf("not Ready")
		}
		if taints, _ := get(node, "spec", "taints").([]any); len(taints) > 0 {
			return fmt.Errorf("tainted: %v", taints)
		}
		return nil
	})
	n.reportEphemeralStorage(t)
	t.Logf("timing: node %s Ready and schedulable %s after its start", realNodeName, since(start))
	return n
}

// reportEphemeralStorage gives the Node the ephemeral-storage capacity kubelet cannot measure
// here (cadvisor cannot read this machine's disk, so local storage accounting is off), the
// size of the file system holding the node's directory: the scheduler refuses a pod that
// requests ephemeral storage, as the portal's does, from a node that reports none. kubelet keeps
// the value on its later status updates.
func (n *realNode) reportEphemeralStorage(t *testing.T) {
	t.Helper()
	out := n.c.kubectl(t, nil, "get", "node", realNodeName, "-o", "jsonpath={.status.allocatable.ephemeral-storage}")
	if len(bytes.TrimSpace(out)) > 0 {
		return
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(n.dir, &fs); err != nil {
		t.Fatal(err)
	}
	size := strconv.FormatUint(fs.Blocks*uint64(fs.Bsize), 10)
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{
		"capacity":    map[string]string{"ephemeral-storage": size},
		"allocatable": map[string]string{"ephemeral-storage": size},
	}})
	n.c.kubectl(t, nil, "patch", "node", realNodeName, "--subresource=status", "--type=merge", "-p", string(patch))
	t.Logf("node %s: ephemeral-storage capacity %s bytes (the file system of %s)", realNodeName, size, n.dir)
}

// spawn starts one of the node's processes, logging to <dir>/<name>.log of the cluster.
func (n *realNode) spawn(t *testing.T, name, bin string, args ...string) {
	t.Helper()
	n.procs = append(n.procs, n.c.spawn(t, name, bin, args))
}

func (n *realNode) checkAlive(t *testing.T) {
	t.Helper()
	for _, p := range n.procs {
		select {
		case <-p.done:
			t.Fatalf("%s exited:\n%s", p.name, tail(p.log, 40))
		default:
		}
	}
}

// waitFor polls check every half second until it passes, failing the test after timeout with
// its last error.
func (n *realNode) waitFor(t *testing.T, what string, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		n.checkAlive(t)
		if err = check(); err == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("waited %s for %s: %v\n%s", timeout, what, err, n.logTails())
}

func (n *realNode) logTails() string {
	var b strings.Builder
	for _, p := range n.procs {
		fmt.Fprintf(&b, "--- %s:\n%s\n", p.name, tail(p.log, 15))
	}
	return b.String()
}

// ip runs ip(8), for the node's bridge and its addresses.
func (n *realNode) ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func (n *realNode) ctr(t *testing.T, args ...string) string {
	t.Helper()
	out, err := n.ctrErr(args...)
	if err != nil {
		t.Fatalf("ctr %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (n *realNode) ctrErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, n.tl.ctr, append([]string{"--address", n.sock, "--namespace", criNamespace}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: %s", err, stderr.String())
	}
	return stdout.String(), nil
}

// tasks are containerd's running containers (pod sandboxes included): id to host PID.
func (n *realNode) tasks() (map[string]int, error) {
	out, err := n.ctrErr("tasks", "ls")
	if err != nil {
		return nil, err
	}
	tasks := map[string]int{}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 3 {
			continue
		}
		pid, _ := strconv.Atoi(f[1])
		if f[2] == "RUNNING" || f[2] == "PAUSED" {
			tasks[f[0]] = pid
		}
	}
	return tasks, nil
}

// stop ends the node: pods the test left behind are deleted through the API server (kubelet
// tears their containers and network down), kubelet and the scheduler stop, containers still
// running are killed, containerd and its shims stop, then the host is put back as it was. It
// fails the test if the host differs from before.
func (n *realNode) stop(t *testing.T) {
	if n.stopped {
		return
	}
	n.stopped = true
	if out, err := n.c.kubectlErr(nil, "get", "pods", "--all-namespaces", "-o", "name"); err == nil && len(bytes.TrimSpace(out)) > 0 {
		_, _ = n.c.kubectlErr(nil, "delete", "pods", "--all-namespaces", "--all", "--grace-period=0", "--force", "--wait=false")
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if tasks, err := n.tasks(); err != nil || len(tasks) == 0 {
				break
			}
			time.Sleep(time.Second)
		}
	}
	for i := len(n.procs) - 1; i >= 0; i-- {
		p := n.procs[i]
		if p.name == "containerd" {
			// Containers outlive kubelet: kill what is left before containerd stops.
			if tasks, err := n.tasks(); err == nil {
				for id, pid := range tasks {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					_, _ = n.ctrErr("tasks", "delete", "--force", id)
				}
			}
			if out, err := n.ctrErr("containers", "ls", "-q"); err == nil {
				for _, id := range strings.Fields(out) {
					_, _ = n.ctrErr("containers", "delete", id)
				}
			}
		}
		stopProcess(p)
	}
	// Each container's shim runs on after containerd: those of this node's socket.
	for _, pid := range shimsOf(n.sock) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	n.host.restore()
	for _, p := range n.host.problems {
		t.Errorf("host clean-up: %s", p)
	}
	if diff := n.host.diff(); len(diff) > 0 {
		t.Errorf("the host differs from before the node started:\n%s", strings.Join(diff, "\n"))
	}
}

func stopProcess(p *process) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// shimsOf returns the PIDs of the containerd shims serving the containerd at sock.
func shimsOf(sock string) []int {
	var shims []int
	all, _ := pids()
	for _, pid := range all {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) == 0 || !strings.HasPrefix(filepath.Base(args[0]), "containerd-shim") {
			continue
		}
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-address" && args[i+1] == sock {
				shims = append(shims, pid)
			}
		}
	}
	return shims
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

// forwardTCP accepts connections on listen and copies each to and from a new connection to
// target, until the test ends.
func forwardTCP(t *testing.T, listen, target string) {
	t.Helper()
	l, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatalf("forwarder on %s: %v", listen, err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			for _, pair := range [][2]net.Conn{{in, out}, {out, in}} {
				go func(dst, src net.Conn) {
					_, _ = io.Copy(dst, src)
					_ = dst.Close()
					_ = src.Close()
				}(pair[0], pair[1])
			}
		}
	}()
}
