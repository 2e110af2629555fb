package handlers_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/models"
)

// TestBrowserWinQuoteAndFulfil drives a won quote into a sales order and the
// order to Fulfilled in real headless Chromium: a rep wins a quote with two
// product lines (and a service line, which is no part of the order), follows
// the sales order from the opportunity page, buys the products on purchase
// orders (one per vendor) and receives the first one in two steps, records a
// partial fulfilment of the first line and then the rest of every line.
func TestBrowserWinQuoteAndFulfil(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}

	// An open opportunity of the rep without a sales order, and a quote of
	// it with two product items, made here so the quantities are known.
	var opp struct {
		ID      uint
		Title   string
		OwnerID uint
	}
	if err := app.DB.Table("opportunities").
		Joins("JOIN users ON users.id = opportunities.owner_id").
		Where("users.email = ? AND opportunities.status = ?", "rep@example.com", models.StatusActive).
		Where("NOT EXISTS (SELECT 1 FROM sales_orders WHERE sales_orders.opportunity_id = opportunities.id)").
		Order("opportunities.id").Limit(1).
		Select("opportunities.id, opportunities.title, opportunities.owner_id").Scan(&opp).Error; err != nil || opp.ID == 0 {
		t.Fatalf("the demo data has no active opportunity of rep@example.com without a sales order (err %v)", err)
	}
	bsoProduct := func(sku string) models.Product {
		t.Helper()
		var p models.Product
		if err := app.DB.Where("sku = ? AND active = ?", sku, true).First(&p).Error; err != nil {
			t.Fatalf("the demo catalog has no active product %s: %v", sku, err)
		}
		if p.Type != models.KindProduct || p.NoProcurement {
			t.Fatalf("test set-up: %s is a %s (no procurement: %v), want a product to procure", sku, p.Type, p.NoProcurement)
		}
		return p
	}
	// Names without a double quote: fieldLabelled puts the label in an XPath
	// string with Go quoting, which XPath cannot unescape.
	firewall, dock := bsoProduct("HW-FW-60"), bsoProduct("HW-DOCK-C")
	now := time.Now().UTC()
	q := &models.Quote{OpportunityID: opp.ID, Name: "Browser test: firewalls and docks", OwnerID: opp.OwnerID, TermMonths: 12,
		EffectiveDate: now, ExpirationDate: now.AddDate(0, 1, 0),
		Items: []models.QuoteItem{
			{Kind: models.KindProduct, ProductID: &firewall.ID, Name: firewall.Name, Quantity: 3 * models.QuantityScale,
				UnitPrice: firewall.UnitPrice, UnitCost: firewall.UnitCost, Period: models.OneTime, Taxable: true},
			{Kind: models.KindProduct, ProductID: &dock.ID, Name: dock.Name, Quantity: 2 * models.QuantityScale,
				UnitPrice: dock.UnitPrice, UnitCost: dock.UnitCost, Period: models.OneTime, Taxable: true},
			{Kind: models.KindService, Name: "Set-up service", Quantity: 1 * models.QuantityScale, UnitPrice: 250_00, Period: models.OneTime},
		}}
	if err := models.CreateQuote(app.DB, q); err != nil {
		t.Fatalf("create the quote: %v", err)
	}
	oppPath := fmt.Sprintf("/opportunities/%d", opp.ID)
	quotePath := fmt.Sprintf("/quotes/%d", q.ID)

	// Sign in.
	b.signIn("rep@example.com")
	b.wantPath("/")

	// 1. Win the quote, with a promised fulfilment date.
	b.navigate(quotePath)
	b.click("open the won form", linkNamed("Won quote"))
	b.wantPath(quotePath + "/won")
	reason := b.firstOption("reason_id")
	b.do("choose a win reason", chromedp.SetValue(fieldLabelled("Win reason"), reason))
	promised := now.AddDate(0, 0, 21)
	hasPromised := bqCount(b, `input[name="promised_date"]`) > 0
	if hasPromised {
		b.do("set the promised fulfilment date",
			chromedp.SetValue(fieldLabelled("Promised fulfilment date"), promised.Format("2006-01-02")))
	}
	b.click("mark as won", buttonNamed("Mark as won"))
	b.wantPath(oppPath)
	b.wantFlash(fmt.Sprintf("Quote #%d won", q.Number))

	// 2. The opportunity page shows the new sales order.
	badge := bsoBadge(b)
	if !regexp.MustCompile(`^SO-\d+$`).MatchString(badge.Link) || badge.Status != "New" {
		t.Fatalf("the opportunity page shows the sales order %+v; want a link SO-{n} with the status New", badge)
	}
	b.click("follow the sales order link", linkNamed(badge.Link))
	loc := b.location()
	m := regexp.MustCompile(`^/sales-orders/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after following %s: at %s, want /sales-orders/{id}", badge.Link, loc)
	}
	soPath := loc
	var soID uint
	fmt.Sscan(m[1], &soID)
	if status := bsoStatus(b); status != "New" {
		t.Fatalf("the new sales order's status is %q, want New", status)
	}
	if hasPromised {
		if got, want := bsoFact(b, "Promised fulfilment"), promised.Format("2 Jan 2006"); got != want {
			t.Errorf("the sales order shows the promised fulfilment date %q, want %q (set on the won form)", got, want)
		}
	}
	lines := bsoLines(b)
	want := []bsoLine{{Product: firewall.Name, Ordered: "3", Purchased: "0", Received: "0", Fulfilled: "0", Remaining: "3"},
		{Product: dock.Name, Ordered: "2", Purchased: "0", Received: "0", Fulfilled: "0", Remaining: "2"}}
	if !bsoSameLines(lines, want) {
		t.Fatalf("the sales order has the lines %+v, want %+v (the quote's product items only)", lines, want)
	}
	so, err := models.LoadSalesOrder(app.DB, soID)
	if err != nil {
		t.Fatalf("load sales order %d: %v", soID, err)
	}
	if so.OpportunityID != opp.ID || so.QuoteID != q.ID || so.Status != models.SONew || len(so.Lines) != 2 {
		t.Fatalf("the stored sales order is of opportunity %d and quote %d, status %q, with %d lines; want opportunity %d, quote %d, new, 2 lines",
			so.OpportunityID, so.QuoteID, so.Status, len(so.Lines), opp.ID, q.ID)
	}
	if hasPromised && (so.PromisedDate == nil || so.PromisedDate.Format("2006-01-02") != promised.Format("2006-01-02")) {
		t.Errorf("the stored sales order has the promised date %v, want %s", so.PromisedDate, promised.Format("2006-01-02"))
	}

	// 3. Buy the hardware: the firewalls and the docks come from two
	// vendors, so two draft purchase orders. The firewalls' order is
	// submitted and received in two steps, and the sales order shows it.
	expected := now.AddDate(0, 0, 10)
	b.do("set the expected arrival", chromedp.SetValue(fieldLabelled("Expected arrival"), expected.Format("2006-01-02")))
	b.click("create the purchase orders", buttonNamed("Create purchase orders"))
	b.wantPath(soPath)
	b.wantFlash("Created 2 draft purchase orders")
	want[0].Purchased, want[1].Purchased = "3", "2"
	if lines := bsoLines(b); !bsoSameLines(lines, want) {
		t.Fatalf("after creating the purchase orders the lines are %+v, want %+v", lines, want)
	}
	pos, _, err := models.PurchaseOrdersOf(app.DB, soID, 0)
	if err != nil || len(pos) != 2 || pos[0].VendorID == pos[1].VendorID {
		t.Fatalf("the stored purchase orders: %d, %v; want two, of two vendors", len(pos), err)
	}
	fwPO := pos[0]
	if fwPO.Lines[0].Name != firewall.Name {
		fwPO = pos[1]
	}
	poPath := fmt.Sprintf("/purchase-orders/%d", fwPO.ID)
	b.click("open the firewalls' purchase order", linkNamed(fmt.Sprintf("PO-%d", fwPO.Number)))
	b.wantPath(poPath)
	if status := bsoStatus(b); status != "Draft" {
		t.Fatalf("the new purchase order's status is %q, want Draft", status)
	}
	if got := bsoFact(b, "Expected arrival"); got != expected.Format("2 Jan 2006") {
		t.Errorf("the purchase order shows the expected arrival %q, want %s", got, expected.Format("2 Jan 2006"))
	}
	b.click("submit the purchase order", buttonNamed("Submit to vendor"))
	b.wantPath(poPath)
	b.wantFlash("Submitted")
	b.do("enter 1 of the 3 firewalls received",
		chromedp.SendKeys(fieldLabelled("Quantity of "+firewall.Name), "1"),
		chromedp.SendKeys(fieldLabelled("Note"), "Vendor delivery note VD-1"))
	b.click("record the partial receipt", buttonNamed("Record receipt"))
	b.wantPath(poPath)
	b.wantFlash("Partly Received")
	b.do("enter the other 2 firewalls", chromedp.SendKeys(fieldLabelled("Quantity of "+firewall.Name), "2"))
	b.click("record the rest of the receipt", buttonNamed("Record receipt"))
	b.wantPath(poPath)
	b.wantFlash("Received")
	if status := bsoStatus(b); status != "Received" {
		t.Fatalf("after receiving everything the purchase order's status is %q, want Received", status)
	}
	b.click("back to the sales order", linkNamed(fmt.Sprintf("SO-%d %s", so.Number, so.Title)))
	b.wantPath(soPath)
	want[0].Received = "3"
	if lines := bsoLines(b); !bsoSameLines(lines, want) {
		t.Fatalf("after receiving the firewalls the sales order lines are %+v, want %+v", lines, want)
	}
	if n := bqButtons(b, "Create purchase orders"); n != 0 {
		t.Errorf("everything is ordered, yet %d Create purchase orders buttons", n)
	}

	// 4. Part of the first line.
	b.do("enter 1 of the first line's 3",
		chromedp.SendKeys(fieldLabelled("Quantity of "+firewall.Name), "1"),
		chromedp.SendKeys(fieldLabelled("Note"), "Delivery note DN-1"))
	b.click("record the partial fulfilment", buttonNamed("Record fulfilment"))
	b.wantPath(soPath)
	b.wantFlash("Partially Fulfilled")
	if status := bsoStatus(b); status != "Partially Fulfilled" {
		t.Fatalf("after a partial fulfilment the status is %q, want Partially Fulfilled", status)
	}
	want[0].Fulfilled, want[0].Remaining = "1", "2"
	if lines := bsoLines(b); !bsoSameLines(lines, want) {
		t.Fatalf("after a partial fulfilment the lines are %+v, want %+v", lines, want)
	}
	bsoWantStored(t, app, soID, models.SOPartiallyFulfilled, []models.Quantity{1 * models.QuantityScale, 0})

	// 5. The rest of every line.
	b.do("enter what remains of every line",
		chromedp.SendKeys(fieldLabelled("Quantity of "+firewall.Name), "2"),
		chromedp.SendKeys(fieldLabelled("Quantity of "+dock.Name), "2"))
	b.click("record the rest", buttonNamed("Record fulfilment"))
	b.wantPath(soPath)
	b.wantFlash("Fulfilled")
	if status := bsoStatus(b); status != "Fulfilled" {
		t.Fatalf("after fulfilling everything the status is %q, want Fulfilled", status)
	}
	want[0].Fulfilled, want[0].Remaining = "3", "0"
	want[1].Fulfilled, want[1].Remaining = "2", "0"
	if lines := bsoLines(b); !bsoSameLines(lines, want) {
		t.Fatalf("after fulfilling everything the lines are %+v, want %+v", lines, want)
	}
	if n := bqButtons(b, "Record fulfilment"); n != 0 {
		t.Errorf("the fulfilled order still has %d Record fulfilment buttons, want none", n)
	}
	bsoWantStored(t, app, soID, models.SOFulfilled, []models.Quantity{3 * models.QuantityScale, 2 * models.QuantityScale})

	// The opportunity page follows.
	b.navigate(oppPath)
	if badge := bsoBadge(b); badge.Status != "Fulfilled" {
		t.Errorf("the opportunity page shows the sales order %+v, want the status Fulfilled", badge)
	}
}

// bsoRef is the sales order as the opportunity page shows it.
type bsoRef struct {
	Link   string `json:"link"`
	Status string `json:"status"`
}

func bsoBadge(b *browser) bsoRef {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.Evaluate[bsoRef](`(a => a ? {link: a.textContent.trim(),
		status: ((a.closest("p") || a.parentElement).querySelector(".status") || {textContent: ""}).textContent.trim()} : {link: "", status: ""})(document.querySelector('main a[href^="/sales-orders/"]'))`))
	if err != nil {
		b.fail("read the sales order badge", err)
	}
	if r.Link == "" {
		b.t.Fatalf("the page shows no sales order link; main says: %s", b.text("main", chromedp.CSS("main")))
	}
	return r
}

// bsoStatus is the status badge in the sales order page's toolbar.
func bsoStatus(b *browser) string {
	b.t.Helper()
	return b.text("the sales order's status", chromedp.CSS("main .toolbar .record-sub .status"))
}

// bsoFact is the value of a fact in the sales order page's head.
func bsoFact(b *browser, label string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(d => d ? d.querySelector("dd").textContent.trim() : "")([...document.querySelectorAll("main dl.facts > div")].find(d => d.querySelector("dt").textContent.trim() === %q))`, label)))
	if err != nil {
		b.fail("read the fact "+label, err)
	}
	return s
}

