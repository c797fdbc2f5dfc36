package techdocs

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	s3BucketType     = "aws:s3/bucketV2:BucketV2"
	s3BlockType      = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	s3OwnershipType  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	s3VersioningType = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	s3SSEType        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	s3LifecycleType  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	s3PolicyType     = "aws:s3/bucketPolicy:BucketPolicy"
)

func TestS3BucketSettings(t *testing.T) {
	m := mustDeploy(t, awsArgs())
	b := m.Only(t, s3BucketType)
	if b.String("bucket") != "cecg-dev-techdocs" || b.Plain("forceDestroy") != false {
		t.Errorf("bucket = %q, forceDestroy = %v", b.String("bucket"), b.Plain("forceDestroy"))
	}
	for _, path := range []string{"acl", "policy", "grants", "websites"} {
		if _, ok := b.Input(path); ok {
			t.Errorf("bucket sets %s inline; access must come from the policy alone", path)
		}
	}
	bucketID := "techdocs-bucket-id"
	for typ, want := range map[string]map[string]any{
		s3BlockType: {
			"blockPublicAcls": true, "blockPublicPolicy": true,
			"ignorePublicAcls": true, "restrictPublicBuckets": true,
		},
		s3OwnershipType:  {"rule.objectOwnership": "BucketOwnerEnforced"},
		s3VersioningType: {"versioningConfiguration.status": "Enabled"},
		s3SSEType:        {"rules.0.applyServerSideEncryptionByDefault.sseAlgorithm": "AES256"},
		s3LifecycleType: {
			"rules.0.status": "Enabled",
			"rules.0.noncurrentVersionExpiration.noncurrentDays":         float64(30),
			"rules.0.abortIncompleteMultipartUpload.daysAfterInitiation": float64(7),
		},
	} {
		r := m.Only(t, typ)
		if r.String("bucket") != bucketID {
			t.Errorf("%s bucket = %q, want %q", typ, r.String("bucket"), bucketID)
		}
		if r.Parent != componentURN() {
			t.Errorf("%s parent = %s", typ, r.Parent)
		}
		for path, v := range want {
			if got := r.Plain(path); !reflect.DeepEqual(got, v) {
				t.Errorf("%s %s = %#v, want %#v", typ, path, got, v)
			}
		}
	}
	testkit.AssertProtected(t, m, s3BucketType, s3BlockType, s3OwnershipType, s3VersioningType, s3SSEType)
}

func TestS3Policy(t *testing.T) {
	args := awsArgs()
	args.ReaderRoleArns = append(args.ReaderRoleArns, pulumi.String("arn:aws:iam::222222222222:role/portal-dr"))
	m := mustDeploy(t, args)
	p := m.Only(t, s3PolicyType)
	if p.String("bucket") != "techdocs-bucket-id" {
		t.Errorf("policy bucket = %q", p.String("bucket"))
	}
	var doc PolicyDocument
	if err := json.Unmarshal([]byte(p.String("policy")), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, p.String("policy"))
	}
	arn := "arn:aws:s3:::cecg-dev-techdocs"
	grants := map[string][]string{} // principal -> "action resource"
	denyTLS := false
	for _, s := range doc.Statement {
		switch s.Effect {
		case "Allow":
			pr, ok := s.Principal.(map[string]any)
			if !ok {
				t.Fatalf("statement %s: principal %#v is not {AWS: [...]}", s.Sid, s.Principal)
			}
			for _, who := range pr["AWS"].([]any) {
				if who == "*" || strings.Contains(who.(string), "*") {
					t.Errorf("statement %s allows %q", s.Sid, who)
				}
				for _, a := range s.Action {
					for _, res := range s.Resource {
						grants[who.(string)] = append(grants[who.(string)], a+" "+res)
					}
				}
			}
			if len(s.Condition) > 0 {
				t.Errorf("allow statement %s has a condition", s.Sid)
			}
		case "Deny":
			cond := s.Condition["Bool"]["aws:SecureTransport"]
			if s.Principal == "*" && cond == "false" && reflect.DeepEqual(s.Action, []string{"s3:*"}) &&
				reflect.DeepEqual(s.Resource, []string{arn, arn + "/*"}) {
				denyTLS = true
			}
		default:
			t.Errorf("statement %s effect %q", s.Sid, s.Effect)
		}
	}
	if !denyTLS {
		t.Error("no statement denies requests without TLS")
	}
	reader := []string{"s3:GetObject " + arn + "/*", "s3:ListBucket " + arn}
	writer := []string{"s3:DeleteObject " + arn + "/*", "s3:ListBucket " + arn, "s3:PutObject " + arn + "/*"}
	want := map[string][]string{portalRole: reader, "arn:aws:iam::222222222222:role/portal-dr": reader, ciRole: writer}
	for k := range grants {
		sort.Strings(grants[k])
	}
	if !reflect.DeepEqual(grants, want) {
		t.Errorf("grants:\n got %v\nwant %v", grants, want)
	}
	// The policy waits for the public access block and the ownership controls.
	deps := map[string]bool{}
	for _, d := range p.DependsOn {
		deps[d] = true
	}
	for _, typ := range []string{s3BlockType, s3OwnershipType} {
		if !deps[m.Only(t, typ).URN] {
			t.Errorf("policy does not depend on %s", typ)
		}
	}
}

