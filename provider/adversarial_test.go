package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// contribution is a hand-written contribution input, as a program may pass one.
func contribution(name string, config map[string]any, entities ...string) pulumi.Input {
	c := map[string]any{"name": name}
	if config != nil {
		c["config"] = config
	}
	if len(entities) > 0 {
		var list []any
		for _, e := range entities {
			list = append(list, e)
		}
		c["entities"] = list
	}
	return pulumi.Array{pulumi.Any(c)}
}

// livePart is a hand-written contribution input, "extra", whose catalog is live: one part with
// these entities and files.
func livePart(files map[string]any, entities ...string) pulumi.Input {
	part := map[string]any{}
	if len(entities) > 0 {
		var list []any
		for _, e := range entities {
			list = append(list, e)
		}
		part["entities"] = list
	}
	if files != nil {
		part["files"] = files
	}
	return pulumi.Array{pulumi.Any(map[string]any{"name": "extra", "parts": []any{part}})}
}

func githubAuth(env map[string]any) map[string]any {
	return map[string]any{"auth": map[string]any{"providers": map[string]any{"github": map[string]any{"production": env}}}}
}

func resolvers(rs ...map[string]any) map[string]any {
	var list []any
	for _, r := range rs {
		list = append(list, r)
	}
	return map[string]any{"clientId": "x", "clientSecret": "${AUTH_GITHUB_CLIENT_SECRET}", "signIn": map[string]any{"resolvers": list}}
}

