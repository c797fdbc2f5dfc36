package backstagee2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
	"gopkg.in/yaml.v3"
)

// TestVersionsBumpRunsOnTheApp runs Backstage's upgrade command, `backstage-cli versions:bump`
// (docs/operators/upgrading.md), on a copy of app/ as it is committed: it reads yarn.lock and
// the workspaces, moves every @backstage package to the release's version, updates
// backstage.json and names the breaking moves. The release manifest is written by the test
// (BACKSTAGE_MANIFEST_FILE, the command's own offline input) because versions.backstage.io is
// out of reach here: the lockfile's versions, with one package moved to a next minor. Yarn's
// install, which the real upgrade runs next, is skipped (it needs the registry's newer
// packages).
func TestVersionsBumpRunsOnTheApp(t *testing.T) {
	nodeBin := backstageNode(t, "to run Backstage's CLI")
	app, err := filepath.Abs(appDir)
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(app, "node_modules/@backstage/cli/bin/backstage-cli")
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("@backstage/cli missing: run `yarn install --immutable` in app/ (.ci/backstage does): %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "yarn.lock", ".yarnrc.yml", "backstage.json", "packages/app/package.json", "packages/backend/package.json"} {
		writeFile(t, filepath.Join(dir, f), readFile(t, filepath.Join(appDir, f)))
	}
	releases, err := filepath.Glob(filepath.Join(appDir, ".yarn/releases/*.cjs"))
	if err != nil || len(releases) != 1 {
		t.Fatalf("app/.yarn/releases: want one Yarn release, got %v (%v)", releases, err)
	}
	release := filepath.Join(dir, ".yarn/releases", filepath.Base(releases[0]))
	writeFile(t, release, readFile(t, releases[0]))
	// The command asks `yarn --version` which Yarn the project uses: the committed release.
	bin := filepath.Join(dir, "bin")
	writeFile(t, filepath.Join(bin, "yarn"), "#!/bin/sh\nexec "+nodeBin+" "+release+" \"$@\"\n")
	if err := os.Chmod(filepath.Join(bin, "yarn"), 0o755); err != nil {
		t.Fatal(err)
	}

	locked := lockedBackstageVersions(t, filepath.Join(dir, "yarn.lock"))
	const moved, next, nextRelease = "@backstage/plugin-events-backend", "0.99.0", "1.99.0"
	from := locked[moved]
	if from == "" {
		t.Fatalf("yarn.lock does not lock %s", moved)
	}
	type pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	manifest := struct {
		ReleaseVersion string `json:"releaseVersion"`
		Packages       []pkg  `json:"packages"`
	}{ReleaseVersion: nextRelease}
	for name, v := range locked {
		if name == moved {
			v = next
		}
		manifest.Packages = append(manifest.Packages, pkg{name, v})
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "manifest.json"), string(raw))

	cmd := exec.Command(nodeBin, cli, "versions:bump", "--skip-install", "--skip-migrate")
	cmd.Dir = dir
	cmd.Env = append(minimalEnv(), "PATH="+bin+":"+filepath.Dir(nodeBin)+":/usr/bin:/bin",
		"BACKSTAGE_MANIFEST_FILE="+filepath.Join(dir, "manifest.json"), "NO_COLOR=1", "FORCE_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("versions:bump: %v\n%s", err, out)
	}
	log := string(out)
	for _, want := range []string{"Version bump complete!", moved + " : " + from + " ~> " + next} {
		if !strings.Contains(log, want) {
			t.Errorf("versions:bump output lacks %q:\n%s", want, log)
		}
	}

	// Every @backstage dependency of every workspace now asks for the release's version.
	checked := 0
	for _, ws := range []string{".", "packages/app", "packages/backend"} {
		var pj map[string]any
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, ws, "package.json"))), &pj); err != nil {
			t.Fatal(err)
		}
		for _, section := range []string{"dependencies", "devDependencies"} {
			deps, _ := pj[section].(map[string]any)
			for name, rng := range deps {
				if !strings.HasPrefix(name, "@backstage/") {
					continue
				}
				want := "^" + locked[name]
				if name == moved {
					want = "^" + next
				}
				if rng != want {
					t.Errorf("%s %s %s = %v after the bump, want %s", ws, section, name, rng, want)
				}
				checked++
			}
		}
	}
	var bs struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "backstage.json"))), &bs); err != nil || bs.Version != nextRelease {
		t.Errorf("backstage.json after the bump: %+v (%v), want version %s", bs, err, nextRelease)
	}
	t.Logf("versions:bump moved %d @backstage dependencies of 3 workspaces to the release's versions", checked)
}

// lockedBackstageVersions reads the version yarn.lock resolves each @backstage package to; of a
// package locked at two versions (two ranges that no one version satisfies), the highest, as a
// release manifest names one version of each package.
func lockedBackstageVersions(t *testing.T, path string) map[string]string {
	t.Helper()
	var lock map[string]struct {
		Version string `yaml:"version"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, path)), &lock); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for key, e := range lock {
		for _, d := range strings.Split(key, ",") {
			d = strings.TrimSpace(d)
			name, _, ok := strings.Cut(strings.TrimPrefix(d, "@"), "@npm:")
			if !ok || !strings.HasPrefix(d, "@backstage/") {
				continue
			}
			name = "@" + name
			if prev := out[name]; prev == "" || semver.Compare("v"+e.Version, "v"+prev) > 0 {
				out[name] = e.Version
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s locks no @backstage package", path)
	}
	return out
}
