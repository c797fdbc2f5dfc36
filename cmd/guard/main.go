// Command guard is the data-loss guard every `pulumi up` and pull-request preview passes
// first: it reads `pulumi preview --json` and fails when the preview would replace or delete
// the portal's database, a bucket or a namespace.
//
//	pulumi preview --stack dev --json > preview.json
//	go run ./cmd/guard preview.json
//
// Deleting a namespace marked retainOnDelete is allowed: Pulumi forgets it and the cluster
// keeps it (a removed tenancy's namespace). Everything else is refused, naming each resource.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: guard PREVIEW.json (the output of pulumi preview --json; - for stdin)")
	}
	in := os.Stdin
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		// Read only: a close error would not change what was read.
		defer func() { _ = f.Close() }()
		in = f
	}
	findings, err := Check(in)
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		_, err := fmt.Fprintln(out, "data-loss guard: no database, bucket or namespace is replaced or deleted")
		return err
	}
	for _, f := range findings {
		if _, err := fmt.Fprintln(out, f); err != nil {
			return err
		}
	}
	return fmt.Errorf("%d change(s) would lose data; see database.md in the operators' documentation", len(findings))
}
