package database

import (
	"encoding/json"
	"fmt"
	"strings"
)

// QuoteIdent quotes a PostgreSQL identifier (a role such as "sa@project.iam" needs quoting).
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// CloudSQLIAMUser is the database user Cloud SQL creates for a service account: its email
// without the ".gserviceaccount.com" suffix.
func CloudSQLIAMUser(email string) string { return strings.TrimSuffix(email, ".gserviceaccount.com") }

// CloudSQLBootstrapSQL is what an administrator (the built-in postgres user, a member of
// cloudsqlsuperuser) runs once in IAM mode: Cloud SQL creates the IAM user without any
// privilege on the database, and Backstage must create one schema per plugin in it.
func CloudSQLBootstrapSQL(database, iamUser string) string {
	return strings.Join([]string{
		"-- Run once as the postgres user (gcloud sql users set-password postgres ...).",
		fmt.Sprintf("GRANT ALL PRIVILEGES ON DATABASE %s TO %s;", QuoteIdent(database), QuoteIdent(iamUser)),
		"",
	}, "\n")
}

// CloudSQLInstanceCondition is the IAM condition expression limiting a project-level grant
// to one Cloud SQL instance.
func CloudSQLInstanceCondition(project, instance string) string {
	return fmt.Sprintf(`resource.type == %s && resource.name == %s`,
		celString("sqladmin.googleapis.com/Instance"), celString("projects/"+project+"/instances/"+instance))
}

func celString(s string) string {
	b, _ := json.Marshal(s) // a JSON string is a valid CEL string literal
	return string(b)
}

// JoinPEM concatenates certificates into one PEM bundle: during a CA rotation Cloud SQL lists
// the old and the new CA, and the portal must trust both.
func JoinPEM(certs []string) string {
	var out []string
	for _, c := range certs {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}
