package techdocs_test

import (
	"fmt"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/techdocs"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A program that publishes documentation for its portal: the portal's Workload Identity
// service account reads, the CI service account federated from GitHub Actions writes.
func ExampleNewTechDocsPublisher() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		platform, err := gcp.NewProvider(ctx, "platform", &gcp.ProviderArgs{
			Project: pulumi.String("cecg-platform-dev"),
			Region:  pulumi.String("europe-west2"),
		})
		if err != nil {
			return err
		}
		args := &techdocs.Args{
			Cloud:         cloud.GCP,
			BucketName:    "cecg-platform-dev-dev-techdocs",
			Project:       "cecg-platform-dev",
			Repository:    "cecg/developer-portal",
			ReaderMembers: []pulumi.StringInput{pulumi.String("serviceAccount:developer-portal-dev@cecg-platform-dev.iam.gserviceaccount.com")},
			WriterMembers: []pulumi.StringInput{pulumi.String("serviceAccount:developer-portal-ci@cecg-platform-dev.iam.gserviceaccount.com")},
		}
		// Check before registering anything, e.g. together with the other components' Args.
		if err := args.Validate(); err != nil {
			return err
		}
		docs, err := techdocs.NewTechDocsPublisher(ctx, "techdocs", args, pulumi.Provider(platform))
		if err != nil {
			return err
		}
		// The portal's share: techdocs.builder external, the publisher, the docs entity.
		contribution, err := techdocs.Contribution(args)
		if err != nil {
			return err
		}
		_ = contribution // pass it in portal.Args.Contributions
		ctx.Export("techdocsBucket", docs.BucketName)
		return nil
	})
}

// The TechDocs publisher type the portal is configured with, per cloud.
func ExamplePublisherType() {
	fmt.Println(techdocs.PublisherType(cloud.GCP))
	fmt.Println(techdocs.PublisherType(cloud.AWS))
	// Output:
	// googleGcs
	// awsS3
}
