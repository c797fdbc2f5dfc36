// Package testkit is the shared harness for unit-testing Pulumi components under mocks: the
// recorder of internal/offline under the names the tests use, the runners that fail a test,
// and the assertions every component must pass (unique URNs, explicit providers, no leaked
// secrets).
package testkit

import "github.com/coreeng/developer-portal/internal/offline"

// The recorder, its registrations and the fake outputs live in internal/offline (the offline
// plan uses them too); these names keep the tests independent of that split.
type (
	// Mocks records every registration.
	Mocks = offline.Mocks
	// Resource is one registration.
	Resource = offline.Resource
	// OutputsFunc gives a resource type the outputs a real provider would compute.
	OutputsFunc = offline.OutputsFunc
	// Awaited is a resolved output.
	Awaited = offline.Awaited
)

// Project and Stack name the mock deployment; URNs in assertions are built from them.
const (
	Project    = offline.Project
	Stack      = offline.Stack
	FakeCACert = offline.FakeCACert
)

// NewMocks and the helpers below are internal/offline's, under the names the tests use.
var (
	NewMocks     = offline.NewMocks
	Run          = offline.Run
	Await        = offline.Await
	URN          = offline.URN
	Lookup       = offline.Lookup
	Plain        = offline.Plain
	FakePassword = offline.FakePassword
)
