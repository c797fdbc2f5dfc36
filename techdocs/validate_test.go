package techdocs

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestBadInput(t *testing.T) {
	cases := []struct {
		name   string
		args   func() *Args
		path   string
		reason string
	}{
		{"no cloud", func() *Args { a := gcpArgs(); a.Cloud = ""; return a }, "cloud", "required"},
		{"unknown cloud", func() *Args { a := gcpArgs(); a.Cloud = "azure"; return a }, "cloud", "not supported"},
		{"no bucket name", func() *Args { a := gcpArgs(); a.BucketName = ""; return a }, "bucketName", "required"},
		{"upper-case gcs name", func() *Args { a := gcpArgs(); a.BucketName = "CECG-Docs"; return a }, "bucketName", "lower-case"},
		{"gcs name with google", func() *Args { a := gcpArgs(); a.BucketName = "my-google-docs"; return a }, "bucketName", "google"},
		{"gcs name too long", func() *Args { a := gcpArgs(); a.BucketName = strings.Repeat("a", 64); return a }, "bucketName", "63"},
		{"gcs name is an IP", func() *Args { a := gcpArgs(); a.BucketName = "10.1.2.3"; return a }, "bucketName", "IP"},
		{"s3 name with dots", func() *Args { a := awsArgs(); a.BucketName = "docs.cecg.io"; return a }, "bucketName", "dots"},
		{"s3 name with underscore", func() *Args { a := awsArgs(); a.BucketName = "cecg_docs"; return a }, "bucketName", "lower-case"},
		{"s3 reserved suffix", func() *Args { a := awsArgs(); a.BucketName = "cecg-docs-s3alias"; return a }, "bucketName", "reserves"},
		{"aws without region", func() *Args { a := awsArgs(); a.Region = ""; return a }, "region", "required"},
		{"aws bad region", func() *Args { a := awsArgs(); a.Region = "europe-west2"; return a }, "region", "not an AWS region"},
		{"aws with location", func() *Args { a := awsArgs(); a.Location = "EU"; return a }, "location", "gcp only"},
		{"gcp with region", func() *Args { a := gcpArgs(); a.Region = "eu-west-2"; return a }, "region", "aws only"},
		{"gcp bad project", func() *Args { a := gcpArgs(); a.Project = "Cecg"; return a }, "project", "project ID"},
		{"gcp bad location", func() *Args { a := gcpArgs(); a.Location = "europe west2"; return a }, "location", "GCS location"},
		{"no readers", func() *Args { a := gcpArgs(); a.ReaderMembers = nil; return a }, "readerMembers", "at least one"},
		{"no writers", func() *Args { a := awsArgs(); a.WriterRoleArns = nil; return a }, "writerRoleArns", "at least one"},
		{"nil reader", func() *Args { a := gcpArgs(); a.ReaderMembers = []pulumi.StringInput{nil}; return a }, "readerMembers[0]", "nil"},
		{"allUsers reader", func() *Args {
			a := gcpArgs()
			a.ReaderMembers = append(a.ReaderMembers, pulumi.String("allUsers"))
			return a
		}, "readerMembers[1]", "public"},
		{"allAuthenticatedUsers writer", func() *Args {
			a := gcpArgs()
			a.WriterMembers = []pulumi.StringInput{pulumi.String("allAuthenticatedUsers")}
			return a
		}, "writerMembers[0]", "public"},
		{"whole identity pool", func() *Args {
			a := gcpArgs()
			a.WriterMembers = []pulumi.StringInput{pulumi.String("principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/*")}
			return a
		}, "writerMembers[0]", "whole identity pool"},
		{"domain member", func() *Args {
			a := gcpArgs()
			a.ReaderMembers = []pulumi.StringInput{pulumi.String("domain:cecg.io")}
			return a
		}, "readerMembers[0]", "must be"},
		{"role ARNs on gcp", func() *Args {
			a := gcpArgs()
			a.ReaderRoleArns = []pulumi.StringInput{pulumi.String(portalRole)}
			return a
		}, "readerRoleArns", "aws only"},
		{"wildcard role", func() *Args {
			a := awsArgs()
			a.ReaderRoleArns = []pulumi.StringInput{pulumi.String("*")}
			return a
		}, "readerRoleArns[0]", "wildcard"},
		{"user ARN", func() *Args {
			a := awsArgs()
			a.WriterRoleArns = []pulumi.StringInput{pulumi.String("arn:aws:iam::111111111111:user/ci")}
			return a
		}, "writerRoleArns[0]", "role ARN"},
		{"members on aws", func() *Args {
			a := awsArgs()
			a.ReaderMembers = []pulumi.StringInput{pulumi.String(portalMember)}
			return a
		}, "readerMembers", "gcp only"},
		{"forceDestroy while protected", func() *Args { a := gcpArgs(); a.ForceDestroy = true; return a }, "forceDestroy", "protect: false"},
		{"forceDestroy with explicit protect", func() *Args {
			a := awsArgs()
			on := true
			a.Protect, a.ForceDestroy = &on, true
			return a
		}, "forceDestroy", "protect: false"},
		{"retention too long", func() *Args { a := gcpArgs(); a.NoncurrentVersionDays = 4000; return a }, "noncurrentVersionDays", "3650"},
		{"negative retention", func() *Args { a := awsArgs(); a.NoncurrentVersionDays = -1; return a }, "noncurrentVersionDays", "between"},
		{"bad owner", func() *Args { a := gcpArgs(); a.Owner = "platform team"; return a }, "owner", "entity reference"},
		{"bad repository", func() *Args { a := gcpArgs(); a.Repository = "developer-portal"; return a }, "repository", "<org>/<repo>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := deploy(c.args())
			if err == nil {
				t.Fatal("accepted")
			}
			if !hasProblem(err, c.path, c.reason) {
				t.Errorf("error does not name %s (%s):\n%v", c.path, c.reason, err)
			}
			// Only the test's own provider may be registered: the component refused before
			// registering anything.
			for _, r := range m.Resources() {
				if !strings.HasPrefix(r.Type, "pulumi:providers:") {
					t.Errorf("registered %s %q", r.Type, r.Name)
				}
			}
			// The principals' presence is wiring, checked by the constructor only.
			if _, cerr := Contribution(c.args()); cerr == nil && c.reason != "at least one" {
				t.Error("Contribution accepted the same args")
			}
		})
	}
}

