package handlers_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime/multipart"
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

// Router tests of the Marketing feature: campaigns, leads, qualification,
// conversion, bulk actions, CSV export and import. Every request goes through
// the real app over HTTP; the database is checked through app.DB.

const (
	demoShowName    = "IT Expo 2026 trade show"
	demoWebinarName = "Webinar: cloud security for clinics"
)

// ---------------------------------------------------------------------------
// Helpers of this file.

// postCSVFile POSTs a multipart form the way a browser uploads a file: the
// fields, then content under "file" with its file name.
func (c *client) postCSVFile(path string, fields url.Values, filename string, content []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		c.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// upload sends content as the lead import file with this session's token.
func (c *client) upload(filename string, content []byte, fields url.Values) response {
	c.t.Helper()
	if fields == nil {
		fields = url.Values{}
	}
	fields.Set("csrf_token", c.token("/leads/import"))
	return c.postCSVFile("/leads/import", fields, filename, content)
}

func campaignNamed(t testing.TB, app *testApp, name string) models.Campaign {
	t.Helper()
	var cp models.Campaign
	if err := app.DB.Where("name = ?", name).First(&cp).Error; err != nil {
		t.Fatalf("campaign %q: %v", name, err)
	}
	return cp
}

func mktLoadLead(t testing.TB, app *testApp, id uint) models.Lead {
	t.Helper()
	var l models.Lead
	if err := app.DB.First(&l, id).Error; err != nil {
		t.Fatalf("lead %d: %v", id, err)
	}
	return l
}

// mktNewLead stores a lead of owner straight in the database; criteria "nstb"
// switches on Need, Solution, Timeframe and Budget by their initials.
func mktNewLead(t testing.TB, app *testApp, owner models.User, campaign *uint, name, company, email, criteria string, status models.LeadStatus) models.Lead {
	t.Helper()
	l := models.Lead{PersonName: name, CompanyName: company, Email: email, OwnerID: owner.ID, CampaignID: campaign,
		Need: strings.Contains(criteria, "n"), Solution: strings.Contains(criteria, "s"),
		Timeframe: strings.Contains(criteria, "t"), Budget: strings.Contains(criteria, "b")}
	now := time.Now().UTC()
	if err := models.CreateLead(app.DB, &l, &owner, now); err != nil {
		t.Fatal(err)
	}
	if status != "" && status != models.LeadNew {
		if err := models.SetLeadStatus(app.DB, &l, status, "Test reason", &owner, now); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func countWhere(t testing.TB, app *testApp, model any, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Model(model).Where(query, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var importSummary = regexp.MustCompile(`^(\d+) rows? will be imported · (\d+) invalid · (\d+) duplicates? \(skipped\)$`)

// wantImportSummary checks the preview's counts of valid, invalid and duplicate rows.
func wantImportSummary(t testing.TB, doc *goquery.Document, valid, invalid, dups int) {
	t.Helper()
	s := strings.Join(strings.Fields(doc.Find("p.summary").Text()), " ")
	m := importSummary.FindStringSubmatch(s)
	want := []string{strconv.Itoa(valid), strconv.Itoa(invalid), strconv.Itoa(dups)}
	if m == nil || m[1] != want[0] || m[2] != want[1] || m[3] != want[2] {
		t.Errorf("import summary %q, want %v valid, %v invalid, %v duplicates", s, valid, invalid, dups)
	}
	btn := strings.Join(strings.Fields(doc.Find(`button[name="action"][value="import"]`).Text()), " ")
	if !strings.Contains(btn, want[0]) {
		t.Errorf("import button %q does not say %d", btn, valid)
	}
}

func setMarketing(t testing.TB, app *testApp, on bool) {
	t.Helper()
	if _, err := models.SetFeature(app.DB, models.FeatureMarketing, on, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
}

// leadHistory is the lead page's history table as "Field: old → new" lines.
func leadHistory(t testing.TB, doc *goquery.Document) []string {
	t.Helper()
	var out []string
	doc.Find(`section[aria-labelledby="hist-h"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(tr.Text()), " "))
	})
	return out
}

func containsLine(lines []string, parts ...string) bool {
	for _, l := range lines {
		all := true
		for _, p := range parts {
			if !strings.Contains(l, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Campaigns.

func TestCampaignCreateAndEdit(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	before := countRows(t, app, &models.Campaign{})

	r := manager.fill("/campaigns/new", "form.form", url.Values{
		"name": {"  Spring mailing 2030  "}, "type": {"email"}, "start_date": {"2030-04-01"}, "end_date": {"2030-04-30"},
		"cost": {"12,500.50"}, "owner_id": {idString(rep.ID)}, "description": {"Two mailings to clinics."},
	})
	wantStatus(t, "POST /campaigns", r, http.StatusSeeOther)
	if countRows(t, app, &models.Campaign{}) != before+1 {
		t.Fatalf("campaigns: want one more")
	}
	cp := campaignNamed(t, app, "Spring mailing 2030")
	if r.Location != "/campaigns/"+idString(cp.ID) {
		t.Errorf("Location %q, want /campaigns/%d", r.Location, cp.ID)
	}
	if cp.Type != "email" || cp.Cost != 1250050 || cp.OwnerID != rep.ID || cp.Description != "Two mailings to clinics." ||
		cp.StartDate == nil || cp.StartDate.Format("2006-01-02") != "2030-04-01" || cp.EndDate == nil || cp.EndDate.Format("2006-01-02") != "2030-04-30" {
		t.Errorf("stored campaign = %+v", cp)
	}
	page := manager.get(r.Location)
	wantStatus(t, "GET "+r.Location, page, http.StatusOK)
	doc := page.doc(t)
	if f := flashOf(t, page); !strings.Contains(f, "Created the campaign") || !strings.Contains(f, "Spring mailing 2030") {
		t.Errorf("flash %q", f)
	}
	if h := strings.TrimSpace(doc.Find("h1").First().Text()); h != "Spring mailing 2030" {
		t.Errorf("h1 %q", h)
	}
	sub := strings.Join(strings.Fields(doc.Find(".record-sub").Text()), " ")
	for _, want := range []string{"E-mail campaign", "Riley Rep", "$12,500.50"} {
		if !strings.Contains(sub, want) {
			t.Errorf("campaign header %q lacks %q", sub, want)
		}
	}

	// Edit: the form comes back filled with what is stored.
	edit := manager.get("/campaigns/" + idString(cp.ID) + "/edit")
	wantStatus(t, "GET edit", edit, http.StatusOK)
	ed := edit.doc(t)
	if got := fieldValue(ed, "cost"); got != "12500.50" {
		t.Errorf("cost field %q, want 12500.50", got)
	}
	if got := fieldValue(ed, "owner_id"); got != idString(rep.ID) {
		t.Errorf("owner field %q", got)
	}
	r = manager.fill("/campaigns/"+idString(cp.ID)+"/edit", "form.form", url.Values{"name": {"Spring mailing 2030 (2)"}, "cost": {"900"}, "end_date": {""}})
	wantStatus(t, "POST /campaigns/:id", r, http.StatusSeeOther)
	var got models.Campaign
	app.DB.First(&got, cp.ID)
	if got.Name != "Spring mailing 2030 (2)" || got.Cost != 90000 || got.EndDate != nil || got.OwnerID != rep.ID || got.Type != "email" {
		t.Errorf("after edit: %+v", got)
	}
	if n := countRows(t, app, &models.Campaign{}); n != before+1 {
		t.Errorf("editing created a campaign: %d", n)
	}

	// A rep's new campaign is the rep's, whatever the form says.
	repC := app.client(t).login("rep@example.com")
	manager2 := userByEmail(t, app, "manager@example.com")
	tok := repC.token("/campaigns/new")
	r = repC.post("/campaigns", url.Values{"csrf_token": {tok}, "name": {"Rep referral drive"}, "type": {"referral"}, "owner_id": {idString(manager2.ID)}})
	wantStatus(t, "rep POST /campaigns", r, http.StatusSeeOther)
	if c := campaignNamed(t, app, "Rep referral drive"); c.OwnerID != rep.ID {
		t.Errorf("rep's campaign owner %d, want the rep %d", c.OwnerID, rep.ID)
	}
}

func TestCampaignValidation(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	valid := func() url.Values {
		return url.Values{"name": {"Validation campaign"}, "type": {"webinar"}, "start_date": {"2030-05-01"}, "end_date": {"2030-05-02"},
			"cost": {"1000"}, "owner_id": {idString(rep.ID)}}
	}
	for _, tc := range []struct {
		name, field, value string
		extra              url.Values
		errField, msg      string
	}{
		{name: "empty name", field: "name", value: "   ", errField: "name", msg: "Name is required."},
		{name: "name too long", field: "name", value: strings.Repeat("x", 201), errField: "name", msg: "at most 200 characters"},
		{name: "unknown type", field: "type", value: "billboard", errField: "type", msg: "Choose a type from the list."},
		{name: "start not a date", field: "start_date", value: "2030-13-45", errField: "start_date", msg: "Enter a date such as 2026-12-31"},
		{name: "start text", field: "start_date", value: "next week", errField: "start_date", msg: "Enter a date such as 2026-12-31"},
		{name: "start year 1999", field: "start_date", value: "1999-12-31", errField: "start_date", msg: "between the years 2000 and 2100"},
		{name: "end year 2101", field: "end_date", value: "2101-01-01", errField: "end_date", msg: "between the years 2000 and 2100"},
		{name: "end before start", field: "end_date", value: "2030-04-30", errField: "end_date", msg: "The end date is before the start date."},
		{name: "negative cost", field: "cost", value: "-5", errField: "cost", msg: "The cost cannot be negative."},
		{name: "cost text", field: "cost", value: "a lot", errField: "cost", msg: "Enter an amount such as 1250 or 1,250.50."},
		{name: "absurd cost", field: "cost", value: "99999999999999999999", errField: "cost", msg: ""},
		{name: "cost three decimals", field: "cost", value: "10.005", errField: "cost", msg: "Enter an amount"},
		{name: "unknown owner", field: "owner_id", value: "999999", errField: "owner_id", msg: "Choose an active user as the owner."},
		{name: "owner not a number", field: "owner_id", value: "bob", errField: "owner_id", msg: "Choose an owner from the list."},
		{name: "no owner", field: "owner_id", value: "", errField: "owner_id", msg: "Choose an owner from the list."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, app, &models.Campaign{})
			form := valid()
			form.Set(tc.field, tc.value)
			form.Set("csrf_token", manager.token("/campaigns/new"))
			r := manager.post("/campaigns", form)
			wantStatus(t, "POST /campaigns", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantErrorSummary(t, doc)
			wantFieldError(t, doc, tc.errField, tc.msg)
			if n := len(allErrors(doc)); n != 1 {
				t.Errorf("errors on the page %q, want only the %s one", allErrors(doc), tc.errField)
			}
			// The form keeps what was typed.
			if tc.field != "type" && tc.field != "owner_id" && fieldValue(doc, tc.field) != tc.value {
				t.Errorf("%s field shows %q, want the typed %q", tc.field, fieldValue(doc, tc.field), tc.value)
			}
			if n := countRows(t, app, &models.Campaign{}); n != before {
				t.Errorf("a campaign was created: %d, want %d", n, before)
			}
		})
	}

	// Several mistakes at once are all shown, each next to its field.
	form := url.Values{"name": {""}, "type": {"webinar"}, "start_date": {"2030-05-10"}, "end_date": {"2030-05-01"}, "cost": {"-1"},
		"owner_id": {"424242"}, "csrf_token": {manager.token("/campaigns/new")}}
	r := manager.post("/campaigns", form)
	wantStatus(t, "POST /campaigns (four errors)", r, http.StatusUnprocessableEntity)
	doc := r.doc(t)
	wantFieldError(t, doc, "name", "Name is required.")
	wantFieldError(t, doc, "end_date", "before the start date")
	wantFieldError(t, doc, "cost", "cannot be negative")
	wantFieldError(t, doc, "owner_id", "active user")
	if s := doc.Find(".error-summary li").Length(); s != 4 {
		t.Errorf("error summary lists %d errors, want 4", s)
	}

	// Editing: the same checks, and nothing is saved.
	webinar := campaignNamed(t, app, demoWebinarName)
	r = manager.fill("/campaigns/"+idString(webinar.ID)+"/edit", "form.form", url.Values{"name": {""}, "cost": {"-20"}})
	wantStatus(t, "POST /campaigns/:id invalid", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "name", "Name is required.")
	wantFieldError(t, r.doc(t), "cost", "cannot be negative")
	if got := campaignNamed(t, app, demoWebinarName); got.Cost != webinar.Cost || got.Name != webinar.Name {
		t.Errorf("the invalid edit changed the campaign: %+v", got)
	}

	// A rep edits their own campaign but cannot give it away.
	repC := app.client(t).login("rep@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	r = repC.fill("/campaigns/"+idString(webinar.ID)+"/edit", "form.form", url.Values{"owner_id": {idString(rep2.ID)}})
	wantStatus(t, "rep gives the campaign away", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "owner_id", "Only a manager can give a campaign to someone else.")
	if got := campaignNamed(t, app, demoWebinarName); got.OwnerID != webinar.OwnerID {
		t.Errorf("owner changed to %d", got.OwnerID)
	}
}

// The demo trade show: 147 leads, 63 qualified, 32 opportunities, 14 won, and
// the money figures computed from its $24,000.00 cost.
func TestCampaignPageShowsDemoFunnel(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	show := campaignNamed(t, app, demoShowName)

	r := c.get("/campaigns/" + idString(show.ID))
	wantStatus(t, "GET campaign", r, http.StatusOK)
	doc := r.doc(t)
	// The report's funnel component, for this campaign: the same numbers,
	// linking to the same lists.
	rows := rptFunnelRows(t, doc)
	want := []rptLine{{Label: "Leads", Count: "147", Pct: "—"}, {Label: "Qualified leads", Count: "63", Pct: "42.9%"},
		{Label: "Opportunities", Count: "32", Pct: "50.8%"}, {Label: "Quoted", Count: "32", Pct: "100.0%"},
		{Label: "Won", Count: "14", Pct: "43.8%"}, {Label: "Lost", Count: "18", Pct: "—"}, {Label: "Still open", Count: "0", Pct: "—"}}
	if len(rows) != len(want) {
		t.Fatalf("funnel rows %+v, want %+v", rows, want)
	}
	mgr := app.client(t).login("manager@example.com")
	report := rptFunnelRows(t, rptGetReport(t, mgr, "campaign="+idString(show.ID)))
	for i, w := range want {
		if g := rows[i]; g.Label != w.Label || g.Count != w.Count || g.Pct != w.Pct {
			t.Errorf("funnel row %d = %s %s %s, want %s %s %s", i, g.Label, g.Count, g.Pct, w.Label, w.Count, w.Pct)
		}
		if rows[i].Href != report[i].Href {
			t.Errorf("%s links to %s, the report's to %s", rows[i].Label, rows[i].Href, report[i].Href)
		}
	}
	if got := rptText(doc.Find(`section[aria-labelledby="results-h"] p.summary strong`)); got != "9.5%" {
		t.Errorf("overall conversion %q, want 9.5%%", got)
	}
	if doc.Find(`section[aria-labelledby="results-h"] svg.funnel-svg title`).Length() != 1 {
		t.Errorf("the campaign page has no funnel picture")
	}
	facts := map[string]string{}
	doc.Find(`section[aria-labelledby="results-h"] dl.facts div`).Each(func(_ int, d *goquery.Selection) {
		facts[strings.TrimSpace(d.Find("dt").Text())] = strings.TrimSpace(d.Find("dd").Text())
	})
	for label, value := range map[string]string{
		"Cost per lead":     "$163.27",   // 24,000.00 / 147 = 163.265…
		"Cost per won deal": "$1,714.29", // 24,000.00 / 14 = 1,714.285…
	} {
		if facts[label] != value {
			t.Errorf("%s = %q, want %q", label, facts[label], value)
		}
	}
	byStatus := strings.Join(strings.Fields(doc.Find(`section[aria-labelledby="leads-h"] p.muted`).First().Text()), " ")
	for label, n := range map[string]string{"New": "34", "Qualified": "31", "Converted": "32", "Disqualified": "50"} {
		if m := regexp.MustCompile(label + `: (\d+)`).FindStringSubmatch(byStatus); m == nil || m[1] != n {
			t.Errorf("lead statuses %q: want %s: %s", byStatus, label, n)
		}
	}
	// A page of its 32 opportunities, and a link to the list of them all.
	if n := doc.Find(`section[aria-labelledby="opps-h"] tbody tr`).Length(); n != models.PageSize {
		t.Errorf("opportunities from the campaign: %d rows, want a page of %d", n, models.PageSize)
	}
	all, ok := doc.Find(`section[aria-labelledby="opps-h"] .section-head a`).Attr("href")
	if !ok {
		t.Fatal("no link to all the campaign's opportunities")
	}
	if n := rptFollow(t, c, all); n != 32 {
		t.Errorf("%s lists %d opportunities, want 32", all, n)
	}

	// The list shows both demo campaigns with their lead counts.
	list := c.get("/campaigns")
	wantStatus(t, "GET /campaigns", list, http.StatusOK)
	leads := map[string]string{}
	list.doc(t).Find("table.list tbody tr").Each(func(_ int, tr *goquery.Selection) {
		leads[strings.TrimSpace(tr.Find(`td[data-label="Name"]`).Text())] = strings.TrimSpace(tr.Find(`td[data-label="Leads"]`).Text())
	})
	if leads[demoShowName] != "147" || leads[demoWebinarName] != "24" {
		t.Errorf("campaign list lead counts %v", leads)
	}
}

// ---------------------------------------------------------------------------
// Leads.

func TestLeadCreateAndEdit(t *testing.T) {
	app := newTestApp(t)
	repC := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	webinar := campaignNamed(t, app, demoWebinarName)

	// The form opened from a campaign has it chosen.
	nf := repC.get("/leads/new?campaign_id=" + idString(webinar.ID))
	wantStatus(t, "GET /leads/new", nf, http.StatusOK)
	if got := fieldValue(nf.doc(t), "campaign_id"); got != idString(webinar.ID) {
		t.Errorf("campaign preselected %q, want %d", got, webinar.ID)
	}
	r := repC.fill("/leads/new?campaign_id="+idString(webinar.ID), "form.form", url.Values{
		"person_name": {" Dana Whitfield "}, "company_name": {"Whitfield Dental"}, "email": {"Dana.Whitfield@Whitfield.example"},
		"phone": {"+1 555 0199"}, "need": {"on"}, "need_note": {"Two practices, old server"},
	})
	wantStatus(t, "POST /leads", r, http.StatusSeeOther)
	var l models.Lead
	if err := app.DB.Where("person_name = ?", "Dana Whitfield").First(&l).Error; err != nil {
		t.Fatal(err)
	}
	if r.Location != "/leads/"+idString(l.ID) {
		t.Errorf("Location %q", r.Location)
	}
	if l.OwnerID != rep.ID || l.Status != models.LeadNew || l.Email != "dana.whitfield@whitfield.example" || l.CompanyName != "Whitfield Dental" ||
		!sameID(l.CampaignID, &webinar.ID) || !l.Need || l.Solution || l.NeedNote != "Two practices, old server" || l.Phone != "+1 555 0199" {
		t.Errorf("stored lead %+v", l)
	}
	page := repC.get(r.Location)
	wantStatus(t, "GET lead", page, http.StatusOK)
	if f := flashOf(t, page); !strings.Contains(f, "Created the lead Dana Whitfield") {
		t.Errorf("flash %q", f)
	}
	doc := page.doc(t)
	if h := leadHistory(t, doc); !containsLine(h, "Riley Rep", "Status", "New") {
		t.Errorf("history %q lacks the creation", h)
	}
	if txt := doc.Find(".lead-actions").Text(); !strings.Contains(txt, "still missing solution, timeframe, budget") {
		t.Errorf("next step does not name the missing criteria: %q", strings.Join(strings.Fields(txt), " "))
	}

	// Edit: tick the remaining criteria; the flash says it can be converted.
	r = repC.fill("/leads/"+idString(l.ID)+"/edit", "form.form", url.Values{"solution": {"on"}, "timeframe": {"on"}, "budget": {"on"},
		"budget_note": {"Approved"}, "company_name": {"Whitfield Dental Group"}})
	wantStatus(t, "POST /leads/:id", r, http.StatusSeeOther)
	page = repC.get(r.Location)
	if f := flashOf(t, page); !strings.Contains(f, "All four criteria hold") {
		t.Errorf("flash %q", f)
	}
	got := mktLoadLead(t, app, l.ID)
	if !(got.Need && got.Solution && got.Timeframe && got.Budget) || got.BudgetNote != "Approved" || got.CompanyName != "Whitfield Dental Group" ||
		got.NeedNote != "Two practices, old server" || got.OwnerID != rep.ID || got.Status != models.LeadNew {
		t.Errorf("after edit %+v", got)
	}
	if page.doc(t).Find(`form[action="/leads/`+idString(l.ID)+`/convert"]`).Length() != 1 {
		t.Errorf("no convert button once all four criteria hold")
	}

	// Unticking a box (a browser leaves it out) clears it.
	r = repC.fill("/leads/"+idString(l.ID)+"/edit", "form.form", url.Values{"budget": nil})
	wantStatus(t, "POST /leads/:id untick", r, http.StatusSeeOther)
	if got := mktLoadLead(t, app, l.ID); got.Budget || !got.Timeframe {
		t.Errorf("after unticking budget: %+v", got)
	}

	// A manager creates a lead for someone else, with no campaign.
	manager := app.client(t).login("manager@example.com")
	r = manager.fill("/leads/new", "form.form", url.Values{"person_name": {"Phone Only"}, "phone": {"+44 20 7946 0000"}, "owner_id": {idString(rep2.ID)}})
	wantStatus(t, "manager POST /leads", r, http.StatusSeeOther)
	var m models.Lead
	if err := app.DB.Where("person_name = ?", "Phone Only").First(&m).Error; err != nil {
		t.Fatal(err)
	}
	if m.OwnerID != rep2.ID || m.CampaignID != nil || m.Email != "" {
		t.Errorf("manager's lead %+v", m)
	}
	// A rep's owner_id is ignored: the rep owns what they create.
	tok := repC.token("/leads/new")
	r = repC.post("/leads", url.Values{"csrf_token": {tok}, "person_name": {"Sneaky Owner"}, "email": {"sneaky@example.com"}, "owner_id": {idString(rep2.ID)}})
	wantStatus(t, "rep POST /leads with owner", r, http.StatusSeeOther)
	var s models.Lead
	app.DB.Where("person_name = ?", "Sneaky Owner").First(&s)
	if s.OwnerID != rep.ID {
		t.Errorf("rep's lead owner %d, want %d", s.OwnerID, rep.ID)
	}
}

func TestLeadValidation(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	for _, tc := range []struct {
		name          string
		form          url.Values
		errField, msg string
	}{
		{"no name", url.Values{"person_name": {"  "}, "email": {"a@example.com"}}, "person_name", "Person name is required."},
		{"bad e-mail", url.Values{"person_name": {"Ann"}, "email": {"ann@"}}, "email", "Enter an e-mail address such as name@example.com."},
		{"e-mail without a dot in the domain", url.Values{"person_name": {"Ann"}, "email": {"ann@localhost"}}, "email", "Enter an e-mail address"},
		{"neither e-mail nor phone", url.Values{"person_name": {"Ann"}, "company_name": {"Ann Co"}}, "email", "Give an e-mail address or a phone number"},
		{"phone with letters", url.Values{"person_name": {"Ann"}, "phone": {"call me maybe"}}, "phone", ""},
		{"unknown campaign", url.Values{"person_name": {"Ann"}, "email": {"a@example.com"}, "campaign_id": {"987654"}}, "campaign_id", "That campaign does not exist any more."},
		{"campaign not a number", url.Values{"person_name": {"Ann"}, "email": {"a@example.com"}, "campaign_id": {"x"}}, "campaign_id", "Choose a campaign from the list."},
		{"note too long", url.Values{"person_name": {"Ann"}, "email": {"a@example.com"}, "need_note": {strings.Repeat("n", 301)}}, "need_note", "at most 300 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, app, &models.Lead{})
			tc.form.Set("csrf_token", c.token("/leads/new"))
			r := c.post("/leads", tc.form)
			wantStatus(t, "POST /leads", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantErrorSummary(t, doc)
			wantFieldError(t, doc, tc.errField, tc.msg)
			if tc.errField != "campaign_id" && fieldValue(doc, tc.errField) != strings.TrimSpace(tc.form.Get(tc.errField)) &&
				fieldValue(doc, tc.errField) != tc.form.Get(tc.errField) {
				t.Errorf("%s shows %q, want what was typed", tc.errField, fieldValue(doc, tc.errField))
			}
			if n := countRows(t, app, &models.Lead{}); n != before {
				t.Errorf("a lead was created")
			}
		})
	}

	// Editing applies the same checks and saves nothing.
	rep := userByEmail(t, app, "rep@example.com")
	l := mktNewLead(t, app, rep, nil, "Valid Val", "Val Co", "val@example.com", "n", "")
	r := c.fill("/leads/"+idString(l.ID)+"/edit", "form.form", url.Values{"email": {""}, "phone": {""}, "person_name": {"Changed"}})
	wantStatus(t, "POST /leads/:id without contact details", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "email", "Give an e-mail address or a phone number")
	if got := mktLoadLead(t, app, l.ID); got.PersonName != "Valid Val" || got.Email != "val@example.com" {
		t.Errorf("the invalid edit was saved: %+v", got)
	}
}

func TestLeadStatusChanges(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	l := mktNewLead(t, app, rep, nil, "Status Sue", "Sue Co", "sue@example.com", "", "")
	page := "/leads/" + idString(l.ID)

	r := c.fill(page, `form[action="`+page+`/status"]:has(input[name="status"][value="qualified"])`, nil)
	wantStatus(t, "qualify", r, http.StatusSeeOther)
	if r.Location != page {
		t.Errorf("Location %q", r.Location)
	}
	if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadQualified {
		t.Errorf("status %q, want qualified", got.Status)
	}
	p := c.get(page)
	if f := flashOf(t, p); f != "Status Sue is now qualified." {
		t.Errorf("flash %q", f)
	}
	if h := leadHistory(t, p.doc(t)); !containsLine(h, "Status", "New", "Qualified") {
		t.Errorf("history %q lacks New → Qualified", h)
	}

	// Disqualifying needs a reason: 422 with the message next to the field.
	events := countWhere(t, app, &models.LeadEvent{}, "lead_id = ?", l.ID)
	r = c.fill(page, `form[action="`+page+`/status"]:has(input[name="status"][value="disqualified"])`, url.Values{"reason": {"   "}})
	wantStatus(t, "disqualify without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason", "Say why the lead is disqualified.")
	if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadQualified {
		t.Errorf("status changed to %q", got.Status)
	}
	if n := countWhere(t, app, &models.LeadEvent{}, "lead_id = ?", l.ID); n != events {
		t.Errorf("history grew on a refused change")
	}
	// Too long a reason is refused too.
	r = c.fill(page, `form[action="`+page+`/status"]:has(input[name="status"][value="disqualified"])`, url.Values{"reason": {strings.Repeat("r", 301)}})
	wantStatus(t, "disqualify with a long reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason", "at most 300 characters")

	r = c.fill(page, `form[action="`+page+`/status"]:has(input[name="status"][value="disqualified"])`, url.Values{"reason": {"Student, not a buyer"}})
	wantStatus(t, "disqualify with a reason", r, http.StatusSeeOther)
	got := mktLoadLead(t, app, l.ID)
	if got.Status != models.LeadDisqualified || got.DisqualifyReason != "Student, not a buyer" {
		t.Errorf("after disqualifying: status %q reason %q", got.Status, got.DisqualifyReason)
	}
	p = c.get(page)
	doc := p.doc(t)
	if h := leadHistory(t, doc); !containsLine(h, "Riley Rep", "Status", "Qualified", "Disqualified: Student, not a buyer") {
		t.Errorf("history %q lacks the disqualification with its reason", h)
	}
	if txt := doc.Find(".record-sub").Text(); !strings.Contains(txt, "Disqualified") || !strings.Contains(txt, "Student, not a buyer") {
		t.Errorf("lead header %q", strings.Join(strings.Fields(txt), " "))
	}

	// Back to new clears the reason.
	r = c.fill(page, `form[action="`+page+`/status"]:has(input[name="status"][value="new"])`, nil)
	wantStatus(t, "back to new", r, http.StatusSeeOther)
	if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadNew || got.DisqualifyReason != "" {
		t.Errorf("back to new: %+v", got)
	}

	// Converted is not a status one sets; nor is nonsense.
	for _, s := range []string{"converted", "won", ""} {
		r = c.postWithToken(page, page+"/status", url.Values{"status": {s}})
		wantStatus(t, "status "+s, r, http.StatusUnprocessableEntity)
		if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadNew {
			t.Fatalf("status %q set the lead to %q", s, got.Status)
		}
	}
}

// ---------------------------------------------------------------------------
// Conversion.

func TestLeadConvertRefusedUntilAllFourCriteriaHold(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	opps, orgs := countRows(t, app, &models.Opportunity{}), countRows(t, app, &models.Organization{})

	for _, tc := range []struct{ criteria, missing string }{
		{"", "need, solution, timeframe, budget"},
		{"ns", "timeframe, budget"},
		{"nst", "budget"},
		{"stb", "need"},
	} {
		l := mktNewLead(t, app, rep, nil, "Half Ready "+tc.criteria, "Half Ready Co "+tc.criteria, "half-"+tc.criteria+"@example.com", tc.criteria, models.LeadQualified)
		page := "/leads/" + idString(l.ID)
		r := c.postWithToken(page, page+"/convert", nil)
		wantStatus(t, "convert with "+tc.criteria, r, http.StatusUnprocessableEntity)
		msg := strings.Join(strings.Fields(r.doc(t).Find(".error-page").Text()), " ")
		if !strings.Contains(msg, "Still missing: "+tc.missing+".") || !strings.Contains(msg, "all four criteria") {
			t.Errorf("criteria %q: message %q, want it to name %q", tc.criteria, msg, tc.missing)
		}
		if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadQualified || got.OpportunityID != nil {
			t.Errorf("refused conversion changed the lead: %+v", got)
		}
		// The page offers no convert button and says what is missing.
		doc := c.get(page).doc(t)
		if doc.Find(`form[action="`+page+`/convert"]`).Length() != 0 {
			t.Errorf("criteria %q: convert button shown", tc.criteria)
		}
	}
	if n := countRows(t, app, &models.Opportunity{}); n != opps {
		t.Errorf("opportunities %d, want %d", n, opps)
	}
	if n := countRows(t, app, &models.Organization{}); n != orgs {
		t.Errorf("organizations %d, want %d", n, orgs)
	}
}

func TestLeadConvert(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	webinar := campaignNamed(t, app, demoWebinarName)
	opps := countRows(t, app, &models.Opportunity{})

	l := mktNewLead(t, app, rep, &webinar.ID, "Nora Quill", "Quillfeather Clinics", "Nora.Quill@quillfeather.example", "nstb", models.LeadQualified)
	app.DB.Model(&models.Lead{}).Where("id = ?", l.ID).Updates(map[string]any{"need_note": "Three clinics", "phone": "+1 555 0142"})
	page := "/leads/" + idString(l.ID)
	r := c.fill(page, `form[action="`+page+`/convert"]`, nil)
	wantStatus(t, "convert", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/opportunities/") {
		t.Fatalf("Location %q, want the new opportunity", r.Location)
	}
	got := mktLoadLead(t, app, l.ID)
	if got.Status != models.LeadConverted || got.OpportunityID == nil || got.ConvertedAt == nil {
		t.Fatalf("lead after conversion: %+v", got)
	}
	if r.Location != "/opportunities/"+idString(*got.OpportunityID) {
		t.Errorf("Location %q, want /opportunities/%d", r.Location, *got.OpportunityID)
	}
	if n := countRows(t, app, &models.Opportunity{}); n != opps+1 {
		t.Errorf("opportunities %d, want %d", n, opps+1)
	}
	o := loadOpp(t, app, *got.OpportunityID)
	if !sameID(o.CampaignID, &webinar.ID) || o.OwnerID != rep.ID || !(o.Need && o.Solution && o.Timeframe && o.Budget) ||
		o.Status != models.StatusActive || o.Title != "Quillfeather Clinics — Three clinics" || !strings.Contains(o.Description, "Need: Three clinics") {
		t.Errorf("opportunity %+v", o)
	}
	var org models.Organization
	if err := app.DB.First(&org, o.OrganizationID).Error; err != nil {
		t.Fatal(err)
	}
	if org.Name != "Quillfeather Clinics" || org.Type != "prospect" {
		t.Errorf("organization %q type %q, want a new Prospect", org.Name, org.Type)
	}
	var contact models.Contact
	if o.ContactID == nil || app.DB.First(&contact, *o.ContactID).Error != nil {
		t.Fatalf("no contact on the opportunity")
	}
	if contact.OrganizationID != org.ID || contact.FirstName != "Nora" || contact.LastName != "Quill" || contact.Email != "nora.quill@quillfeather.example" {
		t.Errorf("contact %+v", contact)
	}

	// The opportunity page says where it came from.
	op := c.get(r.Location)
	wantStatus(t, "GET opportunity", op, http.StatusOK)
	if f := flashOf(t, op); !strings.Contains(f, "Converted Nora Quill") {
		t.Errorf("flash %q", f)
	}
	facts := map[string]*goquery.Selection{}
	op.doc(t).Find("dl.facts div").Each(func(_ int, d *goquery.Selection) { facts[strings.TrimSpace(d.Find("dt").Text())] = d.Find("dd") })
	if dd, ok := facts["From lead"]; !ok || dd.Find(`a[href="`+page+`"]`).Text() != "Nora Quill" {
		t.Errorf("no “From lead” linking to %s", page)
	}
	if dd, ok := facts["Campaign"]; !ok || dd.Find(`a[href="/campaigns/`+idString(webinar.ID)+`"]`).Text() != demoWebinarName {
		t.Errorf("no Campaign linking to the webinar")
	}
	// The lead page links to the opportunity and offers no more actions.
	ld := c.get(page).doc(t)
	if a := ld.Find(`p.flash a[href="` + r.Location + `"]`); a.Length() != 1 || !strings.Contains(ld.Find("p.flash").Text(), "Converted to the opportunity") {
		t.Errorf("lead page does not link to its opportunity")
	}
	if ld.Find(`.lead-actions`).Length() != 0 || ld.Find(`a[href="`+page+`/edit"]`).Length() != 0 {
		t.Errorf("a converted lead still offers edit or status actions")
	}
	if h := leadHistory(t, ld); !containsLine(h, "Status", "Qualified", "Converted to opportunity") {
		t.Errorf("lead history %q", h)
	}

	// Converting twice: 409, and still exactly one opportunity.
	tok := c.token("/leads")
	r = c.post(page+"/convert", url.Values{"csrf_token": {tok}})
	wantStatus(t, "convert again", r, http.StatusConflict)
	if n := countRows(t, app, &models.Opportunity{}); n != opps+1 {
		t.Errorf("opportunities %d after the second attempt, want %d", n, opps+1)
	}
	if n := countWhere(t, app, &models.Opportunity{}, "organization_id = ?", org.ID); n != 1 {
		t.Errorf("opportunities of the new organization: %d, want 1", n)
	}
	// A converted lead cannot be edited or have its status changed.
	r = c.post(page+"/status", url.Values{"csrf_token": {tok}, "status": {"new"}})
	wantStatus(t, "status of a converted lead", r, http.StatusConflict)
	r = c.get(page + "/edit")
	wantStatus(t, "edit a converted lead", r, http.StatusConflict)
	r = c.post(page, url.Values{"csrf_token": {tok}, "person_name": {"Renamed"}, "email": {"x@example.com"}})
	wantStatus(t, "save a converted lead", r, http.StatusConflict)
	if g := mktLoadLead(t, app, l.ID); g.Status != models.LeadConverted || g.PersonName != "Nora Quill" || !sameID(g.OpportunityID, got.OpportunityID) {
		t.Errorf("converted lead changed: %+v", g)
	}
}

// An organization of the same name (whatever the case) is reused, and so is a
// contact of it with the same e-mail.
func TestLeadConvertReusesOrganizationAndContact(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	var org models.Organization
	if err := app.DB.Where("name = ?", "Northwind Traders").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	var contact models.Contact
	app.DB.Where("organization_id = ?", org.ID).Order("id").First(&contact)
	if contact.Email == "" {
		contact.Email = "nancy@northwind.example"
		app.DB.Save(&contact)
	}
	orgs, contacts := countRows(t, app, &models.Organization{}), countRows(t, app, &models.Contact{})

	l := mktNewLead(t, app, rep2, nil, contact.FirstName+" "+contact.LastName, "  NORTHWIND traders ", strings.ToUpper(contact.Email), "nstb", "")
	page := "/leads/" + idString(l.ID)
	r := c.postWithToken(page, page+"/convert", nil)
	wantStatus(t, "convert", r, http.StatusSeeOther)
	got := mktLoadLead(t, app, l.ID)
	if got.OpportunityID == nil {
		t.Fatal("not converted")
	}
	o := loadOpp(t, app, *got.OpportunityID)
	if o.OrganizationID != org.ID {
		t.Errorf("opportunity on organization %d, want Northwind %d", o.OrganizationID, org.ID)
	}
	if !sameID(o.ContactID, &contact.ID) {
		t.Errorf("contact %v, want the existing %d", o.ContactID, contact.ID)
	}
	if o.OwnerID != rep2.ID || o.CampaignID != nil {
		t.Errorf("opportunity owner %d campaign %v", o.OwnerID, o.CampaignID)
	}
	if n := countRows(t, app, &models.Organization{}); n != orgs {
		t.Errorf("organizations %d, want %d (reused)", n, orgs)
	}
	if n := countRows(t, app, &models.Contact{}); n != contacts {
		t.Errorf("contacts %d, want %d (reused)", n, contacts)
	}
	var after models.Organization
	app.DB.First(&after, org.ID)
	if after.Type != org.Type {
		t.Errorf("the existing organization's type changed from %q to %q", org.Type, after.Type)
	}
}

// ---------------------------------------------------------------------------
// Bulk actions.

func TestLeadBulkAssignAndStatus(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	repC := app.client(t).login("rep@example.com")
	rep, rep2 := userByEmail(t, app, "rep@example.com"), userByEmail(t, app, "rep2@example.com")

	a := mktNewLead(t, app, rep, nil, "Bulk A", "Bulk Co", "bulk-a@example.com", "", "")
	b := mktNewLead(t, app, rep, nil, "Bulk B", "Bulk Co", "bulk-b@example.com", "", "")
	cc := mktNewLead(t, app, rep2, nil, "Bulk C", "Bulk Co", "bulk-c@example.com", "", "")
	conv := mktNewLead(t, app, rep, nil, "Bulk Converted", "Bulk Conv Co", "bulk-conv@example.com", "nstb", models.LeadQualified)
	if _, err := models.ConvertLead(app.DB, conv.ID, &rep, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}

	// The list offers the assign control to managers only.
	if manager.get("/leads").doc(t).Find(`#bulk button[value="assign"]`).Length() != 1 {
		t.Errorf("managers see no Assign button")
	}
	if repC.get("/leads").doc(t).Find(`#bulk button[value="assign"]`).Length() != 0 {
		t.Errorf("reps see the Assign button")
	}

	// Assign: a manager gives A, B and C to rep2; C is already rep2's.
	back := "/leads?q=Bulk"
	r := manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"assign"}, "owner_id": {idString(rep2.ID)},
		"ids": {idString(a.ID), idString(b.ID), idString(cc.ID)}, "back": {back}})
	wantStatus(t, "bulk assign", r, http.StatusSeeOther)
	if r.Location != back {
		t.Errorf("Location %q, want %q", r.Location, back)
	}
	if f := flashOf(t, manager.get(r.Location)); f != "Assigned 2 leads." {
		t.Errorf("flash %q, want “Assigned 2 leads.”", f)
	}
	for _, id := range []uint{a.ID, b.ID, cc.ID} {
		if got := mktLoadLead(t, app, id); got.OwnerID != rep2.ID {
			t.Errorf("lead %d owner %d, want rep2", id, got.OwnerID)
		}
	}
	if h := leadHistory(t, manager.get("/leads/"+idString(a.ID)).doc(t)); !containsLine(h, "Morgan Manager", "Owner", "Riley Rep", "Sam Seller") {
		t.Errorf("history %q lacks the reassignment", h)
	}
	// Unknown owner: nothing changes.
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"assign"}, "owner_id": {"999999"}, "ids": {idString(a.ID)}})
	wantStatus(t, "assign to nobody", r, http.StatusSeeOther)
	if f := flashOf(t, manager.get(r.Location)); !strings.Contains(f, "Nothing changed") {
		t.Errorf("flash %q", f)
	}
	if got := mktLoadLead(t, app, a.ID); got.OwnerID != rep2.ID {
		t.Errorf("owner changed to %d", got.OwnerID)
	}
	// A rep may not assign: 403 and nothing changes.
	r = repC.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"assign"}, "owner_id": {idString(rep.ID)}, "ids": {idString(a.ID), idString(b.ID)}})
	wantStatus(t, "rep bulk assign", r, http.StatusForbidden)
	for _, id := range []uint{a.ID, b.ID} {
		if got := mktLoadLead(t, app, id); got.OwnerID != rep2.ID {
			t.Errorf("rep reassigned lead %d", id)
		}
	}

	// Status: a manager qualifies A, B and the converted lead; the converted one stays.
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"qualified"},
		"ids": {idString(a.ID), idString(b.ID), idString(conv.ID)}})
	wantStatus(t, "bulk status", r, http.StatusSeeOther)
	if f := flashOf(t, manager.get(r.Location)); !strings.HasPrefix(f, "Set 2 leads to qualified") {
		t.Errorf("flash %q", f)
	}
	for _, id := range []uint{a.ID, b.ID} {
		if got := mktLoadLead(t, app, id); got.Status != models.LeadQualified {
			t.Errorf("lead %d status %q", id, got.Status)
		}
	}
	if got := mktLoadLead(t, app, conv.ID); got.Status != models.LeadConverted {
		t.Errorf("converted lead became %q", got.Status)
	}
	// Disqualifying in bulk needs a reason.
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"disqualified"}, "ids": {idString(a.ID)}})
	wantStatus(t, "bulk disqualify without reason", r, http.StatusSeeOther)
	if f := flashOf(t, manager.get(r.Location)); !strings.Contains(f, "say why") {
		t.Errorf("flash %q", f)
	}
	if got := mktLoadLead(t, app, a.ID); got.Status != models.LeadQualified {
		t.Errorf("lead disqualified without a reason")
	}
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"disqualified"}, "reason": {"Duplicate entry"}, "ids": {idString(a.ID)}})
	wantStatus(t, "bulk disqualify", r, http.StatusSeeOther)
	if got := mktLoadLead(t, app, a.ID); got.Status != models.LeadDisqualified || got.DisqualifyReason != "Duplicate entry" {
		t.Errorf("after bulk disqualify %+v", got)
	}
	// A rep's bulk status changes only the rep's own leads.
	own := mktNewLead(t, app, rep, nil, "Bulk Own", "Bulk Own Co", "bulk-own@example.com", "", "")
	r = repC.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"new"}, "ids": {idString(own.ID), idString(b.ID)}})
	wantStatus(t, "rep bulk status", r, http.StatusSeeOther)
	if got := mktLoadLead(t, app, b.ID); got.Status != models.LeadQualified {
		t.Errorf("a rep changed another's lead to %q", got.Status)
	}
	r = repC.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"qualified"}, "ids": {idString(own.ID), idString(b.ID)}})
	wantStatus(t, "rep bulk qualify", r, http.StatusSeeOther)
	if f := flashOf(t, repC.get(r.Location)); !strings.HasPrefix(f, "Set 1 lead to qualified") {
		t.Errorf("flash %q", f)
	}
	if got := mktLoadLead(t, app, own.ID); got.Status != models.LeadQualified {
		t.Errorf("rep's own lead %q", got.Status)
	}
	// Nothing ticked.
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"new"}})
	wantStatus(t, "bulk nothing ticked", r, http.StatusSeeOther)
	if f := flashOf(t, manager.get(r.Location)); !strings.Contains(f, "tick the leads first") {
		t.Errorf("flash %q", f)
	}
	// A back address off the site is not followed.
	r = manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"status"}, "status": {"new"}, "ids": {idString(b.ID)}, "back": {"https://evil.example/"}})
	wantStatus(t, "bulk with foreign back", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/") || strings.HasPrefix(r.Location, "//") {
		t.Errorf("Location %q leaves the site", r.Location)
	}
}

