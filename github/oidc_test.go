package github

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
)

const fullRepo = "CECG/developer-portal"

// checkGCPCondition fails unless the condition pins assertion.repository to exactly the
// repository: a wildcard, a prefix match or a missing clause fails.
func checkGCPCondition(cond, full string) error {
	want := fmt.Sprintf("assertion.repository == %q", full)
	if !strings.HasPrefix(cond, want) {
		return fmt.Errorf("condition %q does not start with %s", cond, want)
	}
	// startsWith may narrow a pull request's refs, never the repository or the subject.
	if strings.ContainsAny(cond, "*") || strings.Contains(cond, "matches") ||
		strings.Contains(cond, "repository.startsWith") || strings.Contains(cond, "sub.startsWith") {
		return fmt.Errorf("condition %q widens the repository", cond)
	}
	if rest := strings.TrimPrefix(cond, want); rest != "" && !strings.HasPrefix(rest, " && ") {
		return fmt.Errorf("condition %q may be bypassed by %q", cond, rest)
	}
	return nil
}

var subjectPattern = regexp.MustCompile(`^repo:` + regexp.QuoteMeta(fullRepo) + `:(\*|ref:refs/heads/[^*?]+|pull_request|environment:[A-Za-z0-9._-]+)$`)

// checkAWSTrust fails unless the trust policy admits only the GitHub provider, the STS audience
// and subjects of exactly the repository.
func checkAWSTrust(policy, providerARN string) error {
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]string
			Action    string
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return err
	}
	if len(doc.Statement) == 0 {
		return fmt.Errorf("no statement")
	}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || s.Action != "sts:AssumeRoleWithWebIdentity" || s.Principal["Federated"] != providerARN || len(s.Principal) != 1 {
			return fmt.Errorf("statement %+v", s)
		}
		if s.Condition["StringEquals"]["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" {
			return fmt.Errorf("audience not pinned: %v", s.Condition)
		}
		var subjects []string
		for op, conds := range s.Condition {
			switch v := conds["token.actions.githubusercontent.com:sub"].(type) {
			case string:
				subjects = append(subjects, v)
			case []any:
				if op != "StringEquals" {
					return fmt.Errorf("subject list under %s", op)
				}
				for _, e := range v {
					subjects = append(subjects, e.(string))
				}
			}
		}
		if len(subjects) == 0 {
			return fmt.Errorf("subject not pinned: %v", s.Condition)
		}
		for _, sub := range subjects {
			if !subjectPattern.MatchString(sub) {
				return fmt.Errorf("subject %q does not pin the repository", sub)
			}
		}
	}
	return nil
}