func TestS3WildcardRoleFromOutputFails(t *testing.T) {
	args := awsArgs()
	args.WriterRoleArns = []pulumi.StringInput{pulumi.String("*").ToStringOutput()}
	m, err := deploy(args)
	if err == nil || !strings.Contains(err.Error(), "wildcard") {
		t.Fatalf("err = %v, want a wildcard refusal", err)
	}
	for _, p := range m.ByType(s3PolicyType) {
		if strings.Contains(p.String("policy"), `"AWS":["*"]`) {
			t.Error("a wildcard principal reached the provider")
		}
	}
}

func TestS3ProtectOptOut(t *testing.T) {
	args := awsArgs()
	off := false
	args.Protect = &off
	args.ForceDestroy = true
	m := mustDeploy(t, args)
	for _, r := range m.Resources() {
		if r.Protect {
			t.Errorf("%s %q protected despite protect: false", r.Type, r.Name)
		}
	}
	if m.Only(t, s3BucketType).Plain("forceDestroy") != true {
		t.Error("forceDestroy not passed")
	}
}

func TestS3Outputs(t *testing.T) {
	m := newMocks()
	out := map[string]testkit.Awaited{}
	err := testkit.Run(func(ctx *pulumi.Context) error {
		c, err := NewTechDocsPublisher(ctx, "techdocs", awsArgs())
		if err != nil {
			return err
		}
		for k, o := range map[string]pulumi.Output{"name": c.BucketName, "url": c.BucketURL, "type": c.PublisherType} {
			if out[k], err = testkit.Await(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "cecg-dev-techdocs", "url": "s3://cecg-dev-techdocs", "type": "awsS3"}
	for k, v := range want {
		if out[k].Value != v {
			t.Errorf("output %s = %#v, want %q", k, out[k].Value, v)
		}
	}
}

func TestBucketPolicyRefusesBadPrincipals(t *testing.T) {
	arn := "arn:aws:s3:::docs"
	for name, c := range map[string]struct{ readers, writers []string }{
		"wildcard reader":  {[]string{"*"}, []string{ciRole}},
		"account root":     {[]string{"arn:aws:iam::111111111111:root"}, []string{ciRole}},
		"wildcard in role": {[]string{portalRole}, []string{"arn:aws:iam::111111111111:role/*"}},
		"no writer":        {[]string{portalRole}, nil},
	} {
		if _, err := BucketPolicy(arn, c.readers, c.writers); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := BucketPolicy(arn, []string{portalRole}, []string{ciRole}); err != nil {
		t.Errorf("valid policy refused: %v", err)
	}
}
