package models_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// TestOpportunitySearchAndEverySortAgreeWithGo reads the demo opportunities
// page by page in every order of the list, with and without a text search and
// the open filter, and compares the rows with the same search and order worked
// out in Go from every row: the search finds an opportunity when each word
// typed starts a word of its title or of its organization's name (words are
// runs of letters and digits), ignoring case, and the pages hold each match
// once, in order.
func TestOpportunitySearchAndEverySortAgreeWithGo(t *testing.T) {
	gdb := dbtest.OpenDemo(t)
	type row struct {
		ID                        uint
		Title, OrgName, OwnerName string
		StagePos, Probability     int
		Status                    string
		Close                     string
		Amount                    int64
		IsOpen                    bool
		CampaignID                uint
		CreatedAt                 time.Time
	}
	// Then again with two users of the same name, sorted by owner: their
	// opportunities are ordered by id across both.
	for _, sameNames := range []bool{false, true} {
		if sameNames {
			if err := gdb.Exec(`UPDATE users SET name = (SELECT name FROM users WHERE email = 'manager@example.com') WHERE email = 'rep@example.com'`).Error; err != nil {
				t.Fatal(err)
			}
		}
		var all []row
		if err := gdb.Raw(`SELECT o.id, o.title, g.name AS org_name, u.name AS owner_name, s.position AS stage_pos,
			o.probability, o.status, o.projected_close_date AS close, o.amount, o.is_open, COALESCE(o.campaign_id, 0) AS campaign_id, o.created_at
			FROM opportunities o JOIN organizations g ON g.id = o.organization_id JOIN users u ON u.id = o.owner_id
			JOIN opportunity_stages s ON s.id = o.stage_id`).Scan(&all).Error; err != nil {
			t.Fatal(err)
		}
		if len(all) < 30 {
			t.Fatalf("only %d demo opportunities: too few for pages", len(all))
		}
		// Each sort's column, compared in Go; ties go by id.
		bySort := map[string]func(a, b row) int{
			"title":        func(a, b row) int { return strings.Compare(a.Title, b.Title) },
			"organization": func(a, b row) int { return strings.Compare(a.OrgName, b.OrgName) },
			"owner":        func(a, b row) int { return strings.Compare(a.OwnerName, b.OwnerName) },
			"stage":        func(a, b row) int { return cmp.Compare(a.StagePos, b.StagePos) },
			"status":       func(a, b row) int { return strings.Compare(a.Status, b.Status) },
			"probability":  func(a, b row) int { return cmp.Compare(a.Probability, b.Probability) },
			"close":        func(a, b row) int { return strings.Compare(a.Close, b.Close) },
			"amount":       func(a, b row) int { return cmp.Compare(a.Amount, b.Amount) },
		}
		if len(bySort) != len(models.OppSorts) {
			t.Fatalf("the test compares %d sorts, the list has %d", len(bySort), len(models.OppSorts))
		}
		textSorts := map[string]bool{"title": true, "organization": true, "owner": true}
		words := func(s string) []string {
			return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		}
		// found is the reference: every word of text starts a word of the
		// title or of the organization's name.
		found := func(text string, o row) bool {
			has := append(words(o.Title), words(o.OrgName)...)
			for _, w := range words(text) {
				if !slices.ContainsFunc(has, func(h string) bool { return strings.HasPrefix(h, w) }) {
					return false
				}
			}
			return len(words(text)) > 0
		}
		// A search whose words are found, one in the title, the other in the
		// organization's name, of the same opportunity.
		across := words(all[0].Title)[0] + " " + strings.ToUpper(words(all[0].OrgName)[0])
		// Must find something: a whole word, a word's start, two words.
		finds := map[string]bool{"NORTHWIND": true, "north": true, "wi-fi": true, across: true}
		// And one campaign's (the funnel's drill-down): read along its index.
		var campaign uint
		if err := gdb.Raw(`SELECT campaign_id FROM opportunities WHERE campaign_id IS NOT NULL GROUP BY campaign_id ORDER BY COUNT(*) DESC, campaign_id LIMIT 1`).Scan(&campaign).Error; err != nil || campaign == 0 {
			t.Fatalf("no demo campaign has opportunities (%v)", err)
		}
		// And every page read as for a filter of many matches (OppFilter.Many).
		// And a period of creation (the funnel's drill-downs: ids found
		// along the creation-date index), with a range of close dates too
		// (the forecast's).
		created := make([]time.Time, len(all))
		for i, o := range all {
			created[i] = o.CreatedAt
		}
		slices.SortFunc(created, func(a, b time.Time) int { return a.Compare(b) })
		from, before := created[len(created)/4], created[len(created)*3/4]
		closeFrom, closeBefore := "2026-01-01", "2026-12-01"
		for _, search := range []struct {
			text             string
			campaign         uint
			many             bool
			period, closeHas bool
		}{{"", 0, false, false, false}, {"NORTHWIND", 0, false, false, false}, {"north", 0, false, false, false}, {"orthwind", 0, false, false, false},
			{"wi-fi", 0, false, false, false}, {"365", 0, false, false, false}, {across, 0, false, false, false}, {"cloud", 0, false, false, false},
			{"zzz-nothing", 0, false, false, false}, {"%_", 0, false, false, false}, {"", campaign, false, false, false}, {"cloud", campaign, false, false, false},
			{"", 0, true, false, false}, {"", 0, false, true, false}, {"", 0, true, true, false}, {"", 0, false, true, true}, {"cloud", 0, false, true, false}} {
			text := search.text
			if text == "orthwind" && !slices.ContainsFunc(all, func(o row) bool { return strings.Contains(strings.ToLower(o.OrgName), text) }) {
				t.Fatal("no organization name has orthwind inside a word: the test would not tell a substring search from a word search")
			}
			for _, open := range []bool{false, true} {
				var want []uint
				byID := map[uint]int{}
				for i, o := range all {
					byID[o.ID] = i
					if text != "" && !found(text, o) {
						continue
					}
					if open && !o.IsOpen || search.campaign != 0 && o.CampaignID != search.campaign ||
						search.period && (o.CreatedAt.Before(from) || !o.CreatedAt.Before(before)) ||
						search.closeHas && (o.Close[:10] < closeFrom || o.Close[:10] >= closeBefore) {
						continue
					}
					want = append(want, o.ID)
				}
				if (search.campaign == 0 && finds[text] || search.campaign != 0 && text == "" || search.period && text == "") && !open && len(want) == 0 {
					t.Fatalf("the demo data has no opportunity for %q to find", text)
				}
				for sort := range models.OppSorts {
					if sameNames && sort != "owner" {
						continue
					}
					for _, desc := range []bool{false, true} {
						cmpRows := func(x, y uint) int {
							c := bySort[sort](all[byID[x]], all[byID[y]])
							if c == 0 {
								c = cmp.Compare(x, y)
							}
							if desc {
								c = -c
							}
							return c
						}
						expect := slices.Clone(want)
						slices.SortFunc(expect, cmpRows)
						f := models.OppFilter{Text: text, OpenOnly: open, Sort: sort, Desc: desc, CampaignID: search.campaign, Many: search.many}
						if search.period {
							f.CreatedFrom, f.CreatedBefore = from, before
						}
						if search.closeHas {
							f.CloseFrom, _ = time.Parse(time.DateOnly, closeFrom)
							f.CloseBefore, _ = time.Parse(time.DateOnly, closeBefore)
						}
						var got []uint
						for n := 1; n < 20; n++ {
							p := models.NewPage(n)
							p.Size = 7
							rows, more, err := models.ListOpportunities(gdb, f, p)
							if err != nil {
								t.Fatalf("%+v page %d: %v", f, n, err)
							}
							for _, r := range rows {
								got = append(got, r.ID)
							}
							if !more {
								break
							}
						}
						// The same pages by their keyset links: each next page
						// follows the last row shown, and the page before a page
						// is the one that led to it.
						var keyset []uint
						var prev []uint
						p := models.Page{Number: 1, Size: 7}
						for n := 1; n < 20; n++ {
							rows, more, err := models.ListOpportunities(gdb, f, p)
							if err != nil {
								t.Fatalf("%+v after %d: %v", f, p.After, err)
							}
							var ids []uint
							for _, r := range rows {
								ids = append(ids, r.ID)
							}
							if n > 1 {
								back, _, err := models.ListOpportunities(gdb, f, models.Page{Number: n - 1, Size: 7, Before: ids[0]})
								if err != nil {
									t.Fatalf("%+v before %d: %v", f, ids[0], err)
								}
								var backIDs []uint
								for _, r := range back {
									backIDs = append(backIDs, r.ID)
								}
								if !slices.Equal(backIDs, prev) {
									t.Fatalf("%+v: the page before %d holds %v, want %v", f, ids[0], backIDs, prev)
								}
							}
							keyset = append(keyset, ids...)
							if !more {
								break
							}
							prev = ids
							p = models.Page{Number: n + 1, Size: 7, After: ids[len(ids)-1]}
						}
						if !slices.Equal(keyset, got) {
							t.Fatalf("%+v: keyset pages hold %v, pages by number %v", f, keyset, got)
						}
						if dbtest.Postgres() && textSorts[sort] {
							// PostgreSQL orders text in its collation: compare as sets.
							slices.Sort(got)
							slices.Sort(expect)
						}
						if !slices.Equal(got, expect) {
							t.Fatalf("%+v: pages hold %v, want %v", f, got, expect)
						}
						tot, err := models.TotalOpportunities(gdb, f)
						if err != nil || tot.Count != int64(len(want)) {
							t.Fatalf("%+v: totals count %d (%v), want %d", f, tot.Count, err, len(want))
						}
					}
				}
			}
		}
	}
}

