package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/models"
)

// The quote editor's new line in real Chromium: choosing a catalog product
// fills the form with the line the catalog makes (type, name, prices,
// period, taxable, description), visibly, before anything is sent; what the
// user entered is kept and can still be changed; the line saved is the one
// the form showed. Choosing another product replaces what the first filled,
// choosing none empties it again, and all of it still works in the form
// that comes back in place after a line is added. The no-JavaScript rule is
// TestQuoteLineFromProductFillsWhatIsLeftEmpty.
func TestBrowserQuoteLineFilledFromProduct(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Browser product line quote", nil)
	seat, fw := prBySKU(t, app, "MS-SEAT"), prBySKU(t, app, "HW-FW-60")
	if seat.Period != models.Monthly || seat.Taxable || fw.Period == models.Monthly || !fw.Taxable {
		t.Fatalf("test set-up: want MS-SEAT monthly and not taxable, HW-FW-60 not monthly and taxable; have %+v and %+v", seat, fw)
	}
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("rep@example.com")
	b.navigate(qtPath(q, ""))
	if bqCount(b, `form.item-form select#product_id`) != 1 {
		t.Fatal("the demo catalog's product picker is not a select")
	}
	form := func() string {
		b.t.Helper()
		return b.evalString(`(f => ["product_id", "kind", "name", "unit_price", "unit_cost", "period", "taxable", "description"].map(n => n + "=" + f.elements[n].value).join("|"))(document.querySelector("main form.item-form"))`)
	}
	want := func(step string, p models.Product, price string) string {
		return fmt.Sprintf("product_id=%d|kind=%s|name=%s|unit_price=%s|unit_cost=%s|period=%s|taxable=%s|description=%s",
			p.ID, p.Type, p.Name, price, p.UnitCost.Input0(), p.Period, map[bool]string{true: "on", false: "off"}[p.Taxable], p.Description)
	}
	choose := func(id string) {
		b.t.Helper()
		b.do("choose product "+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })(document.querySelector("main form.item-form #product_id"))`, id)))
	}
	filledFrom := func(name string) {
		b.t.Helper()
		b.poll("the form filled from "+name, fmt.Sprintf(`(document.querySelector("main .fill-status") || {}).textContent && document.querySelector("main .fill-status").textContent.includes(%q) && document.querySelector("main form.item-form #name").value !== ""`, "“"+name+"”"))
	}

	// Before a product: the selects say the product will fill them.
	if got := form(); got != "product_id=|kind=|name=|unit_price=|unit_cost=|period=|taxable=|description=" {
		t.Fatalf("the empty form holds %q", got)
	}
	// A price typed first is kept; the rest comes from the catalog, shown.
	b.do("type a price", chromedp.SendKeys(fieldLabelled("Unit price"), "79"))
	choose(idString(seat.ID))
	filledFrom(seat.Name)
	if got, w := form(), want("seat", seat, "79"); got != w {
		t.Fatalf("after choosing MS-SEAT the form holds\n%s\nwant\n%s", got, w)
	}
	if s := b.text("fill status", chromedp.CSS("main .fill-status")); !strings.Contains(s, "keeping what you entered in Unit price") {
		t.Errorf("the status %q does not say the typed price was kept", s)
	}
	if n := bqCount(b, "main form.item-form .filled"); n != 6 {
		t.Errorf("%d fields marked as filled from the product, want 6 (all but the typed price)", n)
	}
	// Another product replaces what the first filled, not the typed price.
	choose(idString(fw.ID))
	filledFrom(fw.Name)
	if got, w := form(), want("firewall", fw, "79"); got != w {
		t.Fatalf("after choosing HW-FW-60 the form holds\n%s\nwant\n%s", got, w)
	}
	// None: the filled fields are empty again, the typed price stays.
	choose("")
	b.poll("the form emptied", `document.querySelector("main form.item-form #name").value === ""`)
	if got := form(); got != "product_id=|kind=|name=|unit_price=79|unit_cost=|period=|taxable=|description=" {
		t.Fatalf("after choosing no product the form holds %q", got)
	}
	// MS-SEAT again, then the period changed by hand: saved as shown.
	choose(idString(seat.ID))
	filledFrom(seat.Name)
	b.do("change the period and quantity",
		chromedp.SetValue(fieldLabelled("Period"), string(models.Yearly)),
		chromedp.Clear(fieldLabelled("Quantity")),
		chromedp.SendKeys(fieldLabelled("Quantity"), "3"))
	bqAddLine(b, "add the line as the form shows it")
	b.waitForLine(app, q.ID, seat.Name)
	bqWantLine(b, bqLine{Item: seat.Name, Qty: "3", UnitPrice: "$79.00", Discount: "—", Period: "Yearly", Amount: "$237.00"})
	it := qtLoad(t, app, q.ID).Items[0]
	if !sameID(it.ProductID, &seat.ID) || it.UnitPrice != 79_00 || it.UnitCost != seat.UnitCost || it.Period != models.Yearly ||
		it.Taxable || it.Kind != seat.Type || it.Description != seat.Description || it.Quantity != 3*models.QuantityScale {
		t.Fatalf("the stored line %+v is not the form's", it)
	}

	// The form came back in place: choosing fills it again, and the line
	// saved untouched is the catalog's.
	if got := form(); got != "product_id=|kind=|name=|unit_price=|unit_cost=|period=|taxable=|description=" {
		t.Fatalf("the form after the line was added holds %q", got)
	}
	choose(idString(fw.ID))
	filledFrom(fw.Name)
	if got, w := form(), want("firewall again", fw, fw.UnitPrice.Input0()); got != w {
		t.Fatalf("after choosing HW-FW-60 in the new form it holds\n%s\nwant\n%s", got, w)
	}
	bqAddLine(b, "add the catalog's line")
	b.waitForLine(app, q.ID, fw.Name)
	bqWantLine(b, bqLine{Item: fw.Name, Qty: "1", UnitPrice: fw.UnitPrice.Display(), Discount: "—", Period: fw.Period.Label(), Amount: fw.UnitPrice.Display()})
	items := qtLoad(t, app, q.ID).Items
	if len(items) != 2 || items[1].UnitCost != fw.UnitCost || items[1].Taxable != fw.Taxable || items[1].Period != fw.Period {
		t.Fatalf("the quote's lines %+v", items)
	}

	// Refused (a negative quantity), the form comes back in place with the
	// product's values the server filled in; choosing another product
	// replaces them all, as they are still the first product's.
	choose(idString(seat.ID))
	filledFrom(seat.Name)
	b.do("a negative quantity", chromedp.Clear(fieldLabelled("Quantity")), chromedp.SendKeys(fieldLabelled("Quantity"), "-1"),
		chromedp.Evaluate[chromedp.Void](`window.bqOldMain = document.querySelector("#main").firstElementChild`),
		chromedp.Click(buttonNamed("Add line")))
	b.poll("the refused form", `(m => !m.contains(window.bqOldMain) && m.querySelector("#quantity[aria-invalid=true]"))(document.querySelector("#main"))`)
	if got, w := form(), want("refused", seat, seat.UnitPrice.Input0()); got != w {
		t.Fatalf("the refused form holds\n%s\nwant\n%s", got, w)
	}
	b.poll("the refused form's product values known", `document.querySelector("main form.item-form #name").hasAttribute("data-filled")`)
	choose(idString(fw.ID))
	filledFrom(fw.Name)
	if got, w := form(), want("firewall after the refusal", fw, fw.UnitPrice.Input0()); got != w {
		t.Fatalf("after choosing HW-FW-60 in the refused form it holds\n%s\nwant\n%s", got, w)
	}
	b.do("a quantity of 2", chromedp.Clear(fieldLabelled("Quantity")), chromedp.SendKeys(fieldLabelled("Quantity"), "2"))
	bqAddLine(b, "add the corrected line")
	if items := qtLoad(t, app, q.ID).Items; len(items) != 3 || !sameID(items[2].ProductID, &fw.ID) || items[2].Name != fw.Name ||
		items[2].UnitPrice != fw.UnitPrice || items[2].Period != fw.Period || items[2].Quantity != 2*models.QuantityScale {
		t.Fatalf("the quote's lines after the corrected form %+v", items)
	}
}
