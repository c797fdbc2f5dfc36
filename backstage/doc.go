// Package backstage is the typed model of what the portal runs: Backstage's app-config, its
// catalog entities, and the database connection the portal consumes. Every component speaks
// through these types, so the configuration is built from Go values and marshalled once —
// the same value becomes the deployed ConfigMap and the file kept in the portal's repository.
//
// The package registers no resources and imports no provider SDK: any Pulumi program can build
// a portal configuration, or hand the portal a database, without compiling cloud SDKs.
package backstage
