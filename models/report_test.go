package models_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// The report tests count hand-built data whose every number is written below.
//
// Two campaigns and records without one, two reps (A and B), all created on
// 2026-03-10 (midnight UTC) unless a test says otherwise. Each opportunity has
// exactly one converted lead, created with it.
//
//	Trade show leads: 5 new (3 A, 2 B), 3 disqualified (A), 4 qualified (2 A, 2 B),
//	                  6 converted (one per opportunity, owned like it)
//	  o1 active      A  Managed services  1,000.00  50%  1 quote   close 2026-07-15
//	  o2 not ready   B  Project             100.01  50%  no quote  close 2026-08-01
//	  o3 closed      A  Managed services  2,000.00       2 quotes  closed 2026-04-09 (30 days)  win: Technical fit
//	  o4 implemented B  Managed services    500.00       no quote  closed 2026-03-20 (10 days)  no win reason
//	  o5 lost        A  Project             700.00       1 quote   lost 2026-04-29 (50 days)    Lost funding, National MSP
//	  o6 lost        A  (no category)       300.00       no quote  lost 2026-03-14 (4 days)     no reason, no competitor
//	Webinar leads:    1 new (B), 1 qualified (A), 1 converted (B)
//	  o7 closed      B  Project             400.00       1 quote   closed 2026-03-25 (15 days)  win: Price
//	No campaign:      2 new (A), 1 converted (A)
//	  o8 active      A  Hardware            200.00  10%  no quote  close 2026-06-30

