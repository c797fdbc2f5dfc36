package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// step is the part of a `pulumi preview --json` step the guard reads.
type step struct {
	Op       string `json:"op"`
	URN      string `json:"urn"`
	OldState *state `json:"oldState"`
	NewState *state `json:"newState"`
}

type state struct {
	Type           string `json:"type"`
	RetainOnDelete bool   `json:"retainOnDelete"`
}

const namespaceType = "kubernetes:core/v1:Namespace"

// guarded reports whether a resource type holds data a replacement or deletion would lose:
// the database (every Cloud SQL and RDS resource), buckets and namespaces.
func guarded(typ string) bool {
	switch {
	case strings.HasPrefix(typ, "gcp:sql/"), strings.HasPrefix(typ, "aws:rds/"):
		return true
	case typ == "gcp:storage/bucket:Bucket", strings.HasPrefix(typ, "aws:s3/bucket:"), strings.HasPrefix(typ, "aws:s3/bucketV2:"):
		return true
	case typ == namespaceType:
		return true
	}
	return false
}

// Check reads a preview and returns one line per step that would lose data.
func Check(r io.Reader) ([]string, error) {
	var preview struct {
		Steps *[]step `json:"steps"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&preview); err != nil {
		return nil, fmt.Errorf("reading the preview: %w", err)
	}
	// A preview that failed prints no steps: refusing is the only safe answer.
	if preview.Steps == nil {
		return nil, fmt.Errorf("the preview has no steps: did pulumi preview --json fail?")
	}
	var findings []string
	for _, s := range *preview.Steps {
		typ := s.resourceType()
		if !guarded(typ) {
			continue
		}
		switch s.Op {
		case "replace", "create-replacement", "delete-replaced", "import-replacement":
			findings = append(findings, fmt.Sprintf("%s would be replaced (%s): %s", typ, s.Op, s.URN))
		case "delete":
			// Offboarding a tenancy deletes its namespace from the stack; retainOnDelete (the
			// default) keeps it in the cluster, so that is no loss. The database and buckets
			// are never let go, retained or not: the stack would lose track of the data.
			if typ == namespaceType && s.OldState != nil && s.OldState.RetainOnDelete {
				continue
			}
			findings = append(findings, fmt.Sprintf("%s would be deleted: %s", typ, s.URN))
		}
	}
	return findings, nil
}

// resourceType is the step's type from its state, or else from its URN
// (urn:pulumi:<stack>::<project>::<parent types $ separated>$<type>::<name>).
func (s step) resourceType() string {
	for _, st := range []*state{s.OldState, s.NewState} {
		if st != nil && st.Type != "" {
			return st.Type
		}
	}
	parts := strings.Split(s.URN, "::")
	if len(parts) < 4 {
		return ""
	}
	types := parts[2]
	return types[strings.LastIndex(types, "$")+1:]
}
