package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// quoteImportScale is a demo database with more than models.PickSelectMax
// other quotes: the import's first quote (the oldest, past the newest 200
// that the old menu listed), two of one name, the target, then 205 fillers.
type quoteImportScale struct {
	app                  *testApp
	oldest, twinA, twinB *models.Quote
	into                 *models.Quote
	importPage           string
}

func newQuoteImportScale(t *testing.T) quoteImportScale {
	t.Helper()
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	opp := qtNewOpp(t, app, rep)
	s := quoteImportScale{app: app}
	s.oldest = qtNewQuote(t, app, opp, rep, "Falcon rollout", qtItems())
	s.twinA = qtNewQuote(t, app, opp, rep, "Twin proposal", qtItems()[:1])
	s.twinB = qtNewQuote(t, app, opp, rep, "TWIN proposal", qtItems()[1:])
	s.into = qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Import target", nil)
	for i := range 205 {
		qtNewQuote(t, app, opp, rep, fmt.Sprintf("Filler quote %03d", i), nil)
	}
	s.importPage = qtPath(s.into, "/import")
	return s
}

// Past 200 other quotes the import page types a quote's number or the start
// of its name; the server resolves it (several → 422 with the quotes to
// choose from, none → 422 with a message by the field), and the oldest quote
// can be imported, which the menu of the newest 200 could not offer.
func TestQuoteImportPickerTyped(t *testing.T) {
	s := newQuoteImportScale(t)
	app, into := s.app, s.into
	c := app.client(t).login("rep@example.com")

	doc := c.get(s.importPage).doc(t)
	in := doc.Find(`form[action$="/import"] input#from[name="from_name"]`)
	if doc.Find(`select[name="from"]`).Length() != 0 || in.Length() != 1 {
		t.Fatalf("the import page has no typed quote instead of the select")
	}
	if got := in.AttrOr("data-suggest", ""); got != s.importPage+"/suggest" {
		t.Errorf("data-suggest %q", got)
	}
	if doc.Find(`label[for="from"]`).Length() != 1 || !strings.Contains(doc.Find("#from-hint").Text(), "number") {
		t.Errorf("the typed quote has no label, or no hint that a number may be typed")
	}
	if n := doc.Find("option").Length(); n != 0 {
		t.Errorf("the page lists %d options", n)
	}
	lines := func() string { return strings.Join(qtLines(t, app, into.ID), "|") }
	imported := func(what string, r response, want string) {
		t.Helper()
		wantStatus(t, what, r, http.StatusSeeOther)
		if r.Location != qtPath(into, "") {
			t.Errorf("%s: Location %q", what, r.Location)
		}
		if got := lines(); got != want {
			t.Errorf("%s: lines %q, want %q", what, got, want)
		}
	}

	// The oldest quote by its number, then by "#number", then by the start
	// of its name in another case.
	n := strconv.Itoa(s.oldest.Number)
	imported("a typed number", c.fill(s.importPage, `form[action$="/import"]`, url.Values{"from_name": {n}}),
		"Firewall appliance|Installation")
	imported("a typed #number", c.fill(s.importPage, `form[action$="/import"]`, url.Values{"from_name": {" #" + n + " "}}),
		"Firewall appliance|Installation|Firewall appliance|Installation")
	imported("a name's start", c.fill(s.importPage, `form[action$="/import"]`, url.Values{"from_name": {"FALCON ro"}}),
		"Firewall appliance|Installation|Firewall appliance|Installation|Firewall appliance|Installation")
	// As the picker shows a chosen quote: "#number name".
	imported("the picker's own label", c.fill(s.importPage, `form[action$="/import"]`, url.Values{"from_name": {"#" + strconv.Itoa(s.twinB.Number) + " twin proposal"}}),
		"Firewall appliance|Installation|Firewall appliance|Installation|Firewall appliance|Installation|Installation")
	before := lines()

	// Two quotes of one name: 422, the input kept, both offered newest first
	// with their organization and date; choosing one imports it.
	r := c.fill(s.importPage, `form[action$="/import"]`, url.Values{"from_name": {"twin proposal"}})
	wantStatus(t, "an ambiguous name", r, http.StatusUnprocessableEntity)
	doc = r.doc(t)
	wantFieldError(t, doc, "from", "Several quotes match “twin proposal”: choose one below, or type its number.")
	if fieldValue(doc, "from") != "twin proposal" {
		t.Errorf("input not kept: %q", fieldValue(doc, "from"))
	}
	var labels []string
	doc.Find(`.matches label`).Each(func(_ int, l *goquery.Selection) { labels = append(labels, l.Text()) })
	day := qtDate(0)
	if want := fmt.Sprintf("#%d TWIN proposal (Northwind Traders, %s) | #%d Twin proposal (Northwind Traders, %s)",
		s.twinB.Number, day, s.twinA.Number, day); strings.Join(labels, " | ") != want {
		t.Errorf("matches %q, want %q", labels, want)
	}
	if doc.Find(`input[type=radio][name="from"]`).Length() != 2 {
		t.Errorf("the matches are not radio buttons of the field")
	}
	form, action := formValues(t, doc, `form[action$="/import"]`)
	form.Set("from", idString(s.twinA.ID))
	imported("choose one of the matches", c.post(action, form), before+"|Firewall appliance")
	before = lines()

	// Refused, nothing imported: no match, the quote itself (by number or
	// id), nothing chosen, an id that is no number, a number out of range.
	for _, tc := range []struct {
		vals url.Values
		msg  string
	}{
		{url.Values{"from_name": {"no such quote"}}, "No other quote has the number or a name starting with “no such quote”"},
		{url.Values{"from_name": {strconv.Itoa(into.Number)}}, "No other quote has the number or a name starting with"},
		{url.Values{"from_name": {"#99999999999999999999"}}, "No other quote has the number"},
		{url.Values{"from_name": {"rollout"}}, "No other quote has the number or a name starting with “rollout”"},
		{url.Values{"from": {idString(into.ID)}}, "That quote does not exist any more, or is the quote the items go into."},
		{url.Values{"from": {"x"}}, "Choose a quote from the list."},
		{url.Values{"from": {""}, "from_name": {""}}, "Choose a quote from the list, or type its name."},
	} {
		r := c.fill(s.importPage, `form[action$="/import"]`, tc.vals)
		wantStatus(t, fmt.Sprint("POST ", tc.vals), r, http.StatusUnprocessableEntity)
		wantFieldError(t, r.doc(t), "from", tc.msg)
		if tc.vals.Get("from_name") != "" && fieldValue(r.doc(t), "from") != tc.vals.Get("from_name") {
			t.Errorf("POST %v: input not kept: %q", tc.vals, fieldValue(r.doc(t), "from"))
		}
	}
	if got := lines(); got != before {
		t.Errorf("lines after refused imports: %q, want %q", got, before)
	}

	// The suggestions: by number, "#number" or the start of a name, newest
	// first within a name, never the quote itself.
	for _, tc := range []struct {
		q    string
		want []uint
	}{
		{n, []uint{s.oldest.ID}},
		{"#" + n, []uint{s.oldest.ID}},
		{"twin", []uint{s.twinB.ID, s.twinA.ID}},
		{"import target", nil},
		{strconv.Itoa(into.Number), nil},
		{"", nil},
	} {
		var got []struct{ ID uint }
		decodeJSON(t, c.get(s.importPage+"/suggest?q="+url.QueryEscape(tc.q)), &got)
		var ids []uint
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("suggest %q: %v, want %v", tc.q, ids, tc.want)
		}
	}
	var fillers []struct{ Name, Label string }
	decodeJSON(t, c.get(s.importPage+"/suggest?q=filler"), &fillers)
	if len(fillers) != models.PickMatches || fillers[0].Name != fmt.Sprintf("#%d Filler quote 000", s.into.Number+1) ||
		!strings.HasSuffix(fillers[0].Label, "(Northwind Traders, "+day+")") {
		t.Errorf("suggest filler: %d, first %+v", len(fillers), fillers)
	}
}

