// Package identity provides WorkloadIdentity: the cloud identity a Kubernetes ServiceAccount
// assumes without any key or password — a GCP service account bound through GKE Workload
// Identity, or an AWS IAM role trusted through IRSA (the cluster's OIDC provider).
//
// The portal's pods run as one such identity. The stack grants it exactly what the portal
// needs (TechDocs bucket read, Cloud SQL IAM login, and through GCPArgs.ProjectRoles GKE
// cluster discovery) and annotates the portal's ServiceAccount with Annotations, so no
// long-lived credential exists anywhere. Operators' documentation: docs/operators/index.md.
//
//	id, err := identity.NewWorkloadIdentity(ctx, "portal", &identity.Args{
//		Cloud:          cloud.GCP,
//		Namespace:      "developer-portal",
//		ServiceAccount: "developer-portal",
//		GCP:            &identity.GCPArgs{Project: "cecg-platform-dev", AccountID: "developer-portal-dev"},
//	}, pulumi.Provider(gcpProvider))
package identity
