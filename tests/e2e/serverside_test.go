package e2e

import (
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
)

// checkServerSide asserts the key fields of the objects as the API server stored them, after
// its validation and defaulting: what the components ask for survived, and the server filled in
// what it defaults.
func checkServerSide(t *testing.T, live map[string]object, tenants []string) {
	t.Run("Deployment", func(t *testing.T) {
		d := need(t, live, "Deployment/"+portalNamespace+"/"+portalName)
		pod := get(d, "spec", "template", "spec")
		eq(t, "pod securityContext.runAsNonRoot", get(pod, "securityContext", "runAsNonRoot"), true)
		eq(t, "pod securityContext.runAsUser", get(pod, "securityContext", "runAsUser"), float64(10001))
		eq(t, "pod securityContext.seccompProfile.type", str(pod, "securityContext", "seccompProfile", "type"), "RuntimeDefault")
		eq(t, "pod serviceAccountName", str(pod, "serviceAccountName"), portalName)
		// Defaulted by the API server.
		eq(t, "pod dnsPolicy (defaulted)", str(pod, "dnsPolicy"), "ClusterFirst")
		eq(t, "pod schedulerName (defaulted)", str(pod, "schedulerName"), "default-scheduler")
		eq(t, "strategy.type (defaulted)", str(d, "spec", "strategy", "type"), "RollingUpdate")

		containers, _ := get(pod, "containers").([]any)
		if len(containers) == 0 {
			t.Fatal("no containers")
		}
		var backstage any
		for _, ct := range containers {
			if str(ct, "image") == "ghcr.io/cecg/developer-portal:1.8.3" {
				backstage = ct
			}
		}
		if backstage == nil {
			t.Fatalf("no container runs the configured image: %v", containers)
		}
		sc := get(backstage, "securityContext")
		eq(t, "container allowPrivilegeEscalation", get(sc, "allowPrivilegeEscalation"), false)
		eq(t, "container readOnlyRootFilesystem", get(sc, "readOnlyRootFilesystem"), true)
		eq(t, "container runAsNonRoot", get(sc, "runAsNonRoot"), true)
		eq(t, "container capabilities.drop", get(sc, "capabilities", "drop"), []any{"ALL"})
		eq(t, "container terminationMessagePolicy (defaulted)", str(backstage, "terminationMessagePolicy"), "File")
		for _, p := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
			probe := get(backstage, p)
			if probe == nil {
				t.Errorf("%s missing", p)
				continue
			}
			if str(probe, "httpGet", "path") == "" {
				t.Errorf("%s.httpGet.path is empty", p)
			}
			eq(t, p+".httpGet.port", get(probe, "httpGet", "port"), "http")
			eq(t, p+".successThreshold (defaulted)", get(probe, "successThreshold"), float64(1))
		}
		for _, r := range []string{"cpu", "memory", "ephemeral-storage"} {
			if str(backstage, "resources", "requests", r) == "" || str(backstage, "resources", "limits", r) == "" {
				t.Errorf("resources.requests/limits.%s missing: %v", r, get(backstage, "resources"))
			}
		}
		if str(d, "metadata", "annotations", skipAwaitAnnotation) != "true" {
			t.Errorf("the harness's %s annotation is missing", skipAwaitAnnotation)
		}
	})

	t.Run("Service", func(t *testing.T) {
		s := need(t, live, "Service/"+portalNamespace+"/"+portalName)
		ip := net.ParseIP(str(s, "spec", "clusterIP"))
		_, cidr, _ := net.ParseCIDR("10.96.0.0/16")
		if ip == nil || !cidr.Contains(ip) {
			t.Errorf("clusterIP %q was not allocated from the service range", str(s, "spec", "clusterIP"))
		}
		eq(t, "type (defaulted)", str(s, "spec", "type"), "ClusterIP")
	})

	t.Run("RBAC", func(t *testing.T) {
		cr := need(t, live, "ClusterRole/"+portalName+"-kubernetes-read")
		rules, _ := get(cr, "rules").([]any)
		if len(rules) == 0 {
			t.Fatal("ClusterRole has no rules")
		}
		for i, r := range rules {
			for _, v := range get(r, "verbs").([]any) {
				if v != "get" && v != "list" && v != "watch" {
					t.Errorf("rules[%d] grants %q: the portal's cluster access must be read-only", i, v)
				}
			}
		}
		crb := need(t, live, "ClusterRoleBinding/"+portalName+"-kubernetes-read")
		eq(t, "binding roleRef.name", str(crb, "roleRef", "name"), portalName+"-kubernetes-read")
		eq(t, "binding subject", get(crb, "subjects", "0"), map[string]any{
			"kind": "ServiceAccount", "name": portalName, "namespace": portalNamespace,
		})
	})

	t.Run("Ingress TLS", func(t *testing.T) {
		ing := need(t, live, "Ingress/"+portalNamespace+"/"+portalName)
		eq(t, "rules[0].host", str(ing, "spec", "rules", "0", "host"), portalHost)
		eq(t, "tls[0].hosts", get(ing, "spec", "tls", "0", "hosts"), []any{portalHost})
		eq(t, "ingressClassName", str(ing, "spec", "ingressClassName"), "platform-ingress")
		eq(t, "backend service", str(ing, "spec", "rules", "0", "http", "paths", "0", "backend", "service", "name"), portalName)
	})

	t.Run("NetworkPolicies", func(t *testing.T) {
		np := need(t, live, "NetworkPolicy/"+portalNamespace+"/"+portalName)
		eq(t, "portal policyTypes", get(np, "spec", "policyTypes"), []any{"Ingress", "Egress"})
		if len(get(np, "spec", "podSelector", "matchLabels").(map[string]any)) == 0 {
			t.Error("the portal's NetworkPolicy selects every pod of its namespace")
		}
		for _, tenant := range tenants {
			np := need(t, live, "NetworkPolicy/"+tenant+"/tenant-isolation")
			eq(t, tenant+" policyTypes", get(np, "spec", "policyTypes"), []any{"Ingress"})
			eq(t, tenant+" podSelector (every pod)", get(np, "spec", "podSelector"), map[string]any{})
		}
	})

	t.Run("tenant namespaces, quotas and access", func(t *testing.T) {
		for _, tenant := range tenants {
			ns := need(t, live, "Namespace/"+tenant)
			eq(t, tenant+" label kubernetes.io/metadata.name (server-set)", str(ns, "metadata", "labels", "kubernetes.io/metadata.name"), tenant)
			eq(t, tenant+" pod-security enforce", str(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce"), "baseline")

			q := need(t, live, "ResourceQuota/"+tenant+"/tenant-quota")
			hard, _ := get(q, "spec", "hard").(map[string]any)
			for k, want := range map[string]string{
				"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi",
				"pods": "50", "services.loadbalancers": "0", "services.nodeports": "0",
			} {
				eq(t, fmt.Sprintf("%s quota %s", tenant, k), hard[k], want)
			}
			lr := need(t, live, "LimitRange/"+tenant+"/tenant-limits")
			if str(lr, "spec", "limits", "0", "type") != "Container" || get(lr, "spec", "limits", "0", "default") == nil {
				t.Errorf("%s LimitRange gives containers no defaults: %v", tenant, get(lr, "spec"))
			}
			for role, binding := range map[string]string{"admin": "tenant-admin", "view": "tenant-view"} {
				rb := need(t, live, "RoleBinding/"+tenant+"/"+binding)
				eq(t, tenant+" "+binding+" roleRef", get(rb, "roleRef"), map[string]any{
					"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role,
				})
				if str(rb, "subjects", "0", "kind") != "Group" || !strings.Contains(str(rb, "subjects", "0", "name"), tenant) {
					t.Errorf("%s %s subject %v is not the tenant's group", tenant, binding, get(rb, "subjects"))
				}
			}
		}
	})
}

func need(t *testing.T, live map[string]object, id string) object {
	t.Helper()
	o := live[id]
	if o == nil {
		t.Fatalf("%s not read back", id)
	}
	return o
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}
