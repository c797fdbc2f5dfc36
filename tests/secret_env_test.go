package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
	"gopkg.in/yaml.v3"
)

// TestPortalSecretEnv follows the way the literal-secret errors point to: the credential is
// set with `pulumi config set --secret --path developer-portal:portalSecretEnv.<VAR>` and
// extraAppConfig references ${VAR}. The value reaches the portal's Secret, as a secret, and
// the app-config ConfigMap only holds the reference. Whole numbers keep their form.
func TestPortalSecretEnv(t *testing.T) {
	b, err := os.ReadFile(awsStack)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "    monitoring:\n      kind: serviceMonitor\n",
		"    monitoring:\n      kind: serviceMonitor\n    extraAppConfig:\n      techdocs:\n        cache:\n"+
			"          ttl: 123456789\n", 1)
	text += "  developer-portal:portalSecretEnv:\n    SONARQUBE_API_KEY:\n      secure: v1:c29uYXJxdWJlLWtleQ==\n"
	path := filepath.Join(t.TempDir(), "Pulumi.secretenv.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(plan.Options{Root: ".", StackFile: path})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range res.Mocks.ByType("kubernetes:core/v1:Secret") {
		if _, ok := r.Input("stringData.SONARQUBE_API_KEY"); ok {
			found = true
			if !r.InputIsSecret("stringData.SONARQUBE_API_KEY") {
				t.Errorf("Secret %s holds SONARQUBE_API_KEY in plain text", r.Name)
			}
		}
	}
	if !found {
		t.Error("no Secret holds SONARQUBE_API_KEY")
	}
	appConfig, err := plan.AppConfig(res.Resources)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ttl: 123456789"} {
		if !strings.Contains(appConfig, want) {
			t.Errorf("app-config lacks %q:\n%s", want, appConfig)
		}
	}
	testkit.AssertNoSecretLeak(t, res.Mocks, "placeholder-developer-portal:portalSecretEnv.SONARQUBE_API_KEY-not-a-real-secret")
}

// TestExtraClusterToken: an extra cluster reached with a ServiceAccount token is configured
// from the stack: the token is the secret key kubernetesClusterTokens.<cluster>, lands in the
// portal's Secret only, and kubernetes.clusterLocatorMethods references it.
func TestExtraClusterToken(t *testing.T) {
	b, err := os.ReadFile("Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "    kubernetes:\n      clusterName: cecg-dev\n",
		"    kubernetes:\n      clusterName: cecg-dev\n      extraClusters:\n        - name: partner\n"+
			"          url: https://partner.example.com\n          authProvider: serviceAccount\n", 1)
	text += "  developer-portal:kubernetesClusterTokens:\n    partner:\n      secure: v1:dG9rZW4=\n"
	path := filepath.Join(t.TempDir(), "Pulumi.clusters.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(plan.Options{Root: ".", StackFile: path})
	if err != nil {
		t.Fatal(err)
	}
	appConfig, err := plan.AppConfig(res.Resources)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kubernetes struct {
			ClusterLocatorMethods []struct {
				Type     string
				Clusters []struct {
					Name, URL    string
					AuthProvider string            `yaml:"authProvider"`
					AuthMetadata map[string]string `yaml:"authMetadata"`
				}
			} `yaml:"clusterLocatorMethods"`
		}
	}
	if err := yaml.Unmarshal([]byte(appConfig), &doc); err != nil {
		t.Fatal(err)
	}
	methods := doc.Kubernetes.ClusterLocatorMethods
	if len(methods) != 1 || methods[0].Type != "config" || len(methods[0].Clusters) != 2 {
		t.Fatalf("clusterLocatorMethods = %+v", methods)
	}
	partner := methods[0].Clusters[1]
	ref := partner.AuthMetadata["serviceAccountToken"]
	if partner.Name != "partner" || partner.AuthProvider != "serviceAccount" || !strings.HasPrefix(ref, "${") {
		t.Fatalf("partner cluster = %+v", partner)
	}
	env := strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}")
	var found bool
	for _, r := range res.Mocks.ByType("kubernetes:core/v1:Secret") {
		if _, ok := r.Input("stringData." + env); ok {
			found = true
			if !r.InputIsSecret("stringData." + env) {
				t.Errorf("%s is not secret in Secret %s", env, r.Name)
			}
		}
	}
	if !found {
		t.Errorf("no Secret holds %s", env)
	}
}
