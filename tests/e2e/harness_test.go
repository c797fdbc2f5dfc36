package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"gopkg.in/yaml.v3"
)

const (
	projectName = ProjectName
	stackName   = StackName
	// tenantEnvironment is how tenant files name the e2e environment: "<cloud>-<environment>".
	tenantEnvironment = "none-e2e"
	stackFile         = "testdata/Pulumi.e2e.yaml"
	exampleTenants    = "../testdata/tenants"
)

// tools are the binaries .ci/e2e builds.
type tools struct {
	pulumiRoot, providerBin, apiServer, controllerManager, etcd, kubeScore string
	// strace (E2E_STRACE) is looked up by the one test that needs it, TestFaultKilledCLI.
	strace string
}

func lookupTools(t *testing.T) tools {
	t.Helper()
	env := map[string]*string{}
	var tl tools
	env["E2E_PULUMI_ROOT"] = &tl.pulumiRoot
	env["E2E_PROVIDER_BIN"] = &tl.providerBin
	env["E2E_KUBE_APISERVER"] = &tl.apiServer
	env["E2E_KUBE_CONTROLLER_MANAGER"] = &tl.controllerManager
	env["E2E_ETCD"] = &tl.etcd
	env["E2E_KUBE_SCORE"] = &tl.kubeScore
	lookupEnv(t, "end-to-end tools", env)
	return tl
}

// lookupEnv sets each variable's value into its destination, and skips the test, naming every
// unset variable, when one is missing.
func lookupEnv(t *testing.T, what string, vars map[string]*string) {
	t.Helper()
	var missing []string
	for k, p := range vars {
		if *p = os.Getenv(k); *p == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Skipf("%s not configured (%s unset): run .ci/e2e", what, strings.Join(missing, ", "))
	}
}

// secrets are the stack's secret config values, generated for each run.
type secrets map[string]string

func generateSecrets(t *testing.T) secrets {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return secrets{
		stack.KeyDatabasePassword:       randomHex(t, 20),
		stack.KeyGitHubAppPrivateKey:    string(keyPEM),
		stack.KeyGitHubAppClientSecret:  randomHex(t, 20),
		stack.KeyGitHubAppWebhookSecret: randomHex(t, 32),
		stack.KeyBackstageServiceToken:  randomHex(t, 24),
	}
}

// needles are the forms in which a secret must never appear in plain text: the value, its
// base64 (how a Secret's data holds it), and for multi-line values each long line of it.
func (s secrets) needles() map[string]string {
	out := map[string]string{}
	for k, v := range s {
		out[k] = v
		out[k+" (base64)"] = base64.StdEncoding.EncodeToString([]byte(v))
		lines := strings.Split(strings.TrimSpace(v), "\n")
		for i, line := range lines {
			if len(lines) > 1 && len(line) >= 32 {
				out[fmt.Sprintf("%s (line %d)", k, i+1)] = line
			}
		}
	}
	return out
}

// stackConfig is the e2e stack's configuration: the stack file, plus what the test provides.
type stackConfig struct {
	values  map[string]any // full key to value (objects as maps)
	secrets secrets
}

func loadStackConfig(t *testing.T, tenantsDir string, sec secrets) *stackConfig {
	t.Helper()
	return loadStackConfigFile(t, stackFile, tenantsDir, sec)
}

// loadStackConfigFile is loadStackConfig with another stack file (the upgrade test reads the
// previous commit's).
func loadStackConfigFile(t *testing.T, stackFile, tenantsDir string, sec secrets) *stackConfig {
	t.Helper()
	doc := readYAMLFile[struct {
		Config map[string]any `yaml:"config"`
	}](t, stackFile)
	tenants, ok := doc.Config[stack.Namespace+":tenants"].(map[string]any)
	if !ok {
		t.Fatalf("%s: developer-portal:tenants must be an object", stackFile)
	}
	tenants["dir"] = tenantsDir
	return &stackConfig{values: doc.Config, secrets: sec}
}

