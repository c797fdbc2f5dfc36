package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/tests/e2e"
)

func result(tenants, perShard, shards int, incomplete bool, up float64) e2e.ScaleResult {
	return e2e.ScaleResult{
		Tenants: tenants, TenantsPerShard: perShard, Shards: shards, Parallel: 2, Resources: 6 * tenants,
		Incomplete: incomplete, StateBytes: 1e6, LoadAvg: "1.00 1.00 1.00",
		Ops: []e2e.OpResult{{Op: "up", Seconds: up, Steps: 6 * tenants, PerSecond: 6 * float64(tenants) / up,
			PeakRSS: map[string]int64{"cli": 2e8}, CPU: map[string]float64{"cli": up / 2}}},
	}
}

// withSideBySide adds a kubectl apply, a merged tenancy and a live catalog to r.
func withSideBySide(r e2e.ScaleResult) e2e.ScaleResult {
	r.Ops = append(r.Ops, e2e.OpResult{Op: "kubectl", Seconds: 120, Steps: 6000}, e2e.OpResult{Op: "merged", Seconds: 48, Steps: 8})
	r.CatalogBytes, r.CatalogParts, r.CatalogLargest = 900000, 41, 30000
	return r
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "results.jsonl")
	var lines []string
	for _, r := range []e2e.ScaleResult{
		result(1000, 25, 40, false, 999), // replaced by the next line: same size and shape
		withSideBySide(result(1000, 25, 40, false, 300)),
		result(1000, 0, 1, true, 600),
		result(100, 0, 1, false, 90),
	} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	writeTestFile(t, in, strings.Join(lines, "\n")+"\n")
	results, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("want 3 results (the last of each size and shape), got %d", len(results))
	}
	doc := filepath.Join(dir, "scale.md")
	writeTestFile(t, doc, "# Scale\n\nbefore\n"+beginMarker+"\nold table\n"+endMarker+"\nafter\n")
	if err := writeDoc(doc, tables(results)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"before\n" + beginMarker + "\n",
		"| one stack | 100 | 600 | 90 (6.7) |",
		"| one stack | 1000 | 6000 created | > 600 (stopped) (10.0) |",
		"| sharded, 25 tenants a stack: 40 stacks, 2 at a time | 1000 | 6000 | 300 (20.0) |",
		"| sharded, 25 tenants a stack: 40 stacks, 2 at a time | 1000 | 120 (6000) | 2.50 | 48 | 900000 / 41 / 30000 |",
		endMarker + "\nafter\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the document lacks %q:\n%s", want, got)
		}
	}
	for _, gone := range []string{"old table", "999"} {
		if strings.Contains(got, gone) {
			t.Errorf("the document still holds %q", gone)
		}
	}
	if strings.Index(got, "| one stack | 100 |") > strings.Index(got, "| sharded") {
		t.Errorf("one stack's rows must come before the sharded ones")
	}

	chart := filepath.Join(dir, "scale.png")
	if err := writeChart(chart, results); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("chart is %v, want %dx%d", b, width, height)
	}
}

func TestReportNeedsMarkers(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "scale.md")
	writeTestFile(t, doc, "# Scale\n")
	if err := writeDoc(doc, "table"); err == nil || !strings.Contains(err.Error(), "lacks the markers") {
		t.Fatalf("want an error about the markers, got %v", err)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