// TestAdversarialProviderInputs: crafted component-provider inputs are refused before
// anything is registered, each error naming the input key.
func TestAdversarialProviderInputs(t *testing.T) {
	setPortal := func(key string, v pulumi.Input) inputsFunc {
		return with(tPortal, func(in pulumi.Map, _ pulumi.Resource) { in[key] = v })
	}
	contrib := func(config map[string]any, entities ...string) inputsFunc {
		return setPortal("contributions", contribution("extra", config, entities...))
	}
	tenant := func(name string, edit func(pulumi.Map)) inputsFunc {
		return with(tTenants, func(in pulumi.Map, _ pulumi.Resource) {
			tn := in["tenants"].(pulumi.Array)[0].(pulumi.Map)
			tn["name"] = pulumi.String(name)
			if edit != nil {
				edit(tn)
			}
		})
	}
	cases := []struct {
		name   string
		typ    string
		inputs inputsFunc
		key    string
	}{
		{"guest sign-in in a contribution", tPortal, contrib(map[string]any{"auth": map[string]any{"providers": map[string]any{"guest": map[string]any{}}}}), "contributions[0].config.auth.providers.guest"},
		{"oidc sign-in in a contribution", tPortal, contrib(map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"production": map[string]any{}}}}}), "contributions[0].config.auth.providers.oidc"},
		{"resolver without a catalog user", tPortal, contrib(githubAuth(resolvers(map[string]any{"resolver": "usernameMatchingUserEntityName", "dangerouslyAllowSignInWithoutUserInCatalog": true}))),
			"contributions[0].config.auth.providers.github.production.signIn.resolvers[0].dangerouslyAllowSignInWithoutUserInCatalog"},
		{"login-matching resolver", tPortal, contrib(githubAuth(resolvers(map[string]any{"resolver": "usernameMatchingUserEntityName"}))),
			"contributions[0].config.auth.providers.github.production.signIn.resolvers[0].resolver"},
		{"weak resolver", tPortal, contrib(githubAuth(resolvers(map[string]any{"resolver": "emailLocalPartMatchingUserEntityName"}))),
			"contributions[0].config.auth.providers.github.production.signIn.resolvers[0].resolver"},
		{"no resolver", tPortal, contrib(githubAuth(resolvers())), "contributions[0].config.auth.providers.github.production.signIn.resolvers"},
		{"auth environment", tPortal, contrib(map[string]any{"auth": map[string]any{"environment": "development"}}), "contributions[0].config.auth.environment"},
		{"extra catalog rules", tPortal, contrib(map[string]any{"catalog": map[string]any{"rules": []any{map[string]any{"allow": []any{"Component", "Group"}}}}}), "contributions[0].config.catalog.rules[0].allow[1]"},
		{"template rule", tPortal, contrib(map[string]any{"catalog": map[string]any{"rules": []any{map[string]any{"allow": []any{"Template"}}}}}), "contributions[0].config.catalog.rules[0].allow[0]"},
		{"catalog location", tPortal, contrib(map[string]any{"catalog": map[string]any{"locations": []any{map[string]any{"type": "url", "target": "https://evil.example.com/x.yaml"}}}}), "contributions[0].config.catalog.locations"},
		{"integration to another host", tPortal, contrib(map[string]any{"integrations": map[string]any{"github": []any{map[string]any{"host": "evil.example.com", "token": "${GITHUB_TOKEN}"}}}}), "contributions[0].config.integrations.github[0].host"},
		{"permission off", tPortal, contrib(map[string]any{"permission": map[string]any{"enabled": false}}), "contributions[0].config.permission"},
		{"admin group replaced", tPortal, contrib(map[string]any{"corePlatform": map[string]any{"adminGroup": "group:default/everyone"}}), "contributions[0].config.corePlatform"},
		{"CORS from anywhere", tPortal, contrib(map[string]any{"backend": map[string]any{"cors": map[string]any{"origin": "*"}}}), "contributions[0].config.backend"},
		{"reading the metadata server", tPortal, contrib(map[string]any{"backend": map[string]any{"reading": map[string]any{"allow": []any{map[string]any{"host": "169.254.169.254"}}}}}), "contributions[0].config.backend"},
		{"cluster without TLS verification", tPortal, contrib(map[string]any{"kubernetes": map[string]any{"serviceLocatorMethod": map[string]any{"type": "multiTenant"}, "clusterLocatorMethods": []any{}}}), "contributions[0].config.kubernetes"},
		{"unverified webhook topic", tPortal, contrib(map[string]any{"events": map[string]any{"http": map[string]any{"topics": []any{"github"}}}}), "contributions[0].config"},
		{"webhook secret known to the author", tPortal, contrib(map[string]any{"events": map[string]any{"modules": map[string]any{"github": map[string]any{"webhookSecret": "known-to-the-author"}}}}),
			"contributions[0].config.events.modules.github.webhookSecret"},
		{"techdocs built in the pod", tPortal, contrib(map[string]any{"techdocs": map[string]any{"builder": "local"}}), "contributions[0].config.techdocs.builder"},
		{"app title with a substitution", tPortal, contrib(map[string]any{"app": map[string]any{"title": "${POSTGRES_PASSWORD}"}}), "contributions[0].config.app.title"},
		{"forged admin group", tPortal, contrib(nil, "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform-team\nspec:\n  type: team\n  children: []\n"), "contributions[0].entities[0].metadata.name"},
		{"group with members", tPortal, contrib(nil, "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: payments\nspec:\n  type: team\n  children: []\n  members: [mallory]\n"), "contributions[0].entities[0].spec.members"},
		{"user entity", tPortal, contrib(nil, "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: mallory\nspec:\n  memberOf: [platform-team]\n"), "contributions[0].entities[0].kind"},
		{"location entity", tPortal, contrib(nil, "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: evil\nspec:\n  target: https://evil.example.com/org.yaml\n"), "contributions[0].entities[0].kind"},
		{"template from another contribution", tPortal, contrib(nil, "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: evil\nspec:\n  type: service\n"), "contributions[0].entities[0].kind"},
		{"user entity in a live part", tPortal, setPortal("contributions", livePart(nil, "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: mallory\nspec:\n  memberOf: [platform-team]\n")),
			"contributions[0].parts[0].entities[0].kind"},
		{"template in another contribution's live part", tPortal, setPortal("contributions", livePart(nil, "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: evil\nspec:\n  type: service\n")),
			"contributions[0].parts[0].entities[0].kind"},
		{"live part file escaping its directory", tPortal, setPortal("contributions", livePart(map[string]any{"../../etc/backstage/app-config.yaml": "x"})),
			"contributions[0].parts[0].files.../../etc/backstage/app-config.yaml"},
		{"live part file standing in for an entity file", tPortal, setPortal("contributions", livePart(map[string]any{"part-7.yaml": "kind: Location"})),
			"contributions[0].parts[0].files.part-7.yaml"},
		{"extraAppConfig sign-in", tPortal, setPortal("extraAppConfig", pulumi.Map{"auth": pulumi.Map{"providers": pulumi.Map{"guest": pulumi.Map{}}}}), "extraAppConfig.auth"},
		{"extraAppConfig include", tPortal, setPortal("extraAppConfig", pulumi.Map{"$include": pulumi.String("/etc/passwd")}), "extraAppConfig.$include"},
		{"title with a substitution", tPortal, setPortal("title", pulumi.String("${POSTGRES_PASSWORD}")), "title"},
		{"image by URL", tPortal, setPortal("image", pulumi.String("https://ghcr.io/x/y:1")), "image"},
		{"tenant named developer-portal without portalNamespace", tTenants, func(upstream pulumi.Resource) pulumi.Map {
			in := tenant("developer-portal", nil)(upstream)
			delete(in, "portalNamespace")
			return in
		}, "tenants[0]: name"},
		{"tenant access without the admin group", tTenants, with(tTenants, func(in pulumi.Map, _ pulumi.Resource) {
			delete(in, "adminGroup")
		}), "adminGroup"},
		{"forged tenants contribution pushing to a branch", tPortal, setPortal("contributions", contribution("tenants", nil,
			"apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: evil\nspec:\n  type: service\n  steps:\n  - id: push\n    action: github:repo:push\n    input: {repoUrl: 'github.com?owner=cecg&repo=developer-portal'}\n")),
			"contributions[0].entities[0].spec.steps[0].action"},
		{"forged tenants contribution creating a repository", tPortal, setPortal("contributions", contribution("tenants", nil,
			"apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: evil\nspec:\n  type: service\n  steps:\n  - id: fetch\n    action: fetch:template\n    input: {url: ./skeleton}\n  - id: create\n    action: publish:github\n    input: {repoUrl: 'github.com?owner=cecg&repo=x'}\n")),
			"contributions[0].entities[0].spec.steps[1].action"},
		{"forged tenants contribution rendering remote files", tPortal, setPortal("contributions", contribution("tenants", nil,
			"apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: evil\nspec:\n  type: service\n  steps:\n  - id: fetch\n    action: fetch:template\n    input: {url: 'https://evil.example.com/skeleton'}\n")),
			"contributions[0].entities[0].spec.steps[0].input.url"},
		{"tenancy System named after the ingress controller's namespace", tPortal, contrib(nil,
			"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: platform-ingress\nspec:\n  owner: group:default/platform-team\n"),
			"contributions[0].entities[0].metadata.name"},
		{"tenancy Group named after the portal's namespace", tPortal, contrib(nil,
			"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: developer-portal\nspec:\n  type: team\n  children: []\n"),
			"contributions[0].entities[0].metadata.name"},
		{"entity pointing the Kubernetes plugin at the portal's namespace", tPortal, contrib(nil,
			"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: lookalike\n  annotations:\n    backstage.io/kubernetes-namespace: developer-portal\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/platform-team\n"),
			"contributions[0].entities[0].metadata.annotations.backstage.io/kubernetes-namespace"},
		{"tenant named after the admin group", tTenants, tenant("platform-team", nil), "tenants[0]: name"},
		{"tenant named after a given admin group", tTenants, func(upstream pulumi.Resource) pulumi.Map {
			in := tenant("portal-admins", nil)(upstream)
			in["adminGroup"] = pulumi.String("portal-admins")
			return in
		}, "tenants[0]: name"},
		{"tenant listing the portal's repository", tTenants, func(upstream pulumi.Resource) pulumi.Map {
			in := tenant("grabber", func(tn pulumi.Map) {
				tn["repos"] = pulumi.ToStringArray([]string{"https://github.com/cecg/developer-portal"})
			})(upstream)
			in["portalRepository"] = pulumi.String("cecg/developer-portal")
			return in
		}, "tenants[0]: repos[0]"},
		{"tenant listing the tenants repository", tTenants, tenant("grabber", func(tn pulumi.Map) {
			tn["repos"] = pulumi.ToStringArray([]string{"https://github.com/cecg/environments"})
		}), "tenants[0]: repos[0]"},
		{"token in a tenant description", tTenants, tenant("leaky", func(tn pulumi.Map) {
			tn["description"] = pulumi.String("xoxb-1234567890123-1234567890123-aB3dE5gH7jK9mN1pQ3sT5vW7")
		}), "tenants[0]: description"},
		{"LimitRange default above max", tTenants, with(tTenants, func(in pulumi.Map, _ pulumi.Resource) {
			in["limitRange"] = pulumi.Map{"defaultCpu": pulumi.String("8"), "maxCpu": pulumi.String("4")}
		}), "limitRange.defaultCpu"},
		{"invalid target branch", tTenants, with(tTenants, func(in pulumi.Map, _ pulumi.Resource) {
			in["requests"] = pulumi.Map{"repository": pulumi.String("cecg/environments"), "targetBranch": pulumi.String("main.lock")}
		}), "requests.targetBranch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := constructWith(tc.typ, tc.inputs)
			if c.err == nil {
				t.Fatal("the provider accepted the input")
			}
			if !strings.Contains(c.err.Error(), tc.key+":") {
				t.Errorf("the error does not name %s:\n%v", tc.key, c.err)
			}
			if c.registered(tc.typ) {
				t.Error("the component was registered before the rejection")
			}
		})
	}
}
