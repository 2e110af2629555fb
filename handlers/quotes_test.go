package handlers_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// Router tests of the built-in quotes: every request goes through the real app
// over HTTP, with CSRF tokens read from the pages (fill and submit); the
// database is checked through app.DB. Records are made with the models where
// the test is not about making them.

// ---------------------------------------------------------------------------
// Helpers of this file.

// qtDay is today's date at midnight UTC, as quote dates are stored.
func qtDay(offset int) time.Time {
	now := time.Now().UTC()
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, offset)
}

func qtDate(offset int) string { return qtDay(offset).Format("2006-01-02") }

var qtSeq int

// qtNewOpp creates an open opportunity of owner at Northwind Traders, with its
// first contact.
func qtNewOpp(t testing.TB, app *testApp, owner models.User) models.Opportunity {
	t.Helper()
	var org models.Organization
	if err := app.DB.Where("name = ?", "Northwind Traders").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	var ct models.Contact
	if err := app.DB.Where("organization_id = ?", org.ID).Order("id").First(&ct).Error; err != nil {
		t.Fatal(err)
	}
	var st models.Stage
	if err := app.DB.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).Order("position, id").First(&st).Error; err != nil {
		t.Fatal(err)
	}
	qtSeq++
	o := models.Opportunity{Title: "Quote test deal " + strconv.Itoa(qtSeq), OrganizationID: org.ID, ContactID: &ct.ID, OwnerID: owner.ID,
		StageID: st.ID, Status: models.StatusActive, ProjectedCloseDate: qtDay(60), Revenue: models.Amounts{OneTime: 1_000_00}}
	if err := models.CreateOpportunity(app.DB, &o, &owner, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	return o
}

// qtItems are two plain lines: 2 × $1,195.00 (cost $820.00) and 1 × $500.00.
func qtItems() []models.QuoteItem {
	return []models.QuoteItem{
		{Kind: models.KindProduct, Name: "Firewall appliance", Quantity: 2 * models.QuantityScale, UnitPrice: 1_195_00, UnitCost: 820_00,
			Period: models.OneTime, Taxable: true},
		{Kind: models.KindLabor, Name: "Installation", Quantity: models.QuantityScale, UnitPrice: 500_00, UnitCost: 200_00, Period: models.OneTime},
	}
}

// qtNewQuote stores a draft quote of owner on the opportunity, valid from
// today for 30 days.
func qtNewQuote(t testing.TB, app *testApp, opp models.Opportunity, owner models.User, name string, items []models.QuoteItem) *models.Quote {
	t.Helper()
	q := models.Quote{OpportunityID: opp.ID, OwnerID: owner.ID, Name: name, EffectiveDate: qtDay(0), ExpirationDate: qtDay(30),
		TermMonths: 12, Items: items}
	if err := models.CreateQuote(app.DB, &q); err != nil {
		t.Fatal(err)
	}
	return qtLoad(t, app, q.ID)
}

func qtLoad(t testing.TB, app *testApp, id uint) *models.Quote {
	t.Helper()
	q, err := models.LoadQuote(app.DB, id)
	if err != nil {
		t.Fatalf("quote %d: %v", id, err)
	}
	return q
}

// qtSend sends the quote with the models, giving it a customer link.
func qtSend(t testing.TB, app *testApp, q *models.Quote) string {
	t.Helper()
	if err := models.SendQuote(app.DB, q, "buyer@example.com", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	return *q.Token
}

func qtPath(q *models.Quote, tail string) string { return "/quotes/" + idString(q.ID) + tail }

// qtLines are the names of the quote's items in order.
func qtLines(t testing.TB, app *testApp, id uint) []string {
	t.Helper()
	var names []string
	for _, it := range qtLoad(t, app, id).Items {
		names = append(names, it.Name)
	}
	return names
}

// qtPageLines are the names of the lines (and headings) of the quote's table on a page.
func qtPageLines(doc *goquery.Document) []string {
	var names []string
	doc.Find("table.quote-lines").First().Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		if tr.HasClass("heading-row") {
			names = append(names, "# "+strings.TrimSpace(tr.Text()))
			return
		}
		cell := tr.Find(`td[data-label="Item"]`).Clone()
		cell.Find("span, br").Remove()
		names = append(names, strings.TrimSpace(cell.Text()))
	})
	return names
}

// qtPeriod is one row of a page's totals table.
type qtPeriod struct{ Label, Subtotal, Discounts, Tax, Total string }

func qtPageTotals(doc *goquery.Document) []qtPeriod {
	var out []qtPeriod
	doc.Find(".quote-doc .totals tbody tr").Each(func(_ int, tr *goquery.Selection) {
		cell := func(l string) string { return strings.TrimSpace(tr.Find(`td[data-label="` + l + `"]`).Text()) }
		out = append(out, qtPeriod{strings.TrimSpace(tr.Find("th").Text()), cell("Subtotal"), cell("Discounts"), cell("Tax"), cell("Total")})
	})
	return out
}

// qtWantTotals checks the totals table of a page against models.ComputeTotals.
func qtWantTotals(t testing.TB, what string, doc *goquery.Document, want models.QuoteTotals) {
	t.Helper()
	var exp []qtPeriod
	for _, p := range want.Periods {
		exp = append(exp, qtPeriod{p.Period.Label(), p.Subtotal.Display(), (-p.Discounts).Display(), p.Tax.Display(), p.Total.Display()})
	}
	got := qtPageTotals(doc)
	if len(got) != len(exp) {
		t.Fatalf("%s: totals %+v, want %+v", what, got, exp)
	}
	for i := range exp {
		if got[i] != exp[i] {
			t.Errorf("%s: totals row %d = %+v, want %+v", what, i, got[i], exp[i])
		}
	}
}

func qtText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func qtReason(t testing.TB, app *testApp, kind models.PicklistKind) string {
	return idString(picklistValue(t, app, kind).ID)
}

// qtRows are the rows of the /quotes list: quote name → status shown.
func qtRows(t testing.TB, r response) map[string]string {
	t.Helper()
	rows := map[string]string{}
	r.doc(t).Find("table.list tbody tr").Each(func(_ int, tr *goquery.Selection) {
		name := tr.Find(`td[data-label="Name"]`).Clone()
		name.Find(".badge").Remove()
		rows[strings.TrimSpace(name.Text())] = strings.TrimSpace(tr.Find(`td[data-label="Status"]`).Text())
	})
	return rows
}

// ---------------------------------------------------------------------------
// Creating a quote.

func TestQuoteCreateFromOpportunity(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	var org models.Organization
	app.DB.First(&org, opp.OrganizationID)
	c := app.client(t).login("rep@example.com")

	// The chooser passes the opportunity on.
	r := c.get("/quotes/new?opportunity_id=" + idString(opp.ID))
	wantStatus(t, "GET /quotes/new?opportunity_id", r, http.StatusSeeOther)
	if want := "/opportunities/" + idString(opp.ID) + "/quotes/new"; r.Location != want {
		t.Errorf("Location %q, want %q", r.Location, want)
	}

	page := "/opportunities/" + idString(opp.ID) + "/quotes/new"
	r = c.get(page)
	wantStatus(t, "GET "+page, r, http.StatusOK)
	doc := r.doc(t)
	if got := fieldValue(doc, "effective_date"); got != qtDate(0) {
		t.Errorf("effective date %q, want today %s", got, qtDate(0))
	}
	if got := fieldValue(doc, "expiration_date"); got != qtDate(30) {
		t.Errorf("expiration date %q, want 30 days after the effective date, %s", got, qtDate(30))
	}
	billTo := fieldValue(doc, "bill_to")
	for _, part := range []string{org.Name, org.Address, org.City, org.Country} {
		if part != "" && !strings.Contains(billTo, part) {
			t.Errorf("bill to %q lacks %q", billTo, part)
		}
	}
	if billTo == "" || fieldValue(doc, "ship_to") != billTo {
		t.Errorf("ship to %q, want the bill-to address %q", fieldValue(doc, "ship_to"), billTo)
	}
	if got := fieldValue(doc, "name"); got != opp.Title {
		t.Errorf("name %q, want the opportunity's title", got)
	}
	if got := fieldValue(doc, "term_months"); got != "12" {
		t.Errorf("term %q, want 12", got)
	}
	var net30 models.PaymentTerm
	if err := app.DB.Where("name = ?", "Net 30").First(&net30).Error; err != nil {
		t.Fatal(err)
	}
	if got := fieldValue(doc, "payment_term_id"); got != idString(net30.ID) {
		t.Errorf("payment terms %q, want Net 30 (%d)", got, net30.ID)
	}

	r = c.fill(page, `form[action$="/quotes"]`, url.Values{"comments": {"Installation on a weekday."}})
	wantStatus(t, "POST create quote", r, http.StatusSeeOther)
	var q models.Quote
	if err := app.DB.Where("opportunity_id = ?", opp.ID).First(&q).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Location, qtPath(&q, "")) {
		t.Errorf("Location %q, want the new quote", r.Location)
	}
	if q.OwnerID != rep.ID || q.Status != models.QuoteDraft || !q.IsPrimary || q.Number == 0 || q.Name != opp.Title ||
		!q.EffectiveDate.Equal(qtDay(0)) || !q.ExpirationDate.Equal(qtDay(30)) || q.BillTo != billTo || q.TermMonths != 12 ||
		!sameID(q.PaymentTermID, &net30.ID) || q.Comments != "Installation on a weekday." || q.Token != nil {
		t.Errorf("created %+v", q)
	}
	next := c.get(r.Location)
	wantStatus(t, "GET the new quote", next, http.StatusOK)
	if fl := flashOf(t, next); !strings.Contains(fl, "#"+strconv.Itoa(q.Number)) {
		t.Errorf("flash %q", fl)
	}

	// A second quote of the opportunity is not its primary quote.
	r = c.fill(page, `form[action$="/quotes"]`, url.Values{"name": {"Option B"}})
	wantStatus(t, "POST second quote", r, http.StatusSeeOther)
	var second models.Quote
	if err := app.DB.Where("opportunity_id = ? AND name = ?", opp.ID, "Option B").First(&second).Error; err != nil {
		t.Fatal(err)
	}
	if second.IsPrimary || second.Number <= q.Number {
		t.Errorf("second quote: primary %v, number %d after %d", second.IsPrimary, second.Number, q.Number)
	}
}

