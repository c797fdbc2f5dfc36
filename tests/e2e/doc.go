// Package e2e holds the developer portal's end-to-end tests: the stack program driven through
// the real Pulumi engine (the CLI, through the Automation API, running the program inline) and
// the real Kubernetes provider, against a real kube-apiserver with etcd and
// kube-controller-manager, all on 127.0.0.1 and all stopped at the end.
//
// It is a module of its own so that users of the component library never download it. Run it
// with .ci/e2e, which builds the tools once per version into a cache and points the tests at
// them through environment variables:
//
//	E2E_PULUMI_ROOT              directory holding bin/pulumi
//	E2E_PROVIDER_BIN             directory holding pulumi-resource-kubernetes
//	E2E_KUBE_APISERVER           kube-apiserver binary
//	E2E_KUBE_CONTROLLER_MANAGER  kube-controller-manager binary
//	E2E_ETCD                     etcd binary
//	E2E_KUBE_SCORE               kube-score binary
//	E2E_STRACE                   strace (TestFaultKilledCLI kills the CLI at a system call)
//
// Without them every test that needs them is skipped. Each of these tests starts its own
// control plane:
//
//   - TestEndToEnd: one happy lifecycle, from up to destroy;
//   - TestFaultKilledCLI, TestFaultAPIServerDown, TestFaultProtectedDestroy (faults_test.go):
//     the CLI killed with SIGKILL (while a create is in flight, inside the write of the
//     checkpoint's metadata file, just before the checkpoint's rename) and kube-apiserver killed
//     in the middle of an up, each recovered as docs/operators/runbook-failed-deploy.md says and
//     checked to converge; a destroy refused by a protected resource, and namespaces retained
//     on delete;
//   - TestUpgradeKeepsStatefulResources (upgrade_test.go): up with the previous commit's
//     program (E2E_UPGRADE_FROM, default HEAD~1; the clone needs that commit), then a preview
//     with the current one must not replace or delete a stateful resource;
//   - TestYAMLProgram (yaml_test.go): the Pulumi YAML program in testdata/yaml, run by the CLI
//     binary with the YAML language host and this repository's component provider, must
//     create the same objects as the Go components (portal.NewDeveloperPortal,
//     access.NewTenantAccess) given the same inputs, preview no change, give its outputs,
//     destroy cleanly, and fail a bad input with the Go API's error;
//   - TestSDK, TestSDKNames (sdk_test.go): `pulumi package gen-sdk` generates the TypeScript and
//     Python SDKs from cmd/pulumi-resource-coreplatform/schema.json; every resource's file
//     exists, secret inputs are wrapped as secrets, tsc compiles the TypeScript SDK and
//     python3 byte-compiles the Python one; the schema the provider binary serves is the
//     committed one. No control plane;
//   - TestReshardTenants (reshard_test.go): an existing stack split into tenant shards in the
//     order docs/operators/scale.md gives converges, every object kept;
//   - TestPortalOnRealNode (portalnode_test.go, node_test.go): the portal image .ci/image built
//     from app/Dockerfile, deployed by the stack with the provider's readiness waits (no
//     skipAwait) onto a real node (containerd, runc, kubelet, kube-scheduler) and checked on
//     its running pods; the host is recorded before and restored after
//     (docs/operators/image-build.md). Needs root and, beyond the tools above,
//     E2E_KUBELET, E2E_KUBE_SCHEDULER, E2E_PAUSE_IMAGE(_ARCHIVE), PORTAL_IMAGE(_ARCHIVE) and
//     PG_BIN;
//   - TestImageSBOM (sbom_test.go): the image's SBOM (PORTAL_SBOM) lists the backend's
//     Backstage packages at app/yarn.lock's versions;
//   - TestScale (scale_test.go), only with E2E_SCALE=<sizes>: up, no-op preview, one-tenant
//     change and destroy of generated tenants, with time, memory, CPU and state size
//     (.ci/e2e runs 10 tenants; `.ci/e2e scale` 10, 100 and 1,000 and writes
//     docs/operators/scale.md's tables and chart with cmd/scalereport).
//
// TestYAMLProgram and TestSDK also need (skipped, naming them, when unset):
//
//	E2E_LANGUAGE_YAML_BIN        directory holding pulumi-language-yaml
//	E2E_COREPLATFORM_BIN         directory holding pulumi-resource-coreplatform
//	E2E_SDKGEN_BIN               directory holding the codegen-only pulumi-language-nodejs
//	                             and pulumi-language-python (tools/sdkgen)
//	E2E_TS_MODULES               node_modules with typescript, @pulumi/pulumi, @types/node
//	                             (with BACKSTAGE_NODE: the tsc step)
//
// With the Backstage toolchain that .ci/backstage installs (.ci/run exports both from
// `.ci/backstage env`), TestEndToEnd also runs, after up and before
// destroy, the root module's Backstage test (tests/backstage) against its API server: a real
// Backstage backend's Kubernetes plugin must find the portal's Deployment, Service and Ingress
// there. Without them that step is skipped:
//
//	BACKSTAGE_NODE               Node.js 24 binary
//	PG_BIN                       PostgreSQL 15 server binaries directory
//
// With CHROMIUM and TECHDOCS_CLI too (also printed by `.ci/backstage env`), the same go test
// runs the browser test (tests/backstage/browser_test.go, TestPortalInBrowser) against this
// API server: headless Chromium signs in to the portal and must see, among the rest, the
// portal's Deployment, Service and Ingress on its Kubernetes tab. SCREENSHOT_DIR keeps its
// screenshots (.ci/run: artifacts/screenshots).
//
// E2E_LOG_DIR, when set, keeps the progress logs of every up, destroy and refresh and the
// Backstage test's output (otherwise their last lines are printed only when they fail).
//
// In the other tests (all but TestPortalOnRealNode) no kubelet runs, so pods never start. The
// harness, and only the harness, therefore sets the pulumi.com/skipAwait annotation on the objects whose readiness needs
// running pods or an ingress controller (Deployments, Services, Ingresses...), through a
// resource transform registered before the stack program runs. For the kinds where that annotation also skips the
// wait for a deletion (Deployments among them) it sets background deletion, so that a delete is
// finished when it returns, as the skipped wait would have made it.
//
// TestYAMLProgram cannot do that: a YAML program registers no transform, and the component
// provider creates the objects. It runs a fake kubelet instead (kubelet_test.go), with the
// controllers a rollout needs (deployment, replicaset, endpoint, endpointslice): a Ready Node,
// pods bound to it and reported Running and Ready with an IP, pods being deleted removed at
// once, and a load balancer address on every Ingress. The Kubernetes provider's readiness
// waits then run for real, for the Go components as for the YAML program.
package e2e
