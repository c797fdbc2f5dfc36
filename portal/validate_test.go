package portal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestBadInputRegistersNothing(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(a *Args)
		wantPath string
		wantMsg  string
	}{
		{"missing image", func(a *Args) { a.Image = "" }, "image", "required"},
		{"latest image", func(a *Args) { a.Image = "ghcr.io/coreeng/portal:latest" }, "image", "latest"},
		{"untagged image", func(a *Args) { a.Image = "ghcr.io/coreeng/portal" }, "image", "untagged"},
		{"registry port is not a tag", func(a *Args) { a.Image = "registry:5000/portal" }, "image", "untagged"},
		{"malformed digest", func(a *Args) { a.Image = "ghcr.io/coreeng/portal@sha256:abc" }, "image", "digest"},
		{"replicas zero", func(a *Args) { a.Replicas = ptr(0) }, "replicas", "at least 1"},
		{"hostname with dots", func(a *Args) { a.Hostname = "portal.team" }, "hostname", "one DNS label"},
		{"hostname upper case", func(a *Args) { a.Hostname = "Portal" }, "hostname", "one DNS label"},
		{"missing hostname", func(a *Args) { a.Hostname = "" }, "hostname", "required"},
		{"bad domain", func(a *Args) { a.Domain = "dev_cecg..io" }, "domain", "not a DNS name"},
		{"tls secret and issuer", func(a *Args) { a.TLS = TLS{SecretName: "tls", ClusterIssuer: "letsencrypt"} }, "tls", "mutually exclusive"},
		{"tls secret mode without secret", func(a *Args) { a.TLS = TLS{Mode: TLSSecret} }, "tls.secretName", "required"},
		{"tls unknown mode", func(a *Args) { a.TLS = TLS{Mode: "acme"} }, "tls.mode", "not one of"},
		{"missing cluster name", func(a *Args) { a.Kubernetes.ClusterName = "" }, "kubernetes.clusterName", "required"},
		{"unknown auth provider", func(a *Args) {
			a.Kubernetes.ExtraClusters = []Cluster{{Name: "other", URL: "https://10.0.0.1", AuthProvider: "kerberos"}}
		}, "kubernetes.extraClusters[0].authProvider", "unknown auth provider"},
		{"extra cluster http url", func(a *Args) {
			a.Kubernetes.ExtraClusters = []Cluster{{Name: "other", URL: "http://10.0.0.1", AuthProvider: "google"}}
		}, "kubernetes.extraClusters[0].url", "https"},
		{"serviceAccount cluster without token", func(a *Args) {
			a.Kubernetes.ExtraClusters = []Cluster{{Name: "other", URL: "https://10.0.0.1", AuthProvider: "serviceAccount"}}
		}, "kubernetes.extraClusters[0].authProvider", "needs a token"},
		{"duplicate cluster names", func(a *Args) {
			a.Kubernetes.EKS = []EKSCluster{{Name: "dev", URL: "https://eks.example.com"}}
		}, "kubernetes.eks[0].name", "already used"},
		{"bad eks role", func(a *Args) {
			a.Kubernetes.EKS = []EKSCluster{{Name: "eks", URL: "https://eks.example.com", AssumeRole: "admin"}}
		}, "kubernetes.eks[0].assumeRole", "IAM role ARN"},
		{"bad gke project", func(a *Args) { a.Kubernetes.GKE = &GKE{ProjectID: "P!"} }, "kubernetes.gke.projectId", "GCP project"},
		{"bad resources", func(a *Args) { a.Resources.Limits.Memory = "lots" }, "resources.limits.memory", "quantity"},
		{"bad cidr", func(a *Args) { a.NetworkPolicy.DatabaseCIDRs = []string{"10.0.0.0/33"} }, "networkPolicy.databaseCidrs[0]", "CIDR"},
		{"unknown monitoring kind", func(a *Args) { a.Monitoring.Kind = "datadog" }, "monitoring.kind", "not one of"},
		{"autoscaling max below min", func(a *Args) {
			a.Autoscaling = Autoscaling{Enabled: true, MinReplicas: 3, MaxReplicas: 2}
		}, "autoscaling.maxReplicas", "less than"},
		{"root user", func(a *Args) { a.RunAsUser = ptr(0) }, "runAsUser", "non-root"},
		{"admin group not a team slug", func(a *Args) { a.AdminGroup = "group:default/Platform Team" }, "adminGroup", "team slug"},
		{"admin group missing", func(a *Args) { a.AdminGroup = "" }, "adminGroup", "is required"},
		{"missing database password", func(a *Args) { a.Database.Password = nil }, "database.password", "required"},
		{"missing database CA", func(a *Args) { a.Database.CACert = nil }, "database.caCert", "verifies"},
		{"iam on aws without the region", func(a *Args) {
			a.Database.Auth, a.Database.Cloud, a.Database.Password = cloud.AuthIAM, "aws", nil
		}, "database.region", "RDS IAM token"},
		{"iam without a cloud", func(a *Args) {
			a.Database.Auth, a.Database.Cloud, a.Database.Password = cloud.AuthIAM, "none", nil
		}, "database.auth", "only supported on GCP"},
		{"inline secret in extraAppConfig", func(a *Args) {
			a.ExtraAppConfig = map[string]any{"auth": map[string]any{"providers": map[string]any{"github": map[string]any{"production": map[string]any{"clientSecret": "plaintext"}}}}}
		}, "extraAppConfig.auth.providers.github.production.clientSecret", "holds a literal secret"},
		{"inline secret in contribution", func(a *Args) {
			c := fakeContribution()
			c.Config.Integrations.GitHub[0].Apps[0].PrivateKey = testkit.RSAKeyPEM()
			a.Contributions = []backstage.Contribution{c}
		}, "contributions[0].config.integrations.github[0].apps[0].privateKey", "holds a credential (gitleaks rule private-key)"},
		{"contribution named portal", func(a *Args) {
			c := fakeContribution()
			c.Name = "portal"
			a.Contributions = []backstage.Contribution{c}
		}, "contributions[0].name", "reserved"},
		{"contribution env clash", func(a *Args) {
			c := fakeContribution()
			c.Env = map[string]pulumi.StringInput{EnvPostgresHost: pulumi.String("x")}
			a.Contributions = []backstage.Contribution{c}
		}, "contributions[0].env.POSTGRES_HOST", "already set"},
		{"contribution file escapes", func(a *Args) {
			c := fakeContribution()
			c.Files = map[string]string{"../etc/passwd": "x"}
			a.Contributions = []backstage.Contribution{c}
		}, "contributions[0].files.../etc/passwd", "relative path"},
		{"live catalog beside a static one", func(a *Args) {
			c := fakeContribution()
			c.Parts = []backstage.CatalogPart{{}}
			a.Contributions = []backstage.Contribution{c}
		}, "contributions[0].parts", "not both"},
		{"live part file escapes", func(a *Args) {
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{Files: map[string]string{"../x": "x"}})}
		}, "contributions[0].parts[0].files.../x", "relative path"},
		{"live part file takes an entity file's name", func(a *Args) {
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{}, backstage.CatalogPart{Files: map[string]string{"part-0.yaml": "kind: Location"}})}
		}, "contributions[0].parts[1].files.part-0.yaml", "entity file"},
		{"live file in two parts", func(a *Args) {
			f := map[string]string{"skeleton/x.yaml": "x"}
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{Files: f}, backstage.CatalogPart{Files: f})}
		}, "contributions[0].parts[1].files.skeleton/x.yaml", "also in part 0"},
		{"live entity in two parts", func(a *Args) {
			e := liveSystem("payments", 0)
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{Entities: []backstage.Entity{e}}, backstage.CatalogPart{Entities: []backstage.Entity{e}})}
		}, "contributions[0].parts[1].entities[0]", "defined twice (also in contributions[0].parts[0])"},
		{"live entity of a forbidden kind", func(a *Args) {
			e := liveSystem("payments", 0)
			e.Kind = "Location"
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{Entities: []backstage.Entity{e}})}
		}, "contributions[0].parts[0].entities[0].kind", "may not declare"},
		{"live part over the ConfigMap limit", func(a *Args) {
			var big []backstage.Entity
			for i := range 130 {
				big = append(big, liveSystem(fmt.Sprintf("tenant-%d", i), 9000))
			}
			a.Contributions = []backstage.Contribution{liveContribution(backstage.CatalogPart{}, backstage.CatalogPart{Entities: big})}
		}, "contributions[0].parts[1]", "portal-catalog-tenants-1 would hold"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			tc.mutate(args)

			// The connection's values are wiring: the constructor checks them, Validate not.
			err := args.Validate()
			if strings.HasPrefix(tc.name, "missing database") {
				err = args.checkWiring()
			}
			assertProblem(t, err, tc.wantPath, tc.wantMsg)

			m := testkit.NewMocks()
			runErr := testkit.Run(func(ctx *pulumi.Context) error {
				_, err := NewDeveloperPortal(ctx, componentName, args)
				return err
			}, m, nil)
			assertProblem(t, runErr, tc.wantPath, tc.wantMsg)
			if n := len(m.Resources()); n != 0 {
				t.Errorf("%d resources registered despite invalid args", n)
			}
		})
	}
}

