package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/portal"
)

const testPassword = "example-db-password-Qx7"

// exampleConfig is the stack config the example's Pulumi.yaml asks for.
func exampleConfig() map[string]string {
	return map[string]string{
		testkit.Project + ":databaseHost":     "10.10.0.3",
		testkit.Project + ":databaseCACert":   "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n",
		testkit.Project + ":databasePassword": testPassword,
	}
}

// TestExamplePlansOffline runs the example program under the mocks: the offline plan of an
// importer's program. It must register both components with explicit providers, keep the
// database password a secret, and provision the tenants.
func TestExamplePlansOffline(t *testing.T) {
	key := testkit.Project + ":databasePassword"
	m := testkit.MustRun(t, program, exampleConfig(), key)

	testkit.AssertNoDuplicateURNs(t, m)
	testkit.AssertExplicitProviders(t, m)
	testkit.AssertParented(t, m, portal.Type, access.Type)
	testkit.AssertNoSecretLeak(t, m, testPassword)

	for _, typ := range []string{portal.Type, access.Type, "kubernetes:apps/v1:Deployment"} {
		if len(m.ByType(typ)) != 1 {
			t.Errorf("want one %s, got %d", typ, len(m.ByType(typ)))
		}
	}
	var namespaces []string
	for _, r := range m.ByType("kubernetes:core/v1:Namespace") {
		namespaces = append(namespaces, r.String("metadata.name"))
	}
	for _, want := range []string{"payments", "ledger"} {
		if !slices.Contains(namespaces, want) {
			t.Errorf("namespace %s missing; namespaces: %v", want, namespaces)
		}
	}
	for _, r := range m.Resources() {
		if strings.HasPrefix(r.Type, "github:") {
			t.Errorf("registered %s %s: teams are managed elsewhere, no GitHub resource expected", r.Type, r.Name)
		}
	}
}

// TestExampleMissingConfig: without its settings the program names them all and registers nothing.
func TestExampleMissingConfig(t *testing.T) {
	m := testkit.NewMocks()
	err := testkit.Run(program, m, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "databaseHost, databaseCACert, databasePassword") {
		t.Fatalf("err = %v, want every missing setting named", err)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("%d resources registered", n)
	}
}

// The example stays a plain Pulumi program: pulumi.Run(program).
var _ pulumi.RunFunc = program
