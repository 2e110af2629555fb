package models_test

import (
	"errors"
	"testing"
	"time"

	"salesdesk/models"
)

// soSetup is the quote environment with Sales, and Procurement when on, active.
func soSetup(t *testing.T, procurement bool) *qtEnv {
	t.Helper()
	e := qtSetup(t)
	keys := []string{models.FeatureSales}
	if procurement {
		keys = append(keys, models.FeatureProcurement)
	}
	for _, k := range keys {
		if _, err := models.SetFeature(e.db, k, true, nil, qtNow); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func soItems() []models.QuoteItem {
	hw := qtLine(models.KindProduct, "3", 1000_00, 600_00, models.OneTime)
	hw.Name = "Firewall"
	dock := qtLine(models.KindProduct, "2.5", 200_00, 100_00, models.OneTime)
	dock.Name = "Dock"
	opt := qtLine(models.KindProduct, "1", 50_00, 10_00, models.OneTime)
	opt.Name, opt.Optional = "Spare cable", true
	labor := qtLine(models.KindLabor, "4", 145_00, 60_00, models.OneTime)
	labor.Name = "Install"
	return []models.QuoteItem{hw, labor, dock, opt}
}

// won creates an opportunity with a quote of items and wins it from the quote.
func (e *qtEnv) won(t *testing.T, items ...models.QuoteItem) (*models.Opportunity, *models.Quote) {
	t.Helper()
	o := e.opp(t, "Deal", false)
	q := e.quote(t, o, "Offer", items...)
	in := models.OutcomeInput{ReasonID: e.pick(t, models.WinReasons, "Price"), Date: qtNow}
	if err := models.WinFromQuote(e.db, q, in, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	return e.loadOpp(t, o.ID), q
}

func (e *qtEnv) salesOrderOf(t *testing.T, oppID uint) *models.SalesOrder {
	t.Helper()
	so, err := models.SalesOrderOf(e.db, oppID)
	if err != nil {
		t.Fatal(err)
	}
	if so == nil {
		return nil
	}
	so, err = models.LoadSalesOrder(e.db, so.ID)
	if err != nil {
		t.Fatal(err)
	}
	return so
}

func TestSalesOrderCreatedOnWinWithProductItems(t *testing.T) {
	e := soSetup(t, true)
	o, q := e.won(t, soItems()...)
	so := e.salesOrderOf(t, o.ID)
	if so == nil {
		t.Fatal("winning a quote with product items created no sales order")
	}
	if so.Number != 5001 || so.Title != o.Title || so.OrganizationID != o.OrganizationID || so.QuoteID != q.ID ||
		so.OwnerID != o.OwnerID || so.Status != models.SONew || so.Version != 1 || !so.OrderDate.Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("sales order = %+v", so)
	}
	// The non-optional product items only: labor and the optional cable stay on the quote.
	if len(so.Lines) != 2 || so.Lines[0].Name != "Firewall" || so.Lines[0].QuantityOrdered != qtQty("3") ||
		so.Lines[1].Name != "Dock" || so.Lines[1].QuantityOrdered != qtQty("2.5") || so.Lines[1].UnitPrice != 200_00 {
		t.Errorf("lines = %+v", so.Lines)
	}
	if n := e.count(t, &models.SalesOrderEvent{}, "sales_order_id = ?", so.ID); n != 1 {
		t.Errorf("%d events after creation, want 1", n)
	}
	// A second win of the same quote creates nothing more.
	if err := models.CreateSalesOrderForWin(e.db, q, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, &models.SalesOrder{}, "opportunity_id = ?", o.ID); n != 1 {
		t.Errorf("%d sales orders after winning twice, want 1", n)
	}
	// The next one takes the next number.
	o2, _ := e.won(t, soItems()...)
	if so2 := e.salesOrderOf(t, o2.ID); so2 == nil || so2.Number != 5002 {
		t.Errorf("second sales order = %+v, want number 5002", so2)
	}
}

func TestSalesOrderNotCreatedWithoutProcurementOrProducts(t *testing.T) {
	e := soSetup(t, false)
	o, _ := e.won(t, soItems()...)
	if so := e.salesOrderOf(t, o.ID); so != nil {
		t.Errorf("Procurement off, yet a sales order: %+v", so)
	}
	if _, err := models.SetFeature(e.db, models.FeatureProcurement, true, nil, qtNow); err != nil {
		t.Fatal(err)
	}
	items := soItems()
	o2, _ := e.won(t, items[1], items[3]) // labor and an optional product only
	if so := e.salesOrderOf(t, o2.ID); so != nil {
		t.Errorf("no non-optional product item, yet a sales order: %+v", so)
	}
}

func TestSalesOrderCreatedWhenWonFromTheOpportunity(t *testing.T) {
	e := soSetup(t, true)
	o := e.opp(t, "Deal", false)
	e.quote(t, o, "Offer", soItems()...)
	o = e.loadOpp(t, o.ID)
	in := models.OutcomeInput{ReasonID: e.pick(t, models.WinReasons, "Price"), Date: qtNow}
	if err := models.MarkWon(e.db, o, o.Version, in, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if so := e.salesOrderOf(t, o.ID); so == nil || len(so.Lines) != 2 {
		t.Fatalf("won from the opportunity page: sales order %+v", so)
	}
	// Without a quote, there is nothing to order.
	o2 := e.opp(t, "No quote", false)
	if err := models.MarkWon(e.db, o2, o2.Version, in, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if so := e.salesOrderOf(t, o2.ID); so != nil {
		t.Errorf("an opportunity without a quote got a sales order")
	}
}

func TestSalesOrderFulfilment(t *testing.T) {
	e := soSetup(t, true)
	o, _ := e.won(t, soItems()...)
	so := e.salesOrderOf(t, o.ID)
	hw, dock := so.Lines[0], so.Lines[1]
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name  string
		lines map[uint]models.Quantity
		want  error
	}{
		{"nothing", map[uint]models.Quantity{hw.ID: 0}, models.ErrSONothing},
		{"negative", map[uint]models.Quantity{hw.ID: -qtQty("1")}, models.ErrSONegative},
		{"over", map[uint]models.Quantity{dock.ID: qtQty("2.5001")}, models.ErrSOOverFulfilment},
		{"unknown line", map[uint]models.Quantity{999999: qtQty("1")}, models.ErrSOUnknownLine},
	} {
		if err := models.RecordFulfilment(e.db, so, tc.lines, day, "", e.owner, qtNow); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := e.salesOrderOf(t, o.ID); got.Version != 1 || got.Lines[0].QuantityFulfilled != 0 {
		t.Fatalf("refused fulfilments changed the order: %+v", got)
	}

	// 1 of 3 firewalls and 1.5 of 2.5 docks: Partially Fulfilled.
	if err := models.RecordFulfilment(e.db, so, map[uint]models.Quantity{hw.ID: qtQty("1"), dock.ID: qtQty("1.5")}, day, "First delivery", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got := e.salesOrderOf(t, o.ID)
	if got.Status != models.SOPartiallyFulfilled || got.Lines[0].Remaining() != qtQty("2") || got.Lines[1].Remaining() != qtQty("1") || got.Version != 2 {
		t.Fatalf("after the first delivery: %s, remaining %s and %s, version %d", got.Status, got.Lines[0].Remaining(), got.Lines[1].Remaining(), got.Version)
	}
	// Over what remains now, even though under what was ordered.
	if err := models.RecordFulfilment(e.db, got, map[uint]models.Quantity{hw.ID: qtQty("2.5")}, day, "", e.owner, qtNow); !errors.Is(err, models.ErrSOOverFulfilment) {
		t.Errorf("over the remaining: err = %v", err)
	}
	// A fulfilled order cannot be canceled; the rest makes it Fulfilled.
	if err := models.RecordFulfilment(e.db, got, map[uint]models.Quantity{hw.ID: qtQty("2"), dock.ID: qtQty("1")}, day, "", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got = e.salesOrderOf(t, o.ID)
	if got.Status != models.SOFulfilled {
		t.Fatalf("status %s after fulfilling everything", got.Status)
	}
	if err := models.SetSalesOrderStatus(e.db, got, got.Version, models.SOCanceled, "Changed their mind", e.owner, qtNow); !errors.Is(err, models.ErrSOFulfilled) {
		t.Errorf("cancel a fulfilled order: err = %v", err)
	}
	// Two deliveries, each with its status change, after the creation.
	if n := e.count(t, &models.SalesOrderEvent{}, "sales_order_id = ?", so.ID); n != 5 {
		t.Errorf("%d events, want 5", n)
	}
}

func TestSalesOrderStatusByHand(t *testing.T) {
	e := soSetup(t, true)
	o, _ := e.won(t, soItems()...)
	so := e.salesOrderOf(t, o.ID)

	if err := models.SetSalesOrderStatus(e.db, so, so.Version, models.SOFulfilled, "", e.owner, qtNow); !errors.Is(err, models.ErrSOStatus) {
		t.Errorf("Fulfilled by hand: err = %v", err)
	}
	if err := models.SetSalesOrderStatus(e.db, so, so.Version+1, models.SOInProgress, "", e.owner, qtNow); !errors.Is(err, models.ErrSOStale) {
		t.Errorf("stale version: err = %v", err)
	}
	if err := models.SetSalesOrderStatus(e.db, so, so.Version, models.SOInProgress, "", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if err := models.SetSalesOrderStatus(e.db, so, so.Version, models.SOCanceled, "  ", e.owner, qtNow); !errors.Is(err, models.ErrSOReasonRequired) {
		t.Errorf("cancel without a reason: err = %v", err)
	}
	if err := models.SetSalesOrderStatus(e.db, so, so.Version, models.SOCanceled, "Budget frozen", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got := e.salesOrderOf(t, o.ID)
	if got.Status != models.SOCanceled || got.CancelReason != "Budget frozen" {
		t.Errorf("after cancel: %s %q", got.Status, got.CancelReason)
	}
	if err := models.RecordFulfilment(e.db, got, map[uint]models.Quantity{got.Lines[0].ID: qtQty("1")}, qtNow, "", e.owner, qtNow); !errors.Is(err, models.ErrSOCanceled) {
		t.Errorf("fulfil a canceled order: err = %v", err)
	}
}

func TestUpdateSalesOrder(t *testing.T) {
	e := soSetup(t, true)
	o, _ := e.won(t, soItems()...)
	so := e.salesOrderOf(t, o.ID)
	other := mkUser(t, e.db, "rep2@example.com", models.RoleRep)
	promised := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	edit := models.SalesOrderEdit{OwnerID: other.ID, PromisedDate: &promised, BillTo: "Acme\nMain St", ShipTo: so.ShipTo, Notes: "Deliver to the back door", InProgress: true}
	if err := models.UpdateSalesOrder(e.db, so, so.Version, edit, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got := e.salesOrderOf(t, o.ID)
	if got.OwnerID != other.ID || got.PromisedDate == nil || !got.PromisedDate.Equal(promised) || got.Notes != edit.Notes ||
		got.Status != models.SOInProgress || got.Version != 2 || got.Title != o.Title {
		t.Errorf("after the edit: %+v", got)
	}
	edit.Notes = "Stale"
	if err := models.UpdateSalesOrder(e.db, got, 1, edit, e.owner, qtNow); !errors.Is(err, models.ErrSOStale) {
		t.Errorf("stale edit: err = %v", err)
	}
}

func TestSalesOrderNotCreatedWhileQuoteManagerReplacesQuotes(t *testing.T) {
	e := soSetup(t, true)
	if _, err := models.SetFeature(e.db, models.FeatureQuoteManager, true, nil, qtNow); err != nil {
		t.Fatal(err)
	}
	o := e.opp(t, "Deal with a hidden built-in quote", false)
	e.quote(t, o, "Offer", soItems()...)
	o = e.loadOpp(t, o.ID)
	in := models.OutcomeInput{ReasonID: e.pick(t, models.WinReasons, "Price"), Date: qtNow}
	if err := models.MarkWon(e.db, o, o.Version, in, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if so := e.salesOrderOf(t, o.ID); so != nil {
		t.Errorf("won while Quote Manager is on, yet a sales order from the hidden built-in quote: %+v", so)
	}
}
