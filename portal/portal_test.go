package portal

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

func withContribution() *Args {
	a := validArgs()
	a.Contributions = []backstage.Contribution{fakeContribution()}
	return a
}

func TestDeploymentHardening(t *testing.T) {
	m := mustRun(t, withContribution())
	dep := m.MustFind(t, tDeployment, componentName+"-deployment")
	pod := "spec.template.spec"
	cases := []struct {
		path string
		want any
	}{
		{"metadata.name", "developer-portal"},
		{"metadata.namespace", "developer-portal"},
		{"spec.replicas", 2.0},
		{"spec.strategy.type", "RollingUpdate"},
		{"spec.strategy.rollingUpdate.maxSurge", 0.0},
		{"spec.strategy.rollingUpdate.maxUnavailable", 1.0},
		{pod + ".automountServiceAccountToken", true},
		{pod + ".serviceAccountName", "developer-portal"},
		{pod + ".securityContext.runAsNonRoot", true},
		{pod + ".securityContext.runAsUser", 10001.0},
		{pod + ".securityContext.runAsGroup", 10001.0},
		{pod + ".securityContext.seccompProfile.type", "RuntimeDefault"},
		{pod + ".topologySpreadConstraints.0.topologyKey", "topology.kubernetes.io/zone"},
		{pod + ".topologySpreadConstraints.1.topologyKey", "kubernetes.io/hostname"},
		{pod + ".topologySpreadConstraints.1.whenUnsatisfiable", "DoNotSchedule"},
		{container + ".image", "ghcr.io/coreeng/developer-portal:1.4.2"},
		{container + ".command", []any{"node", "--require", "./packages/backend/instrumentation.js", "packages/backend"}},
		{container + ".args", []any{"--config", "/etc/backstage/app-config.yaml"}},
		{container + ".securityContext.runAsNonRoot", true},
		{container + ".securityContext.readOnlyRootFilesystem", true},
		{container + ".securityContext.allowPrivilegeEscalation", false},
		{container + ".securityContext.privileged", false},
		{container + ".securityContext.capabilities.drop", []any{"ALL"}},
		{container + ".securityContext.seccompProfile.type", "RuntimeDefault"},
		{container + ".resources.requests", map[string]any{"cpu": "250m", "memory": "1Gi", "ephemeral-storage": "512Mi"}},
		{container + ".resources.limits", map[string]any{"cpu": "1000m", "memory": "2560Mi", "ephemeral-storage": "2Gi"}},
		{container + ".readinessProbe.httpGet.path", ReadinessPath},
		{container + ".readinessProbe.httpGet.port", "http"},
		{container + ".livenessProbe.httpGet.path", LivenessPath},
		{container + ".startupProbe.httpGet.path", LivenessPath},
		{container + ".startupProbe.failureThreshold", 60.0},
		{container + ".ports.0.containerPort", 7007.0},
		{container + ".volumeMounts.2.mountPath", "/tmp"},
		{pod + ".volumes.2.name", "tmp"},
		{pod + ".volumes.2.emptyDir.sizeLimit", "2Gi"},
		{container + ".volumeMounts.0.mountPath", "/etc/backstage"},
		{container + ".volumeMounts.0.readOnly", true},
		{container + ".volumeMounts.1.mountPath", "/catalog"},
		{container + ".volumeMounts.1.readOnly", true},
	}
	for _, tc := range cases {
		if got := dep.Plain(tc.path); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.path, got, tc.want)
		}
	}
	if reflect.DeepEqual(dep.Plain(container+".readinessProbe"), dep.Plain(container+".livenessProbe")) {
		t.Error("readiness and liveness probes are identical")
	}
	for _, p := range []string{"metadata.labels", "spec.template.metadata.labels"} {
		labels, _ := dep.Plain(p).(map[string]any)
		if labels[backstage.LabelKubernetesID] != "developer-portal" {
			t.Errorf("%s lacks the kubernetes-id label: %v", p, labels)
		}
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, a := range []string{"checksum/config", "checksum/secrets", "checksum/db-ca"} {
		path := "spec.template.metadata.annotations." + a
		v, _ := dep.Plain("spec.template.metadata.annotations").(map[string]any)[a].(string)
		if !hex64.MatchString(v) {
			t.Errorf("%s = %q, want a sha256", path, v)
		}
		if dep.InputIsSecret(path) {
			t.Errorf("%s is marked secret: the Deployment diff would be hidden", path)
		}
	}
}

