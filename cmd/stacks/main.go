// Command stacks prints the stacks the workflows run, derived from the committed stack files:
// each environment's portal stack (Pulumi.<env>.yaml) and its tenant shards' stacks
// (Pulumi.<env>-tenants-<i>.yaml, docs/operators/scale.md), after checking them (a shard file
// missing, out of range, twice, or different from the portal's file but for its
// tenants.shard.index is an error naming the file). The workflows build their matrices from
// it, so a shard stack is previewed, deployed and drift-checked as soon as its file is
// committed, and a stack file the workflows would not run fails them instead.
//
//	go run ./cmd/stacks                          # JSON: {"environments": [...], "stacks": [...]}
//	go run ./cmd/stacks -github-output >> "$GITHUB_OUTPUT"
//	                                             # stacks=[...] and <env>-shards=[...], for fromJSON
//	go run ./cmd/stacks -list                    # one stack name a line
//	go run ./cmd/stacks -stack prod-tenants-1 -environment prod
//	                                             # fails unless the stack is one of the environment's
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/coreeng/developer-portal/internal/cli"
	"github.com/coreeng/developer-portal/internal/plan"
)

func main() {
	cli.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Matrix is what the command prints by default.
type Matrix struct {
	// Environments are each environment's stacks.
	Environments []plan.EnvironmentStacks `json:"environments"`
	// Stacks are every stack, environment by environment, each one's shards before its portal.
	Stacks []plan.StackRef `json:"stacks"`
}

func run(args []string, out, usage io.Writer) error {
	fs := flag.NewFlagSet("stacks", flag.ContinueOnError)
	fs.SetOutput(usage)
	root := fs.String("root", ".", "project directory (holds Pulumi.yaml and the stack files)")
	var gh, list bool
	fs.BoolVar(&gh, "github-output", false, "print name=JSON lines for $GITHUB_OUTPUT: stacks, and <env>-shards for each environment")
	fs.BoolVar(&list, "list", false, "print the stack names, one a line")
	stackName := fs.String("stack", "", "with -environment: fail unless this stack is one of the environment's")
	envName := fs.String("environment", "", "with -stack: the environment the stack must belong to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	envs, err := plan.Environments(*root)
	if err != nil {
		return err
	}
	m := Matrix{Environments: envs, Stacks: plan.AllStacks(envs)}
	switch {
	case *stackName != "" || *envName != "":
		return belongs(envs, *stackName, *envName)
	case gh:
		return writeGitHubOutput(out, plan.MatrixOutputs(envs))
	case list:
		for _, s := range m.Stacks {
			if _, err := fmt.Fprintln(out, s.Stack); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}

// belongs checks that stack is one of env's stacks: a deploy runs a stack only in its own
// environment, with that environment's identity and reviewers.
func belongs(envs []plan.EnvironmentStacks, stack, env string) error {
	if stack == "" || env == "" {
		return errors.New("give both -stack and -environment")
	}
	for _, e := range envs {
		if e.Name != env {
			continue
		}
		for _, s := range e.All() {
			if s.Stack == stack {
				return nil
			}
		}
		return fmt.Errorf("stack %q is not one of environment %q's stacks", stack, env)
	}
	return fmt.Errorf("no environment %q (no Pulumi.%s.yaml)", env, env)
}

// writeGitHubOutput prints one name=value line per output, sorted, each value compact JSON
// (one line), the form $GITHUB_OUTPUT takes and fromJSON reads.
func writeGitHubOutput(out io.Writer, outputs map[string][]plan.StackRef) error {
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		b, err := json.Marshal(outputs[name])
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "%s=%s\n", name, b); err != nil {
			return err
		}
	}
	return nil
}