// ---------------------------------------------------------------------------
// CSV export.

func TestLeadExportCSV(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	show := campaignNamed(t, app, demoShowName)
	evil := "=cmd|' /C calc'!A0"
	l := mktNewLead(t, app, rep, &show.ID, evil, "+Plus Co", "@at@example.com", "ns", "")

	r := c.get("/leads/export.csv?campaign=" + idString(show.ID))
	wantStatus(t, "GET /leads/export.csv", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	header := []string{"ID", "Person", "Company", "E-mail", "Phone", "Campaign", "Owner", "Status", "Need", "Solution", "Timeframe", "Budget", "Created"}
	if strings.Join(recs[0], "|") != strings.Join(header, "|") {
		t.Errorf("header %q, want %q", recs[0], header)
	}
	if len(recs) != 1+148 {
		t.Errorf("rows %d, want the 147 demo leads and the new one", len(recs)-1)
	}
	var row []string
	for _, rec := range recs[1:] {
		if rec[0] == idString(l.ID) {
			row = rec
		}
	}
	if row == nil {
		t.Fatal("the new lead is not in the export")
	}
	if row[1] != "'"+evil {
		t.Errorf("person %q, want it defused with a leading apostrophe", row[1])
	}
	if row[2] != "'+Plus Co" || row[3] != "'@at@example.com" {
		t.Errorf("company %q e-mail %q, want leading apostrophes", row[2], row[3])
	}
	if row[5] != demoShowName || row[6] != "Riley Rep" || row[7] != "New" || row[8] != "yes" || row[9] != "yes" || row[10] != "no" || row[11] != "no" {
		t.Errorf("row %q", row)
	}
	// Filters apply: qualified leads of the trade show are 31 (63 minus 32 converted).
	r = c.get("/leads/export.csv?status=qualified&campaign=" + idString(show.ID))
	recs, err = csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != 31 {
		t.Errorf("qualified trade-show leads exported: %d, want 31", len(recs)-1)
	}
	for _, rec := range recs[1:] {
		if rec[7] != "Qualified" {
			t.Errorf("row with status %q in a qualified-only export", rec[7])
		}
	}
}

// ---------------------------------------------------------------------------
// CSV import.

func TestLeadImportPreviewAndImport(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	webinar := campaignNamed(t, app, demoWebinarName)
	var existing models.Lead
	if err := app.DB.Where("email <> ''").Order("id").First(&existing).Error; err != nil {
		t.Fatal(err)
	}
	var contact models.Contact
	if err := app.DB.Where("email <> ''").Order("id").First(&contact).Error; err != nil {
		t.Fatal(err)
	}
	leads := countRows(t, app, &models.Lead{})

	// As a spreadsheet saves it: a byte-order mark, semicolons, CRLF.
	file := "\xef\xbb\xbfFull name;Company;E-mail;Phone\r\n" +
		"Ingrid Olsen;Fjord Dental;ingrid@fjord.example;+47 555 0101\r\n" +
		"Dup Person;Dup Co;" + strings.ToUpper(existing.Email) + ";\r\n" +
		"Bad Mail;Bad Co;not-an-email;\r\n" +
		"Tomás Ruiz;Ruiz Vets;tomas@ruiz.example;\r\n" +
		"Known Contact;Known Co;" + contact.Email + ";\r\n" +
		"Twice Ingrid;Fjord Dental;INGRID@fjord.example;\r\n" +
		";;;\r\n"
	r := c.upload("trade-show.csv", []byte(file), nil)
	wantStatus(t, "upload", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/leads/import/") {
		t.Fatalf("Location %q", r.Location)
	}
	var imp models.LeadImport
	if err := app.DB.Order("id DESC").First(&imp).Error; err != nil {
		t.Fatal(err)
	}
	if imp.UserID != rep.ID || imp.Filename != "trade-show.csv" || r.Location != "/leads/import/"+idString(imp.ID) {
		t.Errorf("stored import %d by %d %q; Location %q", imp.ID, imp.UserID, imp.Filename, r.Location)
	}
	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("uploading imported leads already")
	}

	pv := c.get(r.Location)
	wantStatus(t, "preview", pv, http.StatusOK)
	doc := pv.doc(t)
	for i, want := range []string{models.ColName, models.ColCompany, models.ColEmail, models.ColPhone} {
		if got := fieldValue(doc, "map-"+idString(uint(i))); got != want {
			t.Errorf("column %d mapped to %q, want %q", i, got, want)
		}
	}
	if lbl := doc.Find(`label[for="map-0"]`).Text(); !strings.Contains(lbl, "Full name") {
		t.Errorf("first column label %q, want the header without the BOM", lbl)
	}
	wantImportSummary(t, doc, 2, 1, 3)
	if lede := doc.Find("p.lede").Text(); !strings.Contains(lede, "6 rows") {
		t.Errorf("lede %q, want 6 rows (the blank line skipped)", lede)
	}
	rows := map[string]string{}
	doc.Find("table.list tbody tr").Each(func(_ int, tr *goquery.Selection) {
		rows[strings.TrimSpace(tr.Find(`td[data-label="Person"]`).Text())] = strings.Join(strings.Fields(tr.Find(`td[data-label="Check"]`).Text()), " ")
	})
	if got := rows["Dup Person"]; got != "Duplicate Already a lead." {
		t.Errorf("duplicate row check %q", got)
	}
	if got := rows["Bad Mail"]; got != "Invalid “not-an-email” is not an e-mail address." {
		t.Errorf("invalid row check %q", got)
	}
	if got := rows["Known Contact"]; got != "Duplicate Already a contact." {
		t.Errorf("contact duplicate row check %q", got)
	}
	if got := rows["Twice Ingrid"]; got != "Duplicate Same e-mail as line 2." {
		t.Errorf("in-file duplicate row check %q", got)
	}
	if rows["Ingrid Olsen"] != "OK" || rows["Tomás Ruiz"] != "OK" {
		t.Errorf("valid rows %q", rows)
	}
	if first := strings.TrimSpace(doc.Find("table.list tbody tr").First().Find(`td[data-label="Person"]`).Text()); first != "Dup Person" && first != "Bad Mail" {
		t.Errorf("flagged rows are not shown first: %q", first)
	}

	// Change the mapping: ignore the e-mail column. Only the row with a phone
	// stays valid; the page comes back with the new mapping chosen.
	form, action := formValues(t, doc, `form[action="`+r.Location+`"]`)
	form["map"] = []string{models.ColName, models.ColCompany, models.ColIgnore, models.ColPhone}
	form.Set("action", "check")
	ck := c.post(action, form)
	wantStatus(t, "check", ck, http.StatusOK)
	cd := ck.doc(t)
	if got := fieldValue(cd, "map-2"); got != models.ColIgnore {
		t.Errorf("column 2 shows %q after the check, want ignored", got)
	}
	wantImportSummary(t, cd, 1, 5, 0)
	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("checking imported leads")
	}
	// A mapping without a name is refused with a message, and nothing is imported.
	form["map"] = []string{models.ColIgnore, models.ColCompany, models.ColEmail, models.ColPhone}
	form.Set("action", "import")
	bad := c.post(action, form)
	wantStatus(t, "import without a name column", bad, http.StatusUnprocessableEntity)
	if msg := bad.doc(t).Find("#mapping-error").Text(); !strings.Contains(msg, "Person name") {
		t.Errorf("mapping error %q", msg)
	}
	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("an import without a name column imported leads")
	}

	// Import with the automatic mapping into the webinar.
	form["map"] = []string{models.ColName, models.ColCompany, models.ColEmail, models.ColPhone}
	form.Set("action", "import")
	form.Set("campaign_id", idString(webinar.ID))
	im := c.post(action, form)
	wantStatus(t, "import", im, http.StatusSeeOther)
	if im.Location != "/campaigns/"+idString(webinar.ID) {
		t.Errorf("Location %q, want the campaign", im.Location)
	}
	if f := flashOf(t, c.get(im.Location)); f != "Imported 2 leads. Skipped 4 invalid or duplicate rows." {
		t.Errorf("flash %q", f)
	}
	if n := countRows(t, app, &models.Lead{}); n != leads+2 {
		t.Errorf("leads %d, want %d", n, leads+2)
	}
	var got []models.Lead
	app.DB.Where("email IN ?", []string{"ingrid@fjord.example", "tomas@ruiz.example"}).Order("id").Find(&got)
	if len(got) != 2 {
		t.Fatalf("imported leads %+v", got)
	}
	for _, l := range got {
		if !sameID(l.CampaignID, &webinar.ID) || l.OwnerID != rep.ID || l.Status != models.LeadNew {
			t.Errorf("imported lead %+v", l)
		}
	}
	if got[0].PersonName != "Ingrid Olsen" || got[0].CompanyName != "Fjord Dental" || got[0].Phone != "+47 555 0101" || got[1].PersonName != "Tomás Ruiz" {
		t.Errorf("imported values %+v", got)
	}
	if n := countWhere(t, app, &models.Lead{}, "LOWER(email) = ?", strings.ToLower(existing.Email)); n != 1 {
		t.Errorf("the duplicate e-mail is on %d leads, want 1", n)
	}
	if n := countWhere(t, app, &models.Lead{}, "email = ? OR person_name = ?", "not-an-email", "Bad Mail"); n != 0 {
		t.Errorf("the invalid row was imported")
	}
	if n := countWhere(t, app, &models.LeadEvent{}, "lead_id = ?", got[0].ID); n != 1 {
		t.Errorf("history entries of an imported lead: %d, want 1", n)
	}
	// The import is used up: running it again finds nothing.
	if n := countWhere(t, app, &models.LeadImport{}, "id = ?", imp.ID); n != 0 {
		t.Errorf("the import was not removed after importing")
	}
	again := c.post(action, form)
	wantStatus(t, "import twice", again, http.StatusNotFound)
	if n := countRows(t, app, &models.Lead{}); n != leads+2 {
		t.Errorf("a second run imported again: %d", n)
	}
}

