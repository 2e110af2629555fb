package models

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SalesOrderStatus is where a sales order stands. New, Partially Fulfilled and
// Fulfilled follow from the quantities fulfilled; In Progress and Canceled
// are set by hand.
type SalesOrderStatus string

const (
	SONew                SalesOrderStatus = "new"
	SOInProgress         SalesOrderStatus = "in_progress"
	SOPartiallyFulfilled SalesOrderStatus = "partially_fulfilled"
	SOFulfilled          SalesOrderStatus = "fulfilled"
	SOCanceled           SalesOrderStatus = "canceled"
)

var SalesOrderStatuses = []SalesOrderStatus{SONew, SOInProgress, SOPartiallyFulfilled, SOFulfilled, SOCanceled}

func (s SalesOrderStatus) Label() string {
	switch s {
	case SONew:
		return "New"
	case SOInProgress:
		return "In Progress"
	case SOPartiallyFulfilled:
		return "Partially Fulfilled"
	case SOFulfilled:
		return "Fulfilled"
	case SOCanceled:
		return "Canceled"
	}
	return string(s)
}

func (s SalesOrderStatus) Valid() bool {
	for _, v := range SalesOrderStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// SalesOrder is what a won deal's product items become with Procurement
// active. It exists only through a win, never by hand.
type SalesOrder struct {
	ID             uint
	Number         int
	Title          string
	OrganizationID uint
	Organization   *Organization
	ContactID      *uint
	Contact        *Contact
	OpportunityID  uint
	Opportunity    *Opportunity
	QuoteID        uint
	Quote          *Quote
	OwnerID        uint
	Owner          *User
	OrderDate      time.Time
	PromisedDate   *time.Time
	Status         SalesOrderStatus
	CancelReason   string
	BillTo         string
	ShipTo         string
	Notes          string
	Version        int
	Lines          []SalesOrderLine
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SalesOrderLine is one product item of the won quote.
type SalesOrderLine struct {
	ID                uint
	SalesOrderID      uint
	Position          int
	ProductID         *uint
	Name              string
	Description       string
	QuantityOrdered   Quantity
	QuantityFulfilled Quantity
	UnitPrice         Money
}

// Remaining is what is still to be fulfilled.
func (l SalesOrderLine) Remaining() Quantity { return l.QuantityOrdered - l.QuantityFulfilled }

// SalesOrderEvent is one step in a sales order's history: who, when, what.
type SalesOrderEvent struct {
	ID           uint
	SalesOrderID uint
	UserID       *uint
	User         *User
	What         string
	Note         string
	HappenedOn   *time.Time // the fulfilment date a user gave, when there is one
	CreatedAt    time.Time
}

var (
	ErrSOCanceled        = errors.New("this sales order is canceled")
	ErrSOFulfilled       = errors.New("a fulfilled sales order cannot be canceled")
	ErrSOStatus          = errors.New("this status cannot be set by hand from the current one")
	ErrSONothing         = errors.New("enter a quantity for at least one line")
	ErrSOOverFulfilment  = errors.New("more than what remains to be fulfilled")
	ErrSONegative        = errors.New("a quantity cannot be negative")
	ErrSOStale           = errors.New("someone else changed this sales order since you loaded it")
	ErrSOReasonRequired  = errors.New("a reason is required to cancel")
	ErrSOUnknownLine     = errors.New("no such line on this sales order")
	ErrSOAlreadyCanceled = errors.New("this sales order is already canceled")
)

// LineError ties a fulfilment error to the line it is about.
type LineError struct {
	LineID uint
	Err    error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.LineID, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

func init() {
	// Winning from a quote and winning from the opportunity page both end in
	// a sales order; the hooks are set here so every caller (handlers, seed,
	// tests) gets the same rule.
	OnQuoteWon = CreateSalesOrderForWin
	OnOpportunityWon = createSalesOrderForOpportunity
}

// OrderableItems are the items of q that become sales order lines: product
// items that are not optional.
func OrderableItems(q *Quote) []QuoteItem {
	var out []QuoteItem
	for _, it := range q.Items {
		if it.Kind == KindProduct && !it.Optional {
			out = append(out, it)
		}
	}
	return out
}

// CreateSalesOrderForWin creates the sales order of a won quote, inside tx:
// only with Procurement active and when the quote has a product item, and
// never twice for one opportunity. It returns nil, nil when none is created.
func CreateSalesOrderForWin(tx *gorm.DB, q *Quote, by *User, now time.Time) error {
	_, err := createSalesOrder(tx, q.ID, nil, by, now)
	return err
}

// createSalesOrderForOpportunity creates the sales order of an opportunity
// won (on its page or from a quote, which is primary by then) from its
// primary quote, with the promised date of the win form.
func createSalesOrderForOpportunity(tx *gorm.DB, o *Opportunity, in OutcomeInput, by *User, now time.Time) error {
	var q Quote
	err := tx.Select("id").Where("opportunity_id = ? AND is_primary = ?", o.ID, true).First(&q).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = createSalesOrder(tx, q.ID, in.PromisedDate, by, now)
	return err
}

func createSalesOrder(tx *gorm.DB, quoteID uint, promised *time.Time, by *User, now time.Time) (*SalesOrder, error) {
	feats, err := LoadFeatures(tx)
	if err != nil {
		return nil, err
	}
	// With the Quote Manager integration on, the built-in quotes are hidden
	// and the external tool keeps its own sales order: a deal won then makes
	// none from a built-in quote the rep cannot see.
	if !feats.On(FeatureProcurement) || feats.On(FeatureQuoteManager) {
		return nil, nil
	}
	q, err := LoadQuote(tx, quoteID)
	if err != nil {
		return nil, err
	}
	items := OrderableItems(q)
	if len(items) == 0 || q.Opportunity == nil {
		return nil, nil
	}
	var existing int64
	if err := tx.Model(&SalesOrder{}).Where("opportunity_id = ?", q.OpportunityID).Count(&existing).Error; err != nil {
		return nil, err
	}
	if existing > 0 {
		return nil, nil
	}
	n, err := nextNumber(tx, "next_sales_order_number", "sales_orders")
	if err != nil {
		return nil, err
	}
	o := q.Opportunity
	so := SalesOrder{Number: n, Title: o.Title, OrganizationID: o.OrganizationID, ContactID: o.ContactID, OpportunityID: o.ID,
		QuoteID: q.ID, OwnerID: o.OwnerID, OrderDate: DateOnly(now), PromisedDate: promised, Status: SONew, BillTo: q.BillTo, ShipTo: q.ShipTo, Version: 1,
		CreatedAt: now, UpdatedAt: now}
	if err := tx.Omit(clause.Associations).Create(&so).Error; err != nil {
		return nil, err
	}
	for i, it := range items {
		so.Lines = append(so.Lines, SalesOrderLine{SalesOrderID: so.ID, Position: i + 1, ProductID: it.ProductID, Name: it.Name,
			Description: it.Description, QuantityOrdered: it.Quantity, UnitPrice: it.UnitPrice})
	}
	if err := tx.Create(&so.Lines).Error; err != nil {
		return nil, err
	}
	what := fmt.Sprintf("Created from quote #%d when the deal was won", q.Number)
	if err := addSOEvent(tx, so.ID, by, what, "", nil, now); err != nil {
		return nil, err
	}
	return &so, nil
}

// nextNumber takes the next number of a sequence kept in settings, never
// below the highest number already in table.
func nextNumber(tx *gorm.DB, key, table string) (int, error) {
	var s Setting
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&s, "key = ?", key).Error; err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s.Value)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", key, s.Value, err)
	}
	var max int
	if err := tx.Table(table).Select("COALESCE(MAX(number), 0)").Scan(&max).Error; err != nil {
		return 0, err
	}
	if n <= max {
		n = max + 1
	}
	if err := tx.Model(&Setting{}).Where("key = ?", key).Update("value", strconv.Itoa(n+1)).Error; err != nil {
		return 0, err
	}
	return n, nil
}

