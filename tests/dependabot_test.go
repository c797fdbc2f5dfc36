package tests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/coreeng/developer-portal/github"
)

// TestDependabotDefaultsExist: the Dependabot file the GitHub component writes by default
// points at directories of this repository that hold what each ecosystem reads.
func TestDependabotDefaultsExist(t *testing.T) {
	for _, c := range []struct{ dir, file string }{
		{github.DefaultDockerDirectory, "Dockerfile"},
		{github.DefaultNPMDirectory, "package.json"},
		{github.DefaultNPMDirectory, "yarn.lock"},
		{github.DefaultNPMDirectory, "backstage.json"},
	} {
		p := filepath.Join("."+c.dir, c.file)
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Dependabot directory %s: %v", c.dir, err)
		}
	}
}