// bsoLine is one line of a sales order as shown.
type bsoLine struct {
	Product   string `json:"product"`
	Ordered   string `json:"ordered"`
	Purchased string `json:"purchased"`
	Received  string `json:"received"`
	Fulfilled string `json:"fulfilled"`
	Remaining string `json:"remaining"`
}

func bsoLines(b *browser) []bsoLine {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]bsoLine](`[...document.querySelectorAll("main table.list tbody tr")].filter(tr => tr.querySelector('td[data-label="Ordered"]')).map(tr => {
		const cell = l => (tr.querySelector('td[data-label="' + l + '"]') || {textContent: ""}).textContent.trim();
		return {product: tr.querySelector('td[data-label="Product"]').firstChild.textContent.trim(), ordered: cell("Ordered"),
			purchased: cell("Purchased"), received: cell("Received"), fulfilled: cell("Fulfilled"), remaining: cell("Remaining")};
	})`))
	if err != nil {
		b.fail("read the sales order's lines", err)
	}
	return rows
}

func bsoSameLines(got, want []bsoLine) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// bsoWantStored checks the stored status and fulfilled quantities, per line in order.
func bsoWantStored(t *testing.T, app *testApp, id uint, status models.SalesOrderStatus, fulfilled []models.Quantity) {
	t.Helper()
	so, err := models.LoadSalesOrder(app.DB, id)
	if err != nil {
		t.Fatalf("load sales order %d: %v", id, err)
	}
	var got []string
	for _, l := range so.Lines {
		got = append(got, l.QuantityFulfilled.String()+"/"+l.QuantityOrdered.String())
	}
	ok := so.Status == status && len(so.Lines) == len(fulfilled)
	for i := 0; ok && i < len(fulfilled); i++ {
		ok = so.Lines[i].QuantityFulfilled == fulfilled[i]
	}
	if !ok {
		t.Fatalf("the stored sales order has status %q and fulfilled/ordered %s; want %q with fulfilled %v",
			so.Status, strings.Join(got, ", "), status, fulfilled)
	}
}
