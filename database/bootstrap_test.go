package database

import (
	"strings"
	"testing"
)

func TestBootstrapSQL(t *testing.T) {
	cases := []struct {
		name, got string
		want      []string
	}{
		{"cloud sql", CloudSQLBootstrapSQL("backstage", CloudSQLIAMUser("portal@p-1.iam.gserviceaccount.com")),
			[]string{`GRANT ALL PRIVILEGES ON DATABASE "backstage" TO "portal@p-1.iam";`}},
		{"quoting", QuoteIdent(`a"b`), []string{`"a""b"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				if !strings.Contains(tc.got, w) {
					t.Errorf("missing %q in:\n%s", w, tc.got)
				}
			}
		})
	}
}

func TestCloudSQLInstanceCondition(t *testing.T) {
	got := CloudSQLInstanceCondition("tenant-a-prod", "portal-db-instance-1a2b3c4")
	want := `resource.type == "sqladmin.googleapis.com/Instance" && resource.name == "projects/tenant-a-prod/instances/portal-db-instance-1a2b3c4"`
	if got != want {
		t.Errorf("condition = %s\nwant        %s", got, want)
	}
}

func TestJoinPEM(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"one", []string{"A\n"}, "A\n"},
		{"rotation keeps both", []string{"A\n", " ", "B"}, "A\nB\n"},
	}
	for _, tc := range cases {
		if got := JoinPEM(tc.in); got != tc.want {
			t.Errorf("%s: JoinPEM = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSettings(t *testing.T) {
	cases := []struct {
		name string
		got  []Setting
		want map[string]string
	}{
		{"cloud sql flags", CloudSQLFlags(), map[string]string{
			"cloudsql.iam_authentication": "on", "log_checkpoints": "on", "log_connections": "on",
			"log_disconnections": "on", "log_lock_waits": "on", "log_min_messages": "warning",
			"log_temp_files": "0", "log_min_duration_statement": "-1",
		}},
		{"rds parameters", RDSParameters(), map[string]string{
			"rds.force_ssl": "1", "log_statement": "ddl", "log_min_duration_statement": "1000",
			"log_connections": "1", "log_disconnections": "1",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			for _, s := range tc.got {
				if _, dup := got[s.Name]; dup {
					t.Errorf("%s set twice", s.Name)
				}
				got[s.Name] = s.Value
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
