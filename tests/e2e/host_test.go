package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// The host state a node changes: kubelet sets sysctls and adds iptables chains, the CNI bridge
// plugin and containerd create a bridge, network namespaces and cgroups, and both write to
// fixed directories. hostState records what was there before the node started, so that the
// node's cleanup removes exactly what is new and puts the sysctls back.

// nodeSysctls are the kernel settings kubelet (and the CNI bridge plugin) may change.
var nodeSysctls = []string{
	"vm.overcommit_memory", "vm.panic_on_oom", "kernel.panic", "kernel.panic_on_oops",
	"kernel.keys.root_maxkeys", "kernel.keys.root_maxbytes", "net.ipv4.ip_forward",
}

// nodeDirs are fixed paths a node writes to whatever its configuration says: kubelet's pod
// and container log links, the CNI plugins' cache, containerd's shim sockets, the network
// namespaces' mount points.
var nodeDirs = []string{
	"/var/lib/kubelet", "/var/log/pods", "/var/log/containers", "/var/lib/cni",
	"/run/containerd", "/run/netns", "/var/run/netns", "/etc/cni", "/opt/cni",
}

type hostState struct {
	// scope: the directories under which mounts are the node's (the fixed ones and the
	// node's own); other mounts on a shared machine are left alone.
	scope    []string
	sysctls  map[string]string
	chains   map[string]bool // "iptables -t filter KUBE-FIREWALL"
	links    map[string]bool
	cgroups  map[string]bool // top-level cgroup directories, per hierarchy
	dirs     map[string]bool
	netns    map[string]bool
	mounts   map[string]bool
	problems []string
}

var iptablesTables = []string{"filter", "nat", "mangle"}

// nodeLinkPrefixes and nodeCgroups name what the node creates: its bridge and the pods' veth
// ends; kubelet's and containerd's top-level cgroups. Only those are removed or reported, so
// that another program's links and cgroups on a shared machine are left alone.
var (
	nodeLinkPrefixes = []string{"dp-e2e", "veth"}
	nodeCgroups      = map[string]bool{"kubepods": true, "k8s.io": true, "kubepods.slice": true}
)

// recordHost records the host; dirs are the node's own directories (mounts under them are the
// node's).
func recordHost(dirs ...string) *hostState {
	h := &hostState{sysctls: map[string]string{}, dirs: map[string]bool{},
		scope: append(append([]string{}, nodeDirs...), dirs...)}
	for _, s := range nodeSysctls {
		if b, err := os.ReadFile(sysctlPath(s)); err == nil {
			h.sysctls[s] = strings.TrimSpace(string(b))
		}
	}
	h.chains = iptablesChains()
	h.links = links()
	h.cgroups = topCgroups()
	for _, d := range nodeDirs {
		if _, err := os.Lstat(d); err == nil {
			h.dirs[d] = true
		}
	}
	h.netns = netnsEntries()
	h.mounts = mountPoints(h.scope)
	return h
}

func sysctlPath(name string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(name, ".", "/"))
}

// iptablesChains lists the chains of each table, for IPv4 and IPv6.
func iptablesChains() map[string]bool {
	out := map[string]bool{}
	for _, bin := range []string{"iptables", "ip6tables"} {
		for _, table := range iptablesTables {
			b, err := exec.Command(bin, "-w", "-t", table, "-S").Output()
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && (f[0] == "-N" || f[0] == "-P") {
					out[bin+" "+table+" "+f[1]] = true
				}
			}
		}
	}
	return out
}

// links lists the network links whose names the node uses.
func links() map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir("/sys/class/net")
	for _, e := range entries {
		for _, p := range nodeLinkPrefixes {
			if strings.HasPrefix(e.Name(), p) {
				out[e.Name()] = true
			}
		}
	}
	return out
}

// topCgroups lists the node's directories directly under each cgroup hierarchy (v1: one per
// controller; v2: the one tree).
func topCgroups() map[string]bool {
	out := map[string]bool{}
	roots := []string{"/sys/fs/cgroup"}
	if hs, err := os.ReadDir("/sys/fs/cgroup"); err == nil {
		for _, h := range hs {
			roots = append(roots, filepath.Join("/sys/fs/cgroup", h.Name()))
		}
	}
	for _, r := range roots {
		entries, err := os.ReadDir(r)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() && nodeCgroups[e.Name()] {
				out[filepath.Join(r, e.Name())] = true
			}
		}
	}
	return out
}

func netnsEntries() map[string]bool {
	out := map[string]bool{}
	for _, d := range []string{"/run/netns", "/var/run/netns"} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			out[filepath.Join(d, e.Name())] = true
		}
	}
	return out
}

