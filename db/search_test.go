package db_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/db"
	"salesdesk/models"
)

// The generator loads opportunities with the triggers dropped, so the search
// index is filled after the load (indexSearchAfterLoad): every generated
// opportunity is found by the words of its title and organization, and FTS4's
// own check finds the index and the rows in agreement.
func TestGeneratedOpportunitiesAreSearchable(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	gdb, before := genDB(t, now, db.GenOptions{Opportunities: 400, Leads: 100, Seed: 3})
	// genDB's database is SQLite.
	if err := gdb.Exec(`INSERT INTO opportunity_search (opportunity_search) VALUES ('integrity-check')`).Error; err != nil {
		t.Fatalf("the search index disagrees with the opportunities: %v", err)
	}
	var sample []struct {
		ID             uint
		Title, OrgName string
	}
	if err := gdb.Raw(`SELECT o.id, o.title, g.name AS org_name FROM opportunities o JOIN organizations g ON g.id = o.organization_id
		WHERE o.id > ? ORDER BY o.id LIMIT 20`, before["max_opportunities"]).Scan(&sample).Error; err != nil {
		t.Fatal(err)
	}
	if len(sample) < 20 {
		t.Fatalf("%d generated opportunities, want 20 at least", len(sample))
	}
	for _, o := range sample {
		// The title's last word and the organization's first.
		words := models.SearchWords(o.Title)
		text := words[len(words)-1] + " " + strings.Fields(o.OrgName)[0]
		var found []uint
		err := models.EachOpportunity(gdb, models.OppFilter{Text: text}, func(r models.OppRow) error {
			found = append(found, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(found, o.ID) {
			t.Errorf("a search for %q does not find %d (%q of %q)", text, o.ID, o.Title, o.OrgName)
		}
	}
}

// The generator makes the leads and their search index in a side file and
// copies both in (genSide): every lead, the demo ones there were before and
// the generated ones, is found by its words, and FTS4's own check finds the
// index and the leads in agreement.
func TestGeneratedLeadsAreSearchable(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	gdb, before := genDB(t, now, db.GenOptions{Opportunities: 50, Leads: 600, Seed: 4})
	if err := gdb.Exec(`INSERT INTO lead_search (lead_search) VALUES ('integrity-check')`).Error; err != nil {
		t.Fatalf("the search index disagrees with the leads: %v", err)
	}
	var leads []struct {
		ID                             uint
		PersonName, CompanyName, Email string
	}
	if err := gdb.Raw(`SELECT id, person_name, company_name, email FROM leads ORDER BY id`).Scan(&leads).Error; err != nil {
		t.Fatal(err)
	}
	if n := int64(len(leads)); n != before["leads"]+600 || before["leads"] == 0 {
		t.Fatalf("%d leads, want the %d there were and 600", n, before["leads"])
	}
	for i, l := range leads {
		if i%10 != 0 && uint(before["max_leads"]) != l.ID {
			continue // every tenth, and the last demo lead
		}
		text := strings.Fields(l.PersonName)[0] + " " + models.SearchWords(l.CompanyName)[0] + " " + l.Email
		found, err := models.CountLeads(gdb, models.LeadFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint
		if err := models.EachLead(gdb, models.LeadFilter{Text: text}, func(r models.LeadRow) error {
			ids = append(ids, r.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ids, l.ID) || found != int64(len(ids)) {
			t.Errorf("a search for %q finds %v (counted %d), not lead %d", text, ids, found, l.ID)
		}
	}
}
