// Package techdocs publishes the Core Platform's documentation through the portal's TechDocs.
//
// The portal runs TechDocs with the "external" builder: it never builds documentation itself
// (no mkdocs, no Docker, no repository checkout inside the portal's pod). CI builds the site
// from this repository with techdocs-cli and uploads it to a bucket; the portal only reads
// that bucket. NewTechDocsPublisher creates the bucket in the platform's cloud account and the
// grants around it:
//
//   - GCS: a bucket with uniform bucket-level access, public access prevention "enforced",
//     object versioning, a lifecycle rule that expires superseded versions, and
//     BucketIAMMember grants — readers (the portal's service account, through Workload
//     Identity) get roles/storage.objectViewer, writers (the CI identity federated from
//     GitHub Actions by OIDC) get roles/storage.objectAdmin, and both get
//     roles/storage.legacyBucketReader.
//   - S3: a BucketV2 with a public access block (all four settings on), BucketOwnerEnforced
//     object ownership (ACLs disabled), versioning, default encryption, a lifecycle rule for
//     superseded versions, and a bucket policy built from Go values that lets reader roles
//     list and get, writer roles list, put and delete, and denies any request not made over
//     TLS.
//
// Why those roles: `techdocs-cli publish` first checks the bucket's metadata (storage.buckets.get
// on GCS, HeadBucket on S3), lists what is already published under the entity, uploads every
// file — overwriting an existing object needs delete permission on GCS — and deletes the files
// the new build no longer has. objectCreator + objectViewer cannot overwrite or delete, and no
// object role carries storage.buckets.get (backstage/backstage#12808), hence legacyBucketReader,
// which adds only bucket metadata and listing. The portal's TechDocs backend runs the same
// readiness check at start-up, so readers need it too. Nobody gets bucket administration, and
// no public principal (allUsers, allAuthenticatedUsers, "*") can be granted: the component
// refuses them, before registering anything when the value is a plain string, and at deploy
// time when it comes from another resource.
//
// Why protect a bucket whose content CI can rebuild: the bucket name is global and fixed, so a
// replacement is a delete followed by a create that may fail if someone else takes the name;
// and the object versions are the history of what the portal has shown. The bucket (and on S3
// its guard resources) are therefore created with Pulumi protect unless the stack sets
// `protect: false`; `forceDestroy: true` (deleting a non-empty bucket) is accepted only together
// with `protect: false`, so removing the documentation is always a deliberate two-step opt-out.
//
// Contribution returns what the portal needs: `techdocs.builder: external` and the publisher
// settings (googleGcs or awsS3), and the catalog entity the documentation hangs off — a
// Component "core-platform" of type documentation annotated `backstage.io/techdocs-ref: dir:.`
// (the docs are built from this repository's root, where mkdocs.yml lives). CI publishes the
// site under the same entity, PublishEntity ("default/Component/core-platform"); techdocs-cli
// lower-cases it into the object prefix default/component/core-platform/, which is where the
// portal looks.
//
// A program using the component (providers come from the caller; children inherit them):
//
//	gcpProvider, _ := gcp.NewProvider(ctx, "platform", &gcp.ProviderArgs{Project: pulumi.String("cecg-platform-dev")})
//	args := &techdocs.Args{
//		Cloud:         "gcp",
//		BucketName:    "cecg-dev-techdocs",
//		Location:      "EUROPE-WEST2",
//		ReaderMembers: []pulumi.StringInput{portalServiceAccount.Member},
//		WriterMembers: []pulumi.StringInput{ciServiceAccountMember},
//	}
//	docs, err := techdocs.NewTechDocsPublisher(ctx, "techdocs", args, pulumi.Provider(gcpProvider))
//	contribution, err := techdocs.Contribution(args) // hand it to the portal
package techdocs
