package github

import (
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Fake credentials: tests look for them where they must never appear in plain text.
const (
	fakeClientSecret  = "fake-client-secret-7Hq2"
	fakeWebhookSecret = "fake-webhook-secret-Lm4v"
	fakeToken         = "ghp_fakeTokenValue0123456789"
	deployAppID       = 424242
)

const (
	typeRepo      = "github:index/repository:Repository"
	typeRuleset   = "github:index/repositoryRuleset:RepositoryRuleset"
	typeFile      = "github:index/repositoryFile:RepositoryFile"
	typeBranch    = "github:index/branch:Branch"
	typeVariable  = "github:index/actionsVariable:ActionsVariable"
	typeEnv       = "github:index/repositoryEnvironment:RepositoryEnvironment"
	typeEnvVar    = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
	typeEnvPolicy = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
	typeLookup    = "github:index/getRepository:getRepository"
	typePool      = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
	typePoolProv  = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
	typeSA        = "gcp:serviceaccount/account:Account"
	typeSAMember  = "gcp:serviceaccount/iAMMember:IAMMember"
	typeOIDC      = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	typeRole      = "aws:iam/role:Role"
)

const testAppConfig = `app:
  title: Core Platform
organization:
  name: CECG
integrations:
  github:
    - host: github.com
      apps:
        - appId: "123456"
          clientId: Iv23liTestClient
          clientSecret: ${GITHUB_APP_CLIENT_SECRET}
          privateKey: ${GITHUB_APP_PRIVATE_KEY}
catalog:
  providers:
    github:
      cecg:
        organization: CECG
        catalogPath: /catalog-info.yaml
        schedule:
          frequency: {minutes: 30}
          timeout: {minutes: 3}
`

const testCatalogInfo = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: developer-portal
  annotations:
    backstage.io/kubernetes-id: developer-portal
    backstage.io/techdocs-ref: dir:.
spec:
  type: website
  lifecycle: production
  owner: group:default/platform-team
`

// appArgs is a complete, valid configuration with App credentials.
func appArgs(t testing.TB) *Args {
	key, err := SecretPrivateKey(testkit.RSAKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	return &Args{
		Organization: "CECG",
		CodeOwners:   []string{"@CECG/platform-team"},
		Protection:   ProtectionArgs{BypassActors: []BypassActor{{ActorID: deployAppID}}},
		App:          AppArgs{AppID: "123456", ClientID: "Iv23liTestClient"},
		Environment:  "dev",

		AppConfigYAML:    testAppConfig,
		CatalogInfoYAML:  testCatalogInfo,
		AppPrivateKey:    key,
		AppClientSecret:  pulumi.ToSecret(pulumi.String(fakeClientSecret)).(pulumi.StringOutput),
		AppWebhookSecret: pulumi.ToSecret(pulumi.String(fakeWebhookSecret)).(pulumi.StringOutput),
	}
}

func secretValues() []string {
	return []string{fakeClientSecret, fakeWebhookSecret, fakeToken, "PRIVATE KEY-----", testkit.RSAKeyPEM()[40:120]}
}

// newMocks adds the outputs the GitHub provider computes.
func newMocks() *testkit.Mocks {
	return testkit.NewMocks().WithOutputs(typeRepo, func(args pulumi.MockResourceArgs) resource.PropertyMap {
		n := args.Inputs["name"].StringValue()
		return resource.PropertyMap{
			"htmlUrl":       resource.NewStringProperty("https://github.com/CECG/" + n),
			"fullName":      resource.NewStringProperty("CECG/" + n),
			"defaultBranch": resource.NewStringProperty("main"),
		}
	})
}

// providers registers explicit providers as a stack would.
func providers(ctx *pulumi.Context) (pulumi.ResourceOption, error) {
	ghp, err := gh.NewProvider(ctx, "github", &gh.ProviderArgs{Owner: pulumi.String("CECG")})
	if err != nil {
		return nil, err
	}
	gp, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("platform-prod")})
	if err != nil {
		return nil, err
	}
	ap, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
	if err != nil {
		return nil, err
	}
	return pulumi.Providers(ghp, gp, ap), nil
}

// deploy runs NewGitHubIntegration with explicit providers and returns the recorder, the
// resolved outputs and the program's error.
func deploy(t testing.TB, args func() *Args) (*testkit.Mocks, map[string]testkit.Awaited, error) {
	t.Helper()
	return deployWith(t, newMocks(), args)
}

// deployWith is deploy on the given recorder (e.g. with invoke answers).
func deployWith(t testing.TB, m *testkit.Mocks, args func() *Args) (*testkit.Mocks, map[string]testkit.Awaited, error) {
	t.Helper()
	outs := map[string]testkit.Awaited{}
	err := testkit.Run(func(ctx *pulumi.Context) error {
		opt, err := providers(ctx)
		if err != nil {
			return err
		}
		c, err := NewGitHubIntegration(ctx, "portal-gh", args(), opt)
		if err != nil {
			return err
		}
		for k, o := range map[string]pulumi.Output{
			"repositoryName": c.RepositoryName, "repositoryUrl": c.RepositoryURL, "fullName": c.FullName,
			"ciServiceAccountEmail": c.CIServiceAccountEmail, "ciRoleArn": c.CIRoleArn,
			"ciPrincipal": c.CIPrincipal, "previewPrincipal": c.PreviewPrincipal, "workloadIdentityProvider": c.WorkloadIdentityProvider,
		} {
			a, err := testkit.Await(ctx, o)
			if err != nil {
				return err
			}
			outs[k] = a
		}
		return nil
	}, m, nil)
	return m, outs, err
}

func mustDeploy(t testing.TB, args func() *Args) (*testkit.Mocks, map[string]testkit.Awaited) {
	t.Helper()
	m, outs, err := deploy(t, args)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return m, outs
}

// commonAssertions are the invariants every successful deployment must satisfy.
func commonAssertions(t *testing.T, m *testkit.Mocks) {
	t.Helper()
	testkit.AssertNoDuplicateURNs(t, m)
	testkit.AssertExplicitProviders(t, m)
	testkit.AssertParented(t, m, Type)
	testkit.AssertNoSecretLeak(t, m, secretValues()...)
}

func testSecret(v string) pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
}
