package validate

import (
	"errors"
	"testing"
)

func TestRules(t *testing.T) {
	cases := []struct {
		name string
		rule func(string) bool
		in   string
		want bool
	}{
		{"label", DNSLabel, "portal", true},
		{"label upper case", DNSLabel, "Portal", false},
		{"label leading hyphen", DNSLabel, "-portal", false},
		{"label too long", DNSLabel, "a123456789012345678901234567890123456789012345678901234567890123", false},
		{"name", DNSName, "portal.dev.cecg.platform.cecg.io", true},
		{"name empty label", DNSName, "portal..io", false},
		{"name empty", DNSName, "", false},
		{"env var", EnvVarName, "GITHUB_APP_PRIVATE_KEY", true},
		{"env var lower", EnvVarName, "github", false},
		{"email", Email, "platform@cecg.io", true},
		{"email with name", Email, "Platform <platform@cecg.io>", false},
		{"email without domain dot", Email, "platform@localhost", false},
		{"owner", GitHubOwner, "cecg", true},
		{"owner double hyphen", GitHubOwner, "ce--cg", false},
		{"owner trailing hyphen", GitHubOwner, "cecg-", false},
		{"repo", GitHubRepoName, "developer-portal", true},
		{"repo dot dot", GitHubRepoName, "..", false},
		{"repo slash", GitHubRepoName, "a/b", false},
		{"gcp project", GCPProjectID, "cecg-platform-dev", true},
		{"gcp project too short", GCPProjectID, "cecg", false},
		{"gcp project trailing hyphen", GCPProjectID, "cecg-platform-", false},
		{"gcp project upper case", GCPProjectID, "CECG-platform", false},
		{"role arn", IAMRoleARN, "arn:aws:iam::345678901234:role/platform-deployer", true},
		{"role arn with path", IAMRoleARN, "arn:aws:iam::345678901234:role/ci/deployer", true},
		{"user arn", IAMRoleARN, "arn:aws:iam::345678901234:user/deployer", false},
		{"role arn short account", IAMRoleARN, "arn:aws:iam::3456:role/deployer", false},
		{"role name", IAMRoleName, "portal-irsa+ci@x", true},
		{"role name too long", IAMRoleName, "a1234567890123456789012345678901234567890123456789012345678901234", false},
		{"role name slash", IAMRoleName, "ci/deployer", false},
		{"service account id", GCPServiceAccountID, "portal-dev", true},
		{"service account id too short", GCPServiceAccountID, "port", false},
		{"service account id digit first", GCPServiceAccountID, "1portal", false},
		{"quantity milli", Quantity, "500m", true},
		{"quantity binary", Quantity, "8Gi", true},
		{"quantity plain", Quantity, "2", true},
		{"quantity decimal", Quantity, "1.5G", true},
		{"quantity negative", Quantity, "-1", false},
		{"quantity spaced", Quantity, "8 GB", false},
		{"quantity word", Quantity, "four", false},
		{"entity ref full", EntityRef, "group:default/platform", true},
		{"entity ref kind capital", EntityRef, "Group:default/platform", true},
		{"entity ref name only", EntityRef, "platform", true},
		{"entity ref namespace only", EntityRef, "default/platform", true},
		{"entity ref empty", EntityRef, "", false},
		{"entity ref space", EntityRef, "group:default/plat form", false},
		{"entity ref trailing dot", EntityRef, "platform.", false},
		{"entity ref name too long", EntityRef, "a1234567890123456789012345678901234567890123456789012345678901234", false},
		{"entity ref digit kind", EntityRef, "1group:platform", false},
		{"gcp label key", GCPLabelKey, "cluster_role", true},
		{"gcp label key upper", GCPLabelKey, "Cluster", false},
		{"gcp label key digit first", GCPLabelKey, "1role", false},
		{"gcp label value empty", GCPLabelValue, "", true},
		{"gcp label value", GCPLabelValue, "portal-dev_1", true},
		{"gcp label value dot", GCPLabelValue, "v1.2", false},
	}
	for _, tc := range cases {
		if got := tc.rule(tc.in); got != tc.want {
			t.Errorf("%s: %q = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	var inner Errors
	inner.Add("tls.secretName", "is required with mode %s", "secret")
	inner.Add("", "args are required")
	var outer Errors
	outer.Merge("developer-portal:portal", inner.Err())
	outer.Merge("developer-portal:github", errors.New("plain error"))
	outer.Merge("developer-portal:database", nil)
	want := "3 problems:\n" +
		"developer-portal:portal.tls.secretName: is required with mode secret\n" +
		"developer-portal:portal: args are required\n" +
		"developer-portal:github: plain error"
	if got := outer.Error(); got != want {
		t.Errorf("error =\n%s\nwant\n%s", got, want)
	}
	var none Errors
	if none.Err() != nil {
		t.Error("no problems but an error")
	}
	if got := Join("a", "", "b[2]", "c"); got != "a.b[2].c" {
		t.Errorf("Join = %q", got)
	}
	if got := Join("extraClusters", "[1]"); got != "extraClusters[1]" {
		t.Errorf("Join of an index = %q", got)
	}
}
