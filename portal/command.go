package portal

// Command is how the portal image starts Backstage: Node loads the OpenTelemetry set-up (the
// Prometheus exporter on DefaultMetricsPort) before the backend, so every plugin's metrics are
// recorded. The Deployment runs exactly this, and app/Dockerfile's CMD is Command followed by
// ContainerArgs() (tests/dockerfile_test.go compares them), so the image started by hand and the image
// in the cluster cannot drift. Paths are relative to the image's WORKDIR, /app.
var Command = []string{"node", "--require", "./packages/backend/instrumentation.js", "packages/backend"}

// ContainerArgs are the backend's arguments: only the generated app-config, so what is deployed is
// exactly what the component generated, not merged with the image's development defaults.
func ContainerArgs() []string { return []string{"--config", AppConfigPath} }
