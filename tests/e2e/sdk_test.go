package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// The SDK test proves that a consumer's first `pulumi package add` of the component provider
// works in TypeScript and Python: the real CLI's `pulumi package gen-sdk` generates both SDKs from
// the committed schema, and the TypeScript one compiles with tsc; the provider binary must serve
// that schema. It needs, as .ci/e2e exports them:
//
//	E2E_PULUMI_ROOT  directory holding bin/pulumi
//	E2E_SDKGEN_BIN   directory holding the codegen-only pulumi-language-nodejs and
//	                 pulumi-language-python (tests/e2e/tools/sdkgen: gen-sdk hands generation to
//	                 the language host, and the official hosts are not served by the module proxy)
//
// and, for the tsc step (skipped without them), Node.js and the TypeScript toolchain:
//
//	BACKSTAGE_NODE   Node.js 24 binary (.ci/backstage env)
//	E2E_TS_MODULES   node_modules with typescript, @pulumi/pulumi and @types/node
//	                 (tests/e2e/tools/sdk-typescript)
//
// The Python SDK is byte-compiled with python3 when the machine has it. The served schema is
// compared when E2E_COREPLATFORM_BIN (the directory holding pulumi-resource-coreplatform) is set.

// providerSchema is the component provider's committed schema, relative to repoRoot.
const providerSchema = "cmd/pulumi-resource-coreplatform/schema.json"

// sdkSchema is the part of the package schema the SDK test derives its expectations from.
type sdkSchema struct {
	Name     string `json:"name"`
	Language struct {
		Python struct {
			PackageName string `json:"packageName"`
		} `json:"python"`
	} `json:"language"`
	Resources map[string]sdkResource `json:"resources"`
}

type sdkResource struct {
	InputProperties map[string]sdkProperty `json:"inputProperties"`
	Properties      map[string]sdkProperty `json:"properties"`
}

type sdkProperty struct {
	Secret bool `json:"secret"`
}

// sdkResourceRef is one resource of the schema with the names its SDK files derive from.
type sdkResourceRef struct {
	token, module, name string
	sdkResource
}

// resources returns the schema's resources sorted by token, for stable test output.
func (s sdkSchema) resources(t *testing.T) []sdkResourceRef {
	t.Helper()
	var refs []sdkResourceRef
	for token, r := range s.Resources {
		parts := strings.Split(token, ":")
		if len(parts) != 3 || parts[0] != s.Name || parts[1] == "" || parts[2] == "" {
			t.Fatalf("resource token %q is not %s:<module>:<Name>", token, s.Name)
		}
		refs = append(refs, sdkResourceRef{token: token, module: parts[1], name: parts[2], sdkResource: r})
	}
	slices.SortFunc(refs, func(a, b sdkResourceRef) int { return strings.Compare(a.token, b.token) })
	return refs
}

// secretNames returns the names of the secret properties, sorted.
func secretNames(props map[string]sdkProperty) []string {
	var names []string
	for name, p := range props {
		if p.Secret {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func TestSDK(t *testing.T) {
	var pulumiRoot, sdkgenBin string
	lookupEnv(t, "SDK generation tools", map[string]*string{"E2E_PULUMI_ROOT": &pulumiRoot, "E2E_SDKGEN_BIN": &sdkgenBin})
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	schemaPath := filepath.Join(root, providerSchema)
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("the provider's schema: %v", err)
	}
	var schema sdkSchema
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("decode %s: %v", schemaPath, err)
	}
	resources := schema.resources(t)
	if len(resources) == 0 {
		t.Fatalf("%s declares no resources", schemaPath)
	}
	// The components take passwords and tokens: without a secret input the secret checks below
	// would prove nothing.
	if !slices.ContainsFunc(resources, func(r sdkResourceRef) bool { return len(secretNames(r.InputProperties)) > 0 }) {
		t.Fatalf("%s declares no secret input", schemaPath)
	}

	// What `pulumi package add` reads: the schema the provider binary serves must be the
	// committed one the SDKs below are generated from.
	t.Run("served schema", func(t *testing.T) {
		bin := os.Getenv("E2E_COREPLATFORM_BIN")
		if bin == "" {
			t.Skip("E2E_COREPLATFORM_BIN unset: the provider binary's schema is not compared (run .ci/e2e)")
		}
		served, _ := runPulumi(t, pulumiRoot, sdkgenBin, "package", "get-schema",
			filepath.Join(bin, "pulumi-resource-coreplatform"))
		checkServedSchema(t, raw, served)
	})

	t.Run("nodejs", func(t *testing.T) {
		dir := genSDK(t, pulumiRoot, sdkgenBin, schemaPath, "nodejs")
		for _, r := range resources {
			path := filepath.Join(dir, moduleDir(r.module), tsFileName(r.name))
			src := readSDKFile(t, path)
			if want := fmt.Sprintf("__pulumiType = '%s';", r.token); !strings.Contains(src, want) {
				t.Errorf("%s: no %q", path, want)
			}
			checkSecrets(t, path, src, r, tsInputAssignment, tsSecretWrap, "additionalSecretOutputs: ")
		}
		t.Run("tsc", func(t *testing.T) { compileTypeScript(t, dir) })
	})

	t.Run("python", func(t *testing.T) {
		dir := genSDK(t, pulumiRoot, sdkgenBin, schemaPath, "python")
		pkg := schema.Language.Python.PackageName
		if pkg == "" {
			pkg = "pulumi_" + pyName(schema.Name)
		}
		for _, r := range resources {
			path := filepath.Join(dir, pkg, moduleDir(pyName(r.module)), pyName(r.name)+".py")
			src := readSDKFile(t, path)
			if want := fmt.Sprintf("'%s',", r.token); !strings.Contains(src, want) {
				t.Errorf("%s: no %q (the resource's type token)", path, want)
			}
			checkSecrets(t, path, src, r, pyInputAssignment, pySecretWrap, "additional_secret_outputs=")
		}
		t.Run("compileall", func(t *testing.T) { compilePython(t, dir) })
	})
}

// genSDK runs `pulumi package gen-sdk` for one language as a consumer would and returns the
// SDK's directory.
func genSDK(t *testing.T, pulumiRoot, sdkgenBin, schemaPath, language string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sdk")
	start := time.Now()
	_, output := runPulumi(t, pulumiRoot, sdkgenBin,
		"package", "gen-sdk", schemaPath, "--language", language, "--out", out)
	t.Logf("timing: gen-sdk --language %s %s", language, time.Since(start).Round(time.Millisecond))
	t.Logf("gen-sdk --language %s:\n%s", language, output)
	dir := filepath.Join(out, language)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("gen-sdk --language %s wrote no SDK: %v\n%s", language, err, output)
	}
	return dir
}

