package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm/clause"

	"salesdesk/models"
)

// soLineCells is what the sales order page shows of its first line, by column label.
func soLineCells(t *testing.T, c *client, soID uint) map[string]string {
	t.Helper()
	out := map[string]string{}
	c.get("/sales-orders/" + idString(soID)).doc(t).Find("table.list").First().Find("tbody tr").First().Find("td").Each(func(_ int, td *goquery.Selection) {
		label, _ := td.Attr("data-label")
		out[label] = strings.TrimSpace(td.Text())
	})
	return out
}

func TestPurchaseOrdersFromASalesOrder(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	_, so := wonQuoteOfRep(t, app, rep) // two firewalls from the demo distributor, and labor
	page := "/sales-orders/" + idString(so.ID)
	create := page + "/purchase-orders"

	before := countRows(t, app, &models.PurchaseOrder{})
	doc := rep.get(page).doc(t)
	if doc.Find(`form[action="`+create+`"]`).Length() != 1 || !strings.Contains(doc.Find("#po-h").Parent().Text(), "2 × Next-generation firewall") {
		t.Fatalf("the sales order does not offer to order its firewalls")
	}
	// A bad date: 422, the message at the field, the input kept, nothing created.
	r := rep.submit(page, create, url.Values{"expected_date": {"next Friday"}})
	wantStatus(t, "bad expected date", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	wantFieldError(t, doc, "expected_date", "Enter a date")
	if fieldValue(doc, "expected_date") != "next Friday" {
		t.Errorf("the expected date came back as %q", fieldValue(doc, "expected_date"))
	}
	if n := countRows(t, app, &models.PurchaseOrder{}); n != before {
		t.Fatalf("a refused form created purchase orders")
	}

	expected := time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")
	r = rep.submit(page, create, url.Values{"expected_date": {expected}})
	wantStatus(t, "create purchase orders", r, http.StatusSeeOther)
	var po models.PurchaseOrder
	if err := app.DB.Where("sales_order_id = ?", so.ID).First(&po).Error; err != nil {
		t.Fatal(err)
	}
	label := "PO-" + strconv.Itoa(po.Number)
	if fl := flashOf(t, rep.get(r.Location)); !strings.Contains(fl, label) || !strings.Contains(fl, "Northgate") {
		t.Errorf("flash %q does not name %s and its vendor", fl, label)
	}
	if cells := soLineCells(t, rep, so.ID); cells["Purchased"] != "2" || cells["Received"] != "0" || cells["Remaining"] != "2" {
		t.Errorf("sales order line after ordering: %v", cells)
	}
	// Again (a second click): nothing is ordered twice.
	r = rep.submit(page, create, url.Values{"expected_date": {expected}})
	wantStatus(t, "create again", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.doc(t).Find("#po-problem").Text(), "on a purchase order already") {
		t.Errorf("creating again does not say why nothing was ordered")
	}
	var n int64
	app.DB.Model(&models.PurchaseOrder{}).Where("sales_order_id = ?", so.ID).Count(&n)
	if n != 1 {
		t.Fatalf("%d purchase orders after creating twice", n)
	}

	// The page: its sales order, draft, submit; a stale submit is a 409.
	pp := "/purchase-orders/" + idString(po.ID)
	// Canceling the sales order would leave this purchase order open: its confirmation says so.
	if rep.get(page+"/cancel").doc(t).Find(`#open-pos a[href="`+pp+`"]`).Length() != 1 {
		t.Errorf("the sales order's cancel confirmation does not name its open purchase order")
	}
	doc = rep.get(pp).doc(t)
	if doc.Find(`main a[href="`+page+`"]`).Length() == 0 || !strings.Contains(doc.Find("main").Text(), "Draft") {
		t.Errorf("the purchase order page misses its sales order or status")
	}
	if doc.Find(`#nav a[href="/purchase-orders"]`).Length() != 1 {
		t.Errorf("no Purchase orders link in the navigation")
	}
	r = rep.submit(pp, pp+"/submit", url.Values{"version": {"7"}})
	wantStatus(t, "stale submit", r, http.StatusConflict)
	if !strings.Contains(r.doc(t).Find(".error-summary").Text(), "Someone changed this purchase order") {
		t.Errorf("the stale submit says nothing")
	}
	wantStatus(t, "submit", rep.submit(pp, pp+"/submit", url.Values{"version": {"1"}}), http.StatusSeeOther)

	// Receiving: over the outstanding, negative, nothing: 422 at the line, input kept.
	if err := app.DB.Preload("Lines").First(&po, po.ID).Error; err != nil {
		t.Fatal(err)
	}
	qty := "qty_" + idString(po.Lines[0].ID)
	today := time.Now().UTC().Format("2006-01-02")
	for _, tc := range []struct{ name, q, field, msg string }{
		{"over the outstanding", "3", qty, "at most 2 are outstanding"},
		{"negative", "-1", qty, "cannot be negative"},
		{"nothing", "", qty, "at least one line"},
	} {
		r := rep.submit(pp, pp+"/receipts", url.Values{"version": {"2"}, "date": {today}, qty: {tc.q}})
		wantStatus(t, tc.name, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		wantFieldError(t, doc, tc.field, tc.msg)
		if got := fieldValue(doc, qty); got != tc.q {
			t.Errorf("%s: the quantity came back as %q", tc.name, got)
		}
	}
	r = rep.submit(pp, pp+"/receipts", url.Values{"version": {"2"}, "date": {today}, qty: {"1.5"}, "note": {"Box 1"}})
	wantStatus(t, "receive 1.5", r, http.StatusSeeOther)
	if fl := flashOf(t, rep.get(r.Location)); !strings.Contains(fl, "Partly Received") {
		t.Errorf("flash after the first receipt: %q", fl)
	}
	if cells := soLineCells(t, rep, so.ID); cells["Purchased"] != "2" || cells["Received"] != "1.5" {
		t.Errorf("sales order line after receiving 1.5: %v", cells)
	}
	if !strings.Contains(rep.get(page).doc(t).Find("#so-history-h").Parent().Text(), "Received 1.5 ×") {
		t.Errorf("the sales order's history does not tell the receipt")
	}
	// The same form again: stale, input kept, nothing received twice.
	r = rep.submit(pp, pp+"/receipts", url.Values{"version": {"2"}, "date": {today}, qty: {"0.5"}})
	wantStatus(t, "stale receipt", r, http.StatusConflict)
	if got := fieldValue(r.doc(t), qty); got != "0.5" {
		t.Errorf("the stale receipt lost the input: %q", got)
	}
	// A partly received order is not canceled.
	wantStatus(t, "cancel a partly received order", rep.get(pp+"/cancel"), http.StatusConflict)

	// Edit: a bad date, then a stale save keeps the input.
	edit := url.Values{"version": {"3"}, "expected_date": {"soon"}, "notes": {"Vendor ref 4711"}}
	r = rep.submit(pp+"/edit", pp, edit)
	wantStatus(t, "edit with a bad date", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "expected_date", "Enter a date")
	edit.Set("expected_date", expected)
	wantStatus(t, "edit", rep.submit(pp+"/edit", pp, edit), http.StatusSeeOther)
	edit.Set("notes", "Stale notes")
	r = rep.submit(pp+"/edit", pp, edit)
	wantStatus(t, "stale edit", r, http.StatusConflict)
	if fieldValue(r.doc(t), "notes") != "Stale notes" {
		t.Errorf("the stale edit lost the input")
	}

	// Another rep reads, but changes nothing.
	rep2 := app.client(t).login("rep2@example.com")
	wantStatus(t, "rep2 reads", rep2.get(pp), http.StatusOK)
	wantStatus(t, "rep2 receives", rep2.submit(pp, pp+"/receipts", url.Values{"version": {"4"}, "date": {today}, qty: {"0.5"}}), http.StatusForbidden)

	// The rest comes in: Received.
	wantStatus(t, "receive the rest", rep.submit(pp, pp+"/receipts", url.Values{"version": {"4"}, "date": {today}, qty: {"0.5"}}), http.StatusSeeOther)
	got, _ := models.LoadPurchaseOrder(app.DB, po.ID)
	if got.Status != models.POReceived || got.Notes != "Vendor ref 4711" {
		t.Errorf("after receiving everything: %s %q", got.Status, got.Notes)
	}
	if cells := soLineCells(t, rep, so.ID); cells["Received"] != "2" {
		t.Errorf("sales order line after receiving everything: %v", cells)
	}

	// The list, its filters and its empty state.
	list := rep.get("/purchase-orders?status=received").doc(t)
	if list.Find(`a[href="`+pp+`"]`).Length() != 1 {
		t.Errorf("the list filtered by Received misses %s", label)
	}
	if list := rep.get("/purchase-orders?status=draft&vendor=" + idString(po.VendorID) + "&expected_before=2000-01-01").doc(t); list.Find(".empty").Length() != 1 {
		t.Errorf("no empty state for a filter that matches nothing")
	}
	if rows := rep.get("/purchase-orders?sales_order=" + idString(so.ID)).doc(t).Find("main table.list tbody tr"); rows.Length() != 1 || rows.Find(`a[href="`+pp+`"]`).Length() != 1 {
		t.Errorf("the list of the sales order's purchase orders has %d rows, want its one", rows.Length())
	}
	wantStatus(t, "bad filter date", rep.get("/purchase-orders?expected_before=tomorrow"), http.StatusUnprocessableEntity)
	wantStatus(t, "print", rep.get(pp+"/print"), http.StatusOK)

	// Procurement off: gone, for an admin too; back intact when on.
	admin := app.client(t).login("admin@example.com")
	setFeatureState(t, app, procurementOff)
	for _, path := range []string{"/purchase-orders", pp, pp + "/print"} {
		wantStatus(t, "GET "+path+" with Procurement off", admin.get(path), http.StatusNotFound)
	}
	if admin.get("/").doc(t).Find(`#nav a[href="/purchase-orders"]`).Length() != 0 {
		t.Errorf("the navigation offers purchase orders with Procurement off")
	}
	setFeatureState(t, app, allOn)
	if r := admin.get(pp); r.Status != http.StatusOK || !strings.Contains(r.Body, label) || !strings.Contains(r.Body, "Received") {
		t.Errorf("the purchase order did not come back intact: %d", r.Status)
	}
}

func TestPurchaseOrderForAProductWithoutVendor(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	_, so := wonQuoteOfRep(t, app, rep)
	if err := app.DB.Model(&models.Product{}).Where("id = ?", *so.Lines[0].ProductID).Update("vendor_id", nil).Error; err != nil {
		t.Fatal(err)
	}
	before := countRows(t, app, &models.PurchaseOrder{})
	page := "/sales-orders/" + idString(so.ID)
	r := rep.submit(page, page+"/purchase-orders", url.Values{"expected_date": {""}})
	wantStatus(t, "order a product without vendor", r, http.StatusUnprocessableEntity)
	doc := r.doc(t)
	problem := doc.Find("#po-problem")
	if !strings.Contains(problem.Text(), "“"+so.Lines[0].Name+"” has no vendor") ||
		problem.Find(`a[href="/products/`+idString(*so.Lines[0].ProductID)+`"]`).Length() != 1 {
		t.Errorf("the message does not name and link the product: %q", problem.Text())
	}
	if n := countRows(t, app, &models.PurchaseOrder{}); n != before {
		t.Errorf("purchase orders %d, want %d", n, before)
	}
	// Marked as not requiring procurement, it is no longer offered.
	if err := app.DB.Model(&models.Product{}).Where("id = ?", *so.Lines[0].ProductID).Update("no_procurement", true).Error; err != nil {
		t.Fatal(err)
	}
	doc = rep.get(page).doc(t)
	if doc.Find(`form[action="`+page+`/purchase-orders"]`).Length() != 0 || !strings.Contains(doc.Find("#po-h").Parent().Text(), "No line of this order requires procurement") {
		t.Errorf("a line that needs no procurement is still offered for ordering")
	}
}

// A vendor's page lists the purchase orders placed with it, newest first,
// with a link to all of them when there are more; with Procurement off it
// does not mention them.
func TestVendorPageListsItsPurchaseOrders(t *testing.T) {
	app := newTestApp(t)
	var v struct {
		ID uint
		N  int
	}
	app.DB.Raw(`SELECT vendor_id AS id, COUNT(*) AS n FROM purchase_orders GROUP BY vendor_id ORDER BY n DESC LIMIT 1`).Scan(&v)
	if v.ID == 0 {
		t.Fatal("no demo purchase order")
	}
	var newest struct{ ID uint }
	app.DB.Raw(`SELECT id FROM purchase_orders WHERE vendor_id = ? ORDER BY number DESC LIMIT 1`, v.ID).Scan(&newest)
	page := "/organizations/" + idString(v.ID)
	rows := func(c *client) *goquery.Selection {
		t.Helper()
		r := c.get(page)
		wantStatus(t, page, r, http.StatusOK)
		return r.doc(t).Find(`section[aria-labelledby="pos-h"] table.list tbody tr`)
	}
	manager := app.client(t).login("manager@example.com")
	got := rows(manager)
	if want := min(v.N, 10); got.Length() != want {
		t.Fatalf("the vendor page lists %d purchase orders, want %d", got.Length(), want)
	}
	if got.First().Find(`a[href="/purchase-orders/`+idString(newest.ID)+`"]`).Length() != 1 {
		t.Errorf("the newest purchase order is not first")
	}
	if got.First().Find(`td[data-label="Total cost"]`).Length() != 1 {
		t.Errorf("a manager sees no cost")
	}
	if rep := rows(app.client(t).login("rep@example.com")); rep.Length() != got.Length() || rep.Find(`td[data-label="Total cost"]`).Length() != 0 {
		t.Errorf("a rep sees %d rows, with cost cells %d", rep.Length(), rep.Find(`td[data-label="Total cost"]`).Length())
	}
	// More than ten: the page links to the whole list, filtered by the vendor.
	var po models.PurchaseOrder
	app.DB.Where("vendor_id = ?", v.ID).First(&po)
	for i := v.N; i <= 10; i++ {
		cp := po
		cp.ID, cp.Number = 0, 90000+i
		if err := app.DB.Omit(clause.Associations).Create(&cp).Error; err != nil {
			t.Fatal(err)
		}
	}
	all := manager.get(page).doc(t).Find(`a[href="/purchase-orders?vendor=` + idString(v.ID) + `"]`)
	if all.Length() != 1 {
		t.Errorf("no link to all the vendor's purchase orders")
	}
	// A customer's page has no such section; Procurement off hides it.
	var customer uint
	app.DB.Raw(`SELECT id FROM organizations WHERE type = 'customer' ORDER BY id LIMIT 1`).Scan(&customer)
	if n := manager.get("/organizations/" + idString(customer)).doc(t).Find("#pos-h").Length(); n != 0 {
		t.Errorf("a customer's page has a purchase orders section")
	}
	setFeatureState(t, app, procurementOff)
	if rows(manager).Length() != 0 || strings.Contains(manager.get(page).Body, "Purchase orders") {
		t.Errorf("Procurement off: the vendor page still lists purchase orders")
	}
}

// A draft's unit costs are the prices agreed with the vendor: a manager
// changes them on the edit form (validated per line, input kept), the total
// and the history follow; a rep sees no cost and cannot change one; once
// submitted, the costs are fixed.
func TestPurchaseOrderDraftUnitCosts(t *testing.T) {
	app := newTestApp(t)
	var po models.PurchaseOrder
	if err := app.DB.Preload("Lines").Where("status = ?", models.PODraft).Order("id").First(&po).Error; err != nil || len(po.Lines) == 0 {
		t.Fatalf("no demo draft purchase order with lines: %v", err)
	}
	l := po.Lines[0]
	field := "cost_" + idString(l.ID)
	edit := "/purchase-orders/" + idString(po.ID) + "/edit"
	action := "/purchase-orders/" + idString(po.ID)
	manager := app.client(t).login("manager@example.com")
	doc := manager.get(edit).doc(t)
	if doc.Find(`label[for="`+field+`"]`).Length() != 1 || fieldValue(doc, field) != l.UnitCost.Input0() {
		t.Fatalf("the edit form has no labelled unit cost for %s holding %s", l.Name, l.UnitCost.Input0())
	}
	form := func(cost string) url.Values {
		v := url.Values{"version": {strconv.Itoa(po.Version)}, "notes": {po.Notes}, field: {cost}}
		for _, o := range po.Lines[1:] {
			v.Set("cost_"+idString(o.ID), o.UnitCost.Input0())
		}
		if po.ExpectedDate != nil {
			v.Set("expected_date", po.ExpectedDate.Format("2006-01-02"))
		}
		return v
	}
	for cost, msg := range map[string]string{"": "Enter the unit cost", "twelve": "Enter an amount", "-5": "cannot be negative"} {
		r := manager.submit(edit, action, form(cost))
		wantStatus(t, "unit cost "+cost, r, http.StatusUnprocessableEntity)
		wantFieldError(t, r.doc(t), field, msg)
		if got := fieldValue(r.doc(t), field); got != cost {
			t.Errorf("unit cost %q came back as %q", cost, got)
		}
	}
	r := manager.submit(edit, action, form("1,234.50"))
	wantStatus(t, "save unit cost", r, http.StatusSeeOther)
	var line models.PurchaseOrderLine
	app.DB.First(&line, l.ID)
	if line.UnitCost != 123450 {
		t.Fatalf("unit cost saved as %d, want 123450", line.UnitCost)
	}
	page := manager.get(action)
	var fresh models.PurchaseOrder
	app.DB.Preload("Lines").First(&fresh, po.ID)
	want := fresh.Total()
	if text := page.doc(t).Find("main").Text(); !strings.Contains(text, "Total cost"+want.Display()) || !strings.Contains(text, "unit cost of "+l.Name) {
		t.Errorf("the purchase order page shows neither the new total %s nor the change in its history:\n%s", want.Display(), text)
	}

	// A request without the field (not blank: absent) leaves the cost as it is.
	app.DB.First(&po, po.ID)
	without := form("")
	without.Del(field)
	without.Set("notes", "Vendor ref 42")
	wantStatus(t, "save without the cost field", manager.submit(edit, action, without), http.StatusSeeOther)
	if app.DB.First(&line, l.ID); line.UnitCost != 123450 {
		t.Fatalf("a form without the cost field set it to %d", line.UnitCost)
	}

	// A rep (who owns the sales order or not) sees no cost field; one sent anyway changes nothing.
	app.DB.First(&po, po.ID)
	for _, email := range []string{"rep@example.com", "rep2@example.com"} {
		rep := app.client(t).login(email)
		if r := rep.get(edit); r.Status == http.StatusOK && r.doc(t).Find("#"+field).Length() != 0 {
			t.Errorf("%s is offered the unit cost", email)
		} else if r.Status == http.StatusOK {
			rep.submit(edit, action, form("1.00"))
		}
	}
	app.DB.First(&line, l.ID)
	if line.UnitCost != 123450 {
		t.Fatalf("a rep changed the unit cost to %d", line.UnitCost)
	}

	// Submitted: the form no longer offers costs, and sent costs are not taken.
	app.DB.First(&po, po.ID)
	wantStatus(t, "submit", manager.submit(action, action+"/submit", url.Values{"version": {strconv.Itoa(po.Version)}}), http.StatusSeeOther)
	if manager.get(edit).doc(t).Find("#"+field).Length() != 0 {
		t.Errorf("a submitted purchase order still offers its unit costs")
	}
	app.DB.First(&po, po.ID)
	manager.submit(edit, action, form("2.00"))
	app.DB.First(&line, l.ID)
	if line.UnitCost != 123450 {
		t.Fatalf("a submitted purchase order's unit cost changed to %d", line.UnitCost)
	}
}

// Canceling a sales order can cancel its draft and submitted purchase orders
// in the same step, when asked; one that received goods stays open, and
// without the box every purchase order stays as it was.
func TestCancelSalesOrderWithItsPurchaseOrders(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	// Two open sales orders with a cancelable purchase order; the first also
	// gets a partly received one.
	var sos []struct{ ID uint }
	app.DB.Raw(`SELECT DISTINCT s.id FROM sales_orders s JOIN purchase_orders p ON p.sales_order_id = s.id
		WHERE s.status IN ('new', 'in_progress') AND p.status IN ('draft', 'submitted') ORDER BY s.id LIMIT 2`).Scan(&sos)
	if len(sos) < 2 {
		t.Fatalf("%d demo sales orders with a cancelable purchase order, want 2", len(sos))
	}
	var partly models.PurchaseOrder
	if err := app.DB.Where("status = ?", models.POPartlyReceived).First(&partly).Error; err != nil {
		t.Fatal(err)
	}
	app.DB.Model(&partly).UpdateColumn("sales_order_id", sos[0].ID)
	statuses := func(so uint) map[uint]models.PurchaseOrderStatus {
		var pos []models.PurchaseOrder
		app.DB.Where("sales_order_id = ?", so).Find(&pos)
		m := map[uint]models.PurchaseOrderStatus{}
		for _, p := range pos {
			m[p.ID] = p.Status
		}
		return m
	}
	cancel := func(so uint, box bool) response {
		page := "/sales-orders/" + idString(so) + "/cancel"
		doc := manager.get(page).doc(t)
		if doc.Find(`#open-pos input[type="checkbox"][name="cancel_pos"]`).Length() != 1 || doc.Find(`label[for="cancel_pos"]`).Length() != 1 {
			t.Fatalf("%s offers no labelled box to cancel the purchase orders too", page)
		}
		version, _ := doc.Find(`input[name="version"]`).Attr("value")
		v := url.Values{"version": {version}, "reason": {"Customer went bankrupt"}}
		if box {
			v.Set("cancel_pos", "on")
		}
		return manager.submit(page, page, v)
	}

	// Without the box: the sales order only.
	before := statuses(sos[1].ID)
	wantStatus(t, "cancel without the box", cancel(sos[1].ID, false), http.StatusSeeOther)
	if after := statuses(sos[1].ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("purchase orders changed without the box: %v → %v", before, after)
	}

	// With it: every draft and submitted one, with the reason; the partly received one stays.
	before = statuses(sos[0].ID)
	r := cancel(sos[0].ID, true)
	wantStatus(t, "cancel with the box", r, http.StatusSeeOther)
	n := 0
	for id, st := range statuses(sos[0].ID) {
		switch {
		case id == partly.ID && st != models.POPartlyReceived:
			t.Errorf("the partly received purchase order became %s", st)
		case before[id].Cancelable() && st != models.POCanceled:
			t.Errorf("purchase order %d is %s, want canceled", id, st)
		case before[id].Cancelable():
			n++
			var po models.PurchaseOrder
			app.DB.First(&po, id)
			if !strings.Contains(po.CancelReason, "Customer went bankrupt") {
				t.Errorf("purchase order %d canceled with reason %q", id, po.CancelReason)
			}
		}
	}
	if n == 0 {
		t.Fatal("no purchase order was canceled with the sales order")
	}
	var so models.SalesOrder
	app.DB.First(&so, sos[0].ID)
	if so.Status != models.SOCanceled {
		t.Errorf("the sales order is %s", so.Status)
	}
	if fl := flashOf(t, manager.get(r.Location)); !strings.Contains(fl, "canceled too") {
		t.Errorf("flash %q does not say the purchase orders were canceled too", fl)
	}
}