func TestSecretsOnlyThroughTheSecret(t *testing.T) {
	m := mustRun(t, withContribution())
	dep := m.MustFind(t, tDeployment, componentName+"-deployment")
	env := envByName(t, dep)
	for _, name := range []string{EnvServiceToken, EnvPostgresPassword, "GITHUB_PRIVATE_KEY", "GITHUB_CLIENT_SECRET"} {
		e, ok := env[name]
		if !ok {
			t.Errorf("env %s missing", name)
			continue
		}
		if _, literal := e["value"]; literal {
			t.Errorf("env %s has a literal value", name)
		}
		if got := e["valueFrom"].(map[string]any)["secretKeyRef"].(map[string]any); got["name"] != "developer-portal-secrets" || got["key"] != name {
			t.Errorf("env %s secretKeyRef = %v", name, got)
		}
	}
	plain := map[string]string{
		EnvPostgresHost: "10.10.0.3", EnvPostgresPort: "5432", EnvPostgresUser: "backstage",
		EnvPostgresDB: "backstage", EnvPGSSLMode: "verify-full", "GITHUB_APP_ID": "12345",
	}
	for name, want := range plain {
		if got := env[name]["value"]; got != want {
			t.Errorf("env %s = %v, want %q", name, got, want)
		}
	}

	sec := m.MustFind(t, tSecret, componentName+"-secrets")
	data, _ := sec.Plain("stringData").(map[string]any)
	want := map[string]any{
		EnvServiceToken:        testkit.FakePassword(serviceTokenRN),
		EnvPostgresPassword:    dbPassword,
		"GITHUB_PRIVATE_KEY":   contribSecret,
		"GITHUB_CLIENT_SECRET": contribSecret + "-2",
	}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("Secret stringData = %v, want %v", data, want)
	}
	for k := range want {
		if !sec.InputIsSecret("stringData." + k) {
			t.Errorf("Secret stringData.%s is not marked secret", k)
		}
	}
}

