package models

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PurchaseOrderStatus is where a purchase order to a vendor stands: a Draft
// is Submitted to the vendor, then Received line by line (Partly Received
// until every line is in). Draft and Submitted orders may be Canceled; what
// they held can then be ordered again.
type PurchaseOrderStatus string

const (
	PODraft          PurchaseOrderStatus = "draft"
	POSubmitted      PurchaseOrderStatus = "submitted"
	POPartlyReceived PurchaseOrderStatus = "partly_received"
	POReceived       PurchaseOrderStatus = "received"
	POCanceled       PurchaseOrderStatus = "canceled"
)

var PurchaseOrderStatuses = []PurchaseOrderStatus{PODraft, POSubmitted, POPartlyReceived, POReceived, POCanceled}

func (s PurchaseOrderStatus) Label() string {
	switch s {
	case PODraft:
		return "Draft"
	case POSubmitted:
		return "Submitted"
	case POPartlyReceived:
		return "Partly Received"
	case POReceived:
		return "Received"
	case POCanceled:
		return "Canceled"
	}
	return string(s)
}

func (s PurchaseOrderStatus) Valid() bool {
	for _, v := range PurchaseOrderStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Open is true while something may still happen to the order.
func (s PurchaseOrderStatus) Open() bool { return s != POReceived && s != POCanceled }

// Receivable is true once the order went to the vendor and until all of it came in.
func (s PurchaseOrderStatus) Receivable() bool { return s == POSubmitted || s == POPartlyReceived }

// Cancelable is true before anything was received.
func (s PurchaseOrderStatus) Cancelable() bool { return s == PODraft || s == POSubmitted }

// PurchaseOrder buys from one vendor what the lines of one sales order need.
type PurchaseOrder struct {
	ID           uint
	Number       int
	SalesOrderID uint
	SalesOrder   *SalesOrder
	VendorID     uint
	Vendor       *Organization
	Status       PurchaseOrderStatus
	ExpectedDate *time.Time
	Notes        string
	CancelReason string
	Version      int
	Lines        []PurchaseOrderLine
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PurchaseOrderLine is a quantity of one sales order line's product bought
// from the vendor at its unit cost.
type PurchaseOrderLine struct {
	ID               uint
	PurchaseOrderID  uint
	SalesOrderLineID uint
	ProductID        *uint
	Position         int
	Name             string
	Quantity         Quantity
	QuantityReceived Quantity
	UnitCost         Money
}

// Outstanding is what the vendor still has to deliver.
func (l PurchaseOrderLine) Outstanding() Quantity { return l.Quantity - l.QuantityReceived }

// Total is quantity × unit cost, rounded half-up to the cent as quote lines are.
func (l PurchaseOrderLine) Total() Money {
	return mulRound(int64(l.UnitCost), int64(l.Quantity), QuantityScale)
}

// Total is the sum of the line totals.
func (po *PurchaseOrder) Total() Money {
	var t Money
	for _, l := range po.Lines {
		t += l.Total()
	}
	return t
}

// PurchaseOrderEvent is one step in a purchase order's history.
type PurchaseOrderEvent struct {
	ID              uint
	PurchaseOrderID uint
	UserID          *uint
	User            *User
	What            string
	Note            string
	HappenedOn      *time.Time // the receiving date a user gave, when there is one
	CreatedAt       time.Time
}

var (
	ErrPONoVendor       = errors.New("a product to order has no vendor")
	ErrPONothing        = errors.New("nothing on this sales order is left to order from a vendor")
	ErrPOOrderClosed    = errors.New("this sales order is canceled or fulfilled: nothing more is ordered for it")
	ErrPOStale          = errors.New("someone else changed this purchase order since you loaded it")
	ErrPOStatus         = errors.New("this purchase order cannot do that in its current status")
	ErrPONotSubmitted   = errors.New("a purchase order is received only after it was submitted to the vendor")
	ErrPOOverReceipt    = errors.New("more than what is outstanding on this line")
	ErrPONothingToTake  = errors.New("enter a quantity received for at least one line")
	ErrPOUnknownLine    = errors.New("no such line on this purchase order")
	ErrPONotCancelable  = errors.New("only a draft or submitted purchase order can be canceled")
	ErrPOVendorNotFound = errors.New("the vendor of a product no longer exists")
)

// NoVendorError names the products that cannot be ordered because the
// catalog gives them no vendor.
type NoVendorError struct {
	Products   []string
	ProductIDs []uint
}

func (e *NoVendorError) Error() string {
	return "no vendor for " + strings.Join(e.Quoted(), ", ")
}
func (e *NoVendorError) Unwrap() error { return ErrPONoVendor }

// Quoted is the names of the products, each in quotation marks.
func (e *NoVendorError) Quoted() []string {
	out := make([]string, len(e.Products))
	for i, n := range e.Products {
		out[i] = "“" + n + "”"
	}
	return out
}

func poLabel(n int) string { return fmt.Sprintf("PO-%d", n) }

func addPOEvent(tx *gorm.DB, poID uint, by *User, what, note string, on *time.Time, now time.Time) error {
	ev := PurchaseOrderEvent{PurchaseOrderID: poID, What: what, Note: strings.TrimSpace(note), HappenedOn: on, CreatedAt: now}
	if by != nil {
		ev.UserID = &by.ID
	}
	return tx.Create(&ev).Error
}

// LineProcurement is what the purchase orders say about one sales order line.
type LineProcurement struct {
	Required  bool     // its catalog product is bought from a vendor
	Purchased Quantity // on purchase orders that are not canceled
	Received  Quantity // received from the vendor
}

// ToPurchase is what is still to be put on a purchase order for a line of
// quantity ordered.
func (p LineProcurement) ToPurchase(ordered Quantity) Quantity {
	if !p.Required || p.Purchased >= ordered {
		return 0
	}
	return ordered - p.Purchased
}

// SalesOrderProcurement tells, per line id of so, whether it requires
// procurement and how much of it is purchased and received.
func SalesOrderProcurement(db *gorm.DB, so *SalesOrder) (map[uint]LineProcurement, error) {
	out := make(map[uint]LineProcurement, len(so.Lines))
	var productIDs []uint
	for _, l := range so.Lines {
		if l.ProductID != nil {
			productIDs = append(productIDs, *l.ProductID)
		}
	}
	buys := map[uint]bool{}
	if len(productIDs) > 0 {
		var ps []Product
		if err := db.Select("id", "no_procurement").Where("id IN ?", productIDs).Find(&ps).Error; err != nil {
			return nil, err
		}
		for _, p := range ps {
			buys[p.ID] = !p.NoProcurement
		}
	}
	var sums []struct {
		SalesOrderLineID uint
		Purchased        int64
		Received         int64
	}
	err := db.Table("purchase_order_lines").
		Joins("JOIN purchase_orders ON purchase_orders.id = purchase_order_lines.purchase_order_id").
		Select("purchase_order_lines.sales_order_line_id, SUM(purchase_order_lines.quantity) AS purchased, SUM(purchase_order_lines.quantity_received) AS received").
		Where("purchase_orders.sales_order_id = ? AND purchase_orders.status <> ?", so.ID, POCanceled).
		Group("purchase_order_lines.sales_order_line_id").Scan(&sums).Error
	if err != nil {
		return nil, err
	}
	bySOLine := map[uint]int{}
	for i, s := range sums {
		bySOLine[s.SalesOrderLineID] = i
	}
	for _, l := range so.Lines {
		p := LineProcurement{Required: l.ProductID != nil && buys[*l.ProductID]}
		if i, ok := bySOLine[l.ID]; ok {
			p.Purchased, p.Received = Quantity(sums[i].Purchased), Quantity(sums[i].Received)
		}
		out[l.ID] = p
	}
	return out, nil
}

// CreatePurchaseOrders puts what the lines of sales order soID still need
// from vendors on draft purchase orders, one per vendor, expected on
// expected. Only lines of catalog products that require procurement count,
// each for what no purchase order (canceled ones aside) holds yet. A product
// without a vendor stops everything with a NoVendorError naming it: nothing
// is created then. It returns the orders created and the names of the lines
// left out because they are not catalog products.
func CreatePurchaseOrders(db *gorm.DB, soID uint, expected *time.Time, by *User, now time.Time) ([]PurchaseOrder, []string, error) {
	var created []PurchaseOrder
	var notCatalog []string
	err := db.Transaction(func(tx *gorm.DB) error {
		created, notCatalog = nil, nil
		var so SalesOrder
		// Locks the sales order, so two requests at once cannot both order what is left.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
			First(&so, soID).Error; err != nil {
			return err
		}
		if so.Status == SOCanceled || so.Status == SOFulfilled {
			return ErrPOOrderClosed
		}
		proc, err := SalesOrderProcurement(tx, &so)
		if err != nil {
			return err
		}
		products := map[uint]*Product{}
		var ids []uint
		for _, l := range so.Lines {
			if l.ProductID != nil {
				ids = append(ids, *l.ProductID)
			} else {
				notCatalog = append(notCatalog, l.Name)
			}
		}
		if len(ids) > 0 {
			var ps []Product
			if err := tx.Preload("Vendor").Where("id IN ?", ids).Find(&ps).Error; err != nil {
				return err
			}
			for i := range ps {
				products[ps[i].ID] = &ps[i]
			}
		}
		type group struct {
			vendor *Organization
			lines  []PurchaseOrderLine
		}
		var groups []*group
		byVendor := map[uint]*group{}
		var noVendor NoVendorError
		for _, l := range so.Lines {
			qty := proc[l.ID].ToPurchase(l.QuantityOrdered)
			if qty <= 0 {
				continue
			}
			p := products[*l.ProductID]
			if p.VendorID == nil {
				noVendor.Products, noVendor.ProductIDs = append(noVendor.Products, p.Name), append(noVendor.ProductIDs, p.ID)
				continue
			}
			if p.Vendor == nil {
				return ErrPOVendorNotFound
			}
			g := byVendor[*p.VendorID]
			if g == nil {
				g = &group{vendor: p.Vendor}
				byVendor[*p.VendorID] = g
				groups = append(groups, g)
			}
			g.lines = append(g.lines, PurchaseOrderLine{SalesOrderLineID: l.ID, ProductID: l.ProductID, Position: len(g.lines) + 1,
				Name: l.Name, Quantity: qty, UnitCost: p.UnitCost})
		}
		if len(noVendor.Products) > 0 {
			return &noVendor
		}
		if len(groups) == 0 {
			return ErrPONothing
		}
		var exp *time.Time
		if expected != nil {
			d := DateOnly(*expected)
			exp = &d
		}
		for _, g := range groups {
			n, err := nextNumber(tx, "next_purchase_order_number", "purchase_orders")
			if err != nil {
				return err
			}
			po := PurchaseOrder{Number: n, SalesOrderID: so.ID, VendorID: g.vendor.ID, Status: PODraft, ExpectedDate: exp, Version: 1,
				CreatedAt: now, UpdatedAt: now}
			if err := tx.Omit(clause.Associations).Create(&po).Error; err != nil {
				return err
			}
			var parts []string
			for i := range g.lines {
				g.lines[i].PurchaseOrderID = po.ID
				parts = append(parts, fmt.Sprintf("%s × %s", g.lines[i].Quantity, g.lines[i].Name))
			}
			if err := tx.Create(&g.lines).Error; err != nil {
				return err
			}
			po.Lines, po.Vendor = g.lines, g.vendor
			what := fmt.Sprintf("Created as a draft from sales order SO-%d: %s", so.Number, strings.Join(parts, ", "))
			if err := addPOEvent(tx, po.ID, by, what, "", nil, now); err != nil {
				return err
			}
			what = fmt.Sprintf("Purchase order %s drafted for %s: %s", poLabel(po.Number), g.vendor.Name, strings.Join(parts, ", "))
			if err := addSOEvent(tx, so.ID, by, what, "", nil, now); err != nil {
				return err
			}
			created = append(created, po)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return created, notCatalog, nil
}

// LoadPurchaseOrder reads a purchase order with its vendor, sales order and lines.
func LoadPurchaseOrder(db *gorm.DB, id uint) (*PurchaseOrder, error) {
	var po PurchaseOrder
	err := db.Preload("Vendor").Preload("SalesOrder").Preload("SalesOrder.Organization").
		Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).First(&po, id).Error
	if err != nil {
		return nil, err
	}
	return &po, nil
}

// PurchaseOrdersOf lists the purchase orders of a sales order, newest
// first: at most limit of them (all with 0), and whether there are more.
func PurchaseOrdersOf(db *gorm.DB, soID uint, limit int) ([]PurchaseOrder, bool, error) {
	var pos []PurchaseOrder
	q := db.Preload("Vendor").Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Where("sales_order_id = ?", soID).Order("number DESC")
	if limit > 0 {
		q = q.Limit(limit + 1)
	}
	if err := q.Find(&pos).Error; err != nil {
		return nil, false, err
	}
	if limit > 0 && len(pos) > limit {
		return pos[:limit], true, nil
	}
	return pos, false, nil
}

// PurchaseOrderEvents is the history of a purchase order, newest first.
func PurchaseOrderEvents(db *gorm.DB, poID uint) ([]PurchaseOrderEvent, error) {
	var evs []PurchaseOrderEvent
	err := db.Preload("User").Where("purchase_order_id = ?", poID).Order("created_at DESC, id DESC").Find(&evs).Error
	return evs, err
}

// lockedPurchaseOrder reads the stored purchase order inside tx and checks
// it is still at the version the user saw.
func lockedPurchaseOrder(tx *gorm.DB, id uint, version int) (*PurchaseOrder, error) {
	var cur PurchaseOrder
	if err := tx.Preload("SalesOrder").Preload("Vendor").Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		First(&cur, id).Error; err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, ErrPOStale
	}
	return &cur, nil
}

// SubmitPurchaseOrder sends a draft to the vendor.
func SubmitPurchaseOrder(db *gorm.DB, po *PurchaseOrder, version int, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		cur, err := lockedPurchaseOrder(tx, po.ID, version)
		if err != nil {
			return err
		}
		if cur.Status != PODraft {
			return ErrPOStatus
		}
		if err := bumpRowVersion(tx, &PurchaseOrder{}, cur.ID, cur.Version, map[string]any{"status": POSubmitted}, now, ErrPOStale); err != nil {
			return err
		}
		if err := addPOEvent(tx, cur.ID, by, "Status: Draft → Submitted", "", nil, now); err != nil {
			return err
		}
		if err := addSOEvent(tx, cur.SalesOrderID, by, fmt.Sprintf("Purchase order %s submitted to %s", poLabel(cur.Number), cur.Vendor.Name), "", nil, now); err != nil {
			return err
		}
		po.Status, po.Version, po.UpdatedAt = POSubmitted, cur.Version+1, now
		return nil
	})
}

// CancelPurchaseOrder cancels a draft or submitted purchase order, with an
// optional reason. What it held can be ordered again.
func CancelPurchaseOrder(db *gorm.DB, po *PurchaseOrder, version int, reason string, by *User, now time.Time) error {
	reason = strings.TrimSpace(reason)
	return db.Transaction(func(tx *gorm.DB) error {
		cur, err := lockedPurchaseOrder(tx, po.ID, version)
		if err != nil {
			return err
		}
		if !cur.Status.Cancelable() {
			return ErrPONotCancelable
		}
		fields := map[string]any{"status": POCanceled, "cancel_reason": reason}
		if err := bumpRowVersion(tx, &PurchaseOrder{}, cur.ID, cur.Version, fields, now, ErrPOStale); err != nil {
			return err
		}
		if err := addPOEvent(tx, cur.ID, by, "Status: "+cur.Status.Label()+" → Canceled", reason, nil, now); err != nil {
			return err
		}
		what := fmt.Sprintf("Purchase order %s to %s canceled: its quantities can be ordered again", poLabel(cur.Number), cur.Vendor.Name)
		if err := addSOEvent(tx, cur.SalesOrderID, by, what, reason, nil, now); err != nil {
			return err
		}
		po.Status, po.CancelReason, po.Version, po.UpdatedAt = POCanceled, reason, cur.Version+1, now
		return nil
	})
}

// CancelSalesOrderAndPurchases cancels a sales order and, in the same
// transaction, each of its purchase orders that may still be canceled (draft
// or submitted), each with the sales order's reason. Orders that received
// goods stay open. Either all of it happens or none of it.
func CancelSalesOrderAndPurchases(db *gorm.DB, so *SalesOrder, version int, reason string, by *User, now time.Time) (canceled int, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := SetSalesOrderStatus(tx, so, version, SOCanceled, reason, by, now); err != nil {
			return err
		}
		pos, _, err := PurchaseOrdersOf(tx, so.ID, 0)
		if err != nil {
			return err
		}
		why := fmt.Sprintf("Sales order SO-%d canceled: %s", so.Number, strings.TrimSpace(reason))
		for i := range pos {
			if !pos[i].Status.Cancelable() {
				continue
			}
			if err := CancelPurchaseOrder(tx, &pos[i], pos[i].Version, why, by, now); err != nil {
				return err
			}
			canceled++
		}
		return nil
	})
	if err != nil {
		canceled = 0
	}
	return canceled, err
}