func addSOEvent(tx *gorm.DB, soID uint, by *User, what, note string, on *time.Time, now time.Time) error {
	ev := SalesOrderEvent{SalesOrderID: soID, What: what, Note: strings.TrimSpace(note), HappenedOn: on, CreatedAt: now}
	if by != nil {
		ev.UserID = &by.ID
	}
	return tx.Create(&ev).Error
}

// LoadSalesOrder reads a sales order with what its page shows.
func LoadSalesOrder(db *gorm.DB, id uint) (*SalesOrder, error) {
	var so SalesOrder
	err := db.Preload("Organization").Preload("Contact").Preload("Owner").Preload("Opportunity").Preload("Quote").
		Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).First(&so, id).Error
	if err != nil {
		return nil, err
	}
	return &so, nil
}

// SalesOrderOf is the sales order of an opportunity, or nil.
func SalesOrderOf(db *gorm.DB, oppID uint) (*SalesOrder, error) {
	var so SalesOrder
	err := db.Where("opportunity_id = ?", oppID).First(&so).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &so, nil
}

// SalesOrderRefOf is SalesOrderOf for a link to the order: its id, number and
// status only, in one prepared query (the opportunity page shows it on every view).
func SalesOrderRefOf(db *gorm.DB, oppID uint) (*SalesOrder, error) {
	rows, err := queryRows(db, "SELECT id, number, status FROM sales_orders WHERE opportunity_id = ? ORDER BY id LIMIT 1", oppID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var so SalesOrder
	if err := rows.Scan(&so.ID, &so.Number, &so.Status); err != nil {
		return nil, err
	}
	return &so, rows.Close()
}

// SalesOrderEvents is the history of a sales order, newest first.
func SalesOrderEvents(db *gorm.DB, soID uint) ([]SalesOrderEvent, error) {
	var evs []SalesOrderEvent
	err := db.Preload("User").Where("sales_order_id = ?", soID).Order("created_at DESC, id DESC").Find(&evs).Error
	return evs, err
}

// statusFromLines is the status the quantities say: nothing fulfilled keeps
// New or In Progress, everything fulfilled is Fulfilled, anything between is
// Partially Fulfilled.
func statusFromLines(current SalesOrderStatus, lines []SalesOrderLine) SalesOrderStatus {
	var any, all = false, true
	for _, l := range lines {
		if l.QuantityFulfilled > 0 {
			any = true
		}
		if l.QuantityFulfilled < l.QuantityOrdered {
			all = false
		}
	}
	switch {
	case all && len(lines) > 0:
		return SOFulfilled
	case any:
		return SOPartiallyFulfilled
	}
	return current
}

// bumpVersion writes the new status and version of so if it is still at
// version from; otherwise someone else changed it first.
func bumpVersion(tx *gorm.DB, so *SalesOrder, from int, fields map[string]any, now time.Time) error {
	if err := bumpRowVersion(tx, &SalesOrder{}, so.ID, from, fields, now, ErrSOStale); err != nil {
		return err
	}
	so.Version, so.UpdatedAt = from+1, now
	return nil
}

// bumpRowVersion writes fields and the next version on the row id of model's
// table if it is still at version from, and answers stale otherwise.
func bumpRowVersion(tx *gorm.DB, model any, id uint, from int, fields map[string]any, now time.Time, stale error) error {
	fields["version"] = from + 1
	fields["updated_at"] = now
	res := tx.Model(model).Where("id = ? AND version = ?", id, from).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return stale
	}
	return nil
}

