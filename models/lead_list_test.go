package models_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// TestLeadListPagesAgreeWhateverThePlan checks that the lead list holds the
// same leads, newest first, page after page, whichever way it reads them:
// along an index the planner chooses (matching not known), along
// leads_created (few matches of a period) or the table backwards (many
// matches, forced here by claiming a huge count); with a text search, from
// the search index, against the words of each lead worked out in Go.
func TestLeadListPagesAgreeWhateverThePlan(t *testing.T) {
	gdb := dbtest.OpenDemo(t)
	type lead struct {
		ID                             uint
		Status                         models.LeadStatus
		OwnerID                        uint
		CampaignID                     uint
		CreatedAt                      time.Time
		PersonName, CompanyName, Email string
	}
	var all []lead
	if err := gdb.Raw("SELECT id, status, owner_id, COALESCE(campaign_id, 0) AS campaign_id, created_at, person_name, company_name, email FROM leads").Scan(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) < 30 {
		t.Fatalf("only %d demo leads", len(all))
	}
	slices.SortFunc(all, func(a, b lead) int { return int(b.ID) - int(a.ID) })
	mid := all[len(all)/2].CreatedAt
	from, before := mid.AddDate(0, 0, -20), mid.AddDate(0, 0, 20)
	// The text search: each word typed starts a word (a run of letters and
	// digits) of the person's name, the company's name or the e-mail.
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	}
	found := func(text string, l lead) bool {
		has := slices.Concat(words(l.PersonName), words(l.CompanyName), words(l.Email))
		for _, w := range words(text) {
			if !slices.ContainsFunc(has, func(h string) bool { return strings.HasPrefix(h, w) }) {
				return false
			}
		}
		return len(words(text)) > 0
	}
	person, company := words(all[0].PersonName), words(all[0].CompanyName)
	domain := words(all[0].Email[strings.Index(all[0].Email, "@"):])[0]
	filters := []models.LeadFilter{{}, {Solid: true}, {CreatedFrom: from}, {CreatedFrom: from, CreatedBefore: before}, {CreatedBefore: before, Solid: true},
		{Status: models.LeadQualified}, {OwnerID: all[0].OwnerID, CreatedFrom: from}, {CampaignID: all[0].CampaignID, Solid: true},
		{Text: person[0][:2]}, {Text: strings.ToUpper(person[len(person)-1])}, {Text: company[0][:3] + "  " + person[0]}, {Text: domain[:4] + "…"},
		{Text: all[0].Email}, {Text: person[0][:1], Solid: true}, {Text: person[0][:1], OwnerID: all[0].OwnerID, CreatedFrom: from},
		{Text: company[0], CampaignID: all[0].CampaignID}}
	for _, f := range filters {
		var want []uint
		for _, l := range all {
			if f.Text != "" && !found(f.Text, l) || f.Solid && l.Status != models.LeadQualified && l.Status != models.LeadConverted ||
				f.Status != "" && l.Status != f.Status || f.OwnerID != 0 && l.OwnerID != f.OwnerID || f.CampaignID != 0 && l.CampaignID != f.CampaignID ||
				!f.CreatedFrom.IsZero() && l.CreatedAt.Before(f.CreatedFrom) || !f.CreatedBefore.IsZero() && !l.CreatedAt.Before(f.CreatedBefore) {
				continue
			}
			want = append(want, l.ID)
		}
		if len(want) == 0 {
			t.Fatalf("%+v matches no demo lead: the test would prove nothing", f)
		}
		n, err := models.CountLeads(gdb, f)
		if err != nil || n != int64(len(want)) {
			t.Fatalf("%+v: counted %d (%v), want %d", f, n, err, len(want))
		}
		for _, matching := range []int64{-1, n, 1 << 40} {
			var got []uint
			for page := 1; page < 40; page++ {
				p := models.NewPage(page)
				p.Size = 7
				rows, more, err := models.ListLeads(gdb, f, p, matching)
				if err != nil {
					t.Fatalf("%+v matching %d page %d: %v", f, matching, page, err)
				}
				for _, r := range rows {
					got = append(got, r.ID)
				}
				if !more {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%+v matching %d: pages hold %v, want %v", f, matching, got, want)
			}
		}
	}
}

// TestLeadSearchFollowsEveryWrite checks that the search index (migration
// 40's triggers) follows a lead as it is created, renamed and deleted: it is
// found by its words at once, by its new words only after an edit, and not at
// all once deleted; and FTS4's own check finds the index and the leads in
// agreement after each step.
func TestLeadSearchFollowsEveryWrite(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	search := func(text string) []uint {
		t.Helper()
		var ids []uint
		if err := models.EachLead(gdb, models.LeadFilter{Text: text}, func(r models.LeadRow) error {
			ids = append(ids, r.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		n, err := models.CountLeads(gdb, models.LeadFilter{Text: text})
		if err != nil || n != int64(len(ids)) {
			t.Fatalf("%q: counted %d (%v), listed %d", text, n, err, len(ids))
		}
		if gdb.Dialector.Name() == "sqlite" {
			if err := gdb.Exec(`INSERT INTO lead_search (lead_search) VALUES ('integrity-check')`).Error; err != nil {
				t.Fatalf("the search index disagrees with the leads: %v", err)
			}
		}
		return ids
	}
	l := ltLead(t, gdb, models.Lead{PersonName: "Grace Hopper", CompanyName: "Navy Labs", Email: "grace@cobol.example"}, rep)
	other := ltLead(t, gdb, models.Lead{PersonName: "Alan Turing", CompanyName: "Bletchley Park", Email: "alan@enigma.example"}, rep)
	for text, want := range map[string][]uint{"hop": {l.ID}, "GRACE navy": {l.ID}, "cobol": {l.ID}, "grace@cobol.example": {l.ID},
		"opper": nil, "grace turing": nil, "example": {other.ID, l.ID}, "@": nil} {
		if got := search(text); !slices.Equal(got, want) {
			t.Errorf("%q finds %v, want %v", text, got, want)
		}
	}
	l.PersonName, l.Email = "Grace Murray", "gm@fleet.example"
	if err := models.SaveLead(gdb, l); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]uint{"hopper": nil, "cobol": nil, "murray": {l.ID}, "fleet navy": {l.ID}} {
		if got := search(text); !slices.Equal(got, want) {
			t.Errorf("after the edit, %q finds %v, want %v", text, got, want)
		}
	}
	for _, q := range []string{"DELETE FROM lead_events WHERE lead_id = ?", "DELETE FROM leads WHERE id = ?"} {
		if err := gdb.Exec(q, l.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got := search("murray"); len(got) != 0 {
		t.Errorf("after the delete, murray finds %v", got)
	}
	if got := search("example"); !slices.Equal(got, []uint{other.ID}) {
		t.Errorf("after the delete, example finds %v, want [%d]", got, other.ID)
	}
}
