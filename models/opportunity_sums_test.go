package models_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// The totals row and the board's sums read opportunity_sums, kept by triggers.
// After every kind of write they must equal the sums counted from the
// opportunities themselves (a filter on the creation date forces that count).
func TestOpportunitySumsFollowEveryWrite(t *testing.T) {
	gdb := openDB(t)
	rita := mkUser(t, gdb, "rita@example.com", models.RoleRep)
	sam := mkUser(t, gdb, "sam@example.com", models.RoleRep)
	mgr := mkUser(t, gdb, "m@example.com", models.RoleManager)
	org := mkOrg(t, gdb, "Acme")
	hosting := pickID(t, gdb, models.Categories, "Managed services")
	proposal := stageByName(t, gdb, "Proposal")
	negotiation := stageByName(t, gdb, "Negotiation")

	check := func(step string) {
		t.Helper()
		filters := []models.OppFilter{
			{}, {OpenOnly: true}, {WonOnly: true}, {Status: models.StatusLost}, {OwnerID: rita.ID},
			{OwnerID: sam.ID, OpenOnly: true}, {StageID: proposal.ID}, {StageID: negotiation.ID, OwnerID: rita.ID},
			{CategoryID: hosting}, {Rating: "hot"}, {Rating: "hot", CategoryID: hosting, OpenOnly: true},
		}
		for _, f := range filters {
			got, err := models.TotalOpportunities(gdb, f)
			if err != nil {
				t.Fatal(err)
			}
			counted := f
			counted.CreatedFrom = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
			want, err := models.TotalOpportunities(gdb, counted)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s: totals of %+v from the sums %+v, counted %+v", step, f, got, want)
			}
			stages := []uint{proposal.ID, negotiation.ID}
			gotStages, err := models.StageTotals(gdb, f, stages)
			if err != nil {
				t.Fatal(err)
			}
			wantStages, err := models.StageTotals(gdb, counted, stages)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(gotStages) != fmt.Sprint(wantStages) {
				t.Fatalf("%s: stage totals of %+v from the sums %v, counted %v", step, f, gotStages, wantStages)
			}
		}
	}

	var opps []*models.Opportunity
	for i, owner := range []*models.User{rita, sam, rita, sam, rita} {
		o := createOpp(t, gdb, fmt.Sprintf("Deal %d", i), org, owner, "Proposal", t0)
		opps = append(opps, o)
	}
	check("created")
	if total, _ := models.TotalOpportunities(gdb, models.OppFilter{}); total.Count != 5 {
		t.Fatalf("5 opportunities counted as %d", total.Count)
	}

	o := opps[0]
	o.Revenue = models.Amounts{OneTime: 1234567, Monthly: 99999}
	o.Rating, o.CategoryID = "hot", &hosting
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	if _, err := models.SaveOpportunity(gdb, o, o.Version, rita, t0); err != nil {
		t.Fatal(err)
	}
	check("amount, rating and category edited")

	o = reload(t, gdb, opps[1].ID)
	o.Probability, o.ProbabilityOverride = 33, true
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	if _, err := models.SaveOpportunity(gdb, o, o.Version, sam, t0); err != nil {
		t.Fatal(err)
	}
	check("probability overridden")

	o = reload(t, gdb, opps[2].ID)
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	if err := models.MoveStage(gdb, o, o.Version, negotiation.ID, rita, t0); err != nil {
		t.Fatal(err)
	}
	check("stage moved")

	if _, err := models.Reassign(gdb, []uint{opps[0].ID, opps[3].ID}, sam.ID, mgr, t0); err != nil {
		t.Fatal(err)
	}
	check("reassigned")

	o = reload(t, gdb, opps[4].ID)
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	win := models.OutcomeInput{ReasonID: pickID(t, gdb, models.WinReasons, "Price"), Date: t0}
	if err := models.MarkWon(gdb, o, o.Version, win, rita, t0); err != nil {
		t.Fatal(err)
	}
	check("won")

	o = reload(t, gdb, opps[1].ID)
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	loss := models.OutcomeInput{ReasonID: pickID(t, gdb, models.LossReasons, "Timing"), Date: t0}
	if err := models.MarkLost(gdb, o, o.Version, loss, sam, t0); err != nil {
		t.Fatal(err)
	}
	check("lost")

	o = reload(t, gdb, opps[1].ID)
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	if err := models.Reopen(gdb, o, o.Version, "They came back", mgr, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("reopened")

	if err := gdb.Transaction(func(tx *gorm.DB) error {
		for _, table := range []string{"opportunity_history", "notes", "todos"} {
			if err := tx.Exec("DELETE FROM "+table+" WHERE opportunity_id = ?", opps[3].ID).Error; err != nil {
				return err
			}
		}
		return tx.Exec("DELETE FROM opportunities WHERE id = ?", opps[3].ID).Error
	}); err != nil {
		t.Fatal(err)
	}
	check("deleted")

	// A change that leaves the grouped columns and sums alone leaves the sums alone.
	var before []map[string]any
	gdb.Raw("SELECT * FROM opportunity_sums ORDER BY owner_id, stage_id, status, category_id, rating").Scan(&before)
	if err := gdb.Exec("UPDATE opportunities SET title = 'Renamed', description = 'x'").Error; err != nil {
		t.Fatal(err)
	}
	var after []map[string]any
	gdb.Raw("SELECT * FROM opportunity_sums ORDER BY owner_id, stage_id, status, category_id, rating").Scan(&after)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("renaming changed the sums:\n%v\n%v", before, after)
	}
	check("renamed")
}

