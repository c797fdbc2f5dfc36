package access

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/testkit"
)

func TestShardValidation(t *testing.T) {
	cases := []struct {
		name  string
		shard Shard
		path  string // "" when valid
		msg   string
	}{
		{"unset", Shard{}, "", ""},
		{"one stack", Shard{Count: 1}, "", ""},
		{"portal's shard", Shard{Count: 4}, "", ""},
		{"last shard", Shard{Count: 4, Index: 3}, "", ""},
		{"negative count", Shard{Count: -2}, "shard.count", "0 or more"},
		{"index past the end", Shard{Count: 4, Index: 4}, "shard.index", "from 0 to shard.count-1 (3)"},
		{"negative index", Shard{Count: 4, Index: -1}, "shard.index", "from 0 to shard.count-1"},
		{"index without count", Shard{Index: 1}, "shard.index", "from 0 to shard.count-1 (0)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := baseArgs(t)
			args.Shard = tc.shard
			err := args.Validate()
			if tc.path == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.path+": ") || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("want an error at %s saying %q, got %v", tc.path, tc.msg, err)
			}
			m := newMocks()
			if err := testkit.Run(program(args, nil), m, nil); err == nil || len(m.ByType(typeNamespace)) > 0 {
				t.Errorf("the component registered %d namespaces with a bad shard (error %v)", len(m.ByType(typeNamespace)), err)
			}
		})
	}
}

// TestShardsSplitTenants: over every index of a count, each tenant is provisioned by exactly
// one shard, with its team; a tree of tenants stays in one shard; and every shard's catalog
// still lists every tenant.
func TestShardsSplitTenants(t *testing.T) {
	tenants := generatedTenants(60)
	parentOf := map[string]string{}
	for _, tn := range tenants {
		parentOf[tn.Name] = tn.Parent
	}
	root := func(name string) string {
		for parentOf[name] != RootParent {
			name = parentOf[name]
		}
		return name
	}
	unsharded := baseArgs(t)
	unsharded.Tenants = tenants
	wantCatalog, err := Contribution(unsharded)
	if err != nil {
		t.Fatal(err)
	}
	for _, count := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprintf("count=%d", count), func(t *testing.T) {
			shardOf := map[string]int{}
			shardOfRoot := map[string]int{}
			for index := 0; index < count; index++ {
				args := baseArgs(t)
				args.Tenants = tenants
				args.Shard = Shard{Count: count, Index: index}
				m, outs := mustRun(t, args)
				names := strs(outs["tenantNames"].Value)
				if got := len(m.ByType(typeNamespace)); got != len(names) {
					t.Errorf("shard %d: %d namespaces for %d tenants", index, got, len(names))
				}
				if got := strs(outs["teamSlugs"].Value); !reflect.DeepEqual(got, names) {
					t.Errorf("shard %d: teams %v, want the shard's tenants %v", index, got, names)
				}
				for _, n := range names {
					if prev, dup := shardOf[n]; dup {
						t.Errorf("%s is provisioned by shards %d and %d", n, prev, index)
					}
					shardOf[n] = index
					if s, seen := shardOfRoot[root(n)]; seen && s != index {
						t.Errorf("%s is in shard %d, its top-level tenant's tree in shard %d", n, index, s)
					}
					shardOfRoot[root(n)] = index
				}
				catalog, err := Contribution(args)
				if err != nil {
					t.Fatal(err)
				}
				// Every stack computes the whole catalog: the same entities as unsharded, each
				// tenant's in the part of the shard that provisions it.
				if got, want := refs(partEntities(catalog)), refs(partEntities(wantCatalog)); !reflect.DeepEqual(got, want) {
					t.Errorf("shard %d: the catalog lists %v, unsharded %v", index, got, want)
				}
				if len(catalog.Parts) != 1+count {
					t.Fatalf("shard %d: %d parts, want the template's and one per shard (%d)", index, len(catalog.Parts), 1+count)
				}
				inPart := refs(catalog.Parts[1+index].Entities)
				for _, n := range names {
					if !slices.Contains(inPart, "System:"+n) {
						t.Errorf("shard %d: %s is not in its part %d (%v)", index, n, 1+index, inPart)
					}
				}
			}
			if len(shardOf) != len(tenants) {
				var missing []string
				for _, tn := range tenants {
					if _, ok := shardOf[tn.Name]; !ok {
						missing = append(missing, tn.Name)
					}
				}
				t.Errorf("tenants provisioned by no shard: %v", missing)
			}
		})
	}
}

// TestShardOfATenantNeverMoves: adding tenants moves no existing tenant to another shard (the
// shard is a hash of the top-level tenant's name, not a position), so growth never deletes a
// namespace in one stack to create it in another.
func TestShardOfATenantNeverMoves(t *testing.T) {
	shards := func(tenants []Tenant) map[string]int {
		out := map[string]int{}
		for index := 0; index < 5; index++ {
			args := baseArgs(t)
			args.Tenants = tenants
			args.Shard = Shard{Count: 5, Index: index}
			p, err := args.resolve()
			if err != nil {
				t.Fatal(err)
			}
			for _, tn := range p.provisioned {
				out[tn.Name] = index
			}
		}
		return out
	}
	all := generatedTenants(80)
	before, after := shards(all[:40]), shards(all)
	for name, s := range before {
		if after[name] != s {
			t.Errorf("%s moved from shard %d to %d when tenants were added", name, s, after[name])
		}
	}
	if used := slices.Compact(slices.Sorted(maps.Values(after))); len(used) < 3 {
		t.Errorf("80 tenants in 8 trees use shards %v of 5: the hash does not spread them", used)
	}
}

// refs is the sorted "Kind:name" of entities.
func refs(entities []backstage.Entity) []string {
	out := make([]string, 0, len(entities))
	for _, e := range entities {
		out = append(out, e.Kind+":"+e.Metadata.Name)
	}
	slices.Sort(out)
	return out
}
