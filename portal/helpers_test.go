package portal

import (
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource types the tests look up.
const (
	tNamespace   = "kubernetes:core/v1:Namespace"
	tSA          = "kubernetes:core/v1:ServiceAccount"
	tConfigMap   = "kubernetes:core/v1:ConfigMap"
	tSecret      = "kubernetes:core/v1:Secret"
	tService     = "kubernetes:core/v1:Service"
	tDeployment  = "kubernetes:apps/v1:Deployment"
	tIngress     = "kubernetes:networking.k8s.io/v1:Ingress"
	tNetPol      = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	tPDB         = "kubernetes:policy/v1:PodDisruptionBudget"
	tHPA         = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	tClusterRole = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
	tBinding     = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
	tPassword    = "random:index/randomPassword:RandomPassword"
	tComponent   = "coreplatform:portal:DeveloperPortal"
)

// Secret values the tests look for where they must not appear.
const (
	dbPassword     = "db-pass-Xy7-unique"
	contribSecret  = "contrib-secret-PK-unique"
	clusterToken   = "cluster-token-Tk-unique"
	componentName  = "portal"
	serviceTokenRN = componentName + "-service-token"
)

func validArgs() *Args {
	return &Args{
		Image:      "ghcr.io/coreeng/developer-portal:1.4.2",
		Hostname:   "portal",
		Domain:     "dev.cecg.platform.cecg.io",
		Kubernetes: Kubernetes{ClusterName: "dev"},
		AdminGroup: "platform-team",
		NetworkPolicy: NetworkPolicy{
			DatabaseCIDRs: []string{"10.10.0.0/24"},
		},
		Database: backstage.Postgres{
			Host:     pulumi.String("10.10.0.3"),
			Port:     pulumi.Int(5432),
			Database: pulumi.String("backstage"),
			User:     pulumi.String("backstage"),
			Password: pulumi.ToSecret(pulumi.String(dbPassword)).(pulumi.StringOutput),
			CACert:   pulumi.String(testkit.FakeCACert),
			Auth:     cloud.AuthPassword,
			Cloud:    "gcp",
		},
	}
}

// liveContribution is the tenants' contribution with a live catalog of these parts.
func liveContribution(parts ...backstage.CatalogPart) backstage.Contribution {
	return backstage.Contribution{Name: "tenants", Parts: parts}
}

// liveSystem is a tenant's System with a description of descLen bytes.
func liveSystem(name string, descLen int) backstage.Entity {
	return backstage.Entity{
		APIVersion: "backstage.io/v1alpha1", Kind: "System",
		Metadata: backstage.Metadata{Name: name, Description: strings.Repeat("d", descLen)},
		Spec:     map[string]any{"owner": "group:default/" + name},
	}
}

// fakeContribution stands for the GitHub component: a config part referencing a secret, an
// entity, a template skeleton file and env.
func fakeContribution() backstage.Contribution {
	return backstage.Contribution{
		Name: "github",
		Config: backstage.AppConfig{
			Integrations: &backstage.Integrations{GitHub: []backstage.GitHubIntegration{{
				Host: "github.com",
				Apps: []backstage.GitHubApp{{
					AppID:        "${GITHUB_APP_ID}",
					ClientID:     "${GITHUB_CLIENT_ID}",
					ClientSecret: "${GITHUB_CLIENT_SECRET}",
					PrivateKey:   "${GITHUB_PRIVATE_KEY}",
				}},
			}}},
		},
		Entities: []backstage.Entity{{
			APIVersion: "backstage.io/v1alpha1",
			Kind:       "Group",
			Metadata:   backstage.Metadata{Name: "docs-team"},
			Spec:       map[string]any{"type": "team", "children": []string{}},
		}, {
			// The documentation entity, as the TechDocs publisher contributes it.
			APIVersion: "backstage.io/v1alpha1",
			Kind:       "Component",
			Metadata:   backstage.Metadata{Name: "core-platform", Annotations: map[string]string{backstage.AnnotationTechDocsRef: "dir:."}},
			Spec:       map[string]any{"type": "documentation", "lifecycle": "production", "owner": "platform-team"},
		}},
		Files: map[string]string{"skeleton/tenant.yaml": "name: ${{ values.name }}\n"},
		SecretEnv: map[string]pulumi.StringInput{
			"GITHUB_PRIVATE_KEY":   pulumi.ToSecret(pulumi.String(contribSecret)).(pulumi.StringOutput),
			"GITHUB_CLIENT_SECRET": pulumi.ToSecret(pulumi.String(contribSecret + "-2")).(pulumi.StringOutput),
		},
		Env: map[string]pulumi.StringInput{
			"GITHUB_APP_ID":    pulumi.String("12345"),
			"GITHUB_CLIENT_ID": pulumi.String("Iv1.abc"),
		},
	}
}

// program registers the portal with explicit kubernetes and random providers.
func program(args *Args) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := newWithProviders(ctx, args)
		return err
	}
}

func newWithProviders(ctx *pulumi.Context, args *Args) (*DeveloperPortal, error) {
	k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
	if err != nil {
		return nil, err
	}
	rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
	if err != nil {
		return nil, err
	}
	return NewDeveloperPortal(ctx, componentName, args, pulumi.Providers(k8s, rnd))
}

func mustRun(t *testing.T, args *Args) *testkit.Mocks {
	t.Helper()
	m := testkit.MustRun(t, program(args), nil)
	testkit.AssertNoDuplicateURNs(t, m)
	testkit.AssertExplicitProviders(t, m)
	testkit.AssertParented(t, m, tComponent)
	testkit.AssertNoSecretLeak(t, m, testkit.FakePassword(serviceTokenRN), dbPassword, contribSecret, clusterToken)
	return m
}

// container returns the Backstage container's path prefix in a Deployment.
const container = "spec.template.spec.containers.0"

func envByName(t *testing.T, dep testkit.Resource) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	env, _ := dep.Plain(container + ".env").([]any)
	for _, e := range env {
		m := e.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}
