package validate

import (
	"strings"
	"testing"
)

func TestLiteralSecrets(t *testing.T) {
	cases := []struct {
		name  string
		value any
		paths []string // problems expected, in order
	}{
		{"api key", map[string]any{"sonarqube": map[string]any{"apiKey": "0123abcd"}}, []string{"c.sonarqube.apiKey"}},
		{"snake and kebab case", map[string]any{"api_key": "x", "X-Api-Key": "y"}, []string{"c.X-Api-Key", "c.api_key"}},
		{"header map", map[string]any{"headers": map[string]any{"Authorization": "Token token=abc"}}, []string{"c.headers.Authorization"}},
		{"bearer reference", map[string]any{"headers": map[string]any{"Authorization": "Bearer ${PD_TOKEN}"}}, nil},
		{"reference", map[string]any{"clientSecret": "${CLIENT_SECRET}"}, nil},
		{"reference with a literal tail", map[string]any{"password": "${A}0123456789abcdef0123456789"}, []string{"c.password"}},
		{"empty value", map[string]any{"token": ""}, nil},
		{"number under a secret key", map[string]any{"password": 1234}, []string{"c.password"}},
		{"boolean under a secret key", map[string]any{"credentials": true}, nil},
		{"include under a secret key", map[string]any{"privateKey": map[string]any{"$file": "/etc/key.pem"}}, nil},
		{"list", map[string]any{"apps": []any{map[string]any{"accessKey": "x"}}}, []string{"c.apps[0].accessKey"}},
		{"PEM under any key", map[string]any{"ca": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\n" + varied(80) + "\n-----END EC PRIVATE KEY-----\n"}, []string{"c.ca"}},
		{"GitHub token", map[string]any{"note": "ghp_" + varied(36)}, []string{"c.note"}},
		{"fine-grained token", []any{"github_pat_" + varied(82)}, []string{"c[0]"}},
		{"AWS access key id", map[string]string{"ID": "AKIAQX7ZP3LMN2TY4VW5"}, []string{"c.ID"}},
		{"Slack bot token", map[string]any{"note": "xoxb-1234567890123-1234567890123-" + varied(24)}, []string{"c.note"}},
		{"Slack webhook", map[string]any{"url": "https://hooks.slack.com/services/" + varied(44)}, []string{"c.url"}},
		{"Stripe key", map[string]any{"note": "sk_live_" + varied(24)}, []string{"c.note"}},
		{"npm token", map[string]any{"note": "npm_" + strings.ToLower(varied(36))}, []string{"c.note"}},
		{"Google API key", map[string]any{"note": "AIza" + varied(35)}, []string{"c.note"}},
		{"JWT", map[string]any{"note": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ." + varied(43)}, []string{"c.note"}},
		{"database URL with a password", map[string]any{"note": "postgres://portal:Hunter2-Pw@db.example.com:5432/backstage"}, []string{"c.note"}},
		{"AWS documentation example", map[string]string{"ID": "AKIAIOSFODNN7EXAMPLE"}, nil},
		{"certificate alone", map[string]any{"ca": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}, nil},
		{"names that only mention a secret", map[string]any{"secretName": "tls", "tokenUrl": "https://x", "passwordPolicy": "strict"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var errs Errors
			LiteralSecrets(&errs, "c", tc.value)
			var got []string
			for _, p := range errs.Problems {
				got = append(got, p.Path)
				if !strings.Contains(p.Message, "pulumi config set --secret") || !strings.Contains(p.Message, "${") {
					t.Errorf("%s: message does not say how to pass the value: %s", p.Path, p.Message)
				}
				for _, leak := range []string{"0123abcd", "AKIAQX7ZP3LMN2TY4VW5", "token=abc", varied(20), "Hunter2-Pw"} {
					if strings.Contains(p.Message, leak) {
						t.Errorf("%s: message echoes the value", p.Path)
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.paths, ",") {
				t.Errorf("problems at %v, want %v", got, tc.paths)
			}
		})
	}
}

// varied is n characters of a fixed, high-entropy alphanumeric sequence: the shape of a real
// token (the rules ignore low-entropy strings such as "aaaa").
func varied(n int) string {
	const alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJLrUxXqobiknwtVMGPRSDACYeI"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+3)%len(alphabet)]
	}
	return string(b)
}

func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"https://user:pass@github.com/cecg/x": "https://[redacted]@github.com/cecg/x",
		"https://ghp_token@github.com/cecg/x": "https://[redacted]@github.com/cecg/x",
		"https://github.com/cecg/x?a=b@c":     "https://github.com/cecg/x?a=b@c",
		"https://github.com/cecg/x":           "https://github.com/cecg/x",
		"user:pass@host/path":                 "[redacted]@host/path",
	}
	for in, want := range cases {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
