package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/db"
)

// TestBrowserSalesActivationAndNewOpportunity drives the app in real headless
// Chromium: an admin turns Sales off and on again, then creates an
// opportunity through the form.
func TestBrowserSalesActivationAndNewOpportunity(t *testing.T) {
	bctx := newBrowser(t, 60*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}

	// Sign in.
	b.signIn("admin@example.com")
	b.wantPath("/")

	// Deactivate Sales: the link leads to a confirmation page.
	b.navigate("/admin/activations")
	b.click("open the confirmation", linkNamed("Deactivate Sales"))
	b.wantPath("/admin/activations/sales/deactivate")
	b.click("confirm the deactivation", buttonNamed("Deactivate Sales"))
	b.wantPath("/admin/activations")
	b.wantFlash("Sales")
	if links := b.navLinks(); slices.Contains(links, "Opportunities") || !slices.Contains(links, "Organizations") {
		t.Fatalf("with Sales off the nav has the links %q; want Organizations and no Opportunities", links)
	}

	// Its pages answer 404 with the styled error page.
	if status := b.navigateStatus("/opportunities"); status != http.StatusNotFound {
		t.Fatalf("GET /opportunities with Sales off: browser got status %d, want 404", status)
	}
	if h1 := b.text("the error page's heading", chromedp.CSS("main h1")); h1 != "Not Found" {
		t.Fatalf("GET /opportunities with Sales off: h1 = %q, want %q", h1, "Not Found")
	}
	// The same answer without a browser: a plain GET with a fresh session.
	c := app.client(t).login("admin@example.com")
	if r := c.get("/opportunities"); r.Status != http.StatusNotFound {
		t.Fatalf("net/http GET /opportunities with Sales off: status %d, want 404", r.Status)
	}

	// Activate Sales again.
	b.navigate("/admin/activations")
	b.click("activate Sales", buttonNamed("Activate Sales"))
	b.wantPath("/admin/activations")
	b.wantFlash("Sales")
	if links := b.navLinks(); !slices.Contains(links, "Opportunities") {
		t.Fatalf("with Sales on again the nav has the links %q; want Opportunities", links)
	}

	// Create an opportunity, the way a user gets to the form.
	b.click("open Opportunities", linkNamed("Opportunities"))
	b.wantPath("/opportunities")
	b.click("open the new opportunity form", linkNamed("New opportunity"))
	b.wantPath("/opportunities/new")

	const title = "Browser test: fleet telematics rollout"
	org := b.firstOption("organization_id")
	closeDate := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	b.do("fill in the opportunity form",
		chromedp.SendKeys(fieldLabelled("Title"), title),
		chromedp.SetValue(fieldLabelled("Organization"), org),
		chromedp.SetValue(fieldLabelled("Projected close date"), closeDate),
		chromedp.SendKeys(fieldLabelled("One-time revenue"), "12500"))
	b.click("create the opportunity", buttonNamed("Create opportunity"))

	if loc := b.location(); !regexp.MustCompile(`^/opportunities/\d+$`).MatchString(loc) {
		t.Fatalf("after creating: at %s, want /opportunities/{id}; page says: %s", loc, b.text("main", chromedp.CSS("main")))
	}
	if h1 := b.text("the opportunity's heading", chromedp.CSS("main h1")); h1 != title {
		t.Fatalf("opportunity page h1 = %q, want %q", h1, title)
	}
	if flash := b.wantFlash(title); !strings.Contains(flash, "Created") {
		t.Fatalf("flash = %q, want it to say the opportunity was created", flash)
	}
}

// chromiumPath finds Chromium. Without it the test skips, except on CI, where
// a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser test needs Chromium: not found on PATH or at /usr/bin/chromium (apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium for this test. The whole test, browser
// start included, is bounded by timeout.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc) // waits for the browser to exit, before TempDir is removed
	bctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return bctx
}

