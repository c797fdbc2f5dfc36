package techdocs

import (
	"encoding/json"
	"errors"
)

// S3 actions granted by the bucket policy. Readers list (the TechDocs backend's HeadBucket
// readiness check and a clean 404 for a missing page) and get; writers list (readiness, and
// finding stale files), put and delete. With versioning on, a delete only adds a delete
// marker: nobody here can remove history (no s3:DeleteObjectVersion).
var (
	ReaderObjectActions = []string{"s3:GetObject"}
	WriterObjectActions = []string{"s3:PutObject", "s3:DeleteObject"}
	BucketActions       = []string{"s3:ListBucket"}
)

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a resource policy. Principal is either "*" (only ever
// in a Deny) or {"AWS": [role ARNs]}.
type PolicyStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// AWSPrincipals is the Principal of an Allow statement.
type AWSPrincipals struct {
	AWS []string `json:"AWS"`
}

// BucketPolicy renders the documentation bucket's policy: reader roles list and get, writer
// roles list, put and delete, and every request without TLS is denied. Roles from another
// account also need an identity policy there; roles in the bucket's account need nothing else.
func BucketPolicy(bucketArn string, readers, writers []string) (string, error) {
	if bucketArn == "" {
		return "", errors.New("bucket ARN is required")
	}
	if len(readers) == 0 || len(writers) == 0 {
		return "", errors.New("at least one reader and one writer role are required")
	}
	for _, arn := range append(append([]string{}, readers...), writers...) {
		if msg := roleArnProblem(arn); msg != "" {
			return "", errors.New(msg)
		}
	}
	objects := bucketArn + "/*"
	doc := PolicyDocument{
		Version: "2012-10-17",
		Statement: []PolicyStatement{
			{Sid: "PortalList", Effect: "Allow", Principal: AWSPrincipals{AWS: readers}, Action: BucketActions, Resource: []string{bucketArn}},
			{Sid: "PortalRead", Effect: "Allow", Principal: AWSPrincipals{AWS: readers}, Action: ReaderObjectActions, Resource: []string{objects}},
			{Sid: "PublisherList", Effect: "Allow", Principal: AWSPrincipals{AWS: writers}, Action: BucketActions, Resource: []string{bucketArn}},
			{Sid: "PublisherWrite", Effect: "Allow", Principal: AWSPrincipals{AWS: writers}, Action: WriterObjectActions, Resource: []string{objects}},
			{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: []string{"s3:*"},
				Resource:  []string{bucketArn, objects},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
			},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
