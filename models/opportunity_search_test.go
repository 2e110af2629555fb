package models_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// TestOpportunitySearchAndEverySortAgreeWithGo reads the demo opportunities
// page by page in every order of the list, with and without a text search and
// the open filter, and compares the rows with the same search and order worked
// out in Go from every row: the search matches the title or the organization's
// name, ignoring case, and the pages hold each match once, in order.
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
			o.probability, o.status, o.projected_close_date AS close, o.amount, o.is_open
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
		for _, text := range []string{"", "NORTHWIND", "cloud", "zzz-nothing"} {
			for _, open := range []bool{false, true} {
				var want []uint
				byID := map[uint]int{}
				for i, o := range all {
					byID[o.ID] = i
					low := strings.ToLower(text)
					if text != "" && !strings.Contains(strings.ToLower(o.Title), low) && !strings.Contains(strings.ToLower(o.OrgName), low) {
						continue
					}
					if open && !o.IsOpen {
						continue
					}
					want = append(want, o.ID)
				}
				if text == "NORTHWIND" && len(want) == 0 {
					t.Fatal("the demo data has no Northwind opportunity to find")
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
						f := models.OppFilter{Text: text, OpenOnly: open, Sort: sort, Desc: desc}
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
