package provider

import (
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Values the tests look for where they must not appear in plain text.
const (
	dbPassword     = "db-password-Qx81-unique"
	serviceToken   = "service-token-Zr55-unique"
	envSecret      = "env-secret-Hn27-unique"
	clusterToken   = "cluster-token-Wb90-unique"
	clientSecret   = "client-secret-Pv63-unique"
	webhookSecret  = "webhook-secret-Ka12-unique"
	upstreamHost   = "10.20.0.7"
	tenantsTestDir = "../tests/testdata/tenants"
)

// Resource tokens of the four components.
const (
	tPortal   = "coreplatform:portal:DeveloperPortal"
	tTenants  = "coreplatform:access:TenantAccess"
	tDatabase = "coreplatform:database:ManagedDatabase"
	tGitHub   = "coreplatform:github:GitHubIntegration"
)

// secrets are every secret value the fixtures pass.
func secrets() []string {
	return []string{dbPassword, serviceToken, envSecret, clusterToken, clientSecret, webhookSecret, testkit.RSAKeyPEM()[40:120]}
}

// inputsFunc builds a component's inputs inside the program; upstream is a resource whose
// outputs stand for another resource's (a dependency).
type inputsFunc func(upstream pulumi.Resource) pulumi.Map

// validInputs are complete, valid inputs per component, as a YAML program would pass them:
// plain values, secrets where the values are credentials, and the database's address from
// another resource.
var validInputs = map[string]inputsFunc{
	tPortal: func(upstream pulumi.Resource) pulumi.Map {
		return pulumi.Map{
			"image":      pulumi.String("ghcr.io/coreeng/developer-portal:1.4.2"),
			"hostname":   pulumi.String("portal"),
			"domain":     pulumi.String("dev.example.io"),
			"adminGroup": pulumi.String("platform-team"),
			"replicas":   pulumi.Float64(3), // numbers reach a provider as float64
			"tls":        pulumi.Map{"mode": pulumi.String("certManager"), "clusterIssuer": pulumi.String("letsencrypt")},
			"kubernetes": pulumi.Map{"clusterName": pulumi.String("dev")},
			"extraAppConfig": pulumi.Map{
				"app": pulumi.Map{"support": pulumi.Map{"url": pulumi.String("https://help.example.io")}},
			},
			"cloudIdentity":         pulumi.String("gke"),
			"databaseHost":          testkit.FromResource(upstream, upstreamHost),
			"databasePort":          pulumi.Float64(6432),
			"databaseName":          pulumi.String("backstage"),
			"databaseUser":          pulumi.String("backstage"),
			"databasePassword":      testkit.Secret(dbPassword),
			"databaseCaCertificate": pulumi.String(testkit.FakeCACert),
			"serviceToken":          testkit.Secret(serviceToken),
			"secretEnv":             testkit.Secret(map[string]any{"EXTRA_SECRET": envSecret}),
			"serviceAccountAnnotations": pulumi.StringMap{
				"iam.gke.io/gcp-service-account": pulumi.String("portal@p.iam.gserviceaccount.com"),
			},
			"contributions": pulumi.Array{pulumi.Any(map[string]any{
				"name":   "extra",
				"config": map[string]any{"scaffolder": map[string]any{"defaultCommitMessage": "Created from the portal"}},
			})},
		}
	},
	tTenants: func(pulumi.Resource) pulumi.Map {
		return pulumi.Map{
			"environments":    pulumi.ToStringArray([]string{"gcp-dev", "gcp-prod"}),
			"environment":     pulumi.String("gcp-dev"),
			"organization":    pulumi.String("cecg"),
			"portalNamespace": pulumi.String("developer-portal"),
			"adminGroup":      pulumi.String("platform-team"),
			"githubTeams":     pulumi.Map{"manage": pulumi.Bool(false)},
			"requests":        pulumi.Map{"repository": pulumi.String("cecg/environments")},
			"quota":           pulumi.Map{"pods": pulumi.String("30")},
			"tenants": pulumi.Array{pulumi.Map{
				"name": pulumi.String("payments"), "parent": pulumi.String("root"),
				"description": pulumi.String("Payments"), "contactEmail": pulumi.String("payments@example.io"),
				"environments": pulumi.ToStringArray([]string{"gcp-dev"}),
				"adminGroup":   pulumi.String("payments-admins@example.io"), "readonlyGroup": pulumi.String("payments-readers@example.io"),
			}},
		}
	},
	tDatabase: func(upstream pulumi.Resource) pulumi.Map {
		return pulumi.Map{
			"cloud":            pulumi.String("gcp"),
			"auth":             pulumi.String("iam"),
			"highAvailability": pulumi.Bool(false),
			"gcp": pulumi.Map{
				"project": pulumi.String("tenant-a-prod"), "region": pulumi.String("europe-west2"),
				"privateNetwork": pulumi.String("projects/tenant-a-prod/global/networks/default"),
			},
			"iamServiceAccountEmail": testkit.FromResource(upstream, "portal@tenant-a-prod.iam.gserviceaccount.com"),
		}
	},
	tGitHub: func(pulumi.Resource) pulumi.Map {
		return pulumi.Map{
			"organization":     pulumi.String("CECG"),
			"codeOwners":       pulumi.ToStringArray([]string{"@CECG/platform-team"}),
			"protection":       pulumi.Map{"bypassActors": pulumi.Array{pulumi.Map{"actorId": pulumi.Float64(424242)}}},
			"app":              pulumi.Map{"appId": pulumi.String("123456"), "clientId": pulumi.String("Iv23liTestClient")},
			"files":            pulumi.Map{"manage": pulumi.Bool(false)},
			"environment":      pulumi.String("dev"),
			"appPrivateKey":    testkit.Secret(testkit.RSAKeyPEM()),
			"appClientSecret":  pulumi.String(clientSecret), // plain: the provider makes it secret
			"appWebhookSecret": testkit.Secret(webhookSecret),
		}
	},
}

// newMocks fakes what the components' providers compute.
func newMocks() *testkit.Mocks {
	return testkit.NewMocks().
		WithOutputs("github:index/repository:Repository", func(args pulumi.MockResourceArgs) resource.PropertyMap {
			n := args.Inputs["name"].StringValue()
			return resource.PropertyMap{
				"htmlUrl":       resource.NewStringProperty("https://github.com/CECG/" + n),
				"fullName":      resource.NewStringProperty("CECG/" + n),
				"defaultBranch": resource.NewStringProperty("main"),
			}
		}).
		WithOutputs("random:index/randomId:RandomId", func(pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"hex": resource.NewStringProperty("a1b2c3d4")}
		})
}

