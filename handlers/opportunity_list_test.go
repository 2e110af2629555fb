package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The list's next and previous links carry a keyset cursor and walk the same
// rows as page numbers do; the totals row counts every filtered opportunity.
func TestOpportunityListPagesByKeyset(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	titles := func(r response) []string {
		t.Helper()
		wantStatus(t, "list", r, http.StatusOK)
		var out []string
		r.doc(t).Find("table.list tbody tr td a[href^='/opportunities/']").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			out = append(out, href)
		})
		return out
	}
	first := c.get("/opportunities?status=all&sort=-amount")
	page1 := titles(first)
	if len(page1) != 25 {
		t.Fatalf("page 1 has %d rows, want 25 (the demo data has more)", len(page1))
	}
	next, ok := first.doc(t).Find(`a[rel="next"]`).Attr("href")
	if !ok || !strings.Contains(next, "after=") || !strings.Contains(next, "page=2") {
		t.Fatalf("next link %q, want page=2 with an after= cursor", next)
	}
	second := c.get(next)
	byCursor := titles(second)
	byNumber := titles(c.get("/opportunities?status=all&sort=-amount&page=2"))
	if strings.Join(byCursor, " ") != strings.Join(byNumber, " ") || len(byCursor) == 0 {
		t.Fatalf("page 2 by cursor %v, by number %v", byCursor, byNumber)
	}
	prev, ok := second.doc(t).Find(`a[rel="prev"]`).Attr("href")
	if !ok || strings.Contains(prev, "page=") || strings.Contains(prev, "after=") {
		t.Fatalf("previous link of page 2 %q, want the plain first page", prev)
	}
	if got := titles(c.get(prev)); strings.Join(got, " ") != strings.Join(page1, " ") {
		t.Fatalf("back to page 1: %v, want %v", got, page1)
	}
	// A cursor that names no opportunity falls back to the page number.
	if got := titles(c.get("/opportunities?status=all&sort=-amount&page=2&after=999999")); strings.Join(got, " ") != strings.Join(byNumber, " ") {
		t.Fatalf("unknown cursor: %v, want page 2 by number %v", got, byNumber)
	}
	var n int64
	app.DB.Table("opportunities").Count(&n)
	if total := first.doc(t).Find("tfoot").Text(); !strings.Contains(total, "Total of the "+strconv.FormatInt(n, 10)+" opportunities filtered") {
		t.Fatalf("totals row %q does not count all %d opportunities", total, n)
	}
}

// The list's search finds the words of titles and organization names that
// start with what is typed, says so next to the box, and counts what it finds
// in the totals row; the board's columns search the same way.
func TestOpportunityListSearchesByTheStartOfWords(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	var northwind int64
	app.DB.Table("opportunities o").Joins("JOIN organizations g ON g.id = o.organization_id").
		Where("g.name = ?", "Northwind Traders").Count(&northwind)
	if northwind == 0 || northwind > 25 {
		t.Fatalf("%d Northwind opportunities in the demo data, want 1 to 25", northwind)
	}
	orgs := func(r response) []string {
		t.Helper()
		wantStatus(t, "list", r, http.StatusOK)
		var out []string
		r.doc(t).Find("table.list tbody tr td a[href^='/organizations/']").Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.Text())
		})
		return out
	}
	for _, q := range []string{"northw", "NORTHWIND", "Northw traders", "  northw!  "} {
		r := c.get("/opportunities?status=all&q=" + url.QueryEscape(q))
		got := orgs(r)
		if int64(len(got)) != northwind || slices.ContainsFunc(got, func(o string) bool { return o != "Northwind Traders" }) {
			t.Errorf("q=%q lists %v, want the %d of Northwind Traders", q, got, northwind)
		}
		if total := r.doc(t).Find("tfoot").Text(); !strings.Contains(total, "Total of the "+strconv.FormatInt(northwind, 10)+" ") {
			t.Errorf("q=%q: totals row %q, want %d", q, total, northwind)
		}
		hint := r.doc(t).Find("#q-hint").Text()
		if by, _ := r.doc(t).Find("#q").Attr("aria-describedby"); by != "q-hint" || !strings.Contains(hint, "start with") {
			t.Errorf("q=%q: the search box is described by %q, hint %q", q, by, hint)
		}
	}
	// Inside a word is not the start of one.
	if got := orgs(c.get("/opportunities?status=all&q=orthwind")); len(got) != 0 {
		t.Errorf("q=orthwind lists %v, want none", got)
	}
	board := c.get("/opportunities/board?q=northw")
	wantStatus(t, "board", board, http.StatusOK)
	var cards []string
	board.doc(t).Find(".card-org").Each(func(_ int, s *goquery.Selection) { cards = append(cards, s.Text()) })
	if len(cards) == 0 || slices.ContainsFunc(cards, func(o string) bool { return o != "Northwind Traders" }) {
		t.Errorf("the board searched for northw shows the cards of %v, want Northwind Traders' open ones", cards)
	}
}
