// Command plan is the offline plan — the product's "helm template": it runs the stack program
// against a mock engine with a stack file's configuration and prints every resource `pulumi
// up` would register, with its inputs (secrets as [secret]). With -out it also writes the
// rendered Kubernetes manifests (secret data redacted) and the generated Backstage app-config.
//
//	go run ./cmd/plan -stack dev
//	go run ./cmd/plan -stack-file tests/testdata/Pulumi.aws.yaml -out plan-out/aws
//	go run ./cmd/plan -tenant tenants/payments.yaml
//
// Bad configuration prints the same errors as `pulumi up` and exits non-zero.
//
// -tenant (repeatable) is the tenancy check of a pull request: it validates the changed tenant
// files and prints, as Markdown, what each committed stack (or the one named by -stack) will
// create for each tenant — namespace, role bindings, quota, limit range, network policy, GitHub
// team, catalog entities — and exits non-zero, with every error naming its file and field, when
// a file or a stack rejects the change. A changed file the stacks do not read as a tenant
// definition (in a subfolder, ".yml", a symbolic link) is such an error. -tenants-dir plans a
// stack (or the check) over another tenants folder than the stack files' tenants.dir.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/coreeng/developer-portal/internal/cli"
	"github.com/coreeng/developer-portal/internal/plan"
)

func main() {
	cli.Exit(run(os.Args[1:], os.Stderr))
}

// run parses its own flags: the SDKs register theirs (glog's) on the global set, and -h
// must list only the plan's.
func run(args []string, usage io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(usage)
	stackName := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml in -root")
	stackFile := fs.String("stack-file", "", "path of a stack file (instead of -stack)")
	root := fs.String("root", ".", "project directory (holds Pulumi.yaml)")
	out := fs.String("out", "", "directory to write manifests/ and app-config.yaml to")
	tenantsDir := fs.String("tenants-dir", "", "tenants folder instead of the stack file's tenants.dir")
	var tenants files
	fs.Var(&tenants, "tenant", "a changed tenant file to check (repeatable): prints what each stack creates for it, as Markdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(tenants) > 0 {
		return tenantCheck(*root, *stackName, *stackFile, *out, *tenantsDir, tenants)
	}
	if (*stackName == "") == (*stackFile == "") {
		return fmt.Errorf("give exactly one of -stack or -stack-file (or -tenant)")
	}
	res, err := plan.Run(plan.Options{Root: *root, Stack: *stackName, StackFile: *stackFile, TenantsDir: *tenantsDir})
	if err != nil {
		return err
	}
	fmt.Print(res.Text)
	if *out == "" {
		return nil
	}
	if err := plan.WriteManifests(*out, plan.Manifests(res.Resources)); err != nil {
		return err
	}
	appConfig, err := plan.AppConfig(res.Resources)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "app-config.yaml"), []byte(appConfig), 0o644)
}

// files collects a repeatable flag.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func tenantCheck(root, stackName, stackFile, out, tenantsDir string, tenants []string) error {
	if stackFile != "" || out != "" {
		return fmt.Errorf("-tenant plans the committed stacks over their tenants folder (or -tenants-dir): -stack-file and -out do not apply")
	}
	opts := plan.TenantCheckOptions{Root: root, TenantsDir: tenantsDir, Files: tenants}
	if stackName != "" {
		opts.Stacks = []string{stackName}
	}
	report, ok, err := plan.TenantCheck(opts)
	if err != nil {
		return err
	}
	fmt.Print(report)
	if !ok {
		return fmt.Errorf("the tenancy check failed: see the errors above")
	}
	return nil
}
