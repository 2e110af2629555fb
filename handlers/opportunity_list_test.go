package handlers_test

import (
	"net/http"
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
