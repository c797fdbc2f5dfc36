// Command coreplatform-schema writes the component provider's schema, generated from the
// source (internal/schemagen). Run it through `go generate ./cmd/pulumi-resource-coreplatform`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/coreeng/developer-portal/internal/schemagen"
	"github.com/coreeng/developer-portal/provider"
)

func main() {
	root := flag.String("root", ".", "the module's root directory")
	out := flag.String("o", "schema.json", "the file to write")
	flag.Parse()
	b, err := schemagen.Generate(*root, provider.Components)
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coreplatform-schema:", err)
		os.Exit(1)
	}
}
