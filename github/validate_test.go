package github

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestBadInputRegistersNothing(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *Args)
		path   string
	}{
		{"missing organisation", func(a *Args) { a.Organization = "" }, "organization"},
		{"invalid organisation", func(a *Args) { a.Organization = "-cecg" }, "organization"},
		{"invalid repository name", func(a *Args) { a.Repository.Name = "developer portal" }, "repository.name"},
		{"template without owner", func(a *Args) { a.Repository.Template = "backstage-template" }, "repository.template"},
		{"template with a bad owner", func(a *Args) { a.Repository.Template = "bad owner/tmpl" }, "repository.template"},
		{"both app and token", func(a *Args) { a.Token = pulumi.String(fakeToken) }, "token"},
		{"neither app nor token", func(a *Args) {
			a.App = AppArgs{}
			a.AppPrivateKey, a.AppClientSecret, a.AppWebhookSecret = nil, nil, nil
		}, "app"},
		{"app without private key", func(a *Args) { a.AppPrivateKey = nil }, "appPrivateKey"},
		{"app without client secret", func(a *Args) { a.AppClientSecret = nil }, "appClientSecret"},
		{"non-numeric app id", func(a *Args) { a.App.AppID = "my-app" }, "app.appId"},
		{"token with sign-in but no oauth app", func(a *Args) {
			a.App = AppArgs{}
			a.AppPrivateKey, a.AppClientSecret, a.AppWebhookSecret = nil, nil, nil
			a.Token = pulumi.String(fakeToken)
		}, "signIn.enabled"},
		{"zero approvals", func(a *Args) { a.Protection.RequiredApprovals = -1 }, "protection.requiredApprovals"},
		{"too many approvals", func(a *Args) { a.Protection.RequiredApprovals = 11 }, "protection.requiredApprovals"},
		{"duplicate status check", func(a *Args) { a.Protection.RequiredStatusChecks = []string{"test", "test"} }, "protection.requiredStatusChecks[1]"},
		{"no bypass for default-branch commits", func(a *Args) { a.Protection.BypassActors = nil }, "protection.bypassActors"},
		{"bypass only on pull requests", func(a *Args) {
			a.Protection.BypassActors = []BypassActor{{ActorID: 1, BypassMode: "pull_request"}}
		}, "protection.bypassActors"},
		{"unknown bypass actor type", func(a *Args) { a.Protection.BypassActors[0].ActorType = "User" }, "protection.bypassActors[0].actorType"},
		{"integration bypass without id", func(a *Args) { a.Protection.BypassActors[0].ActorID = 0 }, "protection.bypassActors[0].actorId"},
		{"missing code owners", func(a *Args) { a.CodeOwners = nil }, "codeOwners"},
		{"bad code owner", func(a *Args) { a.CodeOwners = []string{"platform-team"} }, "codeOwners[0]"},
		{"relative catalog path", func(a *Args) { a.Discovery.CatalogPath = "catalog-info.yaml" }, "discovery.catalogPath"},
		{"bad repository pattern", func(a *Args) { a.Discovery.RepositoryPattern = "(" }, "discovery.repositoryPattern"},
		{"timeout above frequency", func(a *Args) { a.Discovery.TimeoutMinutes = 45 }, "discovery.timeoutMinutes"},
		{"sign-in without org sync", func(a *Args) { a.OrgSync.Enabled = boolPtr(false) }, "signIn.enabled"},
		{"unknown cloud", func(a *Args) { a.OIDC.Cloud = "azure" }, "oidc.cloud"},
		{"gcp without project", func(a *Args) { a.OIDC.Cloud = cloud.GCP }, "oidc.gcp.project"},
		{"gcp settings with aws", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.AWS, GCP: &OIDCGCPArgs{Project: "platform-prod"}}
		}, "oidc.gcp"},
		{"deploy and preview role the same", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.AWS, AWS: &OIDCAWSArgs{RoleName: "portal-ci", DeployRoleName: "portal-ci"}}
		}, "oidc.aws.deployRoleName"},
		{"deploy and preview service account the same", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod", ServiceAccountID: "portal-ci", DeployServiceAccountID: "portal-ci"}}
		}, "oidc.gcp.deployServiceAccountId"},
		{"bad oidc provider arn", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.AWS, AWS: &OIDCAWSArgs{OIDCProviderARN: "arn:aws:iam::1234:oidc-provider/example.com"}}
		}, "oidc.aws.oidcProviderArn"},
		{"gcp pool id too long", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod", PoolID: strings.Repeat("a", 33)}}
		}, "oidc.gcp.poolId"},
		{"commit author without email", func(a *Args) { a.Files.CommitAuthor = "Portal Bot" }, "files.commitAuthor"},
		{"bad dependabot interval", func(a *Args) { a.DependencyUpdates.Interval = "hourly" }, "dependencyUpdates.interval"},
		{"relative go module directory", func(a *Args) { a.DependencyUpdates.GoDirectories = []string{"/", "tests/e2e"} }, "dependencyUpdates.goDirectories[1]"},
		{"app-config with an inline secret", func(a *Args) {
			a.AppConfigYAML = "backend:\n  auth:\n    externalAccess:\n      - type: static\n        options:\n          token: " + fakeToken + "\n"
		}, "appConfigYAML.backend.auth.externalAccess[0].options.token"},
		{"app-config with a private key", func(a *Args) {
			a.AppConfigYAML = "integrations:\n  note: |\n    -----BEGIN RSA PRIVATE KEY-----\n"
		}, "appConfigYAML.integrations.note"},
		{"catalog-info that is not YAML", func(a *Args) { a.CatalogInfoYAML = "kind: [" }, "catalogInfoYAML"},
		{"managed repository without app-config", func(a *Args) { a.AppConfigYAML = "" }, "appConfigYAML"},
		{"managed repository without catalog-info", func(a *Args) { a.CatalogInfoYAML = "" }, "catalogInfoYAML"},
		{"environment files of an unmanaged repository without app-config", func(a *Args) {
			a.Repository.Manage = boolPtr(false)
			a.AppConfigYAML = ""
		}, "appConfigYAML"},
		{"absolute files directory", func(a *Args) { a.Files.Directory = "/environments/dev" }, "files.directory"},
		{"files directory leaving the repository", func(a *Args) { a.Files.Directory = "../dev" }, "files.directory"},
		{"files directory with a .. segment", func(a *Args) { a.Files.Directory = "environments/../prod" }, "files.directory"},
		{"files directory with an empty segment", func(a *Args) { a.Files.Directory = "environments//dev" }, "files.directory"},
		{"files directory with a . segment", func(a *Args) { a.Files.Directory = "./dev" }, "files.directory"},
		{"files directory of an unmanaged repository", func(a *Args) {
			a.Repository.Manage = boolPtr(false)
			a.Files.Directory = "/dev"
		}, "files.directory"},
		{"oidc without environment", func(a *Args) {
			a.Environment = ""
			a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		}, "environment"},
		{"variables without environment", func(a *Args) {
			a.Environment = ""
			a.Variables = map[string]string{"CLOUD": "gcp"}
		}, "environment"},
		{"bad environment name", func(a *Args) { a.Environment = "dev env" }, "environment"},
		{"lower-case variable name", func(a *Args) { a.Variables = map[string]string{"techdocs_bucket": "b"} }, "variables.techdocs_bucket"},
		{"variable name starting with a digit", func(a *Args) { a.Variables = map[string]string{"1CLOUD": "gcp"} }, "variables.1CLOUD"},
		{"GITHUB_ variable", func(a *Args) { a.Variables = map[string]string{"GITHUB_TOKEN_NAME": "x"} }, "variables.GITHUB_TOKEN_NAME"},
		{"variable the federation writes", func(a *Args) {
			a.OIDC = OIDCArgs{Cloud: cloud.AWS}
			a.Variables = map[string]string{VarAWSRoleARN: "arn:aws:iam::111111111111:role/other"}
		}, "variables.AWS_ROLE_ARN"},
		{"empty variable", func(a *Args) { a.Variables = map[string]string{"CLOUD": ""} }, "variables.CLOUD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := deploy(t, func() *Args {
				a := appArgs(t)
				tc.mutate(a)
				return a
			})
			if err == nil {
				t.Fatal("want an error")
			}
			if !hasProblemAt(err, tc.path) {
				t.Errorf("error does not name %q:\n%v", tc.path, err)
			}
			if n := componentResources(m); n != 0 {
				t.Errorf("%d resources registered before the error", n)
			}
			for _, s := range secretValues() {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error message quotes a secret")
				}
			}
		})
	}
}

