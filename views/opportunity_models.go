package views

import "github.com/a-h/templ"

// OppFilters is the filter form shared by the list and the board.
type OppFilters struct {
	Action     string // where the form submits
	Text       string
	Statuses   []Option
	Stages     []Option
	Owners     []Option
	Categories []Option
	Ratings    []Option
	CloseFrom  string
	CloseTo    string
	Sorts      []Option // nil on the board
	Filtered   bool
	ClearURL   string
	Errs       Errors
	Chips      []FilterChip // filters set by a report's link, without a field of their own
}

// FilterChip is one such filter: what it does, and the page without it.
type FilterChip struct {
	Label     string
	Param     string // the query parameter, kept by the filter form as a hidden field
	Value     string
	RemoveURL string
}

// OppTable is a table of opportunities.
type OppTable struct {
	Rows       []OppRow
	Headers    []SortHeader // nil: plain headings
	ShowOrg    bool
	SelectForm string // id of the form the row checkboxes belong to; "" for none
	Totals     *OppTotalsRow
}

type OppTotalsRow struct {
	Label    string
	Amount   string
	Weighted string
}

type OppListPage struct {
	Filters  OppFilters
	Table    OppTable
	Pager    Pager
	Count    string
	CSVURL   string
	BoardURL string
	Reassign []Option // owners to reassign to; nil when the user may not reassign
}

// PeriodInput is one period's revenue and cost fields on the opportunity form.
type PeriodInput struct {
	Label        string
	RevenueName  string
	RevenueValue string
	CostName     string
	CostValue    string
}

// OppForm creates or edits an opportunity. Every field is kept as typed, so a
// form that comes back with errors shows exactly what the user entered.
type OppForm struct {
	ID                  uint
	Version             string `form:"version"`
	Title               string `form:"title"`
	OrganizationID      string `form:"organization_id"`
	OrganizationName    string `form:"organization_name"` // typed, when there are too many for a select
	ContactID           string `form:"contact_id"`
	OwnerID             string `form:"owner_id"`
	StageID             string `form:"stage_id"`
	Status              string `form:"status"`
	Probability         string `form:"probability"`
	ProbabilityOverride string `form:"probability_override"`
	Rating              string `form:"rating"`
	ProjectedCloseDate  string `form:"projected_close_date"`
	StartDate           string `form:"start_date"`
	CategoryID          string `form:"category_id"`
	LeadSourceID        string `form:"lead_source_id"`
	CompetitorID        string `form:"competitor_id"`
	CampaignID          string `form:"campaign_id"`
	CampaignName        string `form:"campaign_name"` // typed, when there are too many for a select
	UseQuoteTotals      string `form:"use_quote_totals"`
	NextStep            string `form:"next_step"`
	Description         string `form:"description"`
	Need                string `form:"need"`
	Solution            string `form:"solution"`
	Timeframe           string `form:"timeframe"`
	Budget              string `form:"budget"`
	RevenueOneTime      string `form:"revenue_one_time"`
	RevenueMonthly      string `form:"revenue_monthly"`
	RevenueQuarterly    string `form:"revenue_quarterly"`
	RevenueSemiAnnual   string `form:"revenue_semi_annual"`
	RevenueYearly       string `form:"revenue_yearly"`
	CostOneTime         string `form:"cost_one_time"`
	CostMonthly         string `form:"cost_monthly"`
	CostQuarterly       string `form:"cost_quarterly"`
	CostSemiAnnual      string `form:"cost_semi_annual"`
	CostYearly          string `form:"cost_yearly"`

	Organization Picker
	OrgMatches   []Option // what the typed name matched, when several did
	Contacts     []Option
	// ContactsOfChosen: Contacts are the chosen organization's only (not
	// every offered organization's); ContactsCapped: the first
	// PickSelectMax of them by name.
	ContactsOfChosen bool
	ContactsCapped   bool
	Owners           []Option // empty: the owner is the signed-in rep
	OwnerName        string
	Stages           []Option // empty: the stage is fixed (won or lost)
	StageName        string
	Statuses         []Option
	Ratings          []Option
	Categories       []Option
	LeadSources      []Option
	Competitors      []Option
	Campaign         Picker
	CampaignMatches  []Option
	ShowCampaign     bool // Marketing is on
	Periods          []PeriodInput
	ShowCost         bool
	Conflict         []ChangeRow // what someone else changed, on a 409
	ConflictBy       string
	Errs             Errors
}

// ChangeRow is one history entry as shown.
type ChangeRow struct {
	When  string
	Who   string
	Field string
	Old   string
	New   string
}

type StageSpanRow struct {
	Stage   string
	Entered string
	Left    string // "" for the current stage
	Days    string
	Current bool
}

type NoteRow struct {
	Kind   string
	Body   string
	Author string
	When   string
}

type TodoRow struct {
	ID       uint
	Title    string
	Due      string
	Overdue  bool
	Assignee string
	Done     bool
	CanCheck bool
	OppID    uint
	OppTitle string
}

