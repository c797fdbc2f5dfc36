// Command plan is the offline plan — the product's "helm template": it runs the stack program
// against a mock engine with a stack file's configuration and prints every resource `pulumi
// up` would register, with its inputs (secrets as [secret]). With -out it also writes the
// rendered Kubernetes manifests (secret data redacted) and the generated Backstage app-config.
//
//	go run ./cmd/plan -stack dev
//	go run ./cmd/plan -stack-file tests/testdata/Pulumi.aws.yaml -out plan-out/aws
//
// Bad configuration prints the same errors as `pulumi up` and exits non-zero.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/coreeng/developer-portal/internal/plan"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*stackName == "") == (*stackFile == "") {
		return fmt.Errorf("give exactly one of -stack or -stack-file")
	}
	res, err := plan.Run(plan.Options{Root: *root, Stack: *stackName, StackFile: *stackFile})
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
