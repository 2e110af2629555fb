package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"salesdesk/models"
)

// wonQuoteOfRep creates an open opportunity of the rep with a quote of two
// firewalls and set-up labor, and wins it through the quote's "Won quote" form.
func wonQuoteOfRep(t *testing.T, app *testApp, rep *client) (*models.Quote, *models.SalesOrder) {
	t.Helper()
	u := userByEmail(t, app, "rep@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	var p models.Product
	if err := app.DB.Where("sku = ?", "HW-FW-60").First(&p).Error; err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	q := models.Quote{OpportunityID: o.ID, OwnerID: u.ID, Name: "Firewalls", EffectiveDate: day, ExpirationDate: day.AddDate(0, 0, 30), TermMonths: 12,
		BillTo: "Northwind\nBilling", ShipTo: "Northwind\nDock 4", Items: []models.QuoteItem{
			{Kind: models.KindProduct, ProductID: &p.ID, Name: p.Name, Quantity: 2 * models.QuantityScale, UnitPrice: p.UnitPrice, Period: models.OneTime},
			{Kind: models.KindLabor, Name: "Set-up", Quantity: 3 * models.QuantityScale, UnitPrice: 145_00, Period: models.OneTime},
		}}
	if err := models.CreateQuote(app.DB, &q); err != nil {
		t.Fatal(err)
	}
	reason := picklistValue(t, app, models.WinReasons)
	r := rep.submit("/quotes/"+idString(q.ID)+"/won", "/quotes/"+idString(q.ID)+"/won",
		url.Values{"reason_id": {idString(reason.ID)}, "date": {day.Format("2006-01-02")}, "promised_date": {day.AddDate(0, 0, 21).Format("2006-01-02")}})
	wantStatus(t, "win the quote", r, http.StatusSeeOther)
	so, err := models.SalesOrderOf(app.DB, o.ID)
	if err != nil || so == nil {
		t.Fatalf("winning the quote made no sales order: %v", err)
	}
	so, err = models.LoadSalesOrder(app.DB, so.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &q, so
}

func TestSalesOrderFromWinShownOnOpportunityAndQuote(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	q, so := wonQuoteOfRep(t, app, rep)
	if len(so.Lines) != 1 || so.Lines[0].QuantityOrdered != 2*models.QuantityScale || so.ShipTo != "Northwind\nDock 4" || so.Status != models.SONew ||
		so.PromisedDate == nil || !so.PromisedDate.Equal(so.OrderDate.AddDate(0, 0, 21)) {
		t.Fatalf("sales order = %+v", so)
	}
	link := `a[href="/sales-orders/` + idString(so.ID) + `"]`
	for _, page := range []string{"/opportunities/" + idString(so.OpportunityID), "/quotes/" + idString(q.ID)} {
		if rep.get(page).doc(t).Find(link).Length() != 1 {
			t.Errorf("%s does not link its sales order", page)
		}
	}
	doc := rep.get("/sales-orders").doc(t)
	if doc.Find(link).Length() != 1 || doc.Find(`#nav a[href="/sales-orders"]`).Length() != 1 {
		t.Errorf("the list or the navigation misses the sales order")
	}
	mine := rep.get("/sales-orders?owner=me").doc(t)
	if mine.Find(link).Length() != 1 {
		t.Errorf("My sales orders misses the rep's order")
	}
	wantStatus(t, "print", rep.get("/sales-orders/"+idString(so.ID)+"/print"), http.StatusOK)
	wantStatus(t, "bad filter", rep.get("/sales-orders?promised_before=soon"), http.StatusUnprocessableEntity)

	// Procurement off: gone everywhere, for an admin too; back intact when on.
	admin := app.client(t).login("admin@example.com")
	setFeatureState(t, app, procurementOff)
	for _, path := range []string{"/sales-orders", "/sales-orders/" + idString(so.ID)} {
		wantStatus(t, "GET "+path+" with Procurement off", admin.get(path), http.StatusNotFound)
	}
	doc = admin.get("/opportunities/" + idString(so.OpportunityID)).doc(t)
	if doc.Find(link).Length() != 0 || doc.Find(`#nav a[href="/sales-orders"]`).Length() != 0 {
		t.Errorf("a sales order shows with Procurement off")
	}
	setFeatureState(t, app, allOn)
	r := admin.get("/sales-orders/" + idString(so.ID))
	wantStatus(t, "sales order after Procurement is on again", r, http.StatusOK)
	if !strings.Contains(r.Body, "SO-"+strconv.Itoa(so.Number)) {
		t.Errorf("the sales order came back without its number")
	}
}

func TestSalesOrderFulfilmentTwoSteps(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	_, so := wonQuoteOfRep(t, app, rep)
	page := "/sales-orders/" + idString(so.ID)
	action := page + "/fulfilments"
	qty := "qty_" + idString(so.Lines[0].ID)
	today := time.Now().UTC().Format("2006-01-02")
	form := func(q, date, version string) url.Values {
		return url.Values{qty: {q}, "date": {date}, "version": {version}, "note": {"Delivery 1"}}
	}

	for _, tc := range []struct {
		name, q, date, field, msg string
	}{
		{"over what remains", "3", today, qty, "at most 2 remain"},
		{"negative", "-1", today, qty, "cannot be negative"},
		{"not a number", "two", today, qty, "enter a quantity"},
		{"nothing", "", today, qty, "at least one line"},
		{"bad date", "1", "yesterday", "date", "Enter a date"},
	} {
		r := rep.submit(page, action, form(tc.q, tc.date, "1"))
		wantStatus(t, tc.name, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		wantErrorSummary(t, doc)
		wantFieldError(t, doc, tc.field, tc.msg)
		if got := fieldValue(doc, qty); got != tc.q {
			t.Errorf("%s: the quantity came back as %q, want %q", tc.name, got, tc.q)
		}
	}
	if got, _ := models.LoadSalesOrder(app.DB, so.ID); got.Version != 1 || got.Lines[0].QuantityFulfilled != 0 {
		t.Fatalf("refused fulfilments changed the order: %+v", got)
	}

	r := rep.submit(page, action, form("1.5", today, "1"))
	wantStatus(t, "first delivery", r, http.StatusSeeOther)
	doc := rep.get(r.Location).doc(t)
	if !strings.Contains(doc.Find("#flash").Text(), "Partially Fulfilled") || !strings.Contains(doc.Find("main").Text(), "Fulfilled 1.5 ×") {
		t.Errorf("after the first delivery: flash %q", doc.Find("#flash").Text())
	}
	// The same form again (a double click): stale, nothing delivered twice.
	r = rep.submit(page, action, form("0.5", today, "1"))
	wantStatus(t, "stale second submit", r, http.StatusConflict)
	r = rep.submit(page, action, form("0.5", today, "2"))
	wantStatus(t, "second delivery", r, http.StatusSeeOther)
	got, _ := models.LoadSalesOrder(app.DB, so.ID)
	if got.Status != models.SOFulfilled || got.Lines[0].Remaining() != 0 {
		t.Fatalf("after the second delivery: %s, remaining %s", got.Status, got.Lines[0].Remaining())
	}
	// Nothing left: no form, and a fulfilled order cannot be canceled.
	if rep.get(page).doc(t).Find(`form[action="`+action+`"]`).Length() != 0 {
		t.Errorf("a fulfilled order still offers to record fulfilment")
	}
	wantStatus(t, "cancel a fulfilled order", rep.get(page+"/cancel"), http.StatusConflict)
}

func TestSalesOrderCancelAndEdit(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	_, so := wonQuoteOfRep(t, app, rep)
	page := "/sales-orders/" + idString(so.ID)

	// Edit: a bad date comes back with the input kept; a stale edit is refused.
	edit := url.Values{"version": {"1"}, "owner_id": {idString(so.OwnerID)}, "contact_id": {optIDString(so.ContactID)}, "status": {"in_progress"},
		"promised_date": {"next week"}, "bill_to": {so.BillTo}, "ship_to": {"Dock 7"}, "notes": {"Call before delivery"}}
	r := rep.submit(page+"/edit", page, edit)
	wantStatus(t, "edit with a bad date", r, http.StatusUnprocessableEntity)
	doc := r.doc(t)
	wantFieldError(t, doc, "promised_date", "Enter a date")
	if fieldValue(doc, "ship_to") != "Dock 7" {
		t.Errorf("the edit form lost the input")
	}
	edit.Set("promised_date", time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02"))
	wantStatus(t, "edit", rep.submit(page+"/edit", page, edit), http.StatusSeeOther)
	got, _ := models.LoadSalesOrder(app.DB, so.ID)
	if got.Status != models.SOInProgress || got.ShipTo != "Dock 7" || got.PromisedDate == nil || got.Version != 2 {
		t.Fatalf("after the edit: %+v", got)
	}
	edit.Set("notes", "Stale")
	r = rep.submit(page+"/edit", page, edit)
	wantStatus(t, "stale edit", r, http.StatusConflict)
	if fieldValue(r.doc(t), "notes") != "Stale" {
		t.Errorf("the stale edit lost the input")
	}

	// Another rep may read it but not change it.
	rep2 := app.client(t).login("rep2@example.com")
	wantStatus(t, "rep2 reads", rep2.get(page), http.StatusOK)
	wantStatus(t, "rep2 cancels", rep2.submit(page, page+"/cancel", url.Values{"version": {"2"}, "reason": {"Mine"}}), http.StatusForbidden)

	// Cancel: the reason is required; then nothing more can be fulfilled.
	r = rep.submit(page+"/cancel", page+"/cancel", url.Values{"version": {"2"}, "reason": {" "}})
	wantStatus(t, "cancel without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason", "required")
	wantStatus(t, "cancel", rep.submit(page+"/cancel", page+"/cancel", url.Values{"version": {"2"}, "reason": {"Budget frozen"}}), http.StatusSeeOther)
	r = rep.submit(page, page+"/fulfilments", url.Values{"version": {"3"}, "date": {time.Now().UTC().Format("2006-01-02")},
		"qty_" + idString(so.Lines[0].ID): {"1"}})
	wantStatus(t, "fulfil a canceled order", r, http.StatusUnprocessableEntity)
	if got, _ := models.LoadSalesOrder(app.DB, so.ID); got.Status != models.SOCanceled || got.CancelReason != "Budget frozen" || got.Lines[0].QuantityFulfilled != 0 {
		t.Errorf("after cancel: %+v", got)
	}
}
