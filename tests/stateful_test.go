package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/plan"
	"github.com/coreeng/developer-portal/internal/stateful"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestStatefulURNsAreKept holds every planned stack to tests/testdata/stateful-urns-<stack>.txt:
// a stateful resource whose URN changes without an alias fails here, before any `pulumi up`
// replaces it. A new stateful resource must be added to the manifest (-update), so the
// manifest always lists everything a later refactor could lose.
func TestStatefulURNsAreKept(t *testing.T) {
	for _, s := range plannedStacks {
		t.Run(s.name, func(t *testing.T) {
			res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(root, "tests", "testdata", "stateful-urns-"+s.name+".txt")
			current := statefulURNs(res.Resources)
			if *update {
				if err := os.WriteFile(path, []byte(strings.Join(current, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./tests/ -run TestStatefulURNsAreKept -update to create it)", err)
			}
			var manifest []string
			for _, l := range strings.Split(string(raw), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					manifest = append(manifest, l)
				}
			}
			for _, p := range replacedStateful(manifest, res.Mocks) {
				t.Error(p)
			}
			known := map[string]bool{}
			for _, l := range manifest {
				known[l] = true
			}
			for _, l := range current {
				if !known[l] {
					t.Errorf("stateful resource not in %s: %s (run go test ./tests/ -run TestStatefulURNsAreKept -update)", filepath.Base(path), l)
				}
			}
		})
	}
}

// TestEveryPlannedTypeIsClassified holds the data-loss guard's list (internal/stateful) to the
// components: every resource type a committed stack plans is either stateful or named
// stateless, and every listed type is still planned by some stack, so the list is neither
// short of a new type nor padded with a gone one.
func TestEveryPlannedTypeIsClassified(t *testing.T) {
	planned := map[string]bool{}
	for _, s := range plannedStacks {
		res, err := plan.Run(plan.Options{Root: root, Stack: s.stack, StackFile: abs(s.file), TenantsDir: fixtureTenants})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Resources {
			if strings.HasPrefix(r.Type, "coreplatform:") || strings.HasPrefix(r.Type, "pulumi:providers:") {
				continue
			}
			planned[r.Type] = true
		}
	}
	stateless := map[string]bool{}
	for _, typ := range stateful.Stateless {
		if stateful.Is(typ) {
			t.Errorf("%s is listed both stateful and stateless", typ)
		}
		stateless[typ] = true
	}
	for typ := range planned {
		if !stateful.Is(typ) && !stateless[typ] {
			t.Errorf("resource type %s is planned but neither stateful nor stateless in internal/stateful: "+
				"say whether replacing it loses data or access", typ)
		}
	}
	for _, typ := range append(stateful.Sorted(), stateful.Stateless...) {
		if !planned[typ] {
			t.Errorf("internal/stateful lists %s, which no committed stack plans", typ)
		}
	}
}

// TestReplacedStatefulDetectsRenames renames resources on purpose, with and without aliases,
// and checks what the manifest check concludes.
func TestReplacedStatefulDetectsRenames(t *testing.T) {
	const (
		compType = "coreplatform:database:ManagedDatabase"
		instType = "gcp:sql/databaseInstance:DatabaseInstance"
	)
	oldComp := testkit.URN("", compType, "database")
	oldInst := testkit.URN(oldComp, instType, "database-instance")
	manifest := []string{instType + " " + oldInst}

	tests := []struct {
		name     string
		program  func(ctx *pulumi.Context) error
		replaced bool
	}{
		{"unchanged", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, compType, "database-instance", nil, nil)
		}, false},
		{"instance renamed without alias", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, compType, "db-instance", nil, nil)
		}, true},
		{"instance renamed with alias", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, compType, "db-instance", nil,
				[]pulumi.Alias{{Name: pulumi.String("database-instance")}})
		}, false},
		{"instance renamed with URN alias", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, compType, "db-instance", nil,
				[]pulumi.Alias{{URN: pulumi.URN(oldInst)}})
		}, false},
		{"component type changed with alias: children follow", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, "coreplatform:db:Database", "database-instance",
				[]pulumi.Alias{{Type: pulumi.String(compType)}}, nil)
		}, false},
		{"component type changed without alias", func(ctx *pulumi.Context) error {
			return registerDatabase(ctx, "coreplatform:db:Database", "database-instance", nil, nil)
		}, true},
		{"instance removed", func(ctx *pulumi.Context) error {
			return ctx.RegisterComponentResource(compType, "database", &struct{ pulumi.ResourceState }{})
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testkit.NewMocks()
			if err := testkit.Run(tt.program, m, nil); err != nil {
				t.Fatal(err)
			}
			problems := replacedStateful(manifest, m)
			if got := len(problems) > 0; got != tt.replaced {
				t.Fatalf("replaced = %v, want %v; problems: %v", got, tt.replaced, problems)
			}
			if tt.replaced && !strings.Contains(problems[0], oldInst) {
				t.Errorf("the problem does not name the old URN %s: %s", oldInst, problems[0])
			}
		})
	}
}

// registerDatabase registers a component named "database" and one Cloud SQL instance under it.
func registerDatabase(ctx *pulumi.Context, compType, instName string, compAliases, instAliases []pulumi.Alias) error {
	comp := &struct{ pulumi.ResourceState }{}
	if err := ctx.RegisterComponentResource(compType, "database", comp, pulumi.Aliases(compAliases)); err != nil {
		return err
	}
	var inst struct{ pulumi.CustomResourceState }
	return ctx.RegisterResource("gcp:sql/databaseInstance:DatabaseInstance", instName,
		pulumi.Map{"databaseVersion": pulumi.String("POSTGRES_15")}, &inst,
		pulumi.Parent(comp), pulumi.Aliases(instAliases))
}