func TestQuoteCreateValidation(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	c := app.client(t).login("rep@example.com")
	page := "/opportunities/" + idString(opp.ID) + "/quotes/new"
	before := countRows(t, app, &models.Quote{})

	for _, tc := range []struct {
		name          string
		change        url.Values
		field, msg    string
		keptField     string
		keptFieldWant string
	}{
		{"expiration before effective", url.Values{"effective_date": {"2030-06-10"}, "expiration_date": {"2030-06-09"}},
			"expiration_date", "cannot be before the effective date", "expiration_date", "2030-06-09"},
		{"impossible date", url.Values{"effective_date": {"2030-02-30"}}, "effective_date", "Enter a date", "effective_date", "2030-02-30"},
		{"date in another format", url.Values{"expiration_date": {"31/12/2030"}}, "expiration_date", "Enter a date", "expiration_date", "31/12/2030"},
		{"unknown tax rate", url.Values{"tax_rate_id": {"999999"}}, "tax_rate_id", "Choose a tax rate", "name", ""},
		{"unknown payment terms", url.Values{"payment_term_id": {"999999"}}, "payment_term_id", "Choose payment terms", "name", ""},
		{"term of 0 months", url.Values{"term_months": {"0"}}, "term_months", "from 1 to 120", "term_months", "0"},
		{"term not a number", url.Values{"term_months": {"twelve"}}, "term_months", "from 1 to 120", "term_months", "twelve"},
		{"no name", url.Values{"name": {"  "}}, "name", "", "bill_to", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change.Set("comments", "Kept comment "+tc.name)
			r := c.fill(page, `form[action$="/quotes"]`, tc.change)
			wantStatus(t, "POST invalid quote", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantErrorSummary(t, doc)
			wantFieldError(t, doc, tc.field, tc.msg)
			if tc.keptFieldWant != "" {
				if got := fieldValue(doc, tc.keptField); got != tc.keptFieldWant {
					t.Errorf("%s shows %q, want the input %q kept", tc.keptField, got, tc.keptFieldWant)
				}
			}
			if got := fieldValue(doc, "comments"); got != "Kept comment "+tc.name {
				t.Errorf("comments %q: the input was not kept", got)
			}
			if n := countRows(t, app, &models.Quote{}); n != before {
				t.Errorf("quotes %d, want %d: an invalid quote was stored", n, before)
			}
		})
	}
}

func TestQuoteRefusedForLostOpportunity(t *testing.T) {
	app := newTestApp(t)
	rep, admin := userByEmail(t, app, "rep@example.com"), userByEmail(t, app, "admin@example.com")
	opp := qtNewOpp(t, app, rep)
	c := app.client(t).login("rep@example.com")
	page := "/opportunities/" + idString(opp.ID) + "/quotes/new"
	tok := c.token(page)
	now := time.Now().UTC()
	in := models.OutcomeInput{ReasonID: picklistValue(t, app, models.LossReasons).ID, Date: now}
	if err := models.MarkLost(app.DB, &opp, opp.Version, in, &admin, now); err != nil {
		t.Fatal(err)
	}

	r := c.get(page)
	wantStatus(t, "GET new quote of a lost opportunity", r, http.StatusUnprocessableEntity)
	if !strings.Contains(excerpt(r.Body), "lost") {
		t.Errorf("the refusal does not say the opportunity is lost: %q", excerpt(r.Body))
	}
	r = c.post("/opportunities/"+idString(opp.ID)+"/quotes", url.Values{"csrf_token": {tok}, "name": {"Too late"},
		"effective_date": {qtDate(0)}, "expiration_date": {qtDate(30)}, "term_months": {"12"}})
	wantStatus(t, "POST quote of a lost opportunity", r, http.StatusUnprocessableEntity)
	if !strings.Contains(excerpt(r.Body), "lost") {
		t.Errorf("the refusal does not say the opportunity is lost: %q", excerpt(r.Body))
	}
	if n := countWhere(t, app, &models.Quote{}, "opportunity_id = ?", opp.ID); n != 0 {
		t.Errorf("%d quotes made for a lost opportunity", n)
	}
}

// ---------------------------------------------------------------------------
// Lines.

func TestQuoteAddLines(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Lines quote", nil)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")

	// A catalog product: what is left empty comes from the catalog, the
	// period and taxable flag included (the form's defaults are one-time and taxable).
	seat := prBySKU(t, app, "MS-SEAT")
	r := c.fill(editor, "form.item-form", url.Values{"product_id": {idString(seat.ID)}, "quantity": {"10"}})
	wantStatus(t, "add a catalog line", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, editor) {
		t.Errorf("Location %q", r.Location)
	}
	items := qtLoad(t, app, q.ID).Items
	if len(items) != 1 {
		t.Fatalf("items %+v", items)
	}
	it := items[0]
	if it.Name != seat.Name || it.Description != seat.Description || it.Kind != seat.Type || it.Period != models.Monthly ||
		it.UnitPrice != seat.UnitPrice || it.UnitCost != seat.UnitCost || it.Taxable != seat.Taxable ||
		it.Quantity != 10*models.QuantityScale || !sameID(it.ProductID, &seat.ID) {
		t.Errorf("catalog line %+v, from %+v", it, seat)
	}

	// A heading, then a free-form line with a discount.
	r = c.fill(editor, `form:has(input[name="kind"][value="heading"])`, url.Values{"name": {"Services"}})
	wantStatus(t, "add a heading", r, http.StatusSeeOther)
	r = c.fill(editor, "form.item-form", url.Values{"kind": {"labor"}, "name": {"Custom cabling"}, "quantity": {"2.5"},
		"unit_price": {"1,120.50"}, "unit_cost": {"50"}, "period": {"one_time"}, "discount_type": {"percent"}, "discount_value": {"12.5"},
		"description": {"Cat 6, per hour"}, "taxable": {"off"}, "optional": {"on"}})
	wantStatus(t, "add a free-form line", r, http.StatusSeeOther)
	items = qtLoad(t, app, q.ID).Items
	if len(items) != 3 {
		t.Fatalf("items %+v", items)
	}
	if h := items[1]; h.Kind != models.KindHeading || h.Name != "Services" {
		t.Errorf("heading %+v", h)
	}
	free := items[2]
	if free.ProductID != nil || free.Kind != models.KindLabor || free.Name != "Custom cabling" || free.Quantity != 25000 ||
		free.UnitPrice != 1_120_50 || free.UnitCost != 50_00 || free.DiscountType != models.DiscountPercent || free.DiscountValue != 12500 ||
		free.Taxable || !free.Optional || free.Description != "Cat 6, per hour" {
		t.Errorf("free-form line %+v", free)
	}

	// The editor lists them in order, the optional line apart.
	doc := c.get(editor).doc(t)
	if got := qtPageLines(doc); strings.Join(got, "|") != seat.Name+"|# Services" {
		t.Errorf("lines on the editor %q", got)
	}
	if txt := qtText(doc.Find(".quote-doc")); !strings.Contains(txt, "Custom cabling") || !strings.Contains(txt, "Optional") {
		t.Errorf("the optional line is not listed apart")
	}

	// A heading needs a name.
	r = c.fill(editor, `form:has(input[name="kind"][value="heading"])`, url.Values{"name": {" "}})
	wantStatus(t, "empty heading", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "heading-name", "Give the heading a name")
	if n := len(qtLoad(t, app, q.ID).Items); n != 3 {
		t.Errorf("items %d after an empty heading, want 3", n)
	}
}

func TestQuoteLineValidation(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Validation quote", qtItems())
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")

	for _, tc := range []struct {
		name       string
		change     url.Values
		field, msg string
	}{
		{"negative quantity", url.Values{"quantity": {"-1"}}, "quantity", "cannot be negative"},
		{"quantity with five decimals", url.Values{"quantity": {"1.23456"}}, "quantity", "at most four decimals"},
		{"quantity not a number", url.Values{"quantity": {"a few"}}, "quantity", "Enter a quantity"},
		{"discount above 100%", url.Values{"discount_type": {"percent"}, "discount_value": {"150"}}, "discount_value", "from 0 to 100"},
		{"discount larger than the line", url.Values{"discount_type": {"per_line"}, "discount_value": {"250.01"}}, "discount_value", "larger than the line"},
		{"per-unit discount larger than the price", url.Values{"discount_type": {"per_unit"}, "discount_value": {"300"}}, "discount_value", "larger than the line"},
		{"discount value without a type", url.Values{"discount_type": {""}, "discount_value": {"10"}}, "discount_type", "Choose the kind of discount"},
		{"absurd unit price", url.Values{"unit_price": {"500,000,000"}}, "unit_price", "too large"},
		{"negative unit price", url.Values{"unit_price": {"-5"}}, "unit_price", "cannot be negative"},
		{"no name", url.Values{"name": {""}}, "name", "Name the line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"kind": {"service"}, "name": {"Kept line " + tc.name}, "quantity": {"1"}, "unit_price": {"250.00"},
				"unit_cost": {"90.00"}, "period": {"monthly"}, "description": {"Kept description"}}
			for k, v := range tc.change {
				form[k] = v
			}
			r := c.fill(editor, "form.item-form", form)
			wantStatus(t, "POST invalid line", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantErrorSummary(t, doc)
			wantFieldError(t, doc, tc.field, tc.msg)
			for _, f := range []string{"name", "quantity", "unit_price", "unit_cost", "description", "discount_value", "discount_type", "period", "kind"} {
				if got, want := fieldValue(doc, f), form.Get(f); got != want {
					t.Errorf("%s shows %q, want the input %q kept", f, got, want)
				}
			}
			if n := len(qtLoad(t, app, q.ID).Items); n != 2 {
				t.Errorf("items %d, want 2: an invalid line was stored", n)
			}
		})
	}
}