// The campaign chosen on the upload form (from a campaign's page) is carried
// to the preview; a comma file without a BOM works as well.
func TestLeadImportFromCampaignPage(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	show := campaignNamed(t, app, demoShowName)
	r := c.upload("list.csv", []byte("First name,Last name,Mobile\nAda,Byron,+44 555 0100\n"), url.Values{"campaign_id": {idString(show.ID)}})
	wantStatus(t, "upload", r, http.StatusSeeOther)
	if !strings.HasSuffix(r.Location, "?campaign_id="+idString(show.ID)) {
		t.Errorf("Location %q does not carry the campaign", r.Location)
	}
	doc := c.get(r.Location).doc(t)
	if got := fieldValue(doc, "campaign_id"); got != idString(show.ID) {
		t.Errorf("campaign chosen %q, want %d", got, show.ID)
	}
	for i, want := range []string{models.ColFirstName, models.ColLastName, models.ColPhone} {
		if got := fieldValue(doc, "map-"+idString(uint(i))); got != want {
			t.Errorf("column %d mapped %q, want %q", i, got, want)
		}
	}
	form, action := formValues(t, doc, `form[action^="/leads/import/"]`)
	form.Set("action", "import")
	r = c.post(action, form)
	wantStatus(t, "import", r, http.StatusSeeOther)
	var l models.Lead
	if err := app.DB.Where("person_name = ?", "Ada Byron").First(&l).Error; err != nil {
		t.Fatalf("Ada Byron not imported: %v", err)
	}
	if !sameID(l.CampaignID, &show.ID) || l.Phone != "+44 555 0100" {
		t.Errorf("imported %+v", l)
	}
	// An unknown campaign is refused and nothing is imported.
	r = c.upload("list.csv", []byte("Name,Email\nZed Zee,zed@example.com\n"), nil)
	wantStatus(t, "upload 2", r, http.StatusSeeOther)
	r = c.postWithToken(r.Location, r.Location, url.Values{"action": {"import"}, "map": {models.ColName, models.ColEmail}, "campaign_id": {"99999"}})
	wantStatus(t, "import into an unknown campaign", r, http.StatusUnprocessableEntity)
	if n := countWhere(t, app, &models.Lead{}, "email = ?", "zed@example.com"); n != 0 {
		t.Errorf("imported into an unknown campaign")
	}
}

