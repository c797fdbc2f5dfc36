package access

import (
	"net/url"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/coreeng/developer-portal/backstage"
)

// Template identity and the skeleton's place beside it.
const (
	TemplateName = "request-a-tenancy"
	// SkeletonPath is the skeleton tenant file, relative to the contribution's catalog
	// directory. Its name is itself a Backstage template: fetch:template renders file names.
	SkeletonPath = "skeleton/${{ values.name }}.yaml"
)

// Patterns the request form enforces; they mirror ValidateTenants (and a test holds them to
// it) so that a request the form accepts passes the pipeline's validation.
const (
	namePattern  = `^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`
	emailPattern = `^[^@\s]+@[^@\s]+\.[^@\s.]+$`
	repoSuffix   = `/[A-Za-z0-9._-]+$`
	anyOwner     = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?`
)

// tenantFields are the tenant file's keys in the order the skeleton writes them.
var tenantFields = []string{
	"name", "parent", "description", "contactEmail", "costCentre",
	"environments", "repos", "adminGroup", "readonlyGroup",
}

// schema is the subset of JSON schema (plus react-jsonschema-form ui: keys) the form uses.
type schema struct {
	Title       string            `yaml:"title,omitempty" json:"title,omitempty"`
	Description string            `yaml:"description,omitempty" json:"description,omitempty"`
	Type        string            `yaml:"type,omitempty" json:"type,omitempty"`
	Pattern     string            `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	MinLength   int               `yaml:"minLength,omitempty" json:"minLength,omitempty"`
	MaxLength   int               `yaml:"maxLength,omitempty" json:"maxLength,omitempty"`
	MinItems    int               `yaml:"minItems,omitempty" json:"minItems,omitempty"`
	UniqueItems bool              `yaml:"uniqueItems,omitempty" json:"uniqueItems,omitempty"`
	Enum        []string          `yaml:"enum,omitempty" json:"enum,omitempty"`
	Default     any               `yaml:"default,omitempty" json:"default,omitempty"`
	Not         *schema           `yaml:"not,omitempty" json:"not,omitempty"`
	AnyOf       []schema          `yaml:"anyOf,omitempty" json:"anyOf,omitempty"`
	Items       *schema           `yaml:"items,omitempty" json:"items,omitempty"`
	Required    []string          `yaml:"required,omitempty" json:"required,omitempty"`
	Properties  map[string]schema `yaml:"properties,omitempty" json:"properties,omitempty"`
	UIOrder     []string          `yaml:"ui:order,omitempty" json:"ui:order,omitempty"`
	UIWidget    string            `yaml:"ui:widget,omitempty" json:"ui:widget,omitempty"`
	UIHelp      string            `yaml:"ui:help,omitempty" json:"ui:help,omitempty"`
	UIAutofocus bool              `yaml:"ui:autofocus,omitempty" json:"ui:autofocus,omitempty"`
	// Ref and Definitions let a page list a set once and use it twice (JSON Schema's
	// "#/definitions/<name>" within the page, which the scaffolder's form and its server-side
	// check both take as the root).
	Ref         string            `yaml:"$ref,omitempty" json:"$ref,omitempty"`
	Definitions map[string]schema `yaml:"definitions,omitempty" json:"definitions,omitempty"`
}

// parentsRef names the tenant page's one list of every tenant's name.
const parentsRef = "#/definitions/parents"

type templateSpec struct {
	Owner      string         `yaml:"owner,omitempty" json:"owner,omitempty"`
	Type       string         `yaml:"type" json:"type"`
	Parameters []schema       `yaml:"parameters" json:"parameters"`
	Steps      []templateStep `yaml:"steps" json:"steps"`
	Output     templateOutput `yaml:"output" json:"output"`
}

type templateStep struct {
	ID     string         `yaml:"id" json:"id"`
	Name   string         `yaml:"name" json:"name"`
	Action string         `yaml:"action" json:"action"`
	Input  map[string]any `yaml:"input" json:"input"`
}

type templateOutput struct {
	Links []backstage.Link `yaml:"links" json:"links"`
}

// expr is a Backstage template expression. The scaffolder, not this program, evaluates it.
func expr(e string) string { return "${{ " + e + " }}" }

