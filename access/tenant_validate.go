package access

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// entityName is Backstage's rule for metadata.name: the repository name becomes a Component.
var entityName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)

// reservedNames cannot be tenants: they are Kubernetes' own namespaces or the tree's root.
var reservedNames = map[string]bool{
	RootParent: true, "default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true,
}

// Repo is a tenant repository on GitHub.
type Repo struct {
	Owner string
	Name  string
}

// Slug is "<owner>/<name>", the github.com/project-slug annotation.
func (r Repo) Slug() string { return r.Owner + "/" + r.Name }

// ParseRepoURL parses "https://github.com/<owner>/<repo>" (no trailing slash, no ".git").
func ParseRepoURL(raw string) (Repo, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host != "github.com" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		if u != nil && u.User != nil {
			return Repo{}, fmt.Errorf("%q holds credentials: a repository URL is public (https://github.com/<owner>/<repo>)", validate.RedactURL(raw))
		}
		return Repo{}, fmt.Errorf("%q is not a GitHub repository URL (https://github.com/<owner>/<repo>)", validate.RedactURL(raw))
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) != 2 || !validate.GitHubOwner(parts[0]) || !validate.GitHubRepoName(parts[1]) ||
		strings.HasSuffix(parts[1], ".git") {
		return Repo{}, fmt.Errorf("%q is not a GitHub repository URL (https://github.com/<owner>/<repo>)", validate.RedactURL(raw))
	}
	return Repo{Owner: parts[0], Name: parts[1]}, nil
}

// location names a tenant in errors: its file, or its index when built in code.
func location(t Tenant, i int) string {
	if t.File != "" {
		return t.File
	}
	return validate.Index("tenants", i)
}

// field is the path of a tenant field in errors: "tenants/a.yaml: repos[1]".
func field(t Tenant, i int, name string) string { return location(t, i) + ": " + name }

// ValidateTenants checks the definitions against every rule, returning every problem at once
// as a *validate.Errors whose paths name the file and the field: names are DNS labels, unique,
// not reserved, equal to their file name; parents exist and form no cycle; e-mail shapes;
// GitHub repository URLs, each owned by one tenant; environments among knownEnvironments.
// Its cost is linear in the number of tenants.
func ValidateTenants(tenants []Tenant, knownEnvironments []string) error {
	var errs validate.Errors
	known := make(map[string]bool, len(knownEnvironments))
	for _, e := range knownEnvironments {
		known[e] = true
	}
	byName := make(map[string]int, len(tenants))
	repoOwner := map[string]string{}
	repoName := map[string]string{}
	for i, t := range tenants {
		switch {
		case t.Name == "":
			errs.Add(field(t, i, "name"), "is required")
		case !validate.DNSLabel(t.Name):
			errs.Add(field(t, i, "name"), "%q is not a DNS label (lower-case letters, digits and '-', at most 63)", t.Name)
		case reservedNames[t.Name] || strings.HasPrefix(t.Name, "kube-"):
			errs.Add(field(t, i, "name"), "%q is reserved", t.Name)
		default:
			if j, dup := byName[t.Name]; dup {
				errs.Add(field(t, i, "name"), "tenant %q is already defined in %s", t.Name, location(tenants[j], j))
			} else {
				byName[t.Name] = i
			}
		}
		if t.File != "" && t.Name != "" && filepath.Base(t.File) != t.Name+".yaml" {
			errs.Add(field(t, i, "name"), "%q must match the file name (%s.yaml)", t.Name, t.Name)
		}
		if t.Parent == "" {
			errs.Add(field(t, i, "parent"), "is required (another tenant or %q)", RootParent)
		}
		if strings.TrimSpace(t.Description) == "" {
			errs.Add(field(t, i, "description"), "is required")
		}
		// Free text reaches the catalog, namespace annotations and the pull request's
		// comment: a credential pasted into it would be published.
		validate.ShapeOnly(&errs, field(t, i, "description"), t.Description)
		validate.ShapeOnly(&errs, field(t, i, "costCentre"), t.CostCentre)
		emailField(&errs, t, i, "contactEmail", t.ContactEmail)
		emailField(&errs, t, i, "adminGroup", t.AdminGroup)
		emailField(&errs, t, i, "readonlyGroup", t.ReadonlyGroup)
		if len(t.Environments) == 0 {
			errs.Add(field(t, i, "environments"), "at least one environment is required (one of %s)", strings.Join(knownEnvironments, ", "))
		}
		seenEnv := map[string]bool{}
		for k, e := range t.Environments {
			p := field(t, i, validate.Index("environments", k))
			switch {
			case !known[e]:
				errs.Add(p, "unknown environment %q (known: %s)", e, strings.Join(knownEnvironments, ", "))
			case seenEnv[e]:
				errs.Add(p, "environment %q is listed twice", e)
			}
			seenEnv[e] = true
		}
		for k, raw := range t.Repos {
			p := field(t, i, validate.Index("repos", k))
			r, err := ParseRepoURL(raw)
			if err != nil {
				errs.Add(p, "%v", err)
				continue
			}
			key := strings.ToLower(r.Slug())
			if other, dup := repoOwner[key]; dup {
				errs.Add(p, "repository %s is already listed by %s", r.Slug(), other)
				continue
			}
			repoOwner[key] = location(t, i)
			if !entityName.MatchString(r.Name) {
				errs.Add(p, "repository name %q cannot name a catalog Component (at most 63 characters, starting and ending with a letter or digit)", r.Name)
				continue
			}
			if other, dup := repoName[strings.ToLower(r.Name)]; dup {
				errs.Add(p, "a repository named %q is already listed by %s; catalog Component names must be unique", r.Name, other)
				continue
			}
			repoName[strings.ToLower(r.Name)] = location(t, i)
		}
	}
	checkTree(&errs, tenants, byName)
	return errs.Err()
}

