package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

const (
	instanceURN  = "urn:pulumi:dev::developer-portal::coreplatform:database:ManagedDatabase$gcp:sql/databaseInstance:DatabaseInstance::db-instance"
	bucketURN    = "urn:pulumi:dev::developer-portal::coreplatform:techdocs:TechDocsPublisher$gcp:storage/bucket:Bucket::techdocs-bucket"
	namespaceURN = "urn:pulumi:dev::developer-portal::coreplatform:access:TenantAccess$kubernetes:core/v1:Namespace::tenants-payments"
	s3URN        = "urn:pulumi:dev::developer-portal::coreplatform:techdocs:TechDocsPublisher$aws:s3/bucketV2:BucketV2::techdocs-bucket"
	rdsURN       = "urn:pulumi:dev::developer-portal::coreplatform:database:ManagedDatabase$aws:rds/instance:Instance::db"
	repoURN      = "urn:pulumi:prod::developer-portal::coreplatform:github:GitHubIntegration$github:index/repository:Repository::github-repo"
	teamURN      = "urn:pulumi:prod::developer-portal::coreplatform:access:TenantAccess$github:index/team:Team::tenants-payments-team"
	accountURN   = "urn:pulumi:prod::developer-portal::coreplatform:github:GitHubIntegration$gcp:serviceaccount/account:Account::github-ci"
	paramsURN    = "urn:pulumi:dev::developer-portal::coreplatform:database:ManagedDatabase$aws:rds/parameterGroup:ParameterGroup::db-params"
	deployURN    = "urn:pulumi:dev::developer-portal::coreplatform:portal:DeveloperPortal$kubernetes:apps/v1:Deployment::portal"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name, preview string
		want          []string // substrings, one per finding; none means accepted
	}{
		{"no changes", `{"steps":[{"op":"same","urn":"` + instanceURN + `"}]}`, nil},
		{"database updated in place", `{"steps":[{"op":"update","urn":"` + instanceURN + `"}]}`, nil},
		{"database replaced", `{"steps":[{"op":"replace","urn":"` + instanceURN + `"}]}`, []string{"gcp:sql/databaseInstance:DatabaseInstance would be replaced"}},
		{"database deleted", `{"steps":[{"op":"delete","urn":"` + instanceURN + `","oldState":{"type":"gcp:sql/databaseInstance:DatabaseInstance"}}]}`, []string{"would be deleted"}},
		{"rds replacement created", `{"steps":[{"op":"create-replacement","urn":"` + rdsURN + `"}]}`, []string{"aws:rds/instance:Instance"}},
		{"bucket deleted", `{"steps":[{"op":"delete","urn":"` + bucketURN + `"}]}`, []string{"gcp:storage/bucket:Bucket would be deleted"}},
		{"s3 bucket replaced", `{"steps":[{"op":"delete-replaced","urn":"` + s3URN + `"}]}`, []string{"aws:s3/bucketV2:BucketV2"}},
		{"namespace deleted", `{"steps":[{"op":"delete","urn":"` + namespaceURN + `"}]}`, []string{"kubernetes:core/v1:Namespace would be deleted"}},
		{"retained namespace forgotten", `{"steps":[{"op":"delete","urn":"` + namespaceURN + `","oldState":{"type":"kubernetes:core/v1:Namespace","retainOnDelete":true}}]}`, nil},
		{"retained database deleted", `{"steps":[{"op":"delete","urn":"` + instanceURN + `","oldState":{"type":"gcp:sql/databaseInstance:DatabaseInstance","retainOnDelete":true}}]}`, []string{"would be deleted"}},
		{"retained bucket deleted", `{"steps":[{"op":"delete","urn":"` + bucketURN + `","oldState":{"type":"gcp:storage/bucket:Bucket","retainOnDelete":true}}]}`, []string{"would be deleted"}},
		{"retained namespace replaced", `{"steps":[{"op":"replace","urn":"` + namespaceURN + `","oldState":{"type":"kubernetes:core/v1:Namespace","retainOnDelete":true}}]}`, []string{"would be replaced"}},
		{"deployment replaced", `{"steps":[{"op":"replace","urn":"` + deployURN + `"}]}`, nil},
		{"repository replaced", `{"steps":[{"op":"replace","urn":"` + repoURN + `"}]}`, []string{"github:index/repository:Repository would be replaced"}},
		{"team deleted", `{"steps":[{"op":"delete","urn":"` + teamURN + `"}]}`, []string{"github:index/team:Team would be deleted"}},
		{"preview identity replaced", `{"steps":[{"op":"create-replacement","urn":"` + accountURN + `"}]}`, []string{"gcp:serviceaccount/account:Account"}},
		{"rds parameter group replaced", `{"steps":[{"op":"replace","urn":"` + paramsURN + `"}]}`, nil},
		{"two findings", `{"steps":[{"op":"delete","urn":"` + bucketURN + `"},{"op":"replace","urn":"` + instanceURN + `"}]}`, []string{"Bucket", "DatabaseInstance"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(strings.NewReader(tc.preview))
			assertFindings(t, got, err, tc.want)
		})
	}
}