func TestLeadImportMalformedFiles(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	leads, imports := countRows(t, app, &models.Lead{}), countRows(t, app, &models.LeadImport{})
	for _, tc := range []struct {
		name    string
		content []byte
		msg     string
	}{
		{"not UTF-8", []byte("Name,Email\nJos\xe9 Pe\xf1a,jose@example.com\n"), "not UTF-8"},
		{"header only", []byte("Name;Email\r\n"), "header row but no leads"},
		{"header and blank lines", []byte("Name,Email\n\n , \n"), "header row but no leads"},
		{"unbalanced quotes", []byte("Name,Email\n\"Open Quote,open@example.com\nNext,next@example.com\n"), "not valid CSV"},
		{"quote inside a field", []byte("Name,Email\nAl \"The\" Pal,al@example.com\n"), "not valid CSV"},
		{"binary", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00binary zip\x00\x00"), "not a CSV text file"},
		{"image", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...), "Nothing was imported."},
		{"empty", []byte{}, "The file is empty."},
		{"only a BOM", []byte("\xef\xbb\xbf  \n"), "The file is empty."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.upload("leads.csv", tc.content, nil)
			wantStatus(t, "upload", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantErrorSummary(t, doc)
			wantFieldError(t, doc, "file", tc.msg)
			wantFieldError(t, doc, "file", "Nothing was imported.")
			if doc.Find(`form[action="/leads/import"][enctype="multipart/form-data"]`).Length() != 1 {
				t.Errorf("the upload form is not shown again")
			}
		})
	}
	// No file at all.
	tok := c.token("/leads/import")
	r := c.postWithToken("/leads/import", "/leads/import", url.Values{"csrf_token": {tok}})
	wantStatus(t, "upload without a file", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "file", "Choose a CSV file")

	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("leads %d, want %d", n, leads)
	}
	if n := countRows(t, app, &models.LeadImport{}); n != imports {
		t.Errorf("imports stored: %d, want %d", n, imports)
	}
}

