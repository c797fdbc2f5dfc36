package backstage

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// The app-config the components generate decides who signs in, who is an admin, what the
// catalog trusts, where credentials go and what the browser loads. Configuration from outside
// the components — the operator's extraAppConfig, and a contribution handed to the portal as
// data (the component provider decodes them from its `contributions` input, so a program can
// write one by hand) — may add keys only under the extension points below. It is an
// allow-list: a key Backstage or a plugin gains tomorrow is refused until it is listed here,
// with the reason it is safe.

// ExtensionPoint is an app-config path under which configuration from outside the components
// may set keys, and why doing so cannot open the portal.
type ExtensionPoint struct {
	Path string
	Why  string
}

// ExtensionPoints are the app-config paths extraAppConfig (and any contribution) may set.
func ExtensionPoints() []ExtensionPoint {
	return []ExtensionPoint{
		{"app.support", "the support link and items on the error pages: text and URLs shown to signed-in users; " +
			"they reach the browser, so they take no ${VAR} substitution or $include"},
		{"scaffolder.defaultAuthor", "the name and e-mail of the commits templates make"},
		{"scaffolder.defaultCommitMessage", "the message of the commits templates make"},
		{"techdocs.cache", "how long the backend caches TechDocs pages (ttl, readTimeout)"},
	}
}

// ComponentExtensionPoints are the paths a contribution may set besides ExtensionPoints: the
// sections the GitHub and TechDocs components own. What a contribution may put there is
// checked value by value (CheckContribution), because a contribution can be hand-written.
func ComponentExtensionPoints() []ExtensionPoint {
	return []ExtensionPoint{
		{"integrations.github", "the GitHub integration: host github.com only, credentials as ${VAR} references"},
		{"catalog.providers.github", "repository discovery in the organisation"},
		{"catalog.providers.githubOrg", "the organisation sync: users and teams from GitHub"},
		{"catalog.rules", "the kinds discovered catalog files may hold: only " + strings.Join(DiscoverableKinds(), ", ")},
		{"auth.environment", "the sign-in environment: " + authEnvironment},
		{"auth.providers.github", "GitHub sign-in, with a resolver that requires a catalog user: " + strings.Join(SignInResolvers(), ", ")},
		{"events.modules.github.webhookSecret", "the secret the GitHub App's webhook deliveries are verified with: only as a ${VAR} reference to the portal's Secret; " +
			"unsigned or wrongly signed deliveries are refused, and without it the portal opens no webhook endpoint"},
		{"techdocs.builder", "external only: documentation is built in CI, never by the portal from a repository"},
		{"techdocs.publisher", "the bucket the portal reads documentation from, with the pod's workload identity"},
		{"techdocs.generator", "how documentation would be generated (unused with the external builder)"},
	}
}

// authEnvironment is the one auth environment the components configure.
const authEnvironment = "production"

// DiscoverableKinds are the entity kinds a catalog rule from a contribution may allow: none
// can take the ref of a tenancy's System, forge a synced team or user, or publish a template.
func DiscoverableKinds() []string { return []string{"Component", "API", "Resource", "Location"} }

// SignInResolvers are the GitHub sign-in resolvers a contribution may configure: each signs in
// only a user the catalog already holds, matched by the immutable GitHub account ID the
// organisation sync records. The login-matching resolver is not among them: a login freed by a
// rename can be registered by someone else, who would sign in as the old catalog user.
func SignInResolvers() []string {
	return []string{"userIdMatchingUserEntityAnnotation"}
}

// githubAuthKeys are the keys of auth.providers.github.<environment>.
var githubAuthKeys = []string{"clientId", "clientSecret", "signIn"}

