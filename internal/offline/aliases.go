package offline

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// resolveAlias turns an alias as the SDK sends it (a URN, or a spec whose unset parts mean
// "as the resource is now") into the URN the engine would look for in the old state.
func resolveAlias(a *pulumirpc.Alias, r Resource) string {
	if urn := a.GetUrn(); urn != "" {
		return urn
	}
	spec := a.GetSpec()
	name, typ, stack, project := r.Name, r.Type, Stack, Project
	if spec.GetName() != "" {
		name = spec.GetName()
	}
	if spec.GetType() != "" {
		typ = spec.GetType()
	}
	if spec.GetStack() != "" {
		stack = spec.GetStack()
	}
	if spec.GetProject() != "" {
		project = spec.GetProject()
	}
	parent := r.Parent
	switch {
	case spec.GetNoParent():
		parent = ""
	case spec.GetParentUrn() != "":
		parent = spec.GetParentUrn()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType(parent), tokens.Type(typ), name))
}

// parentType is the type chain a child's URN carries for its parent: none for the stack.
func parentType(parent string) tokens.Type {
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		return p.QualifiedType()
	}
	return ""
}

// InheritedAliases returns every URN r answers to: its own aliases, and for each alias of an
// ancestor (own or inherited) the URN r would have had under that ancestor's old type chain.
// The engine derives the latter itself, so a component that changes type with an alias keeps
// its children; a child whose own name changes still needs an alias of its own.
func (m *Mocks) InheritedAliases(r Resource) []string {
	byURN := map[string]Resource{}
	for _, x := range m.Resources() {
		byURN[x.URN] = x
	}
	return inheritedAliases(r, byURN)
}

func inheritedAliases(r Resource, byURN map[string]Resource) []string {
	out := append([]string(nil), r.Aliases...)
	parent, ok := byURN[r.Parent]
	if !ok {
		return out
	}
	for _, old := range inheritedAliases(parent, byURN) {
		u := resource.URN(old)
		if !u.IsValid() {
			continue
		}
		chain := u.QualifiedType()
		out = append(out, string(resource.NewURN(u.Stack(), u.Project(), chain, tokens.Type(r.Type), r.Name)))
	}
	return out
}
