package tests

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// celEval evaluates a workload identity pool's attribute condition over the token claims
// (assertion.<claim>). It knows only the forms the stack generates: ==, in [...],
// .startsWith(...), &&, || and parentheses; anything else is an error, so a condition
// rewritten in another form fails the trust matrix instead of being misread.
func celEval(cond string, claims map[string]string) (bool, error) {
	p := &celParser{toks: celTokens(cond), claims: claims}
	v, err := p.or()
	if err != nil {
		return false, err
	}
	if p.pos != len(p.toks) {
		return false, fmt.Errorf("unexpected %q at token %d of %s", p.toks[p.pos], p.pos, cond)
	}
	return v, nil
}

type celParser struct {
	toks   []string
	pos    int
	claims map[string]string
}

func celTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, s[i:min(j+1, len(s))])
			i = j + 1
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"), strings.HasPrefix(s[i:], "=="), strings.HasPrefix(s[i:], "!="):
			toks = append(toks, s[i:i+2])
			i += 2
		case strings.ContainsRune("()[],", c):
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '.') {
				j++
			}
			if j == i {
				j = i + 1
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

func (p *celParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *celParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *celParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.peek() == "||" {
		p.next()
		var r bool
		r, err = p.and()
		v = v || r
	}
	return v, err
}

func (p *celParser) and() (bool, error) {
	v, err := p.unary()
	for err == nil && p.peek() == "&&" {
		p.next()
		var r bool
		r, err = p.unary()
		v = v && r
	}
	return v, err
}

func (p *celParser) unary() (bool, error) {
	if p.peek() == "(" {
		p.next()
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if p.next() != ")" {
			return false, fmt.Errorf("missing )")
		}
		return v, nil
	}
	path := p.next()
	if path == "" {
		return false, fmt.Errorf("unexpected end of condition")
	}
	if strings.HasSuffix(path, ".startsWith") {
		claim, err := p.claim(strings.TrimSuffix(path, ".startsWith"))
		if err != nil {
			return false, err
		}
		if p.next() != "(" {
			return false, fmt.Errorf("startsWith without (")
		}
		prefix, err := p.str()
		if err != nil {
			return false, err
		}
		if p.next() != ")" {
			return false, fmt.Errorf("startsWith without )")
		}
		return strings.HasPrefix(claim, prefix), nil
	}
	claim, err := p.claim(path)
	if err != nil {
		return false, err
	}
	switch op := p.next(); op {
	case "==", "!=":
		s, err := p.str()
		return (claim == s) == (op == "=="), err
	case "in":
		if p.next() != "[" {
			return false, fmt.Errorf("in without [")
		}
		found := false
		for {
			s, err := p.str()
			if err != nil {
				return false, err
			}
			found = found || claim == s
			switch p.next() {
			case ",":
				continue
			case "]":
				return found, nil
			default:
				return false, fmt.Errorf("in list not closed")
			}
		}
	default:
		return false, fmt.Errorf("unsupported operator %q after %s", op, path)
	}
}

// claim is the value of assertion.<name>; a token without the claim has it empty.
func (p *celParser) claim(path string) (string, error) {
	name, ok := strings.CutPrefix(path, "assertion.")
	if !ok || strings.Contains(name, ".") {
		return "", fmt.Errorf("unsupported operand %q", path)
	}
	return p.claims[name], nil
}

func (p *celParser) str() (string, error) {
	t := p.next()
	s, err := strconv.Unquote(t)
	if err != nil {
		return "", fmt.Errorf("want a string, got %q", t)
	}
	return s, nil
}

func TestCELEval(t *testing.T) {
	claims := map[string]string{"sub": "repo:o/r:environment:dev", "event_name": "push", "ref": "refs/heads/main"}
	for cond, want := range map[string]bool{
		`assertion.sub == "repo:o/r:environment:dev"`:                                      true,
		`assertion.sub == "repo:o/r:environment:prod"`:                                     false,
		`assertion.event_name in ["schedule", "push"]`:                                     true,
		`assertion.event_name in ["schedule"]`:                                             false,
		`assertion.ref.startsWith("refs/heads/") && assertion.event_name == "push"`:        true,
		`(assertion.ref == "x" || assertion.sub != "y") && assertion.missing == ""`:        true,
		`assertion.ref == "x" || (assertion.sub == "y" && assertion.event_name == "push")`: false,
	} {
		got, err := celEval(cond, claims)
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", cond, got, err, want)
		}
	}
	for _, cond := range []string{`assertion.sub.matches(".*")`, `true`, `assertion.sub == "a" &&`, `assertion.sub.size() > 0`} {
		if _, err := celEval(cond, claims); err == nil {
			t.Errorf("%s: no error", cond)
		}
	}
}
