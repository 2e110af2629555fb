package views

type CampaignRow struct {
	ID    uint
	Name  string
	Type  string
	Dates string
	Cost  string
	Owner string
	Leads string
}

type CampaignListPage struct {
	Text   string
	Types  []Option
	Owners []Option
	Rows   []CampaignRow
	Pager  Pager
}

type CampaignForm struct {
	ID          uint
	Name        string `form:"name"`
	Type        string `form:"type"`
	StartDate   string `form:"start_date"`
	EndDate     string `form:"end_date"`
	Cost        string `form:"cost"`
	OwnerID     string `form:"owner_id"`
	Description string `form:"description"`
	Types       []Option
	Owners      []Option
	Errs        Errors
}

type CampaignView struct {
	ID          uint
	Name        string
	Type        string
	Dates       string
	Cost        string
	Owner       string
	Description string
	CanEdit     bool
	Funnel      FunnelView // the report's funnel component, for this campaign
	Money       []Fact     // cost per lead, per won deal, won revenue, ROI
	ByStatus    []Fact
	Leads       []LeadRow
	LeadsURL    string
	MoreLeads   bool
	Opps        []OppRow
	MoreOpps    bool   // there are more than the page shown
	OppsURL     string // the opportunity list of the campaign
}

type LeadRow struct {
	ID          uint
	PersonName  string
	CompanyName string
	Email       string
	Phone       string
	Status      string
	StatusKey   string
	Campaign    string
	CampaignID  uint
	Owner       string
	Criteria    string // "3 of 4"
	OppID       uint
}

type LeadListPage struct {
	Text      string
	Campaign  Picker
	Statuses  []Option
	Owners    []Option
	Rows      []LeadRow
	Pager     Pager
	Count     string
	CSVURL    string
	Assign    []Option // nil when the user may not reassign
	SetStatus []Option
	Back      string
	Filtered  bool
	Chips     []FilterChip // filters set by a report's link, without a field of their own
}

type LeadForm struct {
	ID              uint
	PersonName      string `form:"person_name"`
	CompanyName     string `form:"company_name"`
	Email           string `form:"email"`
	Phone           string `form:"phone"`
	CampaignID      string `form:"campaign_id"`
	CampaignName    string `form:"campaign_name"` // typed, when there are too many for a select
	OwnerID         string `form:"owner_id"`
	Need            string `form:"need"`
	NeedNote        string `form:"need_note"`
	Solution        string `form:"solution"`
	SolutionNote    string `form:"solution_note"`
	Timeframe       string `form:"timeframe"`
	TimeframeNote   string `form:"timeframe_note"`
	Budget          string `form:"budget"`
	BudgetNote      string `form:"budget_note"`
	Campaign        Picker
	CampaignMatches []Option
	Owners          []Option
	OwnerName       string
	Errs            Errors
}

type LeadView struct {
	ID               uint
	PersonName       string
	CompanyName      string
	Email            string
	Phone            string
	Status           string
	StatusKey        string
	DisqualifyReason string
	Campaign         string
	CampaignID       uint
	Owner            string
	Criteria         []CriterionNote
	Missing          string // "" when all four hold
	CanEdit          bool
	Converted        bool
	OppID            uint
	OppTitle         string
	History          []ChangeRow
	DisqualifyErr    Errors
	Reason           string
	Convert          ConvertForm
}

// ConvertForm is the opportunity a conversion makes, as proposed or as typed.
type ConvertForm struct {
	Title string
	Close string
	Errs  Errors
}

type CriterionNote struct {
	Label string
	Met   bool
	Note  string
}

// ImportPage is the upload form and, once a file is read, its preview.
type ImportPage struct {
	ImportID   uint
	Filename   string
	Campaign   Picker
	Columns    []ImportColumn
	MappingErr string
	FileErr    string
	Valid      int
	Invalid    int
	Duplicates int
	Rows       []ImportPreviewRow
	Shown      int
	Total      int
	Errs       Errors
}

type ImportColumn struct {
	Index   int
	Header  string
	Sample  string
	Options []Option
}

type ImportPreviewRow struct {
	Line        string
	PersonName  string
	CompanyName string
	Email       string
	Phone       string
	Problem     string
	Duplicate   bool
}
