package models_test

import (
	"fmt"
	"testing"
	"time"

	"salesdesk/db"
	"salesdesk/models"
)

// reportsOf runs every report of the page for f and prints what they return.
func reportsOf(t *testing.T, x *rptFixture, f models.ReportFilter) string {
	t.Helper()
	c := funnel(t, x.db, f)
	k := figures(t, x.db, f, c)
	wl := winLoss(t, x.db, f)
	fc, err := models.Forecast(x.db, f, rptNow)
	if err != nil {
		t.Fatal(err)
	}
	owners, err := models.ForecastByOwner(x.db, f, rptNow)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := models.AverageTimeInStage(x.db, f)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("funnel %+v\nfigures %+v\nwin/loss %v\nforecast %v\nowners %v\nstages", c, k, wl, fc, owners)
	if f.CampaignID != 0 { // the campaign page's figures, whatever the other filters
		cf, err := models.CampaignFunnel(x.db, f.CampaignID)
		if err != nil {
			t.Fatal(err)
		}
		out = fmt.Sprintf("campaign %+v\n%s", cf, out)
	}
	for _, s := range stages {
		out += fmt.Sprintf(" %s:%d:%.6f", s.Stage, s.Spans, s.Days)
	}
	return out
}

// wantRollupsAgree checks that the rollups the triggers keep equal those
// computed afresh, and that every report reads the same from the rollups as
// from the records, for filters of every kind.
func wantRollupsAgree(t *testing.T, x *rptFixture, step string) {
	t.Helper()
	if err := db.CheckReportRollups(x.db); err != nil {
		t.Fatalf("after %s: %v", step, err)
	}
	for _, f := range []models.ReportFilter{
		{},
		{CampaignID: x.show},
		{CampaignID: x.webinar, OwnerID: x.repB.ID},
		{OwnerID: x.repA.ID},
		{CategoryID: x.managed},
		{CampaignID: x.show, CategoryID: x.project},
		{From: date(2026, 3, 1), Before: date(2026, 4, 1)},
		{From: date(2026, 4, 1)},
		{Before: date(2026, 3, 1), OwnerID: x.repB.ID},
		// Periods that do not fall on whole months: the rollups of the whole
		// months inside and the records of the days at either end.
		{From: date(2026, 3, 5), Before: date(2026, 4, 10)},
		{From: date(2026, 2, 20), Before: date(2026, 5, 2), CampaignID: x.show},
		{From: date(2026, 3, 10), Before: date(2026, 3, 11)},
		{From: date(2026, 3, 10).Add(12 * time.Hour), OwnerID: x.repA.ID},
		{Before: date(2026, 3, 15), CategoryID: x.managed},
		{From: date(2026, 3, 9), Before: date(2026, 6, 1), CampaignID: x.show, CategoryID: x.project},
		{From: date(2026, 4, 1), Before: date(2026, 3, 1)},
		// Whole days at the ends from the daily rollups, bounds on days with
		// records (2026-03-10, and 2026-04-02 09:00 once the test adds one).
		{From: date(2026, 3, 10), Before: date(2026, 4, 2)},
		{From: date(2026, 3, 11), Before: date(2026, 4, 3), OwnerID: x.repA.ID},
		{From: date(2026, 2, 20), Before: date(2026, 4, 3), CategoryID: x.hardware},
		{From: date(2026, 4, 2).Add(9 * time.Hour)},
		{From: date(2026, 3, 10), Before: date(2026, 4, 2).Add(9 * time.Hour)},
		{Before: date(2026, 3, 11), CampaignID: x.webinar},
	} {
		rolled := reportsOf(t, x, f)
		models.UseReportRollups = false
		records := reportsOf(t, x, f)
		models.UseReportRollups = true
		if rolled != records {
			t.Errorf("after %s, filter %+v: the rollups read\n%s\nthe records\n%s", step, f, rolled, records)
		}
	}
}

