package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
	"testing"
	"time"
)

// kubeScoreCritical is kube-score's grade for a critical finding.
const kubeScoreCritical = 1

// suppression is one line of the suppression list:
//
//	<check id> <object: Kind/namespace/name or Kind/name, glob allowed>: <reason>
type suppression struct {
	line          int
	check, target string
	reason        string
	used          bool
}

func loadSuppressions(t *testing.T, file string) []*suppression {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []*suppression
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, reason, ok := strings.Cut(line, ": ")
		fields := strings.Fields(head)
		if !ok || len(fields) != 2 || strings.TrimSpace(reason) == "" {
			t.Fatalf("%s:%d: want \"<check id> <Kind/namespace/name>: <reason>\", got %q", file, n, line)
		}
		if _, err := path.Match(fields[1], ""); err != nil {
			t.Fatalf("%s:%d: bad object pattern: %v", file, n, err)
		}
		out = append(out, &suppression{line: n, check: fields[0], target: fields[1], reason: strings.TrimSpace(reason)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type kubeScoreObject struct {
	TypeMeta struct {
		Kind string `json:"kind"`
	} `json:"type_meta"`
	ObjectMeta struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"object_meta"`
	Checks []struct {
		Check struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"check"`
		Grade    int  `json:"grade"`
		Skipped  bool `json:"skipped"`
		Comments []struct {
			Path    string `json:"path"`
			Summary string `json:"summary"`
		} `json:"comments"`
	} `json:"checks"`
}

// runKubeScore scores the objects as the API server returned them. Every critical finding must
// match a suppression (which names its reason), and every suppression must still match a
// finding, so the list never outlives the problem it excuses. kube-score's own ignore
// annotations are disabled: only the list in the repository can suppress.
func runKubeScore(t *testing.T, bin string, live []object, suppressionsFile string) {
	t.Helper()
	sups := loadSuppressions(t, suppressionsFile)
	var docs bytes.Buffer
	for _, o := range live {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		docs.WriteString("---\n")
		docs.Write(b)
		docs.WriteString("\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "score", "--output-format", "json", "--kubernetes-version", "v1.34",
		"--disable-ignore-checks-annotations", "-")
	cmd.Stdin = &docs
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// kube-score exits 1 when it finds a critical problem; the findings are judged below.
	if err := cmd.Run(); err != nil && stdout.Len() == 0 {
		t.Fatalf("kube-score: %v: %s", err, stderr.String())
	}
	var scored []kubeScoreObject
	if err := json.Unmarshal(stdout.Bytes(), &scored); err != nil {
		t.Fatalf("kube-score output: %v\n%s", err, stdout.String())
	}
	var unsuppressed, suppressed []string
	checks := 0
	for _, o := range scored {
		id := o.TypeMeta.Kind + "/" + o.ObjectMeta.Name
		if o.ObjectMeta.Namespace != "" {
			id = o.TypeMeta.Kind + "/" + o.ObjectMeta.Namespace + "/" + o.ObjectMeta.Name
		}
		for _, c := range o.Checks {
			checks++
			if c.Skipped || c.Grade > kubeScoreCritical {
				continue
			}
			var why []string
			for _, cm := range c.Comments {
				why = append(why, strings.TrimSpace(cm.Path+" "+cm.Summary))
			}
			finding := fmt.Sprintf("%s %s: %s", c.Check.ID, id, strings.Join(why, "; "))
			if s := match(sups, c.Check.ID, id); s != nil {
				s.used = true
				suppressed = append(suppressed, fmt.Sprintf("%s (suppressed: %s)", finding, s.reason))
				continue
			}
			unsuppressed = append(unsuppressed, finding)
		}
	}
	sort.Strings(suppressed)
	sort.Strings(unsuppressed)
	t.Logf("kube-score: %d objects, %d checks, %d critical findings suppressed", len(scored), checks, len(suppressed))
	for _, s := range suppressed {
		t.Logf("  %s", s)
	}
	for _, f := range unsuppressed {
		t.Errorf("kube-score CRITICAL %s", f)
	}
	for _, s := range sups {
		if !s.used {
			t.Errorf("%s:%d: suppression %s %s matches no finding: remove it", suppressionsFile, s.line, s.check, s.target)
		}
	}
}

func match(sups []*suppression, check, id string) *suppression {
	for _, s := range sups {
		if s.check != check {
			continue
		}
		if ok, _ := path.Match(s.target, id); ok {
			return s
		}
	}
	return nil
}