// withImage returns a copy of the configuration with another portal image.
func (c *stackConfig) withImage(t *testing.T, image string) *stackConfig {
	return c.with(t, func(values map[string]any) {
		values[stack.Namespace+":portal"].(map[string]any)["image"] = image
	})
}

// with returns a copy of the configuration changed by edit (which gets the values by full key,
// objects as maps).
func (c *stackConfig) with(t *testing.T, edit func(values map[string]any)) *stackConfig {
	t.Helper()
	b, err := json.Marshal(c.values)
	if err != nil {
		t.Fatal(err)
	}
	out := &stackConfig{secrets: c.secrets}
	if err := json.Unmarshal(b, &out.values); err != nil {
		t.Fatal(err)
	}
	edit(out.values)
	return out
}

func encode(t *testing.T, v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// source is the configuration as the stack program reads it (an inline program cannot list
// the stack's keys, so it gets them from here).
func (c *stackConfig) source(t *testing.T) stack.MapSource {
	src := stack.MapSource{Values: map[string]string{}, Secrets: map[string]bool{}}
	for k, v := range c.values {
		src.Values[k] = encode(t, v)
	}
	for k, v := range c.secrets {
		src.Values[stack.Namespace+":"+k] = v
		src.Secrets[stack.Namespace+":"+k] = true
	}
	return src
}

// configMap is the same configuration as the engine holds it: secrets encrypted with the
// passphrase in the stack's settings. Default providers are disabled, as Pulumi.yaml does.
func (c *stackConfig) configMap(t *testing.T) auto.ConfigMap {
	m := auto.ConfigMap{"pulumi:disable-default-providers": {Value: `["*"]`}}
	for k, v := range c.values {
		m[k] = auto.ConfigValue{Value: encode(t, v)}
	}
	for k, v := range c.secrets {
		m[stack.Namespace+":"+k] = auto.ConfigValue{Value: v, Secret: true}
	}
	return m
}

// e2eTenants copies the example tenants into a temporary directory, adding the e2e
// environment to each, so that every example tenant is deployed.
func e2eTenants(t *testing.T) (dir string, names []string) {
	t.Helper()
	return e2eTenantsFrom(t, exampleTenants)
}

// e2eTenantsFrom is e2eTenants with the example tenants of another directory (the upgrade test
// reads the previous commit's).
func e2eTenantsFrom(t *testing.T, examples string) (dir string, names []string) {
	t.Helper()
	dir = t.TempDir()
	files, err := filepath.Glob(filepath.Join(examples, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example tenants in %s (%v)", examples, err)
	}
	for _, f := range files {
		tenant := readYAMLFile[map[string]any](t, f)
		envs, _ := tenant["environments"].([]any)
		tenant["environments"] = append(envs, tenantEnvironment)
		out, err := yaml.Marshal(tenant)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(out))
		names = append(names, fmt.Sprint(tenant["name"]))
	}
	sort.Strings(names)
	return dir, names
}

// env is the Pulumi stack under test with its backend and workspace directories.
type env struct {
	stack      auto.Stack
	backendDir string
	homeDir    string
}

func newStack(t *testing.T, ctx context.Context, tl tools, c *cluster, cfg *stackConfig, sa *SkipAwait) *env {
	t.Helper()
	return newNamedStack(t, ctx, tl, c, cfg, stackName, sa, nil)
}

// newNamedStack creates stack name in a backend of its own; extraEnv is added to the CLI's
// environment.
func newNamedStack(t *testing.T, ctx context.Context, tl tools, c *cluster, cfg *stackConfig, name string, sa *SkipAwait, extraEnv map[string]string) *env {
	t.Helper()
	e := &env{backendDir: t.TempDir(), homeDir: t.TempDir()}
	return createStack(t, ctx, tl, c, cfg, name, sa, e, "developer-portal-e2e-"+randomHex(t, 8), "", extraEnv)
}

// newStackBeside creates stack name in other's backend and workspace directory, with its
// passphrase: `pulumi state move` moves resources between two stacks of one backend, run
// where both stacks' settings files are.
func newStackBeside(t *testing.T, ctx context.Context, tl tools, c *cluster, cfg *stackConfig, name string, sa *SkipAwait, other *env) *env {
	t.Helper()
	ws := other.stack.Workspace()
	e := &env{backendDir: other.backendDir, homeDir: other.homeDir}
	return createStack(t, ctx, tl, c, cfg, name, sa, e, ws.GetEnvVars()["PULUMI_CONFIG_PASSPHRASE"], ws.WorkDir(), nil)
}

// createStack creates stack name in e's backend (workDir empty: a workspace directory of its
// own).
func createStack(t *testing.T, ctx context.Context, tl tools, c *cluster, cfg *stackConfig, name string, sa *SkipAwait,
	e *env, passphrase, workDir string, extraEnv map[string]string) *env {
	t.Helper()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: tl.pulumiRoot, SkipVersionCheck: true})
	if err != nil {
		t.Fatalf("pulumi CLI in %s: %v", tl.pulumiRoot, err)
	}
	envVars := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + filepath.ToSlash(e.backendDir),
		"PULUMI_CONFIG_PASSPHRASE": passphrase,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_HOME":              e.homeDir,
		// The provider plugin is found on PATH; the real plugin cache is not used.
		"PATH":       tl.providerBin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"KUBECONFIG": c.Kubeconfig,
	}
	maps.Copy(envVars, extraEnv)
	opts := []auto.LocalWorkspaceOption{auto.Pulumi(cmd), auto.EnvVars(envVars), auto.PulumiHome(e.homeDir), auto.SecretsProvider("passphrase")}
	if workDir != "" {
		opts = append(opts, auto.WorkDir(workDir))
	}
	s, err := auto.UpsertStackInlineSource(ctx, name, projectName, Program(cfg.source(t), sa), opts...)
	if err != nil {
		t.Fatalf("create stack %s: %v", name, err)
	}
	if err := s.SetAllConfig(ctx, cfg.configMap(t)); err != nil {
		t.Fatalf("set config of %s: %v", name, err)
	}
	e.stack = s
	return e
}