// run is a program run: the recorder and its error.
type run struct {
	m   *testkit.Mocks
	err error
}

// program runs body with explicit providers for every component (as a program passes them
// in the component's options) and an upstream resource standing for another resource.
func program(body func(ctx *pulumi.Context, upstream pulumi.Resource, opts pulumi.ResourceOption) error) run {
	m := newMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
		if err != nil {
			return err
		}
		ghp, err := gh.NewProvider(ctx, "github", &gh.ProviderArgs{Owner: pulumi.String("CECG")})
		if err != nil {
			return err
		}
		gp, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("tenant-a-prod")})
		if err != nil {
			return err
		}
		ap, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
		if err != nil {
			return err
		}
		upstream, err := random.NewRandomString(ctx, "upstream", &random.RandomStringArgs{Length: pulumi.Int(8)}, pulumi.Provider(rnd))
		if err != nil {
			return err
		}
		return body(ctx, upstream, pulumi.Providers(k8s, rnd, ghp, gp, ap))
	}, m, nil)
	return run{m: m, err: err}
}

// constructed is a Construct run with its outputs resolved.
type constructed struct {
	run
	state map[string]testkit.Awaited
}

// constructWith runs Construct for typ with the inputs and resolves its outputs.
func constructWith(typ string, inputs inputsFunc) constructed {
	c := constructed{state: map[string]testkit.Awaited{}}
	c.run = program(func(ctx *pulumi.Context, upstream pulumi.Resource, opts pulumi.ResourceOption) error {
		res, err := construct(ctx, typ, "example", inputs(upstream), opts)
		if err != nil {
			return err
		}
		for k, v := range res.State.(pulumi.Map) {
			a, err := testkit.Await(ctx, pulumi.ToOutput(v))
			if err != nil {
				return err
			}
			c.state[k] = a
		}
		return nil
	})
	return c
}

// registered reports whether the run registered a resource of type typ.
func (r run) registered(typ string) bool { return len(r.m.ByType(typ)) > 0 }

// with returns the valid inputs of typ changed by edit.
func with(typ string, edit func(in pulumi.Map, upstream pulumi.Resource)) inputsFunc {
	return func(upstream pulumi.Resource) pulumi.Map {
		in := validInputs[typ](upstream)
		edit(in, upstream)
		return in
	}
}
