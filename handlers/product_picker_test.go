package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// manyProducts adds n active products "Bulk Product 0001"… (SKU BULK-0001…)
// to the demo catalog, then the named ones given, so that the quote editor's
// product picker is past its select. It returns the named ones by SKU.
func manyProducts(t testing.TB, app *testApp, n int, named ...models.Product) map[string]models.Product {
	t.Helper()
	ps := make([]models.Product, 0, n+len(named))
	for i := 1; i <= n; i++ {
		ps = append(ps, models.Product{Name: fmt.Sprintf("Bulk Product %04d", i), SKU: fmt.Sprintf("BULK-%04d", i), Type: models.KindProduct,
			Period: models.OneTime, UnitPrice: 10_00, Taxable: true, Active: true})
	}
	for _, p := range named {
		p.Type, p.Period = models.KindProduct, models.OneTime
		ps = append(ps, p)
	}
	if err := app.DB.CreateInBatches(&ps, 200).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Product{}
	for _, p := range ps[n:] {
		// Active false is Go's zero value: written explicitly.
		if err := app.DB.Model(&p).Update("active", p.Active).Error; err != nil {
			t.Fatal(err)
		}
		out[p.SKU] = p
	}
	return out
}

// productPickerScale is a demo database with 1,100 more products, more than
// the editor's old menu of 1,000 could list, and a few that match alike.
func productPickerScale(t *testing.T) (*testApp, map[string]models.Product) {
	app := newTestApp(t)
	return app, manyProducts(t, app, 1100,
		models.Product{Name: "Kestrel Switch 24", SKU: "KS-24", UnitPrice: 1_250_00, UnitCost: 900_00, Description: "24 ports.", Taxable: true, Active: true},
		models.Product{Name: "Kestrel Switch 48", SKU: "KS-48", UnitPrice: 2_100_00, Taxable: true, Active: true},
		models.Product{Name: "Retired Router", SKU: "RR-1", UnitPrice: 300_00, Active: false},
		models.Product{Name: "Zulu <b>Bold</b> Cable", SKU: "ZULU-1", UnitPrice: 5_00, Taxable: true, Active: true},
	)
}

