package techdocs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
	"gopkg.in/yaml.v3"
)

// The workflow publishes under the entity this package emits, with the publisher types the
// portal is configured with: a mismatch would leave the portal's Docs tab empty.
func TestWorkflowPublishesTheEntity(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "techdocs.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On          map[string]any     `yaml:"on"`
		Permissions *map[string]string `yaml:"permissions"`
		Env         map[string]string  `yaml:"env"`
		Jobs        map[string]struct {
			Environment string            `yaml:"environment"`
			Permissions map[string]string `yaml:"permissions"`
			Steps       []struct {
				If   string            `yaml:"if"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Env["TECHDOCS_ENTITY"] != PublishEntity {
		t.Errorf("workflow publishes under %q, the entity is %q", wf.Env["TECHDOCS_ENTITY"], PublishEntity)
	}
	// Least privilege per job: the workflow grants nothing (an absent key would grant the
	// repository's default token permissions), each job only what it uses.
	if wf.Permissions == nil || len(*wf.Permissions) != 0 {
		t.Errorf("workflow-level permissions = %v, want {}", wf.Permissions)
	}
	for name, j := range wf.Jobs {
		if len(j.Permissions) == 0 {
			t.Errorf("job %s declares no permissions", name)
		}
	}
	j, ok := wf.Jobs["publish"]
	if !ok {
		t.Fatal("no job publish")
	}
	if j.Environment == "" {
		t.Error("the publish job names no GitHub environment: the stack writes the variables there")
	}
	if j.Permissions["id-token"] != "write" || j.Permissions["contents"] != "read" {
		t.Errorf("publish permissions = %v", j.Permissions)
	}
	for _, cloud := range []string{cloud.GCP, cloud.AWS} {
		var publish string
		for _, s := range j.Steps {
			for k := range s.With {
				if strings.Contains(strings.ToLower(k), "key") || strings.Contains(strings.ToLower(k), "secret") {
					t.Errorf("a step passes a credential input %q: publishing must use OIDC only", k)
				}
			}
			if strings.Contains(s.Run, " publish") && strings.Contains(s.If, "'"+cloud+"'") {
				publish = s.Run
			}
		}
		want := []string{"--publisher-type " + PublisherType(cloud), `--entity "${TECHDOCS_ENTITY}"`, "vars.TECHDOCS_BUCKET"}
		for _, w := range want {
			if !strings.Contains(publish, w) {
				t.Errorf("the %s publish step lacks %q:\n%s", cloud, w, publish)
			}
		}
	}
	if strings.Contains(string(raw), "secrets.") {
		t.Error("the workflow reads a repository secret; it must authenticate with OIDC only")
	}
}

// mkdocs.yml lists every page and nothing else, and declares no plugin (techdocs-cli adds
// techdocs-core; the strict CI build runs without it).
func TestMkDocsNav(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "mkdocs.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg["plugins"]; ok {
		t.Error("mkdocs.yml declares plugins; the strict build without techdocs-core would differ")
	}
	if cfg["site_name"] != "Core Platform" {
		t.Errorf("site_name = %v", cfg["site_name"])
	}
	inNav := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch n := v.(type) {
		case []any:
			for _, e := range n {
				walk(e)
			}
		case map[string]any:
			for _, e := range n {
				walk(e)
			}
		case string:
			inNav[n] = true
		}
	}
	walk(cfg["nav"])
	onDisk := map[string]bool{}
	err = filepath.WalkDir(filepath.Join("..", "docs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(filepath.Join("..", "docs"), p)
			onDisk[filepath.ToSlash(rel)] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range onDisk {
		if !inNav[p] {
			t.Errorf("docs/%s is not in the nav", p)
		}
	}
	for p := range inNav {
		if !onDisk[p] {
			t.Errorf("the nav names %s, which does not exist", p)
		}
	}
	if len(onDisk) < 10 {
		t.Errorf("only %d pages", len(onDisk))
	}
	// No placeholder text slipped into the pages.
	placeholder := regexp.MustCompile(`(?i)\b(TODO|TBD|lorem ipsum|FIXME)\b`)
	for p := range onDisk {
		body, _ := os.ReadFile(filepath.Join("..", "docs", p))
		if m := placeholder.Find(body); m != nil {
			t.Errorf("docs/%s contains %q", p, m)
		}
	}
}
