// OpenTelemetry for the portal's backend, loaded before Backstage by the image's start command
// (`node --require ./packages/backend/instrumentation.js packages/backend`, portal.Command):
// Backstage's plugins record their metrics through the global OpenTelemetry API, which stays
// a no-op unless a meter provider is registered before they load.
//
// Metrics are served for Prometheus on 0.0.0.0:9464/metrics (portal.DefaultMetricsPort, the
// port the Deployment names "metrics" and the PodMonitoring/ServiceMonitor scrape);
// OTEL_EXPORTER_PROMETHEUS_HOST / _PORT (OpenTelemetry's names) and PORTAL_METRICS_PATH
// override them; the Deployment sets the port and path from the stack's monitoring settings.
// No traces leave the pod.
'use strict';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

const sdk = new NodeSDK({
  serviceName: 'developer-portal',
  metricReaders: [new PrometheusExporter({
    // The exporter's own default is localhost, which no scraper outside the pod reaches.
    host: process.env.OTEL_EXPORTER_PROMETHEUS_HOST || '0.0.0.0',
    port: Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT) || 9464,
    endpoint: process.env.PORTAL_METRICS_PATH || '/metrics',
  })],
  // HTTP server and client durations: request rates and errors for the "portal down" alert.
  instrumentations: [new HttpInstrumentation()],
  traceExporter: undefined,
});
sdk.start();

process.once('SIGTERM', () => {
  sdk.shutdown().catch(() => {});
});
