// Package provider is the component provider behind `pulumi-resource-coreplatform`: it lets
// programs in any Pulumi language (YAML, TypeScript, Python...) create the same components a Go
// program creates. Construct decodes the engine's inputs into each component's Args with the
// decoder the stack program uses (so a bad input names the same key), runs the component's own
// constructor, and returns its outputs. The schema describing these inputs and outputs is
// generated from the structs below and the Args they embed (see internal/schemagen).
//
// Inputs that decide what is created (every plain field of a component's Args) must be known
// when the component is constructed and must not be secrets; inputs that may come from another
// resource (the database's address, credentials, annotations) stay Outputs and keep their
// secrecy and dependencies. Such inputs are top-level properties: the Go SDK cannot construct a
// component whose nested inputs hold Outputs (pulumi/pulumi#11726).
package provider
