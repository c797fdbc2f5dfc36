package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestHelpListsOnlyPlanFlags: the SDKs register glog's flags on the global set; -h must not
// list them.
func TestHelpListsOnlyPlanFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-stack", "-stack-file", "-root", "-out"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %s:\n%s", want, out.String())
		}
	}
	for _, unwanted := range []string{"logtostderr", "vmodule", "alsologtostderr"} {
		if strings.Contains(out.String(), unwanted) {
			t.Errorf("usage lists %s:\n%s", unwanted, out.String())
		}
	}
	if err := run([]string{"-stack", "dev", "-stack-file", "x"}, &out); err == nil {
		t.Error("both -stack and -stack-file accepted")
	}
}
