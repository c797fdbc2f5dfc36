package testkit

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Run executes body under the recorder and returns it with the program's error. Config, when
// given, is the stack config (full keys, "developer-portal:portal" → JSON) and secretKeys the
// keys Pulumi would hold as secrets.
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

// MustRun is Run for programs that must succeed.
func MustRun(t testing.TB, body pulumi.RunFunc, config map[string]string, secretKeys ...string) *Mocks {
	t.Helper()
	m := NewMocks()
	if err := Run(body, m, config, secretKeys...); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return m
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

// Capture runs a program that returns named outputs, resolves them before the program ends,
// and returns the recorder with the resolved values. The program must succeed.
func Capture(t testing.TB, body func(ctx *pulumi.Context) (map[string]pulumi.Output, error), config map[string]string, secretKeys ...string) (*Mocks, map[string]Awaited) {
	t.Helper()
	m := NewMocks()
	resolved := map[string]Awaited{}
	err := Run(func(ctx *pulumi.Context) error {
		outs, err := body(ctx)
		if err != nil {
			return err
		}
		for name, out := range outs {
			a, err := Await(ctx, out)
			if err != nil {
				return fmt.Errorf("output %s: %w", name, err)
			}
			resolved[name] = a
		}
		return nil
	}, m, config, secretKeys...)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return m, resolved
}
