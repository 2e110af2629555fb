package views

// QuoteDoc is a quote as a document: the editor, the print page, the customer
// page and the PDF all show this one shape (Internal adds cost and margin).
type QuoteDoc struct {
	ID           uint
	Number       string
	Name         string
	Company      string
	Customer     string
	Contact      string
	BillTo       string
	ShipTo       string
	Effective    string
	Expires      string
	PaymentTerms string
	TaxLabel     string
	Comments     string
	Status       string
	StatusKey    string
	Expired      bool
	Internal     bool
	Lines        []QuoteLine
	Optional     []QuoteLine
	Periods      []QuotePeriod
	OptionalSum  string
	FirstYear    string
	Contract     string
	TermMonths   string
	Recurring    bool
	Margin       string
	MarginPct    string
}

type QuoteLine struct {
	ID          uint
	Heading     bool
	Name        string
	Description string
	Kind        string
	Quantity    string
	UnitPrice   string
	Discount    string
	Period      string
	Net         string
	Cost        string
	Margin      string
	MarginPct   string
	Taxable     bool
	Optional    bool
	First, Last bool
}

type QuotePeriod struct {
	Label     string
	Subtotal  string
	Discounts string
	Tax       string
	Total     string
}

type QuoteRow struct {
	ID        uint
	Number    string
	Name      string
	OppID     uint
	OppTitle  string
	OrgName   string
	Status    string
	StatusKey string
	Expires   string
	Total     string
	Owner     string
	Primary   bool
}

type QuoteListPage struct {
	Statuses []Option
	Owners   []Option
	Expiring string
	Rows     []QuoteRow
	Pager    Pager
	Errs     Errors
}

// QuoteForm edits a quote's header.
type QuoteForm struct {
	ID             uint
	OppID          uint
	OppTitle       string
	Name           string `form:"name"`
	EffectiveDate  string `form:"effective_date"`
	ExpirationDate string `form:"expiration_date"`
	BillTo         string `form:"bill_to"`
	ShipTo         string `form:"ship_to"`
	PaymentTermID  string `form:"payment_term_id"`
	TaxRateID      string `form:"tax_rate_id"`
	TermMonths     string `form:"term_months"`
	Comments       string `form:"comments"`
	PaymentTerms   []Option
	TaxRates       []Option
	Errs           Errors
}

// ItemForm adds or edits a line.
type ItemForm struct {
	ID            uint
	ProductID     string `form:"product_id"`
	ProductName   string `form:"product_name"`
	Kind          string `form:"kind"`
	Name          string `form:"name"`
	Description   string `form:"description"`
	Quantity      string `form:"quantity"`
	UnitPrice     string `form:"unit_price"`
	UnitCost      string `form:"unit_cost"`
	DiscountType  string `form:"discount_type"`
	DiscountValue string `form:"discount_value"`
	Period        string `form:"period"`
	Optional      string `form:"optional"`
	Taxable       string `form:"taxable"`
	Product       Picker // the catalog product of a new line
	ProductMatch  []Option
	Kinds         []Option
	Periods       []Option
	Taxables      []Option // a new line's Taxable select: from the product, yes, no
	Discounts     []Option
	Errs          Errors
}

// QuoteEditor is the internal quote page.
type QuoteEditor struct {
	Doc         QuoteDoc
	OppID       uint
	OppTitle    string
	Primary     bool
	CanEdit     bool
	Locked      bool
	Answered    string // the customer's answer, when there is one
	AcceptedNow bool   // accepted and the opportunity is still open: mark as won?
	OppOpen     bool
	HasLines    bool   // a line that is not a heading: the quote can be won
	Link        string // the customer link, when sent (an absolute URL, to paste into an e-mail)
	SentTo      string
	SentAt      string
	Sent        bool // sent and not answered: a change takes it back to draft
	Revised     bool // changed since it was sent: to be sent again
	Item        ItemForm
	HeadingErr  Errors
	Heading     string
	SendTo      string
	SendErr     Errors
	SalesOrder  *SalesOrderRef // of the opportunity, when this quote made it
}

// QuoteImport is the page that imports the lines of another quote into one:
// a step of its own, so the editor does not list the other quotes each time.
type QuoteImport struct {
	QuoteID uint
	Number  string
	From    Picker // the quote to import from: a select, or its number or name typed
	None    bool   // there is no other quote
	Errs    Errors
}

// CustomerQuote is the public page of a quote.
type CustomerQuote struct {
	Doc      QuoteDoc
	Token    string
	Answered string
	Revising bool // a draft again (changed since it was sent): no lines, no answer
	Expired  bool
	AskWho   string
	Name     string `form:"name"`
	Comment  string `form:"comment"`
	Errs     Errors
}

type OutboxRow struct {
	To      string
	Subject string
	Body    string
	When    string
	Sent    string
}

// ChooseOpportunity is the first step of a new quote begun from the Quotes
// page: a select of the user's open opportunities; past models.PickSelectMax
// of them (ByOrganization) the organization's picker first, then the select
// of its open opportunities once it is known.
type ChooseOpportunity struct {
	ByOrganization bool
	Organization   Picker
	Opportunities  []Option // nil until the organization is known
	Errs           Errors
}

// parenthesized is " (s)", or nothing when s is empty.
func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// fromProduct is the hint of a new line's field that the product fills when
// it is left empty: "Empty: the product’s " + what; an edited line's fields
// keep what they hold.
func (f ItemForm) fromProduct(hint, what string) string {
	if f.ID != 0 {
		return hint
	}
	if hint != "" {
		hint += " "
	}
	return hint + "Empty: the product’s " + what + "."
}
