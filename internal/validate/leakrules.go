package validate

import (
	_ "embed"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// The credential shapes are gitleaks' default rule set (rules/gitleaks.toml, maintained
// upstream: more than two hundred providers' token formats), evaluated here rather than
// through gitleaks' detect package, whose dependencies (viper, zerolog, archive readers, git
// diff parsing) would be linked into every binary that validates configuration.

//go:embed rules/gitleaks.toml
var gitleaksTOML string

type leakAllowlist struct {
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	Stopwords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`

	regexes []*regexp.Regexp
}

type leakRule struct {
	ID          string          `toml:"id"`
	Regex       string          `toml:"regex"`
	Path        string          `toml:"path"`
	SecretGroup int             `toml:"secretGroup"`
	Entropy     float64         `toml:"entropy"`
	Keywords    []string        `toml:"keywords"`
	Allowlists  []leakAllowlist `toml:"allowlists"`

	re *regexp.Regexp
}

type leakConfig struct {
	Allowlist leakAllowlist `toml:"allowlist"`
	Rules     []leakRule    `toml:"rules"`

	// keywords are every rule's keywords, once each; ruleKeywords[i] are rule i's indexes
	// into it. byPrefix finds the keywords starting with a value's two bytes at a position,
	// so a value is scanned once for all of them rather than once per keyword.
	keywords     []string
	ruleKeywords [][]int
	byPrefix     map[[2]byte][]int
}

// leakRules parses and compiles the rules once, on first use. Rules that apply to file paths
// only do not apply to configuration values and are left out.
var leakRules = sync.OnceValue(func() *leakConfig {
	var c leakConfig
	if _, err := toml.Decode(gitleaksTOML, &c); err != nil {
		panic("internal/validate: rules/gitleaks.toml: " + err.Error())
	}
	compile := func(a *leakAllowlist) {
		for _, r := range a.Regexes {
			if re, err := regexp.Compile(r); err == nil {
				a.regexes = append(a.regexes, re)
			}
		}
		for i, w := range a.Stopwords {
			a.Stopwords[i] = strings.ToLower(w)
		}
	}
	compile(&c.Allowlist)
	rules := c.Rules[:0]
	for _, r := range c.Rules {
		if r.Regex == "" || r.Path != "" {
			continue
		}
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			continue
		}
		r.re = re
		for i := range r.Keywords {
			r.Keywords[i] = strings.ToLower(r.Keywords[i])
		}
		for i := range r.Allowlists {
			compile(&r.Allowlists[i])
		}
		rules = append(rules, r)
	}
	c.Rules = rules
	c.indexKeywords()
	return &c
})

// indexKeywords builds the keyword index. It is keyed by two bytes, so a keyword must have two
// or more: every keyword of the rule set has, and a rules update that brings a shorter one
// fails on first use, in every test, rather than letting the rule go unchecked.
func (c *leakConfig) indexKeywords() {
	id := map[string]int{}
	c.byPrefix = map[[2]byte][]int{}
	c.ruleKeywords = make([][]int, len(c.Rules))
	for i, r := range c.Rules {
		for _, k := range r.Keywords {
			if len(k) < 2 {
				panic("internal/validate: rules/gitleaks.toml: rule " + r.ID + " has a keyword shorter than two bytes")
			}
			n, seen := id[k]
			if !seen {
				n = len(c.keywords)
				id[k] = n
				c.keywords = append(c.keywords, k)
				p := [2]byte{k[0], k[1]}
				c.byPrefix[p] = append(c.byPrefix[p], n)
			}
			c.ruleKeywords[i] = append(c.ruleKeywords[i], n)
		}
	}
}

// keywordsIn marks the keywords that occur in lower (a lower-cased value).
func (c *leakConfig) keywordsIn(lower string) []bool {
	found := make([]bool, len(c.keywords))
	for i := 0; i+1 < len(lower); i++ {
		for _, n := range c.byPrefix[[2]byte{lower[i], lower[i+1]}] {
			if strings.HasPrefix(lower[i:], c.keywords[n]) {
				found[n] = true
			}
		}
	}
	return found
}

// leakRule reports the id of the first rule whose pattern finds a credential in value, or "".
func leakRuleID(value string) string {
	c := leakRules()
	found := c.keywordsIn(strings.ToLower(value))
	for i := range c.Rules {
		r := &c.Rules[i]
		if !hasKeyword(found, c.ruleKeywords[i]) {
			continue
		}
		for _, idx := range r.re.FindAllStringSubmatchIndex(value, -1) {
			match := value[idx[0]:idx[1]]
			secret := secretOf(value, idx, r.SecretGroup)
			if r.Entropy > 0 && shannon(secret) < r.Entropy {
				continue
			}
			if allowed(&c.Allowlist, value, match, secret) {
				continue
			}
			ok := true
			for j := range r.Allowlists {
				if allowed(&r.Allowlists[j], value, match, secret) {
					ok = false
					break
				}
			}
			if ok {
				return r.ID
			}
		}
	}
	return ""
}

// hasKeyword reports whether a rule applies to a value: it has no keywords, or one of them
// was found in the value.
func hasKeyword(found []bool, keywords []int) bool {
	if len(keywords) == 0 {
		return true
	}
	for _, n := range keywords {
		if found[n] {
			return true
		}
	}
	return false
}

// secretOf is the part of a match that is the secret: the rule's secret group, else the
// first group that matched, else the whole match.
func secretOf(value string, idx []int, group int) string {
	if group > 0 && 2*group+1 < len(idx) && idx[2*group] >= 0 {
		return value[idx[2*group]:idx[2*group+1]]
	}
	for g := 1; 2*g+1 < len(idx); g++ {
		if idx[2*g] >= 0 && idx[2*g+1] > idx[2*g] {
			return value[idx[2*g]:idx[2*g+1]]
		}
	}
	return value[idx[0]:idx[1]]
}

// allowed applies an allowlist as gitleaks does to a finding: its regexes against the
// secret (or the match, or the line), its stopwords against the secret; any criterion
// suffices, or with condition AND every one given. Path criteria never match a value.
func allowed(a *leakAllowlist, line, match, secret string) bool {
	if len(a.regexes) == 0 && len(a.Stopwords) == 0 {
		return false
	}
	target := secret
	switch a.RegexTarget {
	case "match":
		target = match
	case "line":
		target = line
	}
	regexHit := false
	for _, re := range a.regexes {
		if re.MatchString(target) {
			regexHit = true
			break
		}
	}
	stopHit := false
	lower := strings.ToLower(secret)
	for _, w := range a.Stopwords {
		if strings.Contains(lower, w) {
			stopHit = true
			break
		}
	}
	if strings.EqualFold(a.Condition, "AND") {
		return (len(a.regexes) == 0 || regexHit) && (len(a.Stopwords) == 0 || stopHit) && len(a.Paths) == 0
	}
	return regexHit || stopHit
}

// shannon is the Shannon entropy of s in bits per character, as the rules' entropy
// thresholds measure it.
func shannon(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
