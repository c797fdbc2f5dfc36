package validate

import (
	"net/mail"
	"regexp"
	"strings"
)

var (
	dnsLabel  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	envVar    = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	githubOrg = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)
	repoName  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	gcpID     = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	roleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
	teamSlug  = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]{0,98}[a-z0-9])?$`)
)

// DNSLabel reports whether s is an RFC 1123 label (lower case, at most 63 characters).
func DNSLabel(s string) bool { return dnsLabel.MatchString(s) }

// DNSName reports whether s is a lower-case DNS name made of RFC 1123 labels.
func DNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !DNSLabel(l) {
			return false
		}
	}
	return true
}

// EnvVarName reports whether s is a conventional environment variable name.
func EnvVarName(s string) bool { return envVar.MatchString(s) }

// Email reports whether s is a bare e-mail address.
func Email(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// GitHubOwner reports whether s is a valid GitHub organisation or user name.
func GitHubOwner(s string) bool { return githubOrg.MatchString(s) && !strings.Contains(s, "--") }

// GitHubRepoName reports whether s is a valid GitHub repository name.
func GitHubRepoName(s string) bool { return repoName.MatchString(s) && s != "." && s != ".." }

// OneOf reports whether s is one of the allowed values.
func OneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// GCPProjectID reports whether s is a GCP project id (6-30 characters: a lower-case letter,
// then letters, digits or hyphens, not ending in a hyphen). Service account ids share the shape.
func GCPProjectID(s string) bool { return gcpID.MatchString(s) }

// IAMRoleARN reports whether s is the ARN of an AWS IAM role.
func IAMRoleARN(s string) bool { return roleARN.MatchString(s) }

// GitHubTeamSlug reports whether s is a GitHub team slug as GitHub derives it from the team's
// name (lower case letters, digits, hyphens and underscores); the organisation sync names the
// team's Group entity after it.
func GitHubTeamSlug(s string) bool { return teamSlug.MatchString(s) }
