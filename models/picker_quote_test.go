package models_test

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// QuotePick finds a quote by its number ("12" or "#12", and "#12 name" as
// the picker shows it) or by the start of its name, ignoring case, newest
// first within a name, never the quote it excludes, and not by a word
// inside a name.
func TestQuotePickByNumberOrName(t *testing.T) {
	e := qtSetup(t)
	o := e.opp(t, "Quote pick deal", false)
	a := e.quote(t, o, "Wi-Fi upgrade")
	b := e.quote(t, o, "WI-FI upgrade")
	c := e.quote(t, o, "Firewall renewal")
	self := e.quote(t, o, "Wi-Fi upgrade")
	src := models.QuotePick{Except: self.ID}
	label := func(q *models.Quote) string {
		return fmt.Sprintf("#%d %s (Acme, 2026-11-02)", q.Number, q.Name)
	}
	labels := func(rows []models.Pick, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Label())
		}
		return fmt.Sprint(out)
	}
	num := func(q *models.Quote) string { return fmt.Sprint(q.Number) }
	for _, tc := range []struct{ text, want string }{
		{num(c), fmt.Sprint([]string{label(c)})},
		{" #" + num(c), fmt.Sprint([]string{label(c)})},
		{"#" + num(c) + " firewall", fmt.Sprint([]string{label(c)})}, // as the picker shows it
		{"#" + num(c) + " wi-fi", "[]"},                              // the number of another name
		{"wi-fi upgrade", fmt.Sprint([]string{label(b), label(a)})},  // the same name, newest first, not self
		{"fire", fmt.Sprint([]string{label(c)})},
		{num(self), "[]"},              // the quote itself
		{"renewal", "[]"},              // inside a name: not matched
		{"#0", "[]"},                   // no number
		{"+" + num(c), "[]"},           // no number either
		{"99999999999999999999", "[]"}, // past any number
		{"%", "[]"},
	} {
		if got := labels(models.Resolve(e.db, src, tc.text)); got != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
	if got, want := labels(models.Suggest(e.db, src, "w", 1)), fmt.Sprint([]string{label(b)}); got != want {
		t.Errorf("Suggest(w, 1) = %s, want %s", got, want)
	}
	if small, err := src.Small(e.db); err != nil || !small {
		t.Errorf("Small = %v, %v", small, err)
	}
	all, err := src.All(e.db)
	if got, want := labels(all, err), fmt.Sprint([]string{label(c), label(b), label(a)}); got != want {
		t.Errorf("All = %s, want %s (newest first, without the quote itself)", got, want)
	}
	if _, err := src.Get(e.db, self.ID); err == nil {
		t.Error("Get offers the quote itself")
	}
}

// TestQuotePickReadsAlongTheNameIndex checks the plans of QuotePick's name
// reads: SQLite walks quotes_name_lower in the order asked and stops at the
// limit, for an exact name as for a prefix, instead of sorting every quote of
// the name (17,000 of one at 1M took 95 ms).
func TestQuotePickReadsAlongTheNameIndex(t *testing.T) {
	dbtest.SkipOnPostgres(t, "EXPLAIN QUERY PLAN is SQLite's")
	e := qtSetup(t)
	e.quote(t, e.opp(t, "Plan deal", false), "Wi-Fi upgrade")
	var queries []string
	var vars [][]any
	capture := func(tx *gorm.DB) {
		if sql := tx.Statement.SQL.String(); strings.Contains(sql, "LOWER(quotes.name)") {
			queries, vars = append(queries, sql), append(vars, tx.Statement.Vars)
		}
	}
	if err := e.db.Callback().Query().After("gorm:query").Register("test:capture_quote_picks", capture); err != nil {
		t.Fatal(err)
	}
	for _, m := range []models.PickMatch{models.MatchExact, models.MatchPrefix} {
		if _, err := (models.QuotePick{}).Find(e.db, "wi-fi upgrade", m, models.PickMatches); err != nil {
			t.Fatal(err)
		}
	}
	if len(queries) != 2 {
		t.Fatalf("captured %d name reads, want 2", len(queries))
	}
	for i, q := range queries {
		var plan []string
		rows, err := e.db.Raw("EXPLAIN QUERY PLAN "+q, vars[i]...).Rows()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		if !strings.Contains(all, "quotes USING INDEX quotes_name_lower") || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s is not read along quotes_name_lower in order; plan:\n%s", q, all)
		}
	}
}