// The checks themselves must reject widened trust.
func TestTrustChecksRejectWildcards(t *testing.T) {
	for _, cond := range []string{
		`assertion.repository_owner == "CECG"`,
		`assertion.repository == "CECG/*"`,
		`assertion.repository.startsWith("CECG/")`,
		`assertion.repository == "CECG/developer-portal" || true`,
	} {
		if checkGCPCondition(cond, fullRepo) == nil {
			t.Errorf("GCP check accepted %s", cond)
		}
	}
	arn := "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	for _, sub := range []string{"repo:CECG/*", "repo:*", "repo:CECG/developer-portal*", "repo:CECG/developer-portal:environment:*"} {
		p := fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
			"StringLike":{"token.actions.githubusercontent.com:sub":%q}}}]}`, arn, sub)
		if checkAWSTrust(p, arn) == nil {
			t.Errorf("AWS check accepted subject %s", sub)
		}
	}
}

// The pool admits each environment's subject only with its own workflow file at main (the
// preview: ci.yml at a pull request's merge ref) and its events; each service account is
// impersonable by its environments' subjects only.
func TestGCPFederation(t *testing.T) {
	const r = "CECG/developer-portal"
	onMain := func(env, workflow, events string) string {
		return `(assertion.sub == "repo:` + r + `:environment:` + env + `" && assertion.event_name in [` + events + `] && ` +
			`assertion.ref == "refs/heads/main" && assertion.job_workflow_ref == "` + r + `/.github/workflows/` + workflow + `@refs/heads/main")`
	}
	mainClauses := onMain("dev", "deploy-stack.yml", `"push", "workflow_dispatch"`) + " || " +
		onMain("dev-techdocs", "techdocs.yml", `"push", "workflow_dispatch"`) + " || " +
		onMain("dev-drift", "drift.yml", `"schedule", "workflow_dispatch"`)
	previewClause := `(assertion.sub == "repo:` + r + `:environment:dev-preview" && assertion.event_name in ["pull_request"] && ` +
		`assertion.ref.startsWith("refs/pull/") && assertion.job_workflow_ref.startsWith("` + r + `/.github/workflows/ci.yml@refs/pull/"))`
	cases := []struct {
		name     string
		preview  *bool
		wantCond string
	}{
		{"with the preview environment", nil, `assertion.repository == "` + r + `" && (` + mainClauses + " || " + previewClause + ")"},
		{"no preview environment", boolPtr(false), `assertion.repository == "` + r + `" && (` + mainClauses + ")"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, outs := mustDeploy(t, func() *Args {
				a := appArgs(t)
				a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}}
				a.PreviewEnvironment = tc.preview
				return a
			})
			commonAssertions(t, m)
			pool := m.Only(t, typePool)
			if pool.String("workloadIdentityPoolId") != "github-developer-portal" || pool.String("project") != "platform-prod" {
				t.Errorf("pool = %v", pool.Plain(""))
			}
			prov := m.Only(t, typePoolProv)
			cond := prov.String("attributeCondition")
			if cond != tc.wantCond {
				t.Errorf("condition = %s\nwant %s", cond, tc.wantCond)
			}
			if err := checkGCPCondition(cond, fullRepo); err != nil {
				t.Error(err)
			}
			if strings.Contains(cond, "pull_request_target") || strings.Contains(cond, ":ref:") || strings.Contains(cond, ":pull_request\"") {
				t.Errorf("condition %s admits a job outside the environments", cond)
			}
			if prov.String("oidc.issuerUri") != "https://token.actions.githubusercontent.com" ||
				prov.String("workloadIdentityPoolId") != "github-developer-portal" ||
				prov.String("workloadIdentityPoolProviderId") != "github-actions" {
				t.Errorf("provider = %v", prov.Plain(""))
			}
			if got := prov.Plain("attributeMapping").(map[string]any); got["attribute.repository"] != "assertion.repository" ||
				got["google.subject"] != "assertion.sub" || got["attribute.job_workflow_ref"] != "assertion.job_workflow_ref" {
				t.Errorf("attribute mapping = %v", got)
			}
			// Each binding names one subject, never the whole repository (principalSet).
			poolName := "projects/123456789/locations/global/workloadIdentityPools/portal-gh-ci-pool"
			wantSubjects := map[string][]string{
				"developer-portal-deploy": {"repo:CECG/developer-portal:environment:dev-techdocs"},
				"developer-portal-ci":     {"repo:CECG/developer-portal:environment:dev-drift"},
			}
			if tc.preview == nil {
				wantSubjects["developer-portal-ci"] = append(wantSubjects["developer-portal-ci"], "repo:CECG/developer-portal:environment:dev-preview")
			}
			if n := len(m.ByType(typeSA)); n != 2 {
				t.Fatalf("%d service accounts, want the publisher and the reader", n)
			}
			gotSubjects := map[string][]string{}
			for _, member := range m.ByType(typeSAMember) {
				if member.String("role") != "roles/iam.workloadIdentityUser" {
					t.Errorf("binding %v", member.Plain(""))
				}
				id := strings.TrimPrefix(member.String("serviceAccountId"), "projects/test-project/serviceAccounts/")
				sub, ok := strings.CutPrefix(member.String("member"), "principal://iam.googleapis.com/"+poolName+"/subject/")
				if !ok {
					t.Errorf("%s impersonable by %s: not one subject of the pool", id, member.String("member"))
				}
				gotSubjects[id] = append(gotSubjects[id], sub)
			}
			for id := range gotSubjects {
				sort.Strings(gotSubjects[id])
			}
			if !reflect.DeepEqual(gotSubjects, wantSubjects) {
				t.Errorf("subjects = %v, want %v", gotSubjects, wantSubjects)
			}
			publisher := "developer-portal-deploy@test-project.iam.gserviceaccount.com"
			reader := "developer-portal-ci@test-project.iam.gserviceaccount.com"
			if outs["ciServiceAccountEmail"].Value != publisher || outs["ciPrincipal"].Value != "serviceAccount:"+publisher ||
				outs["previewPrincipal"].Value != "serviceAccount:"+reader ||
				!strings.HasSuffix(outs["workloadIdentityProvider"].Value.(string), "/providers/portal-gh-ci-provider") ||
				outs["ciRoleArn"].Value != "" {
				t.Errorf("outputs = %v", outs)
			}
			provider := outs["workloadIdentityProvider"].Value.(string)
			identity := func(sa string) map[string]string {
				return map[string]string{"GCP_WORKLOAD_IDENTITY_PROVIDER": provider, "GCP_SERVICE_ACCOUNT": sa, "GCP_PROJECT_ID": "platform-prod"}
			}
			want := map[string]map[string]string{
				"dev":                     {"GCP_WORKLOAD_IDENTITY_PROVIDER": provider, "GCP_PROJECT_ID": "platform-prod"},
				"dev-approve-replacement": {},
				"dev-techdocs":            identity(publisher),
				"dev-drift":               identity(reader),
				"release":                 {},
			}
			if tc.preview == nil {
				want["dev-preview"] = identity(reader)
			}
			assertEnvironments(t, m, "developer-portal", want)
			if n := len(m.ByType(typeRole)) + len(m.ByType(typeOIDC)); n != 0 {
				t.Errorf("%d AWS resources on GCP", n)
			}
		})
	}
}

func TestAWSFederation(t *testing.T) {
	createdARN := "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	existingARN := "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
	cases := []struct {
		name        string
		oidc        OIDCArgs
		providerARN string
		roleNames   map[string]string // resource -> role name
	}{
		{"new provider, generated names", OIDCArgs{Cloud: cloud.AWS}, createdARN, nil},
		{"existing provider, named roles",
			OIDCArgs{Cloud: cloud.AWS, AWS: &OIDCAWSArgs{RoleName: "portal-preview", DeployRoleName: "portal-deploy", OIDCProviderARN: existingARN}},
			existingARN, map[string]string{"portal-gh-ci-deploy-role": "portal-deploy", "portal-gh-ci-role": "portal-preview"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, outs := mustDeploy(t, func() *Args {
				a := appArgs(t)
				a.OIDC = tc.oidc
				return a
			})
			commonAssertions(t, m)
			providers := m.ByType(typeOIDC)
			if tc.providerARN == createdARN {
				if len(providers) != 1 {
					t.Fatalf("want one OIDC provider, got %d", len(providers))
				}
				p := providers[0]
				if p.String("url") != "https://token.actions.githubusercontent.com" ||
					!reflect.DeepEqual(p.Plain("clientIdLists"), []any{"sts.amazonaws.com"}) ||
					len(p.Plain("thumbprintLists").([]any)) == 0 {
					t.Errorf("OIDC provider = %v", p.Plain(""))
				}
			} else if len(providers) != 0 {
				t.Errorf("an existing provider was given, yet %d created", len(providers))
			}
			// One role per identity, one statement per environment, each pinned by
			// StringEquals to that subject and (but for the pull request's) workflow file.
			wantRoles := map[string][]string{
				"portal-gh-ci-deploy-role": {"repo:CECG/developer-portal:environment:dev-techdocs"},
				"portal-gh-ci-role":        {"repo:CECG/developer-portal:environment:dev-drift", "repo:CECG/developer-portal:environment:dev-preview"},
			}
			wantWorkflows := map[string]string{
				"repo:CECG/developer-portal:environment:dev-techdocs": "CECG/developer-portal/.github/workflows/techdocs.yml@refs/heads/main",
				"repo:CECG/developer-portal:environment:dev-drift":    "CECG/developer-portal/.github/workflows/drift.yml@refs/heads/main",
				"repo:CECG/developer-portal:environment:dev-preview":  "CECG/developer-portal/.github/workflows/ci.yml@refs/pull/*",
			}
			roles := m.ByType(typeRole)
			if len(roles) != len(wantRoles) {
				t.Fatalf("%d roles, want %d", len(roles), len(wantRoles))
			}
			for _, role := range roles {
				policy := role.String("assumeRolePolicy")
				if err := checkAWSTrust(policy, tc.providerARN); err != nil {
					t.Error(err)
				}
				var doc struct {
					Statement []struct {
						Condition map[string]map[string]string
					}
				}
				if err := json.Unmarshal([]byte(policy), &doc); err != nil {
					t.Fatal(err)
				}
				var subs []string
				for _, st := range doc.Statement {
					sub := st.Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]
					subs = append(subs, sub)
					ref := st.Condition["StringEquals"]["token.actions.githubusercontent.com:job_workflow_ref"]
					if strings.HasSuffix(sub, "-preview") {
						ref = st.Condition["StringLike"]["token.actions.githubusercontent.com:job_workflow_ref"]
					} else if len(st.Condition) != 1 {
						t.Errorf("%s: conditions %v, want StringEquals only", role.Name, st.Condition)
					}
					if ref != wantWorkflows[sub] {
						t.Errorf("%s: %s job_workflow_ref = %q, want %q", role.Name, sub, ref, wantWorkflows[sub])
					}
				}
				if !reflect.DeepEqual(subs, wantRoles[role.Name]) {
					t.Errorf("%s: subjects = %v, want %v", role.Name, subs, wantRoles[role.Name])
				}
				if tc.roleNames != nil && role.String("name") != tc.roleNames[role.Name] {
					t.Errorf("%s: role name = %q", role.Name, role.String("name"))
				}
				for _, k := range []string{"managedPolicyArns", "inlinePolicies"} {
					if _, ok := role.Input(k); ok {
						t.Errorf("the role gets no permissions here, yet %s is set", k)
					}
				}
			}
			deploy := "arn:aws:iam::111111111111:role/portal-gh-ci-deploy-role"
			preview := "arn:aws:iam::111111111111:role/portal-gh-ci-role"
			if outs["ciRoleArn"].Value != deploy || outs["ciPrincipal"].Value != deploy || outs["previewPrincipal"].Value != preview ||
				outs["ciServiceAccountEmail"].Value != "" {
				t.Errorf("outputs = %v", outs)
			}
			assertEnvironments(t, m, "developer-portal", map[string]map[string]string{
				"dev": {}, "dev-approve-replacement": {}, "release": {},
				"dev-techdocs": {"AWS_ROLE_ARN": deploy}, "dev-drift": {"AWS_ROLE_ARN": preview}, "dev-preview": {"AWS_ROLE_ARN": preview},
			})
		})
	}
}

func TestNoFederationWithoutCloud(t *testing.T) {
	m, outs := mustDeploy(t, func() *Args { return appArgs(t) })
	for _, typ := range []string{typePool, typePoolProv, typeSA, typeSAMember, typeOIDC, typeRole, typeVariable, typeEnv, typeEnvVar} {
		if n := len(m.ByType(typ)); n != 0 {
			t.Errorf("%d %s without oidc.cloud or variables", n, typ)
		}
	}
	for _, k := range []string{"ciRoleArn", "ciPrincipal", "previewPrincipal", "ciServiceAccountEmail", "workloadIdentityProvider"} {
		if outs[k].Value != "" || !outs[k].Known {
			t.Errorf("%s = %v", k, outs[k])
		}
	}
}

// assertEnvironments checks every environment the component creates in repo (want: its
// name and its Actions variables) and how each is protected: administrators never bypass;
// only the pull-request preview admits any branch, every other one names main in a custom
// branch policy (never "protected branches"), except an approval environment without
// reviewers, which admits none.
func assertEnvironments(t *testing.T, m *testkit.Mocks, repo string, want map[string]map[string]string) {
	t.Helper()
	if n := len(m.ByType(typeVariable)); n != 0 {
		t.Errorf("%d repository-level Actions variables: two stacks would overwrite each other", n)
	}
	policies := map[string][]string{}
	for _, p := range m.ByType(typeEnvPolicy) {
		policies[p.String("environment")] = append(policies[p.String("environment")], p.String("branchPattern"))
	}
	names := map[string]bool{}
	for _, env := range m.ByType(typeEnv) {
		name := env.String("environment")
		names[name] = true
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected environment %s", name)
		}
		if env.String("repository") != repo || env.Plain("canAdminsBypass") != false {
			t.Errorf("environment %s = %v", name, env.Plain(""))
		}
		if env.Plain("deploymentBranchPolicy.protectedBranches") != false {
			t.Errorf("environment %s admits protected branches: main is protected by a ruleset", name)
		}
		custom := env.Plain("deploymentBranchPolicy.customBranchPolicies") == true
		_, reviewed := env.Input("reviewers")
		switch {
		case strings.HasSuffix(name, "-preview"):
			if custom || len(policies[name]) != 0 {
				t.Errorf("the preview environment %s must admit pull requests: %v %v", name, custom, policies[name])
			}
		case strings.HasSuffix(name, "-approve-replacement") && !reviewed:
			if !custom || len(policies[name]) != 0 {
				t.Errorf("%s has no reviewers yet admits branches %v", name, policies[name])
			}
		default:
			if !custom || !reflect.DeepEqual(policies[name], []string{"main"}) {
				t.Errorf("environment %s: custom branch policies %v, patterns %v; want main only", name, custom, policies[name])
			}
		}
	}
	for name := range want {
		if !names[name] {
			t.Errorf("environment %s is missing", name)
		}
	}
	got := map[string]map[string]string{}
	for _, v := range m.ByType(typeEnvVar) {
		if v.String("repository") != repo {
			t.Errorf("variable %s in %q", v.String("variableName"), v.String("repository"))
		}
		if v.InputIsSecret("value") {
			t.Errorf("variable %s is an identifier, not a secret", v.String("variableName"))
		}
		env := v.String("environment")
		if got[env] == nil {
			got[env] = map[string]string{}
		}
		got[env][v.String("variableName")] = v.String("value")
	}
	for name, vars := range want {
		if len(vars) == 0 && len(got[name]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got[name], vars) {
			t.Errorf("variables of %s = %v, want %v", name, got[name], vars)
		}
	}
}

// withVars returns base plus the extra variables.
func withVars(base map[string]string, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
