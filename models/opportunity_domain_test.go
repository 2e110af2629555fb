package models_test

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// Fixed clock for the opportunity tests.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func stageByName(t *testing.T, gdb *gorm.DB, name string) models.Stage {
	t.Helper()
	var st models.Stage
	if err := gdb.Where("name = ?", name).First(&st).Error; err != nil {
		t.Fatalf("stage %q: %v", name, err)
	}
	return st
}

func pickID(t *testing.T, gdb *gorm.DB, kind models.PicklistKind, name string) uint {
	t.Helper()
	var v models.PicklistValue
	if err := gdb.Where("kind = ? AND name = ?", kind, name).First(&v).Error; err != nil {
		t.Fatalf("picklist %s %q: %v", kind, name, err)
	}
	return v.ID
}

func deactivatePick(t *testing.T, gdb *gorm.DB, id uint) {
	t.Helper()
	if err := gdb.Model(&models.PicklistValue{}).Where("id = ?", id).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
}

func mkOrg(t *testing.T, gdb *gorm.DB, name string) *models.Organization {
	t.Helper()
	org := &models.Organization{Name: name, Type: "customer"}
	if err := gdb.Create(org).Error; err != nil {
		t.Fatal(err)
	}
	return org
}

// createOpp stores an open opportunity through CreateOpportunity.
func createOpp(t *testing.T, gdb *gorm.DB, title string, org *models.Organization, owner *models.User, stage string, now time.Time) *models.Opportunity {
	t.Helper()
	o := &models.Opportunity{Title: title, OrganizationID: org.ID, OwnerID: owner.ID,
		StageID: stageByName(t, gdb, stage).ID, Status: models.StatusActive,
		ProjectedCloseDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}
	if err := models.CreateOpportunity(gdb, o, owner, now); err != nil {
		t.Fatal(err)
	}
	return reload(t, gdb, o.ID)
}