func TestQuoteEditMoveAndRemoveLines(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	items := append(qtItems(), models.QuoteItem{Kind: models.KindShipping, Name: "Shipping", Quantity: models.QuantityScale, UnitPrice: 45_00,
		Period: models.OneTime})
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Edit lines quote", items)
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")
	install := q.Items[1]

	// Edit: the form shows the line as stored; saving changes it.
	page := qtPath(q, "/items/"+idString(install.ID)+"/edit")
	r := c.get(page)
	wantStatus(t, "GET edit line", r, http.StatusOK)
	doc := r.doc(t)
	for f, want := range map[string]string{"name": "Installation", "quantity": "1", "unit_price": "500.00", "unit_cost": "200.00", "kind": "labor", "period": "one_time"} {
		if got := fieldValue(doc, f); got != want {
			t.Errorf("edit form %s = %q, want %q", f, got, want)
		}
	}
	r = c.fill(page, "form.item-form", url.Values{"quantity": {"4"}, "unit_price": {"75.25"}, "discount_type": {"per_line"}, "discount_value": {"1.00"}})
	wantStatus(t, "POST edit line", r, http.StatusSeeOther)
	var got models.QuoteItem
	app.DB.First(&got, install.ID)
	if got.Quantity != 4*models.QuantityScale || got.UnitPrice != 75_25 || got.Name != "Installation" || got.DiscountType != models.DiscountPerLine ||
		got.DiscountValue != 1_00 {
		t.Errorf("edited line %+v", got)
	}
	// … and refuses what the add form refuses, keeping the input.
	r = c.fill(page, "form.item-form", url.Values{"quantity": {"-2"}})
	wantStatus(t, "POST invalid edit", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "quantity", "cannot be negative")
	if v := fieldValue(r.doc(t), "quantity"); v != "-2" {
		t.Errorf("quantity shows %q, want the input kept", v)
	}
	app.DB.First(&got, install.ID)
	if got.Quantity != 4*models.QuantityScale {
		t.Errorf("the refused edit changed the line: %+v", got)
	}

	// Move: Shipping up one place.
	tok := c.token(editor)
	r = c.post(qtPath(q, "/items/"+idString(q.Items[2].ID)+"/move"), url.Values{"csrf_token": {tok}, "dir": {"up"}})
	wantStatus(t, "move up", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Firewall appliance|Shipping|Installation" {
		t.Errorf("after moving Shipping up: %s", got)
	}
	if got := strings.Join(qtPageLines(c.get(editor).doc(t)), "|"); got != "Firewall appliance|Shipping|Installation" {
		t.Errorf("the editor shows %s", got)
	}
	r = c.post(qtPath(q, "/items/"+idString(q.Items[0].ID)+"/move"), url.Values{"csrf_token": {tok}, "dir": {"down"}})
	wantStatus(t, "move down", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Shipping|Firewall appliance|Installation" {
		t.Errorf("after moving the firewall down: %s", got)
	}

	// Remove.
	r = c.post(qtPath(q, "/items/"+idString(q.Items[0].ID)+"/delete"), url.Values{"csrf_token": {tok}})
	wantStatus(t, "remove", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Shipping|Installation" {
		t.Errorf("after removing the firewall: %s", got)
	}
	if fl := flashOf(t, c.get(r.Location)); !strings.Contains(fl, "Firewall appliance") {
		t.Errorf("flash %q", fl)
	}
	// A line of another quote is not this quote's.
	other := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Other quote", qtItems())
	r = c.post(qtPath(q, "/items/"+idString(other.Items[0].ID)+"/delete"), url.Values{"csrf_token": {tok}})
	wantStatus(t, "remove a line of another quote", r, http.StatusNotFound)
	if n := len(qtLoad(t, app, other.ID).Items); n != 2 {
		t.Errorf("the other quote has %d lines, want 2", n)
	}
}

// The editor's move and remove buttons post one shared form, as a browser
// sends it without JavaScript: the form the button names (form=), the
// button's formaction and its name and value. The CSRF token is on the list
// once, not in a form per line.
func TestQuoteLineButtonsPostTheSharedForm(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Shared form quote", qtItems())
	c := app.client(t).login("rep@example.com")
	editor := qtPath(q, "")
	// press posts what a browser posts when the button matching sel is pressed.
	press := func(sel string) response {
		t.Helper()
		doc := c.get(editor).doc(t)
		if n := doc.Find(`.line-actions input[name="csrf_token"]`).Length(); n != 1 {
			t.Fatalf("%d CSRF inputs in the line actions, want 1", n)
		}
		b := doc.Find(sel)
		if b.Length() != 1 {
			t.Fatalf("%d buttons %s", b.Length(), sel)
		}
		form := doc.Find("form#" + b.AttrOr("form", "none"))
		if form.Length() != 1 || !strings.EqualFold(form.AttrOr("method", ""), "post") {
			t.Fatalf("button %s names form %q, which is not a POST form of the page", sel, b.AttrOr("form", ""))
		}
		values := url.Values{}
		form.Find("input").Each(func(_ int, in *goquery.Selection) { values.Add(in.AttrOr("name", ""), in.AttrOr("value", "")) })
		if name, ok := b.Attr("name"); ok {
			values.Add(name, b.AttrOr("value", ""))
		}
		return c.post(b.AttrOr("formaction", "none"), values)
	}
	first, second := idString(q.Items[0].ID), idString(q.Items[1].ID)
	r := press(`button[formaction="` + editor + `/items/` + first + `/move"][value="down"]`)
	wantStatus(t, "move down", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Installation|Firewall appliance" {
		t.Errorf("after moving the firewall down: %s", got)
	}
	r = press(`button[formaction="` + editor + `/items/` + first + `/move"][value="up"]`)
	wantStatus(t, "move up", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Firewall appliance|Installation" {
		t.Errorf("after moving the firewall up: %s", got)
	}
	r = press(`button[formaction="` + editor + `/items/` + second + `/delete"]`)
	wantStatus(t, "remove", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, q.ID), "|"); got != "Firewall appliance" {
		t.Errorf("after removing the installation: %s", got)
	}
	// The token is still required: the shared form without it is refused.
	r = c.post(editor+"/items/"+first+"/delete", url.Values{})
	if r.Status != http.StatusForbidden {
		t.Errorf("remove without the CSRF token: status %d, want 403", r.Status)
	}
}

// Editing a line from the catalog keeps its link to the product (which the
// sales order of a won quote and the reports go by).
func TestQuoteEditLineKeepsItsCatalogProduct(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Catalog line quote", nil)
	c := app.client(t).login("rep@example.com")
	seat := prBySKU(t, app, "MS-SEAT")
	wantStatus(t, "add a catalog line", c.fill(qtPath(q, ""), "form.item-form", url.Values{"product_id": {idString(seat.ID)}}), http.StatusSeeOther)
	it := qtLoad(t, app, q.ID).Items[0]
	if !sameID(it.ProductID, &seat.ID) {
		t.Fatalf("the catalog line has product %v", it.ProductID)
	}
	r := c.fill(qtPath(q, "/items/"+idString(it.ID)+"/edit"), "form.item-form", url.Values{"quantity": {"12"}})
	wantStatus(t, "edit the catalog line", r, http.StatusSeeOther)
	app.DB.First(&it, it.ID)
	if it.Quantity != 12*models.QuantityScale {
		t.Fatalf("the edit was not saved: %+v", it)
	}
	if !sameID(it.ProductID, &seat.ID) {
		t.Fatalf("BUG: editing a catalog line through /quotes/:id/items/:item drops its product (product_id %v, want %d): "+
			"the edit form has no product_id field and decodeItem sets ProductID to nil when it is empty", it.ProductID, seat.ID)
	}
}

// Every Edit link of the editor's line list leads to a form.
func TestQuoteEditorLinksOpen(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	items := append([]models.QuoteItem{{Kind: models.KindHeading, Name: "Hardware", Period: models.OneTime}}, qtItems()...)
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Links quote", items)
	c := app.client(t).login("rep@example.com")
	links := c.get(qtPath(q, "")).doc(t).Find(`.line-actions a[href*="/items/"]`)
	if links.Length() < 2 {
		t.Fatalf("%d edit links, want one per line", links.Length())
	}
	var broken []string
	links.Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		if r := c.get(href); r.Status != http.StatusOK {
			broken = append(broken, href+" → "+strconv.Itoa(r.Status))
		}
	})
	if len(broken) > 0 {
		t.Fatalf("BUG: the editor's “Edit, reorder or remove lines” list offers an Edit link for headings, which answers 409 "+
			"(editQuoteItem refuses headings): %v", broken)
	}
}

// ---------------------------------------------------------------------------
// What each page shows.

// qtMixedItems cover every discount, several periods, a discount line, an
// optional line, a heading, taxable and not.
func qtMixedItems() []models.QuoteItem {
	return []models.QuoteItem{
		{Kind: models.KindHeading, Name: "Hardware", Period: models.OneTime},
		{Kind: models.KindProduct, Name: "Firewall appliance", Quantity: 3 * models.QuantityScale, UnitPrice: 1_195_00, UnitCost: 777_77,
			Period: models.OneTime, Taxable: true, DiscountType: models.DiscountPercent, DiscountValue: 7_500},
		{Kind: models.KindProduct, Name: "Docking station", Quantity: 15_000, UnitPrice: 229_99, UnitCost: 158_00, Period: models.OneTime,
			Taxable: true, DiscountType: models.DiscountPerUnit, DiscountValue: 10_01},
		{Kind: models.KindService, Name: "Managed seat", Quantity: 25 * models.QuantityScale, UnitPrice: 85_00, UnitCost: 32_00,
			Period: models.Monthly},
		{Kind: models.KindService, Name: "Firewall subscription", Quantity: 3 * models.QuantityScale, UnitPrice: 480_00, UnitCost: 310_00,
			Period: models.Yearly, Taxable: true, DiscountType: models.DiscountPerLine, DiscountValue: 99_99},
		{Kind: models.KindDiscount, Name: "Welcome discount", Quantity: models.QuantityScale, UnitPrice: 150_00, Period: models.OneTime, Taxable: true},
		{Kind: models.KindLabor, Name: "Spare hours", Quantity: 10 * models.QuantityScale, UnitPrice: 145_00, UnitCost: 60_00,
			Period: models.OneTime, Optional: true},
	}
}

func qtMixedQuote(t testing.TB, app *testApp, owner models.User) *models.Quote {
	t.Helper()
	rate := models.TaxRate{Name: "Quote test state tax", Rate: 8875, Active: true}
	if err := app.DB.Create(&rate).Error; err != nil {
		t.Fatal(err)
	}
	q := qtNewQuote(t, app, qtNewOpp(t, app, owner), owner, "Mixed quote", qtMixedItems())
	if err := app.DB.Model(&models.Quote{}).Where("id = ?", q.ID).Updates(map[string]any{"tax_rate_id": rate.ID, "term_months": 24}).Error; err != nil {
		t.Fatal(err)
	}
	return qtLoad(t, app, q.ID)
}

