package db_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/models"
)

func genDB(t *testing.T, now time.Time, o db.GenOptions) (*gorm.DB, map[string]int64) {
	t.Helper()
	gdb, err := db.Open(filepath.Join(t.TempDir(), "gen.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(gdb); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(gdb, now); err != nil {
		t.Fatal(err)
	}
	before := map[string]int64{}
	for _, table := range []string{"opportunities", "leads"} {
		before[table] = genCount(t, gdb, "SELECT COUNT(*) FROM "+table)
		before["max_"+table] = genCount(t, gdb, "SELECT MAX(id) FROM "+table)
	}
	if err := db.Generate(gdb, o, now); err != nil {
		t.Fatal(err)
	}
	return gdb, before
}

func genCount(t *testing.T, gdb *gorm.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := gdb.Raw(sql, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// The generator adds exactly what it is asked for, consistently: every
// reference points at a row, converted leads and their opportunities agree,
// won deals are quoted and ordered, the indexes and SQLite settings are back,
// and the numbering of quotes and orders continues after the generated ones.
func TestGenerateBelievableConsistentData(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	gdb, before := genDB(t, now, db.GenOptions{Opportunities: 3000, Leads: 9000, Seed: 5})
	for _, c := range []struct {
		what string
		sql  string
		want int64
	}{
		{"generated opportunities", "SELECT COUNT(*) FROM opportunities", before["opportunities"] + 3000},
		{"generated leads", "SELECT COUNT(*) FROM leads", before["leads"] + 9000},
		{"foreign key violations", "SELECT COUNT(*) FROM pragma_foreign_key_check", 0},
		{"converted leads whose opportunity disagrees", `SELECT COUNT(*) FROM leads l JOIN opportunities o ON o.id = l.opportunity_id
			WHERE l.id > ? AND (o.owner_id <> l.owner_id OR COALESCE(o.campaign_id, 0) <> COALESCE(l.campaign_id, 0) OR o.created_at < l.created_at)`, 0},
		{"converted leads without an opportunity", "SELECT COUNT(*) FROM leads WHERE (status = 'converted') <> (opportunity_id IS NOT NULL)", 0},
		{"opportunities of two leads", "SELECT COUNT(*) FROM (SELECT opportunity_id FROM leads WHERE opportunity_id IS NOT NULL GROUP BY opportunity_id HAVING COUNT(*) > 1) x", 0},
		{"won deals without an accepted primary quote", `SELECT COUNT(*) FROM opportunities o WHERE o.id > ? AND o.status IN ('closed', 'implemented')
			AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.opportunity_id = o.id AND q.is_primary AND q.status = 'accepted')`, 0},
		{"opportunities with two primary quotes", "SELECT COUNT(*) FROM (SELECT opportunity_id FROM quotes WHERE is_primary GROUP BY opportunity_id HAVING COUNT(*) > 1) x", 0},
		{"sales orders of deals not won", "SELECT COUNT(*) FROM sales_orders s JOIN opportunities o ON o.id = s.opportunity_id WHERE o.status NOT IN ('closed', 'implemented')", 0},
		{"sales orders without lines", "SELECT COUNT(*) FROM sales_orders s WHERE NOT EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.sales_order_id = s.id)", 0},
		{"closed deals without a close date", "SELECT COUNT(*) FROM opportunities WHERE (status IN ('closed', 'implemented') AND closed_date IS NULL) OR (status = 'lost' AND lost_date IS NULL)", 0},
		{"quoted flag wrong", "SELECT COUNT(*) FROM opportunities o WHERE o.quoted <> EXISTS (SELECT 1 FROM quotes q WHERE q.opportunity_id = o.id)", 0},
		{"from_lead flag wrong", "SELECT COUNT(*) FROM opportunities o WHERE o.from_lead <> EXISTS (SELECT 1 FROM leads l WHERE l.opportunity_id = o.id)", 0},
		{"is_open wrong", "SELECT COUNT(*) FROM opportunities WHERE is_open <> (status IN ('active', 'not_ready'))", 0},
		{"amount not the first-year revenue", `SELECT COUNT(*) FROM opportunities WHERE amount <> revenue_one_time + 12 * revenue_monthly +
			4 * revenue_quarterly + 2 * revenue_semi_annual + revenue_yearly`, 0},
		{"history out of order", `SELECT COUNT(*) FROM opportunity_history h JOIN opportunities o ON o.id = h.opportunity_id
			WHERE o.id > ? AND (h.created_at < o.created_at OR h.created_at > ?)`, 0},
		{"opportunities whose last stage entry is not their stage", `SELECT COUNT(*) FROM opportunities o WHERE o.stage_id <> (SELECT h.new_ref FROM opportunity_history h
			WHERE h.opportunity_id = o.id AND h.field = 'stage' ORDER BY h.created_at DESC, h.id DESC LIMIT 1)`, 0},
		// Ids follow creation, as in a real database (the reports read the
		// records of a few days by the creation index: they lie together).
		{"opportunities created before the one before them", `SELECT COUNT(*) FROM (SELECT created_at, LAG(created_at) OVER (ORDER BY id) AS prev
			FROM opportunities WHERE id > ?) x WHERE x.prev > x.created_at`, 0},
		{"leads created before the one before them", `SELECT COUNT(*) FROM (SELECT created_at, LAG(created_at) OVER (ORDER BY id) AS prev
			FROM leads WHERE id > ?) x WHERE x.prev > x.created_at`, 0},
		{"leads before their campaign started", "SELECT COUNT(*) FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE l.id > ? AND l.created_at < c.start_date", 0},
		{"records in the future", "SELECT COUNT(*) FROM leads WHERE id > ? AND (created_at > ? OR converted_at > ?)", 0},
		{"quote numbers at or past the next one", "SELECT COUNT(*) FROM quotes WHERE number >= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'next_quote_number')", 0},
		{"order numbers at or past the next one", "SELECT COUNT(*) FROM sales_orders WHERE number >= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'next_sales_order_number')", 0},
	} {
		var args []any
		switch c.what {
		case "history out of order":
			args = []any{before["max_opportunities"], now}
		case "records in the future":
			args = []any{before["max_leads"], now, now}
		case "opportunities created before the one before them":
			args = []any{before["max_opportunities"]}
		case "converted leads whose opportunity disagrees", "leads created before the one before them", "leads before their campaign started":
			args = []any{before["max_leads"]}
		case "won deals without an accepted primary quote":
			args = []any{before["max_opportunities"]}
		}
		if got := genCount(t, gdb, c.sql, args...); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	// Every lifecycle state is there in believable shares.
	for _, c := range []struct {
		what     string
		sql      string
		min, max int64
	}{
		{"new leads", "SELECT COUNT(*) FROM leads WHERE status = 'new'", 900, 4500},
		{"qualified leads", "SELECT COUNT(*) FROM leads WHERE status = 'qualified'", 450, 3000},
		{"disqualified leads", "SELECT COUNT(*) FROM leads WHERE status = 'disqualified'", 1800, 6000},
		{"converted leads", "SELECT COUNT(*) FROM leads WHERE status = 'converted'", 1200, 1900},
		{"leads without a campaign", "SELECT COUNT(*) FROM leads WHERE campaign_id IS NULL", 300, 1500},
		{"campaigns", "SELECT COUNT(*) FROM campaigns", 3, 10},
		{"open opportunities", "SELECT COUNT(*) FROM opportunities WHERE is_open", 600, 1800},
		{"won opportunities", "SELECT COUNT(*) FROM opportunities WHERE status IN ('closed', 'implemented')", 500, 1300},
		{"lost opportunities", "SELECT COUNT(*) FROM opportunities WHERE status = 'lost'", 600, 1500},
		{"quoted opportunities", "SELECT COUNT(DISTINCT opportunity_id) FROM quotes", 1200, 2600},
		{"quote items", "SELECT COUNT(*) FROM quote_items", 3000, 12000},
		{"sales orders", "SELECT COUNT(*) FROM sales_orders", 300, 1300},
		{"stage changes", "SELECT COUNT(*) FROM opportunity_history WHERE field = 'stage' AND old_ref IS NOT NULL", 3000, 12000},
	} {
		if got := genCount(t, gdb, c.sql); got < c.min || got > c.max {
			t.Errorf("%s: %d, want %d to %d", c.what, got, c.min, c.max)
		}
	}
	var mode string
	var fk int
	gdb.Raw("PRAGMA journal_mode").Scan(&mode)
	gdb.Raw("PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("after generating: journal_mode %s, foreign_keys %d; want wal and 1", mode, fk)
	}
	fresh, _ := db.Open(filepath.Join(t.TempDir(), "fresh.db"), nil)
	if err := db.Migrate(fresh); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"index", "trigger"} {
		q := "SELECT COUNT(*) FROM sqlite_master WHERE type = '" + kind + "'"
		if got, want := genCount(t, gdb, q), genCount(t, fresh, q); got != want || want == 0 {
			t.Errorf("%d of type %s after generating, want the schema's %d", got, kind, want)
		}
	}
	if err := db.CheckReportRollups(gdb); err != nil {
		t.Error(err)
	}
	if ok := genCount(t, gdb, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"); ok != 1 {
		t.Errorf("integrity check fails")
	}
	// The app goes on numbering after the generated quotes.
	var opp models.Opportunity
	gdb.Where("is_open = ?", true).Order("id DESC").First(&opp)
	quote := models.Quote{OpportunityID: opp.ID, Name: "After generating", OwnerID: opp.OwnerID, TermMonths: 12, EffectiveDate: now, ExpirationDate: now.AddDate(0, 0, 30)}
	if err := models.CreateQuote(gdb, &quote); err != nil {
		t.Fatalf("a new quote after generating: %v", err)
	}
}

// The same seed makes the same rows.
func TestGenerateIsRepeatable(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	o := db.GenOptions{Opportunities: 500, Leads: 1500, Seed: 9}
	sum := func(gdb *gorm.DB) string {
		var out []string
		for _, q := range []string{
			"SELECT COUNT(*) || '/' || SUM(amount) || '/' || SUM(LENGTH(title)) || '/' || SUM(owner_id * id) FROM opportunities",
			"SELECT COUNT(*) || '/' || SUM(LENGTH(email)) || '/' || SUM(owner_id * id) || '/' || SUM(COALESCE(opportunity_id, 0)) FROM leads",
			"SELECT COUNT(*) || '/' || SUM(number) || '/' || SUM(LENGTH(COALESCE(token, ''))) FROM quotes",
			"SELECT COUNT(*) || '/' || SUM(quantity * unit_price) FROM quote_items",
			"SELECT COUNT(*) || '/' || SUM(LENGTH(new_value)) FROM opportunity_history",
		} {
			var s string
			gdb.Raw(q).Scan(&s)
			out = append(out, s)
		}
		return fmt.Sprint(out)
	}
	run := func() string {
		gdb, _ := genDB(t, now, o)
		return sum(gdb)
	}
	a, b := run(), run()
	if a != b {
		t.Errorf("two runs with seed 9 differ:\n%s\n%s", a, b)
	}
	o.Seed = 10
	if c := run(); c == a {
		t.Errorf("seeds 9 and 10 made the same rows: %s", c)
	}
}

// Generating again on top of generated data, with leads only or
// opportunities only, adds to the report rollups and the opportunity sums
// what a rebuild from all the records would make (the generator adds them up
// itself rather than rebuilding them).
func TestGenerateAgainKeepsRollupsAndSums(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	gdb, _ := genDB(t, now, db.GenOptions{Opportunities: 300, Leads: 900, Seed: 5})
	for _, o := range []db.GenOptions{{Leads: 600, Seed: 6}, {Opportunities: 200, Seed: 7}} {
		if err := db.Generate(gdb, o, now); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckReportRollups(gdb); err != nil {
			t.Errorf("after %+v: %v", o, err)
		}
		if got := genCount(t, gdb, `SELECT COUNT(*) FROM (SELECT owner_id, stage_id, status, COALESCE(category_id, 0), rating, COUNT(*), SUM(amount),
			SUM((amount * probability + 50) / 100) FROM opportunities GROUP BY 1, 2, 3, 4, 5
			EXCEPT SELECT owner_id, stage_id, status, category_id, rating, n, amount, weighted FROM opportunity_sums WHERE n <> 0) x`); got != 0 {
			t.Errorf("after %+v: opportunity sums differ from the records in %d groups", o, got)
		}
	}
}

// A customer link's token is a secret: it does not follow from the seed, so
// the same seed twice into one database makes new tokens, not a clash.
func TestGenerateTokensAreNotFromTheSeed(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	o := db.GenOptions{Opportunities: 150, Seed: 5}
	gdb, _ := genDB(t, now, o)
	if err := db.Generate(gdb, o, now); err != nil {
		t.Fatalf("the same seed again: %v", err)
	}
	tokens := genCount(t, gdb, `SELECT COUNT(token) FROM quotes`)
	if distinct := genCount(t, gdb, `SELECT COUNT(DISTINCT token) FROM quotes`); tokens < 20 || distinct != tokens {
		t.Errorf("%d tokens, %d distinct: want many, all different", tokens, distinct)
	}
}
