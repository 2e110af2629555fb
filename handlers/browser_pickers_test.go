package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"salesdesk/models"
)

// The campaign, vendor and product pickers past their select, in real
// Chromium: type part of a name, see the suggestions, move to one with the
// arrow keys, choose it with Enter (which does not send the form), then send
// the form and find the record saved with that row. Their no-JavaScript
// paths (422 with the matches) are the HTTP tests TestCampaignPickerTyped,
// TestVendorPickerTyped and TestQuoteProductPickerTyped.

// chooseSuggestion types typed into the picker whose text input has the id
// field, waits for the suggestions want, presses the down arrow downs times
// and Enter, and checks the field then holds the chosen name and the hidden
// id holds id.
func (b *browser) chooseSuggestion(field, typed string, want []string, downs int, name string, id uint) {
	b.t.Helper()
	b.do("type "+typed, chromedp.SendKeys(chromedp.CSS("#"+field), typed))
	b.poll(fmt.Sprintf("%d suggestions", len(want)), fmt.Sprintf(`[...document.querySelectorAll('[role=listbox]:not([hidden]) [role=option]')].length === %d &&
		document.getElementById(%q).getAttribute('aria-expanded') === 'true'`, len(want), field))
	if got := b.evalString(`[...document.querySelectorAll('[role=listbox]:not([hidden]) [role=option]')].map(o => o.textContent).join(' | ')`); got != strings.Join(want, " | ") {
		b.t.Fatalf("suggestions for %q: %q, want %q", typed, got, strings.Join(want, " | "))
	}
	b.do("arrow down", chromedp.SendKeys(chromedp.CSS("#"+field), strings.Repeat(kb.ArrowDown, downs)))
	active := b.evalString(fmt.Sprintf(`(id => id ? document.getElementById(id).textContent : '')(document.getElementById(%q).getAttribute('aria-activedescendant'))`, field))
	if active != want[downs-1] {
		b.t.Fatalf("active suggestion %q, want %q", active, want[downs-1])
	}
	b.do("choose it with Enter", chromedp.SendKeys(chromedp.CSS("#"+field), kb.Enter))
	got := b.evalString(fmt.Sprintf(`document.getElementById(%q).value + '|' + document.querySelector('input[type=hidden][name=%q]').value + '|' +
		document.getElementById(%q).getAttribute('aria-expanded')`, field, field, field))
	if got != name+"|"+idString(id)+"|false" {
		b.t.Fatalf("after Enter the field holds %q; want the name %q, id %d, the list closed (and the form not sent)", got, name, id)
	}
}

func TestBrowserCampaignSuggestions(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	var owner models.User
	app.DB.Where("email = ?", "manager@example.com").First(&owner)
	day := func(s string) *time.Time { d, _ := time.Parse("2006-01-02", s); return &d }
	cs := make([]models.Campaign, 0, 252)
	for i := 1; i <= 250; i++ {
		cs = append(cs, models.Campaign{Name: fmt.Sprintf("Bulk Campaign %03d", i), Type: "email", OwnerID: owner.ID, StartDate: day("2026-01-05")})
	}
	cs = append(cs,
		models.Campaign{Name: "Autumn Expo", Type: "trade_show", OwnerID: owner.ID, StartDate: day("2026-09-01")},
		models.Campaign{Name: "Autumn Webinar", Type: "webinar", OwnerID: owner.ID, StartDate: day("2026-10-01")})
	if err := app.DB.CreateInBatches(&cs, 100).Error; err != nil {
		t.Fatal(err)
	}
	webinar := cs[251]
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("rep@example.com")
	b.navigate("/leads/new")
	if n := bqCount(b, `select[name="campaign_id"]`); n != 0 {
		t.Fatalf("the lead form still lists the campaigns")
	}
	b.chooseSuggestion("campaign_id", "autu", []string{"Autumn Expo (2026-09-01)", "Autumn Webinar (2026-10-01)"}, 2, "Autumn Webinar", webinar.ID)
	b.do("fill in the rest",
		chromedp.SendKeys(fieldLabelled("Person name"), "Suggested Sam"),
		chromedp.SendKeys(fieldLabelled("E-mail"), "sam.suggested@example.com"))
	b.click("create the lead", buttonNamed("Create lead"))
	var l models.Lead
	if err := app.DB.Where("email = ?", "sam.suggested@example.com").First(&l).Error; err != nil {
		t.Fatalf("no lead saved (at %s): %v; page says %s", b.location(), err, b.text("main", chromedp.CSS("main")))
	}
	if l.CampaignID == nil || *l.CampaignID != webinar.ID {
		t.Errorf("the lead's campaign is %v, want %d", l.CampaignID, webinar.ID)
	}
}