func TestQuoteEditorTotalsMatchComputeTotals(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtMixedQuote(t, app, rep)
	want := models.ComputeTotals(q.Items, q.TaxRate.Rate, q.TermMonths)
	if len(want.Periods) != 3 || want.Periods[0].Tax == 0 {
		t.Fatalf("the fixture should have three periods and tax: %+v", want.Periods)
	}
	c := app.client(t).login("rep@example.com")
	token := qtSend(t, app, q)

	pages := map[string]*goquery.Document{
		"editor":        c.get(qtPath(q, "")).doc(t),
		"print page":    c.get(qtPath(q, "/print")).doc(t),
		"customer page": app.client(t).get("/q/" + token).doc(t),
	}
	for what, doc := range pages {
		qtWantTotals(t, what, doc, want)
		txt := qtText(doc.Find(".quote-doc"))
		for _, v := range []string{want.FirstYear.Display(), want.Contract.Display(), want.Optional.Display()} {
			if !strings.Contains(txt, v) {
				t.Errorf("%s lacks %s (first-year, contract and optional values %s, %s, %s)", what, v, want.FirstYear.Display(),
					want.Contract.Display(), want.Optional.Display())
			}
		}
		if !strings.Contains(txt, "24 months") {
			t.Errorf("%s does not give the contract term", what)
		}
		// Each line's amount, in order (headings have none).
		var amounts []string
		doc.Find("table.quote-lines").First().Find(`tbody td[data-label="Amount"]`).Each(func(_ int, s *goquery.Selection) {
			amounts = append(amounts, strings.TrimSpace(s.Text()))
		})
		var wantAmounts []string
		for i, it := range q.Items {
			if it.Kind != models.KindHeading && !it.Optional {
				wantAmounts = append(wantAmounts, want.Lines[i].Net.Display())
			}
		}
		if strings.Join(amounts, "|") != strings.Join(wantAmounts, "|") {
			t.Errorf("%s line amounts %q, want %q", what, amounts, wantAmounts)
		}
	}
}

func TestQuotePrintPageShowsNoCostOrMargin(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtMixedQuote(t, app, rep)
	tt := q.Totals()
	costs := []string{"777.77", tt.Lines[1].Cost.Display(), tt.Margin.Display()}

	for _, email := range []string{"rep@example.com", "manager@example.com"} {
		c := app.client(t).login(email)
		// The editor is internal: cost and margin per line, and the first-year margin.
		doc := c.get(qtPath(q, "")).doc(t)
		if txt := qtText(doc.Find("p.internal")); !strings.Contains(txt, tt.Margin.Display()) {
			t.Errorf("%s: the editor does not show the first-year margin %s: %q", email, tt.Margin.Display(), txt)
		}
		heads := qtText(doc.Find("table.quote-lines thead").First())
		if !strings.Contains(heads, "Cost") || !strings.Contains(heads, "Margin") {
			t.Errorf("%s: the editor's lines have no cost and margin columns: %q", email, heads)
		}
		if cell := strings.TrimSpace(doc.Find(`table.quote-lines td[data-label="Cost"]`).First().Text()); cell != tt.Lines[1].Cost.Display() {
			t.Errorf("%s: first line cost %q, want %s", email, cell, tt.Lines[1].Cost.Display())
		}

		r := c.get(qtPath(q, "/print"))
		wantStatus(t, "GET print", r, http.StatusOK)
		pd := r.doc(t)
		if pd.Find(".quote-doc").Length() != 1 {
			t.Fatalf("%s: the print page has no quote", email)
		}
		body := qtText(pd.Find("body"))
		for _, s := range costs {
			if strings.Contains(body, s) {
				t.Errorf("%s: the print page shows %s", email, s)
			}
		}
		if pd.Find("p.internal").Length() != 0 || strings.Contains(body, "Internal") || strings.Contains(body, "argin") ||
			pd.Find(`th:contains("Cost"), td[data-label="Cost"]`).Length() != 0 {
			t.Errorf("%s: the print page shows cost or margin", email)
		}
		if !strings.Contains(body, "Firewall appliance") || !strings.Contains(body, tt.FirstYear.Display()) {
			t.Errorf("%s: the print page lacks the quote", email)
		}
	}
}

// ---------------------------------------------------------------------------
// Primary quote, copy, import.

func TestQuoteMakePrimaryUnmarksTheOther(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	if err := app.DB.Model(&models.Opportunity{}).Where("id = ?", opp.ID).Update("use_quote_totals", true).Error; err != nil {
		t.Fatal(err)
	}
	a := qtNewQuote(t, app, opp, rep, "Option A", qtItems())
	b := qtNewQuote(t, app, opp, rep, "Option B", qtMixedItems())
	if !a.IsPrimary || b.IsPrimary {
		t.Fatalf("primary: A %v, B %v", a.IsPrimary, b.IsPrimary)
	}
	c := app.client(t).login("rep@example.com")
	if c.get(qtPath(b, "")).doc(t).Find(`form[action$="/primary"]`).Length() != 1 {
		t.Errorf("no Make primary button on the other quote")
	}
	r := c.postWithToken(qtPath(b, ""), qtPath(b, "/primary"), nil)
	wantStatus(t, "make primary", r, http.StatusSeeOther)
	if qtLoad(t, app, a.ID).IsPrimary || !qtLoad(t, app, b.ID).IsPrimary {
		t.Errorf("after making B primary: A %v, B %v", qtLoad(t, app, a.ID).IsPrimary, qtLoad(t, app, b.ID).IsPrimary)
	}
	if n := countWhere(t, app, &models.Quote{}, "opportunity_id = ? AND is_primary = ?", opp.ID, true); n != 1 {
		t.Errorf("%d primary quotes, want 1", n)
	}
	if c.get(qtPath(b, "")).doc(t).Find(`form[action$="/primary"]`).Length() != 0 {
		t.Errorf("the primary quote still offers Make primary")
	}
	// The opportunity uses quote totals: it now has B's amounts.
	if o, want := loadOpp(t, app, opp.ID), qtLoad(t, app, b.ID).Totals(); o.Revenue != want.Revenue || o.Cost != want.Costs {
		t.Errorf("opportunity revenue %+v cost %+v, want the primary quote's %+v %+v", o.Revenue, o.Cost, want.Revenue, want.Costs)
	}
}

func TestQuoteCopy(t *testing.T) {
	app := newTestApp(t)
	rep2, mgr := userByEmail(t, app, "rep2@example.com"), userByEmail(t, app, "manager@example.com")
	src := qtMixedQuote(t, app, rep2)
	qtSend(t, app, src)
	manager := app.client(t).login("manager@example.com")

	r := manager.postWithToken(qtPath(src, ""), qtPath(src, "/copy"), nil)
	wantStatus(t, "copy", r, http.StatusSeeOther)
	var cp models.Quote
	if err := app.DB.Where("opportunity_id = ? AND id <> ?", src.OpportunityID, src.ID).First(&cp).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Location, "/quotes/"+idString(cp.ID)) {
		t.Errorf("Location %q, want the copy %d", r.Location, cp.ID)
	}
	got := qtLoad(t, app, cp.ID)
	if got.Status != models.QuoteDraft || got.Token != nil || got.IsPrimary || got.OwnerID != mgr.ID || got.Number <= src.Number ||
		got.Name != src.Name+" (copy)" || !sameID(got.TaxRateID, src.TaxRateID) || got.TermMonths != src.TermMonths || got.SentAt != nil {
		t.Errorf("copy %+v", *got)
	}
	if len(got.Items) != len(src.Items) {
		t.Fatalf("copy has %d items, want %d", len(got.Items), len(src.Items))
	}
	for i := range src.Items {
		a, b := src.Items[i], got.Items[i]
		if b.ID == a.ID || b.Name != a.Name || b.Quantity != a.Quantity || b.UnitPrice != a.UnitPrice || b.UnitCost != a.UnitCost ||
			b.DiscountType != a.DiscountType || b.DiscountValue != a.DiscountValue || b.Period != a.Period || b.Optional != a.Optional ||
			b.Taxable != a.Taxable || b.Kind != a.Kind {
			t.Errorf("item %d: copy %+v, source %+v", i, b, a)
		}
	}
	if got.Totals().Contract != src.Totals().Contract {
		t.Errorf("the copy's totals differ")
	}
	if s := qtLoad(t, app, src.ID); s.Status != models.QuoteSent || len(s.Items) != len(src.Items) {
		t.Errorf("the source changed: %+v", s)
	}
}

func TestQuoteImportItems(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	from := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Import source", qtItems())
	into := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Import target", []models.QuoteItem{{Kind: models.KindShipping, Name: "Shipping",
		Quantity: models.QuantityScale, UnitPrice: 45_00, Period: models.OneTime}})
	c := app.client(t).login("rep@example.com")
	// The editor links to the step that offers the other quotes; it lists none itself.
	editor := c.get(qtPath(into, "")).doc(t)
	if editor.Find(`a[href="`+qtPath(into, "/import")+`"]`).Length() != 1 {
		t.Fatal("the editor has no link to import the items of another quote")
	}
	if editor.Find(`select[name="from"]`).Length() != 0 {
		t.Error("the editor still lists the other quotes")
	}
	page := c.get(qtPath(into, "/import"))
	wantStatus(t, "import page", page, http.StatusOK)
	opt := page.doc(t).Find(`select[name="from"] option[value="` + idString(from.ID) + `"]`)
	if opt.Length() != 1 || !strings.Contains(opt.Text(), "Import source") {
		t.Fatalf("the import page does not offer the source quote: %q", opt.Text())
	}
	if page.doc(t).Find(`select[name="from"] option[value="`+idString(into.ID)+`"]`).Length() != 0 {
		t.Error("the import page offers the quote itself")
	}
	r := c.fill(qtPath(into, "/import"), `form[action$="/import"]`, url.Values{"from": {idString(from.ID)}})
	wantStatus(t, "import", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, into.ID), "|"); got != "Shipping|Firewall appliance|Installation" {
		t.Errorf("after the import: %s", got)
	}
	if n := len(qtLoad(t, app, from.ID).Items); n != 2 {
		t.Errorf("the source has %d items", n)
	}
}

// ---------------------------------------------------------------------------
// Sending, and the customer's link.

