// Package portal is the DeveloperPortal component: Backstage on the Core Platform cluster,
// with its whole configuration generated from Go values.
//
// NewDeveloperPortal creates, in the portal's namespace: a ServiceAccount; a hardened
// Deployment (pinned image, non-root, read-only root filesystem, all capabilities dropped,
// RuntimeDefault seccomp, requests and limits, startup/readiness/liveness probes, spread
// across zones and nodes, rolled one pod at a time without surge so Backstage's migration
// lock is never contended); a ClusterIP Service; an Ingress with external-dns annotations and
// TLS from the platform's wildcard certificate, an existing Secret or cert-manager; a
// PodDisruptionBudget; a NetworkPolicy; a ConfigMap with the app-config and the database CA;
// a ConfigMap with the generated catalog; and a Secret with every secret (the generated
// service token, the database password, the contributions' secret environment). It also
// creates a read-only ClusterRole for the Kubernetes plugin and, optionally, a
// HorizontalPodAutoscaler and the monitoring objects with the
// KubePodCannotConnectToDeveloperPortal alert.
//
// The app-config is composed from the portal's own part, the contributions of the other
// components (GitHub integration, tenants, docs) and a free-form extraAppConfig, and holds
// only ${ENV} references for secrets, so the same document (see AppConfig) can be deployed
// and committed. Other programs label their workloads for the portal's Kubernetes tab with
// ServiceLabels, ServiceAnnotations and KubernetesIDTransform.
//
// Children inherit the providers passed to NewDeveloperPortal: a kubernetes.Provider and a
// random.Provider, e.g. pulumi.Providers(k8s, rnd).
package portal