// runPulumi runs the CLI with the codegen-only language hosts first on PATH, in an empty
// directory with an empty PULUMI_HOME and a local backend, and no plugin downloads. It returns
// stdout and stderr; a failure fails the test.
func runPulumi(t *testing.T, pulumiRoot, sdkgenBin string, args ...string) (stdout, stderr string) {
	t.Helper()
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(pulumiRoot, "bin", "pulumi"), args...)
	cmd.Dir = work
	cmd.Env = isolatedPulumiEnv(map[string]string{
		"PATH":                     sdkgenBin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PULUMI_HOME":              filepath.Join(work, ".pulumi"),
		"PULUMI_BACKEND_URL":       "file://" + filepath.ToSlash(work),
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
	})
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pulumi %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// checkServedSchema compares the schema `pulumi package get-schema` printed for the provider
// binary with the committed one, as JSON values. The CLI adds an empty "config" when the schema
// has none; that alone is no difference.
func checkServedSchema(t *testing.T, committed []byte, served string) {
	t.Helper()
	var want, got map[string]any
	if err := json.Unmarshal(committed, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(served), &got); err != nil {
		t.Fatalf("get-schema printed no JSON schema: %v\n%s", err, served)
	}
	if c, ok := got["config"].(map[string]any); ok && len(c) == 0 && want["config"] == nil {
		delete(got, "config")
	}
	var differ []string
	for k := range want {
		if !reflect.DeepEqual(want[k], got[k]) {
			differ = append(differ, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			differ = append(differ, k)
		}
	}
	if len(differ) > 0 {
		slices.Sort(differ)
		t.Errorf("the provider binary serves a schema that differs from %s in %s", providerSchema,
			strings.Join(differ, ", "))
	}
}

// isolatedPulumiEnv is this process's environment without any PULUMI_ variable (a developer's
// login, backend or plugin settings must not reach the test), with set added.
func isolatedPulumiEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := set[name]; ok || strings.HasPrefix(name, "PULUMI_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

func readSDKFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("generated file for a schema resource: %v", err)
	}
	return string(b)
}

// checkSecrets checks that the generated constructor keeps each secret input secret (wrapped
// as a secret before it is sent), passes every other input unwrapped, and declares exactly the
// schema's secret outputs as additional secret outputs (none: no such option at all).
func checkSecrets(t *testing.T, path, src string, r sdkResourceRef,
	assignment func(name string) string, wrap func(name string) string, secretOutputs string,
) {
	t.Helper()
	for name, p := range r.InputProperties {
		line := findLine(src, assignment(name))
		if line == "" {
			t.Errorf("%s: input %s is never assigned (no line with %q)", path, name, assignment(name))
			continue
		}
		if wrapped := strings.Contains(line, wrap(name)); wrapped != p.Secret {
			t.Errorf("%s: input %s: schema secret=%v, but the generated code wraps it as a secret=%v: %s",
				path, name, p.Secret, wrapped, strings.TrimSpace(line))
		}
	}
	want := secretNames(r.Properties)
	line := findLine(src, secretOutputs)
	if len(want) == 0 {
		if line != "" {
			t.Errorf("%s: no secret outputs in the schema, but: %s", path, strings.TrimSpace(line))
		}
		return
	}
	quoted := make([]string, len(want))
	for i, name := range want {
		quoted[i] = fmt.Sprintf("%q", name)
	}
	if wantList := secretOutputs + "[" + strings.Join(quoted, ", ") + "]"; !strings.Contains(line, wantList) {
		t.Errorf("%s: secret outputs: want %s, got line %q", path, wantList, strings.TrimSpace(line))
	}
}

