package testkit

import (
	"fmt"
	"testing"

	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MustRun runs a program that must succeed under a fresh recorder and returns the recorder.
func MustRun(t testing.TB, body pulumi.RunFunc, config map[string]string, secretKeys ...string) *Mocks {
	t.Helper()
	m := NewMocks()
	if err := Run(body, m, config, secretKeys...); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return m
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
			a, err := offline.Await(ctx, out)
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
