// Package database provides ManagedDatabase: the developer portal's PostgreSQL on a cloud
// managed service — Cloud SQL on GCP or RDS on AWS — in the platform's own account or in a
// tenant's paired account. Which account is decided only by the provider the caller passes
// (pulumi.Providers(cloudProvider, randomProvider)); the component never creates providers.
//
// # What it creates
//
// GCP: a Cloud SQL for PostgreSQL instance (private IP only, TLS required, automated backups
// with point-in-time recovery, deletion protection in the provider and in the API, REGIONAL
// when highly available, autoresizing disk, maintenance window, Query Insights, the CIS
// logging flags and cloudsql.iam_authentication=on), a database, and a user: a built-in user
// with a generated password, or (auth "iam") a CLOUD_IAM_SERVICE_ACCOUNT user for the portal's
// Workload Identity service account plus roles/cloudsql.client and roles/cloudsql.instanceUser
// on the project, conditioned to this one instance.
//
// AWS: a DB subnet group, a parameter group (rds.force_ssl=1, connection and query logging),
// and an RDS for PostgreSQL instance (encrypted, private, Multi-AZ when highly available, IAM
// authentication, Performance Insights, CloudWatch log exports, backups kept on deletion and a
// final snapshot, engine pinned to its major version with automatic minor upgrades). Password
// authentication only: RDS IAM sign-in is not built yet (backstage.IAMAuthProblem).
//
// Passwords come from random.RandomPassword (40 alphanumeric characters) and are secret from
// end to end: in the user's or instance's inputs, in the Password output and in Connection.
//
// # One database, a schema per plugin
//
// Backstage by default creates one database per plugin, which needs CREATEDB and leaves
// databases that nothing here creates, protects or sizes. The component instead creates the
// one database and hands the portal PluginDivisionMode "schema": every plugin's data lives in
// that protected, backed-up database, and an IAM user needs privileges on one database only.
//
// # IAM mode: one-time SQL
//
// Nothing here can reach a private database to run SQL, so in IAM mode the BootstrapSQL output
// holds what an administrator runs once:
//
//   - Cloud SQL creates the IAM user without privileges: run as the built-in postgres user
//     GRANT ALL PRIVILEGES ON DATABASE "backstage" TO "<sa>@<project>.iam";
//
// In password mode nothing is needed: the Cloud SQL built-in user is a member of
// cloudsqlsuperuser, and the RDS master user owns the database.
//
// # TLS on Cloud SQL
//
// sslMode is ENCRYPTED_ONLY. Checkov CKV_GCP_6 is knowingly not met: it wants
// TRUSTED_CLIENT_CERTIFICATE_REQUIRED, and Backstage's pg connection config cannot carry a
// client certificate per plugin. Every connection is still encrypted and the portal verifies
// the server against CACert (all CAs the instance lists, so a CA rotation keeps working).
//
// # Protection and settings that replace the instance
//
// Unless protect is false, the instance and database are created with Pulumi protect and
// retainOnDelete, the user with protect, and the cloud's deletion protection is on. The
// database and user have deletion policy ABANDON: their data only ever goes away with the
// instance. A change that would replace the instance then fails at preview instead of
// creating an empty database and deleting the old one. These keys replace the instance:
//
//   - cloud; gcp.project, gcp.region; aws.kmsKeyId (and the account/region of the provider);
//   - on AWS also databaseName, user in password mode (the RDS master user) and auth (it
//     changes the master user);
//   - renaming the component (its resource names derive from it).
//
// These replace a child only: databaseName (the database) and user (the user) on GCP; auth
// (the user). Everything else — tier/instanceClass, highAvailability, storage, retention,
// maintenance window, engineVersion (an in-place major upgrade) — updates in place. The
// Cloud SQL disk size is never set (autoresize) and ignored on diff; RDS storage autoscaling
// and minor versions are tolerated by the provider, so neither fights a managed change.
//
// # Example
//
//	gcpProv, _ := gcp.NewProvider(ctx, "paired-project", &gcp.ProviderArgs{Project: pulumi.String("tenant-a-prod")})
//	randProv, _ := random.NewProvider(ctx, "random", nil)
//	db, err := database.NewManagedDatabase(ctx, "portal-db", &database.Args{
//		Cloud: cloud.GCP,
//		GCP: &database.GCPArgs{
//			Project:        "tenant-a-prod",
//			Region:         "europe-west2",
//			PrivateNetwork: "projects/tenant-a-prod/global/networks/platform",
//		},
//	}, pulumi.Providers(gcpProv, randProv))
//	// db.Connection is a backstage.Postgres the portal component accepts.
package database
