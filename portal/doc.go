// Package portal is the DeveloperPortal component: Backstage on the Core Platform cluster, with
// its whole configuration generated from Go values. It deploys a hardened Deployment, Service,
// Ingress, PodDisruptionBudget, NetworkPolicy, RBAC for the Kubernetes plugin, the app-config
// and generated catalog ConfigMaps, one Secret for every secret, and optionally autoscaling and
// monitoring. The app-config (AppConfig) is composed from the portal's own part, the other
// components' contributions and extraAppConfig, and holds only ${ENV} references for secrets,
// so the same document is deployed and committed. Other programs label their workloads for the
// portal's Kubernetes tab with ServiceLabels, ServiceAnnotations and KubernetesIDTransform.
//
// Pass a kubernetes and a random provider: pulumi.Providers(k8s, rnd).
//
// Operators' documentation: docs/operators/index.md (what runs where) and
// docs/operators/runbook-portal-unreachable.md.
package portal
