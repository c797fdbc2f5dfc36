package validate

import (
	"strings"
	"testing"
)

func TestQuantityValueOrders(t *testing.T) {
	cases := []struct {
		small, large string
	}{{"500m", "1"}, {"512Mi", "1Gi"}, {"8Gi", "9G"}, {"999M", "1Gi"}, {"1.5", "2"}, {"100k", "1M"}}
	for _, c := range cases {
		s, ok1 := QuantityValue(c.small)
		l, ok2 := QuantityValue(c.large)
		if !ok1 || !ok2 || s >= l {
			t.Errorf("%s (%v) should be less than %s (%v)", c.small, s, c.large, l)
		}
	}
	if _, ok := QuantityValue("8 Gi"); ok {
		t.Error("8 Gi accepted as a quantity")
	}
}

func TestGitBranch(t *testing.T) {
	for _, ok := range []string{"main", "release/1.2", "feature-x_y", "v1.0"} {
		if !GitBranch(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "@", "a..b", "main.lock", "feature/", "/x", "x.", "a b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", "main@{1}", "x//y", ".hidden", "a/.b", "-f", "a\x07"} {
		if GitBranch(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLabelValue(t *testing.T) {
	for _, ok := range []string{"", "a", "platform-team", "v1.2_3"} {
		if !LabelValue(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"a b", "-a", "a-", strings.Repeat("a", 64), "a/b"} {
		if LabelValue(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	token := "ghp_" + varied(36)
	var errs Errors
	errs.Add("x", "%q is not an e-mail address", token)
	errs.Add("y", "value %s, again %q", "hunter2-long-secret", "with \"quotes\" secret-x")
	errs.Redact([]string{"hunter2-long-secret", "with \"quotes\" secret-x", "abc"})
	msg := errs.Error()
	for _, leak := range []string{token, "hunter2-long-secret", `with \"quotes\" secret-x`} {
		if strings.Contains(msg, leak) {
			t.Errorf("message echoes %q:\n%s", leak, msg)
		}
	}
	if !strings.Contains(msg, "looks like a credential") || !strings.Contains(msg, "[secret]") {
		t.Errorf("message does not say what was left out:\n%s", msg)
	}
}
