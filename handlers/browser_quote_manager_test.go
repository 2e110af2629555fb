package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/models"
)

// TestBrowserQuoteManagerQuoteOnOpportunity: the external tool posts a quote
// through the API; the rep, in real Chromium, sees it on the opportunity
// page, then sees it won and marks the opportunity won from it.
func TestBrowserQuoteManagerQuoteOnOpportunity(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	key := qmOn(t, app)
	opp := repOpp(t, app, 0)
	oppPath := "/opportunities/" + idString(opp.ID)

	r := postQuote(t, app, key, qmBody(opp.ID, map[string]any{"number": "QM-BROWSER-7", "title": "Browser-seen quote"}))
	if r.Status != http.StatusCreated {
		t.Fatalf("post the quote: %d %s", r.Status, r.Body)
	}

	b.signIn("rep@example.com")
	b.wantPath("/")

	b.navigate(oppPath)
	quotes := b.text("the quotes", chromedp.CSS(`section[aria-labelledby="quotes-h"]`))
	for _, want := range []string{"QM-BROWSER-7", "Browser-seen quote", "Sent", "$2,448.80", "SO-77"} {
		if !strings.Contains(quotes, want) {
			t.Fatalf("the opportunity's quotes lack %q: %q", want, quotes)
		}
	}

	// Won in the tool: the page offers "Mark as won" with the quote's totals.
	r = postQuote(t, app, key, qmBody(opp.ID, map[string]any{"number": "QM-BROWSER-7", "title": "Browser-seen quote", "status": "Won",
		"updated_at": "2026-11-26T12:00:00Z"}))
	if r.Status != http.StatusOK || r.JSON["result"] != "updated" {
		t.Fatalf("post the win: %d %s", r.Status, r.Body)
	}
	b.navigate(oppPath)
	b.click("Mark as won from the quote", chromedp.Search(`//section[@aria-labelledby="quotes-h"]//a[normalize-space()="Mark as won"]`))
	if txt := b.text("the form", chromedp.CSS("main")); !strings.Contains(txt, "$1,250.00 one-time + $99.90 monthly") {
		t.Fatalf("the won form does not say the totals: %q", txt)
	}
	b.do("choose a win reason", chromedp.SetValue(fieldLabelled("Win reason"), b.firstOption("reason_id")))
	b.click("mark as won", buttonNamed("Mark as won"))
	b.wantPath(oppPath)
	b.wantFlash("won")
	if o := loadOpp(t, app, opp.ID); o.Status != models.StatusClosed || o.Revenue.Monthly != 9990 {
		t.Fatalf("after the win: %s %+v", o.Status, o.Revenue)
	}
}
