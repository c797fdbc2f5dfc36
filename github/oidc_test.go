package github

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

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
	if strings.ContainsAny(cond, "*") || strings.Contains(cond, "startsWith") || strings.Contains(cond, "matches") {
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
	if len(doc.Statement) != 1 {
		return fmt.Errorf("%d statements", len(doc.Statement))
	}
	s := doc.Statement[0]
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

func TestGCPFederation(t *testing.T) {
	cases := []struct {
		name     string
		oidc     OIDCArgs
		wantCond string
	}{
		{"any ref of the repository", OIDCArgs{Cloud: CloudGCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}},
			`assertion.repository == "CECG/developer-portal"`},
		{"main and pull requests", OIDCArgs{Cloud: CloudGCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}, Branches: []string{"main"}},
			`assertion.repository == "CECG/developer-portal" && (assertion.ref in ["refs/heads/main"] || assertion.event_name == "pull_request")`},
		{"main only", OIDCArgs{Cloud: CloudGCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}, Branches: []string{"main", "release/v1"}, AllowPullRequests: boolPtr(false)},
			`assertion.repository == "CECG/developer-portal" && assertion.ref in ["refs/heads/main", "refs/heads/release/v1"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, outs := mustDeploy(t, func() *Args {
				a := appArgs(t)
				a.OIDC = tc.oidc
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
			if prov.String("oidc.issuerUri") != "https://token.actions.githubusercontent.com" ||
				prov.String("workloadIdentityPoolId") != "github-developer-portal" ||
				prov.String("workloadIdentityPoolProviderId") != "github-actions" {
				t.Errorf("provider = %v", prov.Plain(""))
			}
			if got := prov.Plain("attributeMapping").(map[string]any); got["attribute.repository"] != "assertion.repository" || got["google.subject"] != "assertion.sub" {
				t.Errorf("attribute mapping = %v", got)
			}
			sa := m.Only(t, typeSA)
			if sa.String("accountId") != "developer-portal-ci" || sa.String("project") != "platform-prod" {
				t.Errorf("service account = %v", sa.Plain(""))
			}
			member := m.Only(t, typeSAMember)
			wantMember := "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/portal-gh-ci-pool/attribute.repository/" + fullRepo
			if member.String("member") != wantMember || member.String("role") != "roles/iam.workloadIdentityUser" ||
				member.String("serviceAccountId") != "projects/test-project/serviceAccounts/developer-portal-ci" {
				t.Errorf("impersonation binding = %v", member.Plain(""))
			}
			email := "developer-portal-ci@test-project.iam.gserviceaccount.com"
			if outs["ciServiceAccountEmail"].Value != email || outs["ciPrincipal"].Value != "serviceAccount:"+email ||
				!strings.HasSuffix(outs["workloadIdentityProvider"].Value.(string), "/providers/portal-gh-ci-provider") ||
				outs["ciRoleArn"].Value != "" {
				t.Errorf("outputs = %v", outs)
			}
			assertVariables(t, m, map[string]string{
				"GCP_WORKLOAD_IDENTITY_PROVIDER": outs["workloadIdentityProvider"].Value.(string),
				"GCP_SERVICE_ACCOUNT":            email,
				"GCP_PROJECT_ID":                 "platform-prod",
			})
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
		name         string
		oidc         OIDCArgs
		providerARN  string
		wantSubjects any
		roleName     string
	}{
		{"any ref, new provider", OIDCArgs{Cloud: CloudAWS}, createdARN, "repo:CECG/developer-portal:*", ""},
		{"branches, existing provider, named role",
			OIDCArgs{Cloud: CloudAWS, Branches: []string{"main"}, AWS: &OIDCAWSArgs{RoleName: "portal-ci", OIDCProviderARN: existingARN}},
			existingARN, []any{"repo:CECG/developer-portal:ref:refs/heads/main", "repo:CECG/developer-portal:pull_request",
				"repo:CECG/developer-portal:environment:dev"}, "portal-ci"},
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
			role := m.Only(t, typeRole)
			policy := role.String("assumeRolePolicy")
			if err := checkAWSTrust(policy, tc.providerARN); err != nil {
				t.Error(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(policy), &doc); err != nil {
				t.Fatal(err)
			}
			cond := doc["Statement"].([]any)[0].(map[string]any)["Condition"].(map[string]any)
			var sub any
			for _, op := range []string{"StringLike", "StringEquals"} {
				if c, ok := cond[op].(map[string]any); ok && c["token.actions.githubusercontent.com:sub"] != nil {
					sub = c["token.actions.githubusercontent.com:sub"]
				}
			}
			if !reflect.DeepEqual(sub, tc.wantSubjects) {
				t.Errorf("sub = %v, want %v", sub, tc.wantSubjects)
			}
			if tc.roleName != "" && role.String("name") != tc.roleName {
				t.Errorf("role name = %q", role.String("name"))
			}
			for _, k := range []string{"managedPolicyArns", "inlinePolicies"} {
				if _, ok := role.Input(k); ok {
					t.Errorf("the role gets no permissions here, yet %s is set", k)
				}
			}
			arn := "arn:aws:iam::111111111111:role/portal-gh-ci-role"
			if outs["ciRoleArn"].Value != arn || outs["ciPrincipal"].Value != arn || outs["ciServiceAccountEmail"].Value != "" {
				t.Errorf("outputs = %v", outs)
			}
			assertVariables(t, m, map[string]string{"AWS_ROLE_ARN": arn})
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
	for _, k := range []string{"ciRoleArn", "ciPrincipal", "ciServiceAccountEmail", "workloadIdentityProvider"} {
		if outs[k].Value != "" || !outs[k].Known {
			t.Errorf("%s = %v", k, outs[k])
		}
	}
}

// assertVariables checks the environment's Actions variables: identifiers in the "dev"
// environment of the repository, none at repository level.
func assertVariables(t *testing.T, m *testkit.Mocks, want map[string]string) {
	t.Helper()
	assertEnvironmentVariables(t, m, "developer-portal", want)
}

func assertEnvironmentVariables(t *testing.T, m *testkit.Mocks, repo string, want map[string]string) {
	t.Helper()
	if n := len(m.ByType(typeVariable)); n != 0 {
		t.Errorf("%d repository-level Actions variables: two stacks would overwrite each other", n)
	}
	envs := m.ByType(typeEnv)
	if len(envs) != 2 {
		t.Fatalf("want the environment and its preview environment, got %d", len(envs))
	}
	protected := map[string]bool{}
	for _, env := range envs {
		if env.String("repository") != repo {
			t.Errorf("environment = %v", env.Plain(""))
		}
		protected[env.String("environment")] = env.Plain("deploymentBranchPolicy.protectedBranches") == true
	}
	if !protected["dev"] || protected["dev-preview"] || len(protected) != 2 {
		t.Errorf("environments (name: protected branches only) = %v, want dev: true, dev-preview: false", protected)
	}
	got := map[string]string{}
	preview := map[string]string{}
	for _, v := range m.ByType(typeEnvVar) {
		if v.String("repository") != repo || (v.String("environment") != "dev" && v.String("environment") != "dev-preview") {
			t.Errorf("variable %s in %q/%q", v.String("variableName"), v.String("repository"), v.String("environment"))
		}
		if v.InputIsSecret("value") {
			t.Errorf("variable %s is an identifier, not a secret", v.String("variableName"))
		}
		if v.Parent != envs[0].Parent {
			t.Errorf("variable %s parent = %s", v.Name, v.Parent)
		}
		if v.String("environment") == "dev-preview" {
			preview[v.String("variableName")] = v.String("value")
			continue
		}
		got[v.String("variableName")] = v.String("value")
	}
	if !reflect.DeepEqual(preview, got) {
		t.Errorf("preview environment variables = %v, want the same as the environment's %v", preview, got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Actions variables = %v, want %v", got, want)
	}
}
