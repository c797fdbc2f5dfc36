package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/database"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

// yamlProgramDir is the Pulumi YAML program the test runs.
const yamlProgramDir = "testdata/yaml"

// yamlTools are the binaries the YAML program needs beyond the usual e2e tools.
type yamlTools struct {
	languageBin, coreplatformBin string
}

func lookupYAMLTools(t *testing.T) yamlTools {
	t.Helper()
	var yt yamlTools
	lookupEnv(t, "YAML program tools", map[string]*string{
		"E2E_LANGUAGE_YAML_BIN": &yt.languageBin,
		"E2E_COREPLATFORM_BIN":  &yt.coreplatformBin,
	})
	return yt
}

// yamlConfig is the program's configuration, as the test sets it on the YAML stack and
// substitutes it into the inputs the Go side decodes.
type yamlConfig map[string]string

// yamlSecretKeys are the config keys set as secrets.
var yamlSecretKeys = map[string]bool{"kubeconfig": true, "databasePassword": true, "serviceToken": true}

// TestYAMLProgram runs the Pulumi YAML program (testdata/yaml) with the real CLI, the YAML
// language host and the coreplatform component provider, against a real API server with a fake
// kubelet, so that the Kubernetes provider's readiness waits run for real (no skipAwait). First
// the Go components (portal.NewDeveloperPortal, access.NewTenantAccess) deploy the same inputs
// through the Automation API; then the YAML program's up must create the same objects, a second
// preview must change nothing, its outputs must be readable, destroy must leave the API server
// clean, and a bad input must fail up with the Go API's error text.
func TestYAMLProgram(t *testing.T) {
	tl := lookupTools(t)
	yt := lookupYAMLTools(t)
	ctx := context.Background()

	start := time.Now()
	c := startCluster(t, tl, workloadControllers)
	kubelet := startFakeKubelet(t, c)
	t.Logf("timing: control plane and fake kubelet ready %s", since(start))
	before := c.inventory(t)
	kubeconfig, err := os.ReadFile(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg := yamlConfig{
		"kubeconfig":       string(kubeconfig),
		"hostname":         "portal",
		"environment":      tenantEnvironment,
		"databasePassword": randomHex(t, 20),
		"serviceToken":     randomHex(t, 24),
	}
	prog := loadYAMLProgram(t)

	var goObjects map[string]object
	ok := t.Run("go components with real awaits", func(t *testing.T) {
		goObjects = runGoComponents(t, ctx, tl, c, kubelet, prog, cfg, before)
	})
	if !ok {
		t.Fatal("the Go side failed: nothing to compare the YAML program with")
	}

	y := newYAMLStack(t, ctx, tl, yt, cfg)
	logs := newOpLogs(t)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			_, _ = y.run(ctx, "destroy", "--yes", "--skip-preview")
		}
	})

	var yamlObjects map[string]object
	var refs []ref
	t.Run("up creates what the Go components create", func(t *testing.T) {
		start := time.Now()
		out, err := y.run(ctx, "up", "--yes", "--skip-preview")
		logs.keep(t, "yaml-up", out)
		if err != nil {
			t.Fatalf("up: %v\n%s", err, lastLines(out, 60))
		}
		// The provider's own words that it waited for the rollout and the load balancer.
		for _, msg := range []string{"Deployment initialization complete", "Ingress initialization complete"} {
			if !strings.Contains(out, msg) {
				t.Errorf("up output lacks %q: the readiness wait did not run", msg)
			}
		}
		t.Logf("timing: YAML up %s (fake kubelet: %s)", since(start), kubelet.stats())
		refs = y.state(t, ctx).kubernetesObjects()
		yamlObjects = normalisedObjects(c.readBack(t, refs))
		compareObjects(t, goObjects, yamlObjects)
	})
	if yamlObjects == nil {
		t.FailNow()
	}

	t.Run("second preview changes nothing", func(t *testing.T) {
		start := time.Now()
		out, err := y.run(ctx, "preview", "--expect-no-changes", "--diff")
		logs.keep(t, "yaml-preview", out)
		if err != nil {
			t.Fatalf("preview --expect-no-changes: %v\n%s", err, lastLines(out, 60))
		}
		t.Logf("timing: YAML preview %s", since(start))
	})

	t.Run("state holds no secret in plain text", func(t *testing.T) {
		sec := secrets{"databasePassword": cfg["databasePassword"], "serviceToken": cfg["serviceToken"], "API server token": c.Token}
		checkNoPlainSecrets(t, sec, y.backendDir, y.homeDir, y.dir)
	})

	t.Run("outputs", func(t *testing.T) {
		out, err := y.run(ctx, "stack", "output", "--json")
		if err != nil {
			t.Fatalf("stack output: %v\n%s", err, out)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("stack output --json: %v\n%s", err, out)
		}
		want := map[string]any{"url": "https://" + portalHost, "namespace": portalNamespace}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stack outputs: got %v, want %v", got, want)
		}
	})

	t.Run("destroy leaves the API server clean", func(t *testing.T) {
		start := time.Now()
		out, err := y.run(ctx, "destroy", "--yes", "--skip-preview")
		logs.keep(t, "yaml-destroy", out)
		if err != nil {
			t.Fatalf("destroy: %v\n%s", err, lastLines(out, 60))
		}
		destroyed = true
		t.Logf("timing: YAML destroy %s", since(start))
		if n := len(y.state(t, ctx).Resources); n > 0 {
			t.Errorf("state still holds %d resources after destroy", n)
		}
		checkGone(t, c, kubelet, refs, before)
	})

	t.Run("bad input fails up with the Go API's error", func(t *testing.T) {
		// Each case starts from a clean API server, also when the destroy above did not run.
		if !destroyed {
			if out, err := y.run(ctx, "destroy", "--yes", "--skip-preview"); err != nil {
				t.Fatalf("destroy: %v\n%s", err, lastLines(out, 40))
			}
			destroyed = true
		}
		tests := []struct {
			name string
			key  string
			bad  string
			// want is the Go API's error for the same inputs.
			want func(t *testing.T, ta *access.Args, pa *portal.Args) error
			// createsNothing: the component fails before any resource is registered. A bad
			// portal input is found once TenantAccess has given the portal its contribution,
			// so the tenants may exist by then; none of the portal's objects may.
			createsNothing bool
		}{
			{
				name: "hostname not a DNS label", key: "hostname", bad: "portal.e2e",
				want: func(t *testing.T, ta *access.Args, pa *portal.Args) error {
					pa.Contributions = contributions(t, ta)
					return pa.Validate()
				},
			},
			{
				name: "environment not among environments", key: "environment", bad: "none-missing",
				want:           func(_ *testing.T, ta *access.Args, _ *portal.Args) error { return ta.Validate() },
				createsNothing: true,
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				bad := yamlConfig{}
				for k, v := range cfg {
					bad[k] = v
				}
				bad[tt.key] = tt.bad
				ta, pa := prog.goArgs(t, bad)
				wantErr := tt.want(t, ta, pa)
				if wantErr == nil {
					t.Fatalf("the Go API accepts %s=%q: not a bad input", tt.key, tt.bad)
				}
				y.setConfig(t, ctx, tt.key, tt.bad)
				defer y.setConfig(t, ctx, tt.key, cfg[tt.key])

				start := time.Now()
				destroyed = false
				out, err := y.run(ctx, "up", "--yes", "--skip-preview")
				logs.keep(t, "yaml-up-bad-"+tt.key, out)
				t.Logf("timing: failing YAML up %s", since(start))
				if err == nil {
					t.Errorf("up succeeded with %s=%q", tt.key, tt.bad)
				}
				// Reported as an error of the component, not only somewhere in the output.
				first, _, _ := strings.Cut(wantErr.Error(), "\n")
				if !hasErrorLine(out, first) {
					t.Errorf("up output has no error line with %q:\n%s", first, lastLines(out, 40))
				}
				for _, line := range strings.Split(wantErr.Error(), "\n") {
					if !strings.Contains(out, line) {
						t.Errorf("up output lacks the Go API's error line %q:\n%s", line, lastLines(out, 40))
					}
				}
				t.Logf("up failed with the Go API's error %q", wantErr.Error())
				if tt.createsNothing {
					if diff := diffInventory(before, c.inventory(t)); diff != "" {
						t.Errorf("a failed up changed the API server:\n%s", diff)
					}
				} else {
					t.Logf("created before the portal's inputs were refused: %s",
						strings.ReplaceAll(diffInventory(before, c.inventory(t)), "\n", ", "))
					for _, id := range []string{"Namespace/" + portalNamespace, "ClusterRole/" + portalName + "-kubernetes-read"} {
						if c.inventory(t)[id] {
							t.Errorf("%s exists after a failed up", id)
						}
					}
				}
				// Whatever was created goes again, for the next case.
				if out, err := y.run(ctx, "destroy", "--yes", "--skip-preview"); err != nil {
					t.Fatalf("destroy: %v\n%s", err, lastLines(out, 40))
				}
				destroyed = true
				if diff := diffInventory(before, c.inventory(t)); diff != "" {
					t.Errorf("API server differs from before after destroy:\n%s", diff)
				}
			})
		}
	})
}