func TestLeadImportTooLarge(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	leads, imports := countRows(t, app, &models.Lead{}), countRows(t, app, &models.LeadImport{})
	row := "Big Name,big@example.com\n"
	for _, size := range []int{models.MaxImportBytes + 1, 12 << 20} {
		content := []byte("Name,Email\n" + strings.Repeat(row, size/len(row)+1))
		r := c.upload("big.csv", content, nil)
		if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%d bytes: status %d, want 413 or 422\n%s", len(content), r.Status, excerpt(r.Body))
		}
		if msg := excerpt(r.Body); !strings.Contains(msg, "10 MB") || !strings.Contains(msg, "too large") {
			t.Errorf("%d bytes: message %q, want it to say the limit is 10 MB", len(content), msg)
		}
	}
	if n := countRows(t, app, &models.Lead{}); n != leads {
		t.Errorf("leads %d, want %d", n, leads)
	}
	if n := countRows(t, app, &models.LeadImport{}); n != imports {
		t.Errorf("imports stored: %d, want %d", n, imports)
	}
	// Just under the limit (and under the row limit) is accepted.
	line := "N," + strings.Repeat("c", 200) + ",n@example.com\n"
	content := []byte("Name,Company,Email\n" + strings.Repeat(line, (models.MaxImportBytes-100)/len(line)))
	if len(content) > models.MaxImportBytes {
		t.Fatalf("the test file is %d bytes", len(content))
	}
	r := c.upload("fits.csv", content, nil)
	wantStatus(t, "upload just under 10 MB", r, http.StatusSeeOther)
	if n := countRows(t, app, &models.LeadImport{}); n != imports+1 {
		t.Errorf("imports stored: %d, want %d", n, imports+1)
	}
}

