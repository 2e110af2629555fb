package models_test

import (
	"slices"
	"testing"
	"time"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// TestLeadListPagesAgreeWhateverThePlan checks that the lead list holds the
// same leads, newest first, page after page, whichever way it reads them:
// along an index the planner chooses (matching not known), along
// leads_created (few matches of a period) or the table backwards (many
// matches, forced here by claiming a huge count).
func TestLeadListPagesAgreeWhateverThePlan(t *testing.T) {
	gdb := dbtest.OpenDemo(t)
	type lead struct {
		ID         uint
		Status     models.LeadStatus
		OwnerID    uint
		CampaignID uint
		CreatedAt  time.Time
	}
	var all []lead
	if err := gdb.Raw("SELECT id, status, owner_id, COALESCE(campaign_id, 0) AS campaign_id, created_at FROM leads").Scan(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) < 30 {
		t.Fatalf("only %d demo leads", len(all))
	}
	slices.SortFunc(all, func(a, b lead) int { return int(b.ID) - int(a.ID) })
	mid := all[len(all)/2].CreatedAt
	from, before := mid.AddDate(0, 0, -20), mid.AddDate(0, 0, 20)
	filters := []models.LeadFilter{{}, {Solid: true}, {CreatedFrom: from}, {CreatedFrom: from, CreatedBefore: before}, {CreatedBefore: before, Solid: true},
		{Status: models.LeadQualified}, {OwnerID: all[0].OwnerID, CreatedFrom: from}, {CampaignID: all[0].CampaignID, Solid: true}}
	for _, f := range filters {
		var want []uint
		for _, l := range all {
			if f.Solid && l.Status != models.LeadQualified && l.Status != models.LeadConverted ||
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
