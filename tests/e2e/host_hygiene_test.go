package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostRestore makes the kinds of host change a node makes (an iptables chain with a rule
// jumping to it from a chain that was there before, a bridge, a directory, a changed sysctl)
// and checks that the node's clean-up removes them and reports the host as it was. It needs
// root and iptables; it is skipped otherwise.
func TestHostRestore(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changes the host's iptables, links and sysctls: needs root")
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables not installed")
	}
	const chain, link, sysctl = "DP-E2E-RESTORE-TEST", "dp-e2e-rt0", "kernel.panic"
	dir := "/var/lib/cni"
	if _, err := os.Stat(dir); err == nil {
		t.Skipf("%s exists on this machine: the test would not see it removed", dir)
	}
	h := recordHost()
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
	}
	// A chain that only returns, jumped to from FORWARD: traffic is unchanged.
	run("iptables", "-w", "-t", "filter", "-N", chain)
	run("iptables", "-w", "-t", "filter", "-A", chain, "-j", "RETURN")
	run("iptables", "-w", "-t", "filter", "-A", "FORWARD", "-s", "192.0.2.123/32", "-j", chain)
	run("ip", "link", "add", link, "type", "bridge")
	if err := os.MkdirAll(filepath.Join(dir, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	was := h.sysctls[sysctl]
	next := "0"
	if was == "0" {
		next = "10"
	}
	if err := os.WriteFile(sysctlPath(sysctl), []byte(next), 0o644); err != nil {
		t.Fatal(err)
	}
	diff := h.diff()
	for _, want := range []string{"iptables chain iptables filter " + chain, "link " + link, "directory " + dir, "sysctl " + sysctl} {
		found := false
		for _, d := range diff {
			found = found || strings.HasPrefix(d, want)
		}
		if !found {
			t.Errorf("the record does not see %q: %v", want, diff)
		}
	}
	h.restore()
	for _, p := range h.problems {
		t.Errorf("restore: %s", p)
	}
	if d := h.diff(); len(d) > 0 {
		t.Errorf("after restore the host still differs: %v", d)
	}
	if out, _ := exec.Command("iptables", "-w", "-t", "filter", "-S", "FORWARD").Output(); strings.Contains(string(out), chain) {
		t.Errorf("FORWARD still jumps to %s:\n%s", chain, out)
	}
}
