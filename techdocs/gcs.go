package techdocs

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GCS roles. objectAdmin rather than objectCreator + objectViewer because publishing
// overwrites existing objects and deletes stale ones (both need storage.objects.delete); its
// extra object-IAM permissions are inert under uniform bucket-level access. legacyBucketReader
// adds storage.buckets.get, which techdocs-cli and the TechDocs backend call before anything
// else and which no object role carries.
const (
	RoleObjectViewer       = "roles/storage.objectViewer"
	RoleObjectAdmin        = "roles/storage.objectAdmin"
	RoleLegacyBucketReader = "roles/storage.legacyBucketReader"
)

// ReaderRoles and WriterRoles are the roles granted on the bucket to each reader and writer.
var (
	ReaderRoles = []string{RoleObjectViewer, RoleLegacyBucketReader}
	WriterRoles = []string{RoleObjectAdmin, RoleLegacyBucketReader}
)

func (c *TechDocsPublisher) gcs(ctx *pulumi.Context, name string, a *Args) error {
	bucketArgs := &storage.BucketArgs{
		Name:                     pulumi.String(a.BucketName),
		Location:                 pulumi.String(a.Location),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		Versioning:               &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)},
		ForceDestroy:             pulumi.Bool(a.ForceDestroy),
		LifecycleRules: storage.BucketLifecycleRuleArray{
			&storage.BucketLifecycleRuleArgs{
				Action: &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
				Condition: &storage.BucketLifecycleRuleConditionArgs{
					// Without noAge the provider sends age 0 alongside the other condition.
					NoAge:                   pulumi.Bool(true),
					WithState:               pulumi.String("ARCHIVED"),
					DaysSinceNoncurrentTime: pulumi.Int(a.NoncurrentVersionDays),
				},
			},
		},
		Labels: pulumi.StringMap{"purpose": pulumi.String("techdocs"), "managed-by": pulumi.String("pulumi")},
	}
	if a.Project != "" {
		bucketArgs.Project = pulumi.String(a.Project)
	}
	bucket, err := storage.NewBucket(ctx, name+"-bucket", bucketArgs, pulumi.Parent(c), guarded(a))
	if err != nil {
		return err
	}
	grant := func(kind string, members []pulumi.StringInput, roles []string) error {
		for i, m := range members {
			member := checkedPrincipal(m, gcpMemberProblem)
			for _, role := range roles {
				_, err := storage.NewBucketIAMMember(ctx, fmt.Sprintf("%s-%s-%d-%s", name, kind, i, roleSuffix(role)), &storage.BucketIAMMemberArgs{
					Bucket: bucket.Name,
					Role:   pulumi.String(role),
					Member: member,
				}, pulumi.Parent(c))
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := grant("reader", a.ReaderMembers, ReaderRoles); err != nil {
		return err
	}
	if err := grant("writer", a.WriterMembers, WriterRoles); err != nil {
		return err
	}
	c.BucketName = bucket.Name
	c.BucketURL = pulumi.Sprintf("gs://%s", bucket.Name)
	return nil
}

// roleSuffix turns "roles/storage.objectViewer" into "objectviewer" for resource names.
func roleSuffix(role string) string {
	return strings.ToLower(role[strings.LastIndexAny(role, "./")+1:])
}