// ContributionPolicy is what the checks of a contribution need to know about the portal.
type ContributionPolicy struct {
	// AdminGroup is the team slug of the portal's admin group: no contribution may declare it.
	AdminGroup string
	// TemplateContributions names the contributions that may publish templates (the tenancy
	// request's).
	TemplateContributions []string
	// OwnedNamespaces are the namespaces the portal runs in or admits traffic from: no
	// contributed System or Group takes one's name, and no entity points the Kubernetes plugin
	// at one (a tenancy named after it would get admin there).
	OwnedNamespaces []string
}

// TemplateActions are the scaffolder actions a contributed Template may run: rendering its own
// skeleton and opening a pull request, which a second person reviews before anything changes.
// Actions that push, create repositories or call APIs with the portal's credentials are not
// among them, whichever contribution publishes the Template.
func TemplateActions() []string { return []string{"fetch:template", "publish:github:pull-request"} }

// contributionKinds are the entity kinds a contribution may bring; Group and Template only
// under the conditions CheckContribution states. Users come from the organisation sync only,
// and a Location would make the catalog read more than the components generate.
var contributionKinds = []string{"System", "Component", "API", "Resource", "Domain", "Group", "Template"}

// CheckExtraAppConfig records a problem for every key of extraAppConfig outside
// ExtensionPoints, at its path under prefix.
func CheckExtraAppConfig(errs *validate.Errors, prefix string, m map[string]any) {
	checkAllowed(errs, prefix, "", m, pathSet(ExtensionPoints()))
}

// CheckContribution records a problem for every part of a contribution outside what the
// components may contribute: config keys outside the extension points (ExtensionPoints and
// ComponentExtensionPoints), values there that open the portal (a sign-in resolver that does
// not require a catalog user, a catalog rule allowing Group, User or Template, an integration
// host other than github.com, a builder other than external), and entities of other kinds, a
// Group named after the admin group or listing members, or a Template from a contribution not
// allowed to publish one. Paths start at prefix ("contributions[0]").
func CheckContribution(errs *validate.Errors, prefix string, c Contribution, policy ContributionPolicy) {
	config, err := Generic(c.Config)
	if err != nil {
		errs.Add(validate.Join(prefix, "config"), "cannot be marshalled: %v", err)
		return
	}
	cp := validate.Join(prefix, "config")
	allowed := pathSet(append(ExtensionPoints(), ComponentExtensionPoints()...))
	checkAllowed(errs, cp, "", config, allowed)
	checkComponentValues(errs, cp, config)
	for i, e := range c.Entities {
		checkEntity(errs, validate.Index(validate.Join(prefix, "entities"), i), c.Name, e, policy)
	}
	for j, part := range c.Parts {
		pp := validate.Index(validate.Join(prefix, "parts"), j)
		for i, e := range part.Entities {
			checkEntity(errs, validate.Index(validate.Join(pp, "entities"), i), c.Name, e, policy)
		}
	}
}

func pathSet(points []ExtensionPoint) map[string]bool {
	out := make(map[string]bool, len(points))
	for _, p := range points {
		out[p.Path] = true
	}
	return out
}

// checkAllowed walks m (at config path at) and reports each key that is neither an allowed
// path nor on the way to one. Below an allowed path, only the includes are refused: $file,
// $env and $include read the pod's files and environment into the configuration.
func checkAllowed(errs *validate.Errors, prefix, at string, m map[string]any, allowed map[string]bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := validate.Join(at, k)
		switch {
		case isInclude(k):
			errs.Add(validate.Join(prefix, p), "%s is owned by the components: it reads the pod's files or environment into the configuration", k)
		case allowed[p]:
			checkNoIncludes(errs, validate.Join(prefix, p), m[k])
		case leadsTo(p, allowed):
			if sub, ok := m[k].(map[string]any); ok {
				checkAllowed(errs, prefix, p, sub, allowed)
			} else {
				errs.Add(validate.Join(prefix, p), "is owned by the components; only these keys may be set: %s", strings.Join(under(p, allowed), ", "))
			}
		default:
			errs.Add(validate.Join(prefix, p), "is owned by the components and cannot be set here (extension points: %s)", strings.Join(slices.Sorted(maps.Keys(allowed)), ", "))
		}
	}
}