// componentResources counts registrations other than the test's own providers.
func componentResources(m *testkit.Mocks) int {
	n := 0
	for _, r := range m.Resources() {
		if !strings.HasPrefix(r.Type, "pulumi:providers:") {
			n++
		}
	}
	return n
}

func hasProblemAt(err error, path string) bool {
	var errs *validate.Errors
	if !errors.As(err, &errs) {
		return false
	}
	for _, p := range errs.Problems {
		if p.Path == path {
			return true
		}
	}
	return false
}

func TestNilArgs(t *testing.T) {
	m := testkit.NewMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		_, err := NewGitHubIntegration(ctx, "portal-gh", nil)
		return err
	}, m, nil)
	if err == nil || !strings.Contains(err.Error(), "args are required") {
		t.Fatalf("want a clear error, got %v", err)
	}
	if len(m.Resources()) != 0 {
		t.Fatal("registered resources")
	}
	if _, err := Contribution(nil); err == nil {
		t.Fatal("Contribution(nil) must fail")
	}
	if err := (*Args)(nil).Validate(); err == nil {
		t.Fatal("Validate on nil must fail")
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	a := appArgs(t)
	a.Organization = "bad org"
	a.Repository.Name = "bad name"
	a.Discovery.CatalogPath = "x"
	err := a.Validate()
	for _, p := range []string{"organization", "repository.name", "discovery.catalogPath"} {
		if !hasProblemAt(err, p) {
			t.Errorf("missing problem at %s in:\n%v", p, err)
		}
	}
}

