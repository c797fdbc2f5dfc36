package offline

import (
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project and Stack name the mock deployment; URNs in assertions are built from them.
const (
	Project = "developer-portal"
	Stack   = "test"
)

// Resource is one registration as the engine would have seen it.
type Resource struct {
	URN            string
	Type           string
	Name           string
	Custom         bool
	Inputs         resource.PropertyMap
	Parent         string
	Provider       string
	Protect        bool
	RetainOnDelete bool
	IgnoreChanges  []string
	DependsOn      []string
	// Aliases are the URNs this registration answers to besides its own, resolved the way
	// the engine resolves alias specs (unset parts default to the resource's own). Aliases
	// the engine infers for children from their parent's aliases are not included: see
	// InheritedAliases.
	Aliases []string
}

// Input returns the input at a dotted path ("spec.template.spec"), and whether it exists.
// Numeric segments index arrays. Secrets are unwrapped; use InputIsSecret to check secrecy.
func (r Resource) Input(path string) (resource.PropertyValue, bool) {
	return Lookup(resource.NewObjectProperty(r.Inputs), path)
}

// InputIsSecret reports whether any value on the path to (and including) the input is secret.
func (r Resource) InputIsSecret(path string) bool {
	v := resource.NewObjectProperty(r.Inputs)
	if v.IsSecret() {
		return true
	}
	for _, seg := range splitPath(path) {
		v = unwrap(v)
		next, ok := step(v, seg)
		if !ok {
			return false
		}
		if next.IsSecret() {
			return true
		}
		v = next
	}
	return false
}

// OutputsFunc lets a test give a resource type the outputs a real provider would compute
// (connection names, generated passwords, endpoints). Returned keys are merged over the inputs.
type OutputsFunc func(args pulumi.MockResourceArgs) resource.PropertyMap

// Mocks is a pulumi.MockResourceMonitor that records every registration under a mutex:
// registrations arrive from the SDK's gRPC goroutines.
type Mocks struct {
	mu        sync.Mutex
	resources []Resource
	outputs   map[string]OutputsFunc
	calls     map[string]func(args pulumi.MockCallArgs) (resource.PropertyMap, error)
}

// NewMocks returns an empty recorder with the default computed outputs of the resource types
// this product uses (see defaultOutputs).
func NewMocks() *Mocks {
	m := &Mocks{
		outputs: map[string]OutputsFunc{},
		calls:   map[string]func(args pulumi.MockCallArgs) (resource.PropertyMap, error){},
	}
	for typ, f := range defaultOutputs() {
		m.outputs[typ] = f
	}
	return m
}

// WithOutputs sets the computed outputs of a resource type, replacing the default.
func (m *Mocks) WithOutputs(typ string, f OutputsFunc) *Mocks {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outputs[typ] = f
	return m
}

// AddOutputs adds computed outputs to a resource type's, over the ones it has (the default's).
func (m *Mocks) AddOutputs(typ string, f OutputsFunc) *Mocks {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev := m.outputs[typ]
	m.outputs[typ] = func(args pulumi.MockResourceArgs) resource.PropertyMap {
		out := resource.PropertyMap{}
		if prev != nil {
			out = prev(args)
		}
		for k, v := range f(args) {
			out[k] = v
		}
		return out
	}
	return m
}

// WithCall answers an invoke (data source) by token.
func (m *Mocks) WithCall(token string, f func(args pulumi.MockCallArgs) (resource.PropertyMap, error)) *Mocks {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[token] = f
	return m
}

// NewResource records the registration and echoes the inputs (plus any computed outputs) as state.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Inputs:   args.Inputs,
		Provider: args.Provider,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.IgnoreChanges = rpc.GetIgnoreChanges()
		r.DependsOn = rpc.GetDependencies()
	}
	r.URN = URN(r.Parent, r.Type, r.Name)
	if rpc := args.RegisterRPC; rpc != nil {
		for _, a := range rpc.GetAliases() {
			r.Aliases = append(r.Aliases, resolveAlias(a, r))
		}
	}

	m.mu.Lock()
	m.resources = append(m.resources, r)
	f := m.outputs[args.TypeToken]
	m.mu.Unlock()

	state := args.Inputs.Copy()
	if f != nil {
		for k, v := range f(args) {
			state[k] = v
		}
	}
	id := args.Name + "-id"
	if !args.Custom {
		id = ""
	}
	return id, state, nil
}

// Call answers invokes registered with WithCall and returns the arguments otherwise.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	f := m.calls[args.Token]
	m.mu.Unlock()
	if f != nil {
		return f(args)
	}
	return args.Args, nil
}

// Resources returns a snapshot of every registration, in registration order.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

// ByType returns the registrations of one type token, sorted by name.
func (m *Mocks) ByType(typ string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TB is the part of testing.TB that MustFind and Only use, so this package (linked into the
// plan command) does not import the testing package.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Find returns the registration of a type and name.
func (m *Mocks) Find(typ, name string) (Resource, bool) {
	for _, r := range m.Resources() {
		if r.Type == typ && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// MustFind fails the test when the registration does not exist, listing what does.
func (m *Mocks) MustFind(t TB, typ, name string) Resource {
	t.Helper()
	r, ok := m.Find(typ, name)
	if !ok {
		var names []string
		for _, r := range m.ByType(typ) {
			names = append(names, r.Name)
		}
		t.Fatalf("no %s named %q; registered: %s", typ, name, strings.Join(names, ", "))
	}
	return r
}

// Only returns the single registration of a type, failing the test if there is not exactly one.
func (m *Mocks) Only(t TB, typ string) Resource {
	t.Helper()
	rs := m.ByType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

// Children returns the registrations whose parent is the given URN.
func (m *Mocks) Children(parentURN string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Parent == parentURN {
			out = append(out, r)
		}
	}
	return out
}

// URN builds a resource URN the way the mock monitor does, so tests can compare parents.
func URN(parent, typ, name string) string {
	return string(resource.NewURN(tokens.QName(Stack), tokens.PackageName(Project), parentType(parent), tokens.Type(typ), name))
}
