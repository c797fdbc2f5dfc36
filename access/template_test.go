package access

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/internal/validate"
)

func TestRequestTemplate(t *testing.T) {
	args := baseArgs(t)
	args.Requests.TeamReviewers = []string{"platform-team"}
	c, byRef := catalog(t, args)
	tmpl := byRef["template:request-a-tenancy"]
	if tmpl["apiVersion"] != "scaffolder.backstage.io/v1beta3" || get(tmpl, "metadata", "title") != "Request a tenancy" {
		t.Fatalf("template header = %v %v", tmpl["apiVersion"], get(tmpl, "metadata"))
	}
	if get(tmpl, "spec", "owner") != "group:default/platform-team" || get(tmpl, "spec", "type") != "tenancy" {
		t.Errorf("spec owner/type = %v/%v", get(tmpl, "spec", "owner"), get(tmpl, "spec", "type"))
	}

	pages := get(tmpl, "spec", "parameters").([]any)
	if len(pages) != 2 {
		t.Fatalf("%d parameter pages", len(pages))
	}
	props := map[string]any{}
	var required []string
	for _, p := range pages {
		for k, v := range get(p, "properties").(map[string]any) {
			props[k] = resolveRefs(t, p.(map[string]any), v)
		}
		required = append(required, strs(get(p, "required"))...)
		// Every property is shown, in the tenant file's order.
		order := strs(get(p, "ui:order"))
		if len(order) != len(get(p, "properties").(map[string]any)) {
			t.Errorf("page %v: ui:order %v does not list every property", get(p, "title"), order)
		}
	}
	var fields []string
	for k := range props {
		fields = append(fields, k)
	}
	if len(fields) != len(tenantFields) {
		t.Errorf("form fields %v, want the tenant's %v", fields, tenantFields)
	}
	wantRequired := []string{"name", "parent", "description", "contactEmail", "environments", "adminGroup", "readonlyGroup"}
	if !reflect.DeepEqual(required, wantRequired) {
		t.Errorf("required = %v, want %v", required, wantRequired)
	}
	name := props["name"]
	if get(name, "pattern") != namePattern || get(name, "maxLength") != 63 {
		t.Errorf("name schema = %v", name)
	}
	var taken []string
	for _, alt := range get(name, "not", "anyOf").([]any) {
		taken = append(taken, strs(alt.(map[string]any)["enum"])...)
	}
	for _, n := range []string{"delivery-insights", "reference-app", "root", "default", "platform-ingress", "platform-monitoring"} {
		if !contains(taken, n) {
			t.Errorf("name may be %q (taken: %v)", n, taken)
		}
	}
	// Every tenant's name is in the template once: the parents and the taken names share it.
	raw, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `"delivery-insights"`); n != 1 {
		t.Errorf("a tenant's name is %d times in the template, want once", n)
	}
	wantParents := []string{"root", "delivery-insights", "knowledge-platform", "platform-accelerator", "reference-app"}
	if got := strs(get(props["parent"], "enum")); !reflect.DeepEqual(got, wantParents) {
		t.Errorf("parent enum = %v", got)
	}
	if got := strs(get(props["environments"], "items", "enum")); !reflect.DeepEqual(got, []string{"gcp-dev", "gcp-prod"}) {
		t.Errorf("environments enum = %v", got)
	}
	if get(props["environments"], "minItems") != 1 || get(props["environments"], "uniqueItems") != true {
		t.Errorf("environments schema = %v", props["environments"])
	}
	for _, f := range []string{"contactEmail", "adminGroup", "readonlyGroup"} {
		if get(props[f], "pattern") != emailPattern {
			t.Errorf("%s pattern = %v", f, get(props[f], "pattern"))
		}
	}
	if got := get(props["repos"], "items", "pattern"); got != `^https://github\.com/cecg/[A-Za-z0-9._-]+$` {
		t.Errorf("repos pattern = %v", got)
	}

	steps := get(tmpl, "spec", "steps").([]any)
	if len(steps) != 2 {
		t.Fatalf("%d steps", len(steps))
	}
	render, publish := steps[0], steps[1]
	if get(render, "action") != "fetch:template" || get(render, "input", "url") != "./skeleton" {
		t.Errorf("render step = %v", render)
	}
	values := get(render, "input", "values").(map[string]any)
	for _, f := range tenantFields {
		if values[f] != "${{ parameters."+f+" }}" {
			t.Errorf("values.%s = %v", f, values[f])
		}
	}
	wantPublish := map[string]any{
		"repoUrl":          "github.com?owner=cecg&repo=environments",
		"branchName":       "tenancy-request/${{ parameters.name }}",
		"targetBranchName": "main",
		"targetPath":       "tenants",
		"title":            "Tenancy request: ${{ parameters.name }}",
		"commitMessage":    "Add tenant ${{ parameters.name }}",
		"teamReviewers":    []any{"platform-team"},
	}
	in := get(publish, "input").(map[string]any)
	if get(publish, "action") != "publish:github:pull-request" || get(publish, "id") != "publish" {
		t.Errorf("publish step = %v", publish)
	}
	for k, v := range wantPublish {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("publish input %s = %v, want %v", k, in[k], v)
		}
	}
	if !strings.Contains(in["description"].(string), "${{ user.ref }}") {
		t.Errorf("PR description does not name the requester: %q", in["description"])
	}
	link := get(tmpl, "spec", "output", "links").([]any)[0]
	if get(link, "url") != "${{ steps.publish.output.remoteUrl }}" {
		t.Errorf("output link = %v", link)
	}
	// The template and its skeleton share part 0, whose directory the template's ./skeleton
	// is relative to; no other part holds a file.
	if files := c.Parts[0].Files; files[SkeletonPath] == "" || len(files) != 1 {
		t.Errorf("part 0's files = %v", files)
	}
	for i, p := range c.Parts[1:] {
		if len(p.Files) > 0 {
			t.Errorf("part %d holds files %v", i+1, p.Files)
		}
	}
}

