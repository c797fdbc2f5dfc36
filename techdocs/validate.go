package techdocs

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

var (
	gcsName      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*[a-z0-9]$`)
	s3Name       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	gcsLocation  = regexp.MustCompile(`^[A-Za-z]+[A-Za-z0-9-]*[A-Za-z0-9]$`)
	s3Prefixes   = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	s3Suffixes   = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
	gcpPrefixes  = []string{"serviceAccount:", "group:", "user:", "principal://", "principalSet://"}
	publicMember = map[string]bool{"allUsers": true, "allAuthenticatedUsers": true, "*": true}
)

func (a *Args) validate() error {
	if a == nil {
		return errors.New("techdocs: args are required")
	}
	d := new(a.WithDefaults())
	var errs validate.Errors
	switch d.Cloud {
	case cloud.GCP:
		if msg := gcsBucketNameProblem(d.BucketName); msg != "" {
			errs.Add("bucketName", "%s", msg)
		}
		if !gcsLocation.MatchString(d.Location) {
			errs.Add("location", "%q is not a GCS location (e.g. EUROPE-WEST2, EU)", d.Location)
		}
		if d.Project != "" && !validate.GCPProjectID(d.Project) {
			errs.Add("project", "%q is not a GCP project ID", d.Project)
		}
		if d.Region != "" {
			errs.Add("region", "applies to aws only; a GCS bucket takes location")
		}
		checkMembers(&errs, "readerMembers", d.ReaderMembers, gcpMemberProblem)
		checkMembers(&errs, "writerMembers", d.WriterMembers, gcpMemberProblem)
		if len(d.ReaderRoleArns) > 0 || len(d.WriterRoleArns) > 0 {
			errs.Add("readerRoleArns", "role ARNs apply to aws only; on gcp pass readerMembers and writerMembers")
		}
	case cloud.AWS:
		if msg := s3BucketNameProblem(d.BucketName); msg != "" {
			errs.Add("bucketName", "%s", msg)
		}
		if d.Region == "" {
			errs.Add("region", "is required on aws: the portal reads the bucket in this region")
		} else if !validate.AWSRegion(d.Region) {
			errs.Add("region", "%q is not an AWS region (e.g. eu-west-2)", d.Region)
		}
		if d.Location != "" {
			errs.Add("location", "applies to gcp only; an S3 bucket lives in region")
		}
		if d.Project != "" {
			errs.Add("project", "applies to gcp only")
		}
		checkMembers(&errs, "readerRoleArns", d.ReaderRoleArns, roleArnProblem)
		checkMembers(&errs, "writerRoleArns", d.WriterRoleArns, roleArnProblem)
		if len(d.ReaderMembers) > 0 || len(d.WriterMembers) > 0 {
			errs.Add("readerMembers", "IAM members apply to gcp only; on aws pass readerRoleArns and writerRoleArns")
		}
	case "":
		errs.Add("cloud", "is required: gcp or aws")
	default:
		errs.Add("cloud", "%q is not supported: gcp or aws", d.Cloud)
	}
	if d.ForceDestroy && d.protect() {
		errs.Add("forceDestroy", "requires protect: false (deleting the documentation bucket is a deliberate opt-out of both)")
	}
	if d.NoncurrentVersionDays < 1 || d.NoncurrentVersionDays > 3650 {
		errs.Add("noncurrentVersionDays", "must be between 1 and 3650, got %d", d.NoncurrentVersionDays)
	}
	if !validate.EntityRef(d.Owner) {
		errs.Add("owner", "%q is not an entity reference (e.g. group:default/platform-team)", d.Owner)
	}
	if d.Repository != "" {
		org, repo, ok := strings.Cut(d.Repository, "/")
		if !ok || !validate.GitHubOwner(org) || !validate.GitHubRepoName(repo) {
			errs.Add("repository", "%q is not <org>/<repo>", d.Repository)
		}
	}
	return errs.Err()
}

// checkWiring requires the principals, which usually come from other resources (the portal's
// identity, the CI identity): at least one reader and one writer of the bucket's cloud.
func (a *Args) checkWiring() error {
	var errs validate.Errors
	if a == nil {
		return nil
	}
	readers, writers := "readerMembers", "writerMembers"
	r, w := a.ReaderMembers, a.WriterMembers
	if a.Cloud == cloud.AWS {
		readers, writers = "readerRoleArns", "writerRoleArns"
		r, w = a.ReaderRoleArns, a.WriterRoleArns
	}
	if a.Cloud == cloud.GCP || a.Cloud == cloud.AWS {
		if len(r) == 0 {
			errs.Add(readers, "at least one is required")
		}
		if len(w) == 0 {
			errs.Add(writers, "at least one is required")
		}
	}
	return errs.Err()
}

// checkMembers checks the principals given as plain strings now; values that come from other
// resources are checked when known (see checkedPrincipal).
func checkMembers(errs *validate.Errors, path string, members []pulumi.StringInput, problem func(string) string) {
	for i, m := range members {
		switch v := m.(type) {
		case nil:
			errs.Add(validate.Index(path, i), "is nil")
		case pulumi.String:
			if msg := problem(string(v)); msg != "" {
				errs.Add(validate.Index(path, i), "%s", msg)
			}
		}
	}
}

// gcsBucketNameProblem applies Cloud Storage's bucket naming rules.
func gcsBucketNameProblem(name string) string {
	switch {
	case name == "":
		return "is required"
	case !gcsName.MatchString(name):
		return fmt.Sprintf("%q: use lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit", name)
	case len(name) < 3:
		return fmt.Sprintf("%q is shorter than 3 characters", name)
	case !strings.Contains(name, ".") && len(name) > 63:
		return fmt.Sprintf("%q is longer than 63 characters", name)
	case len(name) > 222:
		return fmt.Sprintf("%q is longer than 222 characters", name)
	case strings.HasPrefix(name, "goog") || strings.Contains(name, "google") || strings.Contains(name, "g00gle"):
		return fmt.Sprintf("%q: names may not start with \"goog\" or contain \"google\"", name)
	case net.ParseIP(name) != nil:
		return fmt.Sprintf("%q looks like an IP address", name)
	}
	for _, part := range strings.Split(name, ".") {
		if part == "" || len(part) > 63 {
			return fmt.Sprintf("%q: each dot-separated part must be 1-63 characters", name)
		}
	}
	return ""
}

// s3BucketNameProblem applies S3's general-purpose bucket naming rules, and also refuses dots:
// a dotted name breaks TLS certificate matching for virtual-hosted requests, and the bucket
// policy denies every request that is not made over TLS.
func s3BucketNameProblem(name string) string {
	switch {
	case name == "":
		return "is required"
	case strings.Contains(name, "."):
		return fmt.Sprintf("%q: dots are not allowed (they break TLS to virtual-hosted S3 endpoints)", name)
	case !s3Name.MatchString(name):
		return fmt.Sprintf("%q: use 3-63 lower-case letters, digits and '-', starting and ending with a letter or digit", name)
	}
	for _, p := range s3Prefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("%q: S3 reserves the prefix %q", name, p)
		}
	}
	for _, s := range s3Suffixes {
		if strings.HasSuffix(name, s) {
			return fmt.Sprintf("%q: S3 reserves the suffix %q", name, s)
		}
	}
	return ""
}

// gcpMemberProblem accepts only principals that name an identity or a group: never a public
// or domain-wide principal, never a whole workload identity pool.
func gcpMemberProblem(m string) string {
	if publicMember[m] {
		return fmt.Sprintf("%q is public: the documentation bucket is private", m)
	}
	ok := false
	for _, p := range gcpPrefixes {
		if strings.HasPrefix(m, p) && len(m) > len(p) {
			ok = true
		}
	}
	if !ok {
		return fmt.Sprintf("%q must be serviceAccount:, group:, user:, principal:// or principalSet://", m)
	}
	if strings.HasPrefix(m, "principalSet://") && (strings.HasSuffix(m, "/*") || strings.Contains(m, "*")) {
		return fmt.Sprintf("%q grants a whole identity pool; name one repository or service account", m)
	}
	return ""
}

// roleArnProblem accepts one IAM role ARN; wildcards and account roots are refused.
func roleArnProblem(arn string) string {
	if publicMember[arn] || strings.Contains(arn, "*") {
		return fmt.Sprintf("%q is a wildcard: the documentation bucket is private", arn)
	}
	if !validate.IAMRoleARN(arn) {
		return fmt.Sprintf("%q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", arn)
	}
	return ""
}

// checkedPrincipal re-applies the principal rule once the value is known, so a principal that
// comes from another resource cannot open the bucket either: the deployment fails instead.
func checkedPrincipal(in pulumi.StringInput, problem func(string) string) pulumi.StringOutput {
	return in.ToStringOutput().ApplyT(func(v string) (string, error) {
		if msg := problem(v); msg != "" {
			return "", errors.New("techdocs: " + msg)
		}
		return v, nil
	}).(pulumi.StringOutput)
}