// hasErrorLine reports whether a line of the CLI's output is an error holding text.
func hasErrorLine(out, text string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "error: ") && strings.Contains(line, text) {
			return true
		}
	}
	return false
}

// yamlProgram is the YAML program's component inputs, as written in its Pulumi.yaml.
type yamlProgram struct {
	tenants, portal map[string]any
}

func loadYAMLProgram(t *testing.T) yamlProgram {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(yamlProgramDir, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string         `yaml:"type"`
			Properties map[string]any `yaml:"properties"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", yamlProgramDir, err)
	}
	var p yamlProgram
	for _, r := range doc.Resources {
		switch r.Type {
		case access.Type:
			p.tenants = r.Properties
		case portal.Type:
			p.portal = r.Properties
		}
	}
	if p.tenants == nil || p.portal == nil {
		t.Fatalf("%s/Pulumi.yaml: want a %s and a %s resource", yamlProgramDir, access.Type, portal.Type)
	}
	return p
}

// substitute replaces the program's ${key} config references with the config values.
func substitute(v any, cfg yamlConfig) any {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "${") && strings.HasSuffix(x, "}") {
			if val, ok := cfg[x[2:len(x)-1]]; ok {
				return val
			}
		}
		return x
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = substitute(e, cfg)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substitute(e, cfg)
		}
		return out
	}
	return v
}

// decodeStrict decodes the inputs into a component's Args by their JSON names (the input
// property names), rejecting any name the Args do not know.
func decodeStrict(t *testing.T, in map[string]any, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("decode %T from the YAML program's inputs: %v", out, err)
	}
}

// goArgs are the components' Go Args for the YAML program's inputs with cfg: the same values
// the component provider decodes. Contributions are left for the caller.
func (p yamlProgram) goArgs(t *testing.T, cfg yamlConfig) (*access.Args, *portal.Args) {
	t.Helper()
	tenants := substitute(p.tenants, cfg).(map[string]any)
	ta := &access.Args{}
	ta.Environment, _ = tenants["environment"].(string)
	ta.PortalNamespace, _ = tenants["portalNamespace"].(string)
	ta.AdminGroup, _ = tenants["adminGroup"].(string)
	var defs []access.Tenant
	b, err := json.Marshal(tenants["tenants"])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &defs); err != nil {
		t.Fatalf("tenants: %v", err)
	}
	for _, k := range []string{"environment", "portalNamespace", "adminGroup", "tenants"} {
		delete(tenants, k)
	}
	decodeStrict(t, tenants, ta)
	ta.Tenants = defs

	props := substitute(p.portal, cfg).(map[string]any)
	flat := map[string]any{}
	for _, k := range []string{"databaseHost", "databasePort", "databaseName", "databaseUser",
		"databasePassword", "databaseCaCertificate", "serviceToken", "contributions"} {
		flat[k] = props[k]
		delete(props, k)
	}
	pa := &portal.Args{}
	decodeStrict(t, props, pa)
	port, _ := flat["databasePort"].(int)
	pa.Database = database.External{
		Host: fmt.Sprint(flat["databaseHost"]), Port: port, Database: fmt.Sprint(flat["databaseName"]),
		User: fmt.Sprint(flat["databaseUser"]), Password: pulumi.ToSecret(pulumi.String(fmt.Sprint(flat["databasePassword"]))).(pulumi.StringOutput),
		CACert: fmt.Sprint(flat["databaseCaCertificate"]),
	}.Connection()
	pa.ServiceToken = pulumi.ToSecret(pulumi.String(fmt.Sprint(flat["serviceToken"]))).(pulumi.StringOutput)
	return ta, pa
}

// contributions is what the YAML program passes to the portal: TenantAccess's contribution.
func contributions(t *testing.T, ta *access.Args) []backstage.Contribution {
	t.Helper()
	part, err := access.Contribution(ta)
	if err != nil {
		t.Fatalf("tenant contribution: %v", err)
	}
	return []backstage.Contribution{part}
}

// runGoComponents deploys the Go components with the YAML program's inputs, through the
// Automation API and the same Kubernetes provider, without the harness's skipAwait: the
// provider waits for the Deployment's rollout, the Service's endpoints and the Ingress's load
// balancer, which the fake kubelet provides. It returns the objects created, normalised, after
// destroying them and checking the API server is as before.
func runGoComponents(t *testing.T, ctx context.Context, tl tools, c *cluster, kubelet *fakeKubelet,
	prog yamlProgram, cfg yamlConfig, before map[string]bool) map[string]object {
	t.Helper()
	ta, pa := prog.goArgs(t, cfg)
	pa.Contributions = contributions(t, ta)
	program := func(pctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(pctx, "kubernetes", &kubernetes.ProviderArgs{
			Kubeconfig:             pulumi.ToSecret(pulumi.String(cfg["kubeconfig"])).(pulumi.StringOutput),
			EnableConfigMapMutable: pulumi.BoolPtr(true),
		})
		if err != nil {
			return err
		}
		if _, err := access.NewTenantAccess(pctx, "tenants", ta, pulumi.Provider(k8s)); err != nil {
			return err
		}
		dp, err := portal.NewDeveloperPortal(pctx, "portal", pa, pulumi.Provider(k8s))
		if err != nil {
			return err
		}
		pctx.Export("url", dp.URL)
		pctx.Export("namespace", dp.Namespace)
		return nil
	}

	home := t.TempDir()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: tl.pulumiRoot, SkipVersionCheck: true})
	if err != nil {
		t.Fatalf("pulumi CLI in %s: %v", tl.pulumiRoot, err)
	}
	envVars := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + filepath.ToSlash(t.TempDir()),
		"PULUMI_CONFIG_PASSPHRASE": "developer-portal-e2e-" + randomHex(t, 8),
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_HOME":              home,
		"PATH":                     tl.providerBin + string(os.PathListSeparator) + os.Getenv("PATH"),
	}
	s, err := auto.UpsertStackInlineSource(ctx, "go", "developer-portal-go", program,
		auto.Pulumi(cmd), auto.EnvVars(envVars), auto.PulumiHome(home), auto.SecretsProvider("passphrase"))
	if err != nil {
		t.Fatalf("create stack: %v", err)
	}
	e := &env{stack: s}
	logs := newOpLogs(t)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			_, _ = s.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "go-cleanup-destroy")))
		}
	})

	start := time.Now()
	up, err := s.Up(ctx, optup.ProgressStreams(logs.writer(t, "go-up")))
	if err != nil {
		t.Fatalf("up: %s\n%s", firstLine(err), logs.tail("go-up"))
	}
	t.Logf("timing: Go components up with real awaits %s (%v; fake kubelet: %s)",
		since(start), summary(deref(up.Summary.ResourceChanges)), kubelet.stats())
	if got, want := up.Outputs["url"].Value, "https://"+portalHost; got != want {
		t.Errorf("url output: got %v, want %s", got, want)
	}
	if got := up.Outputs["namespace"].Value; got != portalNamespace {
		t.Errorf("namespace output: got %v, want %s", got, portalNamespace)
	}
	progress, err := os.ReadFile(filepath.Join(logs.dir, "go-up.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"Deployment initialization complete", "Ingress initialization complete"} {
		if !bytes.Contains(progress, []byte(msg)) {
			t.Errorf("up progress lacks %q: the readiness wait did not run", msg)
		}
	}
	refs := e.state(t, ctx).kubernetesObjects()
	objects := normalisedObjects(c.readBack(t, refs))
	checkRolledOut(t, c, objects)

	start = time.Now()
	if _, err := s.Destroy(ctx, optdestroy.ProgressStreams(logs.writer(t, "go-destroy"))); err != nil {
		t.Fatalf("destroy: %s\n%s", firstLine(err), logs.tail("go-destroy"))
	}
	destroyed = true
	t.Logf("timing: Go components destroy %s (fake kubelet: %s)", since(start), kubelet.stats())
	checkGone(t, c, kubelet, refs, before)
	return objects
}

// checkRolledOut checks what the provider waited for really happened: the Deployment has all
// its replicas available and the Ingress its load balancer address.
func checkRolledOut(t *testing.T, c *cluster, objects map[string]object) {
	t.Helper()
	live := index(c.readBack(t, []ref{
		mkref("apps/v1", "Deployment", portalNamespace, portalName),
		mkref("networking.k8s.io/v1", "Ingress", portalNamespace, portalName),
	}))
	dep := live["Deployment/"+portalNamespace+"/"+portalName]
	if dep == nil || get(dep, "status", "availableReplicas") == nil ||
		get(dep, "status", "availableReplicas") != get(dep, "spec", "replicas") {
		t.Errorf("Deployment not rolled out: status %v", get(dep, "status"))
	}
	ing := live["Ingress/"+portalNamespace+"/"+portalName]
	if str(ing, "status", "loadBalancer", "ingress", "0", "ip") != ingressAddress {
		t.Errorf("Ingress has no load balancer address: status %v", get(ing, "status"))
	}
	if len(objects) == 0 {
		t.Error("no Kubernetes objects in the state")
	}
}

func mkref(apiVersion, kind, namespace, name string) ref {
	var r ref
	r.APIVersion, r.Kind = apiVersion, kind
	r.Metadata.Namespace, r.Metadata.Name = namespace, name
	return r
}

// checkGone checks that the objects are gone, no pod is left, and the API server holds what it
// held before.
func checkGone(t *testing.T, c *cluster, kubelet *fakeKubelet, refs []ref, before map[string]bool) {
	t.Helper()
	for _, o := range refs {
		stub, _ := json.Marshal(o)
		if out, err := c.kubectlErr(stub, "get", "-f", "-", "-o", "name"); err == nil {
			t.Errorf("%s still exists: %s", o.id(), out)
		} else if !strings.Contains(err.Error(), "NotFound") {
			t.Errorf("%s: %v", o.id(), err)
		}
	}
	if pods := kubelet.podsLeft(t); len(pods) > 0 {
		t.Errorf("pods left after destroy: %v", pods)
	}
	if diff := diffInventory(before, c.inventory(t)); diff != "" {
		t.Errorf("API server differs from before up:\n%s", diff)
	}
}

// serverSet are the metadata fields the API server sets, which differ between two creations of
// the same object.
var serverSet = []string{"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink"}

// normalisedObjects indexes the objects by id without what the server sets on each creation:
// the fields above, status, a Service's cluster IPs, a Deployment's revision annotation.
// Everything else stays and is compared as it is: the ConfigMaps' text byte for byte, and with
// it the pod template's checksum annotations (a catalog rendered from contributions that went
// through the provider must be the Go API's text, not only the same YAML).
func normalisedObjects(objs []object) map[string]object {
	out := map[string]object{}
	for _, o := range objs {
		b, _ := json.Marshal(o)
		var n object
		_ = json.Unmarshal(b, &n)
		delete(n, "status")
		if md, ok := n["metadata"].(map[string]any); ok {
			for _, f := range serverSet {
				delete(md, f)
			}
			if an, ok := md["annotations"].(map[string]any); ok {
				delete(an, "deployment.kubernetes.io/revision")
				if len(an) == 0 {
					delete(md, "annotations")
				}
			}
		}
		if n.kind() == "Service" {
			if spec, ok := n["spec"].(map[string]any); ok {
				delete(spec, "clusterIP")
				delete(spec, "clusterIPs")
			}
		}
		out[n.id()] = n
	}
	return out
}

// compareObjects fails on any object only one side created, and on any field that differs,
// by its path; it logs what it compared.
func compareObjects(t *testing.T, want, got map[string]object) {
	t.Helper()
	kinds := map[string]int{}
	for id, w := range want {
		kinds[w.kind()]++
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: the Go components create it, the YAML program does not", id)
			continue
		}
		for _, d := range diffValues(id, map[string]any(w), map[string]any(g)) {
			t.Error(d)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: the YAML program creates it, the Go components do not", id)
		}
	}
	t.Logf("compared %d objects (%v)", len(want), kinds)
	// The comparison is of objects whose readiness was awaited: neither side may skip it.
	for id, o := range got {
		if str(o, "metadata", "annotations", skipAwaitAnnotation) != "" || str(want[id], "metadata", "annotations", skipAwaitAnnotation) != "" {
			t.Errorf("%s carries %s", id, skipAwaitAnnotation)
		}
	}
	for _, id := range []string{"Namespace/" + portalNamespace, "Deployment/" + portalNamespace + "/" + portalName,
		"Service/" + portalNamespace + "/" + portalName, "Ingress/" + portalNamespace + "/" + portalName} {
		if want[id] == nil {
			t.Errorf("%s is not among the objects compared", id)
		}
	}
}

// diffValues lists the paths where a and b differ.
func diffValues(path string, a, b any) []string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		var out []string
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			out = append(out, diffValues(path+"."+k, av[k], bv[k])...)
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		var out []string
		for i := range av {
			out = append(out, diffValues(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok && (strings.Contains(as, "\n") || strings.Contains(bs, "\n")) {
		return []string{fmt.Sprintf("%s differs:\n%s", path, lineDiff(as, bs))}
	}
	return []string{fmt.Sprintf("%s: Go components %s, YAML program %s", path, short(a), short(b))}
}

// lineDiff shows where two documents part: a few lines of context from the first line that
// differs, Go's side with "-", the YAML program's with "+".
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	var out []string
	for j := max(0, i-3); j < i; j++ {
		out = append(out, "  "+al[j])
	}
	for j := i; j < min(len(al), i+6); j++ {
		out = append(out, "- "+al[j])
	}
	for j := i; j < min(len(bl), i+6); j++ {
		out = append(out, "+ "+bl[j])
	}
	return fmt.Sprintf("(line %d of %d vs %d)\n%s", i+1, len(al), len(bl), strings.Join(out, "\n"))
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// keep writes a CLI run's output to the operation's log (kept under E2E_LOG_DIR when set).
func (l *opLogs) keep(t *testing.T, op, out string) {
	t.Helper()
	writeFile(t, filepath.Join(l.dir, op+".log"), out)
}

// yamlStack is the YAML program's stack, driven by the CLI binary in a copy of the project.
type yamlStack struct {
	dir, backendDir, homeDir string
	pulu                     string
	env                      []string
}

// newYAMLStack copies the program into a temporary directory and creates its stack there, with a
// file backend, passphrase secrets and its own PULUMI_HOME. Plugins are found on PATH: the YAML
// language host, the coreplatform provider and the Kubernetes provider.
func newYAMLStack(t *testing.T, ctx context.Context, tl tools, yt yamlTools, cfg yamlConfig) *yamlStack {
	t.Helper()
	y := &yamlStack{dir: t.TempDir(), backendDir: t.TempDir(), homeDir: t.TempDir(), pulu: filepath.Join(tl.pulumiRoot, "bin", "pulumi")}
	raw, err := os.ReadFile(filepath.Join(yamlProgramDir, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(y.dir, "Pulumi.yaml"), string(raw))
	sep := string(os.PathListSeparator)
	y.env = append(os.Environ(),
		"PULUMI_BACKEND_URL=file://"+filepath.ToSlash(y.backendDir),
		"PULUMI_CONFIG_PASSPHRASE=developer-portal-e2e-"+randomHex(t, 8),
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_HOME="+y.homeDir,
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PATH="+strings.Join([]string{yt.languageBin, yt.coreplatformBin, tl.providerBin,
			filepath.Join(tl.pulumiRoot, "bin"), os.Getenv("PATH")}, sep),
	)
	if out, err := y.run(ctx, "stack", "init", "yaml", "--secrets-provider", "passphrase"); err != nil {
		t.Fatalf("stack init: %v\n%s", err, out)
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		y.setConfig(t, ctx, k, cfg[k])
	}
	return y
}

func (y *yamlStack) setConfig(t *testing.T, ctx context.Context, key, value string) {
	t.Helper()
	args := []string{"config", "set", key}
	if yamlSecretKeys[key] {
		args = append(args, "--secret")
	}
	// The value on stdin: a multi-line kubeconfig, and no secret on a command line.
	if out, err := y.runStdin(ctx, value, args...); err != nil {
		t.Fatalf("config set %s: %v\n%s", key, err, out)
	}
}

// run runs the CLI in the project directory and returns its stdout and stderr together.
func (y *yamlStack) run(ctx context.Context, args ...string) (string, error) {
	return y.runStdin(ctx, "", args...)
}

func (y *yamlStack) runStdin(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, y.pulu, append(args, "--non-interactive", "--stack", "yaml")...)
	if args[0] == "stack" && args[1] == "init" {
		cmd = exec.CommandContext(ctx, y.pulu, append(args, "--non-interactive")...)
	}
	cmd.Dir, cmd.Env = y.dir, y.env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (y *yamlStack) state(t *testing.T, ctx context.Context) stateFile {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, y.pulu, "stack", "export", "--stack", "yaml", "--non-interactive")
	cmd.Dir, cmd.Env = y.dir, y.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("stack export: %v\n%s", err, stderr.String())
	}
	var dep struct {
		Deployment stateFile `json:"deployment"`
	}
	if err := json.Unmarshal(out, &dep); err != nil {
		t.Fatalf("stack export: %v", err)
	}
	return dep.Deployment
}