func assertProblem(t *testing.T, err error, path, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error at %s, got none", path)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		// The engine wraps a program's error in a list ("\t* path: message").
		line = strings.TrimPrefix(strings.TrimSpace(line), "* ")
		if strings.HasPrefix(line, path+": ") && strings.Contains(line, msg) {
			return
		}
	}
	t.Errorf("error does not name %s (%q):\n%v", path, msg, err)
}

func TestValidateReportsEveryProblem(t *testing.T) {
	args := validArgs()
	args.Image = "portal:latest"
	args.Hostname = "a.b"
	args.Replicas = ptr(-1)
	err := args.Validate()
	var errs *validate.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want *validate.Errors, got %T %v", err, err)
	}
	if len(errs.Problems) != 3 {
		t.Errorf("want 3 problems, got %d:\n%v", len(errs.Problems), err)
	}
}

func TestNilArgs(t *testing.T) {
	var a *Args
	if err := a.Validate(); err == nil {
		t.Error("nil args validated")
	}
	if _, err := AppConfig(nil); err == nil {
		t.Error("AppConfig(nil) succeeded")
	}
	m := testkit.NewMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		_, err := NewDeveloperPortal(ctx, componentName, nil)
		return err
	}, m, nil)
	if err == nil || len(m.Resources()) != 0 {
		t.Errorf("nil args: err=%v, %d resources", err, len(m.Resources()))
	}
}