func isInclude(k string) bool { return k == "$file" || k == "$env" || k == "$include" }

func leadsTo(p string, allowed map[string]bool) bool { return len(under(p, allowed)) > 0 }

func under(p string, allowed map[string]bool) []string {
	var out []string
	for a := range allowed {
		if strings.HasPrefix(a, p+".") {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

func checkNoIncludes(errs *validate.Errors, path string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if isInclude(k) {
				errs.Add(validate.Join(path, k), "%s is owned by the components: it reads the pod's files or environment into the configuration", k)
				continue
			}
			checkNoIncludes(errs, validate.Join(path, k), t[k])
		}
	case []any:
		for i, e := range t {
			checkNoIncludes(errs, validate.Index(path, i), e)
		}
	}
}

// checkComponentValues checks what a contribution sets in the components' sections.
func checkComponentValues(errs *validate.Errors, cp string, config map[string]any) {
	doc := Document(config)
	if v, ok := doc.Get("integrations.github"); ok {
		list, _ := v.([]any)
		for i, e := range list {
			entry, _ := e.(map[string]any)
			if host, _ := entry["host"].(string); host != "github.com" {
				errs.Add(validate.Index(validate.Join(cp, "integrations.github"), i)+".host", "must be github.com: the integration's credentials would be sent to another host")
			}
		}
	}
	if v, ok := doc.Get("catalog.rules"); ok {
		list, _ := v.([]any)
		for i, e := range list {
			rule, _ := e.(map[string]any)
			kinds, _ := rule["allow"].([]any)
			for j, k := range kinds {
				if s, _ := k.(string); !validate.OneOf(s, DiscoverableKinds()...) {
					errs.Add(validate.Index(validate.Index(validate.Join(cp, "catalog.rules"), i)+".allow", j),
						"a discovered catalog file may not hold this kind (allowed: %s): it could forge a team, a user or a template", strings.Join(DiscoverableKinds(), ", "))
				}
			}
		}
	}
	if v, ok := doc.Get("auth.environment"); ok && v != authEnvironment {
		errs.Add(validate.Join(cp, "auth.environment"), "must be %s", authEnvironment)
	}
	if v, ok := doc.Get("auth.providers.github"); ok {
		envs, _ := v.(map[string]any)
		for _, env := range slices.Sorted(maps.Keys(envs)) {
			checkGitHubAuth(errs, validate.Join(cp, "auth.providers.github", env), envs[env])
		}
	}
	if v, ok := doc.Get("events.modules.github.webhookSecret"); ok {
		if s, _ := v.(string); !validate.IsReference(s) {
			errs.Add(validate.Join(cp, "events.modules.github.webhookSecret"), "must be a ${VAR} reference to the portal's Secret: a literal would put the secret in the configuration")
		}
	}
	if v, ok := doc.Get("techdocs.builder"); ok && v != "external" {
		errs.Add(validate.Join(cp, "techdocs.builder"), "must be external: the portal never builds documentation from a repository's content")
	}
}

func checkGitHubAuth(errs *validate.Errors, p string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		errs.Add(p, "must be a map of %s", strings.Join(githubAuthKeys, ", "))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !validate.OneOf(k, githubAuthKeys...) {
			errs.Add(validate.Join(p, k), "is not a key the GitHub sign-in may set (%s)", strings.Join(githubAuthKeys, ", "))
		}
	}
	signIn, _ := m["signIn"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(signIn)) {
		if k != "resolvers" {
			errs.Add(validate.Join(p, "signIn", k), "is not a key the GitHub sign-in may set (resolvers)")
		}
	}
	resolvers, _ := signIn["resolvers"].([]any)
	if len(resolvers) == 0 {
		errs.Add(validate.Join(p, "signIn.resolvers"), "is required: one of %s", strings.Join(SignInResolvers(), ", "))
	}
	for i, r := range resolvers {
		rp := validate.Index(validate.Join(p, "signIn.resolvers"), i)
		entry, _ := r.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(entry)) {
			if k != "resolver" {
				errs.Add(validate.Join(rp, k), "is not an option a resolver may take here: every sign-in needs a user in the catalog")
			}
		}
		if name, _ := entry["resolver"].(string); !validate.OneOf(name, SignInResolvers()...) {
			errs.Add(validate.Join(rp, "resolver"), "must be one of %s: each signs in only a user the organisation sync put in the catalog", strings.Join(SignInResolvers(), ", "))
		}
	}
}

