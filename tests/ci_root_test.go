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
// GitHub-hosted runner. Root is needed only to install Debian packages, and only .ci/apt-install
// does that: no other script calls apt-get, dpkg or sudo itself.
func TestCIScriptsInstallOnlyThroughAptInstall(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(root, ".ci", "*"))
	if err != nil {
		t.Fatal(err)
	}
	// A command word (at the start of a line or a subshell, after an operator, then, do or else,
	// or in a command substitution), not a mention in a comment or a message.
	command := regexp.MustCompile(`(^\(?|[;&|{]|\$\(|\bthen|\bdo|\belse)\s*(sudo|apt-get|apt|dpkg)\b`)
	checked := 0
	for _, path := range scripts {
		name := filepath.Base(path)
		if name == "apt-install" {
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

// .ci/apt-install under stand-ins for id, sudo and apt-get (first on PATH), so each identity is
// tried whoever runs the test: root uses apt-get directly, a user with passwordless sudo goes
// through `sudo -n`, and anyone else gets an error naming the packages and what is needed,
// before apt-get runs.
func TestAptInstallAsRootOrThroughSudo(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	// The real commands that apt-install and the stand-ins run, linked beside the stand-ins.
	reals := map[string]string{}
	for _, name := range []string{"env", "true"} {
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
	id := func(uid string) string { return "#!/bin/sh\n[ \"$1\" = -u ] && echo " + uid + "\n" }
	tests := []struct {
		name    string
		stubs   map[string]string // command name -> script; env and true are the real ones
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
			cmd := exec.Command(bash, filepath.Join(root, ".ci", "apt-install"), "etcd-server", "shellcheck")
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