var (
	rptDay = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	rptNow = time.Date(2026, 6, 15, 10, 30, 0, 0, time.UTC) // the clock of the forecast
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type rptFixture struct {
	t                   *testing.T
	db                  *gorm.DB
	repA, repB          *models.User
	org                 *models.Organization
	show, webinar       uint
	managed, project    uint
	hardware            uint
	quoteNo             int
	o                   map[string]*models.Opportunity
	stageOpen, stageWon uint
	stageLost           uint
}

// rptOpp describes one opportunity of a fixture.
type rptOpp struct {
	campaign   uint // 0: none
	owner      *models.User
	category   uint // 0: none
	status     models.OppStatus
	amount     models.Money // one-time revenue
	prob       int
	created    time.Time // zero: rptDay
	close      time.Time // projected; zero: 2026-06-01
	closed     time.Time // won date
	lost       time.Time // lost date
	winReason  uint
	lossReason uint
	competitor uint
	quotes     int
	leadAt     time.Time // its converted lead; zero: created
}

func optID(id uint) *uint {
	if id == 0 {
		return nil
	}
	return &id
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func newRptFixture(t *testing.T) *rptFixture {
	t.Helper()
	gdb := openDB(t)
	x := &rptFixture{t: t, db: gdb, o: map[string]*models.Opportunity{}, quoteNo: 5000}
	x.repA = mkUser(t, gdb, "a@example.com", models.RoleRep)
	x.repB = mkUser(t, gdb, "b@example.com", models.RoleRep)
	x.org = mkOrg(t, gdb, "Acme")
	x.show = x.campaign("Trade show")
	x.webinar = x.campaign("Webinar")
	x.managed = pickID(t, gdb, models.Categories, "Managed services")
	x.project = pickID(t, gdb, models.Categories, "Project")
	x.hardware = pickID(t, gdb, models.Categories, "Hardware")
	x.stageOpen = stageByName(t, gdb, "Proposal").ID
	x.stageWon = stageByName(t, gdb, "Closed won").ID
	x.stageLost = stageByName(t, gdb, "Closed lost").ID
	return x
}

func (x *rptFixture) campaign(name string) uint {
	x.t.Helper()
	start := date(2026, 3, 1)
	c := models.Campaign{Name: name, Type: "trade_show", StartDate: &start, EndDate: &start, OwnerID: x.repA.ID}
	if err := x.db.Create(&c).Error; err != nil {
		x.t.Fatal(err)
	}
	return c.ID
}

// leads stores n leads of one campaign, owner and status, created at at (zero: rptDay).
func (x *rptFixture) leads(n int, campaign uint, owner *models.User, status models.LeadStatus, at time.Time) {
	x.t.Helper()
	if at.IsZero() {
		at = rptDay
	}
	for i := 0; i < n; i++ {
		l := models.Lead{CampaignID: optID(campaign), PersonName: fmt.Sprintf("%s lead %d", status, i), OwnerID: owner.ID,
			Status: status, CreatedAt: at, UpdatedAt: at}
		if err := x.db.Create(&l).Error; err != nil {
			x.t.Fatal(err)
		}
	}
}

// opp stores an opportunity with its quotes and its one converted lead.
func (x *rptFixture) opp(name string, s rptOpp) *models.Opportunity {
	x.t.Helper()
	if s.created.IsZero() {
		s.created = rptDay
	}
	if s.close.IsZero() {
		s.close = date(2026, 6, 1)
	}
	if s.leadAt.IsZero() {
		s.leadAt = s.created
	}
	stage := x.stageOpen
	switch s.status {
	case models.StatusClosed, models.StatusImplemented:
		stage, s.prob = x.stageWon, 100
	case models.StatusLost:
		stage, s.prob = x.stageLost, 0
	}
	o := &models.Opportunity{Title: name, OrganizationID: x.org.ID, OwnerID: s.owner.ID, StageID: stage, Status: s.status,
		Probability: s.prob, ProjectedCloseDate: s.close, Revenue: models.Amounts{OneTime: s.amount},
		CampaignID: optID(s.campaign), CategoryID: optID(s.category), CompetitorID: optID(s.competitor),
		WinReasonID: optID(s.winReason), ClosedDate: optTime(s.closed), LossReasonID: optID(s.lossReason), LostDate: optTime(s.lost),
		Version: 1, CreatedAt: s.created, UpdatedAt: s.created}
	if err := x.db.Create(o).Error; err != nil {
		x.t.Fatal(err)
	}
	for i := 0; i < s.quotes; i++ {
		x.quoteNo++
		q := models.Quote{Number: x.quoteNo, OpportunityID: o.ID, Name: fmt.Sprintf("%s quote %d", name, i+1),
			EffectiveDate: s.created, ExpirationDate: s.created.AddDate(0, 1, 0), Status: models.QuoteSent, IsPrimary: i == 0,
			OwnerID: s.owner.ID, Version: 1}
		if err := x.db.Create(&q).Error; err != nil {
			x.t.Fatal(err)
		}
	}
	l := models.Lead{CampaignID: optID(s.campaign), PersonName: name + " lead", OwnerID: s.owner.ID, Status: models.LeadConverted,
		OpportunityID: &o.ID, ConvertedAt: &s.created, CreatedAt: s.leadAt, UpdatedAt: s.leadAt}
	if err := x.db.Create(&l).Error; err != nil {
		x.t.Fatal(err)
	}
	x.o[name] = o
	return o
}

func (x *rptFixture) pick(kind models.PicklistKind, name string) uint {
	return pickID(x.t, x.db, kind, name)
}

// standard builds the data described at the top of the file.
func (x *rptFixture) standard() *rptFixture {
	x.t.Helper()
	x.leads(3, x.show, x.repA, models.LeadNew, time.Time{})
	x.leads(2, x.show, x.repB, models.LeadNew, time.Time{})
	x.leads(3, x.show, x.repA, models.LeadDisqualified, time.Time{})
	x.leads(2, x.show, x.repA, models.LeadQualified, time.Time{})
	x.leads(2, x.show, x.repB, models.LeadQualified, time.Time{})
	x.opp("o1", rptOpp{campaign: x.show, owner: x.repA, category: x.managed, status: models.StatusActive, amount: 100000, prob: 50,
		quotes: 1, close: date(2026, 7, 15)})
	x.opp("o2", rptOpp{campaign: x.show, owner: x.repB, category: x.project, status: models.StatusNotReady, amount: 10001, prob: 50,
		close: date(2026, 8, 1)})
	x.opp("o3", rptOpp{campaign: x.show, owner: x.repA, category: x.managed, status: models.StatusClosed, amount: 200000, quotes: 2,
		close: date(2026, 5, 20), closed: date(2026, 4, 9), winReason: x.pick(models.WinReasons, "Technical fit")})
	x.opp("o4", rptOpp{campaign: x.show, owner: x.repB, category: x.managed, status: models.StatusImplemented, amount: 50000,
		closed: date(2026, 3, 20)})
	x.opp("o5", rptOpp{campaign: x.show, owner: x.repA, category: x.project, status: models.StatusLost, amount: 70000, quotes: 1,
		lost: date(2026, 4, 29), lossReason: x.pick(models.LossReasons, "Lost funding"), competitor: x.pick(models.Competitors, "National MSP")})
	x.opp("o6", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusLost, amount: 30000, lost: date(2026, 3, 14)})

	x.leads(1, x.webinar, x.repB, models.LeadNew, time.Time{})
	x.leads(1, x.webinar, x.repA, models.LeadQualified, time.Time{})
	x.opp("o7", rptOpp{campaign: x.webinar, owner: x.repB, category: x.project, status: models.StatusClosed, amount: 40000, quotes: 1,
		closed: date(2026, 3, 25), winReason: x.pick(models.WinReasons, "Price")})

	x.leads(2, 0, x.repA, models.LeadNew, time.Time{})
	x.opp("o8", rptOpp{owner: x.repA, category: x.hardware, status: models.StatusActive, amount: 20000, prob: 10,
		close: date(2026, 6, 30)})
	return x
}

func funnel(t *testing.T, gdb *gorm.DB, f models.ReportFilter) models.FunnelCounts {
	t.Helper()
	c, err := models.Funnel(gdb, f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantFunnel(t *testing.T, what string, got, want models.FunnelCounts) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// The cumulative rule: converted leads count as qualified; a won opportunity
// counts as quoted even without a quote, a lost or open one only with a quote;
// two quotes count once.
func TestReportFunnelCountsEveryStage(t *testing.T) {
	x := newRptFixture(t).standard()

	wantFunnel(t, "all records", funnel(t, x.db, models.ReportFilter{}), models.FunnelCounts{
		Leads: 24, Qualified: 13, // 18 + 3 + 3 leads; (4 + 6) + (1 + 1) + 1 qualified or converted
		Opportunities: 8, Quoted: 5, // o1, o3 (two quotes, once), o4 (won, no quote), o5, o7
		Won: 3, Lost: 2, Open: 3,
		WonAmount: 290000, LostAmount: 100000, OpenAmount: 130001,
		OpenWeighted: 57001, // 1,000.00 × 50% + 100.01 × 50% (50.005 → 50.01) + 200.00 × 10%
	})
	wantFunnel(t, "trade show", funnel(t, x.db, models.ReportFilter{CampaignID: x.show}), models.FunnelCounts{
		Leads: 18, Qualified: 10, Opportunities: 6, Quoted: 4, Won: 2, Lost: 2, Open: 2,
		WonAmount: 250000, LostAmount: 100000, OpenAmount: 110001, OpenWeighted: 55001,
	})
	wantFunnel(t, "webinar", funnel(t, x.db, models.ReportFilter{CampaignID: x.webinar}), models.FunnelCounts{
		Leads: 3, Qualified: 2, Opportunities: 1, Quoted: 1, Won: 1, WonAmount: 40000,
	})
}

func TestReportFunnelFilters(t *testing.T) {
	x := newRptFixture(t).standard()

	wantFunnel(t, "owner A", funnel(t, x.db, models.ReportFilter{OwnerID: x.repA.ID}), models.FunnelCounts{
		Leads: 16, Qualified: 8, // show 3 new + 3 disq + 2 qual + 4 conv, webinar 1 qual, none 2 new + 1 conv
		Opportunities: 5, Quoted: 3, Won: 1, Lost: 2, Open: 2, // o1 o3 o5 o6 o8
		WonAmount: 200000, LostAmount: 100000, OpenAmount: 120000, OpenWeighted: 52000,
	})
	wantFunnel(t, "owner B", funnel(t, x.db, models.ReportFilter{OwnerID: x.repB.ID}), models.FunnelCounts{
		Leads: 8, Qualified: 5, Opportunities: 3, Quoted: 2, Won: 2, Open: 1, // o2 o4 o7
		WonAmount: 90000, OpenAmount: 10001, OpenWeighted: 5001,
	})
	wantFunnel(t, "trade show, owner B", funnel(t, x.db, models.ReportFilter{CampaignID: x.show, OwnerID: x.repB.ID}), models.FunnelCounts{
		Leads: 6, Qualified: 4, Opportunities: 2, Quoted: 1, Won: 1, Open: 1, // o2 o4
		WonAmount: 50000, OpenAmount: 10001, OpenWeighted: 5001,
	})
	// Leads have no category: the category narrows the opportunity stages only,
	// as the drill-down to the lead list does.
	wantFunnel(t, "Managed services", funnel(t, x.db, models.ReportFilter{CategoryID: x.managed}), models.FunnelCounts{
		Leads: 24, Qualified: 13, Opportunities: 3, Quoted: 3, Won: 2, Open: 1, // o1 o3 o4
		WonAmount: 250000, OpenAmount: 100000, OpenWeighted: 50000,
	})
	wantFunnel(t, "trade show, Project", funnel(t, x.db, models.ReportFilter{CampaignID: x.show, CategoryID: x.project}), models.FunnelCounts{
		Leads: 18, Qualified: 10, Opportunities: 2, Quoted: 1, Lost: 1, Open: 1, // o2 o5
		LostAmount: 70000, OpenAmount: 10001, OpenWeighted: 5001,
	})
	wantFunnel(t, "webinar, owner A", funnel(t, x.db, models.ReportFilter{CampaignID: x.webinar, OwnerID: x.repA.ID}), models.FunnelCounts{
		Leads: 1, Qualified: 1,
	})
	wantFunnel(t, "a campaign with nothing", funnel(t, x.db, models.ReportFilter{CampaignID: x.webinar + 100}), models.FunnelCounts{})
}

// The period is on each record's own creation: From inclusive, Before
// exclusive, leads by leads.created_at and opportunities by opportunities.created_at.
func TestReportFunnelPeriodBoundaries(t *testing.T) {
	x := newRptFixture(t)
	from, before := date(2026, 2, 1), date(2026, 3, 1)
	justBefore := from.Add(-time.Second)
	lastInstant := before.Add(-time.Millisecond)

	x.leads(1, x.show, x.repA, models.LeadNew, justBefore)                 // L1 out
	x.leads(1, x.show, x.repA, models.LeadNew, from)                       // L2 in
	x.leads(1, x.show, x.repA, models.LeadQualified, lastInstant)          // L3 in
	x.leads(1, x.show, x.repA, models.LeadNew, before)                     // L4 out
	x.leads(1, x.show, x.repA, models.LeadDisqualified, date(2026, 2, 14)) // L5 in
	// The lead of O1 is from January, O1 itself from February.
	x.opp("O1", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusActive, amount: 1000, prob: 50,
		created: date(2026, 2, 10), leadAt: date(2026, 1, 20)})
	// The lead of O2 is from February, O2 from the first instant of March.
	x.opp("O2", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusClosed, amount: 2000, quotes: 1,
		created: before, leadAt: date(2026, 2, 15), closed: date(2026, 3, 5)})
	x.opp("O3", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusLost, amount: 4000, quotes: 1,
		created: from, lost: date(2026, 2, 20)})
	x.opp("O4", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusImplemented, amount: 8000,
		created: lastInstant, leadAt: date(2026, 2, 20), closed: date(2026, 3, 2)})
	x.opp("O5", rptOpp{campaign: x.show, owner: x.repA, status: models.StatusActive, amount: 16000, prob: 25,
		created: justBefore, leadAt: date(2026, 1, 15)})

	wantFunnel(t, "February", funnel(t, x.db, models.ReportFilter{From: from, Before: before}), models.FunnelCounts{
		Leads: 6, Qualified: 4, // L2 L3 L5, the leads of O2, O3, O4; qualified: L3 and those three
		Opportunities: 3, Quoted: 2, Won: 1, Lost: 1, Open: 1, // O1 O3 O4
		WonAmount: 8000, LostAmount: 4000, OpenAmount: 1000, OpenWeighted: 500,
	})
	wantFunnel(t, "from February on", funnel(t, x.db, models.ReportFilter{From: from}), models.FunnelCounts{
		Leads: 7, Qualified: 4, // plus L4
		Opportunities: 4, Quoted: 3, Won: 2, Lost: 1, Open: 1, // plus O2
		WonAmount: 10000, LostAmount: 4000, OpenAmount: 1000, OpenWeighted: 500,
	})
	wantFunnel(t, "before March", funnel(t, x.db, models.ReportFilter{Before: before}), models.FunnelCounts{
		Leads: 9, Qualified: 6, // L1 L2 L3 L5 and the leads of O1–O5; qualified: L3 and those five
		Opportunities: 4, Quoted: 2, Won: 1, Lost: 1, Open: 2, // O1 O3 O4 O5
		WonAmount: 8000, LostAmount: 4000, OpenAmount: 17000, OpenWeighted: 4500,
	})
	wantFunnel(t, "one instant", funnel(t, x.db, models.ReportFilter{From: from, Before: from.Add(time.Second)}), models.FunnelCounts{
		Leads: 2, Qualified: 1, Opportunities: 1, Quoted: 1, Lost: 1, LostAmount: 4000, // L2 and O3 with its lead
	})
}