// The app-config in the ConfigMap parses back to the expected structure.
func TestAppConfigConfigMap(t *testing.T) {
	m := mustRun(t, withContribution())
	cm := m.MustFind(t, tConfigMap, componentName+"-app-config")
	data, _ := cm.Plain("data").(map[string]any)
	if data[dbCAKey] != testkit.FakeCACert {
		t.Errorf("db-ca.pem = %q", data[dbCAKey])
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(data[appConfigKey].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any { v, _ := backstage.Document(doc).Get(path); return v }
	url := "https://portal.dev.cecg.platform.cecg.io"
	cases := map[string]any{
		"app.title":                                          "Core Platform",
		"app.baseUrl":                                        url,
		"organization.name":                                  "CECG",
		"backend.baseUrl":                                    url,
		"backend.cors.origin":                                url,
		"backend.listen.port":                                7007,
		"backend.database.client":                            "pg",
		"backend.database.connection.host":                   "${POSTGRES_HOST}",
		"backend.database.connection.port":                   "${POSTGRES_PORT}",
		"backend.database.connection.user":                   "${POSTGRES_USER}",
		"backend.database.connection.password":               "${POSTGRES_PASSWORD}",
		"backend.database.connection.database":               "${POSTGRES_DB}",
		"backend.database.connection.ssl.ca.$file":           DatabaseCAPath,
		"backend.database.connection.ssl.rejectUnauthorized": true,
		"kubernetes.serviceLocatorMethod.type":               "multiTenant",
	}
	for path, want := range cases {
		if got := get(path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	access := get("backend.auth.externalAccess").([]any)[0].(map[string]any)
	if access["type"] != "static" || access["options"].(map[string]any)["token"] != "${BACKSTAGE_SERVICE_TOKEN}" {
		t.Errorf("externalAccess = %v", access)
	}
	methods := get("kubernetes.clusterLocatorMethods").([]any)
	current := methods[0].(map[string]any)["clusters"].([]any)[0].(map[string]any)
	wantCluster := map[string]any{"name": "dev", "url": "https://kubernetes.default.svc", "authProvider": "serviceAccount", "caFile": inClusterCAFile}
	if methods[0].(map[string]any)["type"] != "config" || !reflect.DeepEqual(current, wantCluster) {
		t.Errorf("current cluster = %v", current)
	}
	// The contribution's part is merged in.
	if app := get("integrations.github").([]any)[0].(map[string]any)["apps"].([]any)[0].(map[string]any); app["privateKey"] != "${GITHUB_PRIVATE_KEY}" {
		t.Errorf("contribution not merged: %v", app)
	}
	locs := get("catalog.locations").([]any)
	wantLocs := []any{
		map[string]any{"type": "file", "target": "/catalog/portal/portal.yaml", "rules": []any{map[string]any{"allow": []any{"Component"}}}},
		map[string]any{"type": "file", "target": "/catalog/github/github.yaml", "rules": []any{map[string]any{"allow": []any{"Component", "Group"}}}},
	}
	if !reflect.DeepEqual(locs, wantLocs) {
		t.Errorf("catalog.locations = %v", locs)
	}
}

func TestCatalogConfigMapAndMount(t *testing.T) {
	m := mustRun(t, withContribution())
	cm := m.MustFind(t, tConfigMap, componentName+"-catalog")
	data, _ := cm.Plain("data").(map[string]any)
	if data["github__skeleton__tenant.yaml"] != "name: ${{ values.name }}\n" {
		t.Errorf("skeleton file missing: %v", data)
	}
	docs, err := backstage.UnmarshalEntities([]byte(data["portal.yaml"].(string)))
	if err != nil || len(docs) != 1 {
		t.Fatalf("portal.yaml: %v %v", docs, err)
	}
	ann := docs[0]["metadata"].(map[string]any)["annotations"].(map[string]any)
	if ann[backstage.AnnotationKubernetesID] != "developer-portal" || ann[AnnotationTechDocsEntity] != TechDocsEntity ||
		ann[backstage.AnnotationKubernetesNamespace] != "developer-portal" {
		t.Errorf("portal entity annotations = %v", ann)
	}
	dep := m.MustFind(t, tDeployment, componentName+"-deployment")
	items := dep.Plain("spec.template.spec.volumes.1.configMap.items")
	want := []any{
		map[string]any{"key": "portal.yaml", "path": "portal/portal.yaml"},
		map[string]any{"key": "github.yaml", "path": "github/github.yaml"},
		map[string]any{"key": "github__skeleton__tenant.yaml", "path": "github/skeleton/tenant.yaml"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("catalog volume items = %v", items)
	}
	if dep.String("spec.template.spec.volumes.1.configMap.name") != "developer-portal-catalog" {
		t.Errorf("catalog volume name = %v", dep.Plain("spec.template.spec.volumes.1.configMap.name"))
	}
}

func TestClusterRoleIsReadOnly(t *testing.T) {
	m := mustRun(t, validArgs())
	role := m.Only(t, tClusterRole)
	rules, _ := role.Plain("rules").([]any)
	granted := map[string]string{}
	for i, r := range rules {
		rule := r.(map[string]any)
		groups := rule["apiGroups"].([]any)
		if len(groups) != 1 {
			t.Errorf("rule %d has %d api groups", i, len(groups))
		}
		for _, field := range []string{"apiGroups", "resources", "verbs"} {
			for _, v := range rule[field].([]any) {
				if v == "*" {
					t.Errorf("rule %d: wildcard in %s", i, field)
				}
			}
		}
		for _, v := range rule["verbs"].([]any) {
			if v != "get" && v != "list" && v != "watch" {
				t.Errorf("rule %d grants %v", i, v)
			}
		}
		for _, res := range rule["resources"].([]any) {
			if res == "secrets" || res == "configmaps" {
				t.Errorf("rule %d grants %s", i, res)
			}
			granted[groups[0].(string)+"/"+res.(string)] = strings.Join(toStrings(rule["verbs"]), ",")
		}
	}
	want := map[string]string{
		"/pods": "get,list,watch", "/services": "get,list,watch",
		"/limitranges": "get,list,watch", "/resourcequotas": "get,list,watch",
		"apps/deployments": "get,list,watch", "apps/replicasets": "get,list,watch",
		"apps/statefulsets": "get,list,watch", "apps/daemonsets": "get,list,watch",
		"autoscaling/horizontalpodautoscalers": "get,list,watch",
		"networking.k8s.io/ingresses":          "get,list,watch",
		"batch/jobs":                           "get,list,watch", "batch/cronjobs": "get,list,watch",
		"metrics.k8s.io/pods": "get,list",
	}
	if !reflect.DeepEqual(granted, want) {
		t.Errorf("granted %v\nwant %v", granted, want)
	}
	binding := m.Only(t, tBinding)
	if got := binding.Plain("subjects"); !reflect.DeepEqual(got, []any{map[string]any{
		"kind": "ServiceAccount", "name": "developer-portal", "namespace": "developer-portal"}}) {
		t.Errorf("subjects = %v", got)
	}
	if binding.String("roleRef.name") != role.String("metadata.name") || binding.String("roleRef.kind") != "ClusterRole" {
		t.Errorf("roleRef = %v", binding.Plain("roleRef"))
	}
}

func toStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

func TestIngressTLSModes(t *testing.T) {
	host := "portal.dev.cecg.platform.cecg.io"
	cases := []struct {
		name       string
		tls        TLS
		wantSecret any
		wantIssuer any
	}{
		{"platform wildcard", TLS{}, nil, nil},
		{"existing secret", TLS{SecretName: "portal-cert"}, "portal-cert", nil},
		{"cert-manager", TLS{Mode: TLSCertManager, ClusterIssuer: "letsencrypt"}, "developer-portal-tls", "letsencrypt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			args.TLS = tc.tls
			m := mustRun(t, args)
			ing := m.Only(t, tIngress)
			if got := ing.Plain("spec.tls.0.hosts"); !reflect.DeepEqual(got, []any{host}) {
				t.Errorf("tls hosts = %v", got)
			}
			if got := ing.Plain("spec.tls.0.secretName"); got != tc.wantSecret {
				t.Errorf("tls secretName = %v, want %v", got, tc.wantSecret)
			}
			ann, _ := ing.Plain("metadata.annotations").(map[string]any)
			if ann[AnnotationClusterIssuer] != tc.wantIssuer {
				t.Errorf("cluster-issuer = %v, want %v", ann[AnnotationClusterIssuer], tc.wantIssuer)
			}
			if ann[AnnotationExternalDNSHostname] != host || ann[AnnotationExternalDNSTarget] != "dev.cecg.platform.cecg.io" {
				t.Errorf("external-dns annotations = %v", ann)
			}
			if ing.String("spec.ingressClassName") != "platform-ingress" || ing.String("spec.rules.0.host") != host {
				t.Errorf("ingress spec = %v", ing.Plain("spec"))
			}
			if ing.String("spec.rules.0.http.paths.0.backend.service.name") != "developer-portal" ||
				ing.String("spec.rules.0.http.paths.0.backend.service.port.name") != "http" {
				t.Errorf("backend = %v", ing.Plain("spec.rules.0.http.paths.0.backend"))
			}
			if ing.Plain("metadata.labels").(map[string]any)[backstage.LabelKubernetesID] != "developer-portal" {
				t.Error("Ingress lacks the kubernetes-id label")
			}
		})
	}
}

func TestServiceAndDisruptionBudget(t *testing.T) {
	m := mustRun(t, validArgs())
	svc := m.Only(t, tService)
	if svc.String("spec.type") != "ClusterIP" || svc.String("spec.ports.0.targetPort") != "http" ||
		svc.Plain("metadata.labels").(map[string]any)[backstage.LabelKubernetesID] != "developer-portal" {
		t.Errorf("service = %v", svc.Plain(""))
	}
	dep := m.Only(t, tDeployment)
	if !reflect.DeepEqual(svc.Plain("spec.selector"), dep.Plain("spec.selector.matchLabels")) {
		t.Errorf("service selector %v does not match the Deployment's %v", svc.Plain("spec.selector"), dep.Plain("spec.selector.matchLabels"))
	}
	pdb := m.Only(t, tPDB)
	if pdb.Plain("spec.maxUnavailable") != 1.0 || pdb.String("spec.unhealthyPodEvictionPolicy") != "AlwaysAllow" {
		t.Errorf("pdb = %v", pdb.Plain("spec"))
	}
	if len(m.ByType(tHPA)) != 0 {
		t.Error("HPA created without autoscaling")
	}
}

func TestNetworkPolicy(t *testing.T) {
	m := mustRun(t, validArgs())
	np := m.Only(t, tNetPol)
	if got := np.Plain("spec.policyTypes"); !reflect.DeepEqual(got, []any{"Ingress", "Egress"}) {
		t.Errorf("policyTypes = %v", got)
	}
	wantIngress := []any{map[string]any{
		"from":  []any{map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "platform-ingress"}}}},
		"ports": []any{map[string]any{"protocol": "TCP", "port": 7007.0}},
	}}
	if got := np.Plain("spec.ingress"); !reflect.DeepEqual(got, wantIngress) {
		t.Errorf("ingress = %v", got)
	}
	wantEgress := []any{
		map[string]any{"ports": []any{map[string]any{"protocol": "UDP", "port": 53.0}, map[string]any{"protocol": "TCP", "port": 53.0}}},
		map[string]any{"to": []any{map[string]any{"ipBlock": map[string]any{"cidr": "10.10.0.0/24"}}}, "ports": []any{map[string]any{"protocol": "TCP", "port": 5432.0}}},
		map[string]any{"ports": []any{map[string]any{"protocol": "TCP", "port": 443.0}}},
	}
	if got := np.Plain("spec.egress"); !reflect.DeepEqual(got, wantEgress) {
		t.Errorf("egress = %v\nwant %v", got, wantEgress)
	}
	if !reflect.DeepEqual(np.Plain("spec.podSelector.matchLabels"), m.Only(t, tDeployment).Plain("spec.selector.matchLabels")) {
		t.Error("NetworkPolicy does not select the portal's pods")
	}
}

// TestNetworkPolicyCloudIdentity: GKE Workload Identity needs the GKE metadata server (both
// dataplanes' addresses, nothing else); IRSA and no identity add nothing.
func TestNetworkPolicyCloudIdentity(t *testing.T) {
	metadata := []any{
		map[string]any{"to": []any{map[string]any{"ipBlock": map[string]any{"cidr": "169.254.169.254/32"}}}, "ports": []any{map[string]any{"protocol": "TCP", "port": 80.0}}},
		map[string]any{"to": []any{map[string]any{"ipBlock": map[string]any{"cidr": "169.254.169.252/32"}}}, "ports": []any{map[string]any{"protocol": "TCP", "port": 988.0}}},
	}
	for _, tc := range []struct {
		identity string
		extra    []any
	}{{IdentityGKE, metadata}, {IdentityIRSA, nil}, {"", nil}} {
		t.Run("identity "+tc.identity, func(t *testing.T) {
			args := validArgs()
			args.CloudIdentity = tc.identity
			egress, _ := mustRun(t, args).Only(t, tNetPol).Plain("spec.egress").([]any)
			if len(egress) != 3+len(tc.extra) {
				t.Fatalf("egress has %d rules, want %d: %v", len(egress), 3+len(tc.extra), egress)
			}
			if got := egress[3:]; len(tc.extra) > 0 && !reflect.DeepEqual(got, tc.extra) {
				t.Errorf("identity rules = %v\nwant %v", got, tc.extra)
			}
		})
	}
}

func TestAutoscalingLeavesReplicasUnset(t *testing.T) {
	args := validArgs()
	args.Autoscaling = Autoscaling{Enabled: true, MaxReplicas: 6}
	m := mustRun(t, args)
	dep := m.Only(t, tDeployment)
	if _, set := dep.Input("spec.replicas"); set {
		t.Errorf("replicas set with autoscaling: %v", dep.Plain("spec.replicas"))
	}
	hpa := m.Only(t, tHPA)
	if hpa.Plain("spec.minReplicas") != 2.0 || hpa.Plain("spec.maxReplicas") != 6.0 ||
		hpa.String("spec.scaleTargetRef.name") != "developer-portal" || hpa.String("spec.scaleTargetRef.kind") != "Deployment" ||
		hpa.Plain("spec.metrics.0.resource.target.averageUtilization") != 75.0 {
		t.Errorf("hpa = %v", hpa.Plain("spec"))
	}
}

func TestMonitoring(t *testing.T) {
	cases := []struct {
		kind, scrape, rules, scraperNS string
	}{
		{MonitoringPodMonitoring, "kubernetes:monitoring.googleapis.com/v1:PodMonitoring", "kubernetes:monitoring.googleapis.com/v1:Rules", "gmp-system"},
		{MonitoringServiceMonitor, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "monitoring"},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			args := validArgs()
			args.Monitoring = Monitoring{Kind: tc.kind, RuleLabels: map[string]string{"release": "prom"}}
			m := mustRun(t, args)
			scrape := m.Only(t, tc.scrape)
			if scrape.String("spec.endpoints.0.port") != "metrics" || scrape.String("spec.endpoints.0.path") != "/metrics" {
				t.Errorf("scrape spec = %v", scrape.Plain("spec"))
			}
			rules := m.Only(t, tc.rules)
			if rules.String("spec.groups.0.rules.0.alert") != AlertName ||
				!strings.Contains(rules.String("spec.groups.0.rules.0.expr"), `job="developer-portal"`) {
				t.Errorf("rules = %v", rules.Plain("spec"))
			}
			if rules.String("metadata.labels.release") != "prom" {
				t.Errorf("rule labels = %v", rules.Plain("metadata.labels"))
			}
			if m.Only(t, tService).String("spec.ports.1.name") != "metrics" {
				t.Error("Service has no metrics port")
			}
			np := m.Only(t, tNetPol)
			from := np.Plain("spec.ingress.1.from.0.namespaceSelector.matchLabels").(map[string]any)
			if from["kubernetes.io/metadata.name"] != tc.scraperNS || np.Plain("spec.ingress.1.ports.0.port") != 9464.0 {
				t.Errorf("scraper ingress = %v", np.Plain("spec.ingress.1"))
			}
		})
	}
	m := mustRun(t, validArgs())
	for _, r := range m.Resources() {
		if strings.Contains(r.Type, "monitoring") {
			t.Errorf("%s created with monitoring off", r.Type)
		}
	}
	if env := envByName(t, m.Only(t, tDeployment)); env[EnvMetricsPort] != nil {
		t.Errorf("metrics port env with monitoring off: %v", env[EnvMetricsPort])
	}
}

