package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// heavyPackages each cost minutes of compile time and gigabytes of compiler memory (measured
// here: +2.7 minutes cold and 2.8 → 5.1 GB peak for the two together). Resources of theirs are
// taken as IDs in configuration instead.
var heavyPackages = []string{
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2",
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute",
}

// TestCompileWeight fails when any package of the module depends on a heavy SDK package.
func TestCompileWeight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		deps[strings.TrimSpace(line)] = true
	}
	if len(deps) < 50 {
		t.Fatalf("go list returned only %d packages; the guard would prove nothing", len(deps))
	}
	for _, heavy := range heavyPackages {
		if deps[heavy] {
			t.Errorf("the module imports %s: take those resources' IDs as configuration instead", heavy)
		}
	}
}
