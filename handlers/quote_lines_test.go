package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// A new line of a catalog product without JavaScript: every field left
// empty, or on "From product", takes the product's value; what the user
// entered wins; a line without a product takes a one-time taxable Product.
// The demo's MS-SEAT is a monthly, non-taxable service at $85.00 (cost
// $32.00), unlike the form's free-form defaults.
func TestQuoteLineFromProductFillsWhatIsLeftEmpty(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Product rule quote", nil)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")
	seat := prBySKU(t, app, "MS-SEAT")
	if seat.Period != models.Monthly || seat.Taxable || seat.Type != models.KindService || seat.UnitPrice != 85_00 || seat.UnitCost != 32_00 || seat.Description == "" {
		t.Fatalf("test set-up: MS-SEAT is %+v; want a monthly non-taxable service at $85.00, cost $32.00, with a description", seat)
	}
	last := func() models.QuoteItem {
		t.Helper()
		items := qtLoad(t, app, q.ID).Items
		if len(items) == 0 {
			t.Fatal("no line")
		}
		return items[len(items)-1]
	}

	// The empty form says what the product fills, and its selects start on
	// "From product".
	doc := c.get(editor).doc(t)
	for _, f := range []string{"kind", "period", "taxable"} {
		sel := doc.Find("form.item-form select#" + f)
		if sel.Length() != 1 || fieldValue(doc, f) != "" || !strings.HasPrefix(sel.Find("option").First().Text(), "From product, else ") {
			t.Errorf("the new line's %s is not a select starting on “From product”: %q", f, sel.Find("option[selected]").Text())
		}
	}
	for _, f := range []string{"name", "unit_price", "unit_cost", "description"} {
		if h := doc.Find("#" + f + "-hint").Text(); !strings.Contains(h, "Empty: the product’s") {
			t.Errorf("the new line's %s hint %q does not say the product fills it", f, h)
		}
	}

	// Everything left as the form comes: the catalog's line.
	r := c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "quantity": {"3"}})
	wantStatus(t, "a product line, the rest left empty", r, http.StatusSeeOther)
	it := last()
	if !sameID(it.ProductID, &seat.ID) || it.Name != seat.Name || it.Description != seat.Description || it.Kind != models.KindService ||
		it.Period != models.Monthly || it.UnitPrice != 85_00 || it.UnitCost != 32_00 || it.Taxable || it.Quantity != 3*models.QuantityScale {
		t.Errorf("the line left to the product is %+v, want the catalog's MS-SEAT × 3", it)
	}

	// What the user entered wins, field by field; the rest is the product's.
	r = c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "name": {"Seats, volume price"},
		"unit_price": {"79.50"}, "period": {"yearly"}, "taxable": {"on"}})
	wantStatus(t, "a product line with typed values", r, http.StatusSeeOther)
	it = last()
	if !sameID(it.ProductID, &seat.ID) || it.Name != "Seats, volume price" || it.UnitPrice != 79_50 || it.Period != models.Yearly || !it.Taxable ||
		it.UnitCost != 32_00 || it.Kind != models.KindService || it.Description != seat.Description {
		t.Errorf("the line with typed values is %+v: want the name, price, period and taxable entered, the cost, type and description of MS-SEAT", it)
	}
	// A price of zero is typed as 0 (empty is the product's).
	r = c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "unit_price": {"0"}, "taxable": {"off"}, "kind": {"labor"}})
	wantStatus(t, "a product line at no charge", r, http.StatusSeeOther)
	if it = last(); it.UnitPrice != 0 || it.UnitCost != 32_00 || it.Taxable || it.Kind != models.KindLabor || it.Period != models.Monthly {
		t.Errorf("the line at 0 is %+v", it)
	}

	// No product: a taxable one-time Product, as the selects say.
	r = c.fill(editor, "form.item-form", url.Values{"name": {"Site survey"}, "unit_price": {"250"}})
	wantStatus(t, "a free-form line", r, http.StatusSeeOther)
	if it = last(); it.ProductID != nil || it.Kind != models.KindProduct || it.Period != models.OneTime || !it.Taxable ||
		it.UnitPrice != 250_00 || it.UnitCost != 0 || it.Description != "" {
		t.Errorf("the free-form line is %+v, want a taxable one-time Product at $250.00", it)
	}
	r = c.fill(editor, "form.item-form", nil)
	wantStatus(t, "nothing at all", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "name", "Name the line, or choose a product.")

	// Refused for another field: the form comes back showing the values
	// the line would take, the product's included, the entered ones kept.
	before := len(qtLoad(t, app, q.ID).Items)
	r = c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "quantity": {"-2"}, "unit_price": {"80"}})
	wantStatus(t, "a product line with a negative quantity", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	wantFieldError(t, doc, "quantity", "cannot be negative")
	for f, want := range map[string]string{"product_id": idString(seat.ID), "name": seat.Name, "unit_price": "80", "unit_cost": "32.00",
		"period": "monthly", "taxable": "off", "kind": "service", "quantity": "-2"} {
		if got := fieldValue(doc, f); got != want {
			t.Errorf("the refused form shows %s %q, want %q", f, got, want)
		}
	}
	// A product to choose again: its message alone, the selects still on
	// "From product".
	r = c.fill(editor, "form.item-form", url.Values{"product_id": {"999999"}})
	wantStatus(t, "a product that does not exist", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	wantFieldError(t, doc, "product_id", "That product is no longer in the catalog")
	if errs := allErrors(doc); len(errs) != 1 {
		t.Errorf("errors %q, want the product's only", errs)
	}
	for _, f := range []string{"kind", "period", "taxable"} {
		if got := fieldValue(doc, f); got != "" {
			t.Errorf("the refused form's %s is %q, want still “From product”", f, got)
		}
	}
	r = c.fill(editor, "form.item-form", url.Values{"name": {"Odd"}, "taxable": {"maybe"}})
	wantStatus(t, "taxable neither yes nor no", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "taxable", "Choose taxable or not from the list.")
	if n := len(qtLoad(t, app, q.ID).Items); n != before {
		t.Errorf("%d lines after refused forms, want %d", n, before)
	}
}

// Editing a line of a product stores what its form holds: the prices the
// user changed stay, even after the catalog's change, and nothing is taken
// from the product again.
func TestQuoteEditProductLineKeepsUserPrices(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Edit product line quote", nil)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")
	seat := prBySKU(t, app, "MS-SEAT")
	r := c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "quantity": {"10"}})
	wantStatus(t, "add the product line", r, http.StatusSeeOther)
	it := qtLoad(t, app, q.ID).Items[0]
	edit := qtPath(q, "/items/"+idString(it.ID)+"/edit")

	// The edit form: no product to fill from, Taxable a checkbox, no hint
	// about the product.
	doc := c.get(edit).doc(t)
	if doc.Find(`[name="product_id"], [name="product_name"]`).Length() != 0 || doc.Find(`input#taxable[type=checkbox]`).Length() != 1 ||
		strings.Contains(doc.Find("form.item-form").Text(), "From product") || strings.Contains(doc.Find("form.item-form").Text(), "the product’s") {
		t.Errorf("the edit form offers to fill from the product")
	}

	r = c.fill(edit, "form.item-form", url.Values{"unit_price": {"70"}, "unit_cost": {"30.25"}})
	wantStatus(t, "change the prices", r, http.StatusSeeOther)
	// The catalog's price changes; the line is edited again for its quantity.
	if err := app.DB.Model(&models.Product{}).Where("id = ?", seat.ID).Updates(map[string]any{"unit_price": 99_00, "unit_cost": 40_00, "period": "yearly"}).Error; err != nil {
		t.Fatal(err)
	}
	if got := fieldValue(c.get(edit).doc(t), "unit_price"); got != "70.00" {
		t.Errorf("the edit form shows the price %q, want the line's 70.00", got)
	}
	r = c.fill(edit, "form.item-form", url.Values{"quantity": {"12"}})
	wantStatus(t, "change the quantity", r, http.StatusSeeOther)
	got := qtLoad(t, app, q.ID).Items[0]
	if got.UnitPrice != 70_00 || got.UnitCost != 30_25 || got.Quantity != 12*models.QuantityScale || got.Period != models.Monthly ||
		got.Taxable || got.Name != seat.Name || !sameID(got.ProductID, &seat.ID) {
		t.Errorf("after two edits the line is %+v; want $70.00, cost $30.25, 12, monthly, not taxable, still MS-SEAT", got)
	}
	// Unchecking is kept as well: the edit form's Taxable is a checkbox.
	r = c.fill(edit, "form.item-form", url.Values{"taxable": {"on"}})
	wantStatus(t, "make it taxable", r, http.StatusSeeOther)
	r = c.fill(edit, "form.item-form", url.Values{"taxable": {}})
	wantStatus(t, "make it not taxable", r, http.StatusSeeOther)
	if got := qtLoad(t, app, q.ID).Items[0]; got.Taxable || got.UnitPrice != 70_00 {
		t.Errorf("after unchecking Taxable the line is %+v", got)
	}
}

