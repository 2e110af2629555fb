package handlers_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// TestHomeListsTheQuotesStillToBeAnswered: Home's "My open quotes" holds the
// user's draft and sent quotes that can still be answered, the soonest to
// expire first; not the ones past their date (counted apart, with a link to
// them) nor those of a deal already lost; and it names the deal only when the
// quote's name is not the deal's title already.
func TestHomeListsTheQuotesStillToBeAnswered(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep2@example.com")
	// rep2's demo quotes out of the way: only this test's count.
	if err := app.DB.Model(&models.Quote{}).Where("owner_id = ?", rep.ID).Update("status", models.QuoteDeclined).Error; err != nil {
		t.Fatal(err)
	}
	opp := qtNewOpp(t, app, rep)
	later := qtNewQuote(t, app, opp, rep, "Later quote", qtItems())
	soon := qtNewQuote(t, app, opp, rep, opp.Title, qtItems())
	expired := qtNewQuote(t, app, opp, rep, "Expired quote", qtItems())
	lostOpp := qtNewOpp(t, app, rep)
	ofLost := qtNewQuote(t, app, lostOpp, rep, "Quote of a lost deal", qtItems())
	for _, u := range []struct {
		q      *models.Quote
		expiry int
	}{{later, 20}, {soon, 3}, {expired, -2}, {ofLost, 10}} {
		if err := app.DB.Model(&models.Quote{}).Where("id = ?", u.q.ID).Update("expiration_date", qtDay(u.expiry)).Error; err != nil {
			t.Fatal(err)
		}
	}
	qtSend(t, app, qtLoad(t, app, soon.ID))
	if err := app.DB.Model(&models.Opportunity{}).Where("id = ?", lostOpp.ID).Updates(map[string]any{"status": models.StatusLost, "is_open": false}).Error; err != nil {
		t.Fatal(err)
	}
	home := app.client(t).login("rep2@example.com").get("/").doc(t).Find(`section[aria-labelledby="home-quotes-h"]`)
	var names []string
	home.Find("li > a").Each(func(_ int, a *goquery.Selection) { names = append(names, a.Text()) })
	want := []string{"#" + strconv.Itoa(soon.Number) + " " + opp.Title, "#" + strconv.Itoa(later.Number) + " Later quote"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("My open quotes lists %q, want %q", names, want)
	}
	if details := home.Find("li .muted").First().Text(); strings.Contains(details, opp.Title) {
		t.Errorf("the quote named as its deal names the deal again: %q", details)
	}
	link := home.Find(`a[href^="/quotes?status=expired"]`)
	if link.Length() != 1 || !strings.Contains(link.Text(), "1 quote expired unanswered") {
		t.Errorf("no link to the one expired quote: %q", home.Text())
	}
}
