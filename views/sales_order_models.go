package views

// SalesOrderRef is a sales order as the opportunity and quote pages mention it.
type SalesOrderRef struct {
	ID        uint
	Number    string
	Status    string
	StatusKey string
}

type SalesOrderRow struct {
	ID        uint
	Number    string
	Title     string
	OrgID     uint
	OrgName   string
	Owner     string
	Status    string
	StatusKey string
	OrderDate string
	Promised  string
	Overdue   bool
}

type SalesOrderListPage struct {
	Statuses       []Option
	Owners         []Option
	Organization   string
	PromisedBefore string
	Rows           []SalesOrderRow
	Pager          Pager
	Errs           Errors
}

type SalesOrderLineRow struct {
	ID          uint
	Name        string
	Description string
	Ordered     string
	Fulfilled   string
	Remaining   string
	UnitPrice   string
	Done        bool
	Procured    bool   // its product is bought from a vendor
	Purchased   string // on purchase orders
	Received    string // received from the vendor
}

type SalesOrderEventRow struct {
	When string
	ISO  string
	Who  string
	What string
	Note string
	On   string // the fulfilment date, when one was given
}

// FulfilForm records a delivery: a quantity per line (fields qty_{line id}),
// a date and a note.
type FulfilForm struct {
	Version string `form:"version"`
	Date    string `form:"date"`
	Note    string `form:"note"`
	Qty     map[uint]string
	Errs    Errors
}

// QtyField is the form field of a line's quantity.
func QtyField(lineID uint) string { return "qty_" + uitoa(lineID) }

func (f FulfilForm) qty(lineID uint) string { return f.Qty[lineID] }

// Validate checks the note; quantities and the date are checked where they are decoded.
func (f *FulfilForm) Validate() {
	checkLen(&f.Errs, "note", f.Note, "The note", 2000)
}

// SalesOrderView is the sales order page and its print view.
type SalesOrderView struct {
	ID           uint
	Number       string
	Title        string
	Company      string
	OrgID        uint
	OrgName      string
	Contact      string
	Owner        string
	OppID        uint
	OppTitle     string
	QuoteID      uint
	QuoteNumber  string
	QuoteName    string
	OrderDate    string
	Promised     string
	Status       string
	StatusKey    string
	CancelReason string
	BillTo       string
	ShipTo       string
	Notes        string
	Version      int
	CanEdit      bool
	CanFulfil    bool
	CanCancel    bool
	QuoteLinks   bool // the built-in quotes exist (no Quote Manager)
	Lines        []SalesOrderLineRow
	Events       []SalesOrderEventRow
	Fulfil       FulfilForm
	Purchase     PurchaseSection
}

// SalesOrderForm edits what may change on a sales order: not the title,
// the organization or the lines.
type SalesOrderForm struct {
	ID           uint
	Number       string
	Title        string
	Version      string `form:"version"`
	ContactID    string `form:"contact_id"`
	OwnerID      string `form:"owner_id"`
	Status       string `form:"status"`
	PromisedDate string `form:"promised_date"`
	BillTo       string `form:"bill_to"`
	ShipTo       string `form:"ship_to"`
	Notes        string `form:"notes"`
	Contacts     []Option
	Owners       []Option
	Statuses     []Option
	Stale        bool // someone else saved first; submitting again overwrites
	Errs         Errors
}

func (f *SalesOrderForm) Validate() {
	checkLen(&f.Errs, "bill_to", f.BillTo, "Bill to", 1000)
	checkLen(&f.Errs, "ship_to", f.ShipTo, "Ship to", 1000)
	checkLen(&f.Errs, "notes", f.Notes, "Notes", 5000)
}

// CancelSalesOrderForm confirms a cancellation and asks why.
type CancelSalesOrderForm struct {
	ID      uint
	Number  string
	Title   string
	Version string             `form:"version"`
	Reason  string             `form:"reason"`
	OpenPOs []PurchaseOrderRow // its purchase orders still open
	// Cancelable counts the open ones that may be canceled with it (draft or
	// submitted); CancelPOs asks for that.
	Cancelable int
	CancelPOs  string `form:"cancel_pos"` // "on" when ticked
	Errs       Errors
}

func (f *CancelSalesOrderForm) Validate() {
	checkRequired(&f.Errs, "reason", f.Reason, "The reason", 1000)
}

// cancelPOsLabel is the label of the box that cancels n purchase orders too.
func cancelPOsLabel(n int) string {
	if n == 1 {
		return "Also cancel its draft or submitted purchase order"
	}
	return "Also cancel its " + itoa(n) + " draft and submitted purchase orders"
}
