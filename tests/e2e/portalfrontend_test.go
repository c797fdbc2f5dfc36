package e2e

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/stack"
)

// The sign-in page's text, as the app's SignInPage renders it (app/packages/app/src/App.tsx).
var signInPageText = []string{"Core Platform", "Sign in with your CECG GitHub account", "GitHub"}

// checkShippedFrontend checks what a person reaching the pod gets from the shipped image before
// signing in: the frontend bundle served at /, rendered by Chromium into the branded sign-in
// page (its screenshot saved as pod-sign-in.png in SCREENSHOT_DIR, when set), and the GitHub
// sign-in's first step, which sends the browser to GitHub's authorisation page for the stack's
// App with the portal's public address as the way back. Signing in itself needs a GitHub the
// pod can reach; the browser suite (tests/backstage) signs in against a stand-in.
func checkShippedFrontend(t *testing.T, p portalPod, cfg *stackConfig) {
	t.Helper()
	base := "http://" + net.JoinHostPort(p.ip, "7007")
	resp, err := podClient.Get(base + "/")
	if err != nil {
		t.Fatalf("GET / on pod %s: %v", p.name, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<title>Core Platform</title>") {
		t.Errorf("GET / on pod %s: %d %s, want the frontend's index.html titled Core Platform", p.name, resp.StatusCode, trimBody(string(body)))
	}
	// The portal is only ever served over HTTPS (the Ingress's TLS): its pages tell the browser
	// to fetch nothing over plain HTTP.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "upgrade-insecure-requests") {
		t.Errorf("GET / on pod %s: Content-Security-Policy %q lacks upgrade-insecure-requests", p.name, csp)
	}

	checkGitHubSignInStart(t, p, cfg)

	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		t.Log("CHROMIUM not given (.ci/backstage env prints it): the sign-in page is not rendered")
		return
	}
	// The virtual time budget does not always cover the bundle's first download from a pod
	// that just started (one CI run dumped the page before the app had rendered): a few tries.
	var dom string
	var missing []string
	for try := 1; try <= 4; try++ {
		dom = runChromium(t, chromium, "--dump-dom", base)
		missing = missing[:0]
		for _, want := range signInPageText {
			if !strings.Contains(dom, want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			break
		}
		t.Logf("try %d: the page rendered from pod %s lacks %q", try, p.name, missing)
	}
	if len(missing) > 0 {
		t.Errorf("the sign-in page rendered from pod %s lacks %q after 4 tries; its DOM:\n%s", p.name, missing, trimBody(dom))
	}
	// SCREENSHOT_DIR is made by the browser suite that ran before; without it the screenshot
	// is taken and checked all the same, in a temporary directory.
	dir := os.Getenv("SCREENSHOT_DIR")
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "pod-sign-in.png")
	runChromium(t, chromium, "--screenshot="+shot, base)
	checkScreenshot(t, shot)
	t.Logf("screenshot pod-sign-in.png: the sign-in page served by pod %s", p.name)
}