func checkEntity(errs *validate.Errors, p, contribution string, e Entity, policy ContributionPolicy) {
	switch {
	case !validate.OneOf(e.Kind, contributionKinds...):
		errs.Add(p+".kind", "a contribution may not declare a %s (allowed: %s): users come from the organisation sync, and a Location would make the catalog read more",
			kindName(e.Kind), strings.Join(contributionKinds, ", "))
	case e.Kind == "Group":
		if strings.EqualFold(e.Metadata.Name, policy.AdminGroup) {
			errs.Add(p+".metadata.name", "is the portal's admin group: only the organisation sync may declare it")
		}
		spec, _ := Generic(map[string]any{"spec": e.Spec})
		if s, _ := spec["spec"].(map[string]any); s != nil && s["members"] != nil {
			errs.Add(p+".spec.members", "a contributed Group cannot list members: membership comes from GitHub")
		}
	case e.Kind == "Template" && !slices.Contains(policy.TemplateContributions, contribution):
		errs.Add(p+".kind", "a Template runs actions with the portal's GitHub credentials: only %s may publish one", strings.Join(policy.TemplateContributions, ", "))
	case e.Kind == "Template":
		checkTemplateSteps(errs, p, e)
	}
	if e.Kind == "System" || e.Kind == "Group" {
		if slices.Contains(policy.OwnedNamespaces, e.Metadata.Name) {
			errs.Add(p+".metadata.name", "is a namespace the portal runs in or admits traffic from: no tenancy may take it")
		}
	}
	if ns := e.Metadata.Annotations[AnnotationKubernetesNamespace]; slices.Contains(policy.OwnedNamespaces, ns) {
		errs.Add(p+".metadata.annotations."+AnnotationKubernetesNamespace, "is a namespace the portal runs in or admits traffic from: no contributed entity may claim it")
	}
}

// checkTemplateSteps allows a contributed Template only the TemplateActions, and fetch:template
// only from the contribution's own files (a relative "./" URL), so what it renders is what was
// reviewed with the stack.
func checkTemplateSteps(errs *validate.Errors, p string, e Entity) {
	spec, _ := Generic(map[string]any{"spec": e.Spec})
	s, _ := spec["spec"].(map[string]any)
	steps, _ := s["steps"].([]any)
	for i, raw := range steps {
		sp := validate.Index(p+".spec.steps", i)
		step, _ := raw.(map[string]any)
		action, _ := step["action"].(string)
		if !validate.OneOf(action, TemplateActions()...) {
			errs.Add(sp+".action", "a contributed Template may only run %s: anything else acts with the portal's GitHub credentials without review", strings.Join(TemplateActions(), ", "))
			continue
		}
		if action != "fetch:template" {
			continue
		}
		input, _ := step["input"].(map[string]any)
		if u, _ := input["url"].(string); !strings.HasPrefix(u, "./") || strings.Contains(u, "..") {
			errs.Add(sp+".input.url", "must be a relative \"./\" path inside the contribution's own files")
		}
	}
}

// kindName is an entity kind fit for an error message: a kind is short and never a secret,
// but an attacker's value is not echoed unbounded.
func kindName(kind string) string {
	if !validate.EntityRef(kind) || len(kind) > 32 {
		return "kind other than these"
	}
	return fmt.Sprintf("%q", kind)
}
