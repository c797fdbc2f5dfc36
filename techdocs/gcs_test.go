package techdocs

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	gcsBucketType = "gcp:storage/bucket:Bucket"
	gcsMemberType = "gcp:storage/bucketIAMMember:BucketIAMMember"
)

func TestGCSBucketSettings(t *testing.T) {
	m := mustDeploy(t, gcpArgs())
	b := m.MustFind(t, gcsBucketType, "techdocs-bucket")
	if b.Parent != componentURN() {
		t.Errorf("bucket parent = %s, want the component", b.Parent)
	}
	checks := map[string]any{
		"name":                                 "cecg-dev-techdocs",
		"project":                              "cecg-platform-dev",
		"location":                             "EUROPE-WEST2",
		"uniformBucketLevelAccess":             true,
		"publicAccessPrevention":               "enforced",
		"versioning.enabled":                   true,
		"forceDestroy":                         false,
		"lifecycleRules.0.action.type":         "Delete",
		"lifecycleRules.0.condition.noAge":     true,
		"lifecycleRules.0.condition.withState": "ARCHIVED",
		"lifecycleRules.0.condition.daysSinceNoncurrentTime": float64(30),
	}
	for path, want := range checks {
		if got := b.Plain(path); !reflect.DeepEqual(got, want) {
			t.Errorf("bucket %s = %#v, want %#v", path, got, want)
		}
	}
	if !b.Protect {
		t.Error("bucket is not protected")
	}
	if len(m.ByType(gcsBucketType)) != 1 {
		t.Errorf("want one bucket, got %d", len(m.ByType(gcsBucketType)))
	}
}

func TestGCSBindings(t *testing.T) {
	args := gcpArgs()
	args.WriterMembers = append(args.WriterMembers, pulumi.String("principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/attribute.repository/cecg/developer-portal"))
	m := mustDeploy(t, args)

	var got []string
	for _, r := range m.ByType(gcsMemberType) {
		if r.Parent != componentURN() {
			t.Errorf("%s parent = %s, want the component", r.Name, r.Parent)
		}
		if r.String("bucket") != "cecg-dev-techdocs" {
			t.Errorf("%s bucket = %q", r.Name, r.String("bucket"))
		}
		if r.Protect {
			t.Errorf("%s is protected: a grant must stay changeable", r.Name)
		}
		got = append(got, r.String("role")+" "+r.String("member"))
	}
	sort.Strings(got)
	want := []string{
		"roles/storage.legacyBucketReader " + ciMember,
		"roles/storage.legacyBucketReader " + portalMember,
		"roles/storage.legacyBucketReader principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/attribute.repository/cecg/developer-portal",
		"roles/storage.objectAdmin " + ciMember,
		"roles/storage.objectAdmin principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/attribute.repository/cecg/developer-portal",
		"roles/storage.objectViewer " + portalMember,
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bindings:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	for _, r := range m.ByType(gcsMemberType) {
		member, role := r.String("member"), r.String("role")
		if member == "allUsers" || member == "allAuthenticatedUsers" || strings.Contains(member, "*") {
			t.Errorf("public member %q", member)
		}
		if role == "roles/storage.admin" || strings.Contains(role, "owner") || strings.Contains(role, "Owner") {
			t.Errorf("administrative role %q", role)
		}
		if member == portalMember && role == RoleObjectAdmin {
			t.Error("the portal can write")
		}
	}
	// Nothing else is granted and no other resource type appears.
	for _, r := range m.Resources() {
		switch r.Type {
		case Type, gcsBucketType, gcsMemberType, "pulumi:providers:gcp":
		default:
			t.Errorf("unexpected %s %q", r.Type, r.Name)
		}
	}
}

// A principal that only becomes known at deploy time is checked then: the deployment fails
// rather than open the bucket.
func TestGCSPublicMemberFromOutputFails(t *testing.T) {
	for _, member := range []string{"allUsers", "allAuthenticatedUsers", "domain:cecg.io"} {
		t.Run(member, func(t *testing.T) {
			args := gcpArgs()
			args.ReaderMembers = []pulumi.StringInput{pulumi.String(member).ToStringOutput()}
			m, err := deploy(args)
			if err == nil || !strings.Contains(err.Error(), member) {
				t.Fatalf("err = %v, want a refusal naming %q", err, member)
			}
			for _, r := range m.ByType(gcsMemberType) {
				if r.String("member") == member {
					t.Errorf("%q reached the provider", member)
				}
			}
		})
	}
}

func TestGCSProtectOptOut(t *testing.T) {
	args := gcpArgs()
	off := false
	args.Protect = &off
	args.ForceDestroy = true
	args.Location = "EU"
	args.NoncurrentVersionDays = 7
	m := mustDeploy(t, args)
	b := m.Only(t, gcsBucketType)
	if b.Protect {
		t.Error("bucket protected despite protect: false")
	}
	if b.Plain("forceDestroy") != true || b.String("location") != "EU" {
		t.Errorf("forceDestroy = %v, location = %q", b.Plain("forceDestroy"), b.String("location"))
	}
	if got := b.Plain("lifecycleRules.0.condition.daysSinceNoncurrentTime"); got != float64(7) {
		t.Errorf("daysSinceNoncurrentTime = %v", got)
	}
	if _, ok := b.Input("project"); ok && b.String("project") == "" {
		t.Error("empty project sent")
	}
}

func TestGCSOutputs(t *testing.T) {
	_, out := testkit.Capture(t, func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		c, err := NewTechDocsPublisher(ctx, "techdocs", gcpArgs())
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"name": c.BucketName, "url": c.BucketURL, "type": c.PublisherType}, nil
	}, nil)
	want := map[string]string{"name": "cecg-dev-techdocs", "url": "gs://cecg-dev-techdocs", "type": "googleGcs"}
	for k, v := range want {
		if out[k].Value != v || out[k].Secret {
			t.Errorf("output %s = %#v, want %q (not secret)", k, out[k], v)
		}
	}
}
