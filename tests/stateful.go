package tests

import (
	"fmt"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/stateful"
	"github.com/coreeng/developer-portal/internal/testkit"
)

// IsStateful reports whether a resource type is stateful: one whose replacement or deletion
// loses data or access (internal/stateful, the list the data-loss guard applies). Their URNs
// are their identity in the state: a refactor that changes one without an alias makes `pulumi
// up` delete the old resource and create a new, empty one. The e2e upgrade test holds the real
// engine's preview to it.
func IsStateful(typ string) bool { return stateful.Is(typ) }

// statefulURNs lists the URNs of a plan's stateful resources as manifest lines, "<type> <urn>",
// sorted.
func statefulURNs(rs []testkit.Resource) []string {
	var out []string
	for _, r := range rs {
		if stateful.Is(r.Type) {
			out = append(out, r.Type+" "+r.URN)
		}
	}
	sort.Strings(out)
	return out
}

// replacedStateful compares the committed manifest of a stack with its plan: every stateful
// URN of the manifest must still be planned, or be answered by an alias (own or inherited
// from a parent) of a planned resource; otherwise the message says which resource would be
// replaced and how to keep it.
func replacedStateful(manifest []string, m *testkit.Mocks) []string {
	planned := map[string]bool{}
	aliased := map[string]string{}
	for _, r := range m.Resources() {
		planned[r.URN] = true
		for _, a := range m.InheritedAliases(r) {
			aliased[a] = r.URN
		}
	}
	var problems []string
	for _, line := range manifest {
		typ, urn, ok := strings.Cut(line, " ")
		if !ok {
			problems = append(problems, fmt.Sprintf("malformed manifest line %q (want \"<type> <urn>\")", line))
			continue
		}
		if planned[urn] || aliased[urn] != "" {
			continue
		}
		problems = append(problems, fmt.Sprintf(
			"%s %s is no longer planned and no resource aliases it: `pulumi up` would delete it and "+
				"create a new, empty one. If it was renamed or moved, give the new resource "+
				"pulumi.Aliases([]pulumi.Alias{{URN: pulumi.URN(%q)}}); if it is meant to go, "+
				"rewrite the manifest with -update and say why in the commit", typ, urn, urn))
	}
	return problems
}
