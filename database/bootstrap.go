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

// RDSBootstrapSQL is what the RDS admin user runs once in IAM mode: it creates the portal's
// login, lets it authenticate with IAM tokens only (rds_iam) and lets it create the plugin
// schemas in the database.
func RDSBootstrapSQL(database, user, admin string) string {
	return strings.Join([]string{
		fmt.Sprintf("-- Run once as %s (password in the adminSecretArn secret), connected to %s.", admin, database),
		fmt.Sprintf("CREATE ROLE %s WITH LOGIN;", QuoteIdent(user)),
		fmt.Sprintf("GRANT rds_iam TO %s;", QuoteIdent(user)),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON DATABASE %s TO %s;", QuoteIdent(database), QuoteIdent(user)),
		"",
	}, "\n")
}

// policyDocument is an IAM policy.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid      string   `json:"Sid,omitempty"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// RDSDBUserARN is the rds-db:connect resource of one database user, derived from the
// instance's ARN (arn:<partition>:rds:<region>:<account>:db:<identifier>) and resource ID.
func RDSDBUserARN(instanceARN, resourceID, user string) (string, error) {
	parts := strings.Split(instanceARN, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "rds" || parts[3] == "" || parts[4] == "" {
		return "", fmt.Errorf("database: unexpected RDS instance ARN %q", instanceARN)
	}
	if resourceID == "" {
		return "", fmt.Errorf("database: RDS instance %q has no resource ID", instanceARN)
	}
	return fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", parts[1], parts[3], parts[4], resourceID, user), nil
}

// RDSConnectPolicy allows rds-db:connect as exactly one user of exactly one instance.
func RDSConnectPolicy(instanceARN, resourceID, user string) (string, error) {
	arn, err := RDSDBUserARN(instanceARN, resourceID, user)
	if err != nil {
		return "", err
	}
	doc := policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Sid:      "ConnectAsPortalUser",
			Effect:   "Allow",
			Action:   []string{"rds-db:connect"},
			Resource: []string{arn},
		}},
	}
	out, err := json.Marshal(doc)
	return string(out), err
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
