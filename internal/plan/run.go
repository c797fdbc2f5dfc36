package plan

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Result is an offline plan.
type Result struct {
	// Text is the rendered plan: header, resources, exports.
	Text string
	// Resources are the recorded registrations.
	Resources []offline.Resource
	// Mocks is the recorder, for assertions.
	Mocks *offline.Mocks
	// Exports are the stack outputs (secrets as [secret]).
	Exports map[string]string
}

// Options select the stack file.
type Options struct {
	// Root is the project directory (holding Pulumi.yaml).
	Root string
	// Stack names Pulumi.<stack>.yaml in Root; StackFile, when set, is a path instead.
	Stack     string
	StackFile string
	// TenantsDir, when set, replaces the stack file's tenants.dir: the tests plan the
	// committed stacks over fixed test tenants, the tenancy check over a pull request's.
	TenantsDir string
}

// Run plans a stack offline. A configuration error is returned as the same error `pulumi up`
// would print, and nothing is rendered.
func Run(opts Options) (*Result, error) {
	path := opts.StackFile
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "Pulumi."), ".yaml")
	if path == "" {
		path = filepath.Join(opts.Root, "Pulumi."+opts.Stack+".yaml")
		name = opts.Stack
	}
	sf, err := ReadStackFile(path, filepath.Join(opts.Root, "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	if opts.TenantsDir != "" {
		if err := sf.SetObjectField(stack.Namespace+":tenants", "dir", opts.TenantsDir); err != nil {
			return nil, err
		}
	}
	src := stack.MapSource{Values: sf.Values, Secrets: map[string]bool{}, SecretLeaves: sf.SecretLeaves}
	// Encrypted values cannot be read offline; they, and the secrets a committed stack file
	// never holds, get placeholders that say what they are.
	for _, key := range sf.Encrypted {
		src.Values[key] = stack.Placeholder(key)
		src.Secrets[key] = true
	}
	for _, key := range sf.SecretObjects {
		src.Secrets[key] = true
	}
	for key, value := range stack.SecretPlaceholders(src) {
		src.Values[key] = value
		src.Secrets[key] = true
	}

	m := offline.NewMocks()
	exports := map[string]string{}
	program := stack.Program(src)
	err = offline.Run(func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		for k, out := range ctx.GetCurrentExportMap() {
			a, err := offline.Await(ctx, pulumi.ToOutput(out))
			if err != nil {
				return err
			}
			exports[k] = describe(a)
		}
		return nil
	}, m, src.Values, src.SecretKeys()...)
	if err != nil {
		// The SDK wraps the program's error in a one-element list ("1 error occurred"): print
		// the configuration problems as they are.
		var problems *validate.Errors
		if errors.As(err, &problems) {
			return nil, problems
		}
		return nil, err
	}
	res := m.Resources()
	var b strings.Builder
	fmt.Fprintf(&b, "# Offline plan of stack %q (mock engine: computed values are stand-ins).\n", name)
	fmt.Fprintf(&b, "# Secret values print as [secret]. Secrets not in the stack file are placeholders.\n")
	fmt.Fprintf(&b, "# %d resources.\n\n", len(res))
	b.WriteString(Render(res))
	b.WriteString("\nOutputs:\n")
	keys := slices.Sorted(maps.Keys(exports))
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: %s\n", k, exports[k])
	}
	return &Result{Text: b.String(), Resources: res, Mocks: m, Exports: exports}, nil
}

func describe(a offline.Awaited) string {
	switch {
	case a.Secret:
		return "[secret]"
	case !a.Known:
		return "[unknown]"
	}
	return fmt.Sprintf("%v", a.Value)
}