// RecordFulfilment records the quantities fulfilled now, per line id, on a
// date with a note. No line takes more than remains; a canceled order takes
// nothing; the status follows from the quantities. It runs in one
// transaction on what is stored, not on what the caller loaded.
func RecordFulfilment(db *gorm.DB, so *SalesOrder, lines map[uint]Quantity, date time.Time, note string, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var cur SalesOrder
		if err := tx.Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).First(&cur, so.ID).Error; err != nil {
			return err
		}
		if cur.Status == SOCanceled {
			return ErrSOCanceled
		}
		// The caller's copy is the version the user saw: a second submit of
		// the same form (a double click) must not deliver twice.
		if so.Version != 0 && cur.Version != so.Version {
			return ErrSOStale
		}
		byID := map[uint]*SalesOrderLine{}
		for i := range cur.Lines {
			byID[cur.Lines[i].ID] = &cur.Lines[i]
		}
		ids := make([]uint, 0, len(lines))
		for id, qty := range lines {
			l := byID[id]
			switch {
			case l == nil:
				return &LineError{id, ErrSOUnknownLine}
			case qty < 0:
				return &LineError{id, ErrSONegative}
			case qty > l.Remaining():
				return &LineError{id, ErrSOOverFulfilment}
			}
			if qty > 0 {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return ErrSONothing
		}
		sort.Slice(ids, func(i, j int) bool { return byID[ids[i]].Position < byID[ids[j]].Position })
		var parts []string
		for _, id := range ids {
			l, qty := byID[id], lines[id]
			res := tx.Model(&SalesOrderLine{}).Where("id = ? AND quantity_fulfilled = ?", id, l.QuantityFulfilled).
				Update("quantity_fulfilled", l.QuantityFulfilled+qty)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrSOStale
			}
			l.QuantityFulfilled += qty
			parts = append(parts, fmt.Sprintf("%s × %s", qty, l.Name))
		}
		status := statusFromLines(cur.Status, cur.Lines)
		if err := bumpVersion(tx, &cur, cur.Version, map[string]any{"status": status}, now); err != nil {
			return err
		}
		d := DateOnly(date)
		if err := addSOEvent(tx, cur.ID, by, "Fulfilled "+strings.Join(parts, ", "), note, &d, now); err != nil {
			return err
		}
		if status != cur.Status {
			if err := addSOEvent(tx, cur.ID, by, "Status: "+cur.Status.Label()+" → "+status.Label(), "", nil, now); err != nil {
				return err
			}
		}
		cur.Status = status
		*so = cur
		return nil
	})
}

