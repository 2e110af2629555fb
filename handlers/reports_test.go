package handlers_test

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// ---------------------------------------------------------------------------
// Helpers of the report tests.

// rptLine is one row of a table of the report page: its label, its number,
// the link behind the number and the rest of the row.
type rptLine struct {
	Label, Count, Pct, Href string
	Hrefs                   []string // every list behind the number (leads, and opportunities without a lead)
}

func rptText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// rptFunnelRows reads the funnel table, stages and the rows beside them.
func rptFunnelRows(t testing.TB, doc *goquery.Document) []rptLine {
	t.Helper()
	var out []rptLine
	doc.Find(`.funnel-report table.list tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		td := tr.Find(`td[data-label="Count"]`)
		a := td.Find("a")
		l := rptLine{Label: rptText(tr.Find("th")), Count: rptText(td.Find(".count-total")), Pct: rptText(tr.Find("td").Eq(1)), Href: a.AttrOr("href", "")}
		if l.Count == "" {
			l.Count = rptText(a)
		}
		a.Each(func(_ int, a *goquery.Selection) { l.Hrefs = append(l.Hrefs, a.AttrOr("href", "")) })
		out = append(out, l)
	})
	if len(out) == 0 {
		t.Fatal("the report page has no funnel table")
	}
	return out
}

// rptForecastRows reads the forecast table.
func rptForecastRows(t testing.TB, doc *goquery.Document) []rptLine {
	t.Helper()
	var out []rptLine
	table := doc.Find(`section[aria-labelledby="forecast-h"] table.list`).FilterFunction(func(_ int, t *goquery.Selection) bool {
		return rptText(t.Find("caption")) == "Forecast by month"
	})
	if table.Length() != 1 {
		t.Fatalf("%d forecast tables, want 1", table.Length())
	}
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		a := tr.Find(`td[data-label="Open"] a`)
		out = append(out, rptLine{Label: rptText(tr.Find("th")), Count: rptText(a), Href: a.AttrOr("href", ""),
			Pct: rptText(tr.Find(`td[data-label="Amount"]`)) + " | " + rptText(tr.Find(`td[data-label="Weighted"]`)) + " | " + rptText(tr.Find(`td[data-label="Won"]`))})
	})
	return out
}

var rptListCount = regexp.MustCompile(`^(\d+) (lead|leads|opportunity|opportunities)$`)

// rptFollow opens the list behind a report number and returns how many records
// it says it holds ("N leads", "N opportunities"; an empty filtered list is 0).
func rptFollow(t testing.TB, c *client, href string) int64 {
	t.Helper()
	if !strings.HasPrefix(href, "/leads?") && !strings.HasPrefix(href, "/opportunities?") {
		t.Fatalf("drill-down link %q leads neither to the lead nor to the opportunity list", href)
	}
	r := c.get(href)
	wantStatus(t, "GET "+href, r, http.StatusOK)
	doc := r.doc(t)
	if s := doc.Find("main p.summary"); s.Length() > 0 {
		m := rptListCount.FindStringSubmatch(rptText(s.First()))
		if m == nil {
			t.Fatalf("GET %s: summary %q is not a count", href, rptText(s.First()))
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	if empty := rptText(doc.Find("main .empty")); strings.Contains(empty, "matches these filters") {
		return 0
	}
	t.Fatalf("GET %s: neither a count nor an empty filtered list: %s", href, excerpt(r.Body))
	return -1
}

// rptFollowAll adds up the lists behind a number of the funnel.
func rptFollowAll(t testing.TB, c *client, l rptLine) int64 {
	t.Helper()
	var n int64
	for _, href := range l.Hrefs {
		n += rptFollow(t, c, href)
	}
	return n
}

// rptFacts reads the key figures above the report.
func rptFacts(doc *goquery.Document) map[string]string {
	facts := map[string]string{}
	doc.Find("main dl.facts > div").Each(func(_ int, d *goquery.Selection) {
		facts[rptText(d.Find("dt"))] = rptText(d.Find("dd"))
	})
	return facts
}

func rptCategory(t testing.TB, app *testApp, name string) models.PicklistValue {
	t.Helper()
	var v models.PicklistValue
	if err := app.DB.Where("kind = ? AND name = ?", models.Categories, name).First(&v).Error; err != nil {
		t.Fatalf("category %q: %v", name, err)
	}
	return v
}

func rptGetReport(t testing.TB, c *client, query string) *goquery.Document {
	t.Helper()
	path := "/reports/funnel"
	if query != "" {
		path += "?" + query
	}
	r := c.get(path)
	wantStatus(t, "GET "+path, r, http.StatusOK)
	return r.doc(t)
}

func rptNav(t testing.TB, c *client) []string {
	t.Helper()
	r := c.get("/")
	wantStatus(t, "GET /", r, http.StatusOK)
	var hrefs []string
	r.doc(t).Find("nav#nav a").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	return hrefs
}

func rptHas(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------

// The seed's reference case: the trade show reads 147 / 63 / 32 / 32 / 14 won,
// 18 lost, with the stage-to-stage and overall conversion.
func TestReportDemoFunnelOfTheTradeShow(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	show := campaignNamed(t, app, demoShowName)

	doc := rptGetReport(t, c, "campaign="+idString(show.ID))
	if got := rptText(doc.Find(`select#campaign option[selected]`)); got != demoShowName+" ("+show.StartDate.Format("2006-01-02")+")" {
		t.Errorf("campaign filter shows %q selected, want the trade show", got)
	}
	rows := rptFunnelRows(t, doc)
	want := []rptLine{{Label: "Leads", Count: "147", Pct: "—"}, {Label: "Qualified leads", Count: "63", Pct: "42.9%"},
		{Label: "Opportunities", Count: "32", Pct: "50.8%"}, {Label: "Quoted", Count: "32", Pct: "100.0%"},
		{Label: "Won", Count: "14", Pct: "43.8%"}, {Label: "Lost", Count: "18", Pct: "—"}, {Label: "Still open", Count: "0", Pct: "—"}}
	if len(rows) != len(want) {
		t.Fatalf("funnel rows %+v, want %+v", rows, want)
	}
	for i, w := range want {
		if g := rows[i]; g.Label != w.Label || g.Count != w.Count || g.Pct != w.Pct {
			t.Errorf("funnel row %d = %s %s %s, want %s %s %s", i, g.Label, g.Count, g.Pct, w.Label, w.Count, w.Pct)
		}
	}
	if got := rptText(doc.Find(`section[aria-labelledby="funnel-h"] p.summary strong`)); got != "9.5%" {
		t.Errorf("overall conversion %q, want 9.5%% (14 of 147)", got)
	}
	var won struct{ Sum models.Money }
	app.DB.Table("opportunities").Where("campaign_id = ? AND status IN ?", show.ID, []string{"closed", "implemented"}).
		Select("COALESCE(SUM(amount), 0) AS sum").Scan(&won)
	facts := rptFacts(doc)
	for label, value := range map[string]string{
		"Win rate (won ÷ won and lost)": "44%", // 14 of 32: 43.75
		"Won":                           won.Sum.Display(),
		"Average won deal":              models.Money((int64(won.Sum)*2 + 14) / 28).Display(),
		"Open pipeline":                 "$0.00 (weighted $0.00)",
	} {
		if facts[label] != value {
			t.Errorf("key figure %q = %q, want %q", label, facts[label], value)
		}
	}

	// Every number leads to the records behind it: the list counts the same.
	for _, r := range rows {
		if n := rptFollowAll(t, c, r); strconv.FormatInt(n, 10) != r.Count {
			t.Errorf("%s is %s but its lists %q hold %d", r.Label, r.Count, r.Hrefs, n)
		}
	}
	// Bands of the picture that link lead to the same lists as the table.
	doc.Find(`svg.funnel-svg a`).Each(func(i int, a *goquery.Selection) {
		if h := a.AttrOr("href", ""); i >= 5 || h != rows[i].Href {
			t.Errorf("band %d of the picture links to %q, the table's number to %q", i, h, rows[min(i, 4)].Href)
		}
	})
	// The key figures with a link lead to lists too.
	doc.Find("main dl.facts a").Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		switch n := rptFollow(t, c, href); {
		case strings.Contains(href, "status=won") && n != 14:
			t.Errorf("the won amount links to %s holding %d opportunities, want 14", href, n)
		case strings.Contains(href, "status=open") && n != 0:
			t.Errorf("the open pipeline links to %s holding %d opportunities, want 0", href, n)
		}
	})
}

