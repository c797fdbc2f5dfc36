package tests

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// githubSection is the part of a stack's developer-portal:github the App checks read.
type githubSection struct {
	App struct {
		AppID    string `json:"appId"`
		ClientID string `json:"clientId"`
	} `json:"app"`
	Variables  map[string]string `json:"variables"`
	Protection struct {
		BypassActors []struct {
			ActorID int `json:"actorId"`
		} `json:"bypassActors"`
	} `json:"protection"`
}

func githubOf(t *testing.T, file string) githubSection {
	t.Helper()
	var g githubSection
	if err := json.Unmarshal([]byte(loadStack(t, file).src.Values["developer-portal:github"]), &g); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return g
}

// dev and prod hold separate GitHub credentials: dev's secrets are read by unreviewed
// pull-request previews and dev deploys without approval, so nothing of dev may act as prod.
// Each deploying App is a bypass actor of the ruleset, to commit its environment's files.
func TestStacksUseSeparateGitHubApps(t *testing.T) {
	dev, prod := githubOf(t, "Pulumi.dev.yaml"), githubOf(t, "Pulumi.prod.yaml")
	if dev.App.AppID == prod.App.AppID || dev.App.ClientID == prod.App.ClientID {
		t.Errorf("dev and prod share the portal's GitHub App %s (%s)", dev.App.AppID, dev.App.ClientID)
	}
	if dev.Variables["DEPLOY_APP_ID"] == "" || dev.Variables["DEPLOY_APP_ID"] == prod.Variables["DEPLOY_APP_ID"] {
		t.Errorf("dev and prod share the deploying App %q", dev.Variables["DEPLOY_APP_ID"])
	}
	bypass := map[string]bool{}
	for _, b := range prod.Protection.BypassActors {
		bypass[strconv.Itoa(b.ActorID)] = true
	}
	for _, g := range []githubSection{dev, prod} {
		if !bypass[g.Variables["DEPLOY_APP_ID"]] {
			t.Errorf("deploying App %s is not a bypass actor of the ruleset", g.Variables["DEPLOY_APP_ID"])
		}
	}
}

// The installation tokens of the deploy and drift jobs are scoped to the repositories the stack
// writes, computed from its plan: dev writes only the portal's repository; prod also grants
// the tenants' teams their repositories.
func TestGitHubRepositoriesOfStacks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	for stack, want := range map[string][]string{
		"dev":  {"developer-portal"},
		"prod": {"developer-portal"},
	} {
		cmd := exec.Command("go", "run", "./cmd/github-repositories", "-stack", stack, "-tenants-dir", fixtureTenants)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", stack, err, out)
		}
		got := strings.Split(strings.TrimSpace(string(out)), ",")
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: repositories %v lack %s", stack, got, w)
			}
		}
		if stack == "dev" && len(got) != 1 {
			t.Errorf("dev: repositories %v, want only the portal's", got)
		}
		if stack == "prod" && len(got) < 2 {
			t.Errorf("prod: repositories %v, want the tenants' team repositories too", got)
		}
	}
}