// An upload belongs to its uploader: for anyone else it does not exist.
func TestLeadImportBelongsToTheUploader(t *testing.T) {
	app := newTestApp(t)
	repC := app.client(t).login("rep@example.com")
	r := repC.upload("mine.csv", []byte("Name,Email\nMine Only,mine@example.com\n"), nil)
	wantStatus(t, "upload", r, http.StatusSeeOther)
	path := r.Location
	for _, email := range []string{"rep2@example.com", "manager@example.com", "admin@example.com"} {
		o := app.client(t).login(email)
		wantStatus(t, email+" GET "+path, o.get(path), http.StatusNotFound)
		res := o.postWithToken("/leads/import", path, url.Values{"action": {"import"}, "map": {models.ColName, models.ColEmail}})
		wantStatus(t, email+" POST "+path, res, http.StatusNotFound)
	}
	if n := countWhere(t, app, &models.Lead{}, "email = ?", "mine@example.com"); n != 0 {
		t.Errorf("someone else imported the rep's file")
	}
	wantStatus(t, "uploader GET", repC.get(path), http.StatusOK)
}

// ---------------------------------------------------------------------------
// The feature switch.

func TestMarketingOffHidesCampaignsAndLeads(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("admin@example.com")
	show := campaignNamed(t, app, demoShowName)
	// A converted webinar lead: its opportunity is still open, so it can be edited.
	webinar := campaignNamed(t, app, demoWebinarName)
	var conv models.Lead
	if err := app.DB.Where("campaign_id = ? AND status = ?", webinar.ID, models.LeadConverted).First(&conv).Error; err != nil {
		t.Fatal(err)
	}
	oppPath := "/opportunities/" + idString(*conv.OpportunityID)

	home := c.get("/").doc(t)
	if home.Find(`#nav a[href="/campaigns"]`).Length() != 1 || home.Find(`#nav a[href="/leads"]`).Length() != 1 {
		t.Fatalf("with Marketing on, the nav lacks Campaigns or Leads")
	}
	if c.get(oppPath).doc(t).Find(`a[href="/campaigns/`+idString(webinar.ID)+`"]`).Length() == 0 {
		t.Errorf("with Marketing on, the opportunity does not link its campaign")
	}
	if c.get("/opportunities/new").doc(t).Find(`select[name="campaign_id"]`).Length() != 1 {
		t.Errorf("with Marketing on, the opportunity form has no Campaign field")
	}

	check := func(t *testing.T) {
		t.Helper()
		for _, p := range []string{"/campaigns", "/campaigns/new", "/campaigns/" + idString(show.ID), "/leads", "/leads/new",
			"/leads/import", "/leads/export.csv", "/leads/" + idString(conv.ID)} {
			wantStatus(t, "GET "+p, c.get(p), http.StatusNotFound)
		}
		r := c.postWithToken("/", "/leads", url.Values{"person_name": {"Ghost"}, "email": {"ghost@example.com"}})
		wantStatus(t, "POST /leads", r, http.StatusNotFound)
		if n := countWhere(t, app, &models.Lead{}, "person_name = ?", "Ghost"); n != 0 {
			t.Errorf("a lead was created with Marketing off")
		}
		doc := c.get("/").doc(t)
		if n := doc.Find(`#nav a[href="/campaigns"], #nav a[href="/leads"]`).Length(); n != 0 {
			t.Errorf("the nav shows %d Marketing links", n)
		}
		if strings.Contains(doc.Find("#nav").Text(), "Campaigns") {
			t.Errorf("the nav mentions Campaigns")
		}
	}
	t.Run("Marketing off", func(t *testing.T) {
		setMarketing(t, app, false)
		check(t)
		// Sales is still there; its opportunity no longer shows the campaign.
		op := c.get(oppPath)
		wantStatus(t, "GET opportunity", op, http.StatusOK)
		if op.doc(t).Find(`a[href^="/campaigns/"], a[href^="/leads/"]`).Length() != 0 {
			t.Errorf("the opportunity links to Marketing pages while Marketing is off")
		}
		if c.get("/opportunities/new").doc(t).Find(`[name="campaign_id"]`).Length() != 0 {
			t.Errorf("the opportunity form has a Campaign field while Marketing is off")
		}
		// Saving the opportunity keeps its campaign, which comes back with Marketing.
		o := loadOpp(t, app, *conv.OpportunityID)
		r := c.fill(oppPath+"/edit", "form.form", url.Values{"next_step": {"Call back"}})
		wantStatus(t, "save the opportunity", r, http.StatusSeeOther)
		if got := loadOpp(t, app, o.ID); !sameID(got.CampaignID, &webinar.ID) || got.NextStep != "Call back" {
			t.Errorf("saving with Marketing off dropped the campaign: %v", got.CampaignID)
		}
	})
	t.Run("Sales off", func(t *testing.T) {
		setMarketing(t, app, true)
		setSales(t, app, false)
		if f, _ := models.LoadFeatures(app.DB); f.On(models.FeatureMarketing) {
			t.Fatalf("Marketing stayed on without Sales")
		}
		check(t)
	})
	t.Run("back on", func(t *testing.T) {
		setSales(t, app, true)
		setMarketing(t, app, true)
		wantStatus(t, "GET /campaigns", c.get("/campaigns"), http.StatusOK)
		if n := countWhere(t, app, &models.Lead{}, "campaign_id = ?", show.ID); n != 147 {
			t.Errorf("the trade show has %d leads after the round trip, want 147", n)
		}
	})
}

