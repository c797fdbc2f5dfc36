package backstagee2e

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/access"
)

// testIndexSchedule is the search collators' schedule in the browser test.
var testIndexSchedule = map[string]any{
	"frequency": map[string]any{"seconds": 20}, "timeout": map[string]any{"minutes": 2},
	"initialDelay": map[string]any{"seconds": 5},
}

// testServiceName is a service of the member's tenancy (testService).
const testServiceName = "payments-api"

// testService is a Component of tenancy as its repository's catalog-info.yaml declares it.
func testService(tenancy string) map[string]any {
	return map[string]any{
		"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
		"metadata": map[string]any{"name": testServiceName, "description": "The payments API."},
		"spec": map[string]any{
			"type": "service", "lifecycle": "production", "owner": access.OwnerRef(tenancy), "system": tenancy,
		},
	}
}

// tenantNamed is the definition of the named tenant of the test's environment.
func (g *generated) tenantNamed(t *testing.T, name string) access.Tenant {
	t.Helper()
	tenants, err := access.LoadTenants(g.tenantsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range tenants {
		if tn.Name == name {
			return tn
		}
	}
	t.Fatalf("no tenant %s in %s", name, g.tenantsDir)
	return access.Tenant{}
}

// testHome checks the home page: reached at "/" and from the logo, listing exactly the
// member's tenancies, with "Request a tenancy", how to join, the docs and a search box.
func testHome(t *testing.T, b *browser, gen *generated) {
	b.open("/catalog")
	b.waitText("catalog", time.Minute, "Catalog")
	b.waitFor(`(() => {
		const logo = document.querySelector('a[aria-label="Core Platform home"]');
		if (!logo) return false;
		logo.click();
		return true;
	})()`, "the logo's link")
	b.waitText("home", 2*time.Minute, "Welcome, "+memberLogin, "Your tenancies", gen.someTenant,
		"Request a tenancy", "Join a tenancy", "Core Platform docs", "Requesting a tenancy")
	if path := eval[string](b, `location.pathname`); path != "/" {
		t.Errorf("the logo leads to %s, want /", path)
	}
	mine := eval[[]string](b, `[...document.querySelectorAll('ul[aria-label="Your tenancies"] li a')].map(a => a.innerText.trim())`)
	if !reflect.DeepEqual(mine, []string{gen.someTenant}) {
		t.Errorf("Your tenancies lists %q, want only the member's %q", mine, gen.someTenant)
	}
	for _, link := range []string{"/create/templates/default/request-a-tenancy", "/docs/default/component/core-platform/"} {
		if !eval[bool](b, fmt.Sprintf(`[...document.querySelectorAll('a')].some(a => new URL(a.href).pathname === %s)`, jsonString(link))) {
			t.Errorf("the home page has no link to %s", link)
		}
	}
	b.screenshot("7-home")
}

// testTenancyPage checks the member's tenancy page and another tenancy's.
func testTenancyPage(t *testing.T, b *browser, gen *generated) {
	tn := gen.tenantNamed(t, gen.someTenant)
	b.open("/catalog/default/system/" + tn.Name + "/tenancy")
	want := []string{
		"Namespaces", "Cluster " + gen.clusterName + ": namespace " + tn.Name,
		"Resource quota", "requests.cpu", "limits.memory", "Limit range", "Container",
		"Team and members", memberLogin, "Parent and children",
		"Services", testServiceName,
		"Joining this tenancy", "You already belong to this tenancy", tn.AdminGroup, tn.ReadonlyGroup, tn.ContactEmail,
	}
	want = append(want, tn.Environments...)
	if tn.Parent != access.RootParent {
		want = append(want, tn.Parent)
	}
	text := b.waitText("tenancy", 2*time.Minute, want...)
	// The quota and limits as the stack applied them to the namespace.
	hard := access.QuotaHard(access.Args{}.WithDefaults().Quota)
	for _, key := range []string{"requests.cpu", "limits.memory", "pods"} {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `\t(-|\d+\w*)\t` + regexp.QuoteMeta(hard[key]) + `$`)
		if !row.MatchString(text) {
			t.Errorf("the quota shows no row %s with hard limit %s:\n%s", key, hard[key], lastLines(text, 80))
		}
	}
	// An external link's text ends with a visually hidden "opens in a new window".
	view := eval[string](b, `([...document.querySelectorAll('a')].find(a => a.innerText.trim().startsWith('its tenant file')) || {}).href || ''`)
	if !strings.HasSuffix(view, "/blob/main/tenants/"+tn.Name+".yaml") {
		t.Errorf("the tenancy page links its definition at %q, want .../blob/main/tenants/%s.yaml", view, tn.Name)
	}
	b.screenshot("8-tenancy")
	// Below the fold: the namespaces with their quota and limits, and the services.
	eval[bool](b, `(() => { const h = [...document.querySelectorAll('h2, h3, h4, h5, h6, span, div')].find(e => e.innerText === 'Namespaces'); if (h) h.scrollIntoView(); return !!h; })()`)
	b.screenshot("8-tenancy-namespaces")

	// Another tenancy: the member does not belong to it.
	var other string
	for _, name := range gen.entityNames("System") {
		if name != tn.Name && gen.tenantNamed(t, name).InEnvironment(gen.tenantEnv) {
			other = name
			break
		}
	}
	if other == "" {
		t.Fatalf("no second tenant in %s", gen.tenantEnv)
	}
	b.open("/catalog/default/system/" + other + "/tenancy")
	text = b.waitText("other-tenancy", 2*time.Minute, "Joining this tenancy", gen.tenantNamed(t, other).AdminGroup)
	b.settle()
	if strings.Contains(b.text(), "You already belong") {
		t.Errorf("the page of %s tells the member of %s that they already belong", other, tn.Name)
	}
	_ = text
}

