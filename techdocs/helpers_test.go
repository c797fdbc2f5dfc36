package techdocs

import (
	"testing"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	portalMember = "serviceAccount:developer-portal@cecg-platform-dev.iam.gserviceaccount.com"
	ciMember     = "serviceAccount:developer-portal-ci@cecg-platform-dev.iam.gserviceaccount.com"
	portalRole   = "arn:aws:iam::111111111111:role/developer-portal"
	ciRole       = "arn:aws:iam::111111111111:role/developer-portal-ci"
)

func gcpArgs() *Args {
	return &Args{
		Cloud:         cloud.GCP,
		BucketName:    "cecg-dev-techdocs",
		Project:       "cecg-platform-dev",
		ReaderMembers: []pulumi.StringInput{pulumi.String(portalMember)},
		WriterMembers: []pulumi.StringInput{pulumi.String(ciMember)},
	}
}

func awsArgs() *Args {
	return &Args{
		Cloud:          cloud.AWS,
		BucketName:     "cecg-dev-techdocs",
		Region:         "eu-west-2",
		ReaderRoleArns: []pulumi.StringInput{pulumi.String(portalRole)},
		WriterRoleArns: []pulumi.StringInput{pulumi.String(ciRole)},
	}
}

// newMocks reports the bucket name S3 would, instead of the mock's resource-name default.
func newMocks() *testkit.Mocks {
	return testkit.NewMocks().WithOutputs("aws:s3/bucketV2:BucketV2", func(args pulumi.MockResourceArgs) resource.PropertyMap {
		name := args.Inputs["bucket"].StringValue()
		return resource.PropertyMap{
			"bucket": resource.NewStringProperty(name),
			"arn":    resource.NewStringProperty("arn:aws:s3:::" + name),
		}
	})
}

// deploy runs the component with the right cloud provider and returns the recorder, or the
// program's error.
func deploy(args *Args) (*testkit.Mocks, error) {
	m := newMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		var all []pulumi.ResourceOption
		switch args.Cloud {
		case cloud.GCP:
			p, err := gcp.NewProvider(ctx, "platform", &gcp.ProviderArgs{Project: pulumi.String("cecg-platform-dev")})
			if err != nil {
				return err
			}
			all = append(all, pulumi.Provider(p))
		case cloud.AWS:
			p, err := aws.NewProvider(ctx, "platform", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
			if err != nil {
				return err
			}
			all = append(all, pulumi.Provider(p))
		}
		_, err := NewTechDocsPublisher(ctx, "techdocs", args, all...)
		return err
	}, m, nil)
	return m, err
}

func mustDeploy(t *testing.T, args *Args) *testkit.Mocks {
	t.Helper()
	m, err := deploy(args)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	testkit.AssertNoDuplicateURNs(t, m)
	testkit.AssertExplicitProviders(t, m)
	testkit.AssertParented(t, m, Type)
	return m
}

func componentURN() string { return testkit.URN("", Type, "techdocs") }
