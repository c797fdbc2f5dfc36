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

// RDSAdminUser is the instance's master user in IAM mode: an administrator's login, apart
// from the portal's, whose password RDS generates and keeps in Secrets Manager
// (manageMasterUserPassword), so neither Pulumi nor the portal ever holds it.
const RDSAdminUser = "postgres"

// RDSBootstrapSQL is what an administrator runs once as RDSAdminUser in IAM mode: RDS has no
// IAM users of its own, so the portal's login is created here, may only sign in with IAM
// tokens (the rds_iam role), and owns nothing beyond the portal's database, where Backstage
// creates one schema per plugin.
func RDSBootstrapSQL(database, user string) string {
	return strings.Join([]string{
		"-- Run once as " + RDSAdminUser + " (its password is the instance's master user secret in Secrets Manager).",
		fmt.Sprintf("CREATE ROLE %s WITH LOGIN;", QuoteIdent(user)),
		fmt.Sprintf("GRANT rds_iam TO %s;", QuoteIdent(user)),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON DATABASE %s TO %s;", QuoteIdent(database), QuoteIdent(user)),
		"",
	}, "\n")
}

// RDSConnectResource is the resource of the rds-db:connect permission that lets a principal
// sign in to the instance of instanceARN (arn:<partition>:rds:<region>:<account>:db:<id>),
// whose DbiResourceId is resourceID, as user.
func RDSConnectResource(instanceARN, resourceID, user string) (string, error) {
	parts := strings.Split(instanceARN, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[5] != "db" || resourceID == "" {
		return "", fmt.Errorf("%q is not an RDS instance ARN (or the DbiResourceId is empty)", instanceARN)
	}
	return fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", parts[1], parts[3], parts[4], resourceID, user), nil
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
