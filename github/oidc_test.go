package github

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
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
		preview  *bool
		wantCond string
	}{
		{"deploy and preview identities", nil,
			`assertion.repository == "CECG/developer-portal" && (assertion.sub == "repo:CECG/developer-portal:environment:dev" || ` +
				`(assertion.sub == "repo:CECG/developer-portal:environment:dev-preview" && assertion.event_name in ["pull_request", "schedule", "workflow_dispatch"]))`},
		{"no preview environment: deploy identity only", boolPtr(false),
			`assertion.repository == "CECG/developer-portal" && assertion.sub == "repo:CECG/developer-portal:environment:dev"`},
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
			if got := prov.Plain("attributeMapping").(map[string]any); got["attribute.repository"] != "assertion.repository" || got["google.subject"] != "assertion.sub" {
				t.Errorf("attribute mapping = %v", got)
			}
			// Each service account is impersonable by exactly one environment's subject,
			// never by the whole repository (principalSet).
			poolName := "projects/123456789/locations/global/workloadIdentityPools/portal-gh-ci-pool"
			wantSAs := map[string]string{"developer-portal-deploy": "repo:CECG/developer-portal:environment:dev"}
			if tc.preview == nil {
				wantSAs["developer-portal-ci"] = "repo:CECG/developer-portal:environment:dev-preview"
			}
			sas := m.ByType(typeSA)
			members := m.ByType(typeSAMember)
			if len(sas) != len(wantSAs) || len(members) != len(wantSAs) {
				t.Fatalf("%d service accounts and %d bindings, want %d", len(sas), len(members), len(wantSAs))
			}
			for _, member := range members {
				if strings.HasPrefix(member.String("member"), "principalSet:") || member.String("role") != "roles/iam.workloadIdentityUser" {
					t.Errorf("binding %v is not a single subject", member.Plain(""))
				}
				id := strings.TrimPrefix(member.String("serviceAccountId"), "projects/test-project/serviceAccounts/")
				sub, ok := wantSAs[id]
				if !ok {
					t.Errorf("binding on %s", member.String("serviceAccountId"))
					continue
				}
				if want := "principal://iam.googleapis.com/" + poolName + "/subject/" + sub; member.String("member") != want {
					t.Errorf("%s impersonable by %s, want %s", id, member.String("member"), want)
				}
			}
			deploy := "developer-portal-deploy@test-project.iam.gserviceaccount.com"
			if outs["ciServiceAccountEmail"].Value != deploy || outs["ciPrincipal"].Value != "serviceAccount:"+deploy ||
				!strings.HasSuffix(outs["workloadIdentityProvider"].Value.(string), "/providers/portal-gh-ci-provider") ||
				outs["ciRoleArn"].Value != "" {
				t.Errorf("outputs = %v", outs)
			}
			if tc.preview != nil {
				if outs["previewPrincipal"].Value != "" {
					t.Errorf("previewPrincipal = %v without a preview environment", outs["previewPrincipal"].Value)
				}
				return
			}
			preview := "developer-portal-ci@test-project.iam.gserviceaccount.com"
			if outs["previewPrincipal"].Value != "serviceAccount:"+preview {
				t.Errorf("previewPrincipal = %v", outs["previewPrincipal"].Value)
			}
			provider := outs["workloadIdentityProvider"].Value.(string)
			assertSplitVariables(t, m, "developer-portal", map[string]string{
				"GCP_WORKLOAD_IDENTITY_PROVIDER": provider,
				"GCP_SERVICE_ACCOUNT":            deploy,
				"GCP_PROJECT_ID":                 "platform-prod",
			}, map[string]string{
				"GCP_WORKLOAD_IDENTITY_PROVIDER": provider,
				"GCP_SERVICE_ACCOUNT":            preview,
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
		name        string
		oidc        OIDCArgs
		providerARN string
		roleNames   map[string]string // subject -> role name
	}{
		{"new provider, generated names", OIDCArgs{Cloud: cloud.AWS}, createdARN, nil},
		{"existing provider, named roles",
			OIDCArgs{Cloud: cloud.AWS, AWS: &OIDCAWSArgs{RoleName: "portal-preview", DeployRoleName: "portal-deploy", OIDCProviderARN: existingARN}},
			existingARN, map[string]string{
				"repo:CECG/developer-portal:environment:dev":         "portal-deploy",
				"repo:CECG/developer-portal:environment:dev-preview": "portal-preview",
			}},
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
			// One role per environment subject, each pinned by StringEquals to that subject.
			wantRoles := map[string]string{
				"portal-gh-ci-deploy-role": "repo:CECG/developer-portal:environment:dev",
				"portal-gh-ci-role":        "repo:CECG/developer-portal:environment:dev-preview",
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
				var doc map[string]any
				if err := json.Unmarshal([]byte(policy), &doc); err != nil {
					t.Fatal(err)
				}
				cond := doc["Statement"].([]any)[0].(map[string]any)["Condition"].(map[string]any)
				if len(cond) != 1 {
					t.Errorf("%s: conditions %v, want StringEquals only", role.Name, cond)
				}
				sub := cond["StringEquals"].(map[string]any)["token.actions.githubusercontent.com:sub"]
				if sub != wantRoles[role.Name] {
					t.Errorf("%s: sub = %v, want %v", role.Name, sub, wantRoles[role.Name])
				}
				if tc.roleNames != nil && role.String("name") != tc.roleNames[wantRoles[role.Name]] {
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
			assertSplitVariables(t, m, "developer-portal", map[string]string{"AWS_ROLE_ARN": deploy}, map[string]string{"AWS_ROLE_ARN": preview})
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

// assertSplitVariables checks the Actions variables of the environment (want) and of its
// preview environment (wantPreview).
func assertSplitVariables(t *testing.T, m *testkit.Mocks, repo string, want, wantPreview map[string]string) {
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
	if !reflect.DeepEqual(preview, wantPreview) {
		t.Errorf("preview environment variables = %v, want %v", preview, wantPreview)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Actions variables = %v, want %v", got, want)
	}
}
