package tests

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var pinnedAction = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$`)

// TestReleaseWorkflow checks the release path's guarantees in .github/workflows/release.yml:
// actions pinned by commit, no permission by default, pull requests build without registry
// rights, main pushes by digest with SBOM and provenance, signs, and proposes the digest for
// the image repository the stack files deploy.
func TestReleaseWorkflow(t *testing.T) {
	wf := readWorkflow(t, "release.yml")
	if wf.Permissions == nil || len(*wf.Permissions) != 0 {
		t.Errorf("top-level permissions %v, want {} (each job asks for its own)", wf.Permissions)
	}
	for name, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" && !pinnedAction.MatchString(s.Uses) {
				t.Errorf("job %s: %q is not pinned by a full commit SHA", name, s.Uses)
			}
		}
	}
	build, publish, promote := wf.Jobs["build"], wf.Jobs["publish"], wf.Jobs["promote-dev"]
	if !strings.Contains(build.If, "pull_request") || len(build.Permissions) != 1 || build.Permissions["contents"] != "read" {
		t.Errorf("build job: if %q, permissions %v; want pull requests only, contents: read only", build.If, build.Permissions)
	}
	for _, s := range build.Steps {
		if strings.HasPrefix(s.Uses, "docker/build-push-action@") && s.With["push"] != false {
			t.Errorf("the pull-request build pushes: push = %v", s.With["push"])
		}
		if strings.HasPrefix(s.Uses, "docker/login-action@") {
			t.Error("the pull-request build logs in to a registry")
		}
	}
	if !strings.Contains(publish.If, "push") || publish.Permissions["packages"] != "write" || publish.Permissions["id-token"] != "write" {
		t.Errorf("publish job: if %q, permissions %v", publish.If, publish.Permissions)
	}
	var pushed, signed bool
	for _, s := range publish.Steps {
		if strings.HasPrefix(s.Uses, "docker/build-push-action@") {
			out, _ := s.With["outputs"].(string)
			pushed = strings.Contains(out, "push-by-digest=true") && strings.Contains(out, "push=true") &&
				s.With["sbom"] == true && strings.HasPrefix(s.With["provenance"].(string), "mode=")
		}
		if strings.Contains(s.Run, "cosign sign") && strings.Contains(s.Run, "@$DIGEST") {
			signed = true
		}
	}
	if !pushed || !signed {
		t.Errorf("publish job: pushed by digest with SBOM and provenance %v, signed by digest %v", pushed, signed)
	}
	var proposes bool
	for _, s := range promote.Steps {
		if strings.Contains(s.Run, `.config["developer-portal:portal"].image`) && strings.Contains(s.Run, "Pulumi.dev.yaml") &&
			strings.Contains(s.Run, "gh pr create") {
			proposes = true
		}
	}
	if !proposes || promote.Permissions["pull-requests"] != "write" || len(promote.Permissions) != 2 {
		t.Errorf("promote-dev job: proposes the digest %v, permissions %v", proposes, promote.Permissions)
	}

	// The image the workflow publishes is the one the stack files deploy.
	for _, stackFile := range []string{"Pulumi.dev.yaml", "Pulumi.prod.yaml"} {
		var portalCfg struct {
			Image string `json:"image"`
		}
		if err := json.Unmarshal([]byte(loadStack(t, stackFile).src.Values["developer-portal:portal"]), &portalCfg); err != nil {
			t.Fatalf("%s: developer-portal:portal: %v", stackFile, err)
		}
		image := portalCfg.Image
		repo, _, _ := strings.Cut(strings.Split(image, "@")[0], ":")
		if image == "" || (repo != wf.Env["IMAGE"] && !strings.HasPrefix(image, wf.Env["IMAGE"]+":")) {
			t.Errorf("%s deploys %q, the release workflow publishes %s", stackFile, image, wf.Env["IMAGE"])
		}
	}
}
