// Command pulumi-resource-kubernetes serves the Kubernetes provider, as the provider module's own
// cmd/pulumi-resource-kubernetes does. The two embedded files are generated from the schema and
// Terraform mapping shipped in the provider module (go run ./internal/embedgen), with the
// schema's version set to the version stamped into the binary.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
