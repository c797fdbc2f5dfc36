package e2e

import (
	"context"
	"fmt"
	"sync"

	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The e2e stack's project and stack names.
const (
	ProjectName = "developer-portal"
	StackName   = "e2e"
)

// awaitedTypes are the resource types whose readiness the provider would wait for, and which
// never become ready without a kubelet (pods) or an ingress controller (load balancer status).
var awaitedTypes = map[string]bool{
	"kubernetes:apps/v1:Deployment":            true,
	"kubernetes:apps/v1:StatefulSet":           true,
	"kubernetes:apps/v1:DaemonSet":             true,
	"kubernetes:apps/v1:ReplicaSet":            true,
	"kubernetes:batch/v1:Job":                  true,
	"kubernetes:core/v1:Pod":                   true,
	"kubernetes:core/v1:Service":               true,
	"kubernetes:core/v1:PersistentVolumeClaim": true,
	"kubernetes:networking.k8s.io/v1:Ingress":  true,
}

// skipAwaitAnnotation is the provider's annotation that skips its readiness wait.
const skipAwaitAnnotation = "pulumi.com/skipAwait"

// For these kinds skipAwait also skips the provider's wait for a deletion to finish (a legacy
// behaviour it keeps), and the provider deletes with foreground propagation: the object stays,
// being deleted, until the garbage collector has been through it. A replacement's create could
// then meet the old object. Background propagation removes the object at once, so a delete is
// over when it returns, as it is with the provider's wait in a real cluster.
const deletionPropagationAnnotation = "pulumi.com/deletionPropagationPolicy"

var skipsDeleteWait = map[string]bool{
	"kubernetes:apps/v1:Deployment":  true,
	"kubernetes:apps/v1:StatefulSet": true,
	"kubernetes:apps/v1:DaemonSet":   true,
	"kubernetes:batch/v1:Job":        true,
	"kubernetes:core/v1:Pod":         true,
}

// SkipAwait is the harness's resource transform: it annotates awaited resources with
// pulumi.com/skipAwait (and, where that skips the wait for deletions too, with background
// deletion). Only the e2e harness registers it; the product never skips awaits.
type SkipAwait struct {
	mu        sync.Mutex
	annotated []string
	problems  []string
}

func (s *SkipAwait) transform(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
	if !args.Custom || !awaitedTypes[args.Type] {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	props := pulumi.Map{}
	for k, v := range args.Props {
		props[k] = v
	}
	metadata := pulumi.Map{}
	switch md := args.Props["metadata"].(type) {
	case nil:
	case pulumi.Map:
		for k, v := range md {
			metadata[k] = v
		}
	default:
		s.problems = append(s.problems, fmt.Sprintf("%s %s: metadata is a %T", args.Type, args.Name, md))
		return nil
	}
	annotations := pulumi.Map{}
	switch an := metadata["annotations"].(type) {
	case nil:
	case pulumi.Map:
		for k, v := range an {
			annotations[k] = v
		}
	case pulumi.StringMap:
		for k, v := range an {
			annotations[k] = v
		}
	default:
		s.problems = append(s.problems, fmt.Sprintf("%s %s: metadata.annotations is a %T", args.Type, args.Name, an))
		return nil
	}
	annotations[skipAwaitAnnotation] = pulumi.String("true")
	if skipsDeleteWait[args.Type] {
		annotations[deletionPropagationAnnotation] = pulumi.String("background")
	}
	metadata["annotations"] = annotations
	props["metadata"] = metadata
	s.annotated = append(s.annotated, args.Type+" "+args.Name)
	return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
}

// Program is the stack program as the e2e harness runs it: the product's stack.Program, after
// the harness's SkipAwait transform. With sa nil it is stack.Program alone (the real node's
// test: the provider waits for real pods). It is not in a _test file because the upgrade test
// also builds it, in cmd/previous-program, against the previous commit's stack package.
func Program(src stack.Source, sa *SkipAwait) pulumi.RunFunc {
	if sa == nil {
		return stack.Program(src)
	}
	return func(ctx *pulumi.Context) error {
		if err := ctx.RegisterResourceTransform(sa.transform); err != nil {
			return err
		}
		return stack.Program(src)(ctx)
	}
}
