package validate

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
)

var (
	dnsLabel  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	envVar    = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	githubOrg = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)
	repoName  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	gcpID     = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	roleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
	// A GCP region is "<geography>-<direction><number>": europe-west10, northamerica-south1.
	gcpRegion = regexp.MustCompile(`^[a-z]+-[a-z]+[1-9][0-9]?$`)
	gcpZone   = regexp.MustCompile(`^[a-z]+-[a-z]+[1-9][0-9]?-[a-z]$`)
	// An AWS region is "<area>[-<partition>]-<direction>-<number>": eu-west-2, us-gov-west-1,
	// us-isob-east-1, eusc-de-east-1.
	awsRegion = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+){1,2}-[1-9][0-9]?$`)
	teamSlug  = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]{0,98}[a-z0-9])?$`)
	// A Kubernetes resource quantity without exponent: 500m, 2, 8Gi, 1.5G.
	quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`)
	// A Backstage entity reference "[kind:][namespace/]name" with the catalog's own rules: a
	// kind of letters and digits, a namespace and a name of at most 63 characters that start
	// and end with a letter or digit.
	entityRef     = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*:)?([a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)
	gcpLabelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	gcpLabelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
	iamRoleName   = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
)

// Quantity reports whether s is a non-negative Kubernetes resource quantity ("500m", "8Gi", "2").
func Quantity(s string) bool { return quantity.MatchString(s) }

// EntityRef reports whether s is a Backstage entity reference ("group:default/platform",
// "platform").
func EntityRef(s string) bool { return entityRef.MatchString(s) }

// GCPLabelKey reports whether s is a GCP resource label key.
func GCPLabelKey(s string) bool { return gcpLabelKey.MatchString(s) }

// GCPLabelValue reports whether s is a GCP resource label value (values may be empty).
func GCPLabelValue(s string) bool { return gcpLabelValue.MatchString(s) }

// GCPServiceAccountID reports whether s is a service account id: the shape of a project id.
func GCPServiceAccountID(s string) bool { return gcpID.MatchString(s) }

// IAMRoleName reports whether s is an AWS IAM role name (1-64 of letters, digits, +=,.@_-).
func IAMRoleName(s string) bool { return iamRoleName.MatchString(s) }

// GCPRegion reports whether s has the shape of a GCP region (the one rule for every component;
// tested against the full published list).
func GCPRegion(s string) bool { return gcpRegion.MatchString(s) }

// GCPLocation reports whether s is a GCP region or zone (europe-west2, europe-west2-a).
func GCPLocation(s string) bool { return gcpRegion.MatchString(s) || gcpZone.MatchString(s) }

// AWSRegion reports whether s has the shape of an AWS region, in any partition (commercial,
// GovCloud, China, ISO, European Sovereign Cloud).
func AWSRegion(s string) bool { return awsRegion.MatchString(s) }

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

// RedactURL is raw fit for an error message: credentials written into a URL's user-info
// ("https://user:token@host") are never echoed.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		if at := strings.LastIndex(raw, "@"); at >= 0 && !strings.Contains(raw[:at], "/") {
			return "[redacted]@" + raw[at+1:]
		}
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return scheme + "://[redacted]@" + rest[at+1:]
	}
	return raw
}

// GitHubTeamSlug reports whether s is a GitHub team slug as GitHub derives it from the team's
// name (lower case letters, digits, hyphens and underscores); the organisation sync names the
// team's Group entity after it.
func GitHubTeamSlug(s string) bool { return teamSlug.MatchString(s) }

// QuantityValue is the value of a Kubernetes quantity ("500m" is 0.5, "8Gi" is 8·2³⁰), for
// comparing two of them; ok is false when s is not a quantity.
func QuantityValue(s string) (v float64, ok bool) {
	if !quantity.MatchString(s) {
		return 0, false
	}
	num := strings.TrimRight(s, "mkMGTPEi")
	suffix := s[len(num):]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{
		"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
		"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60,
	}[suffix]
	return f * mult, true
}

// labelValue is a Kubernetes label value: empty, or at most 63 characters of alphanumerics,
// '-', '_' and '.', starting and ending with an alphanumeric.
var labelValue = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)

// LabelValue reports whether s is a valid Kubernetes label value.
func LabelValue(s string) bool { return labelValue.MatchString(s) }

// GitBranch reports whether s is a branch name git accepts (git check-ref-format --branch):
// no "..", "@{", "//", control characters, space or any of ~^:?*[\, no component starting
// with "." or ending with ".lock", not starting or ending with "/" or ending with ".", not "@".
func GitBranch(s string) bool {
	if s == "" || s == "@" || len(s) > 255 || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") ||
		strings.HasSuffix(s, ".") || strings.HasPrefix(s, "-") ||
		strings.Contains(s, "..") || strings.Contains(s, "@{") || strings.Contains(s, "//") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	for _, c := range strings.Split(s, "/") {
		if strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".lock") {
			return false
		}
	}
	return true
}
