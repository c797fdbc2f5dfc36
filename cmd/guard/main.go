// Command guard is the data-loss guard every `pulumi up` passes first: it reads the plan that
// `up` will execute and fails when it would replace or delete a stateful resource (the list in
// internal/stateful: the database, buckets, namespaces, the repository, teams, CI identities).
//
//	pulumi preview --stack dev --save-plan plan.json --json > preview.json
//	go run ./cmd/guard -plan plan.json preview.json
//	pulumi up --stack dev --plan plan.json --yes
//
// `up --plan` executes only the operations of the plan, so what the guard accepted is what
// runs. Without -plan it checks a JSON preview alone (the pull-request preview, which deploys
// nothing). Deleting a namespace the preview shows retainOnDelete is allowed: Pulumi forgets it
// and the cluster keeps it (a removed tenancy's namespace). Everything else is refused, naming
// each resource, with exit status 3, so the deploy can route it to a reviewed approval
// (docs/operators/runbook-failed-deploy.md, "An intended replacement"); any other failure
// exits 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// exitFindings is the exit status of a plan the guard refuses: the deploy tells it from an
// error (status 1) to ask for the replacement's approval.
const exitFindings = 3

// errFindings marks a refusal.
var errFindings = errors.New("refused")

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		if errors.Is(err, errFindings) {
			os.Exit(exitFindings)
		}
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(out)
	planPath := fs.String("plan", "", "the plan file of `pulumi preview --save-plan` (the preview argument is that run's --json output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: guard [-plan PLAN.json] PREVIEW.json (the output of pulumi preview --json; - for stdin)")
	}
	preview, closePreview, err := open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer closePreview()
	var findings []Finding
	if *planPath == "" {
		findings, err = Check(preview)
	} else {
		plan, closePlan, openErr := open(*planPath)
		if openErr != nil {
			return openErr
		}
		defer closePlan()
		findings, err = CheckPlan(plan, preview)
	}
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		_, err := fmt.Fprintln(out, "data-loss guard: no stateful resource is replaced or deleted")
		return err
	}
	for _, f := range findings {
		if _, err := fmt.Fprintln(out, f); err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: %d change(s) would lose data; an intended one needs the approve-replacement review "+
		"(see the failed-deploy runbook in the operators' documentation)", errFindings, len(findings))
}

// open opens path, or stdin for "-", read only (a close error would not change what was read).
func open(path string) (io.Reader, func(), error) {
	if path == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}