// ReceivePurchaseOrder records the quantities received now, per line id, on
// a date with a note. No line takes more than is outstanding; only a
// submitted (or partly received) order receives; the status follows from
// the quantities. It runs on what is stored, at the version the user saw.
func ReceivePurchaseOrder(db *gorm.DB, po *PurchaseOrder, version int, lines map[uint]Quantity, date time.Time, note string, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		cur, err := lockedPurchaseOrder(tx, po.ID, version)
		if err != nil {
			return err
		}
		switch {
		case cur.Status == PODraft:
			return ErrPONotSubmitted
		case !cur.Status.Receivable():
			return ErrPOStatus
		}
		byID := map[uint]*PurchaseOrderLine{}
		for i := range cur.Lines {
			byID[cur.Lines[i].ID] = &cur.Lines[i]
		}
		var ids []uint
		for id, qty := range lines {
			l := byID[id]
			switch {
			case l == nil:
				return &LineError{id, ErrPOUnknownLine}
			case qty < 0:
				return &LineError{id, ErrSONegative}
			case qty > l.Outstanding():
				return &LineError{id, ErrPOOverReceipt}
			}
			if qty > 0 {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return ErrPONothingToTake
		}
		sort.Slice(ids, func(i, j int) bool { return byID[ids[i]].Position < byID[ids[j]].Position })
		var parts []string
		for _, id := range ids {
			l, qty := byID[id], lines[id]
			res := tx.Model(&PurchaseOrderLine{}).Where("id = ? AND quantity_received = ?", id, l.QuantityReceived).
				Update("quantity_received", l.QuantityReceived+qty)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrPOStale
			}
			l.QuantityReceived += qty
			parts = append(parts, fmt.Sprintf("%s × %s", qty, l.Name))
		}
		status := POReceived
		for _, l := range cur.Lines {
			if l.Outstanding() > 0 {
				status = POPartlyReceived
			}
		}
		if err := bumpRowVersion(tx, &PurchaseOrder{}, cur.ID, cur.Version, map[string]any{"status": status}, now, ErrPOStale); err != nil {
			return err
		}
		d := DateOnly(date)
		received := "Received " + strings.Join(parts, ", ")
		if err := addPOEvent(tx, cur.ID, by, received, note, &d, now); err != nil {
			return err
		}
		if status != cur.Status {
			if err := addPOEvent(tx, cur.ID, by, "Status: "+cur.Status.Label()+" → "+status.Label(), "", nil, now); err != nil {
				return err
			}
		}
		if err := addSOEvent(tx, cur.SalesOrderID, by, received+" on purchase order "+poLabel(cur.Number), note, &d, now); err != nil {
			return err
		}
		cur.Status, cur.Version, cur.UpdatedAt = status, cur.Version+1, now
		*po = *cur
		return nil
	})
}