// SetSalesOrderStatus sets the statuses that are set by hand: In Progress
// (from New) and Canceled (with a reason, never once fulfilled).
func SetSalesOrderStatus(db *gorm.DB, so *SalesOrder, expectedVersion int, status SalesOrderStatus, reason string, by *User, now time.Time) error {
	reason = strings.TrimSpace(reason)
	return db.Transaction(func(tx *gorm.DB) error {
		var cur SalesOrder
		if err := tx.First(&cur, so.ID).Error; err != nil {
			return err
		}
		if cur.Version != expectedVersion {
			return ErrSOStale
		}
		fields := map[string]any{"status": status}
		switch status {
		case SOInProgress:
			if cur.Status != SONew {
				return ErrSOStatus
			}
		case SOCanceled:
			switch {
			case cur.Status == SOFulfilled:
				return ErrSOFulfilled
			case cur.Status == SOCanceled:
				return ErrSOAlreadyCanceled
			case reason == "":
				return ErrSOReasonRequired
			}
			fields["cancel_reason"] = reason
		default:
			return ErrSOStatus
		}
		if err := bumpVersion(tx, &cur, cur.Version, fields, now); err != nil {
			return err
		}
		if err := addSOEvent(tx, cur.ID, by, "Status: "+cur.Status.Label()+" → "+status.Label(), reason, nil, now); err != nil {
			return err
		}
		so.Status, so.Version, so.UpdatedAt = status, cur.Version, now
		if status == SOCanceled {
			so.CancelReason = reason
		}
		return nil
	})
}

// SalesOrderEdit is what the edit form may change.
type SalesOrderEdit struct {
	ContactID    *uint
	OwnerID      uint
	PromisedDate *time.Time
	BillTo       string
	ShipTo       string
	Notes        string
	InProgress   bool // set the status to In Progress (from New)
}

