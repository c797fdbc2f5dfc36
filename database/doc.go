// Package database is the ManagedDatabase component: the developer portal's PostgreSQL on Cloud
// SQL (GCP) or RDS (AWS), in the platform's account or a tenant's paired account — decided only
// by the provider the caller passes (pulumi.Providers(cloudProvider, randomProvider)). It
// creates the instance (private, TLS only, backed up, protected), one database with a schema per
// plugin, and the portal's login: a generated password (secret from end to end) or, on GCP, a
// Cloud IAM user with BootstrapSQL for the one grant an administrator runs. Connection is what
// the portal component takes; External.Connection describes a database managed elsewhere.
//
// Operators' documentation: docs/operators/database.md (what is protected and why, settings
// that replace the instance, backups, restore, IAM authentication).
package database
