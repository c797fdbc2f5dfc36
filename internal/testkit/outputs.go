package testkit

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Inputs as the engine hands them to a component provider: known, unknown (a resource not
// created yet, during preview), secret, or the output of another resource (a dependency).

// Unknown is an input whose value is not known yet.
func Unknown() pulumi.Output { return pulumi.UnsafeUnknownOutput(nil) }

// Secret is v marked secret.
func Secret(v any) pulumi.Output { return pulumi.ToSecret(pulumi.Any(v)) }

// FromResource is v as an output of res: known, with res as its dependency.
func FromResource(res pulumi.Resource, v any) pulumi.Output {
	return res.URN().ApplyT(func(pulumi.URN) any { return v })
}