// GET /quotes/products/{id} is what the editor's script fills the form with:
// the same values the server fills empty fields with, so the line added
// from the filled form is the line added from the empty one.
func TestQuoteProductLineJSON(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Product JSON quote", nil)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")
	seat := prBySKU(t, app, "MS-SEAT")

	r := c.get("/quotes/products/" + idString(seat.ID))
	wantStatus(t, "GET the product's line", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var line map[string]string
	if err := json.Unmarshal([]byte(r.Body), &line); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	want := map[string]string{"kind": "service", "name": seat.Name, "description": seat.Description, "unit_price": "85.00",
		"unit_cost": "32.00", "period": "monthly", "taxable": "off"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %q, want %q", k, line[k], v)
		}
	}
	if len(line) != len(want) {
		t.Errorf("the line has the fields %v, want %v", line, want)
	}

	// The form as the script fills it, and the form left empty: one line.
	vals := url.Values{"product_id": {idString(seat.ID)}}
	for k, v := range line {
		vals.Set(k, v)
	}
	wantStatus(t, "add the filled form", c.fill(editor, "form.item-form", vals), http.StatusSeeOther)
	wantStatus(t, "add the empty form", c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}}), http.StatusSeeOther)
	items := qtLoad(t, app, q.ID).Items
	a, b := items[0], items[1]
	if !sameID(a.ProductID, &seat.ID) || !sameID(b.ProductID, &seat.ID) {
		t.Errorf("the lines' products %v and %v, want %d", a.ProductID, b.ProductID, seat.ID)
	}
	a.ID, b.ID, a.Position, b.Position, a.ProductID, b.ProductID = 0, 0, 0, 0, nil, nil
	if a != b {
		t.Errorf("the filled form stored %+v, the empty one %+v", a, b)
	}

	// Not offered: an inactive product, none, no number.
	if err := app.DB.Model(&models.Product{}).Where("id = ?", seat.ID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/quotes/products/" + idString(seat.ID), "/quotes/products/999999", "/quotes/products/x"} {
		wantStatus(t, "GET "+path, c.get(path), http.StatusNotFound)
	}
}

// The product picker's hint says how it is used: a select is chosen from,
// a typed picker (past 200 products) is typed into.
func TestQuoteProductPickerHint(t *testing.T) {
	hint := func(doc *goquery.Document) string { return doc.Find("#product_id-hint").Text() }
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Hint quote", nil)
	c := app.client(t).login("rep@example.com")
	doc := c.get(qtPath(q, "")).doc(t)
	if doc.Find("select#product_id").Length() != 1 {
		t.Fatal("the demo catalog's picker is not a select")
	}
	if h := hint(doc); !strings.HasPrefix(h, "Choose a product") || strings.Contains(strings.ToLower(h), "type") || strings.Contains(h, "SKU") {
		t.Errorf("the select's hint %q speaks of typing", h)
	}

	manyProducts(t, app, 201)
	doc = c.get(qtPath(q, "")).doc(t)
	if doc.Find(`input#product_id[name="product_name"]`).Length() != 1 {
		t.Fatal("past 200 products the picker is not typed")
	}
	if h := hint(doc); !strings.HasPrefix(h, "Type a product’s name or SKU") {
		t.Errorf("the typed picker's hint %q", h)
	}
}
