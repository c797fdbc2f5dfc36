package techdocs

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func (c *TechDocsPublisher) s3(ctx *pulumi.Context, name string, a *Args) error {
	parent := pulumi.Parent(c)
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		Bucket:       pulumi.String(a.BucketName),
		ForceDestroy: pulumi.Bool(a.ForceDestroy),
		Tags:         pulumi.StringMap{"purpose": pulumi.String("techdocs"), "managed-by": pulumi.String("pulumi")},
	}, parent, guarded(a))
	if err != nil {
		return err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent, guarded(a))
	if err != nil {
		return err
	}
	// ACLs disabled: access is decided by the bucket policy alone.
	ownership, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent, guarded(a))
	if err != nil {
		return err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent, guarded(a))
	if err != nil {
		return err
	}
	_, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{
			&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
					SseAlgorithm: pulumi.String("AES256"),
				},
			},
		},
	}, parent, guarded(a))
	if err != nil {
		return err
	}
	_, err = s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("expire-superseded-versions"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(a.NoncurrentVersionDays),
				},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(7),
				},
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{versioning}))
	if err != nil {
		return err
	}

	principals := func(in []pulumi.StringInput) pulumi.StringArrayOutput {
		arr := make(pulumi.StringArray, len(in))
		for i, v := range in {
			arr[i] = checkedPrincipal(v, roleArnProblem)
		}
		return arr.ToStringArrayOutput()
	}
	policy := pulumi.All(bucket.Arn, principals(a.ReaderRoleArns), principals(a.WriterRoleArns)).ApplyT(
		func(v []any) (string, error) {
			return BucketPolicy(v[0].(string), v[1].([]string), v[2].([]string))
		}).(pulumi.StringOutput)
	// After the public access block and ownership controls: S3 rejects concurrent changes to
	// one bucket's configuration.
	_, err = s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{block, ownership}))
	if err != nil {
		return err
	}
	c.BucketName = bucket.Bucket
	c.BucketURL = pulumi.Sprintf("s3://%s", bucket.Bucket)
	return nil
}
