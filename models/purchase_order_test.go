package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"salesdesk/models"
)

// vendor creates an organization of type Vendor.
func (e *qtEnv) vendor(t *testing.T, name string) *models.Organization {
	t.Helper()
	v := &models.Organization{Name: name, Type: models.VendorType}
	if err := e.db.Create(v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

// product creates a catalog product of vendor v (none when nil) and returns
// a quote line of it for quantity q.
func (e *qtEnv) product(t *testing.T, name, q string, cost models.Money, v *models.Organization, noProcurement bool) models.QuoteItem {
	t.Helper()
	p := models.Product{Name: name, SKU: "SKU-" + name, Type: models.KindProduct, Period: models.OneTime, UnitPrice: 2 * cost, UnitCost: cost,
		Active: true, NoProcurement: noProcurement}
	if v != nil {
		p.VendorID = &v.ID
	}
	if err := models.SaveProduct(e.db, &p); err != nil {
		t.Fatal(err)
	}
	it := qtLine(models.KindProduct, q, p.UnitPrice, 1, models.OneTime)
	it.Name, it.ProductID = name, &p.ID
	return it
}

func (e *qtEnv) purchaseOrder(t *testing.T, id uint) *models.PurchaseOrder {
	t.Helper()
	po, err := models.LoadPurchaseOrder(e.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return po
}

func (e *qtEnv) procurement(t *testing.T, so *models.SalesOrder) map[uint]models.LineProcurement {
	t.Helper()
	p, err := models.SalesOrderProcurement(e.db, so)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var poDay = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestPurchaseOrdersGroupedByVendor(t *testing.T) {
	e := soSetup(t, true)
	north, south := e.vendor(t, "Northgate"), e.vendor(t, "Southgate")
	fw := e.product(t, "Firewall", "3", 820_00, north, false)
	mon := e.product(t, "Monitor", "2.5", 149_00, south, false)
	dock := e.product(t, "Dock", "4", 158_00, north, false)
	lic := e.product(t, "Licence key", "10", 5_00, nil, true) // needs no procurement, so no vendor either
	free := qtLine(models.KindProduct, "1", 99_00, 50_00, models.OneTime)
	free.Name = "Cable from the shelf"
	labor := qtLine(models.KindLabor, "4", 145_00, 60_00, models.OneTime)
	o, _ := e.won(t, fw, labor, mon, lic, dock, free)
	so := e.salesOrderOf(t, o.ID)
	if len(so.Lines) != 5 {
		t.Fatalf("sales order lines: %d, want 5", len(so.Lines))
	}

	pos, notCatalog, err := models.CreatePurchaseOrders(e.db, so.ID, &poDay, e.owner, qtNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(pos) != 2 {
		t.Fatalf("%d purchase orders, want one per vendor (2)", len(pos))
	}
	if len(notCatalog) != 1 || notCatalog[0] != "Cable from the shelf" {
		t.Errorf("left out as not from the catalog: %v", notCatalog)
	}
	n, s := e.purchaseOrder(t, pos[0].ID), e.purchaseOrder(t, pos[1].ID)
	if n.VendorID != north.ID || n.Number != 7001 || n.Status != models.PODraft || n.ExpectedDate == nil || !n.ExpectedDate.Equal(poDay) || n.Version != 1 {
		t.Errorf("first purchase order = %+v", n)
	}
	if len(n.Lines) != 2 || n.Lines[0].Name != "Firewall" || n.Lines[0].Quantity != qtQty("3") || n.Lines[0].UnitCost != 820_00 ||
		n.Lines[1].Name != "Dock" || n.Lines[1].Quantity != qtQty("4") || n.Lines[1].SalesOrderLineID != so.Lines[3].ID {
		t.Errorf("Northgate's lines = %+v", n.Lines)
	}
	if s.VendorID != south.ID || s.Number != 7002 || len(s.Lines) != 1 || s.Lines[0].Quantity != qtQty("2.5") {
		t.Errorf("Southgate's order = %+v", s)
	}
	// 3 × 820.00 + 4 × 158.00; 2.5 × 149.00 rounds half-up per line.
	if n.Total() != 3092_00 || s.Total() != 372_50 {
		t.Errorf("totals %s and %s", n.Total(), s.Total())
	}
	proc := e.procurement(t, so)
	if p := proc[so.Lines[0].ID]; !p.Required || p.Purchased != qtQty("3") || p.Received != 0 {
		t.Errorf("firewall line procurement = %+v", p)
	}
	if p := proc[so.Lines[2].ID]; p.Required || p.Purchased != 0 {
		t.Errorf("the licence line needs no procurement, got %+v", p)
	}
	if n := e.count(t, &models.PurchaseOrderEvent{}, "purchase_order_id IN ?", []uint{n.ID, s.ID}); n != 2 {
		t.Errorf("%d purchase order events, want one per order", n)
	}
	if n := e.count(t, &models.SalesOrderEvent{}, "sales_order_id = ? AND what LIKE ?", so.ID, "Purchase order PO-%"); n != 2 {
		t.Errorf("%d sales order events about purchase orders, want 2", n)
	}

	// Nothing is ordered twice.
	if _, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow); !errors.Is(err, models.ErrPONothing) {
		t.Errorf("second creation: err = %v, want ErrPONothing", err)
	}
	if n := e.count(t, &models.PurchaseOrder{}, "sales_order_id = ?", so.ID); n != 2 {
		t.Errorf("%d purchase orders after creating again, want 2", n)
	}

	// Canceling Southgate's order frees its monitors: creating again orders
	// only them, on a new order with the next number.
	if err := models.CancelPurchaseOrder(e.db, s, s.Version, "Wrong model", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	again, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].VendorID != south.ID || again[0].Number != 7003 || len(again[0].Lines) != 1 ||
		again[0].Lines[0].Quantity != qtQty("2.5") || again[0].ExpectedDate != nil {
		t.Errorf("after the cancel, created %+v", again)
	}
	if p := e.procurement(t, so)[so.Lines[1].ID]; p.Purchased != qtQty("2.5") {
		t.Errorf("monitors purchased %s after cancel and reorder, want 2.5", p.Purchased)
	}
}

func TestPurchaseOrderProductWithoutVendor(t *testing.T) {
	e := soSetup(t, true)
	north := e.vendor(t, "Northgate")
	fw := e.product(t, "Firewall", "1", 820_00, north, false)
	orphan := e.product(t, "Rack shelf", "2", 40_00, nil, false)
	o, _ := e.won(t, fw, orphan)
	so := e.salesOrderOf(t, o.ID)

	_, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow)
	var nv *models.NoVendorError
	if !errors.As(err, &nv) || !errors.Is(err, models.ErrPONoVendor) || len(nv.Products) != 1 || nv.Products[0] != "Rack shelf" {
		t.Fatalf("err = %v, want a NoVendorError naming the rack shelf", err)
	}
	if !strings.Contains(err.Error(), "Rack shelf") {
		t.Errorf("message %q does not name the product", err)
	}
	// Nothing half-created: not even the firewall's order, no number taken.
	if n := e.count(t, &models.PurchaseOrder{}, "1 = 1"); n != 0 {
		t.Errorf("%d purchase orders after the refusal", n)
	}
	if n := e.count(t, &models.SalesOrderEvent{}, "sales_order_id = ?", so.ID); n != 1 {
		t.Errorf("%d sales order events, want only the creation", n)
	}
	var next models.Setting
	e.db.First(&next, "key = ?", "next_purchase_order_number")
	if next.Value != "7001" {
		t.Errorf("next purchase order number %s after the refusal", next.Value)
	}
}

func TestPurchaseOrderRefusedOnClosedSalesOrder(t *testing.T) {
	e := soSetup(t, true)
	fw := e.product(t, "Firewall", "1", 820_00, e.vendor(t, "Northgate"), false)
	o, _ := e.won(t, fw)
	so := e.salesOrderOf(t, o.ID)
	if err := models.SetSalesOrderStatus(e.db, so, so.Version, models.SOCanceled, "Postponed", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow); !errors.Is(err, models.ErrPOOrderClosed) {
		t.Errorf("purchase orders for a canceled sales order: err = %v", err)
	}
}

func TestPurchaseOrderLifecycleAndReceiving(t *testing.T) {
	e := soSetup(t, true)
	north := e.vendor(t, "Northgate")
	o, _ := e.won(t, e.product(t, "Firewall", "3", 820_00, north, false), e.product(t, "Dock", "2.5", 158_00, north, false))
	so := e.salesOrderOf(t, o.ID)
	pos, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow)
	if err != nil {
		t.Fatal(err)
	}
	po := e.purchaseOrder(t, pos[0].ID)
	fw, dock := po.Lines[0], po.Lines[1]

	// A draft is not received.
	if err := models.ReceivePurchaseOrder(e.db, po, po.Version, map[uint]models.Quantity{fw.ID: qtQty("1")}, poDay, "", e.owner, qtNow); !errors.Is(err, models.ErrPONotSubmitted) {
		t.Errorf("receive a draft: err = %v", err)
	}
	if err := models.SubmitPurchaseOrder(e.db, po, po.Version+1, e.owner, qtNow); !errors.Is(err, models.ErrPOStale) {
		t.Errorf("stale submit: err = %v", err)
	}
	if err := models.SubmitPurchaseOrder(e.db, po, po.Version, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if po.Status != models.POSubmitted || po.Version != 2 {
		t.Fatalf("after submit: %s v%d", po.Status, po.Version)
	}
	if err := models.SubmitPurchaseOrder(e.db, po, po.Version, e.owner, qtNow); !errors.Is(err, models.ErrPOStatus) {
		t.Errorf("submit twice: err = %v", err)
	}

	for _, tc := range []struct {
		name  string
		lines map[uint]models.Quantity
		want  error
	}{
		{"nothing", map[uint]models.Quantity{fw.ID: 0}, models.ErrPONothingToTake},
		{"negative", map[uint]models.Quantity{fw.ID: -qtQty("1")}, models.ErrSONegative},
		{"over", map[uint]models.Quantity{dock.ID: qtQty("2.5001")}, models.ErrPOOverReceipt},
		{"unknown line", map[uint]models.Quantity{999999: qtQty("1")}, models.ErrPOUnknownLine},
	} {
		if err := models.ReceivePurchaseOrder(e.db, po, po.Version, tc.lines, poDay, "", e.owner, qtNow); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	var le *models.LineError
	if err := models.ReceivePurchaseOrder(e.db, po, po.Version, map[uint]models.Quantity{dock.ID: qtQty("3")}, poDay, "", e.owner, qtNow); !errors.As(err, &le) || le.LineID != dock.ID {
		t.Errorf("over-receipt not tied to its line: %v", err)
	}
	if got := e.purchaseOrder(t, po.ID); got.Version != 2 || got.Lines[0].QuantityReceived != 0 {
		t.Fatalf("refused receipts changed the order: %+v", got)
	}

	// 1 of 3 firewalls and 1.5 of 2.5 docks: Partly Received, shown on the sales order lines.
	if err := models.ReceivePurchaseOrder(e.db, po, po.Version, map[uint]models.Quantity{fw.ID: qtQty("1"), dock.ID: qtQty("1.5")}, poDay, "Box 1 of 2", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got := e.purchaseOrder(t, po.ID)
	if got.Status != models.POPartlyReceived || got.Lines[0].Outstanding() != qtQty("2") || got.Lines[1].Outstanding() != qtQty("1") || got.Version != 3 {
		t.Fatalf("after the first receipt: %s, outstanding %s and %s, v%d", got.Status, got.Lines[0].Outstanding(), got.Lines[1].Outstanding(), got.Version)
	}
	proc := e.procurement(t, so)
	if p := proc[so.Lines[0].ID]; p.Purchased != qtQty("3") || p.Received != qtQty("1") {
		t.Errorf("firewall line: %+v", p)
	}
	if p := proc[so.Lines[1].ID]; p.Received != qtQty("1.5") {
		t.Errorf("dock line: %+v", p)
	}
	// The same form again (stale), over what is outstanding now, then cancel: all refused.
	if err := models.ReceivePurchaseOrder(e.db, got, 2, map[uint]models.Quantity{fw.ID: qtQty("1")}, poDay, "", e.owner, qtNow); !errors.Is(err, models.ErrPOStale) {
		t.Errorf("stale receipt: err = %v", err)
	}
	if err := models.ReceivePurchaseOrder(e.db, got, got.Version, map[uint]models.Quantity{fw.ID: qtQty("2.5")}, poDay, "", e.owner, qtNow); !errors.Is(err, models.ErrPOOverReceipt) {
		t.Errorf("over the outstanding: err = %v", err)
	}
	if err := models.CancelPurchaseOrder(e.db, got, got.Version, "", e.owner, qtNow); !errors.Is(err, models.ErrPONotCancelable) {
		t.Errorf("cancel a partly received order: err = %v", err)
	}
	// The rest: Received; nothing more can be received or changed.
	if err := models.ReceivePurchaseOrder(e.db, got, got.Version, map[uint]models.Quantity{fw.ID: qtQty("2"), dock.ID: qtQty("1")}, poDay, "", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if got.Status != models.POReceived {
		t.Fatalf("status %s after receiving everything", got.Status)
	}
	if err := models.ReceivePurchaseOrder(e.db, got, got.Version, map[uint]models.Quantity{fw.ID: qtQty("1")}, poDay, "", e.owner, qtNow); !errors.Is(err, models.ErrPOStatus) {
		t.Errorf("receive a received order: err = %v", err)
	}
	if err := models.UpdatePurchaseOrder(e.db, got, got.Version, models.PurchaseOrderEdit{Notes: "Late"}, e.owner, qtNow); !errors.Is(err, models.ErrPOStatus) {
		t.Errorf("edit a received order: err = %v", err)
	}
	if p := e.procurement(t, so)[so.Lines[0].ID]; p.Received != qtQty("3") {
		t.Errorf("firewalls received %s, want 3", p.Received)
	}
	// Created, submitted, two receipts each with its status change.
	if n := e.count(t, &models.PurchaseOrderEvent{}, "purchase_order_id = ?", po.ID); n != 6 {
		t.Errorf("%d purchase order events, want 6", n)
	}
	// The sales order's history tells the same: drafted, submitted, received twice.
	if n := e.count(t, &models.SalesOrderEvent{}, "sales_order_id = ? AND what LIKE ?", so.ID, "%PO-7001%"); n != 4 {
		t.Errorf("%d sales order events about PO-7001, want 4", n)
	}
}

func TestUpdateAndCancelPurchaseOrder(t *testing.T) {
	e := soSetup(t, true)
	o, _ := e.won(t, e.product(t, "Firewall", "3", 820_00, e.vendor(t, "Northgate"), false))
	so := e.salesOrderOf(t, o.ID)
	pos, _, err := models.CreatePurchaseOrders(e.db, so.ID, nil, e.owner, qtNow)
	if err != nil {
		t.Fatal(err)
	}
	po := e.purchaseOrder(t, pos[0].ID)
	edit := models.PurchaseOrderEdit{ExpectedDate: &poDay, Notes: "  Deliver to the back door  "}
	if err := models.UpdatePurchaseOrder(e.db, po, po.Version, edit, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got := e.purchaseOrder(t, po.ID)
	if got.ExpectedDate == nil || !got.ExpectedDate.Equal(poDay) || got.Notes != "Deliver to the back door" || got.Version != 2 {
		t.Errorf("after the edit: %+v", got)
	}
	if err := models.UpdatePurchaseOrder(e.db, got, 1, models.PurchaseOrderEdit{Notes: "Stale"}, e.owner, qtNow); !errors.Is(err, models.ErrPOStale) {
		t.Errorf("stale edit: err = %v", err)
	}
	if err := models.CancelPurchaseOrder(e.db, got, 1, "", e.owner, qtNow); !errors.Is(err, models.ErrPOStale) {
		t.Errorf("stale cancel: err = %v", err)
	}
	if err := models.SubmitPurchaseOrder(e.db, got, got.Version, e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	if err := models.CancelPurchaseOrder(e.db, got, got.Version, "Vendor out of stock", e.owner, qtNow); err != nil {
		t.Fatal(err)
	}
	got = e.purchaseOrder(t, po.ID)
	if got.Status != models.POCanceled || got.CancelReason != "Vendor out of stock" {
		t.Errorf("after cancel: %s %q", got.Status, got.CancelReason)
	}
	if p := e.procurement(t, so)[so.Lines[0].ID]; p.Purchased != 0 {
		t.Errorf("a canceled order still counts as purchased: %s", p.Purchased)
	}
	if err := models.CancelPurchaseOrder(e.db, got, got.Version, "", e.owner, qtNow); !errors.Is(err, models.ErrPONotCancelable) {
		t.Errorf("cancel twice: err = %v", err)
	}

	// The list: filters by status, vendor and expected date; totals per order.
	rows, more, err := models.ListPurchaseOrders(e.db, models.PurchaseOrderFilter{Status: models.POCanceled}, models.NewPage(1))
	if err != nil || more || len(rows) != 1 || rows[0].Number != 7001 || rows[0].VendorName != "Northgate" || rows[0].Total != 2460_00 ||
		rows[0].SalesOrderNumber != so.Number || rows[0].OwnerID != so.OwnerID {
		t.Errorf("canceled list = %+v, %v, %v", rows, more, err)
	}
	for _, f := range []models.PurchaseOrderFilter{{Status: models.PODraft}, {VendorID: 999999}, {ExpectedBefore: poDay}} {
		if rows, _, err := models.ListPurchaseOrders(e.db, f, models.NewPage(1)); err != nil || len(rows) != 0 {
			t.Errorf("filter %+v: %d rows, %v", f, len(rows), err)
		}
	}
	if rows, _, _ := models.ListPurchaseOrders(e.db, models.PurchaseOrderFilter{ExpectedBefore: poDay.AddDate(0, 0, 1)}, models.NewPage(1)); len(rows) != 1 {
		t.Errorf("expected before the day after: %d rows", len(rows))
	}
}