func TestQuoteSendWritesTheOutbox(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Send quote", qtItems())
	c := app.client(t).login("rep@example.com")
	outbox := countRows(t, app, &models.OutboxMessage{})

	// A bad address is refused next to the field, nothing sent.
	for _, bad := range []string{"not-an-email", "buyer@example", "Buyer <buyer@example.com>", ""} {
		r := c.fill(qtPath(q, ""), `form[action$="/send"]`, url.Values{"to": {bad}})
		wantStatus(t, "send to "+bad, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		wantFieldError(t, doc, "send-to", "e-mail address")
		if got := fieldValue(doc, "send-to"); bad != "" && got != bad {
			t.Errorf("the address shows %q, want the input %q kept", got, bad)
		}
	}
	if n := countRows(t, app, &models.OutboxMessage{}); n != outbox {
		t.Errorf("outbox %d, want %d", n, outbox)
	}
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteDraft || s.Token != nil {
		t.Errorf("a refused send changed the quote: %s %v", s.Status, s.Token)
	}

	r := c.fill(qtPath(q, ""), `form[action$="/send"]`, url.Values{"to": {"jane.buyer@northwind.example"}})
	wantStatus(t, "send", r, http.StatusSeeOther)
	s := qtLoad(t, app, q.ID)
	if s.Status != models.QuoteSent || s.Token == nil || len(*s.Token) < 20 || s.SentTo != "jane.buyer@northwind.example" || s.SentAt == nil {
		t.Fatalf("sent quote %+v", *s)
	}
	if n := countRows(t, app, &models.OutboxMessage{}); n != outbox+1 {
		t.Fatalf("outbox %d, want %d", n, outbox+1)
	}
	var m models.OutboxMessage
	app.DB.Order("id DESC").First(&m)
	if m.ToAddress != "jane.buyer@northwind.example" || !strings.Contains(m.Subject, "#"+strconv.Itoa(q.Number)) ||
		!strings.Contains(m.Body, "/q/"+*s.Token) {
		t.Errorf("outbox message %+v", m)
	}
	// The editor shows the link; admins read the outbox.
	if doc := c.get(qtPath(q, "")).doc(t); doc.Find(`a[href$="://`+strings.TrimPrefix(app.URL, "http://")+`/q/`+*s.Token+`"]`).Length() == 0 {
		t.Errorf("the editor does not show the customer link")
	}
	admin := app.client(t).login("admin@example.com")
	if txt := qtText(admin.get("/admin/outbox").doc(t).Find("main")); !strings.Contains(txt, "jane.buyer@northwind.example") {
		t.Errorf("the outbox page does not list the message")
	}
	// Sending again keeps the link.
	r = c.fill(qtPath(q, ""), `form[action$="/send"]`, url.Values{"to": {"jane.buyer@northwind.example"}})
	wantStatus(t, "send again", r, http.StatusSeeOther)
	if again := qtLoad(t, app, q.ID); again.Token == nil || *again.Token != *s.Token {
		t.Errorf("sending again changed the link")
	}
}

func TestQuoteLinkRegenerateAndRevoke(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Link quote", qtItems())
	old := qtSend(t, app, q)
	c := app.client(t).login("rep@example.com")
	anon := app.client(t)
	wantStatus(t, "GET the link", anon.get("/q/"+old), http.StatusOK)

	r := c.fill(qtPath(q, ""), `form[action$="/link"]`, url.Values{"action": {"regenerate"}})
	wantStatus(t, "regenerate", r, http.StatusSeeOther)
	s := qtLoad(t, app, q.ID)
	if s.Token == nil || *s.Token == old {
		t.Fatalf("token after regenerate: %v", s.Token)
	}
	r = anon.get("/q/" + old)
	wantStatus(t, "GET the old link", r, http.StatusNotFound)
	if !strings.Contains(excerpt(r.Body), "not valid") {
		t.Errorf("the old link's page: %q", excerpt(r.Body))
	}
	wantStatus(t, "GET the old link's PDF", anon.get("/q/"+old+"/pdf"), http.StatusNotFound)
	wantStatus(t, "GET the new link", anon.get("/q/"+*s.Token), http.StatusOK)

	r = c.fill(qtPath(q, ""), `form[action$="/link"]`, url.Values{"action": {"revoke"}})
	wantStatus(t, "revoke", r, http.StatusSeeOther)
	if s2 := qtLoad(t, app, q.ID); s2.Token != nil {
		t.Errorf("token after revoke: %v", *s2.Token)
	}
	wantStatus(t, "GET the revoked link", anon.get("/q/"+*s.Token), http.StatusNotFound)
	tok := anon.token("/login")
	wantStatus(t, "POST the revoked link", anon.post("/q/"+*s.Token, url.Values{"csrf_token": {tok}, "name": {"Jane"}, "answer": {"approve"}}),
		http.StatusNotFound)
	if s3 := qtLoad(t, app, q.ID); s3.Status != models.QuoteSent || s3.RespondedAt != nil {
		t.Errorf("a revoked link answered the quote: %+v", *s3)
	}

	r = c.postWithToken(qtPath(q, ""), qtPath(q, "/link"), url.Values{"action": {"explode"}})
	wantStatus(t, "unknown link action", r, http.StatusUnprocessableEntity)
}

func TestCustomerApprovesQuote(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtMixedQuote(t, app, rep)
	token := qtSend(t, app, q)
	notes := countWhere(t, app, &models.Note{}, "opportunity_id = ?", q.OpportunityID)
	anon := app.client(t)
	page := "/q/" + token
	tok := anon.token(page)

	r := anon.get(page)
	wantStatus(t, "GET customer page", r, http.StatusOK)
	doc := r.doc(t)
	if txt := qtText(doc.Find("body")); strings.Contains(txt, "777.77") || strings.Contains(txt, "argin") || !strings.Contains(txt, q.Name) {
		t.Errorf("the customer page shows cost or margin, or not the quote")
	}
	if doc.Find(`#nav`).Length() != 0 {
		t.Errorf("the customer page shows the app's navigation")
	}

	// The name is required; nothing is recorded without it.
	r = anon.fill(page, `form[action="`+page+`"]`, url.Values{"name": {" "}, "comment": {"Looks good"}, "answer": {"approve"}})
	wantStatus(t, "approve without a name", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "name", "Your name")
	if v := fieldValue(r.doc(t), "comment"); v != "Looks good" {
		t.Errorf("comment %q, want the input kept", v)
	}
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteSent || s.RespondedAt != nil {
		t.Fatalf("the refused answer was recorded: %+v", *s)
	}

	r = anon.fill(page, `form[action="`+page+`"]`, url.Values{"name": {"Jane Buyer"}, "comment": {"Please deliver in May."}, "answer": {"approve"}})
	wantStatus(t, "approve", r, http.StatusSeeOther)
	if r.Location != page {
		t.Errorf("Location %q, want %q", r.Location, page)
	}
	next := anon.get(r.Location)
	if fl := flashOf(t, next); !strings.Contains(fl, "approval has been recorded") {
		t.Errorf("flash %q", fl)
	}
	if txt := qtText(next.doc(t).Find(".answer-box")); !strings.Contains(txt, "Jane Buyer approved") || next.doc(t).Find(".answer-box form").Length() != 0 {
		t.Errorf("the answered page: %q", txt)
	}
	s := qtLoad(t, app, q.ID)
	if s.Status != models.QuoteAccepted || s.ResponseName != "Jane Buyer" || s.ResponseComment != "Please deliver in May." || s.RespondedAt == nil {
		t.Fatalf("answered quote %+v", *s)
	}
	// A note on the opportunity, and the news on the owner's Home page.
	if n := countWhere(t, app, &models.Note{}, "opportunity_id = ?", q.OpportunityID); n != notes+1 {
		t.Errorf("notes %d, want %d", n, notes+1)
	}
	var note models.Note
	app.DB.Where("opportunity_id = ?", q.OpportunityID).Order("id DESC").First(&note)
	if !strings.Contains(note.Body, "accepted by Jane Buyer") || !strings.Contains(note.Body, "Please deliver in May.") {
		t.Errorf("note %q", note.Body)
	}
	owner := app.client(t).login("rep@example.com")
	news := owner.get("/").doc(t).Find(`a[href="` + qtPath(q, "") + `"]`)
	if !strings.Contains(qtText(news), "Jane Buyer accepted quote #"+strconv.Itoa(q.Number)) {
		t.Errorf("the owner's Home page news: %q", qtText(news))
	}
	if n := app.client(t).login("manager@example.com").get("/").doc(t).Find(`a[href="` + qtPath(q, "") + `"]`).Length(); n != 0 {
		t.Errorf("the manager's Home page shows the rep's news")
	}
	// The editor tells the owner, and offers to win it.
	ed := owner.get(qtPath(q, "")).doc(t)
	if txt := qtText(ed.Find("main")); !strings.Contains(txt, "Jane Buyer accepted") || ed.Find(`a[href="`+qtPath(q, "/won")+`"]`).Length() == 0 {
		t.Errorf("the editor after the approval: %q", txt)
	}

	// A second answer is refused and changes nothing.
	r = anon.post(page, url.Values{"csrf_token": {tok}, "name": {"Mallory"}, "answer": {"decline"}})
	wantStatus(t, "second answer", r, http.StatusConflict)
	if txt := qtText(r.doc(t).Find(".answer-box")); !strings.Contains(txt, "Jane Buyer approved") {
		t.Errorf("the refusal does not show the first answer: %q", txt)
	}
	s2 := qtLoad(t, app, q.ID)
	if s2.Status != models.QuoteAccepted || s2.ResponseName != "Jane Buyer" || !s2.RespondedAt.Equal(*s.RespondedAt) {
		t.Errorf("the second answer changed the quote: %+v", *s2)
	}
	if n := countWhere(t, app, &models.Note{}, "opportunity_id = ?", q.OpportunityID); n != notes+1 {
		t.Errorf("notes %d after the second answer, want %d", n, notes+1)
	}
}

func TestCustomerDeclinesQuote(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Decline quote", qtItems())
	page := "/q/" + qtSend(t, app, q)
	anon := app.client(t)
	r := anon.fill(page, `form[action="`+page+`"]`, url.Values{"name": {"John Buyer"}, "comment": {"Too expensive."}, "answer": {"decline"}})
	wantStatus(t, "decline", r, http.StatusSeeOther)
	s := qtLoad(t, app, q.ID)
	if s.Status != models.QuoteDeclined || s.ResponseName != "John Buyer" || s.ResponseComment != "Too expensive." || s.RespondedAt == nil {
		t.Fatalf("declined quote %+v", *s)
	}
	var note models.Note
	if err := app.DB.Where("opportunity_id = ?", q.OpportunityID).Order("id DESC").First(&note).Error; err != nil || !strings.Contains(note.Body, "declined by John Buyer") {
		t.Errorf("note %q (%v)", note.Body, err)
	}
	if n := countWhere(t, app, &models.Notification{}, "user_id = ? AND link = ? AND message LIKE ?", rep.ID, qtPath(q, ""), "%declined%"); n != 1 {
		t.Errorf("%d notifications for the owner, want 1", n)
	}
	if txt := qtText(anon.get(page).doc(t).Find(".answer-box")); !strings.Contains(txt, "John Buyer declined") {
		t.Errorf("the answered page: %q", txt)
	}
	// Neither Approve nor Decline: refused.
	q2 := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "No answer quote", qtItems())
	page2 := "/q/" + qtSend(t, app, q2)
	r = anon.fill(page2, `form[action="`+page2+`"]`, url.Values{"name": {"John Buyer"}, "answer": {"maybe"}})
	wantStatus(t, "answer maybe", r, http.StatusUnprocessableEntity)
	if s := qtLoad(t, app, q2.ID); s.Status != models.QuoteSent {
		t.Errorf("status %s", s.Status)
	}
}

