// Package offline runs a Pulumi program without a cloud or a Pulumi service: a mock resource
// monitor records every registration (inputs, parent, providers, aliases, protection) and gives
// the provider-computed outputs the product reads recognisable fake values. The offline plan
// (internal/plan, cmd/plan) renders what it records; the tests use it through internal/testkit,
// which adds the assertions.
package offline
