package models

import (
	"slices"
	"strings"
	"unicode"

	"gorm.io/gorm"
)

// searchMaxWords bounds the words of one search that are looked up; the rest
// are left out (a search is a few words, not a paragraph).
const searchMaxWords = 8

// SearchWords are the words of a search as the index holds them: the runs of
// letters and digits, in lower case, each once, at most searchMaxWords.
func SearchWords(text string) []string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
		if len(words) == searchMaxWords {
			break
		}
	}
	return words
}

// oppMatches is the set of opportunities a text search finds: how many, and
// their ids as one SQL value (a JSON array on SQLite, an array literal on
// PostgreSQL), for the queries of one request to share.
type oppMatches struct {
	text string
	n    int
	ids  string
}

// searchFew is how many matches a list reads by id, sorting them itself: fewer
// than that are found sooner by id than by walking the list's order until a
// page of them comes (at a million opportunities, 5,000 matches are one in 200).
const searchFew = 5000

// Searched is f with the opportunities its text finds read once (from the
// search index, migration 32 in db/search.go), for the list and its totals, or the board's sums
// and cards, to share in one request instead of each searching again. The list
// functions search by themselves when not given a searched filter.
func (f OppFilter) Searched(gdb *gorm.DB) (OppFilter, error) {
	if f.Text == "" || f.found != nil && f.found.text == f.Text {
		return f, nil
	}
	m, err := searchOpportunities(gdb, f.Text)
	if err != nil {
		return f, err
	}
	f.found = m
	return f, nil
}

// searchOpportunities finds the opportunities that have, for each word of
// text, a word starting with it in their title or their organization's name.
func searchOpportunities(gdb *gorm.DB, text string) (*oppMatches, error) {
	m := &oppMatches{text: text, ids: "[]"}
	pg := gdb.Dialector.Name() == "postgres"
	if pg {
		m.ids = "{}"
	}
	words := SearchWords(text)
	if len(words) == 0 {
		return m, nil // nothing to look for: no match
	}
	var q string
	var args []any
	if pg {
		// Each word's matches, by title or by organization, along the GIN
		// indexes; a row must be among every word's.
		var b strings.Builder
		for i, w := range words {
			if i > 0 {
				b.WriteString(" INTERSECT ")
			}
			b.WriteString(`(SELECT t.id FROM opportunities t WHERE ` + SearchWordsPG("t.title") + ` @@ to_tsquery('simple', ?)
				UNION SELECT o.id FROM opportunities o WHERE o.organization_id IN
				(SELECT g.id FROM organizations g WHERE ` + SearchWordsPG("g.name") + ` @@ to_tsquery('simple', ?)))`)
			args = append(args, tsQuery(w), tsQuery(w))
		}
		q = `SELECT COUNT(*), COALESCE(CAST(array_agg(m.id) AS TEXT), '{}') FROM (` + b.String() + `) m`
	} else {
		q = `SELECT COUNT(*), json_group_array(docid) FROM opportunity_search WHERE opportunity_search MATCH ?`
		args = []any{ftsQuery(words)}
	}
	row := gdb.Session(&gorm.Session{NewDB: true}).Raw(q, args...).Row()
	if err := row.Scan(&m.n, &m.ids); err != nil {
		return nil, err
	}
	return m, nil
}

// ftsQuery is the FTS4 query (SQLite) of rows with, for each of words, a word
// starting with it in any column: "word*" is a prefix, and terms side by side
// must all match. The words are letters and digits only (SearchWords).
func ftsQuery(words []string) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `*"`
	}
	return strings.Join(terms, " ")
}

// tsQuery is the PostgreSQL text search query of rows with, for each of
// words, a word starting with it: "word:*" is a prefix, & joins them. The
// words are letters and digits only (SearchWords).
func tsQuery(words ...string) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = w + ":*"
	}
	return strings.Join(terms, " & ")
}

// SearchWordsPG is the words of a text column as PostgreSQL's search indexes
// hold them (migration 32): punctuation made a space, so that a word is a run
// of letters and digits as on SQLite. A query must say it the same way to use
// them.
func SearchWordsPG(col string) string {
	return `to_tsvector('simple', regexp_replace(` + col + `, '[[:punct:]]+', ' ', 'g'))`
}

// matched narrows q to the opportunities of f's text search. ordered is true
// for a query that reads them in the list's order (a page): with many matches
// on SQLite, the id is then not offered to the planner as a way in (the unary
// +), and it walks the order's index keeping the matches, for a page of them
// comes soon; with few, or for totals, it reads the matches by id.
func (f OppFilter) matched(q *gorm.DB, ordered bool) *gorm.DB {
	m := f.found
	if m == nil || m.text != f.Text {
		var err error
		if m, err = searchOpportunities(q, f.Text); err != nil {
			_ = q.AddError(err)
			return q
		}
	}
	if q.Dialector.Name() == "postgres" {
		return q.Where("opportunities.id = ANY(CAST(? AS BIGINT[]))", m.ids)
	}
	col := "opportunities.id"
	if ordered && m.n > searchFew {
		col = "+" + col
	}
	return q.Where(col+" IN (SELECT value FROM json_each(?))", m.ids)
}

