package backstagee2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium (Debian's package; nothing downloads a browser) with its
// own empty profile: one signed-in user per browser, as two people on two machines.
type browser struct {
	t           *testing.T
	ctx         context.Context
	base        string
	screenshots string
}

// Flags of a browser on a machine with no route to the internet: without the
// background-networking ones Chromium keeps trying Google's hosts.
func newBrowser(t *testing.T, chromium, base, screenshots string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
		chromedp.NoSandbox, // root in CI; the page is the test's own portal on loopback
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-proxy-server", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, so that a missing or broken Chromium fails here.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return &browser{t: t, ctx: ctx, base: base, screenshots: screenshots}
}

func (b *browser) open(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(b.base+path)); err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
}

// eval runs a script in the page (as a user gesture, so that it may open the sign-in popup)
// and decodes its result.
func eval[T any](b *browser, script string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, func(p *runtime.EvaluateParams) {
		gesture, await := true, true
		p.UserGesture, p.AwaitPromise = &gesture, &await
	}))
	if err != nil {
		b.t.Fatalf("script %q: %v", script, err)
	}
	return v
}

// text is what the page shows: the body's rendered text (not hidden elements).
func (b *browser) text() string {
	b.t.Helper()
	// TechDocs renders the docs in a shadow root, which innerText does not enter.
	return eval[string](b, `(() => {
		const parts = [document.body ? document.body.innerText : ''];
		const walk = root => root.querySelectorAll('*').forEach(e => {
			if (!e.shadowRoot) return;
			parts.push([...e.shadowRoot.children].map(c => c.innerText || '').join('\n'));
			walk(e.shadowRoot);
		});
		walk(document);
		return parts.join('\n');
	})()`)
}

// waitText waits until the page shows every one of want, and fails with the page's text and a
// screenshot when it does not within the timeout.
func (b *browser) waitText(name string, timeout time.Duration, want ...string) string {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		text := b.text()
		missing := []string{}
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return text
		}
		if time.Now().After(deadline) {
			b.saveScreenshot(name + "-timeout")
			b.t.Fatalf("%s: after %s the page (%s) does not show %q; it shows:\n%s",
				name, timeout, b.location(), missing, lastLines(text, 60))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitVisibleInShadow waits until an element matching css with text shows on screen inside a
// shadow root (TechDocs' content appears once its styles have loaded).
func (b *browser) waitVisibleInShadow(css, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`(() => {
		const roots = [];
		const walk = root => root.querySelectorAll('*').forEach(e => { if (e.shadowRoot) { roots.push(e.shadowRoot); walk(e.shadowRoot); } });
		walk(document);
		return roots.some(r => [...r.querySelectorAll(%s)].some(e => e.innerText.includes(%s) && e.getBoundingClientRect().height > 0 && getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).opacity !== '0'));
	})()`, jsonString(css), jsonString(text)), css+" "+text)
	time.Sleep(time.Second) // fonts and images of the page settle
}

func (b *browser) location() string { return eval[string](b, `location.href`) }

// clickText clicks the first visible element matching css whose text is label (trimmed, in
// any case: buttons show their labels upper-case).
func (b *browser) clickText(css, label string) { b.click(css, label, "===") }

// clickContaining clicks the first visible element matching css whose text contains text.
func (b *browser) clickContaining(css, text string) { b.click(css, text, "includes") }

func (b *browser) click(css, label, match string) {
	b.t.Helper()
	cond := "t === want"
	if match == "includes" {
		cond = "t.includes(want)"
	}
	script := fmt.Sprintf(`(() => {
		const want = %s.toLowerCase();
		const el = [...document.querySelectorAll(%s)].find(e => { const t = e.innerText.trim().toLowerCase(); return %s && e.offsetParent !== null; });
		if (!el) return false;
		el.click();
		return true;
	})()`, jsonString(label), jsonString(css), cond)
	deadline := time.Now().Add(30 * time.Second)
	for !eval[bool](b, script) {
		if time.Now().After(deadline) {
			b.saveScreenshot("click-" + label)
			b.t.Fatalf("no visible %s with text %q on %s:\n%s", css, label, b.location(), lastLines(b.text(), 40))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// screenshot saves the viewport as <name>.png and fails the test on a blank or error page.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	b.settle()
	path := b.saveScreenshot(name)
	img, err := png.Decode(strings.NewReader(readFile(b.t, path)))
	if err != nil {
		b.t.Fatalf("%s: %v", path, err)
	}
	if problem := blankImage(img); problem != "" {
		b.t.Errorf("screenshot %s is blank: %s", path, problem)
	}
	if problem := errorPage(b.text()); problem != "" {
		b.t.Errorf("screenshot %s shows an error page: %s", path, problem)
	}
}

// settle waits until the page shows no progress bar for a second (data still loading, or
// TechDocs re-rendering its content).
func (b *browser) settle() {
	b.t.Helper()
	const busy = `[...document.querySelectorAll('[role="progressbar"]')].some(e => e.getBoundingClientRect().height > 0)`
	deadline := time.Now().Add(time.Minute)
	quiet := 0
	for quiet < 4 {
		if eval[bool](b, busy) {
			quiet = 0
		} else {
			quiet++
		}
		if time.Now().After(deadline) {
			b.t.Errorf("the page %s still shows a progress bar after a minute; requests that failed: %s", b.location(),
				eval[string](b, `performance.getEntriesByType('resource').filter(e => e.responseStatus >= 400 || e.responseStatus === 0).map(e => e.responseStatus + ' ' + e.name).join('\n')`))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (b *browser) saveScreenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(b.screenshots, name+".png")
	if err := os.MkdirAll(b.screenshots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s (%d KiB)", path, len(buf)/1024)
	return path
}

// blankImage reports why an image is blank: one colour covering nearly all of it, or too few
// colours to be a rendered page.
func blankImage(img image.Image) string {
	counts := map[color.RGBA]int{}
	bounds := img.Bounds()
	total := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			counts[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
			total++
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	switch {
	case total == 0:
		return "no pixels"
	case float64(top)/float64(total) > 0.97:
		return fmt.Sprintf("one colour covers %.1f%% of it", 100*float64(top)/float64(total))
	case len(counts) < 16:
		return fmt.Sprintf("only %d colours", len(counts))
	}
	return ""
}

// errorPages are what Backstage shows instead of a page.
var errorPages = []string{
	"Looks like someone dropped the mic",
	"Something went wrong",
	"ERROR 404",
	"Page not found",
	"Failed to load",
	"Unauthorized",
	"NotAllowedError",
}

func errorPage(text string) string {
	if strings.TrimSpace(text) == "" {
		return "no text"
	}
	for _, e := range errorPages {
		if strings.Contains(text, e) {
			return fmt.Sprintf("%q", e)
		}
	}
	return ""
}

// jsonString quotes s for a script.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