// UpdateSalesOrder writes the editable fields of so, edited from
// expectedVersion, and records each change in its history.
func UpdateSalesOrder(db *gorm.DB, so *SalesOrder, expectedVersion int, e SalesOrderEdit, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var cur SalesOrder
		if err := tx.Preload("Contact").Preload("Owner").First(&cur, so.ID).Error; err != nil {
			return err
		}
		if cur.Version != expectedVersion {
			return ErrSOStale
		}
		fields := map[string]any{}
		var changes []string
		if !sameUint(cur.ContactID, e.ContactID) {
			name := ""
			if e.ContactID != nil {
				var c Contact
				if err := tx.Where("organization_id = ?", cur.OrganizationID).First(&c, *e.ContactID).Error; err != nil {
					return err
				}
				name = c.FullName()
			}
			old := ""
			if cur.Contact != nil {
				old = cur.Contact.FullName()
			}
			fields["contact_id"] = e.ContactID
			changes = append(changes, "contact: "+orDash(old)+" → "+orDash(name))
		}
		if cur.OwnerID != e.OwnerID {
			var u User
			if err := tx.Where("active = ?", true).First(&u, e.OwnerID).Error; err != nil {
				return err
			}
			old := ""
			if cur.Owner != nil {
				old = cur.Owner.Name
			}
			fields["owner_id"] = e.OwnerID
			changes = append(changes, "owner: "+orDash(old)+" → "+u.Name)
		}
		if dateText(cur.PromisedDate) != dateText(e.PromisedDate) {
			fields["promised_date"] = e.PromisedDate
			changes = append(changes, "promised date: "+orDash(dateText(cur.PromisedDate))+" → "+orDash(dateText(e.PromisedDate)))
		}
		for _, t := range []struct{ col, label, old, new string }{
			{"bill_to", "bill-to", cur.BillTo, e.BillTo}, {"ship_to", "ship-to", cur.ShipTo, e.ShipTo}, {"notes", "notes", cur.Notes, e.Notes},
		} {
			if t.old != t.new {
				fields[t.col] = t.new
				changes = append(changes, t.label+" changed")
			}
		}
		status := cur.Status
		if e.InProgress && cur.Status != SOInProgress {
			if cur.Status != SONew {
				return ErrSOStatus
			}
			status = SOInProgress
			fields["status"] = status
		}
		if len(fields) == 0 {
			return nil
		}
		if err := bumpVersion(tx, &cur, cur.Version, fields, now); err != nil {
			return err
		}
		if len(changes) > 0 {
			if err := addSOEvent(tx, cur.ID, by, "Changed "+strings.Join(changes, "; "), "", nil, now); err != nil {
				return err
			}
		}
		if status != so.Status {
			if err := addSOEvent(tx, cur.ID, by, "Status: "+so.Status.Label()+" → "+status.Label(), "", nil, now); err != nil {
				return err
			}
		}
		so.Version, so.Status = cur.Version, status
		return nil
	})
}

func sameUint(a, b *uint) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// SalesOrderFilter narrows the sales order list.
type SalesOrderFilter struct {
	Status         SalesOrderStatus
	OwnerID        uint
	Organization   string    // part of the organization's name
	PromisedBefore time.Time // promised before this date, when set
}

// SalesOrderRow is one line of the list.
type SalesOrderRow struct {
	ID               uint
	Number           int
	Title            string
	OrganizationID   uint
	OrganizationName string
	OwnerName        string
	Status           SalesOrderStatus
	OrderDate        time.Time
	PromisedDate     *time.Time
}

// ListSalesOrders returns one page of the filtered list, newest first.
func ListSalesOrders(db *gorm.DB, f SalesOrderFilter, p Page) ([]SalesOrderRow, bool, error) {
	q := db.Table("sales_orders").
		Joins("JOIN organizations ON organizations.id = sales_orders.organization_id").
		Joins("JOIN users ON users.id = sales_orders.owner_id").
		Select("sales_orders.id, sales_orders.number, sales_orders.title, sales_orders.organization_id, organizations.name AS organization_name, " +
			"users.name AS owner_name, sales_orders.status, sales_orders.order_date, sales_orders.promised_date")
	if f.Status != "" {
		q = q.Where("sales_orders.status = ?", f.Status)
	}
	if f.OwnerID != 0 {
		q = q.Where("sales_orders.owner_id = ?", f.OwnerID)
	}
	if strings.TrimSpace(f.Organization) != "" {
		q = q.Where(`LOWER(organizations.name) LIKE ? ESCAPE '\'`, likePattern(f.Organization))
	}
	if !f.PromisedBefore.IsZero() {
		q = q.Where("sales_orders.promised_date < ?", f.PromisedBefore)
	}
	var rows []SalesOrderRow
	err := q.Order("sales_orders.number DESC").Offset(p.Offset()).Limit(p.Size + 1).Scan(&rows).Error
	rows, more := Trim(rows, p)
	return rows, more, err
}
