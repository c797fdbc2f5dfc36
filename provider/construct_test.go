package provider

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/github"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// TestConstruct constructs every component from valid inputs: its children are registered
// with the providers the program passed, and no secret reaches a plain-text input.
func TestConstruct(t *testing.T) {
	for _, c := range Components {
		t.Run(c.Token, func(t *testing.T) {
			got := constructWith(c.Token, validInputs[c.Token])
			if got.err != nil {
				t.Fatalf("construct failed: %v", got.err)
			}
			if !got.registered(c.Token) {
				t.Fatalf("%s not registered", c.Token)
			}
			testkit.AssertNoDuplicateURNs(t, got.m)
			testkit.AssertExplicitProviders(t, got.m)
			testkit.AssertParented(t, got.m, c.Token, "random:index/randomString:RandomString")
			testkit.AssertNoSecretLeak(t, got.m, secrets()...)
		})
	}
}

// TestDecodeArgs checks that the inputs land in the component's Args: plain values decoded by
// their config keys (nested objects, numbers given as float64, values from another resource
// that are known), and Output inputs kept as Outputs.
func TestDecodeArgs(t *testing.T) {
	cases := []struct {
		typ   string
		check func(t *testing.T, ctx *pulumi.Context, in pulumi.Map) error
	}{
		{tPortal, func(t *testing.T, ctx *pulumi.Context, in pulumi.Map) error {
			a, err := portalArgs(ctx, in)
			if err != nil {
				return err
			}
			if a.Hostname != "portal" || a.Replicas == nil || *a.Replicas != 3 || a.TLS.Mode != portal.TLSCertManager ||
				a.TLS.ClusterIssuer != "letsencrypt" || a.Kubernetes.ClusterName != "dev" || a.CloudIdentity != portal.IdentityGKE {
				t.Errorf("plain inputs decoded wrong: %+v", a)
			}
			if a.ExtraAppConfig["app"] == nil {
				t.Errorf("extraAppConfig lost: %v", a.ExtraAppConfig)
			}
			names := []string{}
			for _, c := range a.Contributions {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, []string{"extra", secretEnvContribution}) {
				t.Errorf("contributions = %v, want [extra %s]", names, secretEnvContribution)
			}
			if a.Contributions[0].Config.Scaffolder == nil || a.Contributions[0].Config.Scaffolder.DefaultCommitMessage == "" {
				t.Errorf("contribution config lost: %+v", a.Contributions[0].Config)
			}
			if a.Database.Auth != "password" || a.Database.PluginDivisionMode != database.PluginDivisionMode {
				t.Errorf("database connection mode = %q/%q", a.Database.Auth, a.Database.PluginDivisionMode)
			}
			port := await(t, ctx, a.Database.Port)
			if port.Value != 6432 {
				t.Errorf("databasePort = %v, want 6432", port.Value)
			}
			return nil
		}},
		{tTenants, func(t *testing.T, ctx *pulumi.Context, in pulumi.Map) error {
			a, err := tenantAccessArgs(ctx, in)
			if err != nil {
				return err
			}
			if a.Environment != "gcp-dev" || len(a.Tenants) != 1 || a.Tenants[0].Name != "payments" ||
				a.Quota.Pods != "30" || a.ManageTeams() || a.PortalNamespace != "developer-portal" {
				t.Errorf("decoded wrong: %+v", a)
			}
			return nil
		}},
		{tDatabase, func(t *testing.T, ctx *pulumi.Context, in pulumi.Map) error {
			a, err := managedDatabaseArgs(ctx, in)
			if err != nil {
				return err
			}
			if a.Cloud != "gcp" || a.GCP == nil || a.GCP.Region != "europe-west2" || a.HighAvailability == nil || *a.HighAvailability {
				t.Errorf("decoded wrong: %+v", a)
			}
			if a.IAMServiceAccountEmail == nil {
				t.Error("iamServiceAccountEmail lost")
			}
			return nil
		}},
		{tGitHub, func(t *testing.T, ctx *pulumi.Context, in pulumi.Map) error {
			a, err := gitHubIntegrationArgs(ctx, in)
			if err != nil {
				return err
			}
			if a.Organization != "CECG" || a.Environment != "dev" || a.Files.Manage == nil || *a.Files.Manage ||
				len(a.Protection.BypassActors) != 1 || a.Protection.BypassActors[0].ActorID != 424242 {
				t.Errorf("decoded wrong: %+v", a)
			}
			if a.AppPrivateKey == nil || a.AppClientSecret == nil || a.AppWebhookSecret == nil || a.Token != nil {
				t.Error("credentials decoded wrong")
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			r := program(func(ctx *pulumi.Context, upstream pulumi.Resource, _ pulumi.ResourceOption) error {
				return tc.check(t, ctx, validInputs[tc.typ](upstream))
			})
			if r.err != nil {
				t.Fatal(r.err)
			}
		})
	}
}

// TestDecodeErrors checks that bad inputs fail before anything is registered, each problem
// naming the input property (nested ones by their path).
func TestDecodeErrors(t *testing.T) {
	set := func(key string, v func(upstream pulumi.Resource) pulumi.Input) func(pulumi.Map, pulumi.Resource) {
		return func(in pulumi.Map, upstream pulumi.Resource) { in[key] = v(upstream) }
	}
	value := func(v pulumi.Input) func(pulumi.Resource) pulumi.Input {
		return func(pulumi.Resource) pulumi.Input { return v }
	}
	cases := []struct {
		name string
		typ  string
		edit func(pulumi.Map, pulumi.Resource)
		want []string
	}{
		{"unknown property", tPortal, set("hostnme", value(pulumi.String("portal"))),
			[]string{"hostnme: unknown property (check the spelling against the package schema)"}},
		{"unknown nested key", tPortal, set("tls", value(pulumi.Map{"mod": pulumi.String("secret")})),
			[]string{"tls.mod: unknown property"}},
		{"wrong type", tPortal, set("replicas", value(pulumi.String("two"))),
			[]string{"replicas: expected an integer, got string"}},
		{"validation names the key", tPortal, set("tls", value(pulumi.Map{"mode": pulumi.String("bogus")})),
			[]string{"tls.mode: "}},
		{"plain input unknown", tPortal, set("hostname", func(pulumi.Resource) pulumi.Input { return testkit.Unknown() }),
			[]string{"hostname: " + mustBeKnown}},
		{"plain input secret", tPortal, set("image", value(testkit.Secret("ghcr.io/x/y:1"))),
			[]string{"image: " + mustNotBeSecret}},
		{"nested secret", tPortal, set("kubernetes", value(pulumi.Map{"clusterName": testkit.Secret("dev")})),
			[]string{"kubernetes: " + mustNotBeSecret}},
		{"required connection", tPortal, func(in pulumi.Map, _ pulumi.Resource) { delete(in, "databaseHost"); delete(in, "databaseUser") },
			[]string{"databaseHost: is required", "databaseUser: is required"}},
		{"output input of the wrong type", tPortal, set("databasePort", value(pulumi.String("5432"))),
			[]string{"databasePort: expected an integer, got a string"}},
		{"null connection input", tPortal, set("databaseHost", value(pulumi.Any(nil))),
			[]string{"databaseHost: is required"}},
		{"map of the wrong type", tPortal, set("serviceAccountAnnotations", value(pulumi.Map{"a": pulumi.Int(1)})),
			[]string{"serviceAccountAnnotations: a: expected a string, got a number"}},
		{"secretEnv names unknown", tPortal, set("secretEnv", func(pulumi.Resource) pulumi.Input { return testkit.Unknown() }),
			[]string{"secretEnv: must be known before deployment"}},
		{"contribution with a misspelt key", tPortal, set("contributions", value(pulumi.Array{pulumi.Any(map[string]any{
			"name": "extra", "config": map[string]any{"catalogg": map[string]any{}}})})),
			[]string{"contributions[0].config: ", "catalogg"}},
		{"contribution unknown", tPortal, set("contributions", func(pulumi.Resource) pulumi.Input { return testkit.Unknown() }),
			[]string{"contributions: " + mustBeKnown}},
		{"every problem at once", tPortal, func(in pulumi.Map, _ pulumi.Resource) {
			in["hostname"] = testkit.Unknown()
			in["colour"] = pulumi.String("blue")
			in["replicas"] = pulumi.Bool(true)
			in["databasePort"] = pulumi.Bool(true)
		}, []string{"4 problems", "colour: unknown property", "hostname: " + mustBeKnown, "replicas: expected an integer, got bool",
			"databasePort: expected an integer, got a boolean"}},
		{"tenants: environment", tTenants, set("environment", value(pulumi.String("aws-dev"))),
			[]string{"environment: \"aws-dev\" is not one of environments"}},
		{"tenants: unknown tenant field", tTenants, set("tenants", value(pulumi.Array{pulumi.Map{"nme": pulumi.String("x")}})),
			[]string{"tenants[0].nme: unknown property"}},
		{"tenants: unknown environment", tTenants, set("environment", func(pulumi.Resource) pulumi.Input { return testkit.Unknown() }),
			[]string{"environment: " + mustBeKnown}},
		{"database: cloud", tDatabase, set("cloud", value(pulumi.String("azure"))),
			[]string{"cloud: "}},
		{"database: nested unknown key", tDatabase, set("gcp", value(pulumi.Map{"regon": pulumi.String("europe-west2")})),
			[]string{"gcp.regon: unknown property"}},
		{"github: token and App", tGitHub, set("token", value(testkit.Secret("ghp_x"))),
			[]string{"token"}},
		{"github: unknown property", tGitHub, set("organisation", value(pulumi.String("CECG"))),
			[]string{"organisation: unknown property"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := constructWith(tc.typ, with(tc.typ, tc.edit))
			if got.err == nil {
				t.Fatal("construct succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(got.err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, got.err)
				}
			}
			if got.registered(tc.typ) {
				t.Errorf("%s registered despite bad input", tc.typ)
			}
		})
	}
}

// TestSecretsStaySecret passes credentials as plain values: the provider makes them secret, so
// they never reach a plain-text input, and the secret outputs are secret.
func TestSecretsStaySecret(t *testing.T) {
	got := constructWith(tPortal, with(tPortal, func(in pulumi.Map, _ pulumi.Resource) {
		in["databasePassword"] = pulumi.String(dbPassword)
		in["serviceToken"] = pulumi.String(serviceToken)
		in["secretEnv"] = pulumi.StringMap{"EXTRA_SECRET": pulumi.String(envSecret)}
		in["kubernetes"] = pulumi.Map{"clusterName": pulumi.String("dev"), "extraClusters": pulumi.Array{pulumi.Map{
			"name": pulumi.String("other"), "url": pulumi.String("https://other.example.io"), "authProvider": pulumi.String("serviceAccount"),
		}}}
		in["clusterTokens"] = pulumi.StringMap{"other": pulumi.String(clusterToken)}
	}))
	if got.err != nil {
		t.Fatal(got.err)
	}
	testkit.AssertNoSecretLeak(t, got.m, secrets()...)
	if tok := got.state["serviceToken"]; !tok.Secret || tok.Value != serviceToken {
		t.Errorf("serviceToken output = %+v, want the token, secret", tok)
	}
	secret := got.m.ByType("kubernetes:core/v1:Secret")
	if len(secret) != 1 {
		t.Fatalf("%d Secrets", len(secret))
	}
	data := secret[0].Inputs["stringData"]
	for _, want := range []string{dbPassword, envSecret, clusterToken, serviceToken} {
		if !strings.Contains(data.String(), want) {
			t.Errorf("the portal's Secret lacks %q", want)
		}
	}
}

// TestGitHubOutputs checks that the contribution holds no credential and the credentials
// travel only in the secret secretEnv output.
func TestGitHubOutputs(t *testing.T) {
	got := constructWith(tGitHub, validInputs[tGitHub])
	if got.err != nil {
		t.Fatal(got.err)
	}
	c := got.state["contribution"]
	if c.Secret || !c.Known {
		t.Errorf("contribution known=%v secret=%v, want known and not secret", c.Known, c.Secret)
	}
	b, _ := json.Marshal(c.Value)
	for _, s := range secrets() {
		if strings.Contains(string(b), s) {
			t.Errorf("contribution holds a secret: %s", b)
		}
	}
	env := got.state["secretEnv"]
	m, problem := toStringMap(env.Value)
	if problem != "" || !env.Secret || m[github.EnvAppClientSecret] != clientSecret {
		t.Errorf("secretEnv = %+v, want the credentials, secret", env)
	}
}

// TestOutputInputsKeepDependencies checks that an input from another resource stays an Output
// depending on it, and a secret input stays secret even when passed plain.
func TestOutputInputsKeepDependencies(t *testing.T) {
	r := program(func(ctx *pulumi.Context, upstream pulumi.Resource, _ pulumi.ResourceOption) error {
		in := validInputs[tPortal](upstream)
		in["databasePassword"] = pulumi.String(dbPassword)
		var pi portalInputs
		if _, err := decodeInputs(ctx, in, &pi); err != nil {
			return err
		}
		host := awaitFull(t, ctx, pi.DatabaseHost)
		if host.Value != upstreamHost || !slices.Contains(host.Dependencies, upstream) {
			t.Errorf("databaseHost = %v with %d dependencies, want %s depending on the upstream resource", host.Value, len(host.Dependencies), upstreamHost)
		}
		if pw := await(t, ctx, pi.DatabasePassword); !pw.Secret || pw.Value != dbPassword {
			t.Errorf("databasePassword = %+v, want it secret", pw)
		}
		return nil
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
}

// TestContributionRoundTrip checks that a contribution survives its trip through an output
// and the portal's contributions input: the portal composes the same app-config and catalog as
// from the Go value.
func TestContributionRoundTrip(t *testing.T) {
	tenants, err := access.LoadTenants(tenantsTestDir)
	if err != nil {
		t.Fatal(err)
	}
	accessPart, err := access.Contribution(&access.Args{
		Environments: []string{"gcp-dev", "gcp-prod"}, Environment: "gcp-dev", Organization: "cecg",
		Requests: access.Requests{Repository: "cecg/environments"}, Tenants: tenants,
	})
	if err != nil {
		t.Fatal(err)
	}
	ghPart, err := github.Contribution(&github.Args{
		Organization: "CECG", App: github.AppArgs{AppID: "1", ClientID: "Iv23li"}, CodeOwners: []string{"@CECG/platform-team"},
		Protection:    github.ProtectionArgs{BypassActors: []github.BypassActor{{ActorID: 1}}},
		AppPrivateKey: pulumi.String(testkit.RSAKeyPEM()), AppClientSecret: pulumi.String(clientSecret),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []backstage.Contribution{accessPart, ghPart} {
		t.Run(part.Name, func(t *testing.T) {
			r := program(func(ctx *pulumi.Context, _ pulumi.Resource, _ pulumi.ResourceOption) error {
				out, err := exportContribution(part)
				if err != nil {
					return err
				}
				a := await(t, ctx, pulumi.ToOutput(out))
				b, err := json.Marshal([]any{a.Value})
				if err != nil {
					return err
				}
				var cs []Contribution
				if err := json.Unmarshal(b, &cs); err != nil {
					return err
				}
				var errs validate.Errors
				back := importContributions(cs, &errs)
				if err := errs.Err(); err != nil {
					return err
				}
				assertSameContribution(t, part, back[0])
				return nil
			})
			if r.err != nil {
				t.Fatal(r.err)
			}
		})
	}
}

func assertSameContribution(t *testing.T, want, got backstage.Contribution) {
	t.Helper()
	if got.Name != want.Name {
		t.Errorf("name %q, want %q", got.Name, want.Name)
	}
	wc, _ := backstage.Generic(want.Config)
	gc, _ := backstage.Generic(got.Config)
	if a, b := mustJSON(t, wc), mustJSON(t, gc); a != b {
		t.Errorf("config differs:\n got %s\nwant %s", b, a)
	}
	we, _ := backstage.MarshalEntities(want.Entities)
	ge, _ := backstage.MarshalEntities(got.Entities)
	if string(we) != string(ge) {
		t.Errorf("entities differ:\n got %s\nwant %s", ge, we)
	}
	if mustJSON(t, want.Files) != mustJSON(t, got.Files) {
		t.Errorf("files differ")
	}
	// The live catalog keeps its parts, empty ones included: their number is in the pods'
	// template.
	if len(got.Parts) != len(want.Parts) {
		t.Fatalf("%d parts, want %d", len(got.Parts), len(want.Parts))
	}
	for i := range want.Parts {
		we, _ := backstage.MarshalEntities(want.Parts[i].Entities)
		ge, _ := backstage.MarshalEntities(got.Parts[i].Entities)
		if string(we) != string(ge) {
			t.Errorf("part %d's entities differ:\n got %s\nwant %s", i, ge, we)
		}
		if mustJSON(t, want.Parts[i].Files) != mustJSON(t, got.Parts[i].Files) {
			t.Errorf("part %d's files differ", i)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func await(t *testing.T, ctx *pulumi.Context, in pulumi.Input) testkit.Awaited {
	t.Helper()
	a, err := testkit.Await(ctx, pulumi.ToOutput(in))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func awaitFull(t *testing.T, ctx *pulumi.Context, in pulumi.Input) internals.UnsafeAwaitOutputResult {
	t.Helper()
	r, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(in))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
