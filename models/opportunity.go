package models

import (
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

type Opportunity struct {
	ID                 uint
	Title              string
	OrganizationID     uint
	Organization       *Organization
	ContactID          *uint
	Contact            *Contact
	OwnerID            uint
	Owner              *User
	StageID            uint
	Stage              *Stage
	Status             OppStatus
	Probability        int
	Rating             Rating
	ProjectedCloseDate time.Time
	OnetimeRevenue     Money
	MonthlyRevenue     Money
	OnetimeCost        Money
	MonthlyCost        Money
	// Amount is the first-year value, kept in a column so lists can sort and sum it
	// on an index; BeforeSave is the one place that computes it.
	Amount      Money
	Description string
	Need        bool
	Solution    bool
	Timeframe   bool
	Budget      bool
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MonthsPerYear turns monthly revenue into the first-year value.
const MonthsPerYear = 12

// FirstYear is one-time plus twelve months of recurring money.
func FirstYear(onetime, monthly Money) Money { return onetime + MonthsPerYear*monthly }

func (o *Opportunity) BeforeSave(*gorm.DB) error {
	o.Amount = FirstYear(o.OnetimeRevenue, o.MonthlyRevenue)
	return nil
}

// Cost is the first-year cost.
func (o *Opportunity) Cost() Money { return FirstYear(o.OnetimeCost, o.MonthlyCost) }

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

// LoadOpportunity reads one opportunity with what its page shows.
func LoadOpportunity(db *gorm.DB, id uint) (*Opportunity, error) {
	var o Opportunity
	err := db.Preload("Organization").Preload("Contact").Preload("Owner").Preload("Stage").First(&o, id).Error
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// OppFilter narrows the opportunity list.
type OppFilter struct {
	Text           string
	Status         OppStatus
	OwnerID        uint
	OrganizationID uint
	OpenOnly       bool      // Active or Not Ready To Buy
	CloseBefore    time.Time // projected close before this date, when set
	Sort           string    // a key of OppSorts
	Desc           bool
}

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
}

func (f OppFilter) apply(q *gorm.DB) *gorm.DB {
	if f.Text != "" {
		pat := likePattern(f.Text)
		q = q.Where(`(LOWER(opportunities.title) LIKE ? ESCAPE '\' OR LOWER(organizations.name) LIKE ? ESCAPE '\')`, pat, pat)
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
	if f.OpenOnly {
		q = q.Where("opportunities.status IN ?", []OppStatus{StatusActive, StatusNotReady})
	}
	if !f.CloseBefore.IsZero() {
		q = q.Where("opportunities.projected_close_date < ?", f.CloseBefore)
	}
	return q
}

const oppJoins = "JOIN organizations ON organizations.id = opportunities.organization_id " +
	"JOIN users ON users.id = opportunities.owner_id " +
	"JOIN opportunity_stages ON opportunity_stages.id = opportunities.stage_id"

// ListOpportunities returns one page of the filtered, sorted list.
func ListOpportunities(db *gorm.DB, f OppFilter, p Page) ([]OppRow, bool, error) {
	col, ok := OppSorts[f.Sort]
	if !ok {
		col = OppSorts["close"]
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	q := f.apply(db.Table("opportunities").Joins(oppJoins)).
		Select("opportunities.id, opportunities.title, opportunities.organization_id, organizations.name AS organization_name, " +
			"users.name AS owner_name, opportunity_stages.name AS stage_name, opportunities.status, opportunities.probability, " +
			"opportunities.projected_close_date, opportunities.amount").
		Order(col + dir + ", opportunities.id" + dir)
	var rows []OppRow
	err := q.Offset(p.Offset()).Limit(p.Size + 1).Scan(&rows).Error
	rows, more := Trim(rows, p)
	return rows, more, err
}

// OppTotals sums the filtered list.
type OppTotals struct {
	Count  int64
	Amount Money
}

func TotalOpportunities(db *gorm.DB, f OppFilter) (OppTotals, error) {
	var t OppTotals
	err := f.apply(db.Table("opportunities").Joins(oppJoins)).
		Select("COUNT(*) AS count, COALESCE(SUM(opportunities.amount), 0) AS amount").Scan(&t).Error
	return t, err
}
