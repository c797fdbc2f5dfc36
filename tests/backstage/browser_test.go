package backstagee2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/portal"
	"gopkg.in/yaml.v3"
)

// browserStackFile is the environment the browser test signs in to (AWS, so that the
// generated configuration has the TechDocs S3 publisher; see the file's header).
const browserStackFile = "testdata/Pulumi.browser.yaml"

// The members of the test's GitHub organisation: an administrator of the portal (a member of
// corePlatform.adminGroup) and a tenant's developer.
const (
	adminLogin  = "alice"
	memberLogin = "bob"
)

// TestPortalInBrowser drives the portal as its users see it, in a real headless Chromium:
// the frontend and backend of app/ on the configuration the stack generates, PostgreSQL 15
// over TLS, the Kubernetes API server (the real-engine suite's, with the stack applied, when
// KUBE_API_URL is given), the Core Platform docs generated and published with the commands of
// .github/workflows/techdocs.yml to an S3-compatible store on loopback, and GitHub sign-in
// through the real OAuth flow against a loopback stand-in for GitHub.
//
// Each scenario asserts on what the page shows and saves a screenshot (SCREENSHOT_DIR;
// .ci/run keeps them under artifacts/screenshots), rejected when blank or an error page.
//
// Environment (besides the Backstage test's): BROWSER_E2E=1 to run, CHROMIUM (default
// /usr/bin/chromium), TECHDOCS_CLI (the installed @techdocs/cli package directory; .ci/backstage
// env prints it), SCREENSHOT_DIR.
func TestPortalInBrowser(t *testing.T) {
	if os.Getenv("BROWSER_E2E") != "1" {
		t.Skip("set BROWSER_E2E=1 (the real-engine suite, .ci/e2e, does) to drive the portal in Chromium")
	}
	start := time.Now()
	nodeBin := envOr("BACKSTAGE_NODE", "node")
	pgBin := envOr("PG_BIN", "/usr/lib/postgresql/15/bin")
	chromium := envOr("CHROMIUM", "/usr/bin/chromium")
	cli := techdocsCLI{node: nodeBin, pkgDir: os.Getenv("TECHDOCS_CLI")}
	if cli.pkgDir == "" {
		t.Fatal("TECHDOCS_CLI is not set: run `.ci/backstage install` and `eval \"$(.ci/backstage env)\"`")
	}
	screenshots := envOr("SCREENSHOT_DIR", filepath.Join(t.TempDir(), "screenshots"))
	if _, err := os.Stat(filepath.Join(appDir, "packages/app/dist/index.html")); err != nil {
		t.Fatalf("the frontend is not built: run .ci/backstage install: %v", err)
	}
	tmp := postgresReachableTempDir(t)
	pg := startPostgres(t, pgBin, filepath.Join(tmp, "pg"))
	secrets := freshSecrets(t, pg.password)
	gen := generate(t, browserStackFile, filepath.Join(tmp, "tenants"), pg, secrets)
	root := filepath.Join(tmp, "pod")
	appConfigPath := gen.writePodFiles(t, root)
	cfg := readBrowserConfig(t, appConfigPath)
	kube := kubeTarget(t, gen)
	refuse := newRefusingProxy(t)
	github := newFakeGitHub(t, cfg.clientID)
	store := newS3Store(t, cfg.bucket)

	// 4 (first half). The docs, generated and published exactly as the workflow does; only the
	// store's address and the techdocs-core plugin (from PyPI, unreachable here) differ.
	t.Run("techdocs-publish", func(t *testing.T) {
		generateCmd, publishCmd, version := techdocsCommands(t, map[string]string{
			"TECHDOCS_BUCKET": cfg.bucket, "GITHUB_SHA": strings.Repeat("0", 40),
		})
		src := filepath.Join(tmp, "docs-source")
		copyDocsSource(t, src)
		// techdocs-core, which the workflow's generate adds, brings MkDocs' search plugin (the
		// search index the portal's TechDocs collator reads); without it techdocs-cli writes
		// "plugins: []". Naming the search plugin keeps the index, as techdocs-core would.
		appendFile(t, filepath.Join(src, "mkdocs.yml"), "\nplugins:\n  - search\n")
		env := append(minimalEnv(), "NO_PROXY=*", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION="+cfg.region,
			"AWS_EC2_METADATA_DISABLED=true")
		cli.run(t, generateCmd, version, src, env, "--omitTechdocsCoreMkdocsPlugin")
		if _, err := os.Stat(filepath.Join(src, "site", "index.html")); err != nil {
			t.Fatalf("generate wrote no site/index.html: %v", err)
		}
		cli.run(t, publishCmd, version, src, env, "--awsEndpoint", store.URL, "--awsS3ForcePathStyle")
		keys := store.keys(t, "default/component/core-platform/")
		for _, want := range []string{"index.html", "techdocs_metadata.json", "tenants/request-tenancy/index.html", "search/search_index.json"} {
			if !slices.Contains(keys, "default/component/core-platform/"+want) {
				t.Errorf("the store lacks default/component/core-platform/%s after publish; it holds %d objects: %v", want, len(keys), keys)
			}
		}
		t.Logf("published %d objects to s3://%s (requests %s)", len(keys), cfg.bucket, store.requestCounts())
	})
	if t.Failed() {
		return
	}

	// The organisation's members, as the GitHub organisation sync would create them, and a
	// service of the member's tenancy, as its repository's catalog-info.yaml would declare it.
	orgFile := filepath.Join(root, "catalog", "test-org", "org.yaml")
	writeYAMLDocs(t, orgFile, testOrganisation(gen, github))
	serviceFile := filepath.Join(root, "catalog", "test-org", "service.yaml")
	writeYAMLDocs(t, serviceFile, []any{testService(gen.someTenant)})

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	overlay := filepath.Join(root, "app-config.browser.yaml")
	cfgOverlay := signInOverlay(base, port, cfg.environment, github, cfg.locations, orgFile, kube, gen.clusterName)
	// A service of the member's tenancy, as its repository's catalog-info.yaml would declare it.
	catalog := cfgOverlay["catalog"].(map[string]any)
	catalog["locations"] = append(catalog["locations"].([]any), map[string]any{
		"type": "file", "target": serviceFile, "rules": []any{map[string]any{"allow": []string{"Component"}}},
	})
	// Search indexes every 20 s instead of every 10 minutes, so that the test's search sees the
	// catalog and the docs the backend loaded after its first run.
	cfgOverlay["search"] = map[string]any{"collators": map[string]any{
		"catalog": map[string]any{"schedule": testIndexSchedule}, "techdocs": map[string]any{"schedule": testIndexSchedule},
	}}
	cfgOverlay["techdocs"] = map[string]any{"publisher": map[string]any{"awsS3": map[string]any{
		"endpoint": store.URL, "s3ForcePathStyle": true,
	}}}
	writeYAML(t, overlay, cfgOverlay)
	env := backendEnv(t, gen, kube, refuse.URL, tmp,
		"OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION="+cfg.region,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	be := startBackend(t, nodeBin, tmp, env, appConfigPath, overlay)
	api := &client{t: t, base: base, token: tokenOf(t, gen)}
	t.Logf("timing: backstage ready in %.1fs", be.waitReady(t, api).Seconds())
	checkConfigLog(t, be.logPath)
	for _, ref := range []string{"user/default/" + adminLogin, "user/default/" + memberLogin, "component/default/" + gen.portalName, "component/default/core-platform"} {
		waitEntity(t, api, ref)
	}

	systems := gen.entityNames("System")
	member := newBrowser(t, chromium, base, screenshots)

	// 1. The sign-in page: branded, GitHub only.
	t.Run("1-sign-in", func(t *testing.T) {
		member.t = t
		member.open("/")
		text := member.waitText("sign-in", time.Minute, "Core Platform", "GitHub", "Sign in with your CECG GitHub account")
		buttons := eval[[]string](member, `[...document.querySelectorAll('button')].filter(b => b.offsetParent !== null).map(b => b.innerText.trim())`)
		if len(buttons) != 1 || !strings.EqualFold(buttons[0], "Sign in") {
			t.Errorf("the sign-in page offers %q, want one Sign in button", buttons)
		}
		for _, other := range []string{"Guest", "Custom User", "Enter as a Guest"} {
			if strings.Contains(text, other) {
				t.Errorf("the sign-in page offers %q", other)
			}
		}
		if !eval[bool](member, `[...document.images].some(i => i.alt === 'Core Platform' && i.complete && i.naturalWidth > 0)`) {
			t.Errorf("the sign-in page shows no Core Platform logo")
		}
		member.screenshot("1-sign-in")
		member.signIn(github, memberLogin)
	})
	if t.Failed() {
		return
	}

	// 2. The catalog: tenants as Systems (contact, owner) and Groups (parent); the portal's
	// own component.
	t.Run("2-catalog", func(t *testing.T) {
		member.t = t
		member.open("/catalog?filters%5Bkind%5D=system&filters%5Buser%5D=all")
		member.waitText("catalog-systems", 2*time.Minute, systems...)
		member.screenshot("2-catalog")
		child, parent := gen.childTenant(t)
		member.open("/catalog/default/system/" + child)
		member.waitText("tenant-system", time.Minute, child, "Contact the tenant")
		if !eval[bool](member, `[...document.querySelectorAll('a')].some(a => a.href === 'mailto:`+child+`@cecg.io')`) {
			t.Errorf("the System page of %s has no link to mailto:%s@cecg.io", child, child)
		}
		member.open("/catalog/default/group/" + child)
		member.waitText("tenant-group", time.Minute, child, parent)
		member.screenshot("2-catalog-tenant-group")
		member.open("/catalog?filters%5Bkind%5D=component&filters%5Buser%5D=all")
		member.waitText("catalog-components", time.Minute, "Core Platform")
	})

	// 3. The portal's own Kubernetes objects, read through its read-only ServiceAccount.
	t.Run("3-kubernetes", func(t *testing.T) {
		member.t = t
		member.open("/catalog/default/component/" + gen.portalName + "/kubernetes")
		member.waitText("kubernetes-cluster", 2*time.Minute, gen.clusterName)
		member.clickContaining(`[role="button"]`, gen.clusterName)
		// The Deployment, Service and Ingress the stack created, each a card with its
		// namespace (the plugin found them by the portal's backstage.io/kubernetes-id).
		text := member.waitText("kubernetes", time.Minute, gen.portalName, "Deployment", "Service", "Ingress",
			"namespace: "+gen.portalNS)
		// Each object is a card: its name, then its kind on a line of its own.
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		for _, kind := range []string{"Deployment", "Service", "Ingress"} {
			i := slices.Index(lines, kind)
			if i < 1 || lines[i-1] != gen.portalName {
				t.Errorf("the Kubernetes tab shows no %s card named %s", kind, gen.portalName)
			}
		}
		t.Logf("Kubernetes tab (API server: %s):\n%s", kube.describe, lastLines(text, 30))
		member.screenshot("3-kubernetes")
	})

	// 4 (second half). The docs as published, read back through the portal.
	t.Run("4-techdocs", func(t *testing.T) {
		member.t = t
		member.open("/docs/default/component/core-platform/")
		member.waitText("techdocs", 2*time.Minute, "What the developer portal gives you", "Requesting a tenancy", "Platform operators")
		member.waitVisibleInShadow("h1", "Core Platform")
		member.screenshot("4-techdocs")
		member.open("/docs/default/component/core-platform/tenants/request-tenancy/")
		member.waitText("techdocs-page", time.Minute, "Requesting a tenancy")
	})

	// 5. "Request a tenancy": the form, filled in as a tenant would, and the template's
	// rendering of those values accepted by the tenant rules.
	t.Run("5-request-a-tenancy", func(t *testing.T) {
		member.t = t
		testRequestTenancy(t, member, api, gen)
	})

	// 6. Admin-only actions: a member cannot unregister the portal's entity, an admin can.
	t.Run("6-admin-only-actions", func(t *testing.T) {
		member.t = t
		if state := member.unregisterMenuItem(t, gen.portalName); state != "disabled" {
			t.Errorf("a member's Unregister entity menu item is %s, want disabled", state)
		}
		member.screenshot("6-member-entity-menu")
		admin := newBrowser(t, chromium, base, screenshots)
		admin.open("/")
		admin.waitText("admin-sign-in", time.Minute, "Sign in with your CECG GitHub account")
		admin.signIn(github, adminLogin)
		if state := admin.unregisterMenuItem(t, gen.portalName); state != "enabled" {
			t.Fatalf("an admin's Unregister entity menu item is %s, want enabled", state)
		}
		admin.clickText(`[role="menuitem"]`, "Unregister entity")
		admin.waitText("unregister-dialog", time.Minute, "Are you sure you want to unregister this entity?")
		admin.screenshot("6-admin-unregister-dialog")
	})

	// 7. Home at "/": the member's tenancies, requesting and joining one, the docs, search.
	t.Run("7-home", func(t *testing.T) {
		member.t = t
		testHome(t, member, gen)
	})

	// 8. The tenancy page: namespaces with quota and limits, team and members, parent and
	// children, services, the definition file and how to join.
	t.Run("8-tenancy", func(t *testing.T) {
		member.t = t
		testTenancyPage(t, member, gen)
	})

	// 9. Search, from the home page, finds a tenancy.
	t.Run("9-search", func(t *testing.T) {
		member.t = t
		testSearch(t, member, gen)
	})

	// 10. The Core Platform theme by default, the dark one from the settings, and sign-out.
	t.Run("10-theme-and-settings", func(t *testing.T) {
		member.t = t
		testThemeAndSettings(t, member)
	})

	if got := github.profilesFetched(); !slices.Contains(got, memberLogin) || !slices.Contains(got, adminLogin) {
		t.Errorf("the sign-ins did not go through the GitHub OAuth flow: profiles fetched for %v", got)
	}
	t.Logf("timing: browser test %.0fs; screenshots in %s", time.Since(start).Seconds(), screenshots)
}

// signIn clicks Sign in and completes GitHub's OAuth flow (in the popup the page opens) as
// login.
func (b *browser) signIn(github *fakeGitHub, login string) {
	b.t.Helper()
	github.signInAs(login)
	b.clickText("button", "Sign in")
	deadline := time.Now().Add(time.Minute)
	for strings.Contains(b.text(), "Sign in with your CECG GitHub account") {
		if time.Now().After(deadline) {
			b.saveScreenshot("sign-in-" + login + "-timeout")
			b.t.Fatalf("still on the sign-in page a minute after Sign in as %s:\n%s", login, lastLines(b.text(), 20))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// unregisterMenuItem opens the entity page's menu and reports whether "Unregister entity" is
// enabled, disabled or missing; the menu is closed again.
func (b *browser) unregisterMenuItem(t *testing.T, entity string) string {
	t.Helper()
	b.open("/catalog/default/component/" + entity)
	b.waitText("entity-page", time.Minute, "Core Platform")
	b.clickAria("More actions")
	b.waitText("entity-menu", 30*time.Second, "Unregister entity")
	// The permission check answers after the menu opens: give it time to settle.
	time.Sleep(2 * time.Second)
	state := eval[string](b, `(() => {
		const item = [...document.querySelectorAll('[role="menuitem"]')].find(e => e.innerText.trim() === 'Unregister entity');
		if (!item) return 'missing';
		return item.getAttribute('aria-disabled') === 'true' || item.hasAttribute('data-disabled') || item.classList.contains('Mui-disabled') ? 'disabled' : 'enabled';
	})()`)
	if state == "missing" {
		t.Logf("menu items: %s", eval[string](b, `[...document.querySelectorAll('[role="menu"] *')].slice(0, 12).map(e => e.outerHTML.slice(0, 200)).join('\n')`))
	}
	return state
}

// clickAria clicks the first visible button whose aria-label is label.
func (b *browser) clickAria(label string) {
	b.t.Helper()
	script := fmt.Sprintf(`(() => {
		const el = [...document.querySelectorAll('button[aria-label=%s]')].find(e => e.offsetParent !== null);
		if (!el) return false;
		el.click();
		return true;
	})()`, jsonString(label))
	deadline := time.Now().Add(30 * time.Second)
	for !eval[bool](b, script) {
		if time.Now().After(deadline) {
			b.saveScreenshot("click-" + label)
			b.t.Fatalf("no visible button labelled %q on %s", label, b.location())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// testRequestTenancy fills in "Request a tenancy" as a member, checks the review shows the
// values, then renders the template with those values through the scaffolder's dry run (as
// the automation identity: publishing needs GitHub, which is out of reach) and validates the
// tenant file it writes with the rules the stack applies.
func testRequestTenancy(t *testing.T, b *browser, api *client, gen *generated) {
	values := map[string]any{
		"name": "payments-browser", "parent": gen.someTenant, "description": "Payments, requested from the portal.",
		"contactEmail": "payments@cecg.io", "costCentre": "CECG-PAY-001",
		"environments": []string{gen.tenantEnv}, "adminGroup": "payments-admin@cecg.io",
		"readonlyGroup": "payments-readonly@cecg.io",
	}
	b.open("/create/templates/default/request-a-tenancy")
	b.waitText("template-form", 2*time.Minute, "Request a tenancy", "Name", "Parent tenant", "Contact e-mail")
	b.typeID("root_name", values["name"].(string))
	b.selectOption("root_parent", gen.someTenant)
	b.typeID("root_description", values["description"].(string))
	b.typeID("root_contactEmail", values["contactEmail"].(string))
	b.typeID("root_costCentre", values["costCentre"].(string))
	b.screenshot("5-request-a-tenancy-form")
	b.clickText("button", "Next")
	b.waitText("template-access", time.Minute, "Admin group", "Read-only group", gen.tenantEnv)
	b.clickText("label", gen.tenantEnv)
	b.typeID("root_adminGroup", values["adminGroup"].(string))
	b.typeID("root_readonlyGroup", values["readonlyGroup"].(string))
	b.clickText("button", "Review")
	review := b.waitText("template-review", time.Minute, "payments-browser", "payments@cecg.io", "payments-admin@cecg.io", gen.tenantEnv)
	t.Logf("review step:\n%s", lastLines(review, 30))
	b.screenshot("5-request-a-tenancy-review")

	tmpl := templateWithoutPublishing(t, api)
	if target, _ := tmpl.publish["publish:github:pull-request"]["targetPath"].(string); target != "tenants" {
		t.Errorf("the pull-request step writes to %q, want the tenants directory (tenants)", target)
	}
	code, body := tmpl.dryRun(api, gen.skeleton, values)
	if code != http.StatusOK {
		t.Fatalf("dry-run: %d %s", code, trim(body))
	}
	res := decodeDryRun(t, body)
	rendered := res.file("payments-browser.yaml")
	if rendered == nil {
		t.Fatalf("the dry run wrote no payments-browser.yaml: %+v", res.DirectoryContents)
	}
	// The rendered file joins the environment's tenants and must pass the same rules.
	tenants, err := access.LoadTenants(gen.tenantsDir)
	if err != nil {
		t.Fatal(err)
	}
	requested, err := access.ParseTenant(rendered)
	if err != nil {
		t.Fatalf("the rendered tenant file does not parse: %v\n%s", err, rendered)
	}
	if err := access.ValidateTenants(append(tenants, requested), gen.knownEnvironments); err != nil {
		t.Errorf("the rendered tenant file breaks the tenant rules: %v\n%s", err, rendered)
	}
	if requested.Name != "payments-browser" || requested.Parent != gen.someTenant || requested.ContactEmail != "payments@cecg.io" {
		t.Errorf("rendered tenant: %+v", requested)
	}
}

// typeID types into the input with this id, as a user does (key events).
func (b *browser) typeID(id, value string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`!!document.getElementById(%s)`, jsonString(id)), "#"+id)
	b.sendKeys(id, value)
}

// selectOption picks option in the select (MUI) with this id.
func (b *browser) selectOption(id, option string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`!!document.getElementById(%s)`, jsonString(id)), "#"+id)
	eval[bool](b, fmt.Sprintf(`(() => {
		const el = document.getElementById(%s);
		el.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
		return true;
	})()`, jsonString(id)))
	b.clickText(`li[role="option"]`, option)
}

func (b *browser) waitFor(script, what string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !eval[bool](b, script) {
		if time.Now().After(deadline) {
			b.saveScreenshot("wait-" + strings.TrimPrefix(what, "#"))
			b.t.Fatalf("%s never appeared on %s:\n%s", what, b.location(), lastLines(b.text(), 30))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// browserConfig is what the browser test reads from the generated app-config: the sign-in
// test's part, and the S3 TechDocs publisher.
type browserConfig struct {
	signInConfig
	bucket, region string
}

func readBrowserConfig(t *testing.T, path string) browserConfig {
	t.Helper()
	var doc struct {
		TechDocs struct {
			Publisher struct {
				Type  string `yaml:"type"`
				AwsS3 struct {
					BucketName string `yaml:"bucketName"`
					Region     string `yaml:"region"`
				} `yaml:"awsS3"`
			} `yaml:"publisher"`
		} `yaml:"techdocs"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, path)), &doc); err != nil {
		t.Fatal(err)
	}
	c := browserConfig{signInConfig: readSignInConfig(t, path),
		bucket: doc.TechDocs.Publisher.AwsS3.BucketName, region: doc.TechDocs.Publisher.AwsS3.Region}
	if doc.TechDocs.Publisher.Type != "awsS3" || c.bucket == "" || c.region == "" {
		t.Fatalf("the generated app-config lacks the S3 TechDocs publisher: %+v", c)
	}
	return c
}

// testOrganisation is the GitHub organisation's members as Backstage entities: an admin in
// the portal's admin group, and a member of one tenant's team, each an account of github.
func testOrganisation(gen *generated, github *fakeGitHub) []any {
	github.setAccount(adminLogin, 5_000_001)
	github.setAccount(memberLogin, 5_000_002)
	return []any{
		orgGroup(gen.adminGroup),
		orgUser(adminLogin, github.nodeID(adminLogin), gen.adminGroup),
		orgUser(memberLogin, github.nodeID(memberLogin), gen.someTenant),
	}
}

// orgUser is a User entity as the GitHub organisation sync writes it: named after the login,
// annotated with the login and the account's node ID (what sign-in matches).
func orgUser(login, nodeID string, groups ...string) map[string]any {
	return map[string]any{
		"apiVersion": "backstage.io/v1alpha1", "kind": "User",
		"metadata": map[string]any{"name": login, "annotations": map[string]string{
			"github.com/user-login": login, "github.com/user-id": nodeID,
		}},
		"spec": map[string]any{
			"profile":  map[string]any{"displayName": login, "email": login + "@cecg.io"},
			"memberOf": groups,
		},
	}
}

// orgGroup is a Group entity as the organisation sync writes a team.
func orgGroup(slug string) map[string]any {
	return map[string]any{
		"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
		"metadata": map[string]any{"name": slug},
		"spec":     map[string]any{"type": "team", "children": []string{}},
	}
}

// waitEntity waits until the catalog serves ref (kind/namespace/name).
func waitEntity(t *testing.T, api *client, ref string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		code, _ := api.status("GET", "/api/catalog/entities/by-name/"+ref, nil, true)
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not in the catalog after 3 minutes (%d)", ref, code)
		}
		time.Sleep(time.Second)
	}
}

// tokenOf is the service token the stack generated for the pod.
func tokenOf(t *testing.T, gen *generated) string {
	t.Helper()
	for _, e := range gen.podEnv {
		if v, ok := strings.CutPrefix(e, portal.EnvServiceToken+"="); ok {
			return v
		}
	}
	t.Fatalf("the pod has no %s", portal.EnvServiceToken)
	return ""
}

func writeYAMLDocs(t *testing.T, path string, docs []any) {
	t.Helper()
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b.String())
}

// sendKeys types value into the element with this id.
func (b *browser) sendKeys(id, value string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), value)); err != nil {
		b.t.Fatalf("type into #%s: %v", id, err)
	}
}

// entityNames are the names of the generated entities of kind.
func (g *generated) entityNames(kind string) []string {
	var names []string
	for _, e := range g.entities {
		if e.Kind == kind {
			names = append(names, e.Metadata.Name)
		}
	}
	return names
}

// childTenant is a tenant of this environment whose parent is one too, and that parent.
func (g *generated) childTenant(t *testing.T) (child, parent string) {
	t.Helper()
	tenants, err := access.LoadTenants(g.tenantsDir)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, tn := range tenants {
		in[tn.Name] = slices.Contains(tn.Environments, g.tenantEnv)
	}
	for _, tn := range tenants {
		if in[tn.Name] && in[tn.Parent] {
			return tn.Name, tn.Parent
		}
	}
	t.Fatalf("no tenant of %s has a parent in %s", g.tenantEnv, g.tenantEnv)
	return "", ""
}

// signInOverlay is the app-config overlay of a portal users sign in to on loopback: the
// portal at base, GitHub sign-in through the loopback github, the generated catalog locations
// plus the organisation's members (orgFile), and the generated cluster at the test's API
// server.
func signInOverlay(base string, port int, authEnvironment string, github *fakeGitHub, locations []any, orgFile string, kube *kubeAPI, cluster string) map[string]any {
	return map[string]any{
		// The browser reaches the portal on loopback, not at its Ingress host.
		"app": map[string]any{"baseUrl": base},
		"backend": map[string]any{
			"baseUrl": base,
			"listen":  map[string]any{"host": "127.0.0.1", "port": port},
			"cors":    map[string]any{"origin": base},
		},
		// The test-only sign-in: GitHub's OAuth endpoints and user API at the loopback
		// stand-in (GitHub Enterprise's setting). No configuration the stack generates holds
		// this key (TestGeneratedConfigHasNoTestSignIn); the resolvers stay as generated.
		"auth": map[string]any{"providers": map[string]any{"github": map[string]any{
			authEnvironment: map[string]any{"enterpriseInstanceUrl": github.URL},
		}}},
		"catalog": map[string]any{"locations": append(append([]any{}, locations...), map[string]any{
			"type": "file", "target": orgFile, "rules": []any{map[string]any{"allow": []string{"User", "Group"}}},
		})},
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type": "config", "clusters": []any{kube.cluster(cluster)},
		}}},
	}
}