func emailField(errs *validate.Errors, t Tenant, i int, name, value string) {
	switch {
	case value == "":
		errs.Add(field(t, i, name), "is required")
	case !validate.Email(value):
		errs.Add(field(t, i, name), "%q is not an e-mail address", value)
	}
}

// checkTree reports unknown parents and cycles. Each tenant is walked at most once (states:
// unvisited, on the current path, done), so the check is linear in the number of tenants.
func checkTree(errs *validate.Errors, tenants []Tenant, byName map[string]int) {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(tenants))
	for i, t := range tenants {
		if t.Parent == "" || t.Parent == RootParent {
			continue
		}
		if _, ok := byName[t.Parent]; !ok {
			errs.Add(field(t, i, "parent"), "unknown tenant %q (use %q for a top-level tenant)", t.Parent, RootParent)
		}
	}
	for start := range tenants {
		if state[start] != unvisited {
			continue
		}
		var path []int
		cur := start
		for {
			if idx, ok := byName[tenants[cur].Name]; !ok || idx != cur {
				// An invalid or duplicate definition: already reported, not part of the tree.
				break
			}
			if state[cur] == done {
				break
			}
			if state[cur] == onPath {
				t := tenants[cur]
				errs.Add(field(t, cur, "parent"), "tenant %q is its own ancestor (parent cycle)", t.Name)
				break
			}
			state[cur] = onPath
			path = append(path, cur)
			next, ok := byName[tenants[cur].Parent]
			if !ok || tenants[cur].Parent == RootParent {
				break
			}
			cur = next
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

// depths returns each tenant's distance from the root (0 for a top-level tenant), for tenants
// already known to form a tree.
func depths(tenants []Tenant, byName map[string]int) []int {
	depth := make([]int, len(tenants))
	for i := range depth {
		depth[i] = -1
	}
	var walk func(i int) int
	walk = func(i int) int {
		if depth[i] >= 0 {
			return depth[i]
		}
		p, ok := byName[tenants[i].Parent]
		if !ok {
			depth[i] = 0
			return 0
		}
		depth[i] = walk(p) + 1
		return depth[i]
	}
	for i := range tenants {
		walk(i)
	}
	return depth
}