// Whatever the filters, the list behind a number counts that number: funnel
// stages, lost, still open, and the open deals of each forecast month.
func TestReportDrillDownsCountTheNumbers(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	show := campaignNamed(t, app, demoShowName)
	rep := userByEmail(t, app, "rep@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	managed := rptCategory(t, app, "Managed services")
	today := time.Now().UTC()
	// A period that splits the trade show's leads, created over two days four
	// months ago: 75 on the first day, 72 on the second.
	var mid struct{ At time.Time }
	app.DB.Table("leads").Where("campaign_id = ?", show.ID).Select("created_at AS at").Order("created_at").Offset(100).Limit(1).Scan(&mid)
	if mid.At.IsZero() {
		t.Fatal("no trade show leads")
	}
	// Open deals on the edges of the forecast months: the last day of this
	// month and the first of the next two.
	var open []models.Opportunity
	app.DB.Where("is_open = ?", true).Order("id").Limit(4).Find(&open)
	if len(open) != 4 {
		t.Fatalf("%d open demo opportunities, want 4", len(open))
	}
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i, d := range []time.Time{month.AddDate(0, 1, -1), month.AddDate(0, 1, 0), month.AddDate(0, 1, 0), month.AddDate(0, 2, 0)} {
		if err := app.DB.Model(&open[i]).UpdateColumn("projected_close_date", d).Error; err != nil {
			t.Fatal(err)
		}
	}

	for _, q := range []string{
		"",
		"campaign=" + idString(show.ID),
		"campaign=" + idString(show.ID) + "&owner=" + idString(rep.ID),
		"owner=" + idString(rep2.ID),
		"category=" + idString(managed.ID),
		"campaign=" + idString(show.ID) + "&from=" + mid.At.Format("2006-01-02"),
		"campaign=" + idString(show.ID) + "&to=" + mid.At.AddDate(0, 0, -1).Format("2006-01-02"),
		"from=" + today.AddDate(0, -2, 0).Format("2006-01-02") + "&to=" + today.Format("2006-01-02"),
		"preset=this_year&owner=" + idString(rep.ID),
	} {
		t.Run(q, func(t *testing.T) {
			doc := rptGetReport(t, c, q)
			lines := rptFunnelRows(t, doc)
			nonZero := 0
			for _, r := range lines {
				if r.Count != "0" {
					nonZero++
				}
				if n := rptFollowAll(t, c, r); strconv.FormatInt(n, 10) != r.Count {
					t.Errorf("%s is %s but its lists %q hold %d", r.Label, r.Count, r.Hrefs, n)
				}
			}
			if nonZero == 0 {
				t.Errorf("every number is 0: the case tests nothing")
			}
			months := rptForecastRows(t, doc)
			if len(months) != 10 {
				t.Errorf("forecast has %d months, want 10", len(months))
			}
			for _, m := range months {
				if n := rptFollow(t, c, m.Href); strconv.FormatInt(n, 10) != m.Count {
					t.Errorf("forecast %s: %s open but its list %s holds %d", m.Label, m.Count, m.Href, n)
				}
			}
		})
	}
}

// The funnel counts cumulatively (product.md: a won deal also counts as
// quoted, as an opportunity, as qualified, as a lead): no stage holds more
// than the one before, also over all records. An opportunity entered without
// a lead (42 of the demo's Sales data) is its own lead and qualified lead:
// those two numbers are the leads plus those opportunities, and link to both lists.
func TestReportFunnelIsCumulativeOverAllRecords(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	for _, tc := range []struct {
		query string
		want  []string // Leads … Won
		parts [2]string
	}{
		{"", []string{"213", "114", "77", "67", "20"}, [2]string{"171 leads + 42 opportunities without a lead", "72 qualified leads + 42 opportunities without a lead"}},
		{"owner=" + idString(rep.ID), []string{"112", "55", "33", "28", "7"}, [2]string{"98 leads + 14 opportunities without a lead", "41 qualified leads + 14 opportunities without a lead"}},
	} {
		doc := rptGetReport(t, c, tc.query)
		rows := rptFunnelRows(t, doc)
		for i, w := range tc.want {
			if rows[i].Count != w {
				t.Errorf("%q: %s %s, want %s", tc.query, rows[i].Label, rows[i].Count, w)
			}
			if i > 0 {
				prev, _ := strconv.Atoi(rows[i-1].Count)
				if n, _ := strconv.Atoi(rows[i].Count); n > prev {
					t.Errorf("%q: %s %d is more than %s %d (%s)", tc.query, rows[i].Label, n, rows[i-1].Label, prev, rows[i].Pct)
				}
			}
			if n := rptFollowAll(t, c, rows[i]); strconv.FormatInt(n, 10) != rows[i].Count {
				t.Errorf("%q: %s is %s but its lists %q hold %d", tc.query, rows[i].Label, rows[i].Count, rows[i].Hrefs, n)
			}
		}
		doc.Find(`section[aria-labelledby="funnel-h"] table.list tbody tr`).Slice(0, 2).Each(func(i int, tr *goquery.Selection) {
			if got := rptText(tr.Find(".count-parts")); got != tc.parts[i] {
				t.Errorf("%q: %s made of %q, want %q", tc.query, rptText(tr.Find("th")), got, tc.parts[i])
			}
		})
		if rule := rptText(doc.Find(".funnel-rule")); !strings.Contains(rule, "An opportunity entered without a lead counts as its own lead and qualified lead.") {
			t.Errorf("%q: the page does not state the rule: %q", tc.query, rule)
		}
	}
}

// The report is for managers and admins: a rep gets 403 and no link.
func TestReportForbiddenToReps(t *testing.T) {
	app := newTestApp(t)
	for _, who := range []string{"manager@example.com", "admin@example.com"} {
		c := app.client(t).login(who)
		if !rptHas(rptNav(t, c), "/reports/funnel") {
			t.Errorf("%s has no Reports link in the nav", who)
		}
		wantStatus(t, who+" GET /reports/funnel", c.get("/reports/funnel"), http.StatusOK)
		wantStatus(t, who+" GET the CSV", c.get("/reports/funnel.csv?table=funnel"), http.StatusOK)
	}
	for _, who := range []string{"rep@example.com", "rep2@example.com"} {
		c := app.client(t).login(who)
		if nav := rptNav(t, c); rptHas(nav, "/reports/funnel") || !rptHas(nav, "/opportunities") {
			t.Errorf("%s: nav links %q, want Opportunities and no Reports", who, nav)
		}
		for _, path := range []string{"/reports/funnel", "/reports/funnel?campaign=1", "/reports/funnel.csv?table=funnel",
			"/reports/funnel.csv?table=winloss", "/reports/funnel.csv?table=forecast"} {
			r := c.get(path)
			wantStatus(t, who+" GET "+path, r, http.StatusForbidden)
			if strings.Contains(r.Body, "Qualified leads") || strings.Contains(r.Body, "Stage,Count") {
				t.Errorf("%s GET %s: the 403 answer carries report data", who, path)
			}
		}
	}
	// Signed out: to the sign-in page.
	if r := app.client(t).get("/reports/funnel"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("signed out: status %d to %q, want 303 to /login", r.Status, r.Location)
	}
}

// With Sales off the report does not exist; with Marketing off it starts at
// the opportunities.
func TestReportFollowsTheActivations(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	admin := app.client(t).login("admin@example.com")

	setMarketing(t, app, false)
	rows := rptFunnelRows(t, rptGetReport(t, c, ""))
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.Label)
		if strings.HasPrefix(r.Href, "/leads") {
			t.Errorf("with Marketing off %s links to %s", r.Label, r.Href)
		}
	}
	if got := strings.Join(labels, ", "); got != "Opportunities, Quoted, Won, Lost, Still open" {
		t.Errorf("with Marketing off the funnel rows are %s", got)
	}
	if rows[0].Pct != "—" || rows[1].Pct == "—" {
		t.Errorf("with Marketing off the percentages are %q then %q", rows[0].Pct, rows[1].Pct)
	}

	if _, err := models.SetFeature(app.DB, models.FeatureSales, false, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*client{c, admin} {
		for _, path := range []string{"/reports/funnel", "/reports/funnel?campaign=1", "/reports/funnel.csv?table=funnel"} {
			wantStatus(t, "Sales off: GET "+path, cl.get(path), http.StatusNotFound)
		}
		if rptHas(rptNav(t, cl), "/reports/funnel") {
			t.Error("with Sales off the nav still links to the reports")
		}
	}
}

