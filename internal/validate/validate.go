// Package validate collects input problems so that a component, or the stack, reports every
// problem at once — each naming the argument or config key — before anything is registered.
package validate

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one invalid input: Path names it (dotted lowerCamel, as in the config file:
// "tls.secretName", "extraClusters[1].url"), Message says what is wrong.
type Problem struct {
	Path    string
	Message string
}

// Errors is a list of problems; its zero value is ready to use.
type Errors struct {
	Problems []Problem
}

// Add records a problem at path. A string argument shaped like a credential is not echoed:
// whatever the check, the message names what it looks like instead.
func (e *Errors) Add(path, format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok {
			if what := SecretShape(s); what != "" {
				args[i] = "[a value that looks like " + what + "]"
			}
		}
	}
	e.Problems = append(e.Problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Merge records the problems of err under prefix: a nested *Errors keeps its paths (prefixed),
// any other error becomes one problem at prefix.
func (e *Errors) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var nested *Errors
	if errors.As(err, &nested) {
		for _, p := range nested.Problems {
			e.Problems = append(e.Problems, Problem{Path: Join(prefix, p.Path), Message: p.Message})
		}
		return
	}
	e.Problems = append(e.Problems, Problem{Path: prefix, Message: err.Error()})
}

// Err returns nil without problems, or e.
func (e *Errors) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Error lists one problem per line as "path: message", under a header counting them when
// there are several (the SDK's own "1 error occurred" wraps the whole list).
func (e *Errors) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	if len(e.Problems) > 1 {
		lines = append(lines, fmt.Sprintf("%d problems:", len(e.Problems)))
	}
	for _, p := range e.Problems {
		if p.Path == "" {
			lines = append(lines, p.Message)
			continue
		}
		lines = append(lines, p.Path+": "+p.Message)
	}
	return strings.Join(lines, "\n")
}

// Join builds a dotted path, skipping empty parts.
func Join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	joined := strings.Join(out, ".")
	return strings.ReplaceAll(joined, ".[", "[")
}

// Index is the path of element i of a list: Index("clusters", 2) == "clusters[2]".
func Index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// minRedacted is the shortest secret Redact replaces: shorter strings ("1", "on") occur in
// messages for other reasons, and tell nothing.
const minRedacted = 4

// Redact replaces every occurrence of a secret value in the problems' messages (as written,
// or quoted as %q writes it) with [secret], longest first.
func (e *Errors) Redact(secrets []string) {
	var forms []string
	for _, s := range secrets {
		if len(s) < minRedacted {
			continue
		}
		forms = append(forms, s)
		if q := strconv.Quote(s); q[1:len(q)-1] != s {
			forms = append(forms, q[1:len(q)-1])
		}
	}
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	for i := range e.Problems {
		for _, f := range forms {
			e.Problems[i].Message = strings.ReplaceAll(e.Problems[i].Message, f, "[secret]")
		}
	}
}