func TestPrivateKeyPEM(t *testing.T) {
	good := testkit.RSAKeyPEM()
	cases := []struct {
		name string
		key  string
		ok   bool
	}{
		{"pkcs1 pem", good, true},
		{"escaped newlines on one line", strings.ReplaceAll(strings.TrimSpace(good), "\n", `\n`), true},
		{"not a pem", "my-private-key", false},
		{"certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", false},
		{"garbage body", "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n", false},
		{"encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nbm90IGEga2V5\n-----END ENCRYPTED PRIVATE KEY-----\n", false},
		{"two blocks", good + good, false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPrivateKeyPEM(tc.key)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckPrivateKeyPEM: ok=%v, err=%v", tc.ok, err)
			}
			_, serr := SecretPrivateKey(tc.key)
			if (serr == nil) != tc.ok {
				t.Fatalf("SecretPrivateKey: ok=%v, err=%v", tc.ok, serr)
			}
			if serr != nil {
				if !strings.HasPrefix(serr.Error(), "appPrivateKey: ") {
					t.Errorf("error must name the key: %v", serr)
				}
				if tc.key != "" && strings.Contains(serr.Error(), tc.key) {
					t.Errorf("error quotes the key")
				}
			}
		})
	}
	if got := NormalizePrivateKey(`a\nb`); got != "a\nb\n" {
		t.Errorf("NormalizePrivateKey = %q", got)
	}
}

// A key that is not a PEM stops the program the way the stack reads it: before anything is
// registered.
func TestBadPrivateKeyStopsTheProgram(t *testing.T) {
	m := newMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		key, err := SecretPrivateKey("not-a-pem")
		if err != nil {
			return err
		}
		a := appArgs(t)
		a.AppPrivateKey = key
		_, err = NewGitHubIntegration(ctx, "portal-gh", a)
		return err
	}, m, nil)
	if err == nil || !strings.Contains(err.Error(), "appPrivateKey") {
		t.Fatalf("want an error naming appPrivateKey, got %v", err)
	}
	if len(m.Resources()) != 0 {
		t.Fatal("registered resources")
	}
}

// A key that arrives as an Output is checked when known and fails the deployment.
func TestBadPrivateKeyOutputFailsTheDeployment(t *testing.T) {
	_, _, err := deploy(t, func() *Args {
		a := appArgs(t)
		a.AppPrivateKey = pulumi.ToSecret(pulumi.String("not-a-pem")).(pulumi.StringOutput)
		return a
	})
	if err != nil {
		t.Fatalf("component registration must not depend on the key's value: %v", err)
	}
	c, err := Contribution(appArgs(t))
	if err != nil {
		t.Fatal(err)
	}
	a := appArgs(t)
	a.AppPrivateKey = pulumi.String("not-a-pem")
	bad, err := Contribution(a)
	if err != nil {
		t.Fatal(err)
	}
	m := testkit.NewMocks()
	runErr := testkit.Run(func(ctx *pulumi.Context) error {
		if _, err := testkit.Await(ctx, c.SecretEnv[EnvAppPrivateKey].ToStringOutput()); err != nil {
			t.Errorf("good key rejected: %v", err)
		}
		_, err := testkit.Await(ctx, bad.SecretEnv[EnvAppPrivateKey].ToStringOutput())
		return err
	}, m, nil)
	if runErr == nil || !strings.Contains(runErr.Error(), "appPrivateKey") || strings.Contains(runErr.Error(), "not-a-pem") {
		t.Fatalf("want an error naming appPrivateKey without its value, got %v", runErr)
	}
}

