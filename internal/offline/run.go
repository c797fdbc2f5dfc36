package offline

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Run executes body under the recorder and returns the program's error. Config, when given,
// is the stack config (full keys, "developer-portal:portal" → JSON) and secretKeys the keys
// Pulumi would hold as secrets.
func Run(body pulumi.RunFunc, m *Mocks, config map[string]string, secretKeys ...string) error {
	if m == nil {
		m = NewMocks()
	}
	return pulumi.RunErr(body,
		pulumi.WithMocks(Project, Stack, m),
		func(info *pulumi.RunInfo) {
			info.Config = config
			info.ConfigSecretKeys = secretKeys
		})
}

// Awaited is a resolved output.
type Awaited struct {
	Value  any
	Known  bool
	Secret bool
}

// Await resolves an output inside a running program (call it from the program body, after the
// resources it depends on are registered).
func Await(ctx *pulumi.Context, out pulumi.Output) (Awaited, error) {
	r, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
	if err != nil {
		return Awaited{}, err
	}
	return Awaited{Value: r.Value, Known: r.Known, Secret: r.Secret}, nil
}
