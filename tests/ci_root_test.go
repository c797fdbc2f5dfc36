package tests

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The CI scripts run as root in a container and as a user with passwordless sudo on a
// GitHub-hosted runner. Root is needed for three things only, each behind one script: Debian
// packages (.ci/apt-install), and the image build and the real node (.ci/as-root, called by
// .ci/image and .ci/e2e alone). No other script calls apt-get, dpkg or sudo itself, and no
// other script asks for root.
func TestCIScriptsInstallOnlyThroughAptInstall(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(root, ".ci", "*"))
	if err != nil {
		t.Fatal(err)
	}
	// A command word (at the start of a line or a subshell, after an operator, then, do or else,
	// or in a command substitution), not a mention in a comment or a message.
	command := regexp.MustCompile(`(^\(?|[;&|{]|\$\(|\bthen|\bdo|\belse)\s*(sudo|apt-get|apt|dpkg)\b`)
	asRoot := regexp.MustCompile(`\.ci/as-root\b`)
	mayAskForRoot := map[string]bool{"image": true, "e2e": true}
	if _, err := os.Stat(filepath.Join(root, ".ci", "as-root")); err != nil {
		t.Fatalf(".ci/as-root: %v", err)
	}
	checked := 0
	for _, path := range scripts {
		name := filepath.Base(path)
		if name == "apt-install" || name == "as-root" {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "#") {
				continue
			}
			if m := command.FindStringSubmatch(line); m != nil {
				t.Errorf(".ci/%s:%d runs %s itself; install packages with `bash .ci/apt-install PACKAGE...`: %s", name, n, m[2], line)
			}
			if asRoot.MatchString(line) && !mayAskForRoot[name] {
				t.Errorf(".ci/%s:%d runs a command as root; only the image build and the real node need it: %s", name, n, line)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("checked %d scripts in .ci/, want the CI scripts (run, backstage, e2e, lint, ...)", checked)
	}
}

