package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/stack"
)

var plannedStacks = []struct{ name, stack, file string }{
	{"dev", "dev", ""},
	{"prod", "prod", ""},
	{"aws", "", awsStack},
}

// TestPlanGolden compares each stack's offline plan with its golden file, so every change shows
// its effect on every environment. `go test ./tests/ -run TestPlanGolden -update` rewrites them.
func TestPlanGolden(t *testing.T) {
	for _, s := range plannedStacks {
		t.Run(s.name, func(t *testing.T) {
			res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(root, "tests", "testdata", "plan-"+s.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(res.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != res.Text {
				t.Errorf("plan of %s differs from %s; review the difference and run go test ./tests/ -run TestPlanGolden -update\n%s",
					s.name, golden, firstDifference(string(want), res.Text))
			}
		})
	}
}

// TestPlanIsDeterministic plans the same stack twice: equal text, or golden files would flap.
func TestPlanIsDeterministic(t *testing.T) {
	a, err := plan.Run(plan.Options{Root: root, Stack: "dev", TenantsDir: fixtureTenants})
	if err != nil {
		t.Fatal(err)
	}
	b, err := plan.Run(plan.Options{Root: root, Stack: "dev", TenantsDir: fixtureTenants})
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text {
		t.Errorf("two plans of dev differ:\n%s", firstDifference(a.Text, b.Text))
	}
}

// TestStackInvariants holds for every planned stack: unique URNs, explicit providers, every
// resource inside a component, and no secret value in plain text anywhere.
func TestStackInvariants(t *testing.T) {
	for _, s := range plannedStacks {
		t.Run(s.name, func(t *testing.T) {
			res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
			if err != nil {
				t.Fatal(err)
			}
			rec := res.Mocks
			testkit.AssertNoDuplicateURNs(t, rec)
			testkit.AssertExplicitProviders(t, rec)
			testkit.AssertParented(t, rec,
				"coreplatform:identity:WorkloadIdentity", "coreplatform:database:ManagedDatabase",
				"coreplatform:github:GitHubIntegration", "coreplatform:techdocs:TechDocsPublisher",
				"coreplatform:access:TenantAccess", "coreplatform:portal:DeveloperPortal")
			secrets := []string{keyBody(stack.Placeholder("developer-portal:githubAppPrivateKey"))}
			for _, k := range []string{"githubAppClientSecret", "githubAppWebhookSecret"} {
				secrets = append(secrets, stack.Placeholder("developer-portal:"+k))
			}
			for _, r := range rec.ByType("random:index/randomPassword:RandomPassword") {
				secrets = append(secrets, testkit.FakePassword(r.Name))
			}
			testkit.AssertNoSecretLeak(t, rec, secrets...)
			for _, s := range secrets {
				if strings.Contains(res.Text, s) {
					t.Error("a secret value is printed in the plan")
				}
			}
			for name, v := range res.Exports {
				if strings.Contains(v, "mock-secret") || strings.Contains(v, "not-a-real-secret") {
					t.Errorf("export %s holds a secret value", name)
				}
			}
		})
	}
}

// keyBody is the first line of a PEM's base64 body: what a leak would contain.
func keyBody(pem string) string {
	lines := strings.Split(pem, "\n")
	if len(lines) < 2 {
		return pem
	}
	return lines[1]
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}
