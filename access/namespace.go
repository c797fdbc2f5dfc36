package access

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Labels and annotations on tenant namespaces.
const (
	// LabelTenant is the label the platform puts on every tenant workload; the catalog's
	// kubernetes-label-selector matches it.
	LabelTenant = "tenant"
	// LabelParent records the tenant tree on the namespace.
	LabelParent = "coreplatform.cecg.io/parent"
	// AnnotationContact and AnnotationCostCentre tell operators whom a namespace belongs to.
	AnnotationContact    = "coreplatform.cecg.io/contact-email"
	AnnotationCostCentre = "coreplatform.cecg.io/cost-centre"
	// labelNamespaceName is set by Kubernetes on every namespace; policies select by it.
	labelNamespaceName = "kubernetes.io/metadata.name"
	labelPodSecurity   = "pod-security.kubernetes.io/enforce"
)

// quotaKeys maps ResourceQuota resource names to their setting.
var quotaKeys = map[string]func(Quota) string{
	"requests.cpu":           func(q Quota) string { return q.RequestsCPU },
	"requests.memory":        func(q Quota) string { return q.RequestsMemory },
	"limits.cpu":             func(q Quota) string { return q.LimitsCPU },
	"limits.memory":          func(q Quota) string { return q.LimitsMemory },
	"requests.storage":       func(q Quota) string { return q.RequestsStorage },
	"pods":                   func(q Quota) string { return q.Pods },
	"services":               func(q Quota) string { return q.Services },
	"persistentvolumeclaims": func(q Quota) string { return q.PersistentVolumeClaims },
	"services.loadbalancers": func(q Quota) string { return q.ServicesLoadBalancers },
	"services.nodeports":     func(q Quota) string { return q.ServicesNodePorts },
}

// QuotaHard is the ResourceQuota's spec.hard for the (defaulted) settings.
func QuotaHard(q Quota) map[string]string {
	hard := make(map[string]string, len(quotaKeys)+len(q.Extra))
	for k, get := range quotaKeys {
		hard[k] = get(q)
	}
	for k, v := range q.Extra {
		hard[k] = v
	}
	return hard
}

// shared holds the inputs every tenant namespace reuses, built once rather than per tenant.
type shared struct {
	quota   pulumi.StringMap
	limits  corev1.LimitRangeItemArray
	ingress networkingv1.NetworkPolicyIngressRuleArray
	retain  bool
	podSec  string
}

func newShared(a Args) *shared {
	hard := pulumi.StringMap{}
	for k, v := range QuotaHard(a.Quota) {
		hard[k] = pulumi.String(v)
	}
	l := a.LimitRange
	return &shared{
		quota: hard,
		limits: corev1.LimitRangeItemArray{corev1.LimitRangeItemArgs{
			Type:           pulumi.String("Container"),
			Default:        pulumi.StringMap{"cpu": pulumi.String(l.DefaultCPU), "memory": pulumi.String(l.DefaultMemory)},
			DefaultRequest: pulumi.StringMap{"cpu": pulumi.String(l.DefaultRequestCPU), "memory": pulumi.String(l.DefaultRequestMemory)},
			Max:            pulumi.StringMap{"cpu": pulumi.String(l.MaxCPU), "memory": pulumi.String(l.MaxMemory)},
		}},
		ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
			From: isolationPeers(a.Isolation),
		}},
		retain: *a.RetainNamespaces,
		podSec: a.PodSecurity,
	}
}

// isolationPeers admits the namespace's own pods, the ingress controller and monitoring; with
// every tenant namespace denying the rest, one tenant cannot reach another's pods.
func isolationPeers(iso Isolation) networkingv1.NetworkPolicyPeerArray {
	allowed := append([]string{iso.IngressNamespace}, iso.MonitoringNamespaces...)
	return networkingv1.NetworkPolicyPeerArray{
		networkingv1.NetworkPolicyPeerArgs{PodSelector: &metav1.LabelSelectorArgs{}},
		networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: &metav1.LabelSelectorArgs{
			MatchExpressions: metav1.LabelSelectorRequirementArray{metav1.LabelSelectorRequirementArgs{
				Key:      pulumi.String(labelNamespaceName),
				Operator: pulumi.String("In"),
				Values:   pulumi.ToStringArray(allowed),
			}},
		}},
	}
}

// tenantNamespace creates the tenant's namespace and what confines and opens it: the admin
// and view RoleBindings, the ResourceQuota, the LimitRange and the isolation NetworkPolicy.
func tenantNamespace(ctx *pulumi.Context, name string, t Tenant, s *shared, parent pulumi.Resource) (*corev1.Namespace, error) {
	prefix := name + "-" + t.Name
	annotations := pulumi.StringMap{AnnotationContact: pulumi.String(t.ContactEmail)}
	if t.CostCentre != "" {
		annotations[AnnotationCostCentre] = pulumi.String(t.CostCentre)
	}
	ns, err := corev1.NewNamespace(ctx, prefix, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(t.Name),
			Labels: pulumi.StringMap{
				LabelTenant:      pulumi.String(t.Name),
				LabelParent:      pulumi.String(t.Parent),
				labelPodSecurity: pulumi.String(s.podSec),
			},
			Annotations: annotations,
		},
	}, append(childOptions(parent), pulumi.RetainOnDelete(s.retain))...)
	if err != nil {
		return nil, err
	}
	nsName := ns.Metadata.Name()
	meta := func(objName string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{
			Name:      pulumi.String(objName),
			Namespace: nsName,
			Labels:    pulumi.StringMap{LabelTenant: pulumi.String(t.Name)},
		}
	}
	opts := childOptions(parent)
	for _, b := range []struct{ suffix, role, group string }{
		{"admin", "admin", t.AdminGroup},
		{"view", "view", t.ReadonlyGroup},
	} {
		if _, err := rbacv1.NewRoleBinding(ctx, prefix+"-"+b.suffix, &rbacv1.RoleBindingArgs{
			Metadata: meta("tenant-" + b.suffix),
			RoleRef: rbacv1.RoleRefArgs{
				ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
				Kind:     pulumi.String("ClusterRole"),
				Name:     pulumi.String(b.role),
			},
			Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
				ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
				Kind:     pulumi.String("Group"),
				Name:     pulumi.String(b.group),
			}},
		}, opts...); err != nil {
			return nil, err
		}
	}
	if _, err := corev1.NewResourceQuota(ctx, prefix+"-quota", &corev1.ResourceQuotaArgs{
		Metadata: meta("tenant-quota"),
		Spec:     &corev1.ResourceQuotaSpecArgs{Hard: s.quota},
	}, opts...); err != nil {
		return nil, err
	}
	if _, err := corev1.NewLimitRange(ctx, prefix+"-limits", &corev1.LimitRangeArgs{
		Metadata: meta("tenant-limits"),
		Spec:     &corev1.LimitRangeSpecArgs{Limits: s.limits},
	}, opts...); err != nil {
		return nil, err
	}
	if _, err := networkingv1.NewNetworkPolicy(ctx, prefix+"-isolation", &networkingv1.NetworkPolicyArgs{
		Metadata: meta("tenant-isolation"),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress:     s.ingress,
		},
	}, opts...); err != nil {
		return nil, err
	}
	return ns, nil
}
