package views

// PurchaseOrderRow is a purchase order in the list and on its sales order's page.
type PurchaseOrderRow struct {
	ID         uint
	Number     string
	VendorID   uint
	VendorName string
	SOID       uint
	SONumber   string
	SOTitle    string
	Status     string
	StatusKey  string
	Expected   string
	Overdue    bool
	Total      string // empty for those who do not see costs
}

type PurchaseOrderListPage struct {
	Statuses       []Option
	Vendor         Picker
	ExpectedBefore string
	SalesOrder     string // the id of the sales order the list is limited to, if any
	Filtered       bool
	ShowCost       bool
	Rows           []PurchaseOrderRow
	Pager          Pager
	Errs           Errors
}

// PurchaseOrderTable is what poTable shows.
type PurchaseOrderTable struct {
	Caption    string
	Rows       []PurchaseOrderRow
	ShowCost   bool
	Vendor     bool // a vendor column
	SalesOrder bool // a sales order column
}

// VendorOrders is a vendor's purchase orders on its organization page: the
// newest, and the list of all of them.
type VendorOrders struct {
	Rows     []PurchaseOrderRow
	ShowCost bool
	AllURL   string // set when there are more than the rows shown
}

// PurchaseSection is the purchase orders part of a sales order's page: its
// orders, and the form that creates the next ones.
type PurchaseSection struct {
	Orders   []PurchaseOrderRow
	ShowCost bool
	CanOrder bool   // the user may create purchase orders and something is left to order
	Required bool   // some line of the order requires procurement
	Left     string // what is left to order, as "3 × Firewall, 2 × Dock"
	AllURL   string // the list of all of them, when the page shows only the newest
	Form     PurchaseForm
}

// PurchaseForm creates the purchase orders of a sales order.
type PurchaseForm struct {
	Expected string `form:"expected_date"`
	Problem  string // what stopped the creation, said above the form
	NoVendor []ProductLink
	Errs     Errors
}

// ProductLink names a catalog product and links to it.
type ProductLink struct {
	ID   uint
	Name string
}

type PurchaseOrderLineRow struct {
	ID          uint
	Name        string
	Ordered     string
	Received    string
	Outstanding string
	UnitCost    string
	Total       string
	Done        bool
}

// ReceiveForm records what came in from the vendor: a quantity per line
// (fields qty_{line id}), a date and a note, as the fulfilment form does.
type ReceiveForm = FulfilForm

// PurchaseOrderView is the purchase order page and its print view.
type PurchaseOrderView struct {
	ID           uint
	Number       string
	Company      string
	VendorID     uint
	VendorName   string
	VendorAddr   string
	SOID         uint
	SONumber     string
	SOTitle      string
	Customer     string
	ShipTo       string
	Status       string
	StatusKey    string
	Expected     string
	Created      string
	Notes        string
	CancelReason string
	Version      int
	ShowCost     bool
	Total        string
	CanEdit      bool
	CanSubmit    bool
	CanReceive   bool
	CanCancel    bool
	Conflict     string // why the last action was not carried out
	Lines        []PurchaseOrderLineRow
	Events       []SalesOrderEventRow
	Receive      ReceiveForm
}

// PurchaseOrderForm edits the expected arrival and the notes.
type PurchaseOrderForm struct {
	ID       uint
	Number   string
	Vendor   string
	Version  string        `form:"version"`
	Expected string        `form:"expected_date"`
	Notes    string        `form:"notes"`
	Costs    []POCostField // the lines' unit costs, when they may be changed (a draft, seen by a manager or admin)
	Stale    bool
	Errs     Errors
}

// POCostField is one line's unit cost on the purchase order form; its field
// is named cost_<line id>.
type POCostField struct {
	LineID   uint
	Name     string
	Quantity string
	Value    string
}

// Field is the form field's name.
func (c POCostField) Field() string { return "cost_" + uitoa(c.LineID) }

func (f *PurchaseOrderForm) Validate() {
	checkLen(&f.Errs, "notes", f.Notes, "Notes", 5000)
}

// CancelPurchaseOrderForm confirms a cancellation, with an optional reason.
type CancelPurchaseOrderForm struct {
	ID      uint
	Number  string
	Vendor  string
	Version string `form:"version"`
	Reason  string `form:"reason"`
	Errs    Errors
}

func (f *CancelPurchaseOrderForm) Validate() {
	checkLen(&f.Errs, "reason", f.Reason, "The reason", 1000)
}
