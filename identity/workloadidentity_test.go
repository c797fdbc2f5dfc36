package identity

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const testOIDCARN = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-2.amazonaws.com/id/ABC123"

func gcpArgs() *Args {
	return &Args{Cloud: "gcp", Namespace: "developer-portal", ServiceAccount: "developer-portal",
		GCP: &GCPArgs{Project: "cecg-platform-dev", AccountID: "developer-portal-dev"}}
}

func awsArgs() *Args {
	return &Args{Cloud: "aws", Namespace: "developer-portal", ServiceAccount: "developer-portal",
		AWS: &AWSArgs{OIDCProviderARN: testOIDCARN, RoleName: "developer-portal-dev"}}
}

func program(args *Args) func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	return func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		var prov pulumi.ProviderResource
		var err error
		if args.Cloud == "gcp" {
			prov, err = gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("cecg-platform-dev")})
		} else {
			prov, err = aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
		}
		if err != nil {
			return nil, err
		}
		w, err := NewWorkloadIdentity(ctx, "portal", args, pulumi.Provider(prov))
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"member": w.Member, "annotations": w.Annotations}, nil
	}
}

func TestWorkloadIdentity(t *testing.T) {
	cases := []struct {
		name           string
		args           *Args
		wantMember     string
		wantAnnotation string
		check          func(t *testing.T, m *testkit.Mocks)
	}{
		{
			name:           "gcp",
			args:           gcpArgs(),
			wantMember:     "serviceAccount:developer-portal-dev@test-project.iam.gserviceaccount.com",
			wantAnnotation: "iam.gke.io/gcp-service-account",
			check: func(t *testing.T, m *testkit.Mocks) {
				b := m.MustFind(t, "gcp:serviceaccount/iAMMember:IAMMember", "portal-workload-identity-user")
				if got := b.String("member"); got != "serviceAccount:cecg-platform-dev.svc.id.goog[developer-portal/developer-portal]" {
					t.Errorf("workload identity member = %q", got)
				}
				if got := b.String("role"); got != "roles/iam.workloadIdentityUser" {
					t.Errorf("role = %q", got)
				}
			},
		},
		{
			name:           "aws",
			args:           awsArgs(),
			wantMember:     "arn:aws:iam::111111111111:role/portal-role",
			wantAnnotation: "eks.amazonaws.com/role-arn",
			check: func(t *testing.T, m *testkit.Mocks) {
				r := m.MustFind(t, "aws:iam/role:Role", "portal-role")
				var doc policyDocument
				if err := json.Unmarshal([]byte(r.String("assumeRolePolicy")), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Statement) != 1 {
					t.Fatalf("want one statement, got %d", len(doc.Statement))
				}
				st := doc.Statement[0]
				if st.Principal["Federated"] != testOIDCARN {
					t.Errorf("federated principal = %q", st.Principal["Federated"])
				}
				eq := st.Condition["StringEquals"]
				if got := eq["oidc.eks.eu-west-2.amazonaws.com/id/ABC123:sub"]; got != "system:serviceaccount:developer-portal:developer-portal" {
					t.Errorf("sub condition = %q", got)
				}
				if got := eq["oidc.eks.eu-west-2.amazonaws.com/id/ABC123:aud"]; got != "sts.amazonaws.com" {
					t.Errorf("aud condition = %q", got)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, out := testkit.Capture(t, program(tc.args), nil)
			if got := out["member"].Value; got != tc.wantMember {
				t.Errorf("member = %v, want %s", got, tc.wantMember)
			}
			ann, _ := out["annotations"].Value.(map[string]string)
			if _, ok := ann[tc.wantAnnotation]; !ok || len(ann) != 1 {
				t.Errorf("annotations = %v, want only %s", ann, tc.wantAnnotation)
			}
			tc.check(t, m)
			testkit.AssertExplicitProviders(t, m)
			testkit.AssertNoDuplicateURNs(t, m)
			testkit.AssertParented(t, m, "coreplatform:identity:WorkloadIdentity")
		})
	}
}

func TestWorkloadIdentityRejectsBadArgs(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *Args)
		want   string
	}{
		{"unknown cloud", func(a *Args) { a.Cloud = "azure" }, "cloud:"},
		{"bad namespace", func(a *Args) { a.Namespace = "Portal" }, "namespace:"},
		{"bad service account", func(a *Args) { a.ServiceAccount = "" }, "serviceAccount:"},
		{"missing gcp", func(a *Args) { a.GCP = nil }, "gcp: is required"},
		{"short account id", func(a *Args) { a.GCP.AccountID = "dp" }, "gcp.accountId:"},
		{"bad project", func(a *Args) { a.GCP.Project = "Not_A_Project" }, "gcp.project:"},
		{"aws without settings", func(a *Args) { a.Cloud = "aws" }, "aws: is required"},
		{"aws bad oidc arn", func(a *Args) { a.Cloud, a.AWS = "aws", &AWSArgs{OIDCProviderARN: "oidc", RoleName: "r"} }, "aws.oidcProviderArn:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := gcpArgs()
			tc.mutate(args)
			m := testkit.NewMocks()
			err := testkit.Run(func(ctx *pulumi.Context) error {
				_, err := NewWorkloadIdentity(ctx, "portal", args)
				return err
			}, m, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if n := len(m.Resources()); n != 0 {
				t.Errorf("%d resources registered despite invalid args", n)
			}
		})
	}
}