func TestDefaultsDoNotMutateArgs(t *testing.T) {
	a := appArgs(t)
	a.Protection.RequiredStatusChecks = nil
	before := *a
	d := a.WithDefaults()
	if !reflect.DeepEqual(before.Protection, a.Protection) || a.Repository.Name != "" || a.Repository.Manage != nil {
		t.Fatal("Defaults changed the caller's args")
	}
	if d.Repository.Name != DefaultRepositoryName || d.Protection.RequiredApprovals != 1 ||
		!reflect.DeepEqual(d.Protection.RequiredStatusChecks, []string{"test"}) ||
		!reflect.DeepEqual(d.App.AllowedInstallationOwners, []string{"CECG"}) ||
		d.Protection.BypassActors[0].ActorType != "Integration" || d.Protection.BypassActors[0].BypassMode != "always" {
		t.Fatalf("defaults not applied: %+v", d)
	}
	d.Protection.BypassActors[0].ActorID = 1
	if a.Protection.BypassActors[0].ActorID != deployAppID {
		t.Fatal("Defaults shares the bypass actors with the caller")
	}
	if a.FullName() != "CECG/developer-portal" {
		t.Fatalf("FullName = %q", a.FullName())
	}
}

func TestFilesAndVariablesDefaults(t *testing.T) {
	a := appArgs(t)
	a.Files.Directory = "environments/dev/"
	a.Variables = map[string]string{"CLOUD": "gcp"}
	d := a.WithDefaults()
	if d.Files.Manage == nil || !*d.Files.Manage || d.Files.Directory != "environments/dev" {
		t.Errorf("files defaults = %+v", d.Files)
	}
	d.Variables["CLOUD"] = "aws"
	if a.Variables["CLOUD"] != "gcp" || a.Files.Manage != nil || a.Files.Directory != "environments/dev/" {
		t.Error("Defaults changed the caller's files or variables")
	}
	if err := a.Validate(); err != nil {
		t.Errorf("a trailing slash is accepted: %v", err)
	}
	// A variable name of another cloud's federation is the program's own.
	a.Variables = map[string]string{VarAWSRoleARN: "arn:aws:iam::111111111111:role/x"}
	a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}}
	if err := a.Validate(); err != nil {
		t.Errorf("AWS_ROLE_ARN is free on GCP: %v", err)
	}
	// Without variables the environment name is optional.
	a = appArgs(t)
	a.Environment = ""
	if err := a.Validate(); err != nil {
		t.Errorf("environment needed only for variables: %v", err)
	}
}

func TestDerivedGCPIDs(t *testing.T) {
	a := appArgs(t)
	a.Repository.Name = "Developer_Portal.with-a-very-long-name-indeed"
	a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}}
	d := a.WithDefaults()
	if d.OIDC.GCP.PoolID != "github-developer-portal-with-a-v" {
		t.Errorf("pool id %q", d.OIDC.GCP.PoolID)
	}
	if d.OIDC.GCP.ServiceAccountID != "developer-portal-with-a-ver-ci" {
		t.Errorf("service account id %q", d.OIDC.GCP.ServiceAccountID)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("derived ids must validate: %v", err)
	}
}

// Validate covers the configuration only: the program renders the files after composing the
// portal's config, and the constructor checks them.
func TestValidateIgnoresGeneratedFiles(t *testing.T) {
	a := appArgs(t)
	a.AppConfigYAML, a.CatalogInfoYAML = "placeholder", ""
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate must not check the generated files: %v", err)
	}
	if err := checkGeneratedFiles(new(a.WithDefaults())); !hasProblemAt(err, "appConfigYAML") || !hasProblemAt(err, "catalogInfoYAML") {
		t.Fatalf("constructor check: %v", err)
	}
}
