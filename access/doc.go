// Package access is the TenantAccess component: the Core Platform's tenants, from their
// definition files (LoadTenants, one YAML per tenant) to a namespace each with RBAC bindings to
// the tenant's groups, quota, limits and network isolation, and optionally a GitHub team each.
// Only the tenants whose environments include the stack's are provisioned; namespaces are
// retained when a tenant is removed unless RetainNamespaces is false. Egress is left open on
// purpose: denying ingress from the other tenants already isolates them, and tenants keep
// reaching DNS, cloud APIs and the internet without per-cluster knowledge.
//
// Contribution returns what the portal shows: a System per tenant, Groups when teams are not
// managed in GitHub, and the "Request a tenancy" template.
//
// Pass a Kubernetes provider, and a GitHub provider when teams are managed:
// pulumi.Providers(k8s, github).
//
// Documentation: docs/tenants/index.md (tenancies, where they are defined, how a change
// reaches the platform) and docs/tenants/request-tenancy.md.
package access