// Past 200 active products the quote editor's new line types a product's
// name or SKU; the server resolves it, several → 422 with the matches, and
// every product can be chosen, not only the first 1,000 by name.
func TestQuoteProductPickerTyped(t *testing.T) {
	app, named := productPickerScale(t)
	ks24, ks48, zulu := named["KS-24"], named["KS-48"], named["ZULU-1"]
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Picker quote", nil)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")

	doc := c.get(editor).doc(t)
	in := doc.Find(`form.item-form input#product_id[name="product_name"]`)
	if doc.Find(`select[name="product_id"]`).Length() != 0 || in.AttrOr("data-suggest", "") != "/quotes/products/suggest" {
		t.Fatalf("the editor's new line has no typed product with suggestions instead of the select")
	}
	if doc.Find(`label[for="product_id"]`).Length() != 1 {
		t.Errorf("the typed product has no label")
	}
	if n := doc.Find("option").Length(); n > 100 {
		t.Errorf("the editor has %d options: the products are still listed", n)
	}
	lastLine := func() models.QuoteItem {
		items := qtLoad(t, app, q.ID).Items
		if len(items) == 0 {
			t.Fatal("no line")
		}
		return items[len(items)-1]
	}

	// A SKU typed whole, in lower case: the line is the catalog's.
	r := c.fill(editor, "form.item-form", url.Values{"product_name": {"ks-24"}, "quantity": {"3"}})
	wantStatus(t, "add a line by a typed SKU", r, http.StatusSeeOther)
	if it := lastLine(); !sameID(it.ProductID, &ks24.ID) || it.Name != ks24.Name || it.UnitPrice != ks24.UnitPrice ||
		it.UnitCost != ks24.UnitCost || it.Description != "24 ports." || it.Quantity != 3*models.QuantityScale {
		t.Errorf("line %+v, want product %d's", it, ks24.ID)
	}

	// Two match: 422, the input kept, the two offered; choosing one adds it.
	r = c.fill(editor, "form.item-form", url.Values{"product_name": {"kestrel switch"}, "quantity": {"7"}})
	wantStatus(t, "add a line by an ambiguous name", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	wantFieldError(t, doc, "product_id", "Several products match “kestrel switch”")
	if msg := doc.Find("#name-error").Text(); msg != "" {
		t.Errorf("the empty name has a message of its own besides the product's: %q", msg)
	}
	var labels []string
	doc.Find(`.matches label`).Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if strings.Join(labels, " | ") != "Kestrel Switch 24 (KS-24, $1,250.00) | Kestrel Switch 48 (KS-48, $2,100.00)" {
		t.Errorf("matches %q", labels)
	}
	if fieldValue(doc, "quantity") != "7" || fieldValue(doc, "product_id") != "kestrel switch" {
		t.Errorf("input not kept: quantity %q, product %q", fieldValue(doc, "quantity"), fieldValue(doc, "product_id"))
	}
	form, action := formValues(t, doc, "form.item-form")
	form.Set("product_id", idString(ks48.ID))
	r = c.post(action, form)
	wantStatus(t, "choose one of the matches", r, http.StatusSeeOther)
	if it := lastLine(); !sameID(it.ProductID, &ks48.ID) || it.Quantity != 7*models.QuantityScale {
		t.Errorf("line %+v, want product %d", it, ks48.ID)
	}

	// Past the first 1,000 by name, and a name with markup, by its start.
	r = c.fill(editor, "form.item-form", url.Values{"product_name": {"zulu <b>"}})
	wantStatus(t, "add a line by a name's start", r, http.StatusSeeOther)
	if it := lastLine(); !sameID(it.ProductID, &zulu.ID) || it.Name != zulu.Name {
		t.Errorf("line %+v, want product %d", it, zulu.ID)
	}

	// An inactive product, an unknown one, an id that is no number: 422,
	// nothing added.
	before := len(qtLoad(t, app, q.ID).Items)
	for _, tc := range []struct {
		vals url.Values
		msg  string
	}{
		{url.Values{"product_name": {"Retired Router"}}, "No product called “Retired Router”"},
		{url.Values{"product_name": {"No such thing"}, "name": {"Typed anyway"}}, "No product called “No such thing”"},
		{url.Values{"product_id": {"x"}}, "Choose a product from the list."},
		{url.Values{"product_id": {idString(named["RR-1"].ID)}}, "That product is no longer in the catalog"},
	} {
		r = c.fill(editor, "form.item-form", tc.vals)
		wantStatus(t, fmt.Sprint("POST ", tc.vals), r, http.StatusUnprocessableEntity)
		wantFieldError(t, r.doc(t), "product_id", tc.msg)
	}
	if n := len(qtLoad(t, app, q.ID).Items); n != before {
		t.Errorf("%d lines after refused products, want %d", n, before)
	}
	// No product: a free-form line.
	wantStatus(t, "a free-form line", c.fill(editor, "form.item-form", url.Values{"name": {"Site survey"}, "unit_price": {"100"}}), http.StatusSeeOther)
	if it := lastLine(); it.ProductID != nil || it.Name != "Site survey" {
		t.Errorf("free-form line %+v", it)
	}

	// The suggestions: by the start of the name or the SKU, active only,
	// names escaped in the JSON.
	for _, tc := range []struct {
		q    string
		want []uint
	}{{"kestrel", []uint{ks24.ID, ks48.ID}}, {"KS-4", []uint{ks48.ID}}, {"retired", nil}, {"switch", nil}, {"", nil}} {
		var got []struct {
			ID    uint
			Label string
		}
		decodeJSON(t, c.get("/quotes/products/suggest?q="+url.QueryEscape(tc.q)), &got)
		var ids []uint
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("suggest %q: %v, want %v", tc.q, ids, tc.want)
		}
	}
	if r := c.get("/quotes/products/suggest?q=zulu"); !strings.Contains(r.Body, `\u003cb\u003e`) || !strings.Contains(r.Body, "ZULU-1, $5.00") {
		t.Errorf("suggestion %s", r.Body)
	}
}