// ---------------------------------------------------------------------------
// Edge cases found while testing.

// A campaign cost beyond what the app stores is refused saying so, as the
// opportunity form does, not as if it were mistyped.
func TestCampaignCostTooLargeSaysSo(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	before := countRows(t, app, &models.Campaign{})
	r := c.fill("/campaigns/new", "form.form", url.Values{"name": {"Moonshot"}, "cost": {"200,000,000,000.00"}})
	wantStatus(t, "POST /campaigns", r, http.StatusUnprocessableEntity)
	if n := countRows(t, app, &models.Campaign{}); n != before {
		t.Errorf("a campaign was created")
	}
	wantFieldError(t, r.doc(t), "cost", "too large")
}

// Bulk assignment leaves converted leads with their owner, as BulkAssignLeads
// documents and as bulk status changes do: a converted lead is frozen.
func TestLeadBulkAssignLeavesConvertedLeads(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	rep, rep2 := userByEmail(t, app, "rep@example.com"), userByEmail(t, app, "rep2@example.com")
	open := mktNewLead(t, app, rep, nil, "Assign Open", "Assign Co", "assign-open@example.com", "", "")
	conv := mktNewLead(t, app, rep, nil, "Assign Converted", "Assign Conv Co", "assign-conv@example.com", "nstb", models.LeadQualified)
	if _, err := models.ConvertLead(app.DB, conv.ID, &rep, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	r := manager.postWithToken("/leads", "/leads/bulk", url.Values{"action": {"assign"}, "owner_id": {idString(rep2.ID)},
		"ids": {idString(open.ID), idString(conv.ID)}})
	wantStatus(t, "bulk assign", r, http.StatusSeeOther)
	if got := mktLoadLead(t, app, open.ID); got.OwnerID != rep2.ID {
		t.Errorf("the open lead was not assigned")
	}
	if got := mktLoadLead(t, app, conv.ID); got.OwnerID != rep.ID {
		t.Errorf("the converted lead's owner changed from %d to %d", rep.ID, got.OwnerID)
	}
	if f := flashOf(t, manager.get(r.Location)); f != "Assigned 1 lead." {
		t.Errorf("flash %q, want “Assigned 1 lead.”", f)
	}
}

// blockedBody yields n bytes and then blocks until released, like a client
// still uploading.
type blockedBody struct {
	n, sent int
	release chan struct{}
}

func (b *blockedBody) Read(p []byte) (int, error) {
	if b.sent >= b.n {
		<-b.release
		return 0, io.EOF
	}
	k := min(len(p), b.n-b.sent)
	for i := range p[:k] {
		p[i] = 'a'
	}
	b.sent += k
	return k, nil
}

// An upload that announces more than the limit is refused with 413 at once,
// before the server reads it — for signed-out visitors too, who must not be
// able to make the server read and spool hundreds of megabytes.
func TestLeadImportOversizedUploadRefusedBeforeReading(t *testing.T) {
	app := newTestApp(t)
	signedIn := app.client(t).login("rep@example.com")
	anon := app.client(t)
	for _, tc := range []struct {
		who   string
		c     *client
		token string
	}{{"signed in", signedIn, signedIn.token("/leads/import")}, {"signed out", anon, anon.token("/login")}} {
		t.Run(tc.who, func(t *testing.T) {
			head := "--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + tc.token +
				"\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.csv\"\r\nContent-Type: text/csv\r\n\r\n"
			body := &blockedBody{n: 16 << 20, release: make(chan struct{})}
			req, _ := http.NewRequest(http.MethodPost, tc.c.app.URL+"/leads/import", io.MultiReader(strings.NewReader(head), body))
			req.ContentLength = 200 << 20
			req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
			type result struct {
				status int
				err    error
			}
			done := make(chan result, 1)
			go func() {
				res, err := tc.c.http.Do(req)
				if err != nil {
					done <- result{err: err}
					return
				}
				res.Body.Close()
				done <- result{status: res.StatusCode}
			}()
			select {
			case r := <-done:
				close(body.release)
				if r.err != nil {
					t.Fatalf("request failed: %v", r.err)
				}
				ok := r.status == http.StatusRequestEntityTooLarge
				if tc.c == anon {
					// Refusing the visitor first (sign in, bad form) is fine too.
					ok = ok || r.status == http.StatusSeeOther || r.status == http.StatusForbidden
				}
				if !ok {
					t.Errorf("status %d, want 413", r.status)
				}
			case <-time.After(5 * time.Second):
				close(body.release)
				t.Errorf("no answer after 5 s: the server read %d MB of a body announced as 200 MB instead of refusing it", body.sent>>20)
			}
		})
	}
	if n := countRows(t, app, &models.LeadImport{}); n != 0 {
		t.Errorf("imports stored: %d", n)
	}
}

// Conversion is all or nothing: when the opportunity cannot be created (no
// open stage is active), neither is the organization or the contact.
func TestLeadConvertWithoutAnOpenStageChangesNothing(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	rep := userByEmail(t, app, "rep@example.com")
	l := mktNewLead(t, app, rep, nil, "Stageless Sam", "Stageless Holdings", "sam@stageless.example", "nstb", models.LeadQualified)
	if err := app.DB.Model(&models.Stage{}).Where("is_won = ? AND is_lost = ?", false, false).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	opps, orgs, contacts := countRows(t, app, &models.Opportunity{}), countRows(t, app, &models.Organization{}), countRows(t, app, &models.Contact{})
	page := "/leads/" + idString(l.ID)
	r := c.postWithToken(page, page+"/convert", nil)
	wantStatus(t, "convert without an open stage", r, http.StatusUnprocessableEntity)
	if msg := excerpt(r.Body); !strings.Contains(msg, "No open opportunity stage is active") {
		t.Errorf("message %q", msg)
	}
	if countRows(t, app, &models.Opportunity{}) != opps || countRows(t, app, &models.Organization{}) != orgs || countRows(t, app, &models.Contact{}) != contacts {
		t.Errorf("a failed conversion left records behind")
	}
	if got := mktLoadLead(t, app, l.ID); got.Status != models.LeadQualified || got.OpportunityID != nil {
		t.Errorf("lead after the failed conversion: %+v", got)
	}
}

// A cost per lead or per won deal with nothing to divide by is shown as
// unknown, like the percentages and the ROI, not as $0.00, which would say the
// campaign's results came free.
func TestCampaignCostPerNothingIsNotZero(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	r := c.fill("/campaigns/new", "form.form", url.Values{"name": {"Empty but paid"}, "cost": {"5,000"}})
	wantStatus(t, "POST /campaigns", r, http.StatusSeeOther)
	doc := c.get(r.Location).doc(t)
	facts := map[string]string{}
	doc.Find(`section[aria-labelledby="results-h"] dl.facts div`).Each(func(_ int, d *goquery.Selection) {
		facts[strings.TrimSpace(d.Find("dt").Text())] = strings.TrimSpace(d.Find("dd").Text())
	})
	if got := rptText(doc.Find(`section[aria-labelledby="results-h"] p.summary strong`)); got != "—" {
		t.Errorf("overall conversion %q, want —", got)
	}
	for _, label := range []string{"Cost per lead", "Cost per won deal"} {
		if v, ok := facts[label]; !ok || v == "$0.00" {
			t.Errorf("%s = %q for a $5,000.00 campaign with no leads and no wins, want it shown as unknown (—)", label, v)
		}
	}
}

// TestConvertLeadLetsTheRepNameTheDeal: the conversion form proposes the
// opportunity's title (the company and the need) and projected close date
// (in three months), and converts with what the rep typed instead; a wrong
// date is refused next to its field with the input kept, converting nothing.
func TestConvertLeadLetsTheRepNameTheDeal(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	l := mktNewLead(t, app, rep, nil, "Olga Park", "Parkside Clinics", "olga@parkside.example", "nstb", models.LeadQualified)
	if err := app.DB.Model(&models.Lead{}).Where("id = ?", l.ID).Update("need_note", "Firewalls for 4 clinics\nand Wi-Fi").Error; err != nil {
		t.Fatal(err)
	}
	c := app.client(t).login("rep@example.com")
	page := "/leads/" + idString(l.ID)
	form := `form[action="` + page + `/convert"]`
	doc := c.get(page).doc(t)
	close := time.Now().UTC().AddDate(0, 3, 0).Format("2006-01-02")
	if got := doc.Find(form+` #convert-title`).AttrOr("value", ""); got != "Parkside Clinics — Firewalls for 4 clinics" {
		t.Errorf("proposed title %q", got)
	}
	if got := doc.Find(form+` #convert-close`).AttrOr("value", ""); got != close {
		t.Errorf("proposed close date %q, want %s", got, close)
	}

	r := c.fill(page, form, url.Values{"title": {"Parkside — network refresh"}, "projected_close_date": {"2026-31-12"}})
	wantStatus(t, "convert with a wrong date", r, http.StatusUnprocessableEntity)
	bad := r.doc(t)
	wantFieldError(t, bad, "convert-close", "Enter a date such as")
	if got := bad.Find(`#convert-title`).AttrOr("value", ""); got != "Parkside — network refresh" {
		t.Errorf("the title typed was not kept: %q", got)
	}
	if got := mktLoadLead(t, app, l.ID); got.Status == models.LeadConverted {
		t.Fatalf("a refused conversion converted the lead")
	}

	r = c.fill(page, form, url.Values{"title": {"Parkside — network refresh"}, "projected_close_date": {"2027-02-15"}})
	wantStatus(t, "convert", r, http.StatusSeeOther)
	got := mktLoadLead(t, app, l.ID)
	if got.OpportunityID == nil {
		t.Fatal("not converted")
	}
	o := loadOpp(t, app, *got.OpportunityID)
	if o.Title != "Parkside — network refresh" || o.ProjectedCloseDate.Format("2006-01-02") != "2027-02-15" {
		t.Errorf("opportunity %q closing %s, want the rep's title and date", o.Title, o.ProjectedCloseDate.Format("2006-01-02"))
	}
}