// .ci/apt-install and .ci/as-root under stand-ins for id, sudo and apt-get (first on PATH), so
// each identity is tried whoever runs the test: root runs the command directly, a user with
// passwordless sudo goes through `sudo -n`, and anyone else gets an error naming the packages
// or the command and what is needed, before anything runs.
func TestAptInstallAsRootOrThroughSudo(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	// The real commands that apt-install and the stand-ins run, linked beside the stand-ins.
	reals := map[string]string{}
	for _, name := range []string{"env", "true", "basename"} {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s not found", name)
		}
		reals[name] = path
	}
	const aptGet = `#!/bin/sh
echo "apt-get $*" >> "$LOG"
`
	const sudoOK = `#!/bin/sh
echo "sudo $*" >> "$LOG"
[ "$1" = -n ] || { echo "sudo without -n" >&2; exit 1; }
shift
exec "$@"
`
	// sudo that would ask for a password: -n makes it fail instead.
	const sudoPassword = `#!/bin/sh
echo "sudo $*" >> "$LOG"
echo "sudo: a password is required" >&2
exit 1
`
	// The command as-root runs in the cases below (the real node's test binary, in .ci/e2e).
	const nodeTest = `#!/bin/sh
echo "node-test $*" >> "$LOG"
`
	id := func(uid string) string { return "#!/bin/sh\n[ \"$1\" = -u ] && echo " + uid + "\n" }
	aptInstall := []string{"apt-install", "etcd-server", "shellcheck"}
	asRoot := []string{"as-root", "node-test", "-test.run", "TestPortalOnRealNode"}
	tests := []struct {
		name    string
		args    []string          // the script in .ci/ and its arguments; apt-install's when nil
		stubs   map[string]string // command name -> script; env, true and basename are the real ones
		wantRC  int
		wantLog []string // lines the stand-ins record, in order
		wantErr []string // substrings of stderr
	}{
		{
			name:  "root: apt-get directly",
			stubs: map[string]string{"id": id("0"), "apt-get": aptGet, "sudo": sudoOK},
			wantLog: []string{
				"apt-get -o DPkg::Lock::Timeout=600 update -qq",
				"apt-get -o DPkg::Lock::Timeout=600 install -y -qq etcd-server shellcheck",
			},
		},
		{
			name:  "user with passwordless sudo: sudo -n apt-get",
			stubs: map[string]string{"id": id("1001"), "apt-get": aptGet, "sudo": sudoOK},
			wantLog: []string{
				"sudo -n true",
				"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq",
				"apt-get -o DPkg::Lock::Timeout=600 update -qq",
				"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq etcd-server shellcheck",
				"apt-get -o DPkg::Lock::Timeout=600 install -y -qq etcd-server shellcheck",
			},
		},
		{
			name:    "user whose sudo asks for a password: refused, apt-get never runs",
			stubs:   map[string]string{"id": id("1001"), "apt-get": aptGet, "sudo": sudoPassword},
			wantRC:  1,
			wantLog: []string{"sudo -n true"},
			wantErr: []string{"missing packages: etcd-server shellcheck", "needs root", "passwordless sudo"},
		},
		{
			name:    "user without sudo: refused, apt-get never runs",
			stubs:   map[string]string{"id": id("1001"), "apt-get": aptGet},
			wantRC:  1,
			wantErr: []string{"missing packages: etcd-server shellcheck", "needs root", "passwordless sudo"},
		},
		{
			name:  "root, no recommended packages (the image build's tools)",
			args:  []string{"apt-install", "--no-install-recommends", "buildah"},
			stubs: map[string]string{"id": id("0"), "apt-get": aptGet},
			wantLog: []string{
				"apt-get -o DPkg::Lock::Timeout=600 update -qq",
				"apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends buildah",
			},
		},
		{
			name:    "as-root, root: the command directly",
			args:    asRoot,
			stubs:   map[string]string{"id": id("0"), "sudo": sudoOK, "node-test": nodeTest},
			wantLog: []string{"node-test -test.run TestPortalOnRealNode"},
		},
		{
			name:  "as-root, user with passwordless sudo: sudo -n",
			args:  asRoot,
			stubs: map[string]string{"id": id("1001"), "sudo": sudoOK, "node-test": nodeTest},
			wantLog: []string{
				"sudo -n true",
				"sudo -n node-test -test.run TestPortalOnRealNode",
				"node-test -test.run TestPortalOnRealNode",
			},
		},
		{
			name:    "as-root, user whose sudo asks for a password: refused, the command never runs",
			args:    asRoot,
			stubs:   map[string]string{"id": id("1001"), "sudo": sudoPassword, "node-test": nodeTest},
			wantRC:  1,
			wantLog: []string{"sudo -n true"},
			wantErr: []string{"node-test needs root", "passwordless sudo"},
		},
		{
			name:    "as-root, user without sudo: refused, the command never runs",
			args:    asRoot,
			stubs:   map[string]string{"id": id("1001"), "node-test": nodeTest},
			wantRC:  1,
			wantErr: []string{"node-test needs root", "passwordless sudo"},
		},
		{
			name:    "no apt-get",
			stubs:   map[string]string{"id": id("0"), "sudo": sudoOK},
			wantRC:  1,
			wantErr: []string{"missing packages: etcd-server shellcheck", "apt-get is not on this machine"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			// PATH is this directory only: a real sudo or apt-get on the machine cannot be reached.
			for name, path := range reals {
				if err := os.Symlink(path, filepath.Join(bin, name)); err != nil {
					t.Fatal(err)
				}
			}
			for name, script := range tc.stubs {
				if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			log := filepath.Join(dir, "log")
			args := tc.args
			if args == nil {
				args = aptInstall
			}
			cmd := exec.Command(bash, append([]string{filepath.Join(root, ".ci", args[0])}, args[1:]...)...)
			cmd.Env = []string{"PATH=" + bin, "LOG=" + log}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			rc := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				rc = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if rc != tc.wantRC {
				t.Errorf("exit code %d, want %d; stderr: %s", rc, tc.wantRC, stderr.String())
			}
			raw, err := os.ReadFile(log)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			var got []string
			if s := strings.TrimSpace(string(raw)); s != "" {
				got = strings.Split(s, "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tc.wantLog, "\n") {
				t.Errorf("commands run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantLog, "\n"))
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr does not say %q: %s", want, stderr.String())
				}
			}
		})
	}
}