// svgText collects, per element name, the text of the elements of a well-formed
// SVG document, and fails on any XML error.
func svgText(t testing.TB, src string) map[string][]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	out := map[string][]string{}
	var stack []string
	var text []strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, src)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && (tk.Name.Local != "svg" || tk.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v, want svg in the SVG namespace", tk.Name)
			}
			stack = append(stack, tk.Name.Local)
			text = append(text, strings.Builder{})
		case xml.CharData:
			if len(text) > 0 {
				text[len(text)-1].Write(tk)
			}
		case xml.EndElement:
			name := stack[len(stack)-1]
			out[name] = append(out[name], strings.Join(strings.Fields(text[len(text)-1].String()), " "))
			stack, text = stack[:len(stack)-1], text[:len(text)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("the SVG ends inside %v", stack)
	}
	return out
}

// The pictures are well-formed SVG, carrying their numbers in their text and
// in their description for screen readers.
func TestReportSVGsAreWellFormedAndCarryTheNumbers(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	show := campaignNamed(t, app, demoShowName)
	r := c.get("/reports/funnel?campaign=" + idString(show.ID))
	wantStatus(t, "GET the report", r, http.StatusOK)
	svgs := regexp.MustCompile(`(?s)<svg\b.*?</svg>`).FindAllString(r.Body, -1)
	if len(svgs) != 2 {
		t.Fatalf("the page has %d <svg> elements, want 2 (funnel and forecast)", len(svgs))
	}

	fun := svgText(t, svgs[0])
	wantTexts := []string{"Leads: 147", "Qualified leads: 63", "Opportunities: 32", "Quoted: 32", "Won: 14"}
	if strings.Join(fun["text"], "|") != strings.Join(wantTexts, "|") {
		t.Errorf("funnel picture texts %q, want %q", fun["text"], wantTexts)
	}
	if want := "Leads 147, Qualified leads 63, Opportunities 32, Quoted 32, Won 14; lost 18, still open 0."; len(fun["desc"]) != 1 || fun["desc"][0] != want {
		t.Errorf("funnel <desc> %q, want %q", fun["desc"], want)
	}
	if len(fun["title"]) != 1 || fun["title"][0] != "Sales funnel" || len(fun["polygon"]) != 5 {
		t.Errorf("funnel picture: title %q, %d bands", fun["title"], len(fun["polygon"]))
	}

	fc := svgText(t, svgs[1])
	months, err := models.Forecast(app.DB, models.ReportFilter{CampaignID: show.ID}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	var wantDesc, wantLabels []string
	var wonSum models.Money
	for _, m := range months {
		wantLabels = append(wantLabels, m.Month.Format("Jan 2006"))
		wantDesc = append(wantDesc, fmt.Sprintf("%s: open %s, weighted %s, won %s", m.Month.Format("Jan 2006"), m.Amount.Display(), m.Weighted.Display(), m.Won.Display()))
		wonSum += m.Won
	}
	if wonSum == 0 {
		t.Fatal("the trade show won nothing in the forecast months: the check below tests nothing")
	}
	if strings.Join(fc["text"], "|") != strings.Join(wantLabels, "|") {
		t.Errorf("forecast labels %q, want %q", fc["text"], wantLabels)
	}
	if len(fc["desc"]) != 1 || fc["desc"][0] != strings.Join(wantDesc, "; ") {
		t.Errorf("forecast <desc>\n %q\nwant\n %q", fc["desc"], strings.Join(wantDesc, "; "))
	}
	if len(fc["rect"]) != 30 {
		t.Errorf("forecast has %d bars, want 30 (amount, weighted, won for 10 months)", len(fc["rect"]))
	}
	// The table below says the same.
	for i, row := range rptForecastRows(t, r.doc(t)) {
		if want := fmt.Sprintf("%s | %s | %s", months[i].Amount.Display(), months[i].Weighted.Display(), months[i].Won.Display()); row.Label != wantLabels[i] || row.Pct != want {
			t.Errorf("forecast row %d: %s %s, want %s %s", i, row.Label, row.Pct, wantLabels[i], want)
		}
	}
}

// rptCSV follows an export link and reads the CSV.
func rptCSV(t testing.TB, c *client, href, table string) [][]string {
	t.Helper()
	r := c.get(href)
	wantStatus(t, "GET "+href, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("GET %s: Content-Type %q", href, ct)
	}
	// Named after the table and the filters: funnel-campaign-3-….csv.
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+table) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("GET %s: Content-Disposition %q", href, cd)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", href, err, r.Body)
	}
	return rows
}