// browser is one tab on the test app, with steps that fail the test with a
// message saying which step and where.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *browser) fail(step string, err error) {
	b.t.Helper()
	loc := "?"
	if l, lerr := chromedp.Run(b.ctx, chromedp.Location()); lerr == nil {
		loc = strings.TrimPrefix(l, b.base)
	}
	b.t.Fatalf("%s (at %s): %v", step, loc, err)
}

func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// signIn signs in as a demo user through the sign-in form.
func (b *browser) signIn(email string) {
	b.navigate("/login")
	b.do("fill in the sign-in form",
		chromedp.SendKeys(fieldLabelled("Email"), email),
		chromedp.SendKeys(fieldLabelled("Password"), db.DemoPassword))
	b.click("sign in", buttonNamed("Sign in"))
}

func (b *browser) navigate(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// navigateStatus opens path and returns the HTTP status of the document.
func (b *browser) navigateStatus(path string) int {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.fail("open "+path, err)
	}
	return int(res.Status)
}

// click clicks what sel finds and waits for the page it leads to.
func (b *browser) click(step string, sel chromedp.Search) {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Click(sel))
	if err != nil {
		b.fail(step, err)
	}
	if res != nil && res.Status >= 400 {
		b.fail(step, fmt.Errorf("status %d", res.Status))
	}
}

// text is the visible text of the first element that the CSS selector finds.
func (b *browser) text(what string, sel chromedp.CSS) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.fail("read "+what, err)
	}
	return strings.TrimSpace(s)
}

// location is the path (and query) of the current page.
func (b *browser) location() string {
	b.t.Helper()
	l, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the location", err)
	}
	return strings.TrimPrefix(l, b.base)
}

func (b *browser) wantPath(path string) {
	b.t.Helper()
	if loc := b.location(); loc != path {
		b.t.Fatalf("at %s, want %s; page says: %s", loc, path, b.text("main", chromedp.CSS("main")))
	}
}

// wantFlash checks the page shows a flash message containing want and returns it.
func (b *browser) wantFlash(want string) string {
	b.t.Helper()
	msg := b.text("the flash message", chromedp.CSS("#flash"))
	if !strings.Contains(msg, want) {
		b.t.Fatalf("flash = %q, want it to mention %q", msg, want)
	}
	return msg
}

// navLinks are the texts of the links in the main navigation.
func (b *browser) navLinks() []string {
	b.t.Helper()
	links, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("nav#nav a")].map(a => a.textContent.trim())`))
	if err != nil {
		b.fail("read the nav links", err)
	}
	return links
}

// firstOption is the value of the first real (non-empty) option of the select.
func (b *browser) firstOption(id string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`([...document.getElementById(%q).options].find(o => o.value !== "") || {value: ""}).value`, id)))
	if err != nil {
		b.fail("read the options of #"+id, err)
	}
	if v == "" {
		b.t.Fatalf("select #%s has no option to choose", id)
	}
	return v
}

// The selectors find elements by what a user sees: the label of a field, the
// text of a button or a link (XPath through DOM.performSearch).

func fieldLabelled(label string) chromedp.Search {
	return chromedp.Search(`//*[self::input or self::select or self::textarea][@id=//label[normalize-space(text())=` + xpathString(label) + `]/@for]`)
}

func buttonNamed(name string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()=` + xpathString(name) + `]`)
}

func linkNamed(name string) chromedp.Search {
	return chromedp.Search(`//a[normalize-space()=` + xpathString(name) + `]`)
}

// xpathString quotes s as an XPath 1.0 literal, which has no escapes: a text
// with both kinds of quote becomes a concat() of pieces.
func xpathString(s string) string {
	switch {
	case !strings.Contains(s, `"`):
		return `"` + s + `"`
	case !strings.Contains(s, `'`):
		return `'` + s + `'`
	}
	parts := strings.Split(s, `"`)
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return "concat(" + strings.Join(parts, `, '"', `) + ")"
}