// ActivityRow is one item of the feed: a note, a to-do or a set of changes.
type ActivityRow struct {
	When    string
	ISO     string // When, machine-readable
	Who     string
	Note    *NoteRow
	Todo    *TodoRow
	Changes []ChangeRow
}

// NoteForm and TodoForm are the small forms on the opportunity page.
type NoteForm struct {
	Kind  string `form:"kind"`
	Body  string `form:"body"`
	Kinds []Option
	Errs  Errors
}

type TodoForm struct {
	Title      string `form:"title"`
	DueDate    string `form:"due_date"`
	AssigneeID string `form:"assignee_id"`
	Assignees  []Option
	Errs       Errors
}

// OppView is an opportunity's page.
type OppView struct {
	ID uint
	// ExtQuotes replaces the built-in quotes while the Quote Manager
	// integration is active; WonExtQuote is a won one that offers "Mark as won".
	ExtQuotes     *ExtQuotesSection
	WonExtQuote   *ExtQuoteRow
	Tab           string // "activity" or "history"
	Title         string
	OrgID         uint
	OrgName       string
	Contact       string
	Owner         string
	Stage         string
	Status        string
	StatusKey     string
	Open          bool
	Probability   string
	ProbabilityBy string // "stage default" or "set by the rep"
	Rating        string
	Close         string
	Overdue       bool
	Start         string
	Category      string
	LeadSource    string
	Competitor    string
	NextStep      string
	CampaignID    uint
	Campaign      string
	LeadID        uint
	Lead          string
	Revenue       []Fact // one per period with an amount
	Amount        string
	Weighted      string
	Cost          string // "" when the viewer may not see cost
	Margin        string
	Description   string
	Outcome       []Fact // win or loss reason, detail, date
	Criteria      []Criterion
	CanEdit       bool
	CanReopen     bool
	TimeInStage   string
	Created       string
	Updated       string
	Version       int
	Activity      []ActivityRow
	History       []ChangeRow
	Spans         []StageSpanRow
	Todos         []TodoRow
	NoteForm      NoteForm
	TodoForm      TodoForm
	Quotes        []QuoteRow
	AcceptedQuote uint // an accepted quote while the opportunity is still open
	SalesOrder    *SalesOrderRef
}

type Fact struct {
	Label string
	Value string
}

type Criterion struct {
	Label string
	Met   bool
}

// OutcomeForm marks an opportunity won or lost.
type OutcomeForm struct {
	Won     bool
	QuoteID uint // set when won or lost from a quote
	// ExternalQuoteID is set when won or lost from a quote of the Quote
	// Manager integration; FromQuote says what that does.
	ExternalQuoteID uint
	FromQuote       string
	OppID           uint
	OppTitle        string
	Version         string `form:"version"`
	ReasonID        string `form:"reason_id"`
	Detail          string `form:"detail"`
	Date            string `form:"date"`
	CompetitorID    string `form:"competitor_id"`
	PromisedDate    string `form:"promised_date"` // won, with Procurement: of the sales order
	Reasons         []Option
	Competitors     []Option
	Errs            Errors
}

// ReopenForm reopens a won or lost opportunity.
type ReopenForm struct {
	OppID    uint
	OppTitle string
	Version  string `form:"version"`
	Reason   string `form:"reason"`
	Errs     Errors
}

// BoardColumn is one stage of the pipeline board.
type BoardColumn struct {
	StageID  uint
	Name     string
	Count    string
	Amount   string
	Weighted string
	Cards    []BoardCard
	More     int    // cards not shown
	MoreURL  string // the list filtered on this stage
	// MoveTo are the stages a card of this column can move to, this one
	// selected: the same for every card, rendered once.
	MoveTo []Option
}

type BoardCard struct {
	ID      uint
	Version int
	Title   string
	OrgName string
	Amount  string
	Close   string
	Overdue bool
	Owner   string
	CanMove bool // shows the move form, with its column's MoveTo
}

type BoardPage struct {
	Filters OppFilters
	Columns []BoardColumn
	ListURL string
}

// OppRow is one line of an opportunity table.
type OppRow struct {
	ID          uint
	Title       string
	OrgID       uint
	OrgName     string
	Owner       string
	Stage       string
	Status      string
	StatusKey   string
	Probability string
	Close       string
	Overdue     bool // open and past its projected close date
	Amount      string
	Weighted    string
}

// contactHint explains the contact select: with a typed organization name it
// offers contacts only once the organization is known.
func (f OppForm) contactHint() string {
	switch {
	case f.ContactsOfChosen && f.Organization.Value == "":
		return "Choose the organization first: its contacts are offered then."
	case f.ContactsCapped:
		return "The organization has more than 200 contacts: its first 200 by last name are offered."
	}
	return "A contact of the chosen organization."
}

// contactsOf marks a contact select that the script reloads with the
// contacts of the organization chosen in the field named org.
func contactsOf(org string) templ.Attributes {
	return templ.Attributes{"data-contacts-of": org}
}
