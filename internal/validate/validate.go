// Package validate collects input problems so that a component, or the stack, reports every
// problem at once — each naming the argument or config key — before anything is registered.
package validate

import (
	"errors"
	"fmt"
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

// Add records a problem at path.
func (e *Errors) Add(path, format string, args ...any) {
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