// testSearch searches from the home page for the member's tenancy, then for a docs page.
func testSearch(t *testing.T, b *browser, gen *generated) {
	b.open("/")
	b.typeID("home-search", gen.someTenant)
	b.clickText("button", "Search")
	b.waitResultLink("search-tenancy", "/catalog/default/system/"+gen.someTenant)
	if q := eval[string](b, `new URLSearchParams(location.search).get('query') || ''`); q != gen.someTenant {
		t.Errorf("the home search opened the search page with query %q, want %q", q, gen.someTenant)
	}
	b.screenshot("9-search-tenancy")

	// A docs page: the TechDocs collator indexes the published Core Platform docs.
	b.open("/")
	b.typeID("home-search", "requesting a tenancy")
	b.clickText("button", "Search")
	b.waitResultLink("search-docs", "/docs/default/component/core-platform/tenants/request-tenancy")
	b.screenshot("9-search-docs")
}

// waitResultLink waits until the page links to path; the search page queries once, so it is
// reloaded every 20 s (the index is rebuilt as often).
func (b *browser) waitResultLink(name, path string) {
	b.t.Helper()
	script := fmt.Sprintf(`[...document.querySelectorAll('a')].some(a => new URL(a.href).pathname.replace(/\/$/, '') === %s)`, jsonString(strings.TrimSuffix(path, "/")))
	deadline := time.Now().Add(3 * time.Minute)
	reload := time.Now().Add(20 * time.Second)
	for !eval[bool](b, script) {
		if time.Now().After(deadline) {
			b.saveScreenshot(name + "-timeout")
			b.t.Fatalf("%s: no result links to %s after 3 minutes:\n%s", name, path, lastLines(b.text(), 40))
		}
		if time.Now().After(reload) {
			b.open(strings.TrimPrefix(eval[string](b, `location.href`), b.base))
			reload = time.Now().Add(20 * time.Second)
		}
		time.Sleep(time.Second)
	}
}

// navy is the Core Platform colour of the sidebar (brand/theme.tsx), as CSS computes it.
const navy = "rgb(11, 31, 58)"

// testThemeAndSettings checks that the Core Platform theme is what the member sees without
// choosing one, that the settings page switches to its dark variant, and signs out from it.
func testThemeAndSettings(t *testing.T, b *browser) {
	colours := func() (sidebar, body, button string) {
		return eval[string](b, `(() => {
			const nav = document.querySelector('nav[aria-label="sidebar nav"]');
			const all = nav ? [nav, ...nav.querySelectorAll('*')] : [];
			return all.map(e => getComputedStyle(e).backgroundColor).find(c => c !== 'rgba(0, 0, 0, 0)') || '';
		})()`), eval[string](b, `getComputedStyle(document.body).backgroundColor`),
			eval[string](b, `(() => { const el = [...document.querySelectorAll('button')].find(e => e.innerText.trim().toLowerCase() === 'search'); return el ? getComputedStyle(el).backgroundColor : ''; })()`)
	}
	b.open("/")
	b.waitText("home-theme", time.Minute, "Your tenancies")
	b.settle()
	sidebar, lightBody, button := colours()
	if sidebar != navy || button != navy {
		t.Errorf("default theme: sidebar %q, primary button %q; want the Core Platform navy %s", sidebar, button, navy)
	}
	if stored := eval[string](b, `localStorage.getItem('theme') || ''`); stored != "" {
		t.Errorf("the member never chose a theme, yet %q is stored", stored)
	}

	b.open("/settings")
	b.waitText("settings", time.Minute, "Appearance", "Change the theme mode", memberLogin)
	b.click(`button[value="dark"]`, "dark", "includes")
	deadline := time.Now().Add(30 * time.Second)
	for {
		sidebar, body, _ := colours()
		if body != lightBody && sidebar == navy {
			t.Logf("dark theme: body %s (light: %s), sidebar %s", body, lightBody, sidebar)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after choosing Dark: body %q (light %q), sidebar %q; want a dark body and the navy sidebar", body, lightBody, sidebar)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if stored := eval[string](b, `localStorage.getItem('theme') || ''`); stored != "dark" {
		t.Errorf("the chosen theme is stored as %q, want dark", stored)
	}
	b.screenshot("10-settings-dark")
	b.click(`button[value="light"]`, "light", "includes")

	b.clickAria("more")
	b.clickText(`[role="menuitem"]`, "Sign Out")
	b.waitText("signed-out", time.Minute, "Sign in with your CECG GitHub account")
	if !slices.Contains([]string{"/", ""}, eval[string](b, `location.pathname`)) {
		t.Logf("signed out at %s", eval[string](b, `location.pathname`))
	}
}