// TestOpportunitySearchFollowsEveryWrite checks that the search index is kept
// in step with the writes that change what a search finds: a new opportunity,
// its title edited, moved to another organization, that organization renamed,
// and the opportunity deleted.
func TestOpportunitySearchFollowsEveryWrite(t *testing.T) {
	gdb := dbtest.OpenDemo(t)
	ids := func(text string) []uint {
		t.Helper()
		rows, _, err := models.ListOpportunities(gdb, models.OppFilter{Text: text}, models.NewPage(1))
		if err != nil {
			t.Fatal(err)
		}
		var out []uint
		for _, r := range rows {
			out = append(out, r.ID)
		}
		tot, err := models.TotalOpportunities(gdb, models.OppFilter{Text: text})
		if err != nil || tot.Count != int64(len(out)) {
			t.Fatalf("%q: totals count %d (%v), the list %d", text, tot.Count, err, len(out))
		}
		return out
	}
	var owner models.User
	var from models.Opportunity
	if err := gdb.First(&owner).Error; err != nil {
		t.Fatal(err)
	}
	if err := gdb.First(&from).Error; err != nil {
		t.Fatal(err)
	}
	other := models.Organization{Name: "Quokka Holdings", Type: "customer"}
	if err := gdb.Create(&other).Error; err != nil {
		t.Fatal(err)
	}
	o := models.Opportunity{Title: "Zebrafish aquarium monitoring", OrganizationID: from.OrganizationID, OwnerID: owner.ID,
		StageID: from.StageID, Status: models.StatusActive, ProjectedCloseDate: time.Now()}
	if err := models.CreateOpportunity(gdb, &o, &owner, time.Now()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		what  string
		write func() error
		finds map[string]bool
	}{
		{"created", func() error { return nil }, map[string]bool{"zebra": true, "aquarium monitor": true, "quokka": false}},
		{"title edited", func() error {
			return gdb.Model(&models.Opportunity{}).Where("id = ?", o.ID).Update("title", "Yak farm sensors").Error
		}, map[string]bool{"zebra": false, "yak sensor": true}},
		{"moved to another organization", func() error {
			return gdb.Model(&models.Opportunity{}).Where("id = ?", o.ID).Update("organization_id", other.ID).Error
		}, map[string]bool{"yak quokka": true, "quok": true}},
		{"organization renamed", func() error {
			return gdb.Model(&other).Update("name", "Wombat Partners").Error
		}, map[string]bool{"quokka": false, "wombat yak": true}},
		{"deleted", func() error {
			if err := gdb.Exec("DELETE FROM opportunity_history WHERE opportunity_id = ?", o.ID).Error; err != nil {
				return err
			}
			return gdb.Exec("DELETE FROM opportunities WHERE id = ?", o.ID).Error
		}, map[string]bool{"yak": false, "wombat": false}},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		for text, want := range s.finds {
			got := ids(text)
			if want != slices.Equal(got, []uint{o.ID}) || !want && len(got) > 0 {
				t.Errorf("%s: a search for %q finds %v, want the opportunity %d: %v", s.what, text, got, o.ID, want)
			}
		}
		if gdb.Dialector.Name() == "sqlite" {
			// FTS4 reads the words to remove from the rows: removed after
			// a change, they would stay in the index.
			if err := gdb.Exec(`INSERT INTO opportunity_search (opportunity_search) VALUES ('integrity-check')`).Error; err != nil {
				t.Fatalf("%s: the search index disagrees with the opportunities: %v", s.what, err)
			}
		}
	}
}
