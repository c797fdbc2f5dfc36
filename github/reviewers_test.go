package github

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
)

// The reviewers gate every environment where a job deploys, runs a pull request's code with
// the stack's secrets, or approves a replacement; never the person who started the run. The
// techdocs and drift environments (main only, a bucket writer and a reader) run unreviewed.
func TestEnvironmentReviewers(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		a.EnvironmentReviewers = &EnvironmentReviewers{Teams: []int{4211}, Users: []int{17, 18}}
		return a
	})
	want := []any{map[string]any{"teams": []any{4211.0}, "users": []any{17.0, 18.0}}}
	for env, reviewed := range map[string]bool{
		"portal-gh-environment": true, "portal-gh-preview-environment": true, "portal-gh-approve-replacement-environment": true,
		"portal-gh-techdocs-environment": false, "portal-gh-drift-environment": false, "portal-gh-release-environment": false,
	} {
		e := m.MustFind(t, typeEnv, env)
		got, ok := e.Input("reviewers")
		if ok != reviewed {
			t.Errorf("%s: reviewers %v, want reviewed %v", env, got, reviewed)
			continue
		}
		if !reviewed {
			continue
		}
		if got := e.Plain("reviewers"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: reviewers = %#v, want %#v", env, got, want)
		}
		if got := e.Plain("preventSelfReview"); got != true {
			t.Errorf("%s: preventSelfReview = %v, want true", env, got)
		}
	}
	// Named reviewers open the approval environment to main.
	found := false
	for _, p := range m.ByType(typeEnvPolicy) {
		found = found || (p.String("environment") == "dev-approve-replacement" && p.String("branchPattern") == "main")
	}
	if !found {
		t.Error("dev-approve-replacement admits no branch although reviewers are named")
	}
}

func TestEnvironmentReviewersValidation(t *testing.T) {
	cases := []struct {
		name      string
		reviewers EnvironmentReviewers
		want      string
	}{
		{"empty", EnvironmentReviewers{}, "environmentReviewers: names no team or user"},
		{"too many teams", EnvironmentReviewers{Teams: []int{1, 2, 3, 4, 5, 6, 7}}, "environmentReviewers.teams: GitHub accepts at most 6"},
		{"not an id", EnvironmentReviewers{Users: []int{12, 0}}, "environmentReviewers.users[1]: 0 is not a GitHub ID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := appArgs(t)
			r := tc.reviewers
			a.EnvironmentReviewers = &r
			err := a.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
