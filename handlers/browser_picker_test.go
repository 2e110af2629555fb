package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"salesdesk/models"
)

// TestBrowserOrganizationSuggestions: past the select, a rep types part of an
// organization's name in real Chromium, moves through the suggestions with
// the arrow keys, chooses one with Enter, and then finds that organization's
// contacts in the contact select.
func TestBrowserOrganizationSuggestions(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	named := manyOrganizations(t, app, 300,
		models.Organization{Name: "Zephyr Analytics", Type: "customer", City: "Oslo"},
		models.Organization{Name: "Zephyr Analytics Labs", Type: "prospect", City: "Bergen"})
	labs := named["Zephyr Analytics Labs|Bergen"]
	ada := models.Contact{OrganizationID: labs.ID, FirstName: "Ada", LastName: "Lovelace"}
	if err := app.DB.Create(&ada).Error; err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("rep@example.com")
	b.navigate("/opportunities/new")

	org := fieldLabelled("Organization")
	b.do("type part of the name", chromedp.SendKeys(org, "zeph"))
	b.poll("two suggestions", `document.querySelectorAll('[role=listbox] [role=option]').length === 2 &&
		document.getElementById('organization_id').getAttribute('aria-expanded') === 'true'`)
	if got := b.evalString(`[...document.querySelectorAll('[role=option]')].map(o => o.textContent).join(', ')`); got != "Zephyr Analytics (Oslo), Zephyr Analytics Labs (Bergen)" {
		t.Fatalf("suggestions %q", got)
	}
	b.do("Escape closes the suggestions", chromedp.SendKeys(org, kb.Escape))
	if got := b.evalString(`document.getElementById('organization_id').getAttribute('aria-expanded')`); got != "false" {
		t.Fatalf("aria-expanded after Escape = %q", got)
	}
	b.do("arrow down twice", chromedp.SendKeys(org, kb.ArrowDown+kb.ArrowDown))
	active := b.evalString(`(id => id ? document.getElementById(id).textContent : '')(document.getElementById('organization_id').getAttribute('aria-activedescendant'))`)
	if active != "Zephyr Analytics Labs (Bergen)" {
		t.Fatalf("active suggestion %q, want the second", active)
	}
	b.do("choose it with Enter", chromedp.SendKeys(org, kb.Enter))
	if got := b.evalString(`document.getElementById('organization_id').value + '|' + document.querySelector('input[type=hidden][name=organization_id]').value`); got != "Zephyr Analytics Labs|"+idString(labs.ID) {
		t.Fatalf("after Enter the field holds %q; want the name and id %d (the form must not have been sent)", got, labs.ID)
	}
	b.poll("the contact select offers the organization's contacts",
		`[...document.querySelectorAll('#contact_id option')].map(o => o.textContent).join('|') === 'No contact|Ada Lovelace'`)

	closeDate := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	b.do("fill in the rest",
		chromedp.SendKeys(fieldLabelled("Title"), "Suggested organization deal"),
		chromedp.SetValue(fieldLabelled("Contact"), idString(ada.ID)),
		chromedp.SetValue(fieldLabelled("Projected close date"), closeDate))
	b.click("create the opportunity", buttonNamed("Create opportunity"))
	loc := b.location()
	m := regexp.MustCompile(`^/opportunities/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after creating: at %s; page says %s", loc, b.text("main", chromedp.CSS("main")))
	}
	var o models.Opportunity
	if err := app.DB.First(&o, m[1]).Error; err != nil {
		t.Fatal(err)
	}
	if o.OrganizationID != labs.ID || o.ContactID == nil || *o.ContactID != ada.ID {
		t.Errorf("saved organization %d contact %v, want %d and %d", o.OrganizationID, o.ContactID, labs.ID, ada.ID)
	}
}

// poll waits until the JavaScript expression cond is true.
func (b *browser) poll(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.fail("wait for "+what, err)
	}
}

// evalString is the value of a JavaScript expression that gives a string.
func (b *browser) evalString(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.fail(fmt.Sprintf("evaluate %.60s", expr), err)
	}
	return s
}