func hasProblem(err error, path, reason string) bool {
	var verrs *validate.Errors
	if !errors.As(err, &verrs) {
		return false
	}
	for _, p := range verrs.Problems {
		if p.Path == path && strings.Contains(p.Message, reason) {
			return true
		}
	}
	return false
}

func TestEveryProblemAtOnce(t *testing.T) {
	a := &Args{Cloud: cloud.AWS, BucketName: "Bad.Name", NoncurrentVersionDays: -3, Owner: "x y"}
	_, err := deploy(a)
	for _, path := range []string{"bucketName", "region", "readerRoleArns", "writerRoleArns", "noncurrentVersionDays", "owner"} {
		if err == nil || !strings.Contains(err.Error(), path+":") {
			t.Errorf("missing %s in:\n%v", path, err)
		}
	}
}

func TestNilArgs(t *testing.T) {
	m := testkit.NewMocks()
	err := testkit.Run(func(ctx *pulumi.Context) error {
		_, err := NewTechDocsPublisher(ctx, "techdocs", nil)
		return err
	}, m, nil)
	if err == nil || !strings.Contains(err.Error(), "args are required") || len(m.Resources()) != 0 {
		t.Errorf("err = %v, %d resources", err, len(m.Resources()))
	}
	if _, err := Contribution(nil); err == nil {
		t.Error("Contribution(nil) accepted")
	}
	var a *Args
	if a.Validate() == nil {
		t.Error("nil Validate accepted")
	}
}

func TestDefaultsDoNotMutate(t *testing.T) {
	a := gcpArgs()
	before := *a
	d := a.WithDefaults()
	if !reflect.DeepEqual(*a, before) {
		t.Error("WithDefaults changed the caller's args")
	}
	if d.Location != DefaultLocation || !*d.Protect || d.NoncurrentVersionDays != 30 || d.Owner != DefaultOwner {
		t.Errorf("defaults = %+v", d)
	}
	if _, err := deploy(a); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*a, before) {
		t.Error("the constructor changed the caller's args")
	}
	if awsArgs().WithDefaults().Location != "" {
		t.Error("aws got a GCS location")
	}
}

func TestValidBucketNames(t *testing.T) {
	for _, n := range []string{"cecg-dev-techdocs", "abc", "docs.cecg.io", "a_b-c"} {
		if msg := gcsBucketNameProblem(n); msg != "" {
			t.Errorf("gcs %q: %s", n, msg)
		}
	}
	for _, n := range []string{"cecg-dev-techdocs", "abc", strings.Repeat("a", 63)} {
		if msg := s3BucketNameProblem(n); msg != "" {
			t.Errorf("s3 %q: %s", n, msg)
		}
	}
}
