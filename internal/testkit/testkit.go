// Package testkit is the shared harness for unit-testing Pulumi components under mocks: the
// recorder of internal/offline under the names the tests use, the runners that fail a test,
// and the assertions every component must pass (unique URNs, explicit providers, no leaked
// secrets).
package testkit

import "github.com/coreeng/developer-portal/internal/offline"

// The recorder, its registrations and the fake outputs live in internal/offline (the offline
// plan uses them too); these names keep the tests independent of that split.
type (
	Mocks       = offline.Mocks
	Resource    = offline.Resource
	OutputsFunc = offline.OutputsFunc
	Awaited     = offline.Awaited
)

// Project and Stack name the mock deployment; URNs in assertions are built from them.
const (
	Project    = offline.Project
	Stack      = offline.Stack
	FakeCACert = offline.FakeCACert
)

var (
	NewMocks     = offline.NewMocks
	Run          = offline.Run
	Await        = offline.Await
	URN          = offline.URN
	Lookup       = offline.Lookup
	Plain        = offline.Plain
	FakePassword = offline.FakePassword
)
