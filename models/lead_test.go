package models_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// Fixed clock for the lead tests.
var ltNow = time.Date(2026, 5, 4, 14, 30, 0, 0, time.UTC)

func ltCampaign(t *testing.T, gdb *gorm.DB, name string, typ models.CampaignType, cost models.Money, owner *models.User) *models.Campaign {
	t.Helper()
	c := &models.Campaign{Name: name, Type: typ, Cost: cost, OwnerID: owner.ID}
	if err := gdb.Create(c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

// ltLead stores a lead through CreateLead (which records its first event).
func ltLead(t *testing.T, gdb *gorm.DB, l models.Lead, owner *models.User) *models.Lead {
	t.Helper()
	l.OwnerID = owner.ID
	if err := models.CreateLead(gdb, &l, owner, ltNow.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return &l
}

// ltQualified is a Qualified lead with all four criteria.
func ltQualified(t *testing.T, gdb *gorm.DB, person, company, email string, campaign *models.Campaign, owner *models.User) *models.Lead {
	t.Helper()
	l := models.Lead{PersonName: person, CompanyName: company, Email: email, Phone: "+1 555 0100", Status: models.LeadQualified,
		Need: true, Solution: true, Timeframe: true, Budget: true}
	if campaign != nil {
		l.CampaignID = &campaign.ID
	}
	return ltLead(t, gdb, l, owner)
}

func ltLoad(t *testing.T, gdb *gorm.DB, id uint) *models.Lead {
	t.Helper()
	l, err := models.LoadLead(gdb, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ltCount(t *testing.T, gdb *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := gdb.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func ltEvents(t *testing.T, gdb *gorm.DB, leadID uint) []models.LeadEvent {
	t.Helper()
	es, err := models.LeadEvents(gdb, leadID)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func ltStageID(t *testing.T, gdb *gorm.DB, name string) uint {
	t.Helper()
	var st models.Stage
	if err := gdb.Where("name = ?", name).First(&st).Error; err != nil {
		t.Fatalf("stage %q: %v", name, err)
	}
	return st.ID
}

func ltLeadSourceID(t *testing.T, gdb *gorm.DB, name string) uint {
	t.Helper()
	var v models.PicklistValue
	if err := gdb.Where("kind = ? AND name = ?", models.LeadSources, name).First(&v).Error; err != nil {
		t.Fatalf("lead source %q: %v", name, err)
	}
	return v.ID
}

// ltNothingWritten fails if a refused conversion left anything behind.
func ltNothingWritten(t *testing.T, gdb *gorm.DB, l *models.Lead, wantStatus models.LeadStatus, wantEvents int) {
	t.Helper()
	for _, c := range []struct {
		name  string
		model any
	}{{"organizations", &models.Organization{}}, {"contacts", &models.Contact{}}, {"opportunities", &models.Opportunity{}},
		{"opportunity history", &models.HistoryEntry{}}} {
		if n := ltCount(t, gdb, c.model, ""); n != 0 {
			t.Errorf("a refused conversion left %d %s", n, c.name)
		}
	}
	got := ltLoad(t, gdb, l.ID)
	if got.Status != wantStatus || got.OpportunityID != nil || got.ConvertedAt != nil {
		t.Errorf("lead after a refused conversion: status %q, opportunity %v, converted at %v; want %q and neither set",
			got.Status, got.OpportunityID, got.ConvertedAt, wantStatus)
	}
	if n := len(ltEvents(t, gdb, l.ID)); n != wantEvents {
		t.Errorf("lead has %d events after a refused conversion, want %d", n, wantEvents)
	}
}

func TestConvertLeadRefusesWhenCriteriaAreMissing(t *testing.T) {
	cases := []struct {
		name                              string
		need, solution, timeframe, budget bool
		want                              []string
	}{
		{"none", false, false, false, false, []string{"need", "solution", "timeframe", "budget"}},
		{"only need missing", false, true, true, true, []string{"need"}},
		{"only budget missing", true, true, true, false, []string{"budget"}},
		{"solution and timeframe missing", true, false, false, true, []string{"solution", "timeframe"}},
		{"three missing", false, true, false, false, []string{"need", "timeframe", "budget"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gdb := openDB(t)
			rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
			camp := ltCampaign(t, gdb, "Expo", "trade_show", 0, rep)
			l := ltLead(t, gdb, models.Lead{CampaignID: &camp.ID, PersonName: "Ada Lovelace", CompanyName: "Engines Ltd",
				Email: "ada@engines.example", Status: models.LeadQualified,
				Need: c.need, Solution: c.solution, Timeframe: c.timeframe, Budget: c.budget}, rep)

			opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
			var mce *models.MissingCriteriaError
			if !errors.As(err, &mce) {
				t.Fatalf("ConvertLead: err = %v, want *MissingCriteriaError", err)
			}
			if opp != nil {
				t.Errorf("a refused conversion returned an opportunity: %+v", opp)
			}
			if !reflect.DeepEqual(mce.Missing, c.want) {
				t.Errorf("missing = %q, want exactly %q", mce.Missing, c.want)
			}
			for _, crit := range []string{"need", "solution", "timeframe", "budget"} {
				named := strings.Contains(mce.Error(), crit)
				if want := ltContains(c.want, crit); named != want {
					t.Errorf("message %q names %q: %v, want %v", mce.Error(), crit, named, want)
				}
			}
			ltNothingWritten(t, gdb, l, models.LeadQualified, 1)
		})
	}
}

func ltContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestConvertLeadCreatesOrganizationContactAndOpportunity(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "mgr@example.com", models.RoleManager)
	camp := ltCampaign(t, gdb, "IT Expo 2026", "trade_show", 2400000, mgr)
	l := ltQualified(t, gdb, "Ada King Lovelace", "Analytical Engines Ltd", "ada@engines.example", camp, rep)
	l.NeedNote, l.BudgetNote = "  Ageing servers ", "Approved"
	if err := models.SaveLead(gdb, l); err != nil {
		t.Fatal(err)
	}

	opp, err := models.ConvertLead(gdb, l.ID, mgr, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if opp == nil || opp.ID == 0 {
		t.Fatalf("ConvertLead returned %+v", opp)
	}

	// Organization: new, a Prospect, owned by the lead's owner.
	var orgs []models.Organization
	gdb.Find(&orgs)
	if len(orgs) != 1 {
		t.Fatalf("%d organizations, want 1", len(orgs))
	}
	org := orgs[0]
	if org.Name != "Analytical Engines Ltd" || org.Type != "prospect" || org.OwnerID == nil || *org.OwnerID != rep.ID {
		t.Errorf("organization = %+v, want Analytical Engines Ltd, prospect, owned by the rep", org)
	}

	// Contact: the person's name split into first and last, with the e-mail.
	var contacts []models.Contact
	gdb.Find(&contacts)
	if len(contacts) != 1 {
		t.Fatalf("%d contacts, want 1", len(contacts))
	}
	ct := contacts[0]
	if ct.OrganizationID != org.ID || ct.FirstName != "Ada King" || ct.LastName != "Lovelace" || ct.Email != "ada@engines.example" {
		t.Errorf("contact = %+v, want Ada King / Lovelace / ada@engines.example in the new organization", ct)
	}

	// Opportunity.
	got, err := models.LoadOpportunity(gdb, opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerID != rep.ID {
		t.Errorf("opportunity owner %d, want the lead's owner %d (not the converting manager %d)", got.OwnerID, rep.ID, mgr.ID)
	}
	if got.OrganizationID != org.ID || got.ContactID == nil || *got.ContactID != ct.ID {
		t.Errorf("opportunity organization %d contact %v, want %d and %d", got.OrganizationID, got.ContactID, org.ID, ct.ID)
	}
	if got.CampaignID == nil || *got.CampaignID != camp.ID {
		t.Errorf("opportunity campaign %v, want %d", got.CampaignID, camp.ID)
	}
	if want := ltLeadSourceID(t, gdb, "Trade show"); got.LeadSourceID == nil || *got.LeadSourceID != want {
		t.Errorf("lead source %v, want the picklist value Trade show (%d)", got.LeadSourceID, want)
	}
	if !got.Need || !got.Solution || !got.Timeframe || !got.Budget {
		t.Errorf("criteria need %v solution %v timeframe %v budget %v, want all four", got.Need, got.Solution, got.Timeframe, got.Budget)
	}
	if got.StageID != ltStageID(t, gdb, "Qualification") || got.Probability != 10 {
		t.Errorf("stage %d probability %d, want Qualification at its default 10%%", got.StageID, got.Probability)
	}
	if got.Status != models.StatusActive || !got.IsOpen || got.Version != 1 {
		t.Errorf("status %q open %v version %d, want active, open, version 1", got.Status, got.IsOpen, got.Version)
	}
	// Named after the customer and the need, not the campaign: the title
	// becomes the quote's name, which the customer reads.
	if got.Title != "Analytical Engines Ltd — Ageing servers" {
		t.Errorf("title %q, want the company and the need", got.Title)
	}
	if got.Description != "Need: Ageing servers\nBudget: Approved" {
		t.Errorf("description %q, want the lead's notes", got.Description)
	}
	if want := time.Date(2026, 8, 4, 0, 0, 0, 0, time.UTC); !got.ProjectedCloseDate.Equal(want) {
		t.Errorf("projected close %v, want %v", got.ProjectedCloseDate, want)
	}

	// Lead: Converted, linked, dated.
	after := ltLoad(t, gdb, l.ID)
	if after.Status != models.LeadConverted || after.OpportunityID == nil || *after.OpportunityID != opp.ID ||
		after.ConvertedAt == nil || !after.ConvertedAt.Equal(ltNow) {
		t.Errorf("lead after conversion: status %q opportunity %v converted at %v", after.Status, after.OpportunityID, after.ConvertedAt)
	}
	es := ltEvents(t, gdb, l.ID)
	if len(es) != 2 {
		t.Fatalf("lead has %d events, want 2 (created, converted)", len(es))
	}
	ev := es[0]
	if ev.Field != "status" || ev.OldValue != "Qualified" || !strings.Contains(ev.NewValue, "Converted") ||
		!strings.Contains(ev.NewValue, got.Title) || ev.UserID == nil || *ev.UserID != mgr.ID || !ev.CreatedAt.Equal(ltNow) {
		t.Errorf("conversion event = %+v", ev)
	}

	// Opportunity history: created, stage and where it came from, by the converting user.
	hs, err := models.History(gdb, opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]models.HistoryEntry{}
	for _, h := range hs {
		if _, dup := fields[h.Field]; dup {
			t.Errorf("history field %q recorded twice", h.Field)
		}
		fields[h.Field] = h
		if h.UserID == nil || *h.UserID != mgr.ID || !h.CreatedAt.Equal(ltNow) {
			t.Errorf("history entry %q by %v at %v, want the manager at %v", h.Field, h.UserID, h.CreatedAt, ltNow)
		}
	}
	if len(fields) != 3 {
		t.Errorf("history fields %v, want created, stage, lead", fields)
	}
	if h, ok := fields["created"]; !ok || h.NewValue != got.Title {
		t.Errorf("created entry %+v", h)
	}
	if h, ok := fields["stage"]; !ok || h.NewValue != "Qualification" {
		t.Errorf("stage entry %+v", h)
	}
	if h, ok := fields["lead"]; !ok || !strings.Contains(h.NewValue, "Ada King Lovelace") || !strings.Contains(h.NewValue, "IT Expo 2026") {
		t.Errorf("lead entry %+v, want the lead's name and campaign", h)
	}
	// A lead has no amounts: the deal takes its quote's.
	q := models.Quote{OpportunityID: got.ID, OwnerID: rep.ID, Name: got.Title, EffectiveDate: ltNow, ExpirationDate: ltNow.AddDate(0, 1, 0), TermMonths: 12,
		Items: []models.QuoteItem{{Kind: models.KindProduct, Name: "Server", Quantity: 2 * models.QuantityScale, UnitPrice: 4_000_00, UnitCost: 3_000_00, Period: models.OneTime}}}
	if err := models.CreateQuote(gdb, &q); err != nil {
		t.Fatal(err)
	}
	var quoted models.Opportunity
	if err := gdb.First(&quoted, got.ID).Error; err != nil {
		t.Fatal(err)
	}
	if !got.UseQuoteTotals || quoted.Amount != 8_000_00 || quoted.Cost.FirstYear() != 6_000_00 {
		t.Errorf("quoted converted deal: uses quote totals %v, amount %v, cost %v; want the quote's 8,000.00 and 6,000.00", got.UseQuoteTotals, quoted.Amount, quoted.Cost.FirstYear())
	}
}

func TestConvertLeadLeadSourceFollowsCampaignType(t *testing.T) {
	for _, c := range []struct {
		typ  models.CampaignType
		want string
	}{
		{"trade_show", "Trade show"},
		{"webinar", "Webinar"},
		{"email", "E-mail campaign"},
		{"referral", "Referral"},
		{"other", "Other"},
	} {
		t.Run(string(c.typ), func(t *testing.T) {
			gdb := openDB(t)
			rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
			camp := ltCampaign(t, gdb, "Campaign", c.typ, 0, rep)
			l := ltQualified(t, gdb, "Bo Chen", "Chen & Co", "bo@chen.example", camp, rep)
			opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
			if err != nil {
				t.Fatal(err)
			}
			if want := ltLeadSourceID(t, gdb, c.want); opp.LeadSourceID == nil || *opp.LeadSourceID != want {
				t.Fatalf("lead source %v, want %q (%d)", opp.LeadSourceID, c.want, want)
			}
		})
	}

	t.Run("source removed by an admin is recreated", func(t *testing.T) {
		gdb := openDB(t)
		rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
		old := ltLeadSourceID(t, gdb, "Webinar")
		if err := gdb.Delete(&models.PicklistValue{}, old).Error; err != nil {
			t.Fatal(err)
		}
		camp := ltCampaign(t, gdb, "Webinar", "webinar", 0, rep)
		l := ltQualified(t, gdb, "Bo Chen", "Chen & Co", "bo@chen.example", camp, rep)
		opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
		if err != nil {
			t.Fatal(err)
		}
		if want := ltLeadSourceID(t, gdb, "Webinar"); opp.LeadSourceID == nil || *opp.LeadSourceID != want || want == old {
			t.Fatalf("lead source %v, want a recreated Webinar value", opp.LeadSourceID)
		}
	})

	t.Run("no campaign, no lead source", func(t *testing.T) {
		gdb := openDB(t)
		rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
		l := ltQualified(t, gdb, "Bo Chen", "Chen & Co", "bo@chen.example", nil, rep)
		opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
		if err != nil {
			t.Fatal(err)
		}
		if opp.LeadSourceID != nil || opp.CampaignID != nil || opp.Title != "Chen & Co" {
			t.Fatalf("opportunity without campaign: source %v campaign %v title %q", opp.LeadSourceID, opp.CampaignID, opp.Title)
		}
	})
}

func TestConvertLeadReusesOrganizationAndContact(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	other := models.Organization{Name: "ACME Corporation Europe", Type: "customer"}
	acme := models.Organization{Name: "ACME Corporation", Type: "customer"}
	for _, o := range []*models.Organization{&other, &acme} {
		if err := gdb.Create(o).Error; err != nil {
			t.Fatal(err)
		}
	}
	existing := models.Contact{OrganizationID: acme.ID, FirstName: "Wile", LastName: "Coyote", Email: "wile@acme.example"}
	if err := gdb.Create(&existing).Error; err != nil {
		t.Fatal(err)
	}
	l := ltQualified(t, gdb, "Wile E. Coyote", "  acme corporation ", "wile@acme.example", nil, rep)

	opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if opp.OrganizationID != acme.ID {
		t.Errorf("opportunity organization %d, want the existing ACME Corporation %d", opp.OrganizationID, acme.ID)
	}
	if opp.ContactID == nil || *opp.ContactID != existing.ID {
		t.Errorf("opportunity contact %v, want the existing contact %d", opp.ContactID, existing.ID)
	}
	if n := ltCount(t, gdb, &models.Organization{}, ""); n != 2 {
		t.Errorf("%d organizations, want the 2 that existed", n)
	}
	if n := ltCount(t, gdb, &models.Contact{}, ""); n != 1 {
		t.Errorf("%d contacts, want the 1 that existed", n)
	}
	var org models.Organization
	gdb.First(&org, acme.ID)
	if org.Type != "customer" || org.Name != "ACME Corporation" {
		t.Errorf("the reused organization was changed: %+v", org)
	}

	// A second lead of the same company with another person adds a contact to the same organization.
	l2 := ltQualified(t, gdb, "Road Runner", "Acme Corporation", "beep@acme.example", nil, rep)
	opp2, err := models.ConvertLead(gdb, l2.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	var ct models.Contact
	if opp2.OrganizationID != acme.ID || opp2.ContactID == nil || gdb.First(&ct, *opp2.ContactID).Error != nil ||
		ct.OrganizationID != acme.ID || ct.FirstName != "Road" || ct.LastName != "Runner" {
		t.Errorf("second lead: organization %d contact %+v", opp2.OrganizationID, ct)
	}
}

func TestConvertLeadReusesOrganizationWithNonASCIIName(t *testing.T) {
	for _, company := range []string{"Ökotec GmbH", "ÖKOTEC GMBH", "ökotec gmbh"} {
		t.Run(company, func(t *testing.T) {
			gdb := openDB(t)
			rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
			org := models.Organization{Name: "Ökotec GmbH", Type: "customer"}
			if err := gdb.Create(&org).Error; err != nil {
				t.Fatal(err)
			}
			l := ltQualified(t, gdb, "Jürgen Müller", company, "j@oekotec.example", nil, rep)
			opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
			if err != nil {
				t.Fatal(err)
			}
			if n := ltCount(t, gdb, &models.Organization{}, ""); opp.OrganizationID != org.ID || n != 1 {
				t.Fatalf("opportunity organization %d, want the existing %d; %d organizations, want 1", opp.OrganizationID, org.ID, n)
			}
		})
	}
}

func TestConvertLeadUsesFirstActiveOpenStage(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	if err := gdb.Model(&models.Stage{}).Where("name = ?", "Qualification").Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	l := ltQualified(t, gdb, "Ann Archer", "Archers", "ann@archers.example", nil, rep)
	opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if opp.StageID != ltStageID(t, gdb, "Needs analysis") || opp.Probability != 25 {
		t.Errorf("with Qualification inactive: stage %d probability %d, want Needs analysis at 25%%", opp.StageID, opp.Probability)
	}

	// The order is the stages' position, not their id.
	if err := gdb.Model(&models.Stage{}).Where("name = ?", "Proposal").Update("position", 0).Error; err != nil {
		t.Fatal(err)
	}
	l2 := ltQualified(t, gdb, "Ben Baker", "Bakers", "ben@bakers.example", nil, rep)
	opp2, err := models.ConvertLead(gdb, l2.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if opp2.StageID != ltStageID(t, gdb, "Proposal") {
		t.Errorf("with Proposal moved first: stage %d, want Proposal", opp2.StageID)
	}
}

func TestConvertLeadIsAllOrNothing(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	camp := ltCampaign(t, gdb, "Expo", "trade_show", 0, rep)
	l := ltQualified(t, gdb, "Ann Archer", "Archers", "ann@archers.example", camp, rep)
	// The organization and the contact are created before the stage is looked up.
	if err := gdb.Model(&models.Stage{}).Where("is_won = ? AND is_lost = ?", false, false).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}

	opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
	if !errors.Is(err, models.ErrNoStage) || opp != nil {
		t.Fatalf("ConvertLead with no active open stage: opp %v err %v, want ErrNoStage", opp, err)
	}
	ltNothingWritten(t, gdb, l, models.LeadQualified, 1)

	// Once a stage is active again the same lead converts.
	if err := gdb.Model(&models.Stage{}).Where("name = ?", "Proposal").Update("active", true).Error; err != nil {
		t.Fatal(err)
	}
	opp, err = models.ConvertLead(gdb, l.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if opp.StageID != ltStageID(t, gdb, "Proposal") || ltCount(t, gdb, &models.Organization{}, "") != 1 {
		t.Fatalf("conversion after the failure: stage %d, %d organizations", opp.StageID, ltCount(t, gdb, &models.Organization{}, ""))
	}
}

func TestConvertLeadOnlyOnce(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	l := ltQualified(t, gdb, "Ann Archer", "Archers", "ann@archers.example", nil, rep)
	first, err := models.ConvertLead(gdb, l.ID, rep, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	opp, err := models.ConvertLead(gdb, l.ID, rep, ltNow.Add(time.Minute))
	if !errors.Is(err, models.ErrAlreadyConverted) || opp != nil {
		t.Fatalf("second ConvertLead: opp %v err %v, want ErrAlreadyConverted", opp, err)
	}
	if n := ltCount(t, gdb, &models.Opportunity{}, ""); n != 1 {
		t.Fatalf("%d opportunities after converting twice, want 1", n)
	}
	if n := ltCount(t, gdb, &models.Organization{}, ""); n != 1 {
		t.Errorf("%d organizations, want 1", n)
	}
	if n := ltCount(t, gdb, &models.Contact{}, ""); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
	after := ltLoad(t, gdb, l.ID)
	if after.OpportunityID == nil || *after.OpportunityID != first.ID || !after.ConvertedAt.Equal(ltNow) {
		t.Errorf("lead after the second call: opportunity %v converted at %v", after.OpportunityID, after.ConvertedAt)
	}
	if n := len(ltEvents(t, gdb, l.ID)); n != 2 {
		t.Errorf("lead has %d events, want 2", n)
	}
}

func TestConvertLeadConcurrentlyMakesOneOpportunity(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	l := ltQualified(t, gdb, "Ann Archer", "Archers", "ann@archers.example", nil, rep)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = models.ConvertLead(gdb, l.ID, rep, ltNow)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, models.ErrAlreadyConverted):
			t.Errorf("concurrent ConvertLead: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d conversions succeeded, want 1", ok)
	}
	if c := ltCount(t, gdb, &models.Opportunity{}, ""); c != 1 {
		t.Errorf("%d opportunities, want 1", c)
	}
	if c := ltCount(t, gdb, &models.Organization{}, ""); c != 1 {
		t.Errorf("%d organizations, want 1", c)
	}
}

func TestSetLeadStatus(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	l := ltLead(t, gdb, models.Lead{PersonName: "Ann Archer", Email: "ann@archers.example"}, rep)
	if l.Status != models.LeadNew {
		t.Fatalf("a new lead has status %q", l.Status)
	}
	at := func(h int) time.Time { return ltNow.Add(time.Duration(h) * time.Hour) }
	wantDB := func(status models.LeadStatus, reason string, events int) {
		t.Helper()
		got := ltLoad(t, gdb, l.ID)
		if got.Status != status || got.DisqualifyReason != reason {
			t.Fatalf("stored status %q reason %q, want %q %q", got.Status, got.DisqualifyReason, status, reason)
		}
		if n := len(ltEvents(t, gdb, l.ID)); n != events {
			t.Fatalf("%d lead events, want %d", n, events)
		}
	}
	wantDB(models.LeadNew, "", 1)

	for _, reason := range []string{"", "   \t"} {
		if err := models.SetLeadStatus(gdb, l, models.LeadDisqualified, reason, rep, at(1)); !errors.Is(err, models.ErrReasonNeeded) {
			t.Fatalf("disqualify with reason %q: err = %v, want ErrReasonNeeded", reason, err)
		}
	}
	if err := models.SetLeadStatus(gdb, l, models.LeadConverted, "", rep, at(1)); err == nil {
		t.Fatal("SetLeadStatus set Converted")
	}
	if err := models.SetLeadStatus(gdb, l, "won", "", rep, at(1)); err == nil {
		t.Fatal("SetLeadStatus set an unknown status")
	}
	if l.Status != models.LeadNew {
		t.Fatalf("refused changes altered the lead in memory: %q", l.Status)
	}
	wantDB(models.LeadNew, "", 1)

	if err := models.SetLeadStatus(gdb, l, models.LeadQualified, "ignored", rep, at(2)); err != nil {
		t.Fatal(err)
	}
	wantDB(models.LeadQualified, "", 2)
	ev := ltEvents(t, gdb, l.ID)[0]
	if ev.Field != "status" || ev.OldValue != "New" || ev.NewValue != "Qualified" || ev.UserID == nil || *ev.UserID != rep.ID || !ev.CreatedAt.Equal(at(2)) {
		t.Fatalf("qualify event = %+v", ev)
	}

	// Setting the status it already has records nothing.
	if err := models.SetLeadStatus(gdb, l, models.LeadQualified, "", rep, at(3)); err != nil {
		t.Fatal(err)
	}
	wantDB(models.LeadQualified, "", 2)

	if err := models.SetLeadStatus(gdb, l, models.LeadDisqualified, "  no budget this year ", rep, at(4)); err != nil {
		t.Fatal(err)
	}
	wantDB(models.LeadDisqualified, "no budget this year", 3)
	ev = ltEvents(t, gdb, l.ID)[0]
	if ev.OldValue != "Qualified" || ev.NewValue != "Disqualified: no budget this year" {
		t.Fatalf("disqualify event = %+v", ev)
	}

	// Back to New clears the reason.
	if err := models.SetLeadStatus(gdb, l, models.LeadNew, "", rep, at(5)); err != nil {
		t.Fatal(err)
	}
	wantDB(models.LeadNew, "", 4)
	if ev = ltEvents(t, gdb, l.ID)[0]; ev.OldValue != "Disqualified" || ev.NewValue != "New" {
		t.Fatalf("reopen event = %+v", ev)
	}
}

func TestSetLeadStatusRefusesConvertedLead(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	l := ltQualified(t, gdb, "Ann Archer", "Archers", "ann@archers.example", nil, rep)
	stale := *l // loaded before the conversion: still Qualified in memory
	if _, err := models.ConvertLead(gdb, l.ID, rep, ltNow); err != nil {
		t.Fatal(err)
	}
	fresh := ltLoad(t, gdb, l.ID)
	for _, c := range []struct {
		name string
		l    *models.Lead
	}{{"fresh", fresh}, {"stale copy", &stale}} {
		for _, st := range []models.LeadStatus{models.LeadNew, models.LeadQualified, models.LeadDisqualified} {
			if err := models.SetLeadStatus(gdb, c.l, st, "changed my mind", rep, ltNow.Add(time.Hour)); !errors.Is(err, models.ErrAlreadyConverted) {
				t.Errorf("%s: set %s on a converted lead: err = %v, want ErrAlreadyConverted", c.name, st, err)
			}
		}
	}
	got := ltLoad(t, gdb, l.ID)
	if got.Status != models.LeadConverted || got.DisqualifyReason != "" || got.OpportunityID == nil {
		t.Errorf("converted lead changed: %+v", got)
	}
	if n := len(ltEvents(t, gdb, l.ID)); n != 2 {
		t.Errorf("%d events, want 2 (created, converted)", n)
	}
}

// ltBulkFixture: two reps, their leads, one of rep1's converted.
type ltBulkFixture struct {
	gdb                       *gorm.DB
	rep1, rep2, mgr, inactive *models.User
	own1, own2, other, conv   *models.Lead // own2 is already Qualified
}

func ltBulk(t *testing.T) ltBulkFixture {
	t.Helper()
	gdb := openDB(t)
	f := ltBulkFixture{gdb: gdb,
		rep1: mkUser(t, gdb, "rep1@example.com", models.RoleRep),
		rep2: mkUser(t, gdb, "rep2@example.com", models.RoleRep),
		mgr:  mkUser(t, gdb, "mgr@example.com", models.RoleManager)}
	f.inactive = mkUser(t, gdb, "gone@example.com", models.RoleRep)
	if err := gdb.Model(f.inactive).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	f.own1 = ltLead(t, gdb, models.Lead{PersonName: "Ann Archer", Email: "ann@x.example"}, f.rep1)
	f.own2 = ltLead(t, gdb, models.Lead{PersonName: "Ben Baker", Email: "ben@x.example", Status: models.LeadQualified}, f.rep1)
	f.other = ltLead(t, gdb, models.Lead{PersonName: "Cy Cole", Email: "cy@x.example"}, f.rep2)
	f.conv = ltQualified(t, gdb, "Dee Dunn", "Dunn Ltd", "dee@x.example", nil, f.rep1)
	if _, err := models.ConvertLead(gdb, f.conv.ID, f.rep1, ltNow); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f ltBulkFixture) ids() []uint { return []uint{f.own1.ID, f.own2.ID, f.other.ID, f.conv.ID} }

func TestBulkAssignLeads(t *testing.T) {
	f := ltBulk(t)
	// rep2 already owns "other"; the converted lead is left out here (see the next test).
	n, err := models.BulkAssignLeads(f.gdb, []uint{f.own1.ID, f.own2.ID, f.other.ID}, f.rep2.ID, f.mgr, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("BulkAssignLeads changed %d, want 2 (rep2 already owns one)", n)
	}
	for _, l := range []*models.Lead{f.own1, f.own2, f.other} {
		if got := ltLoad(t, f.gdb, l.ID); got.OwnerID != f.rep2.ID {
			t.Errorf("lead %s owned by %d, want rep2", l.PersonName, got.OwnerID)
		}
	}
	for _, l := range []*models.Lead{f.own1, f.own2} {
		ev := ltEvents(t, f.gdb, l.ID)[0]
		if ev.Field != "owner" || ev.OldValue != f.rep1.Name || ev.NewValue != f.rep2.Name || ev.UserID == nil || *ev.UserID != f.mgr.ID {
			t.Errorf("assign event of %s = %+v", l.PersonName, ev)
		}
	}
	if c := len(ltEvents(t, f.gdb, f.other.ID)); c != 1 {
		t.Errorf("a lead already owned by rep2 got %d events, want 1", c)
	}

	// An inactive or unknown owner is refused and nothing changes.
	for _, owner := range []uint{f.inactive.ID, 9999} {
		if _, err := models.BulkAssignLeads(f.gdb, []uint{f.own1.ID}, owner, f.mgr, ltNow); err == nil {
			t.Errorf("assigning to user %d succeeded", owner)
		}
	}
	if got := ltLoad(t, f.gdb, f.own1.ID); got.OwnerID != f.rep2.ID {
		t.Errorf("a refused assignment changed the owner to %d", got.OwnerID)
	}
}

func TestBulkAssignLeadsLeavesConvertedLeads(t *testing.T) {
	f := ltBulk(t)
	n, err := models.BulkAssignLeads(f.gdb, f.ids(), f.rep2.ID, f.mgr, ltNow)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("BulkAssignLeads changed %d, want 2 (own1, own2)", n)
	}
	if got := ltLoad(t, f.gdb, f.conv.ID); got.OwnerID != f.rep1.ID {
		t.Errorf("the converted lead now belongs to %d, want rep1 (%d)", got.OwnerID, f.rep1.ID)
	}
	if c := len(ltEvents(t, f.gdb, f.conv.ID)); c != 2 {
		t.Errorf("the converted lead has %d events, want 2", c)
	}
}

func TestBulkLeadStatus(t *testing.T) {
	t.Run("a rep changes only their own leads", func(t *testing.T) {
		f := ltBulk(t)
		n, err := models.BulkLeadStatus(f.gdb, f.ids(), models.LeadQualified, "", f.rep1, ltNow)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("changed %d, want 1 (own1; own2 is already qualified, other is rep2's, conv is converted)", n)
		}
		want := map[uint]models.LeadStatus{f.own1.ID: models.LeadQualified, f.own2.ID: models.LeadQualified,
			f.other.ID: models.LeadNew, f.conv.ID: models.LeadConverted}
		for id, st := range want {
			if got := ltLoad(t, f.gdb, id); got.Status != st {
				t.Errorf("lead %d: status %q, want %q", id, got.Status, st)
			}
		}
		for id, events := range map[uint]int{f.own1.ID: 2, f.own2.ID: 1, f.other.ID: 1, f.conv.ID: 2} {
			if c := len(ltEvents(t, f.gdb, id)); c != events {
				t.Errorf("lead %d: %d events, want %d", id, c, events)
			}
		}
	})

	t.Run("a manager changes everyone's, never a converted lead", func(t *testing.T) {
		f := ltBulk(t)
		n, err := models.BulkLeadStatus(f.gdb, f.ids(), models.LeadDisqualified, "Wrong industry", f.mgr, ltNow)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("changed %d, want 3", n)
		}
		for _, l := range []*models.Lead{f.own1, f.own2, f.other} {
			got := ltLoad(t, f.gdb, l.ID)
			if got.Status != models.LeadDisqualified || got.DisqualifyReason != "Wrong industry" {
				t.Errorf("%s: %q %q", l.PersonName, got.Status, got.DisqualifyReason)
			}
			ev := ltEvents(t, f.gdb, l.ID)[0]
			if ev.NewValue != "Disqualified: Wrong industry" || ev.UserID == nil || *ev.UserID != f.mgr.ID {
				t.Errorf("%s: event %+v", l.PersonName, ev)
			}
		}
		if got := ltLoad(t, f.gdb, f.conv.ID); got.Status != models.LeadConverted || got.DisqualifyReason != "" {
			t.Errorf("converted lead changed: %q %q", got.Status, got.DisqualifyReason)
		}
	})

	t.Run("disqualifying without a reason changes nothing", func(t *testing.T) {
		f := ltBulk(t)
		n, err := models.BulkLeadStatus(f.gdb, f.ids(), models.LeadDisqualified, " ", f.mgr, ltNow)
		if !errors.Is(err, models.ErrReasonNeeded) {
			t.Fatalf("err = %v, want ErrReasonNeeded", err)
		}
		_ = n
		if c := ltCount(t, f.gdb, &models.Lead{}, "status = ?", models.LeadDisqualified); c != 0 {
			t.Errorf("%d leads disqualified without a reason", c)
		}
	})

	t.Run("converted cannot be set in bulk", func(t *testing.T) {
		f := ltBulk(t)
		if _, err := models.BulkLeadStatus(f.gdb, f.ids(), models.LeadConverted, "", f.mgr, ltNow); err == nil {
			t.Fatal("BulkLeadStatus set Converted")
		}
		if c := ltCount(t, f.gdb, &models.Lead{}, "status = ?", models.LeadConverted); c != 1 {
			t.Errorf("%d converted leads, want 1", c)
		}
	})
}

func TestCampaignFunnel(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	show := ltCampaign(t, gdb, "Expo", "trade_show", 1000000, rep)
	other := ltCampaign(t, gdb, "Webinar", "webinar", 0, rep)

	empty, err := models.CampaignFunnel(gdb, show.ID)
	if err != nil {
		t.Fatal(err)
	}
	if empty != (models.CampaignResults{}) {
		t.Fatalf("funnel of a campaign without leads = %+v", empty)
	}

	mk := func(c *models.Campaign, name string, st models.LeadStatus) *models.Lead {
		return ltLead(t, gdb, models.Lead{CampaignID: &c.ID, PersonName: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@x.example", Status: st}, rep)
	}
	for _, n := range []string{"N1 A", "N2 A", "N3 A"} {
		mk(show, n, models.LeadNew)
	}
	mk(show, "Q1 A", models.LeadQualified)
	mk(show, "Q2 A", models.LeadQualified)
	mk(show, "D1 A", models.LeadDisqualified)
	for _, n := range []string{"C1 A", "C2 A"} {
		l := ltQualified(t, gdb, n, n+" Ltd", strings.ReplaceAll(n, " ", ".")+"@x.example", show, rep)
		if _, err := models.ConvertLead(gdb, l.ID, rep, ltNow); err != nil {
			t.Fatal(err)
		}
	}
	// Another campaign's leads and opportunities do not count.
	mk(other, "Other Lead", models.LeadQualified)
	ol := ltQualified(t, gdb, "Other Conv", "Other Ltd", "oc@x.example", other, rep)
	if _, err := models.ConvertLead(gdb, ol.ID, rep, ltNow); err != nil {
		t.Fatal(err)
	}

	// Opportunities linked to the campaign directly, in every state.
	org := models.Organization{Name: "Direct", Type: "customer"}
	gdb.Create(&org)
	mkOpp := func(c *models.Campaign, st models.OppStatus, revenue models.Amounts) {
		o := &models.Opportunity{Title: string(st), OrganizationID: org.ID, OwnerID: rep.ID, StageID: ltStageID(t, gdb, "Proposal"),
			Status: st, ProjectedCloseDate: ltNow, Revenue: revenue}
		if c != nil {
			o.CampaignID = &c.ID
		}
		if err := models.CreateOpportunity(gdb, o, rep, ltNow); err != nil {
			t.Fatal(err)
		}
	}
	mkOpp(show, models.StatusClosed, models.Amounts{OneTime: 500000, Monthly: 10000}) // 620000
	mkOpp(show, models.StatusImplemented, models.Amounts{OneTime: 123456})
	mkOpp(show, models.StatusLost, models.Amounts{OneTime: 999999})
	mkOpp(show, models.StatusNotReady, models.Amounts{OneTime: 1})
	mkOpp(other, models.StatusClosed, models.Amounts{OneTime: 777777})
	mkOpp(nil, models.StatusClosed, models.Amounts{OneTime: 888888})

	got, err := models.CampaignFunnel(gdb, show.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := models.CampaignResults{Leads: 8, New: 3, Qualified: 4, Disqualified: 1, Converted: 2,
		Opportunities: 6, Open: 3, Won: 2, Lost: 1, WonRevenue: 620000 + 123456}
	if got != want {
		t.Fatalf("funnel\n got %+v\nwant %+v", got, want)
	}
	if r, ok := got.ROIPercent(show.Cost); !ok || r != 74 { // 743456 / 1000000 = 74.3 %
		t.Errorf("ROI = %d %v, want 74 true", r, ok)
	}
	if c := got.CostPer(show.Cost, got.Leads); c != 125000 {
		t.Errorf("cost per lead = %d, want 125000", c)
	}
}

func TestCampaignCostPerRoundsHalfUp(t *testing.T) {
	var r models.CampaignResults
	for _, c := range []struct {
		cost models.Money
		n    int64
		want models.Money
	}{
		{0, 0, 0},
		{100000, 0, 0}, // nothing to divide by
		{0, 7, 0},
		{100000, 4, 25000},
		{1000, 3, 333},        // 333.33
		{2000, 3, 667},        // 666.67
		{5, 2, 3},             // 2.5 → 3
		{7, 2, 4},             // 3.5 → 4
		{3, 2, 2},             // 1.5 → 2
		{1, 3, 0},             // 0.33
		{2, 3, 1},             // 0.67
		{100, 200, 1},         // 0.5 → 1
		{99, 200, 0},          // 0.495
		{2400000, 147, 16327}, // 16326.53
		{2400000, 14, 171429}, // 171428.57
		{models.MaxMoney, 3, 3333333333333},
	} {
		if got := r.CostPer(c.cost, c.n); got != c.want {
			t.Errorf("CostPer(%d, %d) = %d, want %d", c.cost, c.n, got, c.want)
		}
	}
}

func TestCampaignROIPercent(t *testing.T) {
	for _, c := range []struct {
		won, cost models.Money
		want      int64
		ok        bool
	}{
		{100000, 0, 0, false},
		{100000, -5, 0, false},
		{0, 100000, 0, true},
		{150000, 100000, 150, true},
		{1, 200, 1, true},               // 0.5 % → 1
		{1, 201, 0, true},               // 0.4975 %
		{2, 3, 67, true},                // 66.67 %
		{1, 3, 33, true},                // 33.33 %
		{5, 1000, 1, true},              // 0.5 % → 1
		{4, 1000, 0, true},              // 0.4 %
		{34500000, 2400000, 1438, true}, // 1437.5 % → 1438
	} {
		r := models.CampaignResults{WonRevenue: c.won}
		got, ok := r.ROIPercent(c.cost)
		if got != c.want || ok != c.ok {
			t.Errorf("ROIPercent(won %d, cost %d) = %d %v, want %d %v", c.won, c.cost, got, ok, c.want, c.ok)
		}
	}
}

func TestFirstLineCutsAtAWord(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"  Ageing servers \nmore": "Ageing servers",
		"Replace the firewalls at all three sites before the audit in spring": "Replace the firewalls at all…",
		"Supercalifragilisticexpialidocious-and-more":                         "Supercalifragilisticexpialido…",
		"Ünïcödé firewalls everywhere, now":                                   "Ünïcödé firewalls…",
	} {
		if got := models.FirstLine(in, 30); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}