// PurchaseOrderEdit is what the edit form may change.
type PurchaseOrderEdit struct {
	ExpectedDate *time.Time
	Notes        string
	// UnitCosts, by line id, are the prices agreed with the vendor; nil
	// leaves them. Only a draft's costs change: once submitted, the vendor
	// has the order at its prices.
	UnitCosts map[uint]Money
}

// ErrPOCostsFixed: unit costs were sent for an order that is no longer a draft.
var ErrPOCostsFixed = errors.New("the purchase order was submitted: its unit costs are the ones sent to the vendor")

// UpdatePurchaseOrder writes the expected arrival, the notes and (of a
// draft) the unit costs of an open purchase order, edited from version, and
// records the change.
func UpdatePurchaseOrder(db *gorm.DB, po *PurchaseOrder, version int, e PurchaseOrderEdit, by *User, now time.Time) error {
	e.Notes = strings.TrimSpace(e.Notes)
	return db.Transaction(func(tx *gorm.DB) error {
		cur, err := lockedPurchaseOrder(tx, po.ID, version)
		if err != nil {
			return err
		}
		if !cur.Status.Open() {
			return ErrPOStatus
		}
		fields := map[string]any{}
		var changes []string
		if e.ExpectedDate != nil {
			d := DateOnly(*e.ExpectedDate)
			e.ExpectedDate = &d
		}
		if dateText(cur.ExpectedDate) != dateText(e.ExpectedDate) {
			fields["expected_date"] = e.ExpectedDate
			changes = append(changes, "expected arrival: "+orDash(dateText(cur.ExpectedDate))+" → "+orDash(dateText(e.ExpectedDate)))
		}
		if cur.Notes != e.Notes {
			fields["notes"] = e.Notes
			changes = append(changes, "notes changed")
		}
		var costs []PurchaseOrderLine
		if e.UnitCosts != nil {
			if cur.Status != PODraft {
				return ErrPOCostsFixed
			}
			var lines []PurchaseOrderLine
			if err := tx.Where("purchase_order_id = ?", cur.ID).Order("position, id").Find(&lines).Error; err != nil {
				return err
			}
			for _, l := range lines {
				if m, ok := e.UnitCosts[l.ID]; ok && m != l.UnitCost {
					changes = append(changes, "unit cost of "+l.Name+": "+l.UnitCost.Display()+" → "+m.Display())
					l.UnitCost = m
					costs = append(costs, l)
				}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		if err := bumpRowVersion(tx, &PurchaseOrder{}, cur.ID, cur.Version, fields, now, ErrPOStale); err != nil {
			return err
		}
		for _, l := range costs {
			if err := tx.Model(&PurchaseOrderLine{}).Where("id = ?", l.ID).Update("unit_cost", l.UnitCost).Error; err != nil {
				return err
			}
		}
		if err := addPOEvent(tx, cur.ID, by, "Changed "+strings.Join(changes, "; "), "", nil, now); err != nil {
			return err
		}
		po.ExpectedDate, po.Notes, po.Version, po.UpdatedAt = e.ExpectedDate, e.Notes, cur.Version+1, now
		return nil
	})
}

// PurchaseOrderFilter narrows the purchase order list.
type PurchaseOrderFilter struct {
	Status         PurchaseOrderStatus
	VendorID       uint
	SalesOrderID   uint
	ExpectedBefore time.Time // expected before this date, when set
}

// PurchaseOrderRow is one line of the list.
type PurchaseOrderRow struct {
	ID               uint
	Number           int
	VendorID         uint
	VendorName       string
	SalesOrderID     uint
	SalesOrderNumber int
	SalesOrderTitle  string
	OwnerID          uint
	Status           PurchaseOrderStatus
	ExpectedDate     *time.Time
	CreatedAt        time.Time
	Total            Money `gorm:"-"`
}

// ListPurchaseOrders returns one page of the filtered list, newest first,
// with each order's total.
func ListPurchaseOrders(db *gorm.DB, f PurchaseOrderFilter, p Page) ([]PurchaseOrderRow, bool, error) {
	q := db.Table("purchase_orders").
		Joins("JOIN organizations ON organizations.id = purchase_orders.vendor_id").
		Joins("JOIN sales_orders ON sales_orders.id = purchase_orders.sales_order_id").
		Select("purchase_orders.id, purchase_orders.number, purchase_orders.vendor_id, organizations.name AS vendor_name, " +
			"purchase_orders.sales_order_id, sales_orders.number AS sales_order_number, sales_orders.title AS sales_order_title, " +
			"sales_orders.owner_id, purchase_orders.status, purchase_orders.expected_date, purchase_orders.created_at")
	if f.Status != "" {
		q = q.Where("purchase_orders.status = ?", f.Status)
	}
	if f.VendorID != 0 {
		q = q.Where("purchase_orders.vendor_id = ?", f.VendorID)
	}
	if f.SalesOrderID != 0 {
		q = q.Where("purchase_orders.sales_order_id = ?", f.SalesOrderID)
	}
	if !f.ExpectedBefore.IsZero() {
		q = q.Where("purchase_orders.expected_date < ?", f.ExpectedBefore)
	}
	var rows []PurchaseOrderRow
	if err := q.Order("purchase_orders.number DESC").Offset(p.Offset()).Limit(p.Size + 1).Scan(&rows).Error; err != nil {
		return nil, false, err
	}
	rows, more := Trim(rows, p)
	if len(rows) == 0 {
		return rows, more, nil
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var lines []PurchaseOrderLine
	if err := db.Select("purchase_order_id", "quantity", "unit_cost").Where("purchase_order_id IN ?", ids).Find(&lines).Error; err != nil {
		return nil, false, err
	}
	totals := map[uint]Money{}
	for _, l := range lines {
		totals[l.PurchaseOrderID] += l.Total()
	}
	for i := range rows {
		rows[i].Total = totals[rows[i].ID]
	}
	return rows, more, nil
}