// findLine returns the first line of src containing substr, or "".
func findLine(src, substr string) string {
	for line := range strings.Lines(src) {
		if strings.Contains(line, substr) {
			return line
		}
	}
	return ""
}

// The generated constructors' input assignments and secret wrappers, per language.
func tsInputAssignment(name string) string {
	return fmt.Sprintf("resourceInputs[%q] = args?.%s", name, name)
}
func tsSecretWrap(name string) string { return fmt.Sprintf("pulumi.secret(args.%s)", name) }
func pyInputAssignment(name string) string {
	return fmt.Sprintf("__props__.__dict__[%q] = ", pyName(name))
}
func pySecretWrap(name string) string { return fmt.Sprintf("pulumi.Output.secret(%s)", pyName(name)) }

// moduleDir is a schema module's directory in an SDK: the "index" module is the SDK's root.
func moduleDir(module string) string {
	if module == "index" {
		return "."
	}
	return module
}

// tsFileName is the TypeScript generator's file name for a resource: the name with its leading
// upper-case run lowered (GitHubIntegration: gitHubIntegration.ts).
func tsFileName(name string) string {
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsLower(r) {
			break
		}
		runes[i] = unicode.ToLower(r)
	}
	return string(runes) + ".ts"
}

// pyName is the Python generator's snake_case for a name: a word starts at an upper-case letter
// after a lower-case letter or digit, and at the last letter of an upper-case run followed by a
// lower-case letter (GitHubIntegration: git_hub_integration; TLSConfig: tls_config). Digits, and
// an "s", right after an upper-case run stay in its word (SHA256Hash: sha256_hash).
func pyName(name string) string {
	runes := []rune(name)
	var b strings.Builder
	for i, r := range runes {
		if i > 0 && unicode.IsUpper(r) {
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1]) && runes[i+1] != 's'
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// compileTypeScript compiles the generated TypeScript SDK as its package.json's build script
// does (tsc with the generated tsconfig.json), against the node_modules .ci/e2e installs
// (linked into the SDK's directory as an npm install would place them): no error may be reported.
func compileTypeScript(t *testing.T, dir string) {
	node, modules := os.Getenv("BACKSTAGE_NODE"), os.Getenv("E2E_TS_MODULES")
	if node == "" || modules == "" {
		t.Skipf("TypeScript toolchain not given (BACKSTAGE_NODE=%q, E2E_TS_MODULES=%q): .ci/e2e installs it "+
			"when .ci/run passes BACKSTAGE_NODE", node, modules)
	}
	tsc := filepath.Join(modules, "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("E2E_TS_MODULES has no TypeScript compiler: %v", err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, tsc, "--project", dir, "--pretty", "false")
	cmd.Dir = dir
	start := time.Now()
	output, err := cmd.CombinedOutput()
	t.Logf("timing: tsc %s", time.Since(start).Round(time.Millisecond))
	if err != nil || strings.Contains(string(output), "error TS") {
		t.Fatalf("tsc on the generated TypeScript SDK: %v\n%s", err, output)
	}
	// The compiled entry point is what a consumer's require("<package>") loads.
	if _, err := os.Stat(filepath.Join(dir, "bin", "index.js")); err != nil {
		t.Errorf("tsc reported no error but emitted no bin/index.js: %v", err)
	}
}

// compilePython byte-compiles every file of the generated Python SDK: a syntax error fails.
func compilePython(t *testing.T, dir string) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: the generated Python SDK is not compiled")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "compileall", "-q", dir)
	start := time.Now()
	output, err := cmd.CombinedOutput()
	t.Logf("timing: python3 -m compileall %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("python3 -m compileall on the generated Python SDK: %v\n%s", err, output)
	}
}

// TestSDKNames pins the file and identifier names the SDK test expects from the generators,
// on the shapes of names the schema uses.
func TestSDKNames(t *testing.T) {
	for _, tc := range []struct{ name, ts, py string }{
		{"DeveloperPortal", "developerPortal.ts", "developer_portal"},
		{"GitHubIntegration", "gitHubIntegration.ts", "git_hub_integration"},
		{"TenantAccess", "tenantAccess.ts", "tenant_access"},
		{"databaseCaCertificate", "databaseCaCertificate.ts", "database_ca_certificate"},
		{"TLSConfig", "tlsconfig.ts", "tls_config"},
		{"SHA256Hash", "sha256hash.ts", "sha256_hash"},
		{"ARNs", "arns.ts", "arns"},
		{"hostname", "hostname.ts", "hostname"},
	} {
		if got := tsFileName(tc.name); got != tc.ts {
			t.Errorf("tsFileName(%q) = %q, want %q", tc.name, got, tc.ts)
		}
		if got := pyName(tc.name); got != tc.py {
			t.Errorf("pyName(%q) = %q, want %q", tc.name, got, tc.py)
		}
	}
}
