// Package stack is the developer portal's stack program: one stack per environment. Run loads
// and validates the environment's configuration (every problem at once, each naming its key,
// before anything is registered), builds the explicit providers (Kubernetes, the platform's
// cloud account, the paired account, GitHub, random), composes the components and exports
// what operators need.
//
// Composition, in dependency order:
//
//	WorkloadIdentity   the portal pods' keyless cloud identity (platform account)
//	ManagedDatabase    Cloud SQL / RDS in the platform or paired account (or an external database)
//	GitHubIntegration  repository, ruleset, App config, CI OIDC, files kept in version control
//	TechDocsPublisher  the docs bucket: the portal reads, CI writes
//	TenantAccess       tenant namespaces, RBAC, quotas, isolation, teams, catalog, request template
//	DeveloperPortal    Backstage on the cluster, fed by every component's contribution
//
// The app-config the portal deploys and the copy committed to the portal's repository come from
// one Go value (portal.AppConfig), so the two never disagree.
package stack