// The reports read rollups that triggers keep in step with every change:
// new, edited, won, lost, reopened and reassigned opportunities, stage moves,
// quotes, lead conversion, lead status changes and deletions.
func TestReportRollupsFollowEveryChange(t *testing.T) {
	x := newRptFixture(t).standard()
	wantRollupsAgree(t, x, "the standard data")
	at := date(2026, 4, 2).Add(9 * time.Hour)

	// An opportunity entered directly, moved through the stages and edited.
	o := &models.Opportunity{Title: "Direct", OrganizationID: x.org.ID, OwnerID: x.repA.ID, StageID: stageByName(t, x.db, "Qualification").ID,
		Status: models.StatusActive, ProjectedCloseDate: date(2026, 7, 1), Revenue: models.Amounts{OneTime: 123456}, CategoryID: &x.hardware}
	if err := models.CreateOpportunity(x.db, o, x.repA, at); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "a new opportunity")
	for i, st := range []string{"Needs analysis", "Proposal"} {
		o.StageID = stageByName(t, x.db, st).ID
		if _, err := models.SaveOpportunity(x.db, o, o.Version, x.repA, at.AddDate(0, 0, 3*(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	wantRollupsAgree(t, x, "two stage moves")
	o.OwnerID, o.CategoryID, o.CampaignID = x.repB.ID, &x.project, &x.webinar
	if _, err := models.SaveOpportunity(x.db, o, o.Version, x.repA, at.AddDate(0, 0, 10)); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "a new owner, category and campaign")
	q := models.Quote{OpportunityID: o.ID, Name: "Offer", OwnerID: o.OwnerID, TermMonths: 12, EffectiveDate: at, ExpirationDate: at.AddDate(0, 1, 0)}
	if err := models.CreateQuote(x.db, &q); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "a quote")
	win := x.pick(models.WinReasons, "Relationship")
	if err := models.MarkWon(x.db, o, o.Version, models.OutcomeInput{ReasonID: win, Date: date(2026, 4, 20)}, x.repB, at.AddDate(0, 0, 18)); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "won")
	if err := models.Reopen(x.db, o, o.Version, "Customer changed their mind", x.repB, at.AddDate(0, 0, 20)); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "reopened")
	loss := x.pick(models.LossReasons, "Timing")
	comp := x.pick(models.Competitors, "Local MSP")
	if err := models.MarkLost(x.db, o, o.Version, models.OutcomeInput{ReasonID: loss, CompetitorID: &comp, Date: date(2026, 5, 2)}, x.repB, at.AddDate(0, 0, 30)); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "lost")

	// A qualified lead converted, another disqualified, a third deleted, all reassigned.
	var ls []models.Lead
	x.db.Where("status = ?", models.LeadQualified).Order("id").Find(&ls)
	if len(ls) < 3 {
		t.Fatalf("%d qualified leads", len(ls))
	}
	x.db.Model(&ls[0]).Updates(map[string]any{"need": true, "solution": true, "timeframe": true, "budget": true})
	if _, err := models.ConvertLead(x.db, ls[0].ID, x.repA, at); err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "a converted lead")
	if err := models.SetLeadStatus(x.db, &ls[1], models.LeadDisqualified, "No budget", x.repA, at); err != nil {
		t.Fatal(err)
	}
	if _, err := models.BulkAssignLeads(x.db, []uint{ls[1].ID, ls[2].ID}, x.repB.ID, x.repA, at); err != nil {
		t.Fatal(err)
	}
	if err := x.db.Delete(&models.Lead{}, ls[2].ID).Error; err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "lead status, owner and deletion")
	// The lead of o8 goes: o8 is now an opportunity without a lead.
	if err := x.db.Where("opportunity_id = ?", x.o["o8"].ID).Delete(&models.Lead{}).Error; err != nil {
		t.Fatal(err)
	}
	wantRollupsAgree(t, x, "a converted lead deleted")
	if c := funnel(t, x.db, models.ReportFilter{CategoryID: x.hardware}); c.Direct != 1 || c.Opportunities != 1 {
		t.Errorf("hardware after o8 lost its lead: %+v, want 1 opportunity, without a lead", c)
	}
}

// An opportunity entered without a lead is its own lead and qualified lead:
// the funnel counts it in both, so no stage holds more than the one before.
func TestReportFunnelCountsOpportunitiesWithoutALead(t *testing.T) {
	x := newRptFixture(t).standard()
	o := &models.Opportunity{Title: "Walk-in", OrganizationID: x.org.ID, OwnerID: x.repB.ID, StageID: x.stageOpen,
		Status: models.StatusActive, Probability: 50, ProjectedCloseDate: date(2026, 7, 1), Revenue: models.Amounts{OneTime: 5000},
		CampaignID: &x.show, CategoryID: &x.managed, Version: 1, CreatedAt: rptDay, UpdatedAt: rptDay}
	if err := x.db.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	wantFunnel(t, "all records", funnel(t, x.db, models.ReportFilter{}), models.FunnelCounts{
		Leads: 25, Qualified: 14, Direct: 1, // 24 and 13 leads as before, and the walk-in
		Opportunities: 9, Quoted: 5, Won: 3, Lost: 2, Open: 4,
		WonAmount: 290000, LostAmount: 100000, OpenAmount: 135001, OpenWeighted: 59501,
	})
	wantFunnel(t, "trade show, owner B", funnel(t, x.db, models.ReportFilter{CampaignID: x.show, OwnerID: x.repB.ID}), models.FunnelCounts{
		Leads: 7, Qualified: 5, Direct: 1, Opportunities: 3, Quoted: 1, Won: 1, Open: 2,
		WonAmount: 50000, OpenAmount: 15001, OpenWeighted: 7501,
	})
	wantFunnel(t, "webinar", funnel(t, x.db, models.ReportFilter{CampaignID: x.webinar}), models.FunnelCounts{
		Leads: 3, Qualified: 2, Opportunities: 1, Quoted: 1, Won: 1, WonAmount: 40000,
	})
	// A quote makes it quoted; the list behind the numbers finds it.
	q := models.Quote{OpportunityID: o.ID, Name: "Walk-in offer", OwnerID: o.OwnerID, TermMonths: 12, EffectiveDate: rptDay, ExpirationDate: rptDay.AddDate(0, 1, 0)}
	if err := models.CreateQuote(x.db, &q); err != nil {
		t.Fatal(err)
	}
	if c := funnel(t, x.db, models.ReportFilter{CampaignID: x.show}); c.Quoted != 5 || c.Direct != 1 {
		t.Errorf("trade show after the quote: %+v, want 5 quoted, 1 without a lead", c)
	}
	for _, lf := range []models.OppFilter{{NoLead: true}, {NoLead: true, Quoted: true, CampaignID: x.show}} {
		tot, err := models.TotalOpportunities(x.db, lf)
		if err != nil || tot.Count != 1 {
			t.Errorf("opportunity list %+v counts %d (%v), want the walk-in", lf, tot.Count, err)
		}
	}
	wantRollupsAgree(t, x, "a walk-in opportunity")
}
