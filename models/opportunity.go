package models

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// OppStatus is where an opportunity stands; see product.md "Opportunity".
type OppStatus string

const (
	StatusActive      OppStatus = "active"
	StatusNotReady    OppStatus = "not_ready"
	StatusLost        OppStatus = "lost"
	StatusClosed      OppStatus = "closed" // won
	StatusImplemented OppStatus = "implemented"
)

var OppStatuses = []OppStatus{StatusActive, StatusNotReady, StatusLost, StatusClosed, StatusImplemented}

func (s OppStatus) Label() string {
	switch s {
	case StatusActive:
		return "Active"
	case StatusNotReady:
		return "Not Ready To Buy"
	case StatusLost:
		return "Lost"
	case StatusClosed:
		return "Closed (won)"
	case StatusImplemented:
		return "Implemented"
	}
	return string(s)
}

func (s OppStatus) Valid() bool {
	for _, v := range OppStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Open is true while the opportunity can still be won or lost.
func (s OppStatus) Open() bool { return s == StatusActive || s == StatusNotReady }

type Rating string

var Ratings = []Rating{"hot", "warm", "cold"}

func (r Rating) Label() string {
	switch r {
	case "hot":
		return "Hot"
	case "warm":
		return "Warm"
	case "cold":
		return "Cold"
	}
	return ""
}

func (r Rating) Valid() bool { return r == "" || r == "hot" || r == "warm" || r == "cold" }

// Stage is a step of the sales process with its default probability.
type Stage struct {
	ID                 uint
	Name               string
	Position           int
	DefaultProbability int
	IsWon              bool
	IsLost             bool
	Active             bool
}

func (Stage) TableName() string { return "opportunity_stages" }

func ActiveStages(db *gorm.DB) ([]Stage, error) {
	var ss []Stage
	err := db.Where("active = ?", true).Order("position, id").Find(&ss).Error
	return ss, err
}

// Period is how often an amount recurs.
type Period string

const (
	OneTime    Period = "one_time"
	Monthly    Period = "monthly"
	Quarterly  Period = "quarterly"
	SemiAnnual Period = "semi_annual"
	Yearly     Period = "yearly"
)

var Periods = []Period{OneTime, Monthly, Quarterly, SemiAnnual, Yearly}

func (p Period) Label() string {
	switch p {
	case OneTime:
		return "One-time"
	case Monthly:
		return "Monthly"
	case Quarterly:
		return "Quarterly"
	case SemiAnnual:
		return "Semi-annual"
	case Yearly:
		return "Yearly"
	}
	return string(p)
}

// PerYear is how many times the amount falls in the first year.
func (p Period) PerYear() int64 {
	switch p {
	case Monthly:
		return 12
	case Quarterly:
		return 4
	case SemiAnnual:
		return 2
	}
	return 1
}

// Amounts is money per period: the revenue or the cost of an opportunity.
type Amounts struct {
	OneTime    Money
	Monthly    Money
	Quarterly  Money
	SemiAnnual Money
	Yearly     Money
}

func (a *Amounts) ptr(p Period) *Money {
	switch p {
	case Monthly:
		return &a.Monthly
	case Quarterly:
		return &a.Quarterly
	case SemiAnnual:
		return &a.SemiAnnual
	case Yearly:
		return &a.Yearly
	}
	return &a.OneTime
}

func (a Amounts) Get(p Period) Money     { return *a.ptr(p) }
func (a *Amounts) Set(p Period, m Money) { *a.ptr(p) = m }

// FirstYear is the one total of Salesdesk for money per period: one-time
// amounts once, recurring ones as often as they fall in twelve months.
func (a Amounts) FirstYear() Money {
	var t Money
	for _, p := range Periods {
		t += a.Get(p) * Money(p.PerYear())
	}
	return t
}

type Opportunity struct {
	ID                  uint
	Title               string
	OrganizationID      uint
	Organization        *Organization
	ContactID           *uint
	Contact             *Contact
	OwnerID             uint
	Owner               *User
	StageID             uint
	Stage               *Stage
	Status              OppStatus
	Probability         int
	ProbabilityOverride bool // the rep set the probability; stage changes keep it
	Rating              Rating
	ProjectedCloseDate  time.Time
	StartDate           *time.Time
	Revenue             Amounts `gorm:"embedded;embeddedPrefix:revenue_"`
	Cost                Amounts `gorm:"embedded;embeddedPrefix:cost_"`
	// Amount is the first-year revenue, kept in a column so lists can sort and
	// sum it on an index; BeforeSave is the one place that computes it.
	Amount Money
	// IsOpen mirrors Status.Open() so the open pipeline, the list's default,
	// reads in close-date order straight from an index.
	IsOpen         bool
	LeadSourceID   *uint
	LeadSource     *PicklistValue
	CompetitorID   *uint
	Competitor     *PicklistValue
	CategoryID     *uint
	Category       *PicklistValue
	NextStep       string
	Description    string
	Need           bool
	Solution       bool
	Timeframe      bool
	Budget         bool
	WinReasonID    *uint
	WinReason      *PicklistValue
	WinDetail      string
	ClosedDate     *time.Time
	LossReasonID   *uint
	LossReason     *PicklistValue
	LossDetail     string
	LostDate       *time.Time
	StageChangedAt *time.Time
	CampaignID     *uint
	Campaign       *Campaign
	// UseQuoteTotals makes the primary quote drive revenue and cost.
	UseQuoteTotals bool
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (o *Opportunity) BeforeSave(*gorm.DB) error {
	o.Amount = o.Revenue.FirstYear()
	o.IsOpen = o.Status.Open()
	return nil
}

// Margin is the first-year revenue less the first-year cost.
func (o *Opportunity) Margin() Money { return o.Amount - o.Cost.FirstYear() }

// Weighted is the amount times the probability, rounded half-up to the cent.
func (o *Opportunity) Weighted() Money { return Weighted(o.Amount, o.Probability) }

func Weighted(amount Money, probability int) Money {
	v := int64(amount) * int64(probability)
	if v >= 0 {
		return Money((v + 50) / 100)
	}
	return Money(-((-v + 50) / 100))
}

// QualifiedCount is how many of the seed's four criteria hold.
func (o *Opportunity) QualifiedCount() int {
	n := 0
	for _, b := range []bool{o.Need, o.Solution, o.Timeframe, o.Budget} {
		if b {
			n++
		}
	}
	return n
}

// LoadOpportunity reads one opportunity with what its page shows, in one
// query with joins rather than a query per relation: every opportunity page
// reads it. The query's text is built by GORM once (loadOpportunitySQL): with
// ten joins, building it took longer than running it.
func LoadOpportunity(db *gorm.DB, id uint) (*Opportunity, error) {
	rows, err := queryPrepared(db, loadOpportunitySQL(db), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, err
	}
	var o Opportunity
	if err := db.ScanRows(rows, &o); err != nil {
		return nil, err
	}
	return &o, rows.Close()
}

// LoadOpportunityShown is LoadOpportunity for the opportunity page: every
// column of the opportunity, and of its relations only what the page shows
// (the ids and names, the contact's first and last name), in one prepared
// query read column by column. The full relations joined by LoadOpportunity
// were some hundred columns, read through GORM's reflection on every view.
func LoadOpportunityShown(db *gorm.DB, id uint) (*Opportunity, error) {
	rows, err := queryRows(db, `SELECT o.id, o.title, o.organization_id, o.contact_id, o.owner_id, o.stage_id, o.status,
		o.probability, o.probability_override, o.rating, o.projected_close_date, o.start_date,
		o.revenue_one_time, o.revenue_monthly, o.revenue_quarterly, o.revenue_semi_annual, o.revenue_yearly,
		o.cost_one_time, o.cost_monthly, o.cost_quarterly, o.cost_semi_annual, o.cost_yearly, o.amount, o.is_open,
		o.lead_source_id, o.competitor_id, o.category_id, o.next_step, o.description, o.need, o.solution, o.timeframe, o.budget,
		o.win_reason_id, o.win_detail, o.closed_date, o.loss_reason_id, o.loss_detail, o.lost_date, o.stage_changed_at,
		o.campaign_id, o.use_quote_totals, o.version, o.created_at, o.updated_at,
		org.name, c.first_name, c.last_name, u.name, s.name, ls.name, cp.name, cat.name, wr.name, lr.name, cm.name
		FROM opportunities o
		LEFT JOIN organizations org ON org.id = o.organization_id
		LEFT JOIN contacts c ON c.id = o.contact_id
		LEFT JOIN users u ON u.id = o.owner_id
		LEFT JOIN opportunity_stages s ON s.id = o.stage_id
		LEFT JOIN picklist_values ls ON ls.id = o.lead_source_id
		LEFT JOIN picklist_values cp ON cp.id = o.competitor_id
		LEFT JOIN picklist_values cat ON cat.id = o.category_id
		LEFT JOIN picklist_values wr ON wr.id = o.win_reason_id
		LEFT JOIN picklist_values lr ON lr.id = o.loss_reason_id
		LEFT JOIN campaigns cm ON cm.id = o.campaign_id
		WHERE o.id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, err
	}
	var o Opportunity
	var org, first, last, owner, stage, leadSource, competitor, category, winReason, lossReason, campaign *string
	if err := rows.Scan(intCol[uint]{&o.ID}, &o.Title, intCol[uint]{&o.OrganizationID}, nullIntCol[uint]{&o.ContactID},
		intCol[uint]{&o.OwnerID}, intCol[uint]{&o.StageID}, (*string)(&o.Status),
		intCol[int]{&o.Probability}, &o.ProbabilityOverride, (*string)(&o.Rating), &o.ProjectedCloseDate, &o.StartDate,
		&o.Revenue.OneTime, &o.Revenue.Monthly, &o.Revenue.Quarterly, &o.Revenue.SemiAnnual, &o.Revenue.Yearly,
		&o.Cost.OneTime, &o.Cost.Monthly, &o.Cost.Quarterly, &o.Cost.SemiAnnual, &o.Cost.Yearly, &o.Amount, &o.IsOpen,
		nullIntCol[uint]{&o.LeadSourceID}, nullIntCol[uint]{&o.CompetitorID}, nullIntCol[uint]{&o.CategoryID},
		&o.NextStep, &o.Description, &o.Need, &o.Solution, &o.Timeframe, &o.Budget,
		nullIntCol[uint]{&o.WinReasonID}, &o.WinDetail, &o.ClosedDate, nullIntCol[uint]{&o.LossReasonID}, &o.LossDetail, &o.LostDate,
		&o.StageChangedAt, nullIntCol[uint]{&o.CampaignID}, &o.UseQuoteTotals, intCol[int]{&o.Version}, &o.CreatedAt, &o.UpdatedAt,
		&org, &first, &last, &owner, &stage, &leadSource, &competitor, &category, &winReason, &lossReason, &campaign); err != nil {
		return nil, err
	}
	if org != nil {
		o.Organization = &Organization{ID: o.OrganizationID, Name: *org}
	}
	if o.ContactID != nil && first != nil && last != nil {
		o.Contact = &Contact{ID: *o.ContactID, FirstName: *first, LastName: *last}
	}
	if owner != nil {
		o.Owner = &User{ID: o.OwnerID, Name: *owner}
	}
	if stage != nil {
		o.Stage = &Stage{ID: o.StageID, Name: *stage}
	}
	picked := func(id *uint, name *string) *PicklistValue {
		if id == nil || name == nil {
			return nil
		}
		return &PicklistValue{ID: *id, Name: *name}
	}
	o.LeadSource, o.Competitor, o.Category = picked(o.LeadSourceID, leadSource), picked(o.CompetitorID, competitor), picked(o.CategoryID, category)
	o.WinReason, o.LossReason = picked(o.WinReasonID, winReason), picked(o.LossReasonID, lossReason)
	if o.CampaignID != nil && campaign != nil {
		o.Campaign = &Campaign{ID: *o.CampaignID, Name: *campaign}
	}
	return &o, rows.Close()
}

// withRelations joins what the opportunity page shows.
func withRelations(db *gorm.DB) *gorm.DB {
	return db.Joins("Organization").Joins("Contact").Joins("Owner").Joins("Stage").
		Joins("LeadSource").Joins("Competitor").Joins("Category").Joins("WinReason").Joins("LossReason").Joins("Campaign")
}

// loadOpportunitySQLs holds LoadOpportunity's query per SQL dialect: its text
// only, never data.
var loadOpportunitySQLs sync.Map

func loadOpportunitySQL(db *gorm.DB) string {
	dialect := db.Dialector.Name()
	if q, ok := loadOpportunitySQLs.Load(dialect); ok {
		return q.(string)
	}
	var o Opportunity
	// Find, not First: the id is the primary key, and the query keeps one argument.
	q := withRelations(db.Session(&gorm.Session{DryRun: true, NewDB: true})).Find(&o, "opportunities.id = ?", 0).Statement.SQL.String()
	loadOpportunitySQLs.Store(dialect, q)
	return q
}

// OppFilter narrows the opportunity list.
type OppFilter struct {
	Text           string
	Status         OppStatus
	OwnerID        uint
	OrganizationID uint
	StageID        uint
	CategoryID     uint
	CampaignID     uint
	Rating         Rating
	OpenOnly       bool      // Active or Not Ready To Buy
	WonOnly        bool      // Closed or Implemented
	Quoted         bool      // has a quote, or is won
	ExternalQuotes bool      // Quoted counts the Quote Manager's quotes, not the built-in ones
	NoLead         bool      // not converted from a lead (the funnel's Direct)
	CreatedFrom    time.Time // created on or after, when set
	CreatedBefore  time.Time // created before, when set
	CloseFrom      time.Time // projected close on or after this date, when set
	CloseBefore    time.Time // projected close before this date, when set
	Sort           string    // a key of OppSorts
	Desc           bool
	// Many tells that the filter matches at least ManyOpportunities (from its
	// totals): a page in close order is then found along the close index on
	// SQLite (oppTable). It changes how the rows are read, never which.
	Many  bool
	found *oppMatches // the opportunities Text finds, once Searched
}

// ManyOpportunities is how many matches make a filter's list walk the close
// index (OppFilter.Many): a page of 26 comes after some 26 × (all ÷ matches)
// entries, a few thousand at most at 1M.
const ManyOpportunities = 10000

// OppSorts maps the sortable columns of the list to their SQL.
var OppSorts = map[string]string{
	"title":        "opportunities.title",
	"organization": "organizations.name",
	"owner":        "users.name",
	"stage":        "opportunity_stages.position",
	"status":       "opportunities.status",
	"probability":  "opportunities.probability",
	"close":        "opportunities.projected_close_date",
	"amount":       "opportunities.amount",
}

// OppRow is one line of the opportunity list.
type OppRow struct {
	ID                 uint
	Title              string
	OrganizationID     uint
	OrganizationName   string
	OwnerName          string
	StageName          string
	Status             OppStatus
	Probability        int
	ProjectedCloseDate time.Time
	Amount             Money
	StageID            uint
	OwnerID            uint
	Version            int
}

func (r OppRow) Weighted() Money { return Weighted(r.Amount, r.Probability) }

// apply narrows q by f; ordered is true for a query that reads the rows in the
// list's order (see matched).
func (f OppFilter) apply(q *gorm.DB, ordered bool) *gorm.DB {
	if f.Text != "" {
		q = f.matched(q, ordered)
	}
	if f.Status != "" {
		q = q.Where("opportunities.status = ?", f.Status)
	}
	if f.OwnerID != 0 {
		q = q.Where("opportunities.owner_id = ?", f.OwnerID)
	}
	if f.OrganizationID != 0 {
		q = q.Where("opportunities.organization_id = ?", f.OrganizationID)
	}
	if f.StageID != 0 {
		q = q.Where("opportunities.stage_id = ?", f.StageID)
	}
	if f.CategoryID != 0 {
		q = q.Where("opportunities.category_id = ?", f.CategoryID)
	}
	if f.CampaignID != 0 {
		q = q.Where("opportunities.campaign_id = ?", f.CampaignID)
	}
	if f.Rating != "" {
		q = q.Where("opportunities.rating = ?", f.Rating)
	}
	if !f.CloseFrom.IsZero() {
		q = q.Where("opportunities.projected_close_date >= ?", f.CloseFrom)
	}
	if f.OpenOnly {
		q = q.Where("opportunities.is_open = ?", true)
	}
	if f.WonOnly {
		q = q.Where("opportunities.status IN ?", []OppStatus{StatusClosed, StatusImplemented})
	}
	if f.Quoted {
		q = q.Where("(opportunities.status IN ? OR "+quotedSQL(f.ExternalQuotes)+")",
			[]OppStatus{StatusClosed, StatusImplemented})
	}
	if f.NoLead {
		q = q.Where("NOT opportunities.from_lead")
	}
	if !f.CreatedFrom.IsZero() {
		q = q.Where("opportunities.created_at >= ?", f.CreatedFrom)
	}
	if !f.CreatedBefore.IsZero() {
		q = q.Where("opportunities.created_at < ?", f.CreatedBefore)
	}
	if !f.CloseBefore.IsZero() {
		q = q.Where("opportunities.projected_close_date < ?", f.CloseBefore)
	}
	return q
}

const (
	oppOrgJoin = "JOIN organizations ON organizations.id = opportunities.organization_id"
	oppJoins   = oppOrgJoin + " JOIN users ON users.id = opportunities.owner_id " +
		"JOIN opportunity_stages ON opportunity_stages.id = opportunities.stage_id"
)

// oppSortKeys reads the sort value of one opportunity (the keyset cursor's row),
// with aliases of their own so they can sit inside the list query.
var oppSortKeys = map[string]string{
	"title":        "SELECT k.title FROM opportunities k WHERE k.id = ?",
	"organization": "SELECT ko.name FROM opportunities k JOIN organizations ko ON ko.id = k.organization_id WHERE k.id = ?",
	"owner":        "SELECT ku.name FROM opportunities k JOIN users ku ON ku.id = k.owner_id WHERE k.id = ?",
	"stage":        "SELECT ks.position FROM opportunities k JOIN opportunity_stages ks ON ks.id = k.stage_id WHERE k.id = ?",
	"status":       "SELECT k.status FROM opportunities k WHERE k.id = ?",
	"probability":  "SELECT k.probability FROM opportunities k WHERE k.id = ?",
	"close":        "SELECT k.projected_close_date FROM opportunities k WHERE k.id = ?",
	"amount":       "SELECT k.amount FROM opportunities k WHERE k.id = ?",
}

// oppListQuery is the filtered, sorted list query shared by pages and exports;
// reverse reads it backwards (for the page before a keyset cursor). With named,
// the owner and stage names are not selected (scanOppRows leaves them empty) for
// the caller to fill from names it already holds (nameRows), and users and
// opportunity_stages are joined only when the sort needs them.
func oppListQuery(db *gorm.DB, f OppFilter, named, reverse bool) *gorm.DB {
	col, ok := OppSorts[f.Sort]
	if !ok {
		col = OppSorts["close"]
	}
	dir := " ASC"
	if f.Desc != reverse {
		dir = " DESC"
	}
	joins, names := oppJoins, "users.name AS owner_name, opportunity_stages.name AS stage_name, "
	if named {
		joins, names = oppOrgJoin, ""
		switch f.Sort {
		case "owner":
			joins += " JOIN users ON users.id = opportunities.owner_id"
		case "stage":
			joins += " JOIN opportunity_stages ON opportunity_stages.id = opportunities.stage_id"
		}
	}
	return f.apply(db.Table(f.oppTable(db, true)).Joins(joins), true).
		Select("opportunities.id, opportunities.title, opportunities.organization_id, organizations.name AS organization_name, " +
			names + "opportunities.status, opportunities.probability, " +
			"opportunities.projected_close_date, opportunities.amount, opportunities.stage_id, opportunities.owner_id, opportunities.version").
		Order(col + dir + ", opportunities.id" + dir)
}

// Names are the owner and stage names a caller already holds (the list's
// choices): ListOpportunitiesNamed names its rows from them instead of joining
// users and opportunity_stages for every row.
type Names struct {
	Users, Stages map[uint]string
}

// nameRows fills the owner and stage names of rows from names; the few that
// names lacks (an inactive owner or stage) are read in one query.
func nameRows(db *gorm.DB, rows []OppRow, names *Names) error {
	var users, stages []uint
	for _, r := range rows {
		if _, ok := names.Users[r.OwnerID]; !ok {
			users = append(users, r.OwnerID)
		}
		if _, ok := names.Stages[r.StageID]; !ok {
			stages = append(stages, r.StageID)
		}
	}
	var more Names // nil maps read as empty: no allocation when names has them all
	if len(users) > 0 || len(stages) > 0 {
		more = Names{Users: map[uint]string{}, Stages: map[uint]string{}}
		var found []struct {
			Kind int
			ID   uint
			Name string
		}
		err := db.Raw("SELECT 1 AS kind, id, name FROM users WHERE id IN ? UNION ALL SELECT 2, id, name FROM opportunity_stages WHERE id IN ?",
			append(users, 0), append(stages, 0)).Scan(&found).Error
		if err != nil {
			return err
		}
		for _, n := range found {
			if n.Kind == 1 {
				more.Users[n.ID] = n.Name
			} else {
				more.Stages[n.ID] = n.Name
			}
		}
	}
	name := func(known, more map[uint]string, id uint) string {
		if n, ok := known[id]; ok {
			return n
		}
		return more[id]
	}
	for i := range rows {
		rows[i].OwnerName = name(names.Users, more.Users, rows[i].OwnerID)
		rows[i].StageName = name(names.Stages, more.Stages, rows[i].StageID)
	}
	return nil
}

// ListOpportunities returns one page of the filtered, sorted list. A page with
// a keyset cursor (After or Before: the id of the row the page follows or
// precedes) is read from an index position however deep it is; without one,
// or when the cursor's row is gone, the page number's offset is used.
func ListOpportunities(db *gorm.DB, f OppFilter, p Page) ([]OppRow, bool, error) {
	return listOpportunities(db, f, p, nil)
}

// ListOpportunitiesNamed is ListOpportunities for a caller that holds the
// owner and stage names (the list and the board, from their choices).
func ListOpportunitiesNamed(db *gorm.DB, f OppFilter, p Page, names *Names) ([]OppRow, bool, error) {
	return listOpportunities(db, f, p, names)
}

func listOpportunities(db *gorm.DB, f OppFilter, p Page, names *Names) ([]OppRow, bool, error) {
	f, err := f.Searched(db)
	if err != nil {
		return nil, false, err
	}
	rows, more, err := listOppRows(db, f, p, names != nil)
	if err == nil && names != nil {
		err = nameRows(db, rows, names)
	}
	return rows, more, err
}

func listOppRows(db *gorm.DB, f OppFilter, p Page, named bool) ([]OppRow, bool, error) {
	if p.After != 0 || p.Before != 0 {
		rows, more, err := listOppsKeyset(db, f, p, named)
		if err != nil || len(rows) > 0 {
			return rows, more, err
		}
	}
	// Projected close, the default order, is walked along an index by the
	// joined query itself. Any other order sorts the filtered rows (a quarter
	// of a million open ones at 1M), so their ids are sorted on the one table
	// first, as for a deep page, and only the page's rows are read, by id:
	// the filter is not applied again to them, or SQLite would walk a filter's
	// index testing each entry against the page's ids (66 ms for sort=title).
	// So are a period's, found along the creation-date index and sorted: joined
	// first, each of a year's (466,000 at 1M) read its organization before
	// the sort (1.5-2 s for the funnel's drill-down to a year's every status).
	var q *gorm.DB
	if p.Offset() > 0 || byIDs(f) || f.created() {
		q = oppListQuery(db, OppFilter{Sort: f.Sort, Desc: f.Desc}, named, false).
			Where("opportunities.id IN (?)", pageIDs(db, f, p, false))
	} else {
		q = oppListQuery(db, f, named, false).Limit(p.Size + 1)
	}
	rows, err := scanOppRows(q, named)
	rows, more := Trim(rows, p)
	return rows, more, err
}

// byIDs tells whether a page in f's order is found as a set of ids first
// (pageIDs): every order but the default.
func byIDs(f OppFilter) bool { return f.Sort != "" && f.Sort != "close" }

// sortTableFirst is, for a sort by a joined column, the small table that holds
// it joined to the opportunities: SQLite reads that table first in the sort's
// order when told to (CROSS JOIN), and each of its rows' opportunities along
// their index, so a page of the open ones is found without sorting a quarter
// of a million rows (owner 1.8 s -> 0.1 s, organization 1.9 s -> 1 ms at 1M).
var sortTableFirst = map[string]string{
	"organization": "organizations %s ON organizations.id = opportunities.organization_id",
	"owner":        "users %s ON users.id = opportunities.owner_id",
	"stage":        "opportunity_stages %s ON opportunity_stages.id = opportunities.stage_id",
}

// sortIndex is the index a sort walks on SQLite. Without statistics, SQLite
// would read the open rows by opportunities_open_close and sort them (two
// seconds at 1M); along the sort's index a page of open ones comes after a
// few rows. With a text search, the set of matches is smaller: the planner
// chooses.
var sortIndex = map[string]string{
	"title":  "opportunities_title",
	"status": "opportunities_status_id",
}

// pageIDs is the query of a page's ids, on the opportunities table (and the
// one table a sort by a joined name needs), along an index where one serves,
// for the names to be joined onto those 26 rows only; a typed-in deep page
// skips its rows without joining each one. reverse reads it backwards (for the
// page before a keyset cursor).
func pageIDs(db *gorm.DB, f OppFilter, p Page, reverse bool) *gorm.DB {
	col, ok := OppSorts[f.Sort]
	if !ok {
		col = OppSorts["close"]
	}
	dir := " ASC"
	if f.Desc != reverse {
		dir = " DESC"
	}
	// A search's few matches, or a campaign's opportunities, are read first
	// and sorted (oppTable).
	walk := db.Dialector.Name() == "sqlite" && !f.fewMatches() && !f.byCampaign(db)
	table := f.oppTable(db, true)
	if join, ok := sortTableFirst[f.Sort]; ok {
		how := "JOIN" // PostgreSQL has no CROSS JOIN with ON
		if walk {
			how = "CROSS JOIN"
		}
		table = fmt.Sprintf(join, how+" "+table)
	} else if index, ok := sortIndex[f.Sort]; ok && walk {
		table += " INDEXED BY " + index
	}
	order := col + dir + ", opportunities.id" + dir
	if f.Sort == "owner" && walk && ownerNamesDistinct(db) {
		// The same order when no two users share a name, but one SQLite
		// walks: users along users_name, each one's opportunities along
		// opportunities_owner_id (migration 30). By name and opportunity
		// alone, it sorted every open row of an owner (40-60 ms at 1M).
		order = col + dir + ", users.id" + dir + ", opportunities.id" + dir
	}
	return f.apply(db.Table(table), true).Select("opportunities.id").
		Order(order).Offset(p.Offset()).Limit(p.Size + 1)
}

// ownerNamesDistinct tells whether no two users have the same name (read
// along users_name; a failure answers false, the order that holds either way).
func ownerNamesDistinct(db *gorm.DB) bool {
	var distinct bool
	err := db.Raw("SELECT NOT EXISTS (SELECT 1 FROM users GROUP BY name HAVING COUNT(*) > 1)").Row().Scan(&distinct)
	return err == nil && distinct
}

// scanOppRows reads the rows of oppListQuery column by column: the list is the
// most visited page, and GORM's reflection per row cost more than the query.
// Named rows have no owner and stage name columns.
func scanOppRows(q *gorm.DB, named bool) ([]OppRow, error) {
	var r OppRow
	// Integers through intCol and the status as a string: database/sql would
	// convert each by formatting and parsing it.
	dest := []any{intCol[uint]{&r.ID}, &r.Title, intCol[uint]{&r.OrganizationID}, &r.OrganizationName, &r.OwnerName, &r.StageName,
		(*string)(&r.Status), intCol[int]{&r.Probability}, &r.ProjectedCloseDate, &r.Amount, intCol[uint]{&r.StageID},
		intCol[uint]{&r.OwnerID}, intCol[int]{&r.Version}}
	if named {
		dest = append(dest[:4], dest[6:]...)
	}
	return scanEach(q, &r, dest, PageSize+1)
}

func listOppsKeyset(db *gorm.DB, f OppFilter, p Page, named bool) ([]OppRow, bool, error) {
	sort := f.Sort
	if _, ok := OppSorts[sort]; !ok {
		sort = "close"
	}
	col, key := OppSorts[sort], "("+oppSortKeys[sort]+")"
	// Rows after the cursor in list order: (col, id) beyond the cursor's. The
	// first condition alone is an index range; the second settles ties on id.
	backwards := p.Before != 0
	cursor := p.After
	if backwards {
		cursor = p.Before
	}
	beyond, strictly := ">=", ">"
	if f.Desc != backwards {
		beyond, strictly = "<=", "<"
	}
	past := func(q *gorm.DB) *gorm.DB {
		return q.Where(col+" "+beyond+" "+key, cursor).
			Where("("+col+" "+strictly+" "+key+" OR opportunities.id "+strictly+" ?)", cursor, cursor)
	}
	// As for a page by number: in any order but the default, the ids past the
	// cursor are found on the one table along the sort's index, then 26 rows
	// joined (joining first read and sorted every open row: 2-4 s at 1M); so
	// are a period's, as in listOppRows.
	var q *gorm.DB
	if byIDs(f) || f.created() {
		q = oppListQuery(db, OppFilter{Sort: f.Sort, Desc: f.Desc}, named, backwards).
			Where("opportunities.id IN (?)", past(pageIDs(db, f, Page{Number: 1, Size: p.Size}, backwards)))
	} else {
		q = past(oppListQuery(db, f, named, backwards)).Limit(p.Size + 1)
	}
	rows, err := scanOppRows(q, named)
	rows, more := Trim(rows, p)
	if backwards {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
		more = true // the cursor's row comes next
	}
	return rows, more, err
}

// BoardCards reads the first perStage rows of the filtered list (by projected
// close) of each of the stages, in one query of one index range per stage,
// named from names: the board's cards, with what a card shows (cardColumns).
// The rows are grouped by stage.
func BoardCards(db *gorm.DB, f OppFilter, stageIDs []uint, perStage int, names *Names) (map[uint][]OppRow, error) {
	out := make(map[uint][]OppRow, len(stageIDs))
	if len(stageIDs) == 0 {
		return out, nil
	}
	f, err := f.Searched(db)
	if err != nil {
		return nil, err
	}
	f.Sort, f.Desc = "close", false
	var b strings.Builder
	subs := make([]any, len(stageIDs))
	for i, id := range stageIDs {
		fs := f
		fs.StageID = id
		subs[i] = oppListQuery(db, fs, true, false).Select(cardColumns).Limit(perStage)
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT * FROM (?) AS s" + strconv.Itoa(i))
	}
	rows, err := scanCards(db.Raw(b.String(), subs...))
	if err != nil {
		return nil, err
	}
	if err := nameRows(db, rows, names); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.StageID] = append(out[r.StageID], r)
	}
	// UNION ALL keeps each part's order on both databases in practice, but SQL
	// does not promise it: each column is put in order here when it is not.
	byClose := func(a, b OppRow) int {
		if c := a.ProjectedCloseDate.Compare(b.ProjectedCloseDate); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
	for _, cards := range out {
		if !slices.IsSortedFunc(cards, byClose) {
			slices.SortFunc(cards, byClose)
		}
	}
	return out, nil
}

// cardColumns are what a board card shows of an opportunity, read by
// scanCards: a board reads 120 cards and more, and each column is two or
// three calls into SQLite per card.
const cardColumns = "opportunities.id, opportunities.title, organizations.name, opportunities.projected_close_date, " +
	"opportunities.amount, opportunities.stage_id, opportunities.owner_id, opportunities.version"

// scanCards reads the rows of cardColumns: OppRows without the
// organization's id, the status and the probability, nor the names
// (nameRows).
func scanCards(q *gorm.DB) ([]OppRow, error) {
	var r OppRow
	dest := []any{intCol[uint]{&r.ID}, &r.Title, &r.OrganizationName, &r.ProjectedCloseDate, &r.Amount,
		intCol[uint]{&r.StageID}, intCol[uint]{&r.OwnerID}, intCol[int]{&r.Version}}
	return scanEach(q, &r, dest, 0)
}

// EachOpportunity calls fn for every row of the filtered list, streaming
// rather than loading them all.
func EachOpportunity(db *gorm.DB, f OppFilter, fn func(OppRow) error) error {
	f, err := f.Searched(db)
	if err != nil {
		return err
	}
	rows, err := oppListQuery(db, f, false, false).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r OppRow
		if err := db.ScanRows(rows, &r); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StageTotals sums the filtered opportunities per stage, for the given stages.
// Naming the stages lets the database walk the (stage, open, …) index, already
// grouped, instead of sorting every open row.
func StageTotals(db *gorm.DB, f OppFilter, stageIDs []uint) (map[uint]OppTotals, error) {
	f, err := f.Searched(db)
	if err != nil {
		return nil, err
	}
	rows, err := preparedRows(f.totalsQuery(db, true).Where(f.col("stage_id")+" IN ?", stageIDs).
		Select(f.col("stage_id") + " AS stage_id, " + f.sums()).Group(f.col("stage_id")))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[uint]OppTotals, len(stageIDs))
	for rows.Next() {
		var id uint
		var t OppTotals
		if err := rows.Scan(&id, &t.Count, &t.Amount, &t.Weighted); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Close()
}

// OppTotals sums the filtered list.
type OppTotals struct {
	Count    int64
	Amount   Money
	Weighted Money
}

func TotalOpportunities(db *gorm.DB, f OppFilter) (OppTotals, error) {
	var t OppTotals
	f, err := f.Searched(db)
	if err != nil {
		return t, err
	}
	rows, err := preparedRows(f.totalsQuery(db, false).Select(f.sums()))
	if err != nil {
		return t, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&t.Count, &t.Amount, &t.Weighted); err != nil {
			return t, err
		}
	}
	return t, rows.Close()
}

// fromSums is true when the filter narrows only by what opportunity_sums is
// grouped by (owner, stage, status, category, rating): then the totals read that
// small table, kept exact by triggers, instead of every matching opportunity.
// Any other filter, including one added later, counts the opportunities themselves.
func (f OppFilter) fromSums() bool {
	rest := f
	rest.Status, rest.OwnerID, rest.StageID, rest.CategoryID, rest.Rating = "", 0, 0, 0, ""
	rest.OpenOnly, rest.WonOnly, rest.Sort, rest.Desc, rest.Many = false, false, "", false, false
	return rest == OppFilter{}
}

// fromStatusSums is true when the sums filter only by status and owner and the
// database keeps opportunity_status_sums (SQLite, migration 15): the usual
// totals row (open or won, everyone's or one owner's) then adds up a few rows.
func (f OppFilter) fromStatusSums(db *gorm.DB) bool {
	return f.fromSums() && f.StageID == 0 && f.CategoryID == 0 && f.Rating == "" && db.Dialector.Name() == "sqlite"
}

// fromStageSums is true when the sums per stage filter by nothing but stage
// and status and the database keeps opportunity_stage_sums (SQLite, migration
// 31): the board's columns for everyone then add up a row or two each.
func (f OppFilter) fromStageSums(db *gorm.DB) bool {
	return f.fromSums() && f.OwnerID == 0 && f.CategoryID == 0 && f.Rating == "" && db.Dialector.Name() == "sqlite"
}

// totalsQuery is the filtered rows the totals are taken from; perStage when
// they are grouped by stage.
func (f OppFilter) totalsQuery(db *gorm.DB, perStage bool) *gorm.DB {
	if !f.fromSums() {
		return f.apply(db.Table(f.oppTable(db, false)), false) // the text search included: no join
	}
	// A group emptied by moves keeps its row, at zero.
	q := db.Table("opportunity_sums").Where("n <> 0")
	switch {
	case !perStage && f.fromStatusSums(db):
		q = db.Table("opportunity_status_sums").Where("n <> 0")
	case perStage && f.fromStageSums(db):
		// Under the name of opportunity_sums, for col.
		q = db.Table("opportunity_stage_sums AS opportunity_sums").Where("n <> 0")
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.OwnerID != 0 {
		q = q.Where("owner_id = ?", f.OwnerID)
	}
	if f.StageID != 0 {
		q = q.Where("stage_id = ?", f.StageID)
	}
	if f.CategoryID != 0 {
		q = q.Where("category_id = ?", f.CategoryID)
	}
	if f.Rating != "" {
		q = q.Where("rating = ?", f.Rating)
	}
	if f.OpenOnly {
		q = q.Where("status IN ?", []OppStatus{StatusActive, StatusNotReady})
	}
	if f.WonOnly {
		q = q.Where("status IN ?", []OppStatus{StatusClosed, StatusImplemented})
	}
	return q
}

// col names a column of the table totalsQuery reads.
func (f OppFilter) col(name string) string {
	if f.fromSums() {
		return "opportunity_sums." + name
	}
	return "opportunities." + name
}

// sums selects the count, amount and weighted amount of totalsQuery's rows.
func (f OppFilter) sums() string {
	// PostgreSQL sums BIGINTs into NUMERIC: the casts keep them integers for Money.
	if f.fromSums() {
		return "CAST(COALESCE(SUM(n), 0) AS BIGINT) AS count, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount, " +
			"CAST(COALESCE(SUM(weighted), 0) AS BIGINT) AS weighted"
	}
	return "COUNT(*) AS count, CAST(COALESCE(SUM(opportunities.amount), 0) AS BIGINT) AS amount, " +
		// The same half-up rounding per row as Weighted, so the total is the sum of the rows.
		"CAST(COALESCE(SUM((opportunities.amount * opportunities.probability + 50) / 100), 0) AS BIGINT) AS weighted"
}