func TestCustomerCannotAnswerAfterExpiry(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")

	// Valid through the whole of its expiration date.
	last := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Last day quote", qtItems())
	lastPage := "/q/" + qtSend(t, app, last)
	app.DB.Model(&models.Quote{}).Where("id = ?", last.ID).Updates(map[string]any{"effective_date": qtDay(-30), "expiration_date": qtDay(0)})
	anon := app.client(t)
	r := anon.fill(lastPage, `form[action="`+lastPage+`"]`, url.Values{"name": {"Jane Buyer"}, "answer": {"approve"}})
	wantStatus(t, "approve on the last day", r, http.StatusSeeOther)

	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Expired quote", qtItems())
	page := "/q/" + qtSend(t, app, q)
	tok := anon.token(page)
	app.DB.Model(&models.Quote{}).Where("id = ?", q.ID).Updates(map[string]any{"effective_date": qtDay(-31), "expiration_date": qtDay(-1)})
	notes, news := countRows(t, app, &models.Note{}), countRows(t, app, &models.Notification{})

	r = anon.get(page)
	wantStatus(t, "GET expired quote", r, http.StatusOK)
	doc := r.doc(t)
	if doc.Find(".answer-box form").Length() != 0 || !strings.Contains(qtText(doc.Find(".answer-box")), "expired") {
		t.Errorf("the expired quote's page: %q", qtText(doc.Find(".answer-box")))
	}
	r = anon.post(page, url.Values{"csrf_token": {tok}, "name": {"Jane Buyer"}, "answer": {"approve"}})
	wantStatus(t, "approve after expiry", r, http.StatusConflict)
	s := qtLoad(t, app, q.ID)
	if s.Status != models.QuoteSent || s.RespondedAt != nil || s.ResponseName != "" {
		t.Errorf("an expired quote was answered: %+v", *s)
	}
	if countRows(t, app, &models.Note{}) != notes || countRows(t, app, &models.Notification{}) != news {
		t.Errorf("an expired quote's answer left a note or a notification")
	}
	// The internal list says Expired.
	c := app.client(t).login("rep@example.com")
	if st := qtRows(t, c.get("/quotes?owner="+idString(rep.ID)))["Expired quote"]; st != "Expired" {
		t.Errorf("the list shows the expired quote as %q", st)
	}
}

// ---------------------------------------------------------------------------
// An answered quote, winning and losing.