// Up to 200 other quotes the import page is a select of them newest first,
// with their organization and date, without the quote itself; nothing
// chosen is refused next to the field.
func TestQuoteImportPickerSelectWhenSmall(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	from := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Small source", qtItems())
	into := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Small target", nil)
	c := app.client(t).login("rep@example.com")
	doc := c.get(qtPath(into, "/import")).doc(t)
	sel := doc.Find(`select#from[name="from"]`)
	if sel.Length() != 1 || doc.Find(`input[name="from_name"]`).Length() != 0 {
		t.Fatal("no quote select while there are few quotes")
	}
	opts := sel.Find("option")
	if first := opts.First(); first.AttrOr("value", "x") != "" || first.Text() != "Choose a quote" {
		t.Errorf("the first option is %q", first.Text())
	}
	if got, want := opts.Eq(1).Text(), fmt.Sprintf("#%d Small source (Northwind Traders, %s)", from.Number, qtDate(0)); got != want {
		t.Errorf("the newest other quote reads %q, want %q", got, want)
	}
	if sel.Find(`option[value="`+idString(into.ID)+`"]`).Length() != 0 {
		t.Error("the select offers the quote itself")
	}
	r := c.fill(qtPath(into, "/import"), `form[action$="/import"]`, nil)
	wantStatus(t, "nothing chosen", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "from", "Choose a quote from the list")
	// A select cannot be typed into: the message does not say to type.
	if msg := strings.TrimSpace(r.doc(t).Find("#from-error").Text()); msg != "Choose a quote from the list." {
		t.Errorf("the empty select's message is %q, want %q", msg, "Choose a quote from the list.")
	}
	if r.doc(t).Find(`select#from`).Length() != 1 {
		t.Error("the refused form is no longer a select")
	}
	r = c.fill(qtPath(into, "/import"), `form[action$="/import"]`, url.Values{"from": {idString(into.ID)}})
	wantStatus(t, "the quote itself", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "from", "is the quote the items go into")
	if n := len(qtLoad(t, app, into.ID).Items); n != 0 {
		t.Errorf("%d lines after refused imports", n)
	}
}