// use points the stack at another configuration (program and config together).
func (e *env) use(t *testing.T, ctx context.Context, cfg *stackConfig, sa *SkipAwait) {
	t.Helper()
	e.stack.Workspace().SetProgram(Program(cfg.source(t), sa))
	if err := e.stack.SetAllConfig(ctx, cfg.configMap(t)); err != nil {
		t.Fatalf("set config: %v", err)
	}
}

// cli runs the Pulumi CLI on the stack as an operator would: in the workspace's directory (the
// one holding Pulumi.yaml and the stack settings) with the workspace's environment, so a test
// runs a runbook's command exactly. It returns stdout and stderr together. Commands that run
// the program (up, preview, refresh) need the Automation API's in-process language host and go
// through e.stack instead.
func (e *env) cli(ctx context.Context, args ...string) (string, error) {
	ws := e.stack.Workspace()
	vars := []string{"PULUMI_HOME=" + ws.PulumiHome()}
	for k, v := range ws.GetEnvVars() {
		vars = append(vars, k+"="+v)
	}
	stdout, stderr, _, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), nil, nil, nil, vars, args...)
	return stdout + stderr, err
}

// step is one resource step of an operation, from the engine's event stream.
type step struct {
	Op, Type, URN string
	Diffs         []string
}

// collectSteps returns an event channel for an operation and a function that returns the
// steps seen, once the operation has returned.
func collectSteps() (chan events.EngineEvent, func() []step) {
	ch := make(chan events.EngineEvent)
	var steps []step
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			md := ev.ResourcePreEvent.Metadata
			steps = append(steps, step{Op: string(md.Op), Type: md.Type, URN: md.URN, Diffs: md.Diffs})
		}
	}()
	return ch, func() []step { <-done; return steps }
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// readYAMLFile decodes the YAML file at path into a T; the test fails naming the file.
func readYAMLFile[T any](t *testing.T, path string) T {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}
