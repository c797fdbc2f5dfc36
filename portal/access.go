package portal

import (
	"slices"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// readVerbs are the only verbs the portal gets: it shows workloads, it never changes them.
var readVerbs = []string{"get", "list", "watch"}

// KubernetesReadRules are the rules of the portal's ClusterRole: the resources the Backstage
// Kubernetes plugin documents, with their API groups listed explicitly (the documented
// apiGroups ['*'] fails least-privilege checks), read-only, and never Secrets or ConfigMaps
// (configuration, often with credentials in it, that the views do not need). The plugin's
// kubernetes.objectTypes are the same resources (KubernetesObjectTypes).
func KubernetesReadRules() []PolicyRule {
	return []PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "services", "limitranges", "resourcequotas"}, Verbs: readVerbs},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets", "statefulsets", "daemonsets"}, Verbs: readVerbs},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: readVerbs},
		{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses"}, Verbs: readVerbs},
		{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: readVerbs},
		{APIGroups: []string{metricsGroup}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
	}
}

// metricsGroup serves the pods' resource usage, which the plugin reads beside the objects.
const metricsGroup = "metrics.k8s.io"

// KubernetesObjectTypes are the object kinds the Kubernetes plugin fetches
// (kubernetes.objectTypes): the resources the ClusterRole lets it read, so the plugin asks for
// nothing it is refused and the default list's configmaps are left out.
func KubernetesObjectTypes() []string {
	var out []string
	for _, r := range KubernetesReadRules() {
		if !slices.Contains(r.APIGroups, metricsGroup) {
			out = append(out, r.Resources...)
		}
	}
	return out
}

// PolicyRule is one RBAC rule, as plain values.
type PolicyRule struct {
	APIGroups []string
	Resources []string
	Verbs     []string
}

func (b *built) newNamespace() (pulumi.StringOutput, error) {
	if !*b.d.CreateNamespace {
		return pulumi.String(b.d.Namespace).ToStringOutput(), nil
	}
	labels := pulumi.StringMap{
		// The pod meets the restricted Pod Security Standard; enforce it for the namespace.
		"pod-security.kubernetes.io/enforce": pulumi.String("restricted"),
		"pod-security.kubernetes.io/audit":   pulumi.String("restricted"),
		"pod-security.kubernetes.io/warn":    pulumi.String("restricted"),
		"app.kubernetes.io/part-of":          pulumi.String("core-platform"),
		"app.kubernetes.io/managed-by":       pulumi.String("pulumi"),
	}
	ns, err := corev1.NewNamespace(b.ctx, b.name+"-namespace", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(b.d.Namespace), Labels: labels},
	}, b.parent, pulumi.RetainOnDelete(*b.d.RetainNamespace))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return ns.Metadata.Name().Elem(), nil
}

func (b *built) meta(name string) *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name:      pulumi.String(name),
		Namespace: b.namespace,
		Labels:    b.labels,
	}
}

func (b *built) newServiceAccount(annotations pulumi.StringMapInput) (*corev1.ServiceAccount, error) {
	meta := b.meta(b.d.Name)
	meta.Annotations = annotations
	return corev1.NewServiceAccount(b.ctx, b.name+"-service-account", &corev1.ServiceAccountArgs{
		Metadata: meta,
	}, b.parent)
}

// clusterRoleName is unique per portal instance, since ClusterRoles are cluster-wide.
func (b *built) clusterRoleName() string {
	if b.d.Namespace == b.d.Name {
		return b.d.Name + "-kubernetes-read"
	}
	return b.d.Namespace + "-" + b.d.Name + "-kubernetes-read"
}

func (b *built) newClusterRBAC(sa *corev1.ServiceAccount) error {
	var rules rbacv1.PolicyRuleArray
	for _, r := range KubernetesReadRules() {
		rules = append(rules, rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.ToStringArray(r.APIGroups),
			Resources: pulumi.ToStringArray(r.Resources),
			Verbs:     pulumi.ToStringArray(r.Verbs),
		})
	}
	role, err := rbacv1.NewClusterRole(b.ctx, b.name+"-kubernetes-read", &rbacv1.ClusterRoleArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(b.clusterRoleName()), Labels: b.labels},
		Rules:    rules,
	}, b.parent)
	if err != nil {
		return err
	}
	_, err = rbacv1.NewClusterRoleBinding(b.ctx, b.name+"-kubernetes-read-binding", &rbacv1.ClusterRoleBindingArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(b.clusterRoleName()), Labels: b.labels},
		RoleRef:  roleRef("ClusterRole", role.Metadata.Name().Elem()),
		Subjects: b.serviceAccountSubject(sa),
	}, b.parent)
	return err
}

// liveCatalogVerbs are what the portal may do with its live catalog's ConfigMaps: read each
// one and watch it by name (a field selector on metadata.name, which lets the API server
// match the watch against the Role's resourceNames). No list: that would need every
// ConfigMap of the namespace.
var liveCatalogVerbs = []string{"get", "watch"}

// newLiveCatalogRBAC lets the portal read its live catalog's ConfigMaps, and only those, by
// name: the image's live catalog module reads them through the API instead of from a volume.
func (b *built) newLiveCatalogRBAC(sa *corev1.ServiceAccount, live []livePart) error {
	if len(live) == 0 {
		return nil
	}
	names := make([]string, len(live))
	for i, p := range live {
		names[i] = p.ConfigMapName(b.d.Name)
	}
	role, err := rbacv1.NewRole(b.ctx, b.name+"-live-catalog-read", &rbacv1.RoleArgs{
		Metadata: b.meta(b.d.Name + "-live-catalog-read"),
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups:     pulumi.ToStringArray([]string{""}),
			Resources:     pulumi.ToStringArray([]string{"configmaps"}),
			ResourceNames: pulumi.ToStringArray(names),
			Verbs:         pulumi.ToStringArray(liveCatalogVerbs),
		}},
	}, b.parent)
	if err != nil {
		return err
	}
	_, err = rbacv1.NewRoleBinding(b.ctx, b.name+"-live-catalog-read-binding", &rbacv1.RoleBindingArgs{
		Metadata: b.meta(b.d.Name + "-live-catalog-read"),
		RoleRef:  roleRef("Role", role.Metadata.Name().Elem()),
		Subjects: b.serviceAccountSubject(sa),
	}, b.parent)
	return err
}

func roleRef(kind string, name pulumi.StringInput) rbacv1.RoleRefArgs {
	return rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String(kind), Name: name}
}

// serviceAccountSubject binds a role to the portal's service account, and to nothing else.
func (b *built) serviceAccountSubject(sa *corev1.ServiceAccount) rbacv1.SubjectArray {
	return rbacv1.SubjectArray{rbacv1.SubjectArgs{
		Kind:      pulumi.String("ServiceAccount"),
		Name:      sa.Metadata.Name().Elem(),
		Namespace: b.namespace,
	}}
}