// TestMetricsEndpointReachesTheImage: the exporter in the image listens where the Deployment's
// "metrics" port and the monitor point, default or not.
func TestMetricsEndpointReachesTheImage(t *testing.T) {
	cases := []struct {
		port       int
		path       string
		wantPort   string
		wantPath   string
		scrapePath string
	}{
		{0, "", "9464", "/metrics", "/metrics"},
		{9100, "/stats", "9100", "/stats", "/stats"},
	}
	for _, tc := range cases {
		t.Run(tc.wantPort, func(t *testing.T) {
			args := validArgs()
			args.Monitoring = Monitoring{Kind: MonitoringServiceMonitor, Port: tc.port, Path: tc.path}
			m := mustRun(t, args)
			d := m.Only(t, tDeployment)
			env := envByName(t, d)
			if env[EnvMetricsPort]["value"] != tc.wantPort || env[EnvMetricsPath]["value"] != tc.wantPath {
				t.Errorf("exporter env = %v %v, want %s %s", env[EnvMetricsPort], env[EnvMetricsPath], tc.wantPort, tc.wantPath)
			}
			if got := d.Plain("spec.template.spec.containers.0.ports.1.containerPort"); got != float64(mustAtoi(t, tc.wantPort)) {
				t.Errorf("metrics containerPort = %v, want %s", got, tc.wantPort)
			}
			if got := m.Only(t, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").String("spec.endpoints.0.path"); got != tc.scrapePath {
				t.Errorf("scrape path = %q, want %q", got, tc.scrapePath)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNamespace(t *testing.T) {
	m := mustRun(t, validArgs())
	ns := m.Only(t, tNamespace)
	if ns.String("metadata.name") != "developer-portal" || !ns.RetainOnDelete ||
		ns.Plain("metadata.labels").(map[string]any)["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace = %+v", ns)
	}
	args := validArgs()
	args.CreateNamespace = ptr(false)
	args.Namespace = "portal"
	m = mustRun(t, args)
	if len(m.ByType(tNamespace)) != 0 {
		t.Error("namespace created with createNamespace false")
	}
	if m.Only(t, tDeployment).String("metadata.namespace") != "portal" {
		t.Error("deployment not in the given namespace")
	}
}

func TestIAMDatabase(t *testing.T) {
	args := validArgs()
	args.Database = backstage.Postgres{
		Database:         pulumi.String("backstage"),
		User:             pulumi.String("portal@project.iam"),
		Auth:             cloud.AuthIAM,
		Cloud:            "gcp",
		CloudSQLInstance: pulumi.String("project:europe-west2:portal"),
	}
	m := mustRun(t, args)
	cm := m.MustFind(t, tConfigMap, componentName+"-app-config")
	data := cm.Plain("data").(map[string]any)
	if _, ok := data[dbCAKey]; ok {
		t.Error("db CA key with the Cloud SQL connector")
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(data[appConfigKey].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	conn, _ := backstage.Document(doc).Get("backend.database.connection")
	want := map[string]any{"type": "cloudsql", "instance": "${POSTGRES_INSTANCE}", "ipAddressType": "PRIVATE",
		"user": "${POSTGRES_USER}", "database": "${POSTGRES_DB}"}
	if !reflect.DeepEqual(conn, want) {
		t.Errorf("connection = %v", conn)
	}
	env := envByName(t, m.Only(t, tDeployment))
	if _, ok := env[EnvPostgresPassword]; ok {
		t.Error("password env with IAM auth")
	}
	if env[EnvPostgresInstance]["value"] != "project:europe-west2:portal" {
		t.Errorf("instance env = %v", env[EnvPostgresInstance])
	}
	if got := m.Only(t, tNetPol).Plain("spec.egress.1.ports.0.port"); got != 3307.0 {
		t.Errorf("database egress port = %v, want the connector's 3307", got)
	}
}

func TestExtraClustersAndTokens(t *testing.T) {
	legacyCA := base64.StdEncoding.EncodeToString([]byte(testkit.CACertPEM()))
	args := validArgs()
	args.Kubernetes.ExtraClusters = []Cluster{
		{Name: "legacy", URL: "https://10.1.0.1", CAData: legacyCA, AuthProvider: "serviceAccount"},
		{Name: "corp", URL: "https://k8s.corp", AuthProvider: "oidc", OIDCTokenProvider: "okta"},
	}
	args.Kubernetes.EKS = []EKSCluster{{Name: "eks-prod", URL: "https://eks.example.com", AssumeRole: "arn:aws:iam::111111111111:role/viewer"}}
	args.Kubernetes.GKE = &GKE{ProjectID: "my-project", Region: "europe-west2"}
	args.ClusterTokens = map[string]pulumi.StringInput{"legacy": pulumi.ToSecret(pulumi.String(clusterToken)).(pulumi.StringOutput)}
	got := clusterLocators(t, args)
	clusters := got[0]["clusters"].([]any)
	legacy := clusters[1].(map[string]any)
	if legacy["authMetadata"].(map[string]any)["serviceAccountToken"] != "${K8S_CLUSTER_TOKEN_LEGACY}" || legacy["caData"] != legacyCA {
		t.Errorf("legacy cluster = %v", legacy)
	}
	if clusters[2].(map[string]any)["authMetadata"].(map[string]any)[authMetaOIDCTokenProvider] != "okta" {
		t.Errorf("oidc cluster = %v", clusters[2])
	}
	eks := clusters[3].(map[string]any)
	if eks["authProvider"] != "aws" || eks["authMetadata"].(map[string]any)[authMetaAWSAssumeRole] != "arn:aws:iam::111111111111:role/viewer" {
		t.Errorf("eks cluster = %v", eks)
	}
	if g := got[1]; g["type"] != "gke" || g["projectId"] != "my-project" || g["region"] != "europe-west2" || g["authProvider"] != "googleServiceAccount" {
		t.Errorf("gke locator = %v", g)
	}
	m := mustRun(t, args)
	sec := m.MustFind(t, tSecret, componentName+"-secrets")
	if sec.String("stringData.K8S_CLUSTER_TOKEN_LEGACY") != clusterToken || !sec.InputIsSecret("stringData.K8S_CLUSTER_TOKEN_LEGACY") {
		t.Error("cluster token not in the Secret as a secret")
	}
}

func TestOutputs(t *testing.T) {
	var yamlOut string
	_, out := testkit.Capture(t, func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		p, err := newWithProviders(ctx, withContribution())
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{
			"url": p.URL, "namespace": p.Namespace, "sa": p.ServiceAccountName, "deployment": p.DeploymentName,
			"yaml": p.AppConfigYAML, "token": p.ServiceToken,
		}, nil
	}, nil)
	want := map[string]any{"url": "https://portal.dev.cecg.platform.cecg.io", "namespace": "developer-portal",
		"sa": "developer-portal", "deployment": "developer-portal", "token": testkit.FakePassword(serviceTokenRN)}
	for k, v := range want {
		if out[k].Value != v {
			t.Errorf("%s = %v, want %v", k, out[k].Value, v)
		}
	}
	if !out["token"].Secret {
		t.Error("ServiceToken is not secret")
	}
	if out["yaml"].Secret || out["url"].Secret {
		t.Error("plain outputs marked secret")
	}
	yamlOut, _ = out["yaml"].Value.(string)
	doc, err := AppConfig(withContribution())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := doc.YAML()
	if yamlOut != string(b) {
		t.Error("AppConfigYAML differs from AppConfig(args)")
	}
	for _, s := range []string{dbPassword, contribSecret, testkit.FakePassword(serviceTokenRN)} {
		if strings.Contains(yamlOut, s) {
			t.Errorf("AppConfigYAML holds a secret")
		}
	}
}

func TestTwoPortalsDoNotCollide(t *testing.T) {
	m := testkit.MustRun(t, func(ctx *pulumi.Context) error {
		for _, n := range []string{"a", "b"} {
			args := validArgs()
			args.Name, args.Namespace = "portal-"+n, "portal-"+n
			if _, err := NewDeveloperPortal(ctx, n, args); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	testkit.AssertNoDuplicateURNs(t, m)
	roles := m.ByType(tClusterRole)
	if len(roles) != 2 || roles[0].String("metadata.name") == roles[1].String("metadata.name") {
		t.Errorf("cluster roles collide: %v", roles)
	}
}

// A given service token replaces the generated one: no random provider is then needed.
func TestGivenServiceToken(t *testing.T) {
	const given = "given-token-0123456789abcdefghijklmnopqrstuvwxyz"
	m, out := testkit.Capture(t, func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return nil, err
		}
		args := validArgs()
		args.ServiceToken = pulumi.ToSecret(pulumi.String(given)).(pulumi.StringOutput)
		p, err := NewDeveloperPortal(ctx, componentName, args, pulumi.Provider(k8s))
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"token": p.ServiceToken}, nil
	}, nil)
	if n := len(m.ByType("random:index/randomPassword:RandomPassword")); n != 0 {
		t.Errorf("%d random passwords generated although a token was given", n)
	}
	if out["token"].Value != given || !out["token"].Secret {
		t.Errorf("service token output = %+v, want the given token as a secret", out["token"])
	}
	testkit.AssertNoSecretLeak(t, m, given)
	testkit.AssertExplicitProviders(t, m)
}

// TestLiveCatalogIsReadThroughTheAPI: the live catalog's parts are not mounted (a mounted
// ConfigMap changes only at the kubelet's next sync of the pod); the pods get a writable
// directory for them, bounded by a MiB a part and one more, the app-config names every part's
// ConfigMap with its keys and paths, and a Role lets the service account get and watch exactly
// those ConfigMaps, in the portal's namespace, and nothing else.
func TestLiveCatalogIsReadThroughTheAPI(t *testing.T) {
	skeleton := map[string]string{"skeleton/catalog-info.yaml": "name: x\n"}
	for _, tc := range []struct {
		name      string
		parts     []backstage.CatalogPart
		wantNames []any
	}{
		{"no live catalog", nil, nil},
		{"the template's part and two shards", []backstage.CatalogPart{
			{Files: skeleton}, {Entities: []backstage.Entity{liveSystem("a", 10)}}, {},
		}, []any{"developer-portal-catalog-tenants-0", "developer-portal-catalog-tenants-1", "developer-portal-catalog-tenants-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := validArgs()
			if tc.parts != nil {
				a.Contributions = []backstage.Contribution{liveContribution(tc.parts...)}
			}
			m := mustRun(t, a)
			dep := m.MustFind(t, tDeployment, componentName+"-deployment")
			var live map[string]any
			for _, v := range dep.Plain("spec.template.spec.volumes").([]any) {
				vol := v.(map[string]any)
				if _, ok := vol["projected"]; ok {
					t.Errorf("volume %v is projected: the live catalog must not wait for the kubelet", vol["name"])
				}
				if vol["name"] == "catalog-live" {
					live = vol
				}
			}
			roles := m.ByType("kubernetes:rbac.authorization.k8s.io/v1:Role")
			bindings := m.ByType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
			var cfg struct {
				CorePlatform struct {
					LiveCatalog *backstage.LiveCatalog `yaml:"liveCatalog"`
				} `yaml:"corePlatform"`
			}
			appCM := m.MustFind(t, tConfigMap, componentName+"-app-config")
			appData, _ := appCM.Plain("data").(map[string]any)
			if err := yaml.Unmarshal([]byte(appData[appConfigKey].(string)), &cfg); err != nil {
				t.Fatal(err)
			}
			if tc.wantNames == nil {
				if live != nil || len(roles) != 0 || len(bindings) != 0 || cfg.CorePlatform.LiveCatalog != nil {
					t.Errorf("no live catalog, yet volume %v, %d Roles, %d RoleBindings, corePlatform.liveCatalog %v", live, len(roles), len(bindings), cfg.CorePlatform.LiveCatalog)
				}
				return
			}
			if got := live["emptyDir"]; !reflect.DeepEqual(got, map[string]any{"sizeLimit": fmt.Sprintf("%dMi", len(tc.parts)+1)}) {
				t.Errorf("catalog-live volume = %v, want an emptyDir of %d MiB", live, len(tc.parts)+1)
			}
			for _, mnt := range dep.Plain(container + ".volumeMounts").([]any) {
				if mt := mnt.(map[string]any); mt["name"] == "catalog-live" && (mt["mountPath"] != LiveCatalogDir || mt["readOnly"] == true) {
					t.Errorf("catalog-live mount = %v, want %s, writable", mt, LiveCatalogDir)
				}
			}
			if len(roles) != 1 || len(bindings) != 1 {
				t.Fatalf("%d Roles and %d RoleBindings, want one of each", len(roles), len(bindings))
			}
			role, binding := roles[0], bindings[0]
			want := []any{map[string]any{
				"apiGroups": []any{""}, "resources": []any{"configmaps"},
				"resourceNames": tc.wantNames, "verbs": []any{"get", "watch"},
			}}
			if got := role.Plain("rules"); !reflect.DeepEqual(got, want) {
				t.Errorf("Role rules = %v\nwant %v", got, want)
			}
			if role.String("metadata.namespace") != "developer-portal" || binding.String("metadata.namespace") != "developer-portal" {
				t.Errorf("Role in %q, RoleBinding in %q, want the portal's namespace", role.String("metadata.namespace"), binding.String("metadata.namespace"))
			}
			if got := binding.Plain("subjects"); !reflect.DeepEqual(got, []any{map[string]any{
				"kind": "ServiceAccount", "name": "developer-portal", "namespace": "developer-portal"}}) {
				t.Errorf("subjects = %v", got)
			}
			if binding.String("roleRef.kind") != "Role" || binding.String("roleRef.name") != role.String("metadata.name") {
				t.Errorf("roleRef = %v", binding.Plain("roleRef"))
			}
			lc := cfg.CorePlatform.LiveCatalog
			if lc == nil || lc.Directory != LiveCatalogDir || lc.Namespace != "developer-portal" || len(lc.ConfigMaps) != len(tc.wantNames) {
				t.Fatalf("corePlatform.liveCatalog = %+v", lc)
			}
			for i, cm := range lc.ConfigMaps {
				if cm.Name != tc.wantNames[i] {
					t.Errorf("configMaps[%d].name = %q, want %q", i, cm.Name, tc.wantNames[i])
				}
				// Every key the app-config names is in the ConfigMap, at a path under the
				// directory.
				data, _ := m.MustFind(t, tConfigMap, componentName+strings.TrimPrefix(cm.Name, "developer-portal")).Plain("data").(map[string]any)
				if len(data) != len(cm.Items) {
					t.Errorf("%s: %d items named, %d keys in the ConfigMap", cm.Name, len(cm.Items), len(data))
				}
				for _, it := range cm.Items {
					if _, ok := data[it.Key]; !ok || !strings.HasPrefix(it.Path, "tenants/") {
						t.Errorf("%s: item %+v: key in ConfigMap %v, path under tenants/", cm.Name, it, ok)
					}
				}
			}
		})
	}
}