func TestAcceptedQuoteCannotBeEdited(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	other := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Import source", qtItems())
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Accepted quote", qtItems())
	qtSend(t, app, q)
	if err := models.AnswerQuote(app.DB, q, true, "Jane Buyer", "", "127.0.0.1", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	q = qtLoad(t, app, q.ID)
	changes := `form.item-form, .line-actions, a[href$="/edit"], a[href$="/import"], form[action$="/send"]`
	if n := app.client(t).login("rep@example.com").get(qtPath(other, "")).doc(t).Find(changes).Length(); n < 4 {
		t.Fatalf("the editor of a draft offers %d of the changes", n)
	}
	for _, email := range []string{"rep@example.com", "admin@example.com"} {
		c := app.client(t).login(email)
		tok := c.token("/")
		item := idString(q.Items[0].ID)
		header := url.Values{"csrf_token": {tok}, "name": {"Changed after the answer"}, "effective_date": {qtDate(0)},
			"expiration_date": {qtDate(30)}, "term_months": {"12"}}
		line := url.Values{"csrf_token": {tok}, "kind": {"service"}, "name": {"Late line"}, "quantity": {"1"}, "unit_price": {"1.00"}, "period": {"one_time"}}
		for _, tc := range []struct {
			what string
			r    func() response
		}{
			{"GET edit", func() response { return c.get(qtPath(q, "/edit")) }},
			{"POST header", func() response { return c.post(qtPath(q, ""), header) }},
			{"POST line", func() response { return c.post(qtPath(q, "/items"), line) }},
			{"POST heading", func() response {
				return c.post(qtPath(q, "/items"), url.Values{"csrf_token": {tok}, "kind": {"heading"}, "name": {"Late heading"}})
			}},
			{"GET edit line", func() response { return c.get(qtPath(q, "/items/"+item+"/edit")) }},
			{"POST edit line", func() response { return c.post(qtPath(q, "/items/"+item), line) }},
			{"POST move line", func() response {
				return c.post(qtPath(q, "/items/"+idString(q.Items[1].ID)+"/move"), url.Values{"csrf_token": {tok}, "dir": {"up"}})
			}},
			{"POST remove line", func() response { return c.post(qtPath(q, "/items/"+item+"/delete"), url.Values{"csrf_token": {tok}}) }},
			{"GET import", func() response { return c.get(qtPath(q, "/import")) }},
			{"POST import", func() response {
				return c.post(qtPath(q, "/import"), url.Values{"csrf_token": {tok}, "from": {idString(other.ID)}})
			}},
			{"POST send", func() response {
				return c.post(qtPath(q, "/send"), url.Values{"csrf_token": {tok}, "to": {"other@example.com"}})
			}},
		} {
			r := tc.r()
			if r.Status != http.StatusConflict {
				t.Errorf("%s: %s on an accepted quote: status %d, want 409", email, tc.what, r.Status)
			} else if tc.what == "GET edit" && !strings.Contains(excerpt(r.Body), "copy it") {
				t.Errorf("%s: the refusal does not say to copy the quote: %q", email, excerpt(r.Body))
			}
		}
		// The editor offers no change, but the copy.
		doc := c.get(qtPath(q, "")).doc(t)
		if doc.Find(changes).Length() != 0 {
			t.Errorf("%s: the editor of an accepted quote offers changes", email)
		}
		if doc.Find(`form[action$="/copy"]`).Length() != 1 {
			t.Errorf("%s: the editor of an accepted quote does not offer a copy", email)
		}
	}
	s := qtLoad(t, app, q.ID)
	if s.Name != "Accepted quote" || strings.Join(qtLines(t, app, q.ID), "|") != "Firewall appliance|Installation" || s.Status != models.QuoteAccepted ||
		s.SentTo != "buyer@example.com" {
		t.Errorf("the accepted quote changed: %+v %v", *s, qtLines(t, app, q.ID))
	}

	// Copy it instead: the copy is a draft that can be changed.
	c := app.client(t).login("rep@example.com")
	r := c.postWithToken(qtPath(q, ""), qtPath(q, "/copy"), nil)
	wantStatus(t, "copy the accepted quote", r, http.StatusSeeOther)
	var cp models.Quote
	if err := app.DB.Where("opportunity_id = ? AND id <> ?", q.OpportunityID, q.ID).First(&cp).Error; err != nil {
		t.Fatal(err)
	}
	r = c.fill(qtPath(&cp, ""), "form.item-form", url.Values{"kind": {"service"}, "name": {"New line"}, "quantity": {"1"}, "unit_price": {"10"}})
	wantStatus(t, "add a line to the copy", r, http.StatusSeeOther)
	if got := strings.Join(qtLines(t, app, cp.ID), "|"); got != "Firewall appliance|Installation|New line" {
		t.Errorf("the copy's lines: %s", got)
	}
}

// TestEmptyQuoteCannotBeWon: won at its amounts, a quote with no lines (only
// a heading, say) would close the deal at nothing over the amount it had. The
// editor offers no "Won quote", and the form and a hand-made POST are refused
// with nothing changed; "Lost quote" stays.
func TestEmptyQuoteCannotBeWon(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	before := loadOpp(t, app, opp.ID)
	q := qtNewQuote(t, app, opp, rep, "Empty draft", []models.QuoteItem{{Kind: models.KindHeading, Name: "Hardware"}})
	c := app.client(t).login("rep@example.com")
	page := qtPath(q, "/won")
	ed := c.get(qtPath(q, "")).doc(t)
	if ed.Find(`a[href="`+page+`"]`).Length() != 0 || ed.Find(`a[href="`+qtPath(q, "/lost")+`"]`).Length() != 1 {
		t.Errorf("the empty quote's editor offers Won quote, or no Lost quote")
	}
	wantStatus(t, "GET won", c.get(page), http.StatusConflict)
	r := c.post(page, url.Values{"csrf_token": {c.token(qtPath(q, ""))}, "reason_id": {qtReason(t, app, models.WinReasons)}, "date": {qtDate(0)},
		"version": {strconv.Itoa(before.Version)}})
	wantStatus(t, "POST won", r, http.StatusConflict)
	if o := loadOpp(t, app, opp.ID); !o.Status.Open() || o.Revenue != before.Revenue || o.Version != before.Version {
		t.Errorf("a refused win changed the opportunity: %s %+v version %d", o.Status, o.Revenue, o.Version)
	}
	if err := models.WinFromQuote(app.DB, qtLoad(t, app, q.ID), models.OutcomeInput{}, &rep, time.Now()); !errors.Is(err, models.ErrQuoteEmpty) {
		t.Errorf("WinFromQuote of an empty quote: %v, want ErrQuoteEmpty", err)
	}
}

func TestQuoteWon(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	first := qtNewQuote(t, app, opp, rep, "First try", qtItems())
	q := qtNewQuote(t, app, opp, rep, "Winning quote", qtMixedItems())
	c := app.client(t).login("rep@example.com")
	page := qtPath(q, "/won")

	r := c.get(page)
	wantStatus(t, "GET won", r, http.StatusOK)
	if r.doc(t).Find(`form[action="`+page+`"]`).Length() != 1 {
		t.Fatalf("the form does not post to %s", page)
	}
	// The reason is required.
	r = c.fill(page, `form[action="`+page+`"]`, url.Values{"reason_id": {""}})
	wantStatus(t, "won without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason_id", "Choose a reason")
	if o := loadOpp(t, app, opp.ID); !o.Status.Open() {
		t.Fatalf("a refused win closed the opportunity: %s", o.Status)
	}
	// A loss reason is no win reason.
	r = c.fill(page, `form[action="`+page+`"]`, url.Values{"reason_id": {qtReason(t, app, models.LossReasons)}})
	wantStatus(t, "won with a loss reason", r, http.StatusUnprocessableEntity)
	if o := loadOpp(t, app, opp.ID); !o.Status.Open() || !qtLoad(t, app, first.ID).IsPrimary {
		t.Fatalf("a refused win changed the opportunity or the primary quote")
	}

	r = c.fill(page, `form[action="`+page+`"]`, url.Values{"reason_id": {qtReason(t, app, models.WinReasons)}, "detail": {"Best price."}})
	wantStatus(t, "won", r, http.StatusSeeOther)
	if want := "/opportunities/" + idString(opp.ID); r.Location != want {
		t.Errorf("Location %q, want %q", r.Location, want)
	}
	o := loadOpp(t, app, opp.ID)
	want := q.Totals()
	if o.Status != models.StatusClosed || o.ClosedDate == nil || o.WinReasonID == nil || o.Revenue != want.Revenue || o.Cost != want.Costs {
		t.Errorf("won opportunity: status %s, revenue %+v cost %+v; want closed with %+v %+v", o.Status, o.Revenue, o.Cost, want.Revenue, want.Costs)
	}
	if !qtLoad(t, app, q.ID).IsPrimary || qtLoad(t, app, first.ID).IsPrimary {
		t.Errorf("the won quote is not the primary quote")
	}
	// Closed: no second outcome.
	wantStatus(t, "GET won again", c.get(page), http.StatusConflict)
	wantStatus(t, "GET lost after won", c.get(qtPath(q, "/lost")), http.StatusConflict)
}

func TestQuoteLost(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	q := qtNewQuote(t, app, opp, rep, "Losing quote", qtItems())
	c := app.client(t).login("rep@example.com")
	page := qtPath(q, "/lost")

	r := c.fill(page, `form[action="`+page+`"]`, url.Values{"reason_id": {""}})
	wantStatus(t, "lost without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason_id", "Choose a reason")
	if o := loadOpp(t, app, opp.ID); !o.Status.Open() {
		t.Fatalf("a refused loss closed the opportunity")
	}
	rival := picklistValue(t, app, models.Competitors)
	r = c.fill(page, `form[action="`+page+`"]`, url.Values{"reason_id": {qtReason(t, app, models.LossReasons)}, "competitor_id": {idString(rival.ID)}})
	wantStatus(t, "lost", r, http.StatusSeeOther)
	o := loadOpp(t, app, opp.ID)
	if o.Status != models.StatusLost || o.LossReasonID == nil || !sameID(o.CompetitorID, &rival.ID) {
		t.Errorf("lost opportunity %+v", o)
	}
	// A lost opportunity takes no new quote, nor a copy.
	r = c.postWithToken(qtPath(q, ""), qtPath(q, "/copy"), nil)
	wantStatus(t, "copy a quote of a lost opportunity", r, http.StatusUnprocessableEntity)
	if n := countWhere(t, app, &models.Quote{}, "opportunity_id = ?", opp.ID); n != 1 {
		t.Errorf("%d quotes, want 1", n)
	}
}

// ---------------------------------------------------------------------------
// The list.

func TestQuoteListFilters(t *testing.T) {
	app := newTestApp(t)
	rep, rep2 := userByEmail(t, app, "rep@example.com"), userByEmail(t, app, "rep2@example.com")
	mk := func(owner models.User, name string, expires int, status models.QuoteStatus) *models.Quote {
		q := qtNewQuote(t, app, qtNewOpp(t, app, owner), owner, name, qtItems())
		if status != models.QuoteDraft {
			qtSend(t, app, q)
		}
		if status == models.QuoteAccepted || status == models.QuoteDeclined {
			if err := models.AnswerQuote(app.DB, q, status == models.QuoteAccepted, "Jane", "", "", time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
		app.DB.Model(&models.Quote{}).Where("id = ?", q.ID).Updates(map[string]any{"effective_date": qtDay(expires - 30), "expiration_date": qtDay(expires)})
		return q
	}
	mk(rep2, "QL draft soon", 5, models.QuoteDraft)
	mk(rep2, "QL sent later", 20, models.QuoteSent)
	mk(rep2, "QL sent expired", -1, models.QuoteSent)
	mk(rep2, "QL accepted", 10, models.QuoteAccepted)
	mk(rep2, "QL declined", 10, models.QuoteDeclined)
	mk(rep2, "QL sent today", 0, models.QuoteSent)
	mk(rep, "QL rep's sent", 3, models.QuoteSent)
	c := app.client(t).login("manager@example.com")

	ours := func(rows map[string]string) []string {
		var names []string
		for _, n := range []string{"QL draft soon", "QL sent later", "QL sent expired", "QL accepted", "QL declined", "QL sent today", "QL rep's sent"} {
			if _, ok := rows[n]; ok {
				names = append(names, n)
			}
		}
		return names
	}
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", "QL draft soon|QL sent later|QL sent expired|QL accepted|QL declined|QL sent today|QL rep's sent"},
		{"status=draft", "QL draft soon"},
		{"status=sent", "QL sent later|QL sent today|QL rep's sent"},
		{"status=expired", "QL sent expired"},
		{"status=accepted", "QL accepted"},
		{"status=declined", "QL declined"},
		{"owner=" + idString(rep.ID), "QL rep's sent"},
		{"owner=" + idString(rep2.ID), "QL draft soon|QL sent later|QL sent expired|QL accepted|QL declined|QL sent today"},
		{"expiring=7", "QL draft soon|QL sent today|QL rep's sent"},
		{"expiring=0", "QL sent today"},
		{"expiring=30", "QL draft soon|QL sent later|QL sent today|QL rep's sent"},
		{"expiring=7&owner=" + idString(rep2.ID), "QL draft soon|QL sent today"},
		{"status=sent&expiring=7", "QL sent today|QL rep's sent"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := c.get("/quotes?" + tc.query)
			wantStatus(t, "GET /quotes?"+tc.query, r, http.StatusOK)
			rows := qtRows(t, r)
			if got := strings.Join(ours(rows), "|"); got != tc.want {
				t.Errorf("listed %s, want %s", got, tc.want)
			}
			if strings.Contains(tc.query, "status=expired") && rows["QL sent expired"] != "Expired" {
				t.Errorf("status shown %q, want Expired", rows["QL sent expired"])
			}
		})
	}
	// The owner filter lists no one else's quote.
	r := c.get("/quotes?owner=" + idString(rep.ID))
	r.doc(t).Find(`table.list tbody td[data-label="Owner"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) != rep.Name {
			t.Errorf("owner filter lists a quote of %q", s.Text())
		}
	})

	for _, bad := range []string{"abc", "-1", "3651", "1.5"} {
		r := c.get("/quotes?expiring=" + url.QueryEscape(bad))
		wantStatus(t, "GET /quotes?expiring="+bad, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		wantFieldError(t, doc, "expiring", "number of days")
		if got := fieldValue(doc, "expiring"); got != bad {
			t.Errorf("expiring shows %q, want the input %q kept", got, bad)
		}
	}
}

// Every quote listed under a status filter shows that status.
func TestQuoteListStatusFilterMatchesTheStatusShown(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "QL expired draft", qtItems())
	app.DB.Model(&models.Quote{}).Where("id = ?", q.ID).Updates(map[string]any{"effective_date": qtDay(-40), "expiration_date": qtDay(-10)})
	c := app.client(t).login("rep@example.com")
	if st := qtRows(t, c.get("/quotes?status=expired"))["QL expired draft"]; st != "Expired" {
		t.Fatalf("the expired draft under Expired: %q", st)
	}
	var wrong []string
	for _, st := range []string{"draft", "sent", "accepted", "declined", "expired"} {
		label := strings.ToUpper(st[:1]) + st[1:]
		for name, shown := range qtRows(t, c.get("/quotes?status="+st)) {
			if shown != label {
				wrong = append(wrong, "status="+st+" lists “"+name+"” shown as "+shown)
			}
		}
	}
	if len(wrong) > 0 {
		t.Fatalf("BUG: the Draft filter of /quotes lists drafts past their expiration date, which the list shows as Expired "+
			"(the Sent filter leaves expired quotes out; listQuotes does not for drafts): %v", wrong)
	}
}

// ---------------------------------------------------------------------------
// Who may do what, beyond the authorization table.

func TestQuoteRepReadsButCannotChangeAnothersQuote(t *testing.T) {
	app := newTestApp(t)
	rep2 := userByEmail(t, app, "rep2@example.com")
	opp := qtNewOpp(t, app, rep2)
	q := qtNewQuote(t, app, opp, rep2, "Rep2's quote", qtItems())
	token := qtSend(t, app, q)
	second := qtNewQuote(t, app, opp, rep2, "Rep2's second quote", qtItems())
	outbox := countRows(t, app, &models.OutboxMessage{})
	c := app.client(t).login("rep@example.com")

	changes := `form.item-form, form[action$="/send"], form[action$="/link"], form[action$="/copy"], a[href$="/won"], a[href$="/edit"]`
	if n := app.client(t).login("rep2@example.com").get(qtPath(q, "")).doc(t).Find(changes).Length(); n < 6 {
		t.Fatalf("the owner's editor offers %d of the changes", n)
	}
	r := c.get(qtPath(q, ""))
	wantStatus(t, "GET another's quote", r, http.StatusOK)
	if r.doc(t).Find(changes).Length() != 0 {
		t.Errorf("the editor offers another rep's quote's changes to the rep")
	}
	wantStatus(t, "GET print", c.get(qtPath(q, "/print")), http.StatusOK)

	tok := c.token("/")
	item := idString(q.Items[0].ID)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{qtPath(q, ""), url.Values{"name": {"Hijacked"}, "effective_date": {qtDate(0)}, "expiration_date": {qtDate(30)}, "term_months": {"12"}}},
		{qtPath(q, "/items"), url.Values{"kind": {"service"}, "name": {"Hijack line"}, "quantity": {"1"}, "unit_price": {"1"}, "period": {"one_time"}}},
		{qtPath(q, "/items/"+item), url.Values{"kind": {"service"}, "name": {"Hijack"}, "quantity": {"9"}, "unit_price": {"1"}, "period": {"one_time"}}},
		{qtPath(q, "/items/"+item+"/delete"), nil},
		{qtPath(q, "/items/"+idString(q.Items[1].ID)+"/move"), url.Values{"dir": {"up"}}},
		{qtPath(q, "/send"), url.Values{"to": {"mallory@example.com"}}},
		{qtPath(q, "/link"), url.Values{"action": {"revoke"}}},
		{qtPath(second, "/primary"), nil},
		{qtPath(q, "/copy"), nil},
		{qtPath(q, "/won"), url.Values{"reason_id": {qtReason(t, app, models.WinReasons)}, "date": {qtDate(0)}}},
		{qtPath(q, "/lost"), url.Values{"reason_id": {qtReason(t, app, models.LossReasons)}, "date": {qtDate(0)}}},
		{"/opportunities/" + idString(opp.ID) + "/quotes", url.Values{"name": {"Mine now"}, "effective_date": {qtDate(0)},
			"expiration_date": {qtDate(30)}, "term_months": {"12"}}},
	} {
		if tc.form == nil {
			tc.form = url.Values{}
		}
		tc.form.Set("csrf_token", tok)
		if r := c.post(tc.path, tc.form); r.Status != http.StatusForbidden {
			t.Errorf("POST %s: status %d, want 403", tc.path, r.Status)
		}
	}
	s := qtLoad(t, app, q.ID)
	if s.Name != "Rep2's quote" || strings.Join(qtLines(t, app, q.ID), "|") != "Firewall appliance|Installation" || s.Items[0].Quantity != q.Items[0].Quantity ||
		s.Token == nil || *s.Token != token || s.SentTo != "buyer@example.com" || !s.IsPrimary || qtLoad(t, app, second.ID).IsPrimary {
		t.Errorf("the refused requests changed the quote: %+v", *s)
	}
	if o := loadOpp(t, app, opp.ID); !o.Status.Open() {
		t.Errorf("the refused requests closed the opportunity")
	}
	if n := countWhere(t, app, &models.Quote{}, "opportunity_id = ?", opp.ID); n != 2 {
		t.Errorf("%d quotes on the opportunity, want 2", n)
	}
	if n := countRows(t, app, &models.OutboxMessage{}); n != outbox {
		t.Errorf("outbox %d, want %d", n, outbox)
	}
}

func TestQuoteManagerHidesTheBuiltInQuotes(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	q := qtNewQuote(t, app, opp, rep, "Hidden quote", qtItems())
	token := qtSend(t, app, q)
	admin := app.client(t).login("admin@example.com")
	c := app.client(t).login("rep@example.com")
	anon := app.client(t)
	anonTok := anon.token("/login")
	oppPage := "/opportunities/" + idString(opp.ID)

	// With the built-in quotes: the nav links them, the opportunity offers them.
	if c.get("/").doc(t).Find(`#nav a[href="/quotes"]`).Length() != 1 {
		t.Fatalf("the nav has no Quotes link with the built-in quotes on")
	}
	if c.get(oppPage).doc(t).Find(`a[href="`+oppPage+`/quotes/new"]`).Length() != 1 {
		t.Fatalf("the opportunity offers no New quote")
	}

	tok := admin.token("/admin/activations")
	r := admin.post("/admin/activations/quote_manager", url.Values{"csrf_token": {tok}, "active": {"on"}})
	wantStatus(t, "activate the Quote Manager", r, http.StatusSeeOther)
	if f, _ := models.LoadFeatures(app.DB); !f.On(models.FeatureQuoteManager) {
		t.Fatalf("the Quote Manager is not on")
	}
	for _, who := range []*client{c, admin} {
		for _, p := range []string{"/quotes/new", qtPath(q, ""), qtPath(q, "/print"), qtPath(q, ".pdf"), oppPage + "/quotes/new"} {
			if r := who.get(p); r.Status != http.StatusNotFound {
				t.Errorf("GET %s with the Quote Manager on: %d, want 404", p, r.Status)
			}
		}
		// The Quotes entry and /quotes stay: they list the Quote Manager's quotes.
		if who.get("/").doc(t).Find(`#nav a[href="/quotes"]`).Length() != 1 {
			t.Errorf("the nav has no Quotes link with the Quote Manager on")
		}
		list := who.get("/quotes")
		wantStatus(t, "GET /quotes with the Quote Manager on", list, http.StatusOK)
		if strings.Contains(list.Body, "Hidden quote") || list.doc(t).Find(`a[href^="/quotes/"]`).Length() != 0 {
			t.Errorf("/quotes lists built-in quotes with the Quote Manager on")
		}
		page := who.get(oppPage)
		wantStatus(t, "GET the opportunity", page, http.StatusOK)
		if strings.Contains(page.Body, "Hidden quote") || page.doc(t).Find(`main a[href^="/quotes"], a[href*="/quotes/new"]`).Length() != 0 {
			t.Errorf("the opportunity page shows the built-in quotes with the Quote Manager on")
		}
	}
	for _, p := range []string{"/q/" + token, "/q/" + token + "/pdf"} {
		if r := anon.get(p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s with the Quote Manager on: %d, want 404", p, r.Status)
		}
	}
	r = anon.post("/q/"+token, url.Values{"csrf_token": {anonTok}, "name": {"Jane"}, "answer": {"approve"}})
	wantStatus(t, "POST the customer link with the Quote Manager on", r, http.StatusNotFound)
	r = c.post(qtPath(q, "/items"), url.Values{"csrf_token": {c.token("/")}, "kind": {"service"}, "name": {"Ghost"}, "quantity": {"1"},
		"unit_price": {"1"}, "period": {"one_time"}})
	wantStatus(t, "POST a line with the Quote Manager on", r, http.StatusNotFound)
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteSent || len(s.Items) != 2 {
		t.Errorf("the hidden quote changed: %s, %d items", s.Status, len(s.Items))
	}

	// Off again: everything is back, nothing lost.
	r = admin.post("/admin/activations/quote_manager", url.Values{"csrf_token": {tok}, "active": {"off"}})
	wantStatus(t, "deactivate the Quote Manager", r, http.StatusSeeOther)
	wantStatus(t, "GET /quotes", c.get("/quotes"), http.StatusOK)
	wantStatus(t, "GET the customer link", anon.get("/q/"+token), http.StatusOK)
	if c.get("/").doc(t).Find(`#nav a[href="/quotes"]`).Length() != 1 {
		t.Errorf("the nav has no Quotes link after the Quote Manager is switched off")
	}
}

// TestChangingASentQuoteTakesItBackToDraft: the customer must not approve, on
// the link, something other than what was sent. A change to a sent quote (its
// header or a line) makes it a draft again: the link then says the quote is
// being revised, shows no lines and no PDF, and refuses an answer, until the
// rep sends it again. Saving the header unchanged changes nothing.
func TestChangingASentQuoteTakesItBackToDraft(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Sent quote", qtItems())
	token := qtSend(t, app, q)
	c := app.client(t).login("rep@example.com")
	anon := app.client(t)
	header := `form[action="` + qtPath(q, "") + `"]`

	if hint := qtText(c.get(qtPath(q, "")).doc(t).Find("main")); !strings.Contains(hint, "Changing it takes it back to draft") {
		t.Errorf("the sent quote's editor does not say what a change does")
	}
	wantStatus(t, "save unchanged", c.fill(qtPath(q, "/edit"), header, url.Values{}), http.StatusSeeOther)
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteSent {
		t.Fatalf("saving the header unchanged made the quote %s", s.Status)
	}
	wantStatus(t, "rename", c.fill(qtPath(q, "/edit"), header, url.Values{"name": {"Sent quote, revised"}}), http.StatusSeeOther)
	s := qtLoad(t, app, q.ID)
	if s.Status != models.QuoteDraft || s.SentAt == nil || s.Token == nil || *s.Token != token {
		t.Fatalf("after a change: status %s, sent at %v, token kept %v; want a draft that keeps when it was sent and its link", s.Status, s.SentAt, s.Token != nil && *s.Token == token)
	}
	if txt := qtText(c.get(qtPath(q, "")).doc(t).Find("main")); !strings.Contains(txt, "Changed since it was sent to buyer@example.com") {
		t.Errorf("the editor does not say the quote must be sent again: %q", txt)
	}
	page := anon.get("/q/" + token)
	wantStatus(t, "the link while revised", page, http.StatusOK)
	doc := page.doc(t)
	if txt := qtText(doc.Find("main")); !strings.Contains(txt, "This quote is being revised") || strings.Contains(txt, "Firewall appliance") ||
		doc.Find(`form[action="/q/`+token+`"]`).Length() != 0 || doc.Find(`a[href$="/pdf"]`).Length() != 0 {
		t.Errorf("the link while revised shows lines, a PDF or the answer form: %q", txt)
	}
	wantStatus(t, "the PDF while revised", anon.get("/q/"+token+"/pdf"), http.StatusNotFound)
	// A hand-made answer (the page has no form: the token from another page).
	r := anon.post("/q/"+token, url.Values{"csrf_token": {anon.token("/login")}, "name": {"Jane"}, "answer": {"approve"}})
	wantStatus(t, "approve while revised", r, http.StatusConflict)
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteDraft || s.RespondedAt != nil {
		t.Fatalf("an answer to a revised quote was recorded: %s", s.Status)
	}

	// Sent again, the customer sees it and can answer; then a new line
	// takes it back to draft too.
	qtSend(t, app, qtLoad(t, app, q.ID))
	if txt := qtText(anon.get("/q/" + token).doc(t).Find("main")); !strings.Contains(txt, "Firewall appliance") || !strings.Contains(txt, "Sent quote, revised") {
		t.Errorf("the link, sent again, does not show the quote: %q", txt)
	}
	if err := models.AddItem(app.DB, qtLoad(t, app, q.ID), &models.QuoteItem{Kind: models.KindLabor, Name: "Training", Quantity: models.QuantityScale,
		UnitPrice: 999_00, Period: models.OneTime}); err != nil {
		t.Fatal(err)
	}
	if s := qtLoad(t, app, q.ID); s.Status != models.QuoteDraft {
		t.Errorf("a new line left the sent quote %s", s.Status)
	}
}

// TestEmptyQuoteEditorReadsFinished: a new quote with no lines says so and
// shows no empty totals table nor an empty margin percentage, and the tax
// rates are named once each ("Sales tax 8.875%", not "… (8.875%)" again).
func TestEmptyQuoteEditorReadsFinished(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Empty", nil)
	c := app.client(t).login("rep@example.com")
	main := c.get(qtPath(q, "")).doc(t).Find("main")
	txt := qtText(main)
	if !strings.Contains(txt, "No lines yet. Add the first one below.") || main.Find("caption:contains('Totals')").Length() != 0 || strings.Contains(txt, "()") {
		t.Errorf("the empty quote's editor: %q", txt)
	}
	if txt := qtText(c.get(qtPath(q, "/print")).doc(t).Find("main")); !strings.Contains(txt, "No lines yet.") || strings.Contains(txt, "Add the first one") {
		t.Errorf("the empty quote's print page: %q", txt)
	}
	var labels []string
	c.get(qtPath(q, "/edit")).doc(t).Find(`select[name="tax_rate_id"] option`).Each(func(_ int, o *goquery.Selection) { labels = append(labels, o.Text()) })
	if len(labels) < 2 {
		t.Fatalf("tax rate choices %q", labels)
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if strings.Count(l, "%") > 1 || seen[strings.ToLower(l)] {
			t.Errorf("tax rate choices %q: %q says its rate twice or repeats another", labels, l)
		}
		seen[strings.ToLower(l)] = true
	}
}
