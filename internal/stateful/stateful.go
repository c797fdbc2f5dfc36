// Package stateful is the one list of the resource types whose replacement or deletion loses
// data or access: the data-loss guard (cmd/guard) refuses a plan that replaces or deletes one,
// and the stateful-URN manifests (tests/stateful.go) keep their URNs. tests/TestEveryPlannedTypeIsClassified
// holds the list to the components: every type a committed stack plans is in Types or in
// Stateless, so a component that starts creating a new type must say which it is.
package stateful

import "sort"

// Types are the stateful resource types, each with what its replacement or deletion loses.
var Types = map[string]string{
	"gcp:sql/databaseInstance:DatabaseInstance":                         "the database and its backups",
	"gcp:sql/database:Database":                                         "the portal's database",
	"gcp:sql/user:User":                                                 "the database user and its grants",
	"aws:rds/instance:Instance":                                         "the database and its automated backups",
	"gcp:storage/bucket:Bucket":                                         "the published documentation",
	"aws:s3/bucketV2:BucketV2":                                          "the published documentation",
	"kubernetes:core/v1:Namespace":                                      "every object in the namespace, the tenants' workloads included",
	"github:index/repository:Repository":                                "the repository, its history and settings",
	"github:index/team:Team":                                            "the team, its members and its repository grants",
	"gcp:serviceaccount/account:Account":                                "the grants made to the identity outside the stack (bootstrap)",
	"aws:iam/role:Role":                                                 "the grants made to the identity outside the stack (bootstrap)",
	"gcp:iam/workloadIdentityPool:WorkloadIdentityPool":                 "the pool ID, unusable for 30 days after deletion, and the bindings to it",
	"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": "the provider ID, unusable for 30 days after deletion",
}

// Stateless are the types the components create whose replacement loses nothing that the next
// `pulumi up` does not recreate.
var Stateless = []string{
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider",
	"aws:rds/parameterGroup:ParameterGroup",
	"aws:rds/subnetGroup:SubnetGroup",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls",
	"aws:s3/bucketPolicy:BucketPolicy",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
	"aws:s3/bucketVersioningV2:BucketVersioningV2",
	"gcp:projects/iAMMember:IAMMember",
	"gcp:serviceaccount/iAMMember:IAMMember",
	"gcp:storage/bucketIAMMember:BucketIAMMember",
	"github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
	"github:index/repositoryEnvironment:RepositoryEnvironment",
	"github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
	"github:index/repositoryFile:RepositoryFile",
	"github:index/repositoryRuleset:RepositoryRuleset",
	"github:index/teamMembership:TeamMembership",
	"github:index/teamRepository:TeamRepository",
	"kubernetes:apps/v1:Deployment",
	"kubernetes:core/v1:ConfigMap",
	"kubernetes:core/v1:LimitRange",
	"kubernetes:core/v1:ResourceQuota",
	"kubernetes:core/v1:Secret",
	"kubernetes:core/v1:Service",
	"kubernetes:core/v1:ServiceAccount",
	"kubernetes:monitoring.coreos.com/v1:PrometheusRule",
	"kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
	"kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
	"kubernetes:monitoring.googleapis.com/v1:Rules",
	"kubernetes:networking.k8s.io/v1:Ingress",
	"kubernetes:networking.k8s.io/v1:NetworkPolicy",
	"kubernetes:policy/v1:PodDisruptionBudget",
	"kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
	"kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
	"kubernetes:rbac.authorization.k8s.io/v1:Role",
	"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
	"random:index/randomId:RandomId",
	"random:index/randomPassword:RandomPassword",
}

// Is reports whether typ is a stateful resource type.
func Is(typ string) bool {
	_, ok := Types[typ]
	return ok
}

// Sorted returns the stateful types in order.
func Sorted() []string {
	out := make([]string, 0, len(Types))
	for t := range Types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
