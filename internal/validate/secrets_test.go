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
		{"PEM under any key", map[string]any{"ca": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\n"}, []string{"c.ca"}},
		{"GitHub token", map[string]any{"note": "ghp_" + strings.Repeat("a", 36)}, []string{"c.note"}},
		{"fine-grained token", []any{"github_pat_" + strings.Repeat("B", 30)}, []string{"c[0]"}},
		{"AWS access key id", map[string]string{"ID": "AKIAIOSFODNN7EXAMPLE"}, []string{"c.ID"}},
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
				for _, leak := range []string{"0123abcd", "AKIAIOSFODNN7EXAMPLE", "token=abc", "aaaaaaaa"} {
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
