package validate

import (
	"strings"
	"testing"
)

// TestKeywordIndex checks the one-pass keyword scan against a scan per keyword: every
// keyword of the rule set, at the start, inside and at the end of a value and in upper case,
// and values that hold none or several.
func TestKeywordIndex(t *testing.T) {
	c := leakRules()
	values := []string{
		"",
		"a",
		"A generated tenant of the scale benchmark.",
		"Payments team: card authorisation and settlement APIs.",
		"ghp_" + varied(36) + " and AKIAQX7ZP3LMN2TY4VW5 and xoxb-1",
		"https://hooks.slack.com/services/" + varied(44),
	}
	for _, k := range c.keywords {
		values = append(values, k, "x"+k+"y", "tenant "+strings.ToUpper(k), k[:len(k)-1])
	}
	for _, v := range values {
		lower := strings.ToLower(v)
		found := c.keywordsIn(lower)
		for n, k := range c.keywords {
			if want := strings.Contains(lower, k); found[n] != want {
				t.Errorf("value %q: keyword %q found = %v, want %v", v, k, found[n], want)
			}
		}
	}
}

// BenchmarkSecretShape is the scan of one free-text field, as tenant validation runs it on
// each tenant's description and cost centre.
func BenchmarkSecretShape(b *testing.B) {
	for _, v := range []string{"A generated tenant of the scale benchmark.", "CECG-SCALE-001", "ghp_" + varied(36)} {
		b.Run(v[:min(len(v), 12)], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				SecretShape(v)
			}
		})
	}
}
