package tests

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/portal"
)

// dockerStage is one FROM … section of a Dockerfile: its base and its instructions.
type dockerStage struct {
	from  string
	instr [][2]string // instruction (upper case), arguments
}

// parseDockerfile reads instructions (joining continued lines, skipping comments) into stages.
func parseDockerfile(t *testing.T, path string) []dockerStage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only
	var stages []dockerStage
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || (l == "" && line == "") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			line += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		line += l
		ins, args, _ := strings.Cut(line, " ")
		line = ""
		ins = strings.ToUpper(ins)
		if ins == "FROM" {
			stages = append(stages, dockerStage{from: strings.Fields(args)[0]})
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("%s: %s before the first FROM", path, ins)
		}
		s := &stages[len(stages)-1]
		s.instr = append(s.instr, [2]string{ins, strings.TrimSpace(args)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return stages
}

func (s dockerStage) last(ins string) (string, bool) {
	for i := len(s.instr) - 1; i >= 0; i-- {
		if s.instr[i][0] == ins {
			return s.instr[i][1], true
		}
	}
	return "", false
}

// TestDockerfileMatchesDeployment: there is no Docker engine in CI, so the image's contract with
// the Deployment portal/ generates is checked on the Dockerfile itself.
func TestDockerfileMatchesDeployment(t *testing.T) {
	const path = "app/Dockerfile"
	stages := parseDockerfile(t, path)
	if len(stages) < 2 {
		t.Fatalf("%s: %d stages, want a multi-stage build", path, len(stages))
	}
	final := stages[len(stages)-1]
	for i, s := range stages {
		if !strings.HasPrefix(s.from, "node:24") && !isStageName(stages[:i], s.from, path) {
			t.Errorf("stage %d: FROM %s, want Node 24 (node:24…) or an earlier stage", i, s.from)
		}
	}

	// The command: CMD in exec form equals the Deployment's command + args, and no
	// ENTRYPOINT prefixes it (the Deployment's command replaces an ENTRYPOINT, so an image
	// that needs one would start differently in the cluster).
	if ep, ok := final.last("ENTRYPOINT"); ok {
		t.Errorf("final stage has ENTRYPOINT %s; the Deployment's command would replace it", ep)
	}
	cmdText, ok := final.last("CMD")
	if !ok {
		t.Fatalf("final stage has no CMD")
	}
	var cmd []string
	if err := json.Unmarshal([]byte(cmdText), &cmd); err != nil {
		t.Fatalf("CMD %s is not the exec (JSON) form: %v", cmdText, err)
	}
	want := append(append([]string{}, portal.Command...), portal.ContainerArgs()...)
	if !reflect.DeepEqual(cmd, want) {
		t.Errorf("CMD %q, the Deployment runs %q", cmd, want)
	}

	// The user: numeric (runAsNonRoot can only verify a numeric user) and the one the
	// Deployment sets.
	user, ok := final.last("USER")
	if !ok {
		t.Fatalf("final stage has no USER: the image would run as root")
	}
	uid, gid, _ := strings.Cut(user, ":")
	if uid != strconv.Itoa(portal.DefaultRunAsID) || (gid != "" && gid != strconv.Itoa(portal.DefaultRunAsID)) {
		t.Errorf("USER %s, the Deployment runs as %d:%d", user, portal.DefaultRunAsID, portal.DefaultRunAsID)
	}

	// The files the command names exist, relative to the WORKDIR.
	workdir, _ := final.last("WORKDIR")
	if workdir != "/app" {
		t.Errorf("WORKDIR %q, want /app (the command's relative paths)", workdir)
	}
	for _, arg := range portal.Command {
		if strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "packages/") {
			if _, err := os.Stat(filepath.Join("app", arg)); err != nil {
				t.Errorf("the command names %s, which app/ lacks: %v", arg, err)
			}
		}
	}
	// The read-only root filesystem: nothing in the final stage may expect to write at run
	// time outside the Deployment's mounts (VOLUME would be an undeclared writable path).
	if v, ok := final.last("VOLUME"); ok {
		t.Errorf("final stage declares VOLUME %s; the Deployment mounts only /etc/backstage, /catalog and /tmp", v)
	}
	exposed, _ := final.last("EXPOSE")
	for _, port := range []int{7007, portal.DefaultMetricsPort} {
		if !strings.Contains(" "+exposed+" ", " "+strconv.Itoa(port)+" ") {
			t.Errorf("EXPOSE %q lacks %d", exposed, port)
		}
	}
}

func isStageName(earlier []dockerStage, name, path string) bool {
	// Stages are named with FROM … AS name; parseDockerfile keeps only the base, so the
	// names are read again here.
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return strings.Contains(strings.ToLower(string(b)), " as "+strings.ToLower(name)+"\n") && len(earlier) > 0
}