func winLoss(t *testing.T, gdb *gorm.DB, f models.ReportFilter) []models.ReasonRow {
	t.Helper()
	rows, err := models.WinLoss(gdb, f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func wantRows(t *testing.T, what string, got, want []models.ReasonRow) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// Won deals by win reason, lost ones by loss reason and by competitor; a deal
// without one is "(none given)"; most deals first, then by name; open deals
// are left out.
func TestReportWinLossGroups(t *testing.T) {
	x := newRptFixture(t).standard()
	better, funding := x.pick(models.LossReasons, "Competitor's better quote"), x.pick(models.LossReasons, "Lost funding")
	local, national := x.pick(models.Competitors, "Local MSP"), x.pick(models.Competitors, "National MSP")
	x.opp("w1", rptOpp{campaign: x.webinar, owner: x.repA, status: models.StatusLost, amount: 1000, lost: date(2026, 4, 1),
		lossReason: better, competitor: local})
	x.opp("w2", rptOpp{campaign: x.webinar, owner: x.repB, status: models.StatusLost, amount: 2000, lost: date(2026, 4, 1),
		lossReason: better, competitor: local})
	x.opp("w3", rptOpp{campaign: x.webinar, owner: x.repB, status: models.StatusLost, amount: 4000, lost: date(2026, 4, 1),
		lossReason: funding, competitor: national})
	// An open deal with a competitor named counts nowhere.
	x.opp("w4", rptOpp{campaign: x.webinar, owner: x.repB, status: models.StatusActive, amount: 8000, prob: 50, competitor: local})

	wantRows(t, "all records", winLoss(t, x.db, models.ReportFilter{}), []models.ReasonRow{
		{"win_reason", "(none given)", 1, 50000}, // o4
		{"win_reason", "Price", 1, 40000},        // o7
		{"win_reason", "Technical fit", 1, 200000},
		{"loss_reason", "Competitor's better quote", 2, 3000}, // w1 w2
		{"loss_reason", "Lost funding", 2, 74000},             // o5 w3
		{"loss_reason", "(none given)", 1, 30000},             // o6
		{"competitor", "Local MSP", 2, 3000},
		{"competitor", "National MSP", 2, 74000},
		{"competitor", "(none given)", 1, 30000},
	})
	wantRows(t, "trade show", winLoss(t, x.db, models.ReportFilter{CampaignID: x.show}), []models.ReasonRow{
		{"win_reason", "(none given)", 1, 50000},
		{"win_reason", "Technical fit", 1, 200000},
		{"loss_reason", "(none given)", 1, 30000},
		{"loss_reason", "Lost funding", 1, 70000},
		{"competitor", "(none given)", 1, 30000},
		{"competitor", "National MSP", 1, 70000},
	})
	wantRows(t, "owner B", winLoss(t, x.db, models.ReportFilter{OwnerID: x.repB.ID}), []models.ReasonRow{
		{"win_reason", "(none given)", 1, 50000},
		{"win_reason", "Price", 1, 40000},
		{"loss_reason", "Competitor's better quote", 1, 2000},
		{"loss_reason", "Lost funding", 1, 4000},
		{"competitor", "Local MSP", 1, 2000},
		{"competitor", "National MSP", 1, 4000},
	})
	wantRows(t, "Project", winLoss(t, x.db, models.ReportFilter{CategoryID: x.project}), []models.ReasonRow{
		{"win_reason", "Price", 1, 40000},
		{"loss_reason", "Lost funding", 1, 70000},
		{"competitor", "National MSP", 1, 70000},
	})
	wantRows(t, "created before the data", winLoss(t, x.db, models.ReportFilter{Before: rptDay}), nil)
}

type fcRow struct {
	month                 string
	count                 int64
	amount, weighted, won models.Money
}

func forecast(t *testing.T, gdb *gorm.DB, f models.ReportFilter, now time.Time) []fcRow {
	t.Helper()
	ms, err := models.Forecast(gdb, f, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []fcRow
	for _, m := range ms {
		if m.Month.Location() != time.UTC || m.Month.Day() != 1 || m.Month.Hour() != 0 {
			t.Errorf("month %v is not the first instant of a UTC month", m.Month)
		}
		out = append(out, fcRow{m.Month.Format("2006-01"), m.Count, m.Amount, m.Weighted, m.Won})
	}
	return out
}

func wantForecast(t *testing.T, what string, got, want []fcRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d months %v, want %d", what, len(got), got, len(want))
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: month %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// Open deals by projected close month, from three months back to six ahead;
// what was won by its closed date.
func TestReportForecastMonths(t *testing.T) {
	x := newRptFixture(t).standard()
	// Edges of the ten months March–December 2026.
	x.opp("f1", rptOpp{owner: x.repA, status: models.StatusActive, amount: 10000, prob: 25, close: date(2026, 3, 1)})                  // first day in
	x.opp("f2", rptOpp{owner: x.repA, status: models.StatusActive, amount: 90000, prob: 25, close: date(2026, 2, 28)})                 // out
	x.opp("f3", rptOpp{owner: x.repB, status: models.StatusNotReady, amount: 30000, prob: 75, close: date(2026, 12, 31)})              // last day in
	x.opp("f4", rptOpp{owner: x.repB, status: models.StatusActive, amount: 90000, prob: 25, close: date(2027, 1, 1)})                  // out
	x.opp("f5", rptOpp{owner: x.repA, status: models.StatusClosed, amount: 90000, closed: date(2026, 2, 28), close: date(2026, 4, 1)}) // won before the range
	x.opp("f6", rptOpp{owner: x.repA, status: models.StatusImplemented, amount: 7000, closed: date(2026, 12, 31)})                     // won, last day
	x.opp("f7", rptOpp{owner: x.repA, status: models.StatusLost, amount: 90000, lost: date(2026, 5, 5), close: date(2026, 5, 1)})      // lost: nowhere

	wantForecast(t, "all records", forecast(t, x.db, models.ReportFilter{}, rptNow), []fcRow{
		{"2026-03", 1, 10000, 2500, 90000}, // f1; won o4 500.00 + o7 400.00
		{"2026-04", 0, 0, 0, 200000},       // won o3 (projected for May)
		{"2026-05", 0, 0, 0, 0},
		{"2026-06", 1, 20000, 2000, 0}, // o8
		{"2026-07", 1, 100000, 50000, 0},
		{"2026-08", 1, 10001, 5001, 0}, // o2 on the 1st
		{"2026-09", 0, 0, 0, 0},
		{"2026-10", 0, 0, 0, 0},
		{"2026-11", 0, 0, 0, 0},
		{"2026-12", 1, 30000, 22500, 7000}, // f3; won f6
	})
	wantForecast(t, "trade show", forecast(t, x.db, models.ReportFilter{CampaignID: x.show}, rptNow), []fcRow{
		{"2026-03", 0, 0, 0, 50000}, {"2026-04", 0, 0, 0, 200000}, {"2026-05", 0, 0, 0, 0}, {"2026-06", 0, 0, 0, 0},
		{"2026-07", 1, 100000, 50000, 0}, {"2026-08", 1, 10001, 5001, 0},
		{"2026-09", 0, 0, 0, 0}, {"2026-10", 0, 0, 0, 0}, {"2026-11", 0, 0, 0, 0}, {"2026-12", 0, 0, 0, 0},
	})
	// The first of the month at midnight starts the same ten months; the last
	// instant of the month before starts them a month earlier.
	first := forecast(t, x.db, models.ReportFilter{OwnerID: x.repB.ID}, date(2026, 6, 1))
	if first[0].month != "2026-03" || first[9].month != "2026-12" || first[9].count != 1 || first[0].won != 90000 {
		t.Errorf("owner B from 2026-06-01: %v", first)
	}
	if m := forecast(t, x.db, models.ReportFilter{}, date(2026, 6, 1).Add(-time.Nanosecond)); m[0].month != "2026-02" || m[9].month != "2026-11" {
		t.Errorf("from the last instant of May: months %s to %s, want 2026-02 to 2026-11", m[0].month, m[9].month)
	}
}

func figures(t *testing.T, gdb *gorm.DB, f models.ReportFilter, c models.FunnelCounts) models.KeyFigures {
	t.Helper()
	k, err := models.Figures(gdb, f, c)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestReportFigures(t *testing.T) {
	x := newRptFixture(t).standard()

	all := models.ReportFilter{}
	if k := figures(t, x.db, all, funnel(t, x.db, all)); k != (models.KeyFigures{
		WinRatePct: 60, AvgWon: 96667, // 3 won of 5 closed; 2,900.00 ÷ 3 = 966.666… → 966.67
		AvgCycleDays: 22, ClosedSampled: 5, // (30 + 10 + 50 + 4 + 15) ÷ 5 = 21.8
	}) {
		t.Errorf("all records: %+v", k)
	}
	show := models.ReportFilter{CampaignID: x.show}
	if k := figures(t, x.db, show, funnel(t, x.db, show)); k != (models.KeyFigures{
		WinRatePct: 50, AvgWon: 125000,
		AvgCycleDays: 24, ClosedSampled: 4, // (30 + 10 + 50 + 4) ÷ 4 = 23.5, half up
	}) {
		t.Errorf("trade show: %+v", k)
	}
	b := models.ReportFilter{OwnerID: x.repB.ID}
	if k := figures(t, x.db, b, funnel(t, x.db, b)); k != (models.KeyFigures{
		WinRatePct: 100, AvgWon: 45000, AvgCycleDays: 13, ClosedSampled: 2, // (10 + 15) ÷ 2 = 12.5
	}) {
		t.Errorf("owner B: %+v", k)
	}
	none := models.ReportFilter{CampaignID: x.show + 100}
	if k := figures(t, x.db, none, funnel(t, x.db, none)); k != (models.KeyFigures{WinRatePct: -1}) {
		t.Errorf("nothing closed: %+v, want win rate -1 and zeros", k)
	}

	// Rounding of the win rate (half up, whole percent) and the average won deal
	// (half up, to the cent), from the counts passed in.
	for _, c := range []struct {
		won, lost int64
		amount    models.Money
		rate      int64
		avg       models.Money
	}{
		{1, 7, 100, 13, 100},       // 12.5 %
		{1, 2, 100, 33, 100},       // 33.33…
		{2, 1, 100001, 67, 50001},  // 66.66…; 500.005 → 500.01
		{3, 0, 100000, 100, 33333}, // 333.333…
		{3, 197, 100001, 2, 33334}, // 1.5 %; 333.336…
		{1, 199, 5, 1, 5},          // 0.5 %
		{1, 201, 5, 0, 5},          // 0.495…
		{0, 3, 0, 0, 0},            // nothing won
		{2, 0, 3, 100, 2},          // 0.015 → 0.02
	} {
		k := figures(t, x.db, none, models.FunnelCounts{Won: c.won, Lost: c.lost, WonAmount: c.amount})
		if k.WinRatePct != c.rate || k.AvgWon != c.avg {
			t.Errorf("won %d lost %d amount %d: win rate %d avg %d, want %d and %d", c.won, c.lost, c.amount, k.WinRatePct, k.AvgWon, c.rate, c.avg)
		}
	}
}

// The average cycle is of every closed deal, not of the first 20,000 read.
func TestReportFiguresAverageCycleOfManyDeals(t *testing.T) {
	x := newRptFixture(t)
	bulk := func(n int, created, closed time.Time) {
		t.Helper()
		err := x.db.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO opportunities (title, organization_id, owner_id, stage_id, status, probability, projected_close_date,
				closed_date, is_open, amount, created_at, updated_at, version)
			SELECT 'bulk', ?, ?, ?, 'closed', 100, ?, ?, FALSE, 100, ?, ?, 1 FROM n`,
			n, x.org.ID, x.repA.ID, x.stageWon, closed, closed, created, created).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	bulk(15000, date(2026, 1, 1), date(2026, 1, 11)) // 10 days
	bulk(15000, date(2026, 1, 1), date(2026, 1, 31)) // 30 days
	f := models.ReportFilter{}
	c := funnel(t, x.db, f)
	if c.Won != 30000 {
		t.Fatalf("won %d, want 30000", c.Won)
	}
	k := figures(t, x.db, f, c)
	if k.AvgCycleDays != 20 || k.ClosedSampled != 30000 {
		t.Errorf("average cycle %d days over %d deals, want 20 days over all 30000", k.AvgCycleDays, k.ClosedSampled)
	}
}
