// Command github-repositories prints, comma separated, the repositories a stack's GitHub
// resources write (the portal's repository, the tenants' team grants...), read from the
// stack's offline plan: the deploy and drift workflows scope their App installation tokens to
// exactly these (create-github-app-token's repositories input), so a token of one stack can
// touch nothing else, and the list follows the tenants without a hand-kept copy.
//
// A stack that writes no repository is an error, unless -allow-none: a tenant shard's stack
// that manages no teams talks to no GitHub API at all, and the workflows then skip the token
// (an App token without repositories would reach every repository of the installation).
//
//	go run ./cmd/github-repositories -stack prod
//	go run ./cmd/github-repositories -allow-none -stack dev-tenants-1
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/cli"
	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/coreeng/developer-portal/internal/plan"
)

func main() {
	cli.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, out, usage io.Writer) error {
	fs := flag.NewFlagSet("github-repositories", flag.ContinueOnError)
	fs.SetOutput(usage)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml in -root")
	stackFile := fs.String("stack-file", "", "path of a stack file (instead of -stack)")
	root := fs.String("root", ".", "project directory (holds Pulumi.yaml)")
	tenantsDir := fs.String("tenants-dir", "", "tenants folder instead of the stack file's tenants.dir")
	allowNone := fs.Bool("allow-none", false, "print an empty line, not an error, when the stack writes no repository")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*stack == "") == (*stackFile == "") {
		return fmt.Errorf("give exactly one of -stack or -stack-file")
	}
	res, err := plan.Run(plan.Options{Root: *root, Stack: *stack, StackFile: *stackFile, TenantsDir: *tenantsDir})
	if err != nil {
		return err
	}
	repos := Repositories(res.Resources)
	if len(repos) == 0 && !*allowNone {
		return fmt.Errorf("the stack writes no GitHub repository: no token to scope")
	}
	_, err = fmt.Fprintln(out, strings.Join(repos, ","))
	return err
}

// Repositories are the names of the repositories the planned GitHub resources write: every
// github: resource's repository input, and a managed repository's own name.
func Repositories(rs []offline.Resource) []string {
	set := map[string]bool{}
	for _, r := range rs {
		if !strings.HasPrefix(r.Type, "github:") {
			continue
		}
		key := "repository"
		if r.Type == "github:index/repository:Repository" {
			key = "name"
		}
		if name := r.String(key); name != "" {
			set[name] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
