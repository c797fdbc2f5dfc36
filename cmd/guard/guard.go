package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/stateful"
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

// resourcePlan is the part of a saved plan's (`pulumi preview --save-plan`, apitype
// DeploymentPlanV1) resource plan the guard reads: the operations `pulumi up --plan` is
// constrained to, and the goal's type (absent for a deletion).
type resourcePlan struct {
	Goal *struct {
		Type string `json:"type"`
	} `json:"goal"`
	Steps []string `json:"steps"`
}

const namespaceType = "kubernetes:core/v1:Namespace"

// replacing are the operations that create a new resource in place of the old one.
var replacing = map[string]bool{
	"replace": true, "create-replacement": true, "delete-replaced": true,
	"import-replacement": true, "read-replacement": true, "discard-replaced": true,
}

// Finding is one change that would lose data.
type Finding struct {
	URN, Type, Op string
}

func (f Finding) String() string {
	verb := "replaced (" + f.Op + ")"
	if f.Op == "delete" {
		verb = "deleted"
	}
	return fmt.Sprintf("%s would be %s: %s (loses %s)", f.Type, verb, f.URN, stateful.Types[f.Type])
}

// Check reads a preview (`pulumi preview --json`) and returns every step that would lose data.
func Check(r io.Reader) ([]Finding, error) {
	steps, err := readPreview(r)
	if err != nil {
		return nil, err
	}
	var findings []Finding
	for _, s := range steps {
		if f, ok := s.finding(); ok {
			findings = append(findings, f)
		}
	}
	return findings, nil
}

// CheckPlan reads the plan `pulumi up --plan` will execute and the JSON preview that wrote it
// (`pulumi preview --save-plan plan.json --json > preview.json`, one run). The operations come
// from the plan: `up --plan` fails rather than do anything else. The preview only tells which
// deleted namespaces are retained (a plan records no old state); a deletion the preview does
// not show as retained is a finding.
func CheckPlan(plan, preview io.Reader) ([]Finding, error) {
	var doc struct {
		ResourcePlans *map[string]resourcePlan `json:"resourcePlans"`
		Manifest      *json.RawMessage         `json:"manifest"`
	}
	if err := json.NewDecoder(plan).Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	if doc.Manifest == nil {
		return nil, fmt.Errorf("the plan has no manifest: is it a file written by pulumi preview --save-plan?")
	}
	steps, err := readPreview(preview)
	if err != nil {
		return nil, err
	}
	retained := map[string]bool{}
	for _, s := range steps {
		if s.Op == "delete" && s.OldState != nil && s.OldState.RetainOnDelete {
			retained[s.URN] = true
		}
	}
	var plans map[string]resourcePlan
	if doc.ResourcePlans != nil {
		plans = *doc.ResourcePlans
	}
	urns := make([]string, 0, len(plans))
	for urn := range plans {
		urns = append(urns, urn)
	}
	sort.Strings(urns)
	var findings []Finding
	for _, urn := range urns {
		rp := plans[urn]
		typ := typeFromURN(urn)
		if rp.Goal != nil && rp.Goal.Type != "" {
			typ = rp.Goal.Type
		}
		for _, op := range rp.Steps {
			s := step{Op: op, URN: urn, OldState: &state{Type: typ, RetainOnDelete: retained[urn]}}
			if f, ok := s.finding(); ok {
				findings = append(findings, f)
				break
			}
		}
	}
	return findings, nil
}

func readPreview(r io.Reader) ([]step, error) {
	var preview struct {
		Steps *[]step `json:"steps"`
	}
	if err := json.NewDecoder(r).Decode(&preview); err != nil {
		return nil, fmt.Errorf("reading the preview: %w", err)
	}
	// A preview that failed prints no steps: refusing is the only safe answer.
	if preview.Steps == nil {
		return nil, fmt.Errorf("the preview has no steps: did pulumi preview --json fail?")
	}
	return *preview.Steps, nil
}

// finding reports whether the step loses data.
func (s step) finding() (Finding, bool) {
	typ := s.resourceType()
	if !stateful.Is(typ) {
		return Finding{}, false
	}
	switch {
	case replacing[s.Op]:
		return Finding{s.URN, typ, s.Op}, true
	case s.Op == "delete":
		// Offboarding a tenancy deletes its namespace from the stack; retainOnDelete (the
		// default) keeps it in the cluster, so that is no loss. Everything else stateful is
		// never let go, retained or not: the stack would lose track of the data.
		if typ == namespaceType && s.OldState != nil && s.OldState.RetainOnDelete {
			return Finding{}, false
		}
		return Finding{s.URN, typ, s.Op}, true
	}
	return Finding{}, false
}

// resourceType is the step's type from its state, or else from its URN.
func (s step) resourceType() string {
	for _, st := range []*state{s.OldState, s.NewState} {
		if st != nil && st.Type != "" {
			return st.Type
		}
	}
	return typeFromURN(s.URN)
}

// typeFromURN reads urn:pulumi:<stack>::<project>::<parent types $ separated>$<type>::<name>.
func typeFromURN(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	types := parts[2]
	return types[strings.LastIndex(types, "$")+1:]
}