// fewMatches is true when f searches text that few opportunities match (the
// filter searched): a page of them is then read by id and sorted, rather than
// found along the index of the list's order.
func (f OppFilter) fewMatches() bool {
	return f.Text != "" && f.found != nil && f.found.text == f.Text && f.found.n <= searchFew
}

// closeIndexed is true when the close index is not the way to a page of f's
// many matches: an index of f's filter holds them in close order, which SQLite
// walks itself: a stage's open ones
// (opportunities_stage_cards), an owner's (opportunities_owner_open), a
// status's (opportunities_status).
//
// A period of creation counts as one too: its matches lie together along
// opportunities_created, and their close dates late along the close index (a
// quarter's, walked along it from the earliest close: 1.2 s at 1M).
func (f OppFilter) closeIndexed() bool {
	return f.Status != "" || f.OpenOnly && (f.StageID != 0 || f.OwnerID != 0) || f.created()
}

// created is true when f filters by a period of creation.
func (f OppFilter) created() bool { return !f.CreatedFrom.IsZero() || !f.CreatedBefore.IsZero() }

// byCampaign is true when a page of f is read along the campaign's index
// (oppTable): on SQLite, without a text search (its matches have their own way).
func (f OppFilter) byCampaign(db *gorm.DB) bool {
	return f.CampaignID != 0 && f.Text == "" && db.Dialector.Name() == "sqlite"
}

// oppTable is the opportunities table of a query of f, ordered as for matched:
// on SQLite, NOT INDEXED when a search's matches are read by id (few, or all
// of them for totals). The planner cannot tell how many ids the bound set
// holds, and would walk an index testing each of its rows against them (a
// quarter of a million open ones for a word nothing has); the rows are still
// read by id.
// Totals whose filter reads only what opportunities_search_sums holds read
// the matches along it (migration 33).
//
// A page of one campaign's opportunities (the funnel's drill-down, the board
// of a campaign) reads them along opportunities_campaign and sorts them: a
// campaign has a few thousand at most (3,836 in the 1M database), and without
// statistics SQLite walked the sort's index through every open opportunity,
// testing each one's campaign (1.9 s at 1M for a campaign of 3 open ones, 3 s
// sorted by title, 1 s for its board).
func (f OppFilter) oppTable(db *gorm.DB, ordered bool) string {
	switch {
	case db.Dialector.Name() != "sqlite" || f.Text != "" && ordered && !f.fewMatches():
		return "opportunities"
	case f.Text != "":
		rest := f
		rest.Text, rest.found, rest.Status, rest.OwnerID, rest.StageID, rest.OpenOnly, rest.WonOnly, rest.Sort, rest.Desc, rest.Many = "", nil, "", 0, 0, false, false, "", false, false
		if !ordered && rest == (OppFilter{}) {
			return "opportunities INDEXED BY opportunities_search_sums"
		}
		return "opportunities NOT INDEXED"
	case f.CampaignID != 0:
		return "opportunities INDEXED BY opportunities_campaign"
	case !ordered && f.created():
		// A period's totals from opportunities_created, which holds what
		// they filter by and add up (migration 37): SQLite chose a status
		// index and read each row (a year's open ones at 1M: 1.3 s).
		return "opportunities INDEXED BY opportunities_created"
	case ordered && f.created() && !byIDs(f) && f.CloseFrom.IsZero() && f.CloseBefore.IsZero() && !f.OpenOnly && !f.Status.Open():
		// A page of a period's in close order, found along it too and
		// sorted: SQLite chose a status's index in close order, reading
		// every won or lost one before the period (a year's won: 0.43 s
		// for the ids, 0.15 s along this one). The planner chooses for
		// the open ones (along their close index, where the period's
		// come soon) and within a range of close dates (the forecast's
		// drill-downs: the close index walks only that range).
		return "opportunities INDEXED BY opportunities_created"
	case ordered && f.Many && !byIDs(f) && !f.closeIndexed():
		// Many matches in close order that no index of the filter holds in
		// that order: along the close index, testing each until a page
		// matches. SQLite chose the filter's index and sorted every match
		// (0.75 s at 1M for one owner's quarter of a million).
		if f.OpenOnly {
			return "opportunities INDEXED BY opportunities_open_close"
		}
		return "opportunities INDEXED BY opportunities_close"
	}
	return "opportunities"
}