func reload(t *testing.T, gdb *gorm.DB, id uint) *models.Opportunity {
	t.Helper()
	o, err := models.LoadOpportunity(gdb, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func historyOf(t *testing.T, gdb *gorm.DB, id uint) []models.HistoryEntry {
	t.Helper()
	hs, err := models.History(gdb, id)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// atVersion returns the history entries of one version by field, failing on a
// field recorded twice.
func atVersion(t *testing.T, hs []models.HistoryEntry, version int) map[string]models.HistoryEntry {
	t.Helper()
	out := map[string]models.HistoryEntry{}
	for _, h := range hs {
		if h.Version != version {
			continue
		}
		if _, dup := out[h.Field]; dup {
			t.Fatalf("field %q recorded twice in version %d", h.Field, version)
		}
		out[h.Field] = h
	}
	return out
}

func fieldsOf(m map[string]models.HistoryEntry) string {
	var fs []string
	for f := range m {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return strings.Join(fs, ",")
}

func wantFields(t *testing.T, m map[string]models.HistoryEntry, fields ...string) {
	t.Helper()
	sort.Strings(fields)
	if got, want := fieldsOf(m), strings.Join(fields, ","); got != want {
		t.Fatalf("history fields = %s, want %s", got, want)
	}
}

func wantChange(t *testing.T, m map[string]models.HistoryEntry, field, old, new string) {
	t.Helper()
	h, ok := m[field]
	if !ok {
		t.Fatalf("no history entry for %q (have %s)", field, fieldsOf(m))
	}
	if h.OldValue != old || h.NewValue != new {
		t.Fatalf("%s: %q → %q, want %q → %q", field, h.OldValue, h.NewValue, old, new)
	}
}

func countHistory(t *testing.T, gdb *gorm.DB, id uint) int64 {
	t.Helper()
	var n int64
	if err := gdb.Model(&models.HistoryEntry{}).Where("opportunity_id = ?", id).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func sameTime(a *time.Time, b time.Time) bool { return a != nil && a.Equal(b) }

func TestCreateOpportunitySetsVersionProbabilityAndHistory(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Acme")
	proposal := stageByName(t, gdb, "Proposal")

	o := &models.Opportunity{Title: "Servers", OrganizationID: org.ID, OwnerID: rep.ID, StageID: proposal.ID,
		Status: models.StatusActive, Probability: 90, ProjectedCloseDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
		Revenue: models.Amounts{OneTime: 100000, Quarterly: 5000}}
	if err := models.CreateOpportunity(gdb, o, rep, t0); err != nil {
		t.Fatal(err)
	}
	got := reload(t, gdb, o.ID)
	if got.Version != 1 || got.Probability != 50 || !sameTime(got.StageChangedAt, t0) || got.Amount != 120000 {
		t.Fatalf("created: version %d probability %d stage changed %v amount %d; want 1, 50 (stage default), %v, 120000",
			got.Version, got.Probability, got.StageChangedAt, got.Amount, t0)
	}
	hs := historyOf(t, gdb, o.ID)
	v1 := atVersion(t, hs, 1)
	wantFields(t, v1, "created", "stage")
	wantChange(t, v1, "created", "", "Servers")
	wantChange(t, v1, "stage", "", "Proposal")
	if st := v1["stage"]; st.NewRef == nil || *st.NewRef != int64(proposal.ID) || st.OldRef != nil {
		t.Fatalf("stage entry refs: old %v new %v", st.OldRef, st.NewRef)
	}
	for _, h := range hs {
		if h.UserID == nil || *h.UserID != rep.ID || !h.CreatedAt.Equal(t0) || h.Version != 1 {
			t.Fatalf("history entry %+v: want user %d, version 1, at %v", h, rep.ID, t0)
		}
	}

	// With the override the rep's probability is kept.
	o2 := &models.Opportunity{Title: "Laptops", OrganizationID: org.ID, OwnerID: rep.ID, StageID: proposal.ID,
		Status: models.StatusActive, Probability: 90, ProbabilityOverride: true,
		ProjectedCloseDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}
	if err := models.CreateOpportunity(gdb, o2, rep, t0); err != nil {
		t.Fatal(err)
	}
	if got := reload(t, gdb, o2.ID); got.Probability != 90 || !got.ProbabilityOverride || got.Version != 1 {
		t.Fatalf("override: probability %d override %v version %d, want 90 true 1", got.Probability, got.ProbabilityOverride, got.Version)
	}
}

func TestSaveOpportunityRecordsEachChange(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rita@example.com", models.RoleRep)
	rep2 := mkUser(t, gdb, "sam@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "m@example.com", models.RoleManager)
	acme := mkOrg(t, gdb, "Acme")
	globex := mkOrg(t, gdb, "Globex")
	o := createOpp(t, gdb, "Servers", acme, rep, "Qualification", t0)
	proposal := stageByName(t, gdb, "Proposal")
	qual := stageByName(t, gdb, "Qualification")
	web := pickID(t, gdb, models.LeadSources, "Website")
	hw := pickID(t, gdb, models.Categories, "Hardware")

	t1 := t0.Add(24 * time.Hour)
	o.Title = "Servers and storage"
	o.StageID = proposal.ID
	o.OwnerID = rep2.ID
	o.OrganizationID = globex.ID
	o.LeadSourceID = &web
	o.CategoryID = &hw
	o.Revenue.OneTime = 125000
	o.Revenue.Monthly = 10000
	o.Probability = 33 // no override: the stage default wins
	entries, err := models.SaveOpportunity(gdb, o, 1, mgr, t1)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 9 {
		t.Fatalf("SaveOpportunity returned %d entries, want 9: %+v", len(entries), entries)
	}
	got := reload(t, gdb, o.ID)
	if got.Version != 2 || got.Probability != 50 || got.StageID != proposal.ID || !sameTime(got.StageChangedAt, t1) {
		t.Fatalf("after stage change: version %d probability %d stage %d changed at %v; want 2, 50, %d, %v",
			got.Version, got.Probability, got.StageID, got.StageChangedAt, proposal.ID, t1)
	}
	if got.Amount != 125000+12*10000 || o.Amount != got.Amount {
		t.Fatalf("amount %d (in memory %d), want %d", got.Amount, o.Amount, 125000+12*10000)
	}
	v2 := atVersion(t, historyOf(t, gdb, o.ID), 2)
	wantFields(t, v2, "title", "stage", "owner", "organization", "lead_source", "category",
		"revenue_one_time", "revenue_monthly", "probability")
	wantChange(t, v2, "title", "Servers", "Servers and storage")
	wantChange(t, v2, "stage", "Qualification", "Proposal")
	wantChange(t, v2, "owner", "rita@example.com", "sam@example.com")
	wantChange(t, v2, "organization", "Acme", "Globex")
	wantChange(t, v2, "lead_source", "", "Website")
	wantChange(t, v2, "category", "", "Hardware")
	wantChange(t, v2, "revenue_one_time", "$0.00", "$1,250.00")
	wantChange(t, v2, "revenue_monthly", "$0.00", "$100.00")
	wantChange(t, v2, "probability", "10%", "50%")
	if st := v2["stage"]; st.OldRef == nil || st.NewRef == nil || *st.OldRef != int64(qual.ID) || *st.NewRef != int64(proposal.ID) {
		t.Fatalf("stage refs %v → %v, want %d → %d", st.OldRef, st.NewRef, qual.ID, proposal.ID)
	}
	for f, h := range v2 {
		if h.UserID == nil || *h.UserID != mgr.ID || !h.CreatedAt.Equal(t1) {
			t.Fatalf("entry %s: user %v at %v, want %d at %v", f, h.UserID, h.CreatedAt, mgr.ID, t1)
		}
	}

	// A change without a stage change leaves StageChangedAt alone.
	t2 := t1.Add(24 * time.Hour)
	o = reload(t, gdb, o.ID)
	o.NextStep = "Send quote"
	if _, err := models.SaveOpportunity(gdb, o, 2, rep2, t2); err != nil {
		t.Fatal(err)
	}
	got = reload(t, gdb, o.ID)
	if got.Version != 3 || !sameTime(got.StageChangedAt, t1) {
		t.Fatalf("after next step: version %d stage changed at %v, want 3 and %v", got.Version, got.StageChangedAt, t1)
	}
	v3 := atVersion(t, historyOf(t, gdb, o.ID), 3)
	wantFields(t, v3, "next_step")
	wantChange(t, v3, "next_step", "", "Send quote")

	// Saving with no change writes nothing and keeps the version.
	before := countHistory(t, gdb, o.ID)
	o = reload(t, gdb, o.ID)
	entries, err = models.SaveOpportunity(gdb, o, 3, rep2, t2.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 || o.Version != 3 || countHistory(t, gdb, o.ID) != before || reload(t, gdb, o.ID).Version != 3 {
		t.Fatalf("no-change save: %d entries, version %d (db %d), history %d → %d",
			len(entries), o.Version, reload(t, gdb, o.ID).Version, before, countHistory(t, gdb, o.ID))
	}
}

func TestSaveOpportunityKeepsOverriddenProbabilityOnStageChange(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)

	t1 := t0.Add(time.Hour)
	o.Probability, o.ProbabilityOverride = 33, true
	if _, err := models.SaveOpportunity(gdb, o, 1, rep, t1); err != nil {
		t.Fatal(err)
	}
	v2 := atVersion(t, historyOf(t, gdb, o.ID), 2)
	wantFields(t, v2, "probability", "probability_override")
	wantChange(t, v2, "probability", "10%", "33%")
	wantChange(t, v2, "probability_override", "Stage default", "Rep (override)")

	t2 := t1.Add(time.Hour)
	o = reload(t, gdb, o.ID)
	o.StageID = stageByName(t, gdb, "Negotiation").ID
	if _, err := models.SaveOpportunity(gdb, o, 2, rep, t2); err != nil {
		t.Fatal(err)
	}
	got := reload(t, gdb, o.ID)
	if got.Probability != 33 || got.Version != 3 || !sameTime(got.StageChangedAt, t2) {
		t.Fatalf("override kept? probability %d version %d stage changed %v; want 33, 3, %v", got.Probability, got.Version, got.StageChangedAt, t2)
	}
	v3 := atVersion(t, historyOf(t, gdb, o.ID), 3)
	wantFields(t, v3, "stage")
	wantChange(t, v3, "stage", "Qualification", "Negotiation")
}

func TestSaveOpportunityStaleVersionIsAConflict(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "m@example.com", models.RoleManager)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)

	mine, theirs := reload(t, gdb, o.ID), reload(t, gdb, o.ID)
	theirs.Title = "Bigger deal"
	theirs.Revenue.OneTime = 500000
	if _, err := models.SaveOpportunity(gdb, theirs, 1, mgr, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n := countHistory(t, gdb, o.ID)

	mine.Description = "my edit"
	mine.StageID = stageByName(t, gdb, "Proposal").ID
	_, err := models.SaveOpportunity(gdb, mine, 1, rep, t0.Add(2*time.Hour))
	var ce *models.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("stale save: err = %v, want *ConflictError", err)
	}
	if ce.Current == nil || ce.Current.Version != 2 || ce.Current.Title != "Bigger deal" {
		t.Fatalf("conflict current = %+v, want version 2 titled Bigger deal", ce.Current)
	}
	changes := map[string]models.HistoryEntry{}
	for _, c := range ce.Changes {
		if c.Version != 2 || c.UserID == nil || *c.UserID != mgr.ID || c.User == nil || c.User.ID != mgr.ID {
			t.Fatalf("conflict change %+v: want version 2 by %d with the user loaded", c, mgr.ID)
		}
		changes[c.Field] = c
	}
	wantFields(t, changes, "title", "revenue_one_time")
	wantChange(t, changes, "title", "Deal", "Bigger deal")
	wantChange(t, changes, "revenue_one_time", "$0.00", "$5,000.00")

	got := reload(t, gdb, o.ID)
	if got.Version != 2 || got.Title != "Bigger deal" || got.Description != "" || got.StageID != o.StageID || got.Amount != 500000 {
		t.Fatalf("row after refused save: %+v", got)
	}
	if m := countHistory(t, gdb, o.ID); m != n {
		t.Fatalf("refused save wrote history: %d → %d entries", n, m)
	}
}

func TestMarkWon(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Acme")
	o := createOpp(t, gdb, "Deal", org, rep, "Proposal", t0)
	o.Probability, o.ProbabilityOverride = 60, true
	if _, err := models.SaveOpportunity(gdb, o, 1, rep, t0); err != nil {
		t.Fatal(err)
	}
	price := pickID(t, gdb, models.WinReasons, "Price")
	slow := pickID(t, gdb, models.WinReasons, "Response time")
	deactivatePick(t, gdb, slow)
	date := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(48 * time.Hour)

	refusals := []struct {
		name string
		in   models.OutcomeInput
		want error
	}{
		{"no reason", models.OutcomeInput{Date: date}, models.ErrReasonRequired},
		{"loss reason", models.OutcomeInput{ReasonID: pickID(t, gdb, models.LossReasons, "Timing"), Date: date}, models.ErrNotOffered},
		{"inactive reason", models.OutcomeInput{ReasonID: slow, Date: date}, models.ErrNotOffered},
		{"unknown reason", models.OutcomeInput{ReasonID: 99999, Date: date}, models.ErrNotOffered},
	}
	for _, r := range refusals {
		o := reload(t, gdb, o.ID)
		if err := models.MarkWon(gdb, o, 2, r.in, rep, t1); !errors.Is(err, r.want) {
			t.Fatalf("%s: err = %v, want %v", r.name, err, r.want)
		}
	}
	if got := reload(t, gdb, o.ID); got.Version != 2 || got.Status != models.StatusActive {
		t.Fatalf("refusals changed the opportunity: %+v", got)
	}

	o = reload(t, gdb, o.ID)
	if err := models.MarkWon(gdb, o, 2, models.OutcomeInput{ReasonID: price, Detail: "Best value", Date: date}, rep, t1); err != nil {
		t.Fatal(err)
	}
	won := stageByName(t, gdb, "Closed won")
	got := reload(t, gdb, o.ID)
	if got.Status != models.StatusClosed || got.StageID != won.ID || got.Probability != 100 || got.ProbabilityOverride ||
		got.WinReasonID == nil || *got.WinReasonID != price || got.WinDetail != "Best value" || !sameTime(got.ClosedDate, date) ||
		got.Version != 3 || !sameTime(got.StageChangedAt, t1) {
		t.Fatalf("won opportunity: %+v", got)
	}
	v3 := atVersion(t, historyOf(t, gdb, o.ID), 3)
	wantFields(t, v3, "status", "stage", "probability", "probability_override", "win_reason", "win_detail", "closed_date")
	wantChange(t, v3, "status", "Active", "Closed (won)")
	wantChange(t, v3, "stage", "Proposal", "Closed won")
	wantChange(t, v3, "probability", "60%", "100%")
	wantChange(t, v3, "win_reason", "", "Price")
	wantChange(t, v3, "win_detail", "", "Best value")
	wantChange(t, v3, "closed_date", "", "2026-03-10")
	for f, h := range v3 {
		if h.UserID == nil || *h.UserID != rep.ID {
			t.Fatalf("entry %s by %v, want %d", f, h.UserID, rep.ID)
		}
	}

	// A closed opportunity cannot be won or lost again.
	in := models.OutcomeInput{ReasonID: price, Date: date}
	if err := models.MarkWon(gdb, got, 3, in, rep, t1); !errors.Is(err, models.ErrNotOpen) {
		t.Fatalf("winning a won opportunity: err = %v, want ErrNotOpen", err)
	}
	got = reload(t, gdb, o.ID)
	in.ReasonID = pickID(t, gdb, models.LossReasons, "Timing")
	if err := models.MarkLost(gdb, got, 3, in, rep, t1); !errors.Is(err, models.ErrNotOpen) {
		t.Fatalf("losing a won opportunity: err = %v, want ErrNotOpen", err)
	}
	if got := reload(t, gdb, o.ID); got.Version != 3 || got.Status != models.StatusClosed {
		t.Fatalf("refused outcome changed the opportunity: %+v", got)
	}
}

func TestMarkLost(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Acme")
	o := createOpp(t, gdb, "Deal", org, rep, "Negotiation", t0)
	timing := pickID(t, gdb, models.LossReasons, "Timing")
	nodecision := pickID(t, gdb, models.LossReasons, "No decision")
	deactivatePick(t, gdb, nodecision)
	national := pickID(t, gdb, models.Competitors, "National MSP")
	inhouse := pickID(t, gdb, models.Competitors, "In-house IT")
	deactivatePick(t, gdb, inhouse)
	date := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(72 * time.Hour)
	web := pickID(t, gdb, models.LeadSources, "Website")

	refusals := []struct {
		name string
		in   models.OutcomeInput
		want error
	}{
		{"no reason", models.OutcomeInput{Date: date}, models.ErrReasonRequired},
		{"win reason", models.OutcomeInput{ReasonID: pickID(t, gdb, models.WinReasons, "Price"), Date: date}, models.ErrNotOffered},
		{"inactive reason", models.OutcomeInput{ReasonID: nodecision, Date: date}, models.ErrNotOffered},
		{"competitor from another list", models.OutcomeInput{ReasonID: timing, Date: date, CompetitorID: &web}, models.ErrNotOffered},
		{"inactive competitor", models.OutcomeInput{ReasonID: timing, Date: date, CompetitorID: &inhouse}, models.ErrNotOffered},
	}
	for _, r := range refusals {
		o := reload(t, gdb, o.ID)
		if err := models.MarkLost(gdb, o, 1, r.in, rep, t1); !errors.Is(err, r.want) {
			t.Fatalf("%s: err = %v, want %v", r.name, err, r.want)
		}
	}
	if got := reload(t, gdb, o.ID); got.Version != 1 || got.Status != models.StatusActive || got.CompetitorID != nil {
		t.Fatalf("refusals changed the opportunity: %+v", got)
	}

	o = reload(t, gdb, o.ID)
	in := models.OutcomeInput{ReasonID: timing, Detail: "Next year", Date: date, CompetitorID: &national}
	if err := models.MarkLost(gdb, o, 1, in, rep, t1); err != nil {
		t.Fatal(err)
	}
	lost := stageByName(t, gdb, "Closed lost")
	got := reload(t, gdb, o.ID)
	if got.Status != models.StatusLost || got.StageID != lost.ID || got.Probability != 0 ||
		got.LossReasonID == nil || *got.LossReasonID != timing || got.LossDetail != "Next year" || !sameTime(got.LostDate, date) ||
		got.CompetitorID == nil || *got.CompetitorID != national || got.Version != 2 || got.WinReasonID != nil || got.ClosedDate != nil {
		t.Fatalf("lost opportunity: %+v", got)
	}
	v2 := atVersion(t, historyOf(t, gdb, o.ID), 2)
	wantFields(t, v2, "status", "stage", "probability", "competitor", "loss_reason", "loss_detail", "lost_date")
	wantChange(t, v2, "status", "Active", "Lost")
	wantChange(t, v2, "stage", "Negotiation", "Closed lost")
	wantChange(t, v2, "probability", "75%", "0%")
	wantChange(t, v2, "competitor", "", "National MSP")
	wantChange(t, v2, "loss_reason", "", "Timing")
	wantChange(t, v2, "loss_detail", "", "Next year")
	wantChange(t, v2, "lost_date", "", "2026-03-12")

	// The competitor the opportunity already has stays allowed when inactive.
	o2 := createOpp(t, gdb, "Other", org, rep, "Proposal", t0)
	o2.CompetitorID = &inhouse
	if err := gdb.Model(o2).Update("competitor_id", inhouse).Error; err != nil {
		t.Fatal(err)
	}
	o2 = reload(t, gdb, o2.ID)
	keep := inhouse
	if err := models.MarkLost(gdb, o2, 1, models.OutcomeInput{ReasonID: timing, Date: date, CompetitorID: &keep}, rep, t1); err != nil {
		t.Fatalf("losing to the competitor already on the record (inactive): %v", err)
	}
	if got := reload(t, gdb, o2.ID); got.Status != models.StatusLost || got.CompetitorID == nil || *got.CompetitorID != inhouse {
		t.Fatalf("lost with kept competitor: %+v", got)
	}
}

func TestReopen(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "m@example.com", models.RoleManager)
	org := mkOrg(t, gdb, "Acme")
	proposal := stageByName(t, gdb, "Proposal")
	o := createOpp(t, gdb, "Deal", org, rep, "Qualification", t0)
	if err := models.MoveStage(gdb, o, 1, proposal.ID, rep, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// An open opportunity cannot be reopened.
	open := reload(t, gdb, o.ID)
	if err := models.Reopen(gdb, open, 2, "why", mgr, t0.Add(2*time.Hour)); !errors.Is(err, models.ErrNotClosed) {
		t.Fatalf("reopening an open opportunity: err = %v, want ErrNotClosed", err)
	}

	timing := pickID(t, gdb, models.LossReasons, "Timing")
	lostAt := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	o = reload(t, gdb, o.ID)
	if err := models.MarkLost(gdb, o, 2, models.OutcomeInput{ReasonID: timing, Detail: "later", Date: lostAt}, rep, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	o = reload(t, gdb, o.ID)
	if err := models.Reopen(gdb, o, 3, "   ", mgr, t0.Add(4*time.Hour)); !errors.Is(err, models.ErrReasonRequired) {
		t.Fatalf("reopen without reason: err = %v, want ErrReasonRequired", err)
	}
	if got := reload(t, gdb, o.ID); got.Version != 3 || got.Status != models.StatusLost {
		t.Fatalf("refused reopen changed the opportunity: %+v", got)
	}

	t4 := t0.Add(5 * time.Hour)
	o = reload(t, gdb, o.ID)
	if err := models.Reopen(gdb, o, 3, "Budget approved after all", mgr, t4); err != nil {
		t.Fatal(err)
	}
	got := reload(t, gdb, o.ID)
	if got.Status != models.StatusActive || got.StageID != proposal.ID || got.Probability != 50 || got.Version != 4 ||
		got.LossReasonID != nil || got.LossDetail != "" || got.LostDate != nil || !sameTime(got.StageChangedAt, t4) {
		t.Fatalf("reopened lost opportunity: %+v", got)
	}
	v4 := atVersion(t, historyOf(t, gdb, o.ID), 4)
	wantFields(t, v4, "reopened", "status", "stage", "probability", "loss_reason", "loss_detail", "lost_date")
	wantChange(t, v4, "reopened", "", "Budget approved after all")
	wantChange(t, v4, "stage", "Closed lost", "Proposal")
	wantChange(t, v4, "status", "Lost", "Active")
	wantChange(t, v4, "loss_reason", "Timing", "")
	if h := v4["reopened"]; h.UserID == nil || *h.UserID != mgr.ID || !h.CreatedAt.Equal(t4) {
		t.Fatalf("reopened entry %+v: want by %d at %v", h, mgr.ID, t4)
	}
}

func TestReopenWonFallsBackWhenEarlierStageIsInactive(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Negotiation", t0)
	price := pickID(t, gdb, models.WinReasons, "Price")
	if err := models.MarkWon(gdb, o, 1, models.OutcomeInput{ReasonID: price, Detail: "cheap", Date: t0}, rep, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	neg := stageByName(t, gdb, "Negotiation")
	if err := gdb.Model(&neg).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	o = reload(t, gdb, o.ID)
	if err := models.Reopen(gdb, o, 2, "customer changed their mind", rep, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := reload(t, gdb, o.ID)
	qual := stageByName(t, gdb, "Qualification")
	if got.Status != models.StatusActive || got.StageID != qual.ID || got.Probability != 10 ||
		got.WinReasonID != nil || got.WinDetail != "" || got.ClosedDate != nil || got.Version != 3 {
		t.Fatalf("reopened won opportunity: %+v; want active in Qualification with win fields cleared", got)
	}
}

func TestMoveStage(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)
	needs := stageByName(t, gdb, "Needs analysis")
	if err := gdb.Model(&needs).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Closed won", "Closed lost", "Needs analysis"} {
		o := reload(t, gdb, o.ID)
		if err := models.MoveStage(gdb, o, 1, stageByName(t, gdb, name).ID, rep, t0.Add(time.Hour)); !errors.Is(err, models.ErrNoStage) {
			t.Fatalf("move to %s: err = %v, want ErrNoStage", name, err)
		}
	}
	if err := models.MoveStage(gdb, reload(t, gdb, o.ID), 1, 99999, rep, t0.Add(time.Hour)); !errors.Is(err, models.ErrNoStage) {
		t.Fatalf("move to unknown stage: err = %v, want ErrNoStage", err)
	}
	if got := reload(t, gdb, o.ID); got.Version != 1 || got.StageID != stageByName(t, gdb, "Qualification").ID {
		t.Fatalf("refused moves changed the opportunity: %+v", got)
	}

	t1 := t0.Add(2 * time.Hour)
	proposal := stageByName(t, gdb, "Proposal")
	o = reload(t, gdb, o.ID)
	if err := models.MoveStage(gdb, o, 1, proposal.ID, rep, t1); err != nil {
		t.Fatal(err)
	}
	got := reload(t, gdb, o.ID)
	if got.StageID != proposal.ID || got.Probability != 50 || got.Version != 2 || !sameTime(got.StageChangedAt, t1) {
		t.Fatalf("moved: %+v", got)
	}
	v2 := atVersion(t, historyOf(t, gdb, o.ID), 2)
	wantFields(t, v2, "stage", "probability")
	wantChange(t, v2, "stage", "Qualification", "Proposal")

	// A lost opportunity stays off the board.
	if err := models.MarkLost(gdb, got, 2, models.OutcomeInput{ReasonID: pickID(t, gdb, models.LossReasons, "Timing"), Date: t1}, rep, t1); err != nil {
		t.Fatal(err)
	}
	closed := reload(t, gdb, o.ID)
	if err := models.MoveStage(gdb, closed, 3, proposal.ID, rep, t1); !errors.Is(err, models.ErrNotOpen) {
		t.Fatalf("moving a lost opportunity: err = %v, want ErrNotOpen", err)
	}
	if got := reload(t, gdb, o.ID); got.Version != 3 || got.Status != models.StatusLost {
		t.Fatalf("refused move changed the opportunity: %+v", got)
	}
}

func TestReassign(t *testing.T) {
	gdb := openDB(t)
	rita := mkUser(t, gdb, "rita@example.com", models.RoleRep)
	sam := mkUser(t, gdb, "sam@example.com", models.RoleRep)
	gone := mkUser(t, gdb, "gone@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "m@example.com", models.RoleManager)
	if err := gdb.Model(gone).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	org := mkOrg(t, gdb, "Acme")
	a := createOpp(t, gdb, "A", org, rita, "Qualification", t0)
	b := createOpp(t, gdb, "B", org, rita, "Proposal", t0)
	c := createOpp(t, gdb, "C", org, sam, "Proposal", t0)
	d := createOpp(t, gdb, "D", org, rita, "Proposal", t0) // not in the selection
	ids := []uint{a.ID, b.ID, c.ID}

	if n, err := models.Reassign(gdb, ids, gone.ID, mgr, t0.Add(time.Hour)); err == nil || n != 0 {
		t.Fatalf("reassign to an inactive user: n = %d, err = %v; want an error", n, err)
	}
	for _, o := range []*models.Opportunity{a, b, c} {
		if got := reload(t, gdb, o.ID); got.OwnerID != o.OwnerID || got.Version != 1 {
			t.Fatalf("refused reassign changed %s: %+v", o.Title, got)
		}
	}

	t1 := t0.Add(2 * time.Hour)
	n, err := models.Reassign(gdb, ids, sam.ID, mgr, t1)
	if err != nil || n != 2 {
		t.Fatalf("reassign: n = %d, err = %v; want 2", n, err)
	}
	for _, o := range []*models.Opportunity{a, b} {
		got := reload(t, gdb, o.ID)
		if got.OwnerID != sam.ID || got.Version != 2 {
			t.Fatalf("%s after reassign: owner %d version %d, want %d and 2", o.Title, got.OwnerID, got.Version, sam.ID)
		}
		v2 := atVersion(t, historyOf(t, gdb, o.ID), 2)
		wantFields(t, v2, "owner")
		wantChange(t, v2, "owner", "rita@example.com", "sam@example.com")
		if h := v2["owner"]; h.UserID == nil || *h.UserID != mgr.ID || !h.CreatedAt.Equal(t1) {
			t.Fatalf("owner entry %+v: want by %d at %v", h, mgr.ID, t1)
		}
	}
	if got := reload(t, gdb, c.ID); got.Version != 1 || countHistory(t, gdb, c.ID) != 2 {
		t.Fatalf("already owned C was saved: version %d, %d history entries", got.Version, countHistory(t, gdb, c.ID))
	}
	if got := reload(t, gdb, d.ID); got.OwnerID != rita.ID || got.Version != 1 {
		t.Fatalf("unselected D changed: %+v", got)
	}
}

func days(t *testing.T, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("days = %v, want %v", got, want)
	}
}

func checkTimeline(t *testing.T, spans []models.StageSpan, t0, t1, t2 time.Time) {
	t.Helper()
	if len(spans) != 3 {
		t.Fatalf("timeline has %d spans, want 3: %+v", len(spans), spans)
	}
	want := []struct {
		stage   string
		entered time.Time
		left    *time.Time
		days    float64
	}{
		{"Qualification", t0, &t1, 2},
		{"Needs analysis", t1, &t2, 0.5},
		{"Proposal", t2, nil, 3},
	}
	for i, w := range want {
		s := spans[i]
		if s.Stage != w.stage || !s.Entered.Equal(w.entered) {
			t.Fatalf("span %d = %s entered %v, want %s entered %v", i, s.Stage, s.Entered, w.stage, w.entered)
		}
		if (w.left == nil) != (s.Left == nil) || (w.left != nil && !s.Left.Equal(*w.left)) {
			t.Fatalf("span %d (%s) left %v, want %v", i, s.Stage, s.Left, w.left)
		}
		days(t, s.Days, w.days)
	}
}

func TestStageTimeline(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)
	t1 := t0.Add(48 * time.Hour)
	t2 := t1.Add(12 * time.Hour)
	now := t2.Add(72 * time.Hour)
	o.Title = "Renamed" // a non-stage change in between is ignored
	if _, err := models.SaveOpportunity(gdb, o, 1, rep, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := models.MoveStage(gdb, reload(t, gdb, o.ID), 2, stageByName(t, gdb, "Needs analysis").ID, rep, t1); err != nil {
		t.Fatal(err)
	}
	if err := models.MoveStage(gdb, reload(t, gdb, o.ID), 3, stageByName(t, gdb, "Proposal").ID, rep, t2); err != nil {
		t.Fatal(err)
	}
	hs := historyOf(t, gdb, o.ID)
	checkTimeline(t, models.StageTimeline(hs, now), t0, t1, t2)
	if got := models.StageTimeline(hs, now.Add(24*time.Hour)); len(got) == 3 {
		days(t, got[2].Days, 4)
	}
	if got := models.StageTimeline(nil, now); len(got) != 0 {
		t.Fatalf("timeline of no history: %+v", got)
	}
}

func TestStageTimelineAcceptsHistoryInAnyOrder(t *testing.T) {
	t1 := t0.Add(48 * time.Hour)
	t2 := t1.Add(12 * time.Hour)
	now := t2.Add(72 * time.Hour)
	oldestFirst := []models.HistoryEntry{
		{Version: 1, Field: "created", NewValue: "Deal", CreatedAt: t0},
		{Version: 1, Field: "stage", NewValue: "Qualification", CreatedAt: t0},
		{Version: 2, Field: "stage", OldValue: "Qualification", NewValue: "Needs analysis", CreatedAt: t1},
		{Version: 3, Field: "stage", OldValue: "Needs analysis", NewValue: "Proposal", CreatedAt: t2},
	}
	checkTimeline(t, models.StageTimeline(oldestFirst, now), t0, t1, t2)
}

func TestCheckPicklist(t *testing.T) {
	gdb := openDB(t)
	web := pickID(t, gdb, models.LeadSources, "Website")
	partner := pickID(t, gdb, models.LeadSources, "Partner")
	competitor := pickID(t, gdb, models.Competitors, "Local MSP")
	deactivatePick(t, gdb, partner)

	cases := []struct {
		name    string
		id      uint
		current *uint
		want    error
	}{
		{"active value", web, nil, nil},
		{"unknown id", 99999, nil, models.ErrNotOffered},
		{"value of another list", competitor, nil, models.ErrNotOffered},
		{"inactive value", partner, nil, models.ErrNotOffered},
		{"inactive value, record has another", partner, &web, models.ErrNotOffered},
		{"inactive value the record already has", partner, &partner, nil},
	}
	for _, c := range cases {
		err := models.CheckPicklist(gdb, models.LeadSources, c.id, c.current)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Fatalf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestDeletePicklistValue(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)
	web := pickID(t, gdb, models.LeadSources, "Website")
	o.LeadSourceID = &web
	if _, err := models.SaveOpportunity(gdb, o, 1, rep, t0); err != nil {
		t.Fatal(err)
	}

	var used models.PicklistValue
	gdb.First(&used, web)
	err := models.DeletePicklistValue(gdb, &used)
	var inUse *models.ErrInUse
	if !errors.As(err, &inUse) || inUse.Uses != 1 || inUse.Name != "Website" {
		t.Fatalf("deleting a used value: err = %v, want *ErrInUse for Website used once", err)
	}
	var n int64
	gdb.Model(&models.PicklistValue{}).Where("id = ?", web).Count(&n)
	if n != 1 {
		t.Fatal("the used value was deleted")
	}

	var unused models.PicklistValue
	gdb.First(&unused, pickID(t, gdb, models.LeadSources, "Cold call"))
	if err := models.DeletePicklistValue(gdb, &unused); err != nil {
		t.Fatal(err)
	}
	gdb.Model(&models.PicklistValue{}).Where("id = ?", unused.ID).Count(&n)
	if n != 0 {
		t.Fatal("the unused value is still there")
	}
}

func leadSourceOrder(t *testing.T, gdb *gorm.DB) string {
	t.Helper()
	vs, err := models.Picklist(gdb, models.LeadSources, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	return strings.Join(names, ",")
}

func TestMovePositionSwapsNeighbours(t *testing.T) {
	gdb := openDB(t)
	const start = "Trade show,Website,Referral,Existing customer,Cold call,Partner,Webinar,E-mail campaign,Other"
	if got := leadSourceOrder(t, gdb); got != start {
		t.Fatalf("seeded order %s", got)
	}
	move := func(name string, up bool) {
		t.Helper()
		if err := models.MovePosition(gdb, "picklist_values", pickID(t, gdb, models.LeadSources, name), up, "kind = ?", models.LeadSources); err != nil {
			t.Fatal(err)
		}
	}
	move("Referral", true)
	if got, want := leadSourceOrder(t, gdb), "Trade show,Referral,Website,Existing customer,Cold call,Partner,Webinar,E-mail campaign,Other"; got != want {
		t.Fatalf("after moving Referral up: %s, want %s", got, want)
	}
	move("Trade show", false)
	if got, want := leadSourceOrder(t, gdb), "Referral,Trade show,Website,Existing customer,Cold call,Partner,Webinar,E-mail campaign,Other"; got != want {
		t.Fatalf("after moving Trade show down: %s, want %s", got, want)
	}
	// At the ends nothing moves.
	move("Referral", true)
	move("Other", false)
	if got, want := leadSourceOrder(t, gdb), "Referral,Trade show,Website,Existing customer,Cold call,Partner,Webinar,E-mail campaign,Other"; got != want {
		t.Fatalf("after moves at the ends: %s, want %s", got, want)
	}
	// Other lists are untouched.
	comps, _ := models.Picklist(gdb, models.Competitors, true, nil)
	for i, c := range comps {
		if c.Position != i+1 {
			t.Fatalf("competitor %s at position %d, want %d", c.Name, c.Position, i+1)
		}
	}
	other := pickID(t, gdb, models.Competitors, "Local MSP")
	if err := models.MovePosition(gdb, "picklist_values", other, true, "kind = ?", models.LeadSources); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Fatalf("moving a value of another list: err = %v, want ErrRecordNotFound", err)
	}
}

func TestActivityFeedMixesNewestFirstAndGroupsVersions(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)
	note := &models.Note{OpportunityID: o.ID, UserID: rep.ID, Kind: "call", Body: "Called", CreatedAt: t0.Add(time.Hour)}
	if err := models.AddNote(gdb, note); err != nil {
		t.Fatal(err)
	}
	todo := &models.Todo{OpportunityID: o.ID, Title: "Send quote", AssigneeID: rep.ID, CreatedByID: rep.ID, CreatedAt: t0.Add(2 * time.Hour)}
	if err := models.AddTodo(gdb, todo); err != nil {
		t.Fatal(err)
	}
	o.Title, o.NextStep = "Big deal", "Quote"
	if _, err := models.SaveOpportunity(gdb, o, 1, rep, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	later := &models.Note{OpportunityID: o.ID, UserID: rep.ID, Kind: "email", Body: "Sent", CreatedAt: t0.Add(4 * time.Hour)}
	if err := models.AddNote(gdb, later); err != nil {
		t.Fatal(err)
	}

	notes, err := models.NotesOf(gdb, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	todos, err := models.TodosOf(gdb, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	feed := models.ActivityFeed(notes, todos, historyOf(t, gdb, o.ID))
	var kinds []string
	for _, a := range feed {
		switch {
		case a.Note != nil:
			kinds = append(kinds, "note:"+a.Note.Body)
		case a.Todo != nil:
			kinds = append(kinds, "todo:"+a.Todo.Title)
		default:
			var fs []string
			for _, c := range a.Changes {
				if c.Version != a.Changes[0].Version || !c.CreatedAt.Equal(a.At) {
					t.Fatalf("a feed item mixes versions: %+v", a.Changes)
				}
				fs = append(fs, c.Field)
			}
			sort.Strings(fs)
			kinds = append(kinds, "changes:"+strings.Join(fs, "+"))
		}
	}
	want := "note:Sent,changes:next_step+title,todo:Send quote,note:Called,changes:created+stage"
	if got := strings.Join(kinds, ","); got != want {
		t.Fatalf("feed = %s\nwant   %s", got, want)
	}
	for i := 1; i < len(feed); i++ {
		if feed[i].At.After(feed[i-1].At) {
			t.Fatalf("feed not newest first at %d", i)
		}
	}
}

func TestOpenTodosForOrdersByDueDate(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	other := mkUser(t, gdb, "o@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", t0)
	at := func(d int) *time.Time { v := t0.AddDate(0, 0, d); return &v }
	add := func(title string, due *time.Time, who *models.User) *models.Todo {
		t.Helper()
		td := &models.Todo{OpportunityID: o.ID, Title: title, DueDate: due, AssigneeID: who.ID, CreatedByID: rep.ID, CreatedAt: t0}
		if err := models.AddTodo(gdb, td); err != nil {
			t.Fatal(err)
		}
		return td
	}
	add("later", at(5), rep)
	add("no date", nil, rep)
	add("overdue", at(-2), rep)
	done := add("done", at(-10), rep)
	add("same day, added later", at(5), rep)
	add("someone else's", at(-5), other)
	if err := models.SetTodoDone(gdb, done, true, t0); err != nil {
		t.Fatal(err)
	}

	ts, err := models.OpenTodosFor(gdb, rep.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, td := range ts {
		titles = append(titles, td.Title)
		if td.Opportunity == nil || td.Opportunity.ID != o.ID {
			t.Fatalf("to-do %q without its opportunity", td.Title)
		}
	}
	if got, want := strings.Join(titles, ","), "overdue,later,same day, added later,no date"; got != want {
		t.Fatalf("open to-dos = %s, want %s", got, want)
	}
	if !ts[0].Overdue(t0) || ts[1].Overdue(t0) {
		t.Fatal("Overdue is wrong for the first two to-dos")
	}
	if ts, _ := models.OpenTodosFor(gdb, rep.ID, 2); len(ts) != 2 || ts[0].Title != "overdue" {
		t.Fatalf("limit 2: %+v", ts)
	}
}
