package main

import (
	"bytes"
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
		{"two findings", `{"steps":[{"op":"delete","urn":"` + bucketURN + `"},{"op":"replace","urn":"` + instanceURN + `"}]}`, []string{"Bucket", "DatabaseInstance"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(strings.NewReader(tc.preview))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("findings = %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("finding %d = %q, want it to mention %q", i, got[i], w)
				}
			}
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

func TestRunFailsOnFindings(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/preview.json"
	writeFile(t, path, `{"steps":[{"op":"replace","urn":"`+instanceURN+`"}]}`)
	var out bytes.Buffer
	if err := run([]string{path}, &out); err == nil || !strings.Contains(out.String(), "db-instance") {
		t.Errorf("err = %v, out = %q: want a failure naming the instance", err, out.String())
	}
	writeFile(t, path, `{"steps":[]}`)
	out.Reset()
	if err := run([]string{path}, &out); err != nil {
		t.Errorf("an empty preview failed: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