func TestCheckRefusesWhatItCannotRead(t *testing.T) {
	for name, preview := range map[string]string{
		"not JSON":       "error: could not load plugin",
		"no steps":       `{"diagnostics":[{"message":"boom"}]}`,
		"empty document": "",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Check(strings.NewReader(preview)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestCheckPlan reads the plan `pulumi up --plan` executes: its operations decide, whatever
// the preview says, and only the preview of the same run can vouch for a retained namespace.
func TestCheckPlan(t *testing.T) {
	const manifest = `"manifest":{"time":"2026-12-06T00:00:00Z","magic":"","version":"v3.274.1"}`
	cases := []struct {
		name, plan, preview string
		want                []string
	}{
		{"nothing stateful changes",
			`{` + manifest + `,"resourcePlans":{"` + instanceURN + `":{"goal":{"type":"gcp:sql/databaseInstance:DatabaseInstance"},"steps":["same"]},"` + deployURN + `":{"steps":["replace"]}}}`,
			`{"steps":[]}`, nil},
		{"the plan replaces what the preview shows unchanged",
			`{` + manifest + `,"resourcePlans":{"` + instanceURN + `":{"goal":{"type":"gcp:sql/databaseInstance:DatabaseInstance"},"steps":["create-replacement","replace","delete-replaced"]}}}`,
			`{"steps":[{"op":"same","urn":"` + instanceURN + `"}]}`, []string{"DatabaseInstance would be replaced (create-replacement)"}},
		{"bucket deleted (no goal)",
			`{` + manifest + `,"resourcePlans":{"` + bucketURN + `":{"steps":["delete"]}}}`,
			`{"steps":[]}`, []string{"gcp:storage/bucket:Bucket would be deleted"}},
		{"retained namespace forgotten",
			`{` + manifest + `,"resourcePlans":{"` + namespaceURN + `":{"steps":["delete"]}}}`,
			`{"steps":[{"op":"delete","urn":"` + namespaceURN + `","oldState":{"type":"kubernetes:core/v1:Namespace","retainOnDelete":true}}]}`, nil},
		{"namespace deleted, not retained in the preview",
			`{` + manifest + `,"resourcePlans":{"` + namespaceURN + `":{"steps":["delete"]}}}`,
			`{"steps":[{"op":"delete","urn":"` + namespaceURN + `"}]}`, []string{"Namespace would be deleted"}},
		{"retained namespace replaced",
			`{` + manifest + `,"resourcePlans":{"` + namespaceURN + `":{"goal":{"type":"kubernetes:core/v1:Namespace"},"steps":["replace"]}}}`,
			`{"steps":[{"op":"delete","urn":"` + namespaceURN + `","oldState":{"type":"kubernetes:core/v1:Namespace","retainOnDelete":true}}]}`, []string{"would be replaced"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckPlan(strings.NewReader(tc.plan), strings.NewReader(tc.preview))
			assertFindings(t, got, err, tc.want)
		})
	}
	for name, plan := range map[string]string{
		"not JSON":    "Update plan written to 'plan.json'",
		"no manifest": `{"resourcePlans":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := CheckPlan(strings.NewReader(plan), strings.NewReader(`{"steps":[]}`)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestRunFailsOnFindings(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/preview.json"
	writeFile(t, path, `{"steps":[{"op":"replace","urn":"`+instanceURN+`"}]}`)
	var out bytes.Buffer
	if err := run([]string{path}, &out); !errors.Is(err, errFindings) || !strings.Contains(out.String(), "db-instance") {
		t.Errorf("err = %v, out = %q: want a refusal naming the instance", err, out.String())
	}
	planPath := dir + "/plan.json"
	writeFile(t, planPath, `{"manifest":{},"resourcePlans":{"`+bucketURN+`":{"steps":["delete"]}}}`)
	writeFile(t, path, `{"steps":[]}`)
	out.Reset()
	if err := run([]string{"-plan", planPath, path}, &out); !errors.Is(err, errFindings) || !strings.Contains(out.String(), "techdocs-bucket") {
		t.Errorf("-plan: err = %v, out = %q: want a refusal naming the bucket", err, out.String())
	}
	writeFile(t, planPath, `{"steps":[]}`)
	if err := run([]string{"-plan", planPath, path}, &out); err == nil || errors.Is(err, errFindings) {
		t.Errorf("-plan with a preview as the plan: err = %v, want an error that is not a refusal", err)
	}
	writeFile(t, path, `{"steps":[]}`)
	out.Reset()
	if err := run([]string{path}, &out); err != nil {
		t.Errorf("an empty preview failed: %v", err)
	}
}

// assertFindings checks one finding per wanted substring, in order.
func assertFindings(t *testing.T, got []Finding, err error, want []string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("findings = %v, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i].String(), w) {
			t.Errorf("finding %d = %q, want it to mention %q", i, got[i], w)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
