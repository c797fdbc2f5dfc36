// Package plan is the offline plan: it runs the stack program against the recording mock
// engine with a stack file's configuration and renders what `pulumi up` would register — one
// line per resource with its inputs, secrets shown as [secret] — plus the Kubernetes manifests
// (secret data redacted) and the generated Backstage app-config. It needs no cloud credentials,
// so every pull request can show its plan diff.
package plan
