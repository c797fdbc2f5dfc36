package github

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
)

// The protected environment carries the required reviewers; the preview environment, which
// deploys nothing, does not.
func TestEnvironmentReviewers(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		a.EnvironmentReviewers = &EnvironmentReviewers{Teams: []int{4211}, Users: []int{17, 18}}
		return a
	})
	env := m.MustFind(t, typeEnv, "portal-gh-environment")
	want := []any{map[string]any{"teams": []any{4211.0}, "users": []any{17.0, 18.0}}}
	if got := env.Plain("reviewers"); !reflect.DeepEqual(got, want) {
		t.Errorf("reviewers = %#v, want %#v", got, want)
	}
	if got := env.Plain("preventSelfReview"); got != true {
		t.Errorf("preventSelfReview = %v, want true", got)
	}
	preview := m.MustFind(t, typeEnv, "portal-gh-preview-environment")
	if _, ok := preview.Input("reviewers"); ok {
		t.Error("the preview environment requires reviewers")
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