// Keyset pages (after the last row, before the first) hold the same rows as
// offset pages, for every sort in both directions, ties on the sort value included.
func TestOpportunityKeysetPagesMatchOffsetPages(t *testing.T) {
	gdb := openDB(t)
	rita := mkUser(t, gdb, "rita@example.com", models.RoleRep)
	sam := mkUser(t, gdb, "sam@example.com", models.RoleRep)
	orgs := []*models.Organization{mkOrg(t, gdb, "Acme"), mkOrg(t, gdb, "Globex"), mkOrg(t, gdb, "Initech")}
	stages := []string{"Qualification", "Proposal", "Negotiation"}
	for i := 0; i < 23; i++ {
		owner := rita
		if i%3 == 0 {
			owner = sam
		}
		o := &models.Opportunity{Title: fmt.Sprintf("Deal %d", i%5), OrganizationID: orgs[i%3].ID, OwnerID: owner.ID,
			StageID: stageByName(t, gdb, stages[i%3]).ID, Status: models.StatusActive,
			ProjectedCloseDate: time.Date(2026, 6, 1+i%4, 0, 0, 0, 0, time.UTC), Revenue: models.Amounts{OneTime: models.Money(i%6) * 1000}}
		if err := models.CreateOpportunity(gdb, o, owner, t0); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(rows []models.OppRow) string {
		out := ""
		for _, r := range rows {
			out += fmt.Sprint(r.ID, " ")
		}
		return out
	}
	for sort := range models.OppSorts {
		for _, desc := range []bool{false, true} {
			f := models.OppFilter{Sort: sort, Desc: desc}
			var pages [][]models.OppRow
			for n := 1; ; n++ {
				rows, more, err := models.ListOpportunities(gdb, f, models.Page{Number: n, Size: 5})
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, rows)
				if !more {
					break
				}
			}
			if len(pages) != 5 {
				t.Fatalf("%s desc=%v: %d offset pages of 23 rows by 5, want 5", sort, desc, len(pages))
			}
			for n := 1; n < len(pages); n++ {
				prev, this := pages[n-1], pages[n]
				got, more, err := models.ListOpportunities(gdb, f, models.Page{Number: n + 1, Size: 5, After: prev[len(prev)-1].ID})
				if err != nil {
					t.Fatal(err)
				}
				if ids(got) != ids(this) || more != (n+1 < len(pages)) {
					t.Fatalf("%s desc=%v page %d after %d: %s (more %v), want %s", sort, desc, n+1, prev[len(prev)-1].ID, ids(got), more, ids(this))
				}
				got, more, err = models.ListOpportunities(gdb, f, models.Page{Number: n, Size: 5, Before: this[0].ID})
				if err != nil {
					t.Fatal(err)
				}
				if ids(got) != ids(prev) || !more {
					t.Fatalf("%s desc=%v page %d before %d: %s, want %s", sort, desc, n, this[0].ID, ids(got), ids(prev))
				}
			}
		}
	}
	// A cursor whose row is gone falls back to the page number.
	f := models.OppFilter{Sort: "close"}
	want, _, _ := models.ListOpportunities(gdb, f, models.Page{Number: 2, Size: 5})
	got, _, err := models.ListOpportunities(gdb, f, models.Page{Number: 2, Size: 5, After: 999999})
	if err != nil || ids(got) != ids(want) {
		t.Fatalf("unknown cursor: %s (%v), want page 2 by offset: %s", ids(got), err, ids(want))
	}
}