// Up to 200 active products the new line's product is a select, each with
// its SKU and price; the edit form of a line has no product field.
func TestQuoteProductPickerSelectWhenSmall(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Small catalog quote", qtItems())
	c := app.client(t).login("rep@example.com")
	seat := prBySKU(t, app, "MS-SEAT")
	doc := c.get(qtPath(q, "")).doc(t)
	sel := doc.Find(`form.item-form select#product_id[name="product_id"]`)
	if sel.Length() != 1 || doc.Find(`input[name="product_name"]`).Length() != 0 {
		t.Fatalf("no product select on a small catalog")
	}
	if got := sel.Find(`option[value="` + idString(seat.ID) + `"]`).Text(); got != seat.Name+" (MS-SEAT, "+seat.UnitPrice.Display()+")" {
		t.Errorf("the option reads %q", got)
	}
	if first := sel.Find("option").First(); first.AttrOr("value", "x") != "" || first.Text() != "None: a free-form line" {
		t.Errorf("the first option is %q", first.Text())
	}
	it := qtLoad(t, app, q.ID).Items[0]
	if doc := c.get(qtPath(q, "/items/"+idString(it.ID)+"/edit")).doc(t); doc.Find(`[name="product_id"], [name="product_name"]`).Length() != 0 {
		t.Errorf("the line's edit form offers a product")
	}
}

// The purchase order list's vendor filter is the vendor picker: a select of
// the vendors while there are at most 200, then a typed name resolved on the
// server (several → 422 with the matches), instead of every organization
// purchase orders were ever sent to.
func TestPurchaseOrderListVendorPicker(t *testing.T) {
	app := newTestApp(t)
	var demo struct {
		ID   uint
		Name string
		N    int
	}
	app.DB.Raw(`SELECT o.id, o.name, COUNT(*) AS n FROM purchase_orders p JOIN organizations o ON o.id = p.vendor_id
		GROUP BY o.id, o.name ORDER BY n DESC LIMIT 1`).Scan(&demo)
	if demo.ID == 0 {
		t.Fatal("no demo purchase order")
	}
	manager := app.client(t).login("manager@example.com")
	doc := manager.get("/purchase-orders").doc(t)
	if first := doc.Find(`select#vendor[name="vendor"] option`).First(); first.Text() != "All vendors" || first.AttrOr("value", "x") != "" {
		t.Fatalf("a small list of vendors is not a select starting with All vendors")
	}

	vs := make([]models.Organization, 0, 202)
	for i := 1; i <= 200; i++ {
		vs = append(vs, models.Organization{Name: fmt.Sprintf("Bulk Vendor %03d", i), Type: models.VendorType})
	}
	vs = append(vs, models.Organization{Name: "Kestrel Components", Type: models.VendorType, City: "Ghent"},
		models.Organization{Name: "Kestrel Distribution", Type: models.VendorType, City: "Lille"})
	if err := app.DB.CreateInBatches(&vs, 100).Error; err != nil {
		t.Fatal(err)
	}
	doc = manager.get("/purchase-orders").doc(t)
	if doc.Find(`select[name="vendor"]`).Length() != 0 || doc.Find(`input#vendor[name="vendor_name"]`).AttrOr("data-suggest", "") != "/organizations/suggest?vendors=1" {
		t.Fatalf("past 200 vendors the filter is no typed vendor")
	}
	r := manager.get("/purchase-orders?vendor_name=" + url.QueryEscape(strings.ToUpper(demo.Name)))
	wantStatus(t, "filter by a typed vendor", r, http.StatusOK)
	doc = r.doc(t)
	if rows := doc.Find("main table.list tbody tr"); rows.Length() != min(demo.N, models.PageSize) || fieldValue(doc, "vendor") != demo.Name {
		t.Errorf("filtered by %q: %d rows (want %d), field %q", demo.Name, rows.Length(), min(demo.N, models.PageSize), fieldValue(doc, "vendor"))
	}
	if n := doc.Find(`input[type=hidden][name="vendor"][value="` + idString(demo.ID) + `"]`).Length(); n != 1 {
		t.Errorf("the resolved vendor's id is not kept in the form")
	}
	r = manager.get("/purchase-orders?vendor_name=kestrel")
	wantStatus(t, "an ambiguous vendor", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	if n := doc.Find(`.matches input[name="vendor"]`).Length(); n != 2 || doc.Find("main table.list").Length() != 0 {
		t.Errorf("%d matches offered (want 2), or the list is shown unfiltered", n)
	}
	r = manager.get("/purchase-orders?vendor_name=nobody+at+all")
	wantStatus(t, "an unknown vendor", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "vendor", "No vendor called “nobody at all”")
	// The link from a vendor's page still filters by its id.
	r = manager.get("/purchase-orders?vendor=" + idString(demo.ID))
	if rows := r.doc(t).Find("main table.list tbody tr"); r.Status != http.StatusOK || rows.Length() != min(demo.N, models.PageSize) {
		t.Errorf("filter by id: status %d, %d rows", r.Status, rows.Length())
	}
}
