// Command pulumi-resource-coreplatform is the component provider of the `coreplatform` Pulumi
// package: programs in any Pulumi language construct this repository's components through it
// (see docs/operators/other-languages.md).
package main

import (
	_ "embed"
	"fmt"
	"os"

	"github.com/coreeng/developer-portal/provider"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

//go:generate go run ../coreplatform-schema -root ../.. -o schema.json

//go:embed schema.json
var schema []byte

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "0.0.0-dev"

func main() {
	err := pprovider.MainWithOptions(pprovider.Options{
		Name:      provider.Name,
		Version:   version,
		Schema:    schema,
		Construct: provider.Construct,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