// The list named from the choices (the list page and the board) holds the same
// rows, names included, as the list that joins the users and stages, for every
// sort, every kind of page and an owner who is no longer active (not among the
// choices); the board's cards are each stage's first rows by projected close.
func TestOpportunityListNamedFromChoicesMatchesJoinedList(t *testing.T) {
	gdb := openDB(t)
	rita := mkUser(t, gdb, "rita@example.com", models.RoleRep)
	sam := mkUser(t, gdb, "sam@example.com", models.RoleRep)
	orgs := []*models.Organization{mkOrg(t, gdb, "Acme"), mkOrg(t, gdb, "Globex")}
	stages := []string{"Qualification", "Proposal", "Negotiation"}
	for i := 0; i < 17; i++ {
		owner := rita
		if i%3 == 0 {
			owner = sam
		}
		o := &models.Opportunity{Title: fmt.Sprintf("Deal %d", i%5), OrganizationID: orgs[i%2].ID, OwnerID: owner.ID,
			StageID: stageByName(t, gdb, stages[i%3]).ID, Status: models.StatusActive,
			ProjectedCloseDate: time.Date(2026, 6, 1+i%4, 0, 0, 0, 0, time.UTC), Revenue: models.Amounts{OneTime: models.Money(i%6) * 1000}}
		if err := models.CreateOpportunity(gdb, o, owner, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := gdb.Model(&models.User{}).Where("id = ?", sam.ID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	choices, err := models.LoadListChoices(gdb)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := choices.Names().Users[sam.ID]; ok {
		t.Fatal("an inactive user is among the choices: the test no longer covers a name read apart")
	}
	show := func(rows []models.OppRow) string { return fmt.Sprintf("%+v", rows) }
	for sort := range models.OppSorts {
		for _, desc := range []bool{false, true} {
			f := models.OppFilter{Sort: sort, Desc: desc}
			for _, p := range []models.Page{{Number: 1, Size: 5}, {Number: 2, Size: 5}, {Number: 3, Size: 5, After: 4}, {Number: 2, Size: 5, Before: 9}} {
				want, wantMore, err := models.ListOpportunities(gdb, f, p)
				if err != nil {
					t.Fatal(err)
				}
				got, more, err := models.ListOpportunitiesNamed(gdb, f, p, choices.Names())
				if err != nil {
					t.Fatal(err)
				}
				if show(got) != show(want) || more != wantMore {
					t.Fatalf("%s desc=%v %+v:\n got %s\nwant %s", sort, desc, p, show(got), show(want))
				}
				if len(got) == 0 || got[0].OwnerName == "" || got[0].StageName == "" {
					t.Fatalf("%s desc=%v %+v: rows without names: %s", sort, desc, p, show(got))
				}
			}
		}
	}
	var ids []uint
	for _, s := range choices.OpenStages() {
		ids = append(ids, s.ID)
	}
	f := models.OppFilter{OwnerID: rita.ID, OpenOnly: true}
	cards, err := models.BoardCards(gdb, f, ids, 3, choices.Names())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range ids {
		fs := f
		fs.StageID, fs.Sort = id, "close"
		want, _, err := models.ListOpportunities(gdb, fs, models.Page{Number: 1, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		// A card has what the board shows: not the organization's id, the
		// status or the probability.
		for i := range want {
			want[i].OrganizationID, want[i].Status, want[i].Probability = 0, "", 0
		}
		if show(cards[id]) != show(want) {
			t.Fatalf("stage %d cards:\n got %s\nwant %s", id, show(cards[id]), show(want))
		}
		n += len(want)
	}
	if n < 6 {
		t.Fatalf("%d cards on the board; the test needs several stages with several cards", n)
	}
}

// The list's choices come in the order of the separate reads: users by name,
// stages by position, categories by position and name, ties broken by id.
func TestListChoicesInTheOrderOfTheSeparateReads(t *testing.T) {
	gdb := openDB(t)
	for _, email := range []string{"zed@example.com", "amy@example.com", "bob@example.com", "amy2@example.com"} {
		mkUser(t, gdb, email, models.RoleRep)
	}
	gdb.Model(&models.User{}).Where("email = ?", "amy2@example.com").Update("name", "amy b")
	gdb.Model(&models.User{}).Where("email = ?", "amy@example.com").Update("name", "amy a")
	for i, name := range []string{"Zeta", "Alpha", "Mid"} {
		if err := gdb.Create(&models.PicklistValue{Kind: models.Categories, Name: name, Position: 90 - i%2, Active: i != 1}).Error; err != nil {
			t.Fatal(err)
		}
	}
	gdb.Model(&models.Stage{}).Where("name = ?", "Proposal").Update("position", 0)
	c, err := models.LoadListChoices(gdb)
	if err != nil {
		t.Fatal(err)
	}
	users, err := models.ActiveUsers(gdb)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := models.ActiveStages(gdb)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := models.Picklist(gdb, models.Categories, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(n int, id func(int) uint) string {
		out := ""
		for i := 0; i < n; i++ {
			out += fmt.Sprint(id(i), " ")
		}
		return out
	}
	if got, want := ids(len(c.Users), func(i int) uint { return c.Users[i].ID }), ids(len(users), func(i int) uint { return users[i].ID }); got != want {
		t.Errorf("users %s, want %s", got, want)
	}
	if got, want := ids(len(c.Stages), func(i int) uint { return c.Stages[i].ID }), ids(len(stages), func(i int) uint { return stages[i].ID }); got != want {
		t.Errorf("stages %s, want %s", got, want)
	}
	if got, want := ids(len(c.Categories), func(i int) uint { return c.Categories[i].ID }), ids(len(cats), func(i int) uint { return cats[i].ID }); got != want {
		t.Errorf("categories %s, want %s", got, want)
	}
}
