package backstagee2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// techdocsWorkflow is the workflow that builds and publishes the Core Platform docs; the
// browser test runs its generate and S3 publish commands as written there.
const techdocsWorkflow = "../../.github/workflows/techdocs.yml"

// techdocsCLI is the TechDocs CLI the test runs: the package tests/backstage/techdocs-cli pins
// (the workflow's TECHDOCS_CLI_VERSION; a test compares them), installed by .ci/backstage.
type techdocsCLI struct {
	node, pkgDir string
}

// workflowCommand is one `run:` of the workflow, split into words, its variables expanded.
type workflowCommand struct {
	step string
	args []string
}

// techdocsCommands reads the workflow's Generate and "Publish to S3" commands and expands them
// with vars (the workflow's env, the GitHub context and the environment's variables).
func techdocsCommands(t *testing.T, vars map[string]string) (generate, publish workflowCommand, cliVersion string) {
	t.Helper()
	var wf struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, techdocsWorkflow)), &wf); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{}
	for k, v := range wf.Env {
		all[k] = v
	}
	for k, v := range vars {
		all[k] = v
	}
	cliVersion = wf.Env["TECHDOCS_CLI_VERSION"]
	if cliVersion == "" {
		t.Fatalf("%s sets no TECHDOCS_CLI_VERSION", techdocsWorkflow)
	}
	for _, s := range wf.Jobs["publish"].Steps {
		switch s.Name {
		case "Generate":
			generate = workflowCommand{s.Name, shellWords(t, s.Run, all)}
		case "Publish to S3":
			publish = workflowCommand{s.Name, shellWords(t, s.Run, all)}
		}
	}
	if generate.args == nil || publish.args == nil {
		t.Fatalf("%s: the publish job lacks the Generate or the \"Publish to S3\" step", techdocsWorkflow)
	}
	return generate, publish, cliVersion
}

var workflowVar = regexp.MustCompile(`\$\{\{\s*vars\.([A-Z_]+)\s*\}\}|\$\{([A-Z_]+)\}`)

// shellWords splits a workflow command the way bash would for the forms the workflow uses
// (words, double-quoted words, ${VAR} and ${{ vars.VAR }}); an unknown variable fails the test.
func shellWords(t *testing.T, cmd string, vars map[string]string) []string {
	t.Helper()
	cmd = workflowVar.ReplaceAllStringFunc(cmd, func(m string) string {
		sub := workflowVar.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		v, ok := vars[name]
		if !ok {
			t.Fatalf("workflow command %q uses %s, which the test does not set", cmd, name)
		}
		return v
	})
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range cmd {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\n' || r == '\t') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", cmd)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// run runs a workflow command with the installed CLI in place of `npx --yes
// @techdocs/cli@<version>`, after checking that the installed CLI is that version; extra flags
// (what only a loopback run needs) come last.
func (c techdocsCLI) run(t *testing.T, cmd workflowCommand, version, dir string, env []string, extra ...string) {
	t.Helper()
	npx := []string{"npx", "--yes", "@techdocs/cli@" + version}
	if len(cmd.args) < len(npx) || strings.Join(cmd.args[:len(npx)], " ") != strings.Join(npx, " ") {
		t.Fatalf("workflow step %q does not run %v: %v", cmd.step, npx, cmd.args)
	}
	var pkg struct {
		Version string `json:"version"`
		Bin     any    `json:"bin"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(c.pkgDir, "package.json"))), &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Version != version {
		t.Fatalf("installed @techdocs/cli is %s, the workflow runs %s: update tests/backstage/techdocs-cli", pkg.Version, version)
	}
	args := append([]string{filepath.Join(c.pkgDir, "bin", "techdocs-cli")}, cmd.args[len(npx):]...)
	args = append(args, extra...)
	ex := exec.Command(c.node, args...)
	ex.Dir = dir
	ex.Env = env
	start := time.Now()
	out, err := ex.CombinedOutput()
	t.Logf("timing: techdocs-cli %s %.1fs", cmd.args[len(npx)], time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("workflow step %q (%v): %v\n%s", cmd.step, args[1:], err, lastLines(string(out), 40))
	}
}

// copyDocsSource copies what the workflow's checkout gives the generate step (mkdocs.yml and
// docs/) into a fresh directory: techdocs-cli edits mkdocs.yml in place.
func copyDocsSource(t *testing.T, to string) {
	t.Helper()
	root := "../.."
	writeFile(t, filepath.Join(to, "mkdocs.yml"), readFile(t, filepath.Join(root, "mkdocs.yml")))
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(to, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(fmt.Errorf("copy docs: %w", err))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
