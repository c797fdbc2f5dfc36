// Package techdocs is the TechDocsPublisher component: the private, versioned bucket (GCS or S3)
// the Core Platform documentation is published to. CI builds the site with techdocs-cli and
// writes it (the writers); the portal, running TechDocs with the external builder, only reads
// it (the readers). Public principals are refused; the bucket is protected unless protect is
// false. Contribution returns the portal's TechDocs configuration and the documentation's
// catalog entity (PublishEntity is where CI publishes).
//
// Operators' documentation: docs/operators/documentation.md (how it is wired, the roles and
// why, the workflow).
package techdocs
