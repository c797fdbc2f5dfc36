package backstagee2e

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// offlineTemplate is the "Request a tenancy" template as the catalog serves it, parameters and
// rendering steps unchanged, without its publish:* steps and the output that refers to them:
// publish:github:pull-request calls the GitHub API even in dry-run mode (for the App's
// installation token), which these tests cannot reach.
type offlineTemplate struct {
	entity  map[string]any
	skipped []string                  // the publish actions taken out
	publish map[string]map[string]any // their inputs, by action
}

func templateWithoutPublishing(t *testing.T, api *client) offlineTemplate {
	t.Helper()
	tmpl := api.rawEntity("template/default/request-a-tenancy")
	spec, ok := tmpl["spec"].(map[string]any)
	if !ok {
		t.Fatalf("the template is not in the catalog: %v", tmpl)
	}
	o := offlineTemplate{entity: tmpl, publish: map[string]map[string]any{}}
	var steps []any
	for _, s := range spec["steps"].([]any) {
		step := s.(map[string]any)
		if action, _ := step["action"].(string); strings.HasPrefix(action, "publish:") {
			o.skipped = append(o.skipped, action)
			o.publish[action], _ = step["input"].(map[string]any)
			continue
		}
		steps = append(steps, s)
	}
	spec["steps"], spec["output"] = steps, map[string]any{}
	return o
}

// dryRun runs the template with values through the scaffolder's dry-run API, the skeleton file
// given as the template's directory, and returns the response's status and body.
func (o offlineTemplate) dryRun(api *client, skeleton file, values map[string]any) (int, []byte) {
	return api.status("POST", "/api/scaffolder/v2/dry-run", map[string]any{
		"template": o.entity, "values": values,
		"directoryContents": []map[string]string{{
			"path": skeleton.path, "base64Content": base64.StdEncoding.EncodeToString([]byte(skeleton.data)),
		}},
	}, true)
}

// dryRunResult is a successful dry run: the steps' log and the files they wrote.
type dryRunResult struct {
	Log []struct {
		Body struct {
			Message string `json:"message"`
			StepID  string `json:"stepId"`
			Status  string `json:"status"`
		} `json:"body"`
	} `json:"log"`
	DirectoryContents []struct {
		Path          string `json:"path"`
		Base64Content string `json:"base64Content"`
	} `json:"directoryContents"`
}

func decodeDryRun(t *testing.T, body []byte) dryRunResult {
	t.Helper()
	var res dryRunResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// file is the content of the written file whose base name is name; nil when there is none.
func (r dryRunResult) file(name string) []byte {
	var out []byte
	for _, f := range r.DirectoryContents {
		if filepath.Base(f.Path) == name {
			out, _ = base64.StdEncoding.DecodeString(f.Base64Content)
		}
	}
	return out
}
