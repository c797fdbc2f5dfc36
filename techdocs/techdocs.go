package techdocs

import (
	"errors"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TechDocsPublisher is the documentation bucket and the grants that let the portal read it and
// CI publish to it.
type TechDocsPublisher struct {
	pulumi.ResourceState

	// BucketName is the bucket's name (what techdocs-cli publish --storage-name takes).
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	// BucketURL is gs://<name> or s3://<name>.
	BucketURL pulumi.StringOutput `pulumi:"bucketUrl"`
	// PublisherType is googleGcs or awsS3 (techdocs-cli publish --publisher-type).
	PublisherType pulumi.StringOutput `pulumi:"publisherType"`
}

// NewTechDocsPublisher creates the documentation bucket in the cloud account of the provider
// passed in opts (a gcp.Provider for "gcp", an aws.Provider for "aws"). Every problem with args
// is reported before anything is registered.
func NewTechDocsPublisher(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*TechDocsPublisher, error) {
	if args == nil {
		return nil, errors.New("techdocs: args are required")
	}
	var errs validate.Errors
	errs.Merge("", args.Validate())
	errs.Merge("", args.checkWiring())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	a := new(args.WithDefaults())

	comp := &TechDocsPublisher{}
	if err := ctx.RegisterComponentResource(Type, name, comp, opts...); err != nil {
		return nil, err
	}
	var err error
	switch a.Cloud {
	case cloud.GCP:
		err = comp.gcs(ctx, name, a)
	case cloud.AWS:
		err = comp.s3(ctx, name, a)
	}
	if err != nil {
		return nil, err
	}
	comp.PublisherType = pulumi.String(PublisherType(a.Cloud)).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"bucketName":    comp.BucketName,
		"bucketUrl":     comp.BucketURL,
		"publisherType": comp.PublisherType,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// guarded is the protect option for the bucket and the resources that keep it private.
func guarded(a *Args) pulumi.ResourceOption { return pulumi.Protect(a.protect()) }
