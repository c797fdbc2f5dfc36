// Command embedgen writes schema-embed.json and terraform-mapping-embed.json into the current
// directory from the schema.json and terraform-mapping.json shipped in the provider module
// (the provider's generate.go, without its dependency on the Pulumi codegen packages).
//
//	go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
//	go run ./internal/embedgen -src "$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes" -version 4.0.0
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	src := flag.String("src", "", "the provider module's cmd/pulumi-resource-kubernetes directory")
	version := flag.String("version", "", "the provider version to write into the schema")
	flag.Parse()
	if err := run(*src, *version); err != nil {
		fmt.Fprintln(os.Stderr, "embedgen:", err)
		os.Exit(1)
	}
}

func run(src, version string) error {
	if src == "" || version == "" {
		return fmt.Errorf("-src and -version are required")
	}
	var schema map[string]json.RawMessage
	if err := readJSON(filepath.Join(src, "schema.json"), &schema); err != nil {
		return err
	}
	v, err := json.Marshal(version)
	if err != nil {
		return err
	}
	schema["version"] = v
	if err := writeJSON("schema-embed.json", schema); err != nil {
		return err
	}
	var mapping any
	if err := readJSON(filepath.Join(src, "terraform-mapping.json"), &mapping); err != nil {
		return err
	}
	return writeJSON("terraform-mapping-embed.json", mapping)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, bytes.TrimRight(buf.Bytes(), "\n"), 0o644)
}
