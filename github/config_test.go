package github

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
)

// The stack decodes `developer-portal:github` strictly into Args: these are the config keys.
func TestConfigSectionDecodesStrictly(t *testing.T) {
	section := `{
	  "organization": "CECG",
	  "repository": {"name": "developer-portal", "template": "coreeng/backstage-template", "description": "Portal",
	                 "manage": true, "protect": true, "secretScanning": true},
	  "protection": {"requiredApprovals": 2, "requiredStatusChecks": ["test"],
	                 "bypassActors": [{"actorType": "Integration", "actorId": 987654, "bypassMode": "always"}]},
	  "codeOwners": ["@CECG/platform-team"],
	  "app": {"appId": "123456", "clientId": "Iv23liExample", "allowedInstallationOwners": ["CECG"]},
	  "discovery": {"catalogPath": "/catalog-info.yaml", "branch": "main", "repositoryPattern": ".*",
	                "frequencyMinutes": 30, "timeoutMinutes": 3},
	  "orgSync": {"enabled": true, "frequencyMinutes": 60, "timeoutMinutes": 15},
	  "signIn": {"enabled": true},
	  "oidc": {"cloud": "gcp", "gcp": {"project": "platform-prod", "poolId": "github-portal",
	           "providerId": "github-actions", "serviceAccountId": "portal-ci",
	           "deployServiceAccountId": "portal-deploy"}},
	  "files": {"manage": true, "directory": "environments/dev", "branch": "",
	            "commitAuthor": "Portal Bot", "commitEmail": "portal-bot@cecg.io"},
	  "dependencyUpdates": {"interval": "weekly", "dockerDirectory": "/app", "npmDirectory": "/app"}
	}`
	dec := json.NewDecoder(bytes.NewReader([]byte(section)))
	dec.DisallowUnknownFields()
	var a Args
	if err := dec.Decode(&a); err != nil {
		t.Fatal(err)
	}
	a.AppPrivateKey, a.AppClientSecret = appArgs(t).AppPrivateKey, appArgs(t).AppClientSecret
	a.Environment = "dev"
	if err := a.Validate(); err != nil {
		t.Fatalf("documented config does not validate: %v", err)
	}
	if a.OIDC.GCP.ServiceAccountID != "portal-ci" || a.Protection.BypassActors[0].ActorID != 987654 || !*a.Repository.SecretScanning ||
		a.Files.Directory != "environments/dev" || a.Files.Manage == nil || !*a.Files.Manage {
		t.Fatalf("decoded %+v", a)
	}
	for _, bad := range []string{`{"appPrivateKey": "x"}`, `{"token": "x"}`, `{"appConfigYAML": "x"}`,
		`{"environment": "dev"}`} {
		dec := json.NewDecoder(bytes.NewReader([]byte(bad)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&Args{}); err == nil {
			t.Errorf("%s must not be accepted from the plain config section", bad)
		}
	}
}

func TestNeedsGitHubProvider(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *Args)
		want   bool
	}{
		{"managed repository", func(*Args) {}, true},
		{"repository only", func(a *Args) { a.Files.Manage = boolPtr(false) }, true},
		{"environment files only", func(a *Args) { a.Repository.Manage = boolPtr(false) }, true},
		{"OIDC variables only", func(a *Args) {
			a.Repository.Manage, a.Files.Manage = boolPtr(false), boolPtr(false)
			a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		}, true},
		{"extra variables only", func(a *Args) {
			a.Repository.Manage, a.Files.Manage = boolPtr(false), boolPtr(false)
			a.Variables = map[string]string{"CLOUD": "gcp"}
		}, true},
		{"nothing on GitHub", func(a *Args) { a.Repository.Manage, a.Files.Manage = boolPtr(false), boolPtr(false) }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := appArgs(t)
			tc.mutate(a)
			if got := a.NeedsGitHubProvider(); got != tc.want {
				t.Fatalf("NeedsGitHubProvider = %v, want %v", got, tc.want)
			}
			// The answer must match what the component registers.
			m, _ := mustDeploy(t, func() *Args { return a })
			gh := 0
			for _, r := range m.Resources() {
				if strings.HasPrefix(r.Type, "github:index/") {
					gh++
				}
			}
			if (gh > 0) != tc.want {
				t.Errorf("%d GitHub resources registered, NeedsGitHubProvider = %v", gh, tc.want)
			}
		})
	}
	if (*Args)(nil).NeedsGitHubProvider() {
		t.Error("nil args need nothing")
	}
}