func TestBrowserVendorSuggestions(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	vs := make([]models.Organization, 0, 203)
	for i := 1; i <= 200; i++ {
		vs = append(vs, models.Organization{Name: fmt.Sprintf("Bulk Vendor %03d", i), Type: models.VendorType})
	}
	vs = append(vs,
		models.Organization{Name: "Kestrel Components", Type: models.VendorType, City: "Ghent"},
		models.Organization{Name: "Kestrel Distribution", Type: models.VendorType, City: "Lille"},
		models.Organization{Name: "Kestrel Customer", Type: "customer", City: "Paris"})
	if err := app.DB.CreateInBatches(&vs, 100).Error; err != nil {
		t.Fatal(err)
	}
	dist := vs[201]
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("admin@example.com")
	b.navigate("/products/new")
	// The customer is no vendor: two suggestions.
	b.chooseSuggestion("vendor_id", "KESTREL", []string{"Kestrel Components (Ghent)", "Kestrel Distribution (Lille)"}, 2, "Kestrel Distribution", dist.ID)
	b.do("fill in the rest",
		chromedp.SendKeys(fieldLabelled("Name"), "Suggested vendor switch"),
		chromedp.SendKeys(fieldLabelled("SKU"), "SUGG-1"),
		chromedp.SendKeys(fieldLabelled("Unit price ($)"), "99"))
	b.click("create the product", buttonNamed("Create product"))
	var p models.Product
	if err := app.DB.Where("sku = ?", "SUGG-1").First(&p).Error; err != nil {
		t.Fatalf("no product saved (at %s): %v; page says %s", b.location(), err, b.text("main", chromedp.CSS("main")))
	}
	if p.VendorID == nil || *p.VendorID != dist.ID {
		t.Errorf("the product's vendor is %v, want %d", p.VendorID, dist.ID)
	}
}

// The quote editor's new line past 200 products: a product is chosen among
// the suggestions (by name or SKU) and the line added in place; the form that
// comes back suggests again.
func TestBrowserProductSuggestions(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	app, named := productPickerScale(t)
	ks48, zulu := named["KS-48"], named["ZULU-1"]
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Browser picker quote", nil)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("rep@example.com")
	b.navigate(qtPath(q, ""))
	if n := bqCount(b, `select[name="product_id"]`); n != 0 {
		t.Fatalf("the editor still lists the products")
	}
	b.chooseSuggestion("product_id", "kestrel", []string{"Kestrel Switch 24 (KS-24, $1,250.00)", "Kestrel Switch 48 (KS-48, $2,100.00)"}, 2,
		"Kestrel Switch 48", ks48.ID)
	b.do("set the quantity", chromedp.SetValue(fieldLabelled("Quantity"), "4"))
	bqAddLine(b, "add the chosen product")
	b.waitForLine(app, q.ID, "Kestrel Switch 48")
	bqWantLine(b, bqLine{Item: "Kestrel Switch 48", Qty: "4", UnitPrice: "$2,100.00", Discount: "—", Period: "One-time", Amount: "$8,400.00"})

	// The new line's form came back in place: it suggests again, by SKU.
	if got := b.evalString(`document.getElementById('product_id').value + '|' + document.getElementById('product_id').getAttribute('role')`); got != "|combobox" {
		t.Fatalf("the product field after the in-place reload: %q, want empty and a combobox", got)
	}
	b.chooseSuggestion("product_id", "zulu-", []string{"Zulu <b>Bold</b> Cable (ZULU-1, $5.00)"}, 1, "Zulu <b>Bold</b> Cable", zulu.ID)
	bqAddLine(b, "add a product found by its SKU")
	b.waitForLine(app, q.ID, "Zulu <b>Bold</b> Cable")
	items := qtLoad(t, app, q.ID).Items
	if len(items) != 2 || !sameID(items[0].ProductID, &ks48.ID) || items[0].Quantity != 4*models.QuantityScale || !sameID(items[1].ProductID, &zulu.ID) {
		t.Fatalf("the quote's lines %+v, want Kestrel Switch 48 × 4 and the Zulu cable", items)
	}
}

// waitForLine waits until the editor's items table shows the line named name;
// failing, it says what the page and the database hold.
func (b *browser) waitForLine(app *testApp, quoteID uint, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	cond := fmt.Sprintf(`[...document.querySelectorAll('main table.quote-lines tbody td[data-label="Item"]')].some(td => td.firstChild && td.firstChild.textContent.trim() === %q)`, name)
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		var names []string
		for _, it := range qtLoad(b.t, app, quoteID).Items {
			names = append(names, it.Name)
		}
		b.t.Fatalf("the editor shows no line %q (%v) at %s; the quote's lines are %q; the page says %s", name, err, b.location(), names, b.text("main", chromedp.CSS("main")))
	}
}

// The quote import past 200 other quotes: the quote is chosen among the
// suggestions (by the start of its name, newest first, with its organization
// and date) and its lines imported; its no-JavaScript path is
// TestQuoteImportPickerTyped.
func TestBrowserQuoteImportSuggestions(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	s := newQuoteImportScale(t)
	b := &browser{t: t, ctx: bctx, base: s.app.URL}
	b.signIn("rep@example.com")
	b.navigate(s.importPage)
	if n := bqCount(b, `select[name="from"]`); n != 0 {
		t.Fatalf("the import page still lists the quotes")
	}
	label := func(q *models.Quote) string {
		return fmt.Sprintf("#%d %s (Northwind Traders, %s)", q.Number, q.Name, qtDate(0))
	}
	b.chooseSuggestion("from", "twin", []string{label(s.twinB), label(s.twinA)}, 2, fmt.Sprintf("#%d Twin proposal", s.twinA.Number), s.twinA.ID)
	b.click("import", buttonNamed("Import items"))
	b.wantPath(qtPath(s.into, ""))
	b.wantFlash(fmt.Sprintf("Imported 1 line of quote #%d.", s.twinA.Number))
	if got := strings.Join(qtLines(t, s.app, s.into.ID), "|"); got != "Firewall appliance" {
		t.Fatalf("the quote's lines after the import: %q", got)
	}
}