func TestAcceptedImages(t *testing.T) {
	for _, image := range []string{
		"ghcr.io/coreeng/developer-portal:1.4.2",
		"registry:5000/portal:v1",
		"portal@sha256:" + strings.Repeat("a", 64),
		"ghcr.io/coreeng/portal:1.2@sha256:" + strings.Repeat("0f", 32),
	} {
		args := validArgs()
		args.Image = image
		if err := args.Validate(); err != nil {
			t.Errorf("%s rejected: %v", image, err)
		}
	}
}

// The stack decodes its config section strictly into Args: unknown keys (a misspelt cluster
// field) must fail, and the JSON names are the documented config keys.
func TestConfigDecodingIsStrict(t *testing.T) {
	decode := func(s string) (*Args, error) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.DisallowUnknownFields()
		var a Args
		return &a, dec.Decode(&a)
	}
	if _, err := decode(`{"kubernetes":{"clusterName":"dev","extraClusters":[{"name":"x","url":"https://x","authProvider":"google","token":"t"}]}}`); err == nil || !strings.Contains(err.Error(), "token") {
		t.Errorf("unknown extra cluster field accepted: %v", err)
	}
	a, err := decode(`{"image":"i:1","hostname":"portal","domain":"example.com","replicas":3,
		"tls":{"mode":"certManager","clusterIssuer":"letsencrypt"},"externalDnsTarget":"ingress.example.com",
		"resources":{"limits":{"ephemeralStorage":"4Gi"}},"networkPolicy":{"apiServerCidrs":["10.0.0.2/32"]},
		"kubernetes":{"clusterName":"dev","gke":{"projectId":"my-project","region":"europe-west2"}},
		"monitoring":{"kind":"podMonitoring"},"autoscaling":{"enabled":true,"targetCpuUtilization":60},
		"extraAppConfig":{"app":{"support":{"url":"https://help"}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if *a.Replicas != 3 || a.TLS.ClusterIssuer != "letsencrypt" || a.Resources.Limits.EphemeralStorage != "4Gi" ||
		a.Kubernetes.GKE.Region != "europe-west2" || a.Autoscaling.TargetCPUUtilization != 60 || a.ExternalDNSTarget != "ingress.example.com" {
		t.Errorf("decoded %+v", a)
	}
}

func TestWithDefaultsDoesNotMutate(t *testing.T) {
	args := validArgs()
	args.Kubernetes.GKE = &GKE{ProjectID: "my-project"}
	args.ExtraAppConfig = map[string]any{"a": 1}
	d := args.WithDefaults()
	d.ExtraAppConfig["b"] = 2
	d.Kubernetes.GKE.ProjectID = "changed"
	if args.Name != "" || args.Replicas != nil || args.TLS.Mode != "" || args.Kubernetes.GKE.AuthProvider != "" ||
		args.Kubernetes.GKE.ProjectID != "my-project" || len(args.ExtraAppConfig) != 1 {
		t.Errorf("caller's args changed: %+v", args)
	}
	if d.Name != DefaultName || *d.Replicas != DefaultReplicas || d.TLS.Mode != TLSPlatform ||
		d.Kubernetes.GKE.AuthProvider != DefaultGKEAuthProvider || d.ExternalDNSTarget != args.Domain {
		t.Errorf("defaults not applied: %+v", d)
	}
}