// checkGitHubSignInStart asks the pod's GitHub auth provider to start a sign-in, as the
// sign-in button's popup does, and checks where it sends the browser and the nonce cookie it
// sets: GitHub's authorisation page for the stack's App, asking only to read the profile, with
// the portal's public HTTPS address as the redirect; the cookie Secure, HttpOnly and scoped to
// the provider's path.
func checkGitHubSignInStart(t *testing.T, p portalPod, cfg *stackConfig) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+net.JoinHostPort(p.ip, "7007")+
		"/api/auth/github/start?env=production&flow=popup", nil)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{Timeout: podClient.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("start a GitHub sign-in on pod %s: %v", p.name, err)
	}
	_ = resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("start a GitHub sign-in on pod %s: %d, Location %q, want 302 to GitHub", p.name, resp.StatusCode, resp.Header.Get("Location"))
	}
	portalURL := "https://" + cfg.portalHost(t)
	q := loc.Query()
	for _, c := range []struct{ what, got, want string }{
		{"authorisation page", loc.Scheme + "://" + loc.Host + loc.Path, "https://github.com/login/oauth/authorize"},
		{"client_id", q.Get("client_id"), cfg.githubClientID(t)},
		{"redirect_uri", q.Get("redirect_uri"), portalURL + "/api/auth/github/handler/frame"},
		{"scope", q.Get("scope"), "read:user"},
	} {
		if c.got != c.want {
			t.Errorf("GitHub sign-in start on pod %s: %s %q, want %q", p.name, c.what, c.got, c.want)
		}
	}
	if q.Get("state") == "" {
		t.Errorf("GitHub sign-in start on pod %s: no state (the OAuth state check needs one)", p.name)
	}
	var nonce *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "github-nonce" {
			nonce = c
		}
	}
	switch {
	case nonce == nil:
		t.Errorf("GitHub sign-in start on pod %s set no github-nonce cookie: %v", p.name, resp.Header.Values("Set-Cookie"))
	case !nonce.Secure || !nonce.HttpOnly || !strings.HasPrefix(nonce.Path, "/api/auth/github"):
		t.Errorf("GitHub sign-in start on pod %s: nonce cookie Secure %v, HttpOnly %v, Path %q; want Secure, HttpOnly, under /api/auth/github",
			p.name, nonce.Secure, nonce.HttpOnly, nonce.Path)
	}
}

// runChromium runs headless Chromium once on origin's page / with one output flag (--dump-dom
// or --screenshot=...) and returns its standard output. The virtual time budget lets the page's
// scripts load the bundle and the configuration and render before the output is taken.
//
// The pod is reached over plain HTTP on the node's bridge, where a cluster would put the
// Ingress's TLS in front of it. Its upgrade-insecure-requests would then have Chromium fetch
// the bundle's scripts over HTTPS from the pod, and the page would stay blank (seen on the
// first run); Chromium is told to treat the pod's origin as the secure origin the Ingress
// gives the portal, and nothing else is changed.
func runChromium(t *testing.T, chromium, output, origin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--window-size=1280,800",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=20000",
		"--unsafely-treat-insecure-origin-as-secure="+origin, output, origin+"/")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s %s: %v\n%s", output, origin, err, lastLines(stderr.String(), 20))
	}
	return stdout.String()
}

// checkScreenshot fails on a screenshot that is not a PNG of the window's size or that is
// nearly one colour (a blank page), and gives the file to the owner of its directory: run as
// root through sudo, the node test must leave no root-owned file in a user's checkout.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
		t.Errorf("screenshot %s is %dx%d, want 1280x800", path, b.Dx(), b.Dy())
	}
	if n := distinctColours(img, 16); n < 16 {
		t.Errorf("screenshot %s has %d distinct colours: a blank page", path, n)
	}
	if st, err := os.Stat(filepath.Dir(path)); err == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			_ = os.Chown(path, int(sys.Uid), int(sys.Gid))
		}
	}
}

// distinctColours counts the colours of a grid of samples, step pixels apart.
func distinctColours(img image.Image, step int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// portalHost is the portal's public host name, hostname.domain from the stack file.
func (c *stackConfig) portalHost(t *testing.T) string {
	t.Helper()
	portal, _ := c.values[stack.Namespace+":portal"].(map[string]any)
	host, _ := portal["hostname"].(string)
	domain, _ := portal["domain"].(string)
	if host == "" || domain == "" {
		t.Fatalf("the stack file has no portal hostname and domain: %v", portal)
	}
	return host + "." + domain
}

// githubClientID is the GitHub App's OAuth client ID from the stack file.
func (c *stackConfig) githubClientID(t *testing.T) string {
	t.Helper()
	gh, _ := c.values[stack.Namespace+":github"].(map[string]any)
	app, _ := gh["app"].(map[string]any)
	id, _ := app["clientId"].(string)
	if id == "" {
		t.Fatalf("the stack file has no github.app.clientId: %v", gh)
	}
	return id
}