// requestTemplate builds the "Request a tenancy" template and its skeleton tenant file.
func requestTemplate(p *plan) (backstage.Entity, string, error) {
	a := p.args
	names := make([]string, 0, len(p.tenants))
	for _, t := range p.tenants {
		names = append(names, t.Name)
	}
	sort.Strings(names)

	repoOwner := anyOwner
	repoHelp := "https://github.com/<owner>/<repo>"
	if a.TeamsInGitHub() {
		repoOwner = regexp.QuoteMeta(a.Organization)
		repoHelp = "https://github.com/" + a.Organization + "/<repo>"
	}

	tenantPage := schema{
		Title:    "Tenant",
		Required: []string{"name", "parent", "description", "contactEmail"},
		UIOrder:  []string{"name", "parent", "description", "contactEmail", "costCentre"},
		// Every tenant's name, once: the parents a new tenant may choose, and names it may not
		// take. This list is what the template's catalog part grows by with every tenant;
		// listing it twice doubled that (docs/operators/scale.md).
		Definitions: map[string]schema{
			"parents": {Type: "string", Enum: append([]string{RootParent}, names...)},
		},
		Properties: map[string]schema{
			"name": {
				Title: "Name", Type: "string", Pattern: namePattern, MaxLength: 63,
				Description: "The tenant's name: its namespace and GitHub team. Lower-case letters, digits and '-'.",
				Not:         &schema{AnyOf: []schema{{Ref: parentsRef}, {Enum: reservedList(a)}, {Pattern: "^kube-"}}},
				UIHelp:      "Must not be an existing tenant or a reserved name.",
				UIAutofocus: true,
			},
			"parent": {
				Title: "Parent tenant", Ref: parentsRef, Default: RootParent,
				Description: "The tenant this one belongs under; root for a top-level tenant.",
			},
			"description":  {Title: "Description", Type: "string", MinLength: 1, Pattern: `\S`},
			"contactEmail": {Title: "Contact e-mail", Type: "string", Pattern: emailPattern},
			"costCentre":   {Title: "Cost centre", Type: "string", Default: ""},
		},
	}
	accessPage := schema{
		Title:    "Access",
		Required: []string{"environments", "adminGroup", "readonlyGroup"},
		UIOrder:  []string{"environments", "adminGroup", "readonlyGroup", "repos"},
		Properties: map[string]schema{
			"environments": {
				Title: "Environments", Type: "array", MinItems: 1, UniqueItems: true,
				Items:    &schema{Type: "string", Enum: append([]string(nil), a.Environments...)},
				UIWidget: "checkboxes",
			},
			"adminGroup": {
				Title: "Admin group", Type: "string", Pattern: emailPattern,
				Description: "The group (e-mail) whose members administer the tenant's namespace.",
			},
			"readonlyGroup": {
				Title: "Read-only group", Type: "string", Pattern: emailPattern,
				Description: "The group (e-mail) whose members can view the tenant's namespace.",
			},
			"repos": {
				Title: "Repositories", Type: "array", UniqueItems: true, Default: []string{},
				Items: &schema{Type: "string", Pattern: `^https://github\.com/` + repoOwner + repoSuffix, UIHelp: repoHelp},
			},
		},
	}

	values := map[string]any{}
	for _, f := range tenantFields {
		values[f] = expr("parameters." + f)
	}
	publish := map[string]any{
		"repoUrl":          "github.com?" + url.Values{"owner": {p.repo.Owner}, "repo": {p.repo.Name}}.Encode(),
		"branchName":       "tenancy-request/" + expr("parameters.name"),
		"targetBranchName": a.Requests.TargetBranch,
		"targetPath":       strings.Trim(a.Requests.Path, "/"),
		"title":            "Tenancy request: " + expr("parameters.name"),
		"commitMessage":    "Add tenant " + expr("parameters.name"),
		"description": "Requested from the developer portal by " + expr("user.ref") + ".\n\n" +
			expr("parameters.description") + "\n\nOnce merged, the platform pipeline provisions the tenant.",
	}
	if len(a.Requests.TeamReviewers) > 0 {
		publish["teamReviewers"] = append([]string(nil), a.Requests.TeamReviewers...)
	}
	tmpl := backstage.Entity{
		APIVersion: "scaffolder.backstage.io/v1beta3",
		Kind:       "Template",
		Metadata: backstage.Metadata{
			Name:  TemplateName,
			Title: "Request a tenancy",
			Description: "Request a new tenancy on the Core Platform: this opens a pull request adding the tenant's " +
				"definition to " + p.repo.Slug() + "; once merged, the tenant is provisioned. " +
				"To join an existing tenancy instead, open its System page and follow \"Request to join this tenancy\".",
			Tags:  []string{"core-platform", "tenancy"},
			Links: []backstage.Link{{URL: "https://github.com/" + p.repo.Slug(), Title: "Tenants repository"}},
		},
		Spec: templateSpec{
			Owner:      a.Requests.Owner,
			Type:       "tenancy",
			Parameters: []schema{tenantPage, accessPage},
			Steps: []templateStep{
				{ID: "render", Name: "Write the tenant definition", Action: "fetch:template",
					Input: map[string]any{"url": "./skeleton", "values": values}},
				{ID: "publish", Name: "Open the pull request", Action: "publish:github:pull-request", Input: publish},
			},
			Output: templateOutput{Links: []backstage.Link{
				{Title: "Pull request", URL: expr("steps.publish.output.remoteUrl")},
			}},
		},
	}
	skeleton, err := SkeletonYAML()
	if err != nil {
		return backstage.Entity{}, "", err
	}
	return tmpl, skeleton, nil
}

func reservedList(a Args) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for n := range reservedNames {
		add(n)
	}
	add(a.Isolation.IngressNamespace)
	for _, ns := range a.Isolation.MonitoringNamespaces {
		add(ns)
	}
	add(a.PortalNamespace)
	add(DefaultPortalNamespace)
	add(a.AdminGroup)
	for _, ns := range a.PlatformNamespaces {
		add(ns)
	}
	for _, ns := range a.ReservedNamespaces {
		if !strings.HasSuffix(ns, "*") {
			add(ns)
		}
	}
	sort.Strings(out)
	return out
}

// SkeletonYAML is the tenant file the template renders: each value is the JSON dump of the
// form's value, which is a valid YAML scalar or sequence, so no answer can inject YAML.
func SkeletonYAML() (string, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode,
		HeadComment: "Tenant definition requested from the developer portal."}
	for _, f := range tenantFields {
		doc.Content = append(doc.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: expr("values." + f + " | dump")})
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
