package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	build, publish := wf.Jobs["build"], wf.Jobs["publish"]
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
	// The scanner runs, pinned, on the pushed digest before the signature: an image with a
	// fixable critical vulnerability is never signed, so never deployed.
	var pushed, signed, scanned bool
	grype := regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	if v := wf.Env["GRYPE_VERSION"]; !grype.MatchString(v) {
		t.Errorf("GRYPE_VERSION %q is not a pinned version", v)
	}
	for _, s := range publish.Steps {
		if strings.Contains(s.Run, `grype "registry:$IMAGE@$DIGEST"`) && strings.Contains(s.Run, "--only-fixed") &&
			strings.Contains(s.Run, "--fail-on critical") && !signed {
			scanned = true
		}
		if strings.HasPrefix(s.Uses, "docker/build-push-action@") {
			out, _ := s.With["outputs"].(string)
			pushed = strings.Contains(out, "push-by-digest=true") && strings.Contains(out, "push=true") &&
				s.With["sbom"] == true && strings.HasPrefix(s.With["provenance"].(string), "mode=")
		}
		if strings.Contains(s.Run, "cosign sign") && strings.Contains(s.Run, "@$DIGEST") {
			signed = true
		}
	}
	if !pushed || !signed || !scanned {
		t.Errorf("publish job: pushed by digest with SBOM and provenance %v, scanned before signing %v, signed by digest %v", pushed, scanned, signed)
	}
	// The promotion pull requests are opened with the release App's token (GITHUB_TOKEN's
	// start no check), scoped to this repository; dev's by release.yml, prod's by deploy.yml
	// once dev has deployed.
	for _, p := range []struct {
		file, job, from, to string
	}{
		{"release.yml", "promote-dev", "Pulumi.dev.yaml", "Pulumi.dev.yaml"},
		{"deploy.yml", "promote-prod", "Pulumi.dev.yaml", "Pulumi.prod.yaml"},
	} {
		w := wf
		if p.file != "release.yml" {
			w = readWorkflow(t, p.file)
		}
		j := w.Jobs[p.job]
		var token, proposes bool
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/create-github-app-token@") && s.With["app-id"] == "${{ vars.RELEASE_APP_ID }}" &&
				s.With["repositories"] == "${{ github.event.repository.name }}" {
				token = true
			}
			if strings.Contains(s.Run, ".github/scripts/propose-image "+p.from+" "+p.to) && s.Env["GH_TOKEN"] == "${{ steps.release-app.outputs.token }}" {
				proposes = true
			}
		}
		if !token || !proposes || j.Environment != "release" || len(j.Permissions) != 1 || j.Permissions["contents"] != "read" ||
			strings.Contains(w.raw, "GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}") {
			t.Errorf("%s %s: App token %v, proposes %s for %s %v, environment %q, permissions %v",
				p.file, p.job, token, p.from, p.to, proposes, j.Environment, j.Permissions)
		}
	}
	if needs, _ := readWorkflow(t, "deploy.yml").Jobs["promote-prod"].Needs.(string); needs != "dev" {
		t.Error("promote-prod does not wait for dev's deploy")
	}
	script, err := os.ReadFile(filepath.Join(root, ".github", "scripts", "propose-image"))
	if err != nil || !strings.Contains(string(script), `.config["developer-portal:portal"].image = strenv(IMAGE)`) ||
		!strings.Contains(string(script), "gh pr create") {
		t.Errorf("propose-image does not set portal.image by a structured edit and open a pull request (%v)", err)
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