// rptExports are the Export CSV links of a report page, by table.
func rptExports(t testing.TB, doc *goquery.Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	doc.Find(`main a[href^="/reports/funnel.csv"]`).Each(func(_ int, a *goquery.Selection) {
		if !strings.HasPrefix(rptText(a), "Export") {
			return
		}
		href := a.AttrOr("href", "")
		u, err := url.Parse(href)
		if err != nil || u.Path != "/reports/funnel.csv" {
			t.Fatalf("export link %q", href)
		}
		out[u.Query().Get("table")] = href
	})
	if len(out) != 5 || out["funnel"] == "" || out["winloss"] == "" || out["forecast"] == "" || out["owners"] == "" || out["stages"] == "" {
		t.Fatalf("export links %v, want funnel, winloss, forecast, owners and stages", out)
	}
	return out
}

func rptWantCSV(t testing.TB, what string, got, want [][]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s CSV:\n got  %q\n want %q", what, got, want)
	}
}

func rptExpectedCSV(t testing.TB, app *testApp, f models.ReportFilter) map[string][][]string {
	t.Helper()
	fc, err := models.Funnel(app.DB, f)
	if err != nil {
		t.Fatal(err)
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	// One decimal, halves up; none of nothing.
	pct := func(n, of int64) string {
		if of == 0 {
			return ""
		}
		return strconv.FormatFloat(math.Floor(float64(n)*1000/float64(of)+0.5)/10, 'f', 1, 64) + "%"
	}
	out := map[string][][]string{"funnel": {{"Stage", "Count", "Of the stage before", "Of the first stage"}, {"Leads", i(fc.Leads), "", pct(fc.Leads, fc.Leads)},
		{"Qualified leads", i(fc.Qualified), pct(fc.Qualified, fc.Leads), pct(fc.Qualified, fc.Leads)},
		{"Opportunities", i(fc.Opportunities), pct(fc.Opportunities, fc.Qualified), pct(fc.Opportunities, fc.Leads)},
		{"Quoted", i(fc.Quoted), pct(fc.Quoted, fc.Opportunities), pct(fc.Quoted, fc.Leads)},
		{"Won", i(fc.Won), pct(fc.Won, fc.Quoted), pct(fc.Won, fc.Leads)}, {"Lost", i(fc.Lost), "", ""}, {"Still open", i(fc.Open), "", ""}}}
	wl, err := models.WinLoss(app.DB, f)
	if err != nil {
		t.Fatal(err)
	}
	out["winloss"] = [][]string{{"Grouped by", "Reason", "Deals", "Amount"}}
	kinds := map[string]string{"win_reason": "Win reason", "loss_reason": "Loss reason", "competitor": "Competitor"}
	for _, r := range wl {
		out["winloss"] = append(out["winloss"], []string{kinds[r.Kind], r.Name, i(r.Count), r.Amount.Input0()})
	}
	byOwner, err := models.ForecastByOwner(app.DB, f, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	out["owners"] = [][]string{{"Owner", "Open closing in the next six months", "Amount", "Weighted"}}
	for _, o := range byOwner {
		out["owners"] = append(out["owners"], []string{o.Name, i(o.Count), o.Amount.Input0(), o.Weighted.Input0()})
	}
	ss, err := models.AverageTimeInStage(app.DB, f)
	if err != nil {
		t.Fatal(err)
	}
	out["stages"] = [][]string{{"Stage", "Stays", "Average days"}}
	for _, s := range ss {
		out["stages"] = append(out["stages"], []string{s.Stage, strconv.Itoa(s.Spans), strconv.FormatFloat(s.Days, 'f', 1, 64)})
	}
	ms, err := models.Forecast(app.DB, f, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	out["forecast"] = [][]string{{"Month", "Open", "Amount", "Weighted", "Won"}}
	for _, m := range ms {
		out["forecast"] = append(out["forecast"], []string{m.Month.Format("2006-01"), i(m.Count), m.Amount.Input0(), m.Weighted.Input0(), m.Won.Input0()})
	}
	return out
}

// Each table exports as CSV with the filters of the page.
func TestReportCSVExportsWithTheFilters(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	show := campaignNamed(t, app, demoShowName)
	rep := userByEmail(t, app, "rep@example.com")

	// The trade show: the seed's numbers.
	links := rptExports(t, rptGetReport(t, c, "campaign="+idString(show.ID)))
	fun := rptCSV(t, c, links["funnel"], "funnel")
	rptWantCSV(t, "trade show funnel", fun, [][]string{{"Stage", "Count", "Of the stage before", "Of the first stage"}, {"Leads", "147", "", "100.0%"},
		{"Qualified leads", "63", "42.9%", "42.9%"}, {"Opportunities", "32", "50.8%", "21.8%"}, {"Quoted", "32", "100.0%", "21.8%"},
		{"Won", "14", "43.8%", "9.5%"}, {"Lost", "18", "", ""}, {"Still open", "0", "", ""}})
	wl := rptCSV(t, c, links["winloss"], "winloss")
	sums := map[string]int{}
	names := map[string][]string{}
	for _, r := range wl[1:] {
		n, err := strconv.Atoi(r[2])
		if err != nil || len(r) != 4 {
			t.Fatalf("win/loss row %q", r)
		}
		sums[r[0]] += n
		names[r[0]] = append(names[r[0]], r[1])
	}
	if sums["Win reason"] != 14 || sums["Loss reason"] != 18 || sums["Competitor"] != 18 {
		t.Errorf("win/loss CSV totals %v, want 14 won and 18 lost by reason and by competitor", sums)
	}
	if got := strings.Join(names["Win reason"], "|"); got != "Technical fit" {
		t.Errorf("win reasons %q, want Technical fit only", got)
	}
	if got := strings.Join(names["Loss reason"], "|"); got != "Competitor's better quote|Lost funding" && got != "Lost funding|Competitor's better quote" {
		t.Errorf("loss reasons %q, want the seed's two", got)
	}
	want := rptExpectedCSV(t, app, models.ReportFilter{CampaignID: show.ID})
	rptWantCSV(t, "trade show winloss", wl, want["winloss"])
	fcsv := rptCSV(t, c, links["forecast"], "forecast")
	if len(fcsv) != 11 {
		t.Errorf("forecast CSV has %d rows, want a header and 10 months", len(fcsv))
	}
	rptWantCSV(t, "trade show forecast", fcsv, want["forecast"])

	// More filters: campaign, owner and a period; each table follows all of them.
	from, to := time.Now().UTC().AddDate(-1, 0, 0), time.Now().UTC()
	q := url.Values{"campaign": {idString(show.ID)}, "owner": {idString(rep.ID)}, "from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}}
	links = rptExports(t, rptGetReport(t, c, q.Encode()))
	for k, v := range q {
		for table, href := range links {
			if !strings.Contains(href, k+"="+url.QueryEscape(v[0])) {
				t.Errorf("the %s export link %q lacks %s=%s", table, href, k, v[0])
			}
		}
	}
	fd, _ := time.Parse("2006-01-02", from.Format("2006-01-02"))
	td, _ := time.Parse("2006-01-02", to.Format("2006-01-02"))
	want = rptExpectedCSV(t, app, models.ReportFilter{CampaignID: show.ID, OwnerID: rep.ID, From: fd, Before: td.AddDate(0, 0, 1)})
	for table, href := range links {
		rptWantCSV(t, "campaign, owner and period "+table, rptCSV(t, c, href, table), want[table])
	}
	name := `attachment; filename="forecast-campaign-` + idString(show.ID) + "-owner-" + idString(rep.ID) + "-" + from.Format("2006-01-02") + "-to-" + to.Format("2006-01-02") + `.csv"`
	if cd := c.get(links["forecast"]).Header.Get("Content-Disposition"); cd != name {
		t.Errorf("the filtered forecast comes down as %q, want %q", cd, name)
	}
	if fmt.Sprint(want["funnel"]) == fmt.Sprint(fun) {
		t.Errorf("the owner filter changes nothing in the trade show funnel: the case tests nothing")
	}

	// A period with nothing in it.
	empty := rptCSV(t, c, "/reports/funnel.csv?table=funnel&campaign="+idString(show.ID)+"&from=2001-01-01&to=2001-12-31", "funnel")
	rptWantCSV(t, "empty period funnel", empty, [][]string{{"Stage", "Count", "Of the stage before", "Of the first stage"}, {"Leads", "0", "", ""},
		{"Qualified leads", "0", "", ""}, {"Opportunities", "0", "", ""}, {"Quoted", "0", "", ""}, {"Won", "0", "", ""}, {"Lost", "0", "", ""}, {"Still open", "0", "", ""}})
	// A preset is a period too.
	preset := rptCSV(t, c, "/reports/funnel.csv?table=funnel&preset=this_year&campaign="+idString(show.ID), "funnel")
	y := time.Now().UTC().Year()
	want = rptExpectedCSV(t, app, models.ReportFilter{CampaignID: show.ID, From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), Before: time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)})
	rptWantCSV(t, "this year funnel", preset, want["funnel"])

	wantStatus(t, "unknown table", c.get("/reports/funnel.csv?table=nope"), http.StatusNotFound)
}

// An invalid date in the filters answers 422 with the message next to the field.
func TestReportInvalidDateFilter(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	for _, tc := range []struct{ query, field, msg, kept string }{
		{"from=2026-02-30", "from", "Enter a date such as 2026-01-01.", "2026-02-30"},
		{"from=yesterday&to=2026-12-31", "from", "Enter a date such as 2026-01-01.", "yesterday"},
		{"to=31/12/2026", "to", "Enter a date such as 2026-12-31.", "31/12/2026"},
		{"from=2026-05-02&to=2026-05-01", "to", "The end of the period is before its start.", "2026-05-01"},
	} {
		r := c.get("/reports/funnel?" + tc.query)
		wantStatus(t, tc.query, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		wantFieldError(t, doc, tc.field, tc.msg)
		if got := fieldValue(doc, tc.field); got != tc.kept {
			t.Errorf("%s: the field shows %q, want what was typed, %q", tc.query, got, tc.kept)
		}
		if errs := allErrors(doc); len(errs) != 1 {
			t.Errorf("%s: errors on the page %q, want only the %s one", tc.query, errs, tc.field)
		}
		if r := c.get("/reports/funnel.csv?table=funnel&" + tc.query); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("CSV with %s: status %d, want 422", tc.query, r.Status)
		}
	}
	// A valid period is not an error.
	rptGetReport(t, c, "from=2026-01-01&to=2026-01-01")
}

// BenchmarkFunnel100k: go test ./handlers -run XXX -bench Funnel100k -benchtime 20x
func BenchmarkFunnel100k(b *testing.B) {
	app := newTestAppOn(b, bench100k(b))
	c := app.client(b).login("manager@example.com")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := c.get("/reports/funnel"); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
	}
}