// mountPoints are the mount points of the test's mount namespace under the scope's directories.
func mountPoints(scope []string) map[string]bool {
	out := map[string]bool{}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return out
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) <= 4 {
			continue
		}
		m := unescapeMount(fields[4])
		for _, d := range scope {
			if m == d || strings.HasPrefix(m, d+"/") {
				out[m] = true
			}
		}
	}
	return out
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// restore undoes what is new since the record, in the order that lets each step succeed:
// mounts, network namespaces, links, iptables chains, cgroups, directories, then sysctls.
// Processes are stopped by the node before this runs.
func (h *hostState) restore() {
	// Mounts under new directories or the node's own directories, deepest first.
	var mounts []string
	for m := range mountPoints(h.scope) {
		if !h.mounts[m] {
			mounts = append(mounts, m)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	for _, m := range mounts {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			h.problem("umount %s: %v", m, err)
		}
	}
	for ns := range netnsEntries() {
		if !h.netns[ns] {
			_ = syscall.Unmount(ns, syscall.MNT_DETACH)
			if err := os.Remove(ns); err != nil {
				h.problem("remove network namespace %s: %v", ns, err)
			}
		}
	}
	for l := range links() {
		if !h.links[l] {
			if out, err := exec.Command("ip", "link", "delete", l).CombinedOutput(); err != nil {
				// A veth's peer goes with its network namespace: it may be gone already.
				if _, statErr := os.Stat(filepath.Join("/sys/class/net", l)); statErr == nil {
					h.problem("ip link delete %s: %v: %s", l, err, out)
				}
			}
		}
	}
	h.restoreChains()
	var cgroups []string
	for cg := range topCgroups() {
		if !h.cgroups[cg] {
			cgroups = append(cgroups, cg)
		}
	}
	for _, cg := range cgroups {
		if err := removeCgroup(cg); err != nil {
			h.problem("%v", err)
		}
	}
	for _, d := range nodeDirs {
		if h.dirs[d] {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			h.problem("remove %s: %v", d, err)
		}
	}
	for s, v := range h.sysctls {
		b, err := os.ReadFile(sysctlPath(s))
		if err == nil && strings.TrimSpace(string(b)) == v {
			continue
		}
		if err := os.WriteFile(sysctlPath(s), []byte(v), 0o644); err != nil {
			h.problem("restore sysctl %s=%s: %v", s, v, err)
		}
	}
}

// restoreChains deletes the rules that jump to a new chain, then the new chains.
func (h *hostState) restoreChains() {
	now := iptablesChains()
	for _, bin := range []string{"iptables", "ip6tables"} {
		for _, table := range iptablesTables {
			var added []string
			for key := range now {
				f := strings.Fields(key)
				if f[0] == bin && f[1] == table && !h.chains[key] {
					added = append(added, f[2])
				}
			}
			if len(added) == 0 {
				continue
			}
			isNew := map[string]bool{}
			for _, c := range added {
				isNew[c] = true
			}
			b, err := exec.Command(bin, "-w", "-t", table, "-S").Output()
			if err != nil {
				h.problem("%s -t %s -S: %v", bin, table, err)
				continue
			}
			// Rules in the chains that were there before which jump to a new chain.
			for _, line := range strings.Split(string(b), "\n") {
				f := strings.Fields(line)
				if len(f) < 2 || f[0] != "-A" || isNew[f[1]] {
					continue
				}
				jumps := false
				for i := 0; i+1 < len(f); i++ {
					if (f[i] == "-j" || f[i] == "-g") && isNew[f[i+1]] {
						jumps = true
					}
				}
				if jumps {
					args := append([]string{"-w", "-t", table, "-D"}, f[1:]...)
					if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
						h.problem("%s %s: %v: %s", bin, strings.Join(args, " "), err, out)
					}
				}
			}
			for _, c := range added {
				_ = exec.Command(bin, "-w", "-t", table, "-F", c).Run()
			}
			for _, c := range added {
				if out, err := exec.Command(bin, "-w", "-t", table, "-X", c).CombinedOutput(); err != nil {
					h.problem("%s -t %s -X %s: %v: %s", bin, table, c, err, out)
				}
			}
		}
	}
}

// removeCgroup removes a cgroup directory and its children, deepest first (a cgroup directory
// is removed with rmdir once no process is in it).
func removeCgroup(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeCgroup(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := syscall.Rmdir(dir); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("rmdir cgroup %s: %w", dir, err)
	}
	return nil
}

func (h *hostState) problem(format string, args ...any) {
	h.problems = append(h.problems, fmt.Sprintf(format, args...))
}

// diff compares the host with the record: what is left over or changed.
func (h *hostState) diff() []string {
	var out []string
	now := recordHost(h.scope...)
	for s, v := range h.sysctls {
		if now.sysctls[s] != v {
			out = append(out, fmt.Sprintf("sysctl %s is %s, was %s", s, now.sysctls[s], v))
		}
	}
	add := func(what string, before, after map[string]bool) {
		for k := range after {
			if !before[k] {
				out = append(out, fmt.Sprintf("%s %s is new", what, k))
			}
		}
	}
	add("iptables chain", h.chains, now.chains)
	add("link", h.links, now.links)
	add("cgroup", h.cgroups, now.cgroups)
	add("directory", h.dirs, now.dirs)
	add("network namespace", h.netns, now.netns)
	add("mount", h.mounts, now.mounts)
	sort.Strings(out)
	return out
}
