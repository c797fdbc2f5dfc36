// Command previousup runs `pulumi up` on the e2e stack with the stack program it was built
// with, through the harness's e2e.Program (the SkipAwait transform included). The upgrade test
// (upgrade_test.go) builds it against the previous commit's stack package, so that the stack
// is first deployed by the program that commit shipped.
//
// It reads everything from its environment, which the test sets:
//
//	E2E_PULUMI_ROOT      directory holding bin/pulumi
//	E2E_PULUMI_HOME      the workspace's PULUMI_HOME
//	E2E_WORK_DIR         the workspace: Pulumi.yaml and the stack's settings (its config)
//	E2E_WORKSPACE_ENV    the workspace's variables for the CLI, as a JSON object (the backend,
//	                     the passphrase, PATH with the provider, KUBECONFIG)
//	E2E_PROGRAM_SOURCE   the configuration as the program reads it: stack.MapSource as JSON
//
// The update's progress goes to stdout.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/coreeng/developer-portal/stack"
	"github.com/coreeng/developer-portal/tests/e2e"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "previousup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	vars := map[string]string{}
	for _, k := range []string{"E2E_PULUMI_ROOT", "E2E_PULUMI_HOME", "E2E_WORK_DIR", "E2E_WORKSPACE_ENV", "E2E_PROGRAM_SOURCE"} {
		if vars[k] = os.Getenv(k); vars[k] == "" {
			return fmt.Errorf("%s is not set", k)
		}
	}
	raw, err := os.ReadFile(vars["E2E_PROGRAM_SOURCE"])
	if err != nil {
		return err
	}
	var src stack.MapSource
	if err := json.Unmarshal(raw, &src); err != nil {
		return fmt.Errorf("E2E_PROGRAM_SOURCE: %w", err)
	}
	var wsEnv map[string]string
	if err := json.Unmarshal([]byte(vars["E2E_WORKSPACE_ENV"]), &wsEnv); err != nil {
		return fmt.Errorf("E2E_WORKSPACE_ENV: %w", err)
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: vars["E2E_PULUMI_ROOT"], SkipVersionCheck: true})
	if err != nil {
		return err
	}
	s, err := auto.SelectStackInlineSource(ctx, e2e.StackName, e2e.ProjectName, e2e.Program(src, &e2e.SkipAwait{}),
		auto.Pulumi(cmd), auto.WorkDir(vars["E2E_WORK_DIR"]), auto.PulumiHome(vars["E2E_PULUMI_HOME"]), auto.EnvVars(wsEnv))
	if err != nil {
		return err
	}
	_, err = s.Up(ctx, optup.ProgressStreams(os.Stdout))
	return err
}
