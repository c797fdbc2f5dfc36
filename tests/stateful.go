package tests

import (
	"fmt"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/testkit"
)

// statefulTypes are the resources whose replacement or deletion loses data or access: the
// database and its users, buckets, namespaces, the repository and the teams. Their URNs are
// their identity in the state: a refactor that changes one without an alias makes `pulumi up`
// delete the old resource and create a new, empty one.
var statefulTypes = map[string]bool{
	"gcp:sql/databaseInstance:DatabaseInstance": true,
	"gcp:sql/database:Database":                 true,
	"gcp:sql/user:User":                         true,
	"aws:rds/instance:Instance":                 true,
	"gcp:storage/bucket:Bucket":                 true,
	"aws:s3/bucketV2:BucketV2":                  true,
	"kubernetes:core/v1:Namespace":              true,
	"github:index/repository:Repository":        true,
	"github:index/team:Team":                    true,
}

// IsStateful reports whether a resource type is stateful: one whose replacement or deletion
// loses data or access. The e2e upgrade test holds the real engine's preview to it.
func IsStateful(typ string) bool { return statefulTypes[typ] }

// statefulURNs lists the URNs of a plan's stateful resources as manifest lines, "<type> <urn>",
// sorted.
func statefulURNs(rs []testkit.Resource) []string {
	var out []string
	for _, r := range rs {
		if statefulTypes[r.Type] {
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