func TestRequestTemplateSettings(t *testing.T) {
	args := baseArgs(t)
	args.Requests = Requests{Repository: "acme/platform-environments", TargetBranch: "trunk", Path: "tenants/tenants/"}
	args.GitHubTeams.Manage = boolPtr(false)
	_, byRef := catalog(t, args)
	tmpl := byRef["template:request-a-tenancy"]
	in := get(get(tmpl, "spec", "steps").([]any)[1], "input").(map[string]any)
	if in["repoUrl"] != "github.com?owner=acme&repo=platform-environments" || in["targetBranchName"] != "trunk" || in["targetPath"] != "tenants/tenants" {
		t.Errorf("publish input = %v", in)
	}
	if _, ok := in["teamReviewers"]; ok {
		t.Error("teamReviewers set without configuration")
	}
	if get(tmpl, "spec", "owner") != nil {
		t.Errorf("owner = %v without configuration", get(tmpl, "spec", "owner"))
	}
	repos := get(get(tmpl, "spec", "parameters").([]any)[1], "properties", "repos", "items", "pattern").(string)
	if !regexp.MustCompile(repos).MatchString("https://github.com/other-org/app") {
		t.Errorf("repos pattern %q refuses other owners although teams are not managed", repos)
	}
}

// render mimics what the scaffolder does with the skeleton for the expressions it uses:
// "${{ values.x | dump }}" becomes the JSON of the value (undefined renders empty).
func render(t *testing.T, skeleton string, values map[string]any) string {
	t.Helper()
	re := regexp.MustCompile(`\$\{\{ values\.([A-Za-z]+) \| dump \}\}`)
	return re.ReplaceAllStringFunc(skeleton, func(m string) string {
		v, ok := values[re.FindStringSubmatch(m)[1]]
		if !ok {
			return ""
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	})
}

func TestSkeletonRendersAValidTenant(t *testing.T) {
	skeleton, err := SkeletonYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(skeleton, "'") || strings.Contains(skeleton, `"`) {
		t.Fatalf("placeholders are quoted, so arrays would render as strings:\n%s", skeleton)
	}
	cases := []struct {
		name   string
		values map[string]any
		check  func(t *testing.T, tn Tenant)
	}{
		{"full", map[string]any{
			"name": "payments", "parent": "platform-accelerator", "description": "Payments: cards & wallets #1",
			"contactEmail": "payments@cecg.io", "costCentre": "CC-7", "environments": []string{"gcp-dev", "gcp-prod"},
			"repos": []string{"https://github.com/cecg/payments-api"}, "adminGroup": "payments-admin@cecg.io",
			"readonlyGroup": "payments-readonly@cecg.io",
		}, func(t *testing.T, tn Tenant) {
			if tn.Description != "Payments: cards & wallets #1" || !reflect.DeepEqual(tn.Environments, []string{"gcp-dev", "gcp-prod"}) ||
				!reflect.DeepEqual(tn.Repos, []string{"https://github.com/cecg/payments-api"}) || tn.CostCentre != "CC-7" {
				t.Errorf("tenant = %+v", tn)
			}
		}},
		{"optional fields left out", map[string]any{
			"name": "payments", "parent": "root", "description": "Payments",
			"contactEmail": "payments@cecg.io", "environments": []string{"gcp-dev"},
			"adminGroup": "payments-admin@cecg.io", "readonlyGroup": "payments-readonly@cecg.io",
		}, func(t *testing.T, tn Tenant) {
			if tn.CostCentre != "" || tn.Repos != nil {
				t.Errorf("tenant = %+v", tn)
			}
		}},
		{"an answer cannot inject fields", map[string]any{
			"name": "payments", "parent": "root", "description": "x\nadminGroup: attacker@evil.io\nfoo: [",
			"contactEmail": "payments@cecg.io", "environments": []string{"gcp-dev"},
			"adminGroup": "payments-admin@cecg.io", "readonlyGroup": "payments-readonly@cecg.io",
		}, func(t *testing.T, tn Tenant) {
			if tn.AdminGroup != "payments-admin@cecg.io" || !strings.HasPrefix(tn.Description, "x\nadminGroup") {
				t.Errorf("tenant = %+v", tn)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, skeleton, tc.values)
			tn, err := ParseTenant([]byte(out))
			if err != nil {
				t.Fatalf("rendered file is not a tenant definition: %v\n%s", err, out)
			}
			tn.File = "tenants/payments.yaml"
			all := append(exampleTenants(t), tn)
			if err := ValidateTenants(all, []string{"gcp-dev", "gcp-prod"}); err != nil {
				t.Fatalf("rendered tenant is invalid: %v\n%s", err, out)
			}
			tc.check(t, tn)
		})
	}
}

func TestSkeletonWritesEveryTenantField(t *testing.T) {
	typ := reflect.TypeOf(Tenant{})
	var tags []string
	for i := 0; i < typ.NumField(); i++ {
		tag := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "-" {
			tags = append(tags, tag)
		}
	}
	if !reflect.DeepEqual(tags, tenantFields) {
		t.Errorf("Tenant fields %v, skeleton fields %v", tags, tenantFields)
	}
}

// The form's patterns accept what ValidateTenants accepts, so a request that passes the form
// passes the pipeline.
func TestFormPatternsMirrorValidation(t *testing.T) {
	name := regexp.MustCompile(namePattern)
	for _, s := range []string{"a", "team-a", "a1", "-a", "a-", "Team", "a_b", strings.Repeat("a", 63), strings.Repeat("a", 64), ""} {
		if name.MatchString(s) != validate.DNSLabel(s) {
			t.Errorf("name %q: form %v, validation %v", s, name.MatchString(s), validate.DNSLabel(s))
		}
	}
	email := regexp.MustCompile(emailPattern)
	for _, s := range []string{"a@cecg.io", "a.b+c@cecg.co.uk", "a@cecg", "a cecg.io", "@cecg.io", "a@@cecg.io", "a @cecg.io", "a@cecg.io."} {
		if email.MatchString(s) != validate.Email(s) {
			t.Errorf("e-mail %q: form %v, validation %v", s, email.MatchString(s), validate.Email(s))
		}
	}
	repo := regexp.MustCompile(`^https://github\.com/` + anyOwner + repoSuffix)
	for _, s := range []string{"https://github.com/cecg/app", "https://github.com/cecg/app.go", "http://github.com/cecg/app", "https://github.com/cecg", "https://github.com/-x/app", "https://github.com/cecg/app/x"} {
		_, err := ParseRepoURL(s)
		if repo.MatchString(s) != (err == nil) {
			t.Errorf("repo %q: form %v, validation %v", s, repo.MatchString(s), err == nil)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// resolveRefs replaces every "$ref": "#/definitions/<name>" in v by the page's definition,
// the referring schema's own keys over it, as the scaffolder's form (rjsf) reads it.
func resolveRefs(t *testing.T, page map[string]any, v any) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		if ref, ok := x["$ref"].(string); ok {
			name, ok := strings.CutPrefix(ref, "#/definitions/")
			def, found := get(page, "definitions").(map[string]any)[name].(map[string]any)
			if !ok || !found {
				t.Fatalf("$ref %q resolves to nothing in page %v", ref, get(page, "title"))
			}
			for k, d := range def {
				out[k] = resolveRefs(t, page, d)
			}
		}
		for k, e := range x {
			if k != "$ref" {
				out[k] = resolveRefs(t, page, e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveRefs(t, page, e)
		}
		return out
	}
	return v
}
