package access

import (
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
)

func TestBadArgsRegisterNothing(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *Args) *Args
		path   string
		msg    string
	}{
		{"nil args", func(*Args) *Args { return nil }, "", "args are required"},
		{"no environments", func(a *Args) *Args { a.Environments = nil; return a }, "environments", "at least one"},
		{"environment name", func(a *Args) *Args { a.Environments = append(a.Environments, "GCP Dev"); return a }, "environments[2]", "DNS label"},
		{"environment twice", func(a *Args) *Args { a.Environments = append(a.Environments, "gcp-dev"); return a }, "environments[2]", "twice"},
		{"environment missing", func(a *Args) *Args { a.Environment = ""; return a }, "environment", "required"},
		{"environment unknown", func(a *Args) *Args { a.Environment = "aws-dev"; return a }, "environment", "not one of"},
		{"organization name", func(a *Args) *Args { a.Organization = "cecg org"; return a }, "organization", "organisation name"},
		{"organization needed for teams", func(a *Args) *Args { a.Organization = ""; return a }, "organization", "required"},
		{"pod security", func(a *Args) *Args { a.PodSecurity = "strict"; return a }, "podSecurity", "baseline"},
		{"quota quantity", func(a *Args) *Args { a.Quota.RequestsCPU = "four"; return a }, "quota.requestsCpu", "quantity"},
		{"quota negative", func(a *Args) *Args { a.Quota.Pods = "-1"; return a }, "quota.pods", "quantity"},
		{"quota extra name", func(a *Args) *Args { a.Quota.Extra = map[string]string{"GPU!": "1"}; return a }, "quota.extra.GPU!", "resource name"},
		{"quota extra builtin", func(a *Args) *Args { a.Quota.Extra = map[string]string{"pods": "1"}; return a }, "quota.extra.pods", "own setting"},
		{"quota extra value", func(a *Args) *Args { a.Quota.Extra = map[string]string{"requests.nvidia.com/gpu": "x"}; return a }, "quota.extra.requests.nvidia.com/gpu", "quantity"},
		{"limit range quantity", func(a *Args) *Args { a.LimitRange.MaxMemory = "8 GB"; return a }, "limitRange.maxMemory", "quantity"},
		{"ingress namespace", func(a *Args) *Args { a.Isolation.IngressNamespace = "Ingress"; return a }, "isolation.ingressNamespace", "namespace name"},
		{"monitoring namespace", func(a *Args) *Args { a.Isolation.MonitoringNamespaces = []string{"ok", "not ok"}; return a }, "isolation.monitoringNamespaces[1]", "namespace name"},
		{"team permission admin", func(a *Args) *Args { a.GitHubTeams.Permission = "admin"; return a }, "githubTeams.permission", "refused"},
		{"team permission unknown", func(a *Args) *Args { a.GitHubTeams.Permission = "write"; return a }, "githubTeams.permission", "pull, triage"},
		{"maintainer name", func(a *Args) *Args { a.GitHubTeams.Maintainers = []string{"alice", "-bob"}; return a }, "githubTeams.maintainers[1]", "username"},
		{"maintainer twice", func(a *Args) *Args { a.GitHubTeams.Maintainers = []string{"alice", "Alice"}; return a }, "githubTeams.maintainers[1]", "twice"},
		{"requests repository missing", func(a *Args) *Args { a.Requests.Repository = ""; return a }, "requests.repository", "required"},
		{"requests repository shape", func(a *Args) *Args { a.Requests.Repository = "https://github.com/cecg/envs"; return a }, "requests.repository", "<owner>/<repo>"},
		{"requests branch", func(a *Args) *Args { a.Requests.TargetBranch = "main..x"; return a }, "requests.targetBranch", "branch name"},
		{"requests path absolute", func(a *Args) *Args { a.Requests.Path = "/tenants"; return a }, "requests.path", "relative"},
		{"requests path escapes", func(a *Args) *Args { a.Requests.Path = "../tenants"; return a }, "requests.path", "relative"},
		{"requests owner", func(a *Args) *Args { a.Requests.Owner = "platform team"; return a }, "requests.owner", "entity reference"},
		{"requests team reviewer", func(a *Args) *Args { a.Requests.TeamReviewers = []string{"platform team"}; return a }, "requests.teamReviewers[0]", "team slug"},
		{"dir missing", func(a *Args) *Args { a.Tenants = nil; a.Dir = "no-such-dir"; return a }, "dir", "no-such-dir"},
		{"tenant file broken", func(a *Args) *Args { a.Tenants = nil; a.Dir = "testdata/broken"; return a }, "testdata/broken/team-x.yaml", "owner"},
		{"tenant definition invalid", func(a *Args) *Args { a.Tenants[0].AdminGroup = "admins"; return a }, "tenants/delivery-insights.yaml: adminGroup", "e-mail"},
		{"tenant environment unknown to the stack", func(a *Args) *Args { a.Environments = []string{"gcp-dev"}; return a }, "tenants/delivery-insights.yaml: environments[0]", `unknown environment "gcp-prod"`},
		{"tenant named like a platform namespace", func(a *Args) *Args { a.Isolation.IngressNamespace = "reference-app"; return a }, "tenants/reference-app.yaml: name", "platform namespace"},
		{"tenant repo outside the organisation", func(a *Args) *Args { a.Organization = "coreeng"; return a }, "tenants/reference-app.yaml: repos[1]", "outside the organisation coreeng"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.mutate(baseArgs(t))
			// Validate and the constructor agree.
			verr := args.Validate()
			m := newMocks()
			err := testkit.Run(program(args, nil), m, nil)
			if err == nil || verr == nil {
				t.Fatalf("no error (Validate: %v)", verr)
			}
			want := tc.msg
			if tc.path != "" {
				want = tc.path + ": "
			}
			line := lineWith(err.Error(), want)
			if line == "" || !strings.Contains(line, tc.msg) {
				t.Errorf("want a problem at %q saying %q, got:\n%v", tc.path, tc.msg, err)
			}
			if !strings.Contains(verr.Error(), strings.TrimLeft(line, "\t* ")) {
				t.Errorf("Validate() does not report %q:\n%v", line, verr)
			}
			for _, r := range m.Resources() {
				if !strings.HasPrefix(r.Type, "pulumi:providers:") {
					t.Errorf("registered %s %q despite invalid args", r.Type, r.Name)
				}
			}
		})
	}
}

func TestValidArgs(t *testing.T) {
	if err := baseArgs(t).Validate(); err != nil {
		t.Fatal(err)
	}
	unmanaged := baseArgs(t)
	unmanaged.Organization = ""
	unmanaged.GitHubTeams.Manage = boolPtr(false)
	if err := unmanaged.Validate(); err != nil {
		t.Fatalf("teams not managed need no organisation: %v", err)
	}
}
