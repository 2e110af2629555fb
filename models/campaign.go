package models

import (
	"time"

	"gorm.io/gorm"
)

// CampaignType is the kind of marketing campaign.
type CampaignType string

var CampaignTypes = []CampaignType{"trade_show", "webinar", "email", "referral", "other"}

func (t CampaignType) Label() string {
	switch t {
	case "trade_show":
		return "Trade show"
	case "webinar":
		return "Webinar"
	case "email":
		return "E-mail campaign"
	case "referral":
		return "Referral"
	case "other":
		return "Other"
	}
	return string(t)
}

func (t CampaignType) Valid() bool {
	for _, v := range CampaignTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Campaign is a marketing campaign that brings leads: "You have exhibited at a
// trade show and returned with 147 leads."
type Campaign struct {
	ID          uint
	Name        string
	Type        CampaignType
	StartDate   *time.Time
	EndDate     *time.Time
	Cost        Money
	OwnerID     uint
	Owner       *User
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type CampaignFilter struct {
	Text    string
	Type    CampaignType
	OwnerID uint
}

// CampaignRow is a campaign with its lead count, for the list.
type CampaignRow struct {
	Campaign
	OwnerName string
	Leads     int64
}

func ListCampaigns(db *gorm.DB, f CampaignFilter, p Page) ([]CampaignRow, bool, error) {
	q := db.Table("campaigns").Joins("JOIN users ON users.id = campaigns.owner_id").
		Select("campaigns.*, users.name AS owner_name, (SELECT COUNT(*) FROM leads WHERE leads.campaign_id = campaigns.id) AS leads")
	if f.Text != "" {
		pat := likePattern(f.Text)
		q = q.Where(`(LOWER(campaigns.name) LIKE ? ESCAPE '\' OR LOWER(campaigns.description) LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.Type != "" {
		q = q.Where("campaigns.type = ?", f.Type)
	}
	if f.OwnerID != 0 {
		q = q.Where("campaigns.owner_id = ?", f.OwnerID)
	}
	var rows []CampaignRow
	err := q.Order("campaigns.start_date DESC, campaigns.id DESC").Offset(p.Offset()).Limit(p.Size + 1).Scan(&rows).Error
	rows, more := Trim(rows, p)
	return rows, more, err
}

// CampaignResults is a campaign's funnel, counted cumulatively as product.md
// defines: a converted lead also counts as qualified, a won opportunity also as
// an opportunity.
type CampaignResults struct {
	Leads         int64
	New           int64
	Qualified     int64 // Qualified or Converted
	Disqualified  int64
	Converted     int64
	Opportunities int64
	Open          int64
	Won           int64
	Lost          int64
	WonRevenue    Money
}

// CostPerLead and CostPerWon divide the cost, rounding half-up to the cent; zero
// when there is nothing to divide by.
func (r CampaignResults) CostPer(cost Money, n int64) Money {
	if n == 0 {
		return 0
	}
	return Money((int64(cost)*2 + n) / (2 * n))
}

// ROI is won revenue ÷ cost as a percentage (0 when the campaign cost nothing).
func (r CampaignResults) ROIPercent(cost Money) (int64, bool) {
	if cost <= 0 {
		return 0, false
	}
	return (int64(r.WonRevenue)*100 + int64(cost)/2) / int64(cost), true
}

func CampaignFunnel(db *gorm.DB, campaignID uint) (CampaignResults, error) {
	var r CampaignResults
	type count struct {
		Status string
		N      int64
	}
	// From the report rollups where they are kept (SQLite), as the funnel
	// on the same page, or from the records.
	f := ReportFilter{CampaignID: campaignID}
	lq, oq, n, amount := db.Table("leads").Where("campaign_id = ?", campaignID), db.Table("opportunities").Where("campaign_id = ?", campaignID),
		"COUNT(*)", "COALESCE(SUM(amount), 0)"
	if rl, ok := f.rollup(db, "report_leads", false); ok {
		ro, _ := f.rollup(db, "report_opps", false)
		lq, oq, n, amount = rl, ro, "SUM(n)", "SUM(amount)"
	}
	var leads []count
	if err := lq.Select("status, " + n + " AS n").Group("status").Scan(&leads).Error; err != nil {
		return r, err
	}
	for _, c := range leads {
		r.Leads += c.N
		switch LeadStatus(c.Status) {
		case LeadNew:
			r.New += c.N
		case LeadQualified:
			r.Qualified += c.N
		case LeadConverted:
			r.Qualified += c.N
			r.Converted += c.N
		case LeadDisqualified:
			r.Disqualified += c.N
		}
	}
	type oppCount struct {
		Status string
		N      int64
		Amount Money
	}
	var opps []oppCount
	if err := oq.Select("status, " + n + " AS n, " + amount + " AS amount").Group("status").Scan(&opps).Error; err != nil {
		return r, err
	}
	for _, c := range opps {
		r.Opportunities += c.N
		switch OppStatus(c.Status) {
		case StatusClosed, StatusImplemented:
			r.Won += c.N
			r.WonRevenue += c.Amount
		case StatusLost:
			r.Lost += c.N
		default:
			r.Open += c.N
		}
	}
	return r, nil
}
