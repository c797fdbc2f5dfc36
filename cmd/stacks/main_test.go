package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharded writes a project with dev (one stack) and prod in two shards.
func sharded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join("..", "..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := func(env, shard string) string {
		return "config:\n  developer-portal:environment: " + env + "\n  developer-portal:tenants:\n    shard:\n      count: 2\n" + shard
	}
	for name, content := range map[string]string{
		"Pulumi.yaml":                string(project),
		"Pulumi.dev.yaml":            "config:\n  developer-portal:environment: dev\n",
		"Pulumi.prod.yaml":           file("prod", ""),
		"Pulumi.prod-tenants-1.yaml": file("prod", "      index: 1\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	dir := sharded(t)
	for _, tc := range []struct {
		name    string
		args    []string
		want    string // exact output
		wantErr string
	}{
		{name: "github output", args: []string{"-github-output"}, want: `dev-shards=[]
prod-shards=[{"stack":"prod-tenants-1","environment":"prod","shard":1}]
stacks=[{"stack":"dev","environment":"dev","shard":0},{"stack":"prod-tenants-1","environment":"prod","shard":1},{"stack":"prod","environment":"prod","shard":0}]
`},
		{name: "list", args: []string{"-list"}, want: "dev\nprod-tenants-1\nprod\n"},
		{name: "a shard of its environment", args: []string{"-stack", "prod-tenants-1", "-environment", "prod"}},
		{name: "a shard of another environment", args: []string{"-stack", "prod-tenants-1", "-environment", "dev"}, wantErr: `stack "prod-tenants-1" is not one of environment "dev"'s stacks`},
		{name: "an unknown environment", args: []string{"-stack", "prod", "-environment", "staging"}, wantErr: `no environment "staging"`},
		{name: "stack without environment", args: []string{"-stack", "prod"}, wantErr: "give both -stack and -environment"},
		{name: "stray argument", args: []string{"prod"}, wantErr: "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, usage bytes.Buffer
			err := run(append([]string{"-root", dir}, tc.args...), &out, &usage)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("output\n%s\nwant\n%s", out.String(), tc.want)
			}
		})
	}

	// The default output is the JSON of every environment, shards in order, portal apart.
	var out bytes.Buffer
	if err := run([]string{"-root", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var m Matrix
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Environments) != 2 || m.Environments[1].Portal.Stack != "prod" || len(m.Environments[1].Shards) != 1 || len(m.Stacks) != 3 {
		t.Errorf("matrix %+v", m)
	}

	// A bad stack file fails every form, naming the file.
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.prod-tenants-2.yaml"), []byte("config: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-root", dir, "-github-output"}, &out, &out); err == nil || !strings.Contains(err.Error(), "Pulumi.prod-tenants-2.yaml: shard 2 is out of range") {
		t.Errorf("error %v, want the out-of-range shard named", err)
	}
}
