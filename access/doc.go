// Package access provisions the Core Platform's tenants from their definitions and lets people
// ask for access from the developer portal, so nobody manages users or groups for the portal
// alone.
//
// Tenant definitions are YAML files, one per tenant ("tenants/<name>.yaml" by default; a
// relative directory resolves against the working directory, which for `pulumi up` is the
// project root). Every definition is validated before anything is registered. Only tenants
// whose environments include the stack's environment are provisioned there; for each,
// NewTenantAccess creates:
//
//   - a namespace labelled tenant=<name> (and its parent), with RoleBindings of the built-in
//     admin and view ClusterRoles to the tenant's admin and read-only groups (Group subjects,
//     as Google Groups for GKE RBAC expect), a ResourceQuota and LimitRange so one tenant cannot
//     starve the others, and a NetworkPolicy admitting traffic only from the namespace itself,
//     the ingress controller and monitoring. Egress is left open: every tenant namespace denies
//     ingress from the others, which already isolates tenants, while tenants keep reaching DNS,
//     cloud APIs and the internet without per-cluster knowledge;
//   - optionally a "closed" GitHub team in the organisation, which members can ask to join from
//     GitHub (the native access request), nested under the parent tenant's team when this
//     stack manages it, with the configured maintainers and the tenant's repositories granted.
//
// Namespaces are retained when a tenant is removed (its bindings, and so its access, are
// deleted) unless RetainNamespaces is false.
//
// Contribution builds what the portal shows, without registering anything: a System per
// tenant owned by its team's group, linking its repositories and finding the tenant's
// workloads through the kubernetes-label-selector tenant=<name> (no entity per repository:
// the repositories' own catalog-info.yaml entities join the System), Group entities only when
// teams are not managed in GitHub, and the "Request a tenancy" software template, which
// renders a tenant file from a skeleton and opens a pull request on the tenants repository.
// Once merged, the pipeline's `pulumi up` provisions the tenant: no manual step between the
// request and the access. Joining an existing tenancy is the "Request to join this tenancy"
// link on its System page (the GitHub team's page).
//
// Providers come from the caller: a Kubernetes provider, and a GitHub provider whose owner is
// the organisation when teams are managed, e.g. pulumi.Providers(k8s, github).
package access
