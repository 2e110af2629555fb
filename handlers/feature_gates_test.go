package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// gateCSV GETs a CSV export and returns its records.
func gateCSV(t testing.TB, c *client, path string) [][]string {
	t.Helper()
	r := c.get(path)
	wantStatus(t, "GET "+path, r, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: not CSV: %v", path, err)
	}
	return recs
}

// firstColumn is the first field of each record after the header.
func firstColumn(recs [][]string) []string {
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0])
	}
	return out
}

// With Marketing off nothing outside its own pages shows or filters by a
// campaign or a lead: the funnel report's Campaign filter and lead stages
// (page and CSV), the opportunity list's, board's and export's campaign and
// "entered without a lead" drill-downs, and the opportunity history's
// "Converted from" and campaign changes. A campaign sent anyway is ignored,
// as if not sent. With Marketing on again all of it is back.
func TestMarketingOffHidesCampaignsAndLeadsOutsideMarketing(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("admin@example.com")
	show := campaignNamed(t, app, demoShowName)
	var conv models.Lead
	if err := app.DB.Where("campaign_id = ? AND status = ?", show.ID, models.LeadConverted).Order("id").First(&conv).Error; err != nil {
		t.Fatal(err)
	}
	oppPath := "/opportunities/" + idString(*conv.OpportunityID)
	// A campaign change on an opportunity's history, made through the form.
	webinar := campaignNamed(t, app, demoWebinarName)
	r := c.fill(oppPath+"/edit", "form.form", url.Values{"campaign_id": {idString(webinar.ID)}})
	wantStatus(t, "move the opportunity to the webinar", r, http.StatusSeeOther)
	campaign := "campaign=" + idString(show.ID)
	all := "/opportunities/export.csv?owner=all&status=all"

	type view struct {
		funnelField, funnelLeads, csvLeads, listChip, boardChip, converted, campaignChange bool
		byCampaign, byNoLead, funnelByCampaign                                             bool
	}
	look := func(t *testing.T) view {
		t.Helper()
		var v view
		page := c.get("/reports/funnel")
		wantStatus(t, "GET /reports/funnel", page, http.StatusOK)
		doc := page.doc(t)
		v.funnelField = doc.Find(`form.filters [name="campaign"], form.filters [name="campaign_name"]`).Length() > 0
		v.funnelLeads = strings.Contains(doc.Find("main").Text(), "Qualified leads")
		for _, row := range firstColumn(gateCSV(t, c, "/reports/funnel.csv?table=funnel")) {
			v.csvLeads = v.csvLeads || strings.Contains(row, "lead")
		}
		// The report filtered by a campaign: its numbers and its links.
		filtered := c.get("/reports/funnel?" + campaign)
		wantStatus(t, "GET /reports/funnel?"+campaign, filtered, http.StatusOK)
		v.funnelByCampaign = strings.Contains(filtered.Body, campaign) ||
			strings.Join(firstColumn(gateCSV(t, c, "/reports/funnel.csv?table=funnel&"+campaign)), ",") == "" ||
			!sameRecords(gateCSV(t, c, "/reports/funnel.csv?table=funnel&"+campaign), gateCSV(t, c, "/reports/funnel.csv?table=funnel"))

		list := c.get("/opportunities?owner=all&status=all&" + campaign + "&lead=none")
		wantStatus(t, "GET the list by campaign", list, http.StatusOK)
		ld := list.doc(t)
		v.listChip = ld.Find(".chips").Length() > 0 || strings.Contains(ld.Find("main").Text(), "Campaign: "+demoShowName) ||
			ld.Find(`input[name="campaign"], a[href*="campaign="], a[href*="lead=none"]`).Length() > 0
		board := c.get("/opportunities/board?owner=all&" + campaign)
		wantStatus(t, "GET the board by campaign", board, http.StatusOK)
		v.boardChip = board.doc(t).Find(".chips").Length() > 0 || strings.Contains(board.Body, "Campaign: ")
		v.byCampaign = len(gateCSV(t, c, all+"&"+campaign)) != len(gateCSV(t, c, all))
		v.byNoLead = len(gateCSV(t, c, all+"&lead=none")) != len(gateCSV(t, c, all))

		for _, p := range []string{oppPath, oppPath + "?tab=history"} {
			op := c.get(p)
			wantStatus(t, "GET "+p, op, http.StatusOK)
			text := op.doc(t).Find("main").Text()
			v.converted = v.converted || strings.Contains(text, "Converted from") || strings.Contains(text, "Lead "+conv.PersonName)
			v.campaignChange = v.campaignChange || strings.Contains(text, demoWebinarName)
		}
		return v
	}

	on := look(t)
	if on != (view{true, true, true, true, true, true, true, true, true, true}) {
		t.Fatalf("with Marketing on some campaign or lead place is missing: %+v", on)
	}
	t.Run("off", func(t *testing.T) {
		setMarketing(t, app, false)
		if off := look(t); off != (view{}) {
			t.Errorf("with Marketing off a campaign or lead still shows or filters: %+v", off)
		}
		// The lists answer as if no campaign were sent.
		if a, b := c.get("/opportunities?owner=all&status=all&"+campaign).doc(t).Find(".summary").Text(),
			c.get("/opportunities?owner=all&status=all").doc(t).Find(".summary").Text(); a != b || a == "" {
			t.Errorf("the list by campaign reads %q, without %q", a, b)
		}
	})
	t.Run("back on", func(t *testing.T) {
		setMarketing(t, app, true)
		if back := look(t); back != on {
			t.Errorf("with Marketing on again: %+v, want %+v", back, on)
		}
	})
}

func sameRecords(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// Deactivating Sales switches off what needs it, and the Activations page says
// that activating Sales again turns back on exactly those; it does, leaving off
// a feature the admin had switched off before; the change log lists it all,
// newest first, with who did it.
func TestActivationsBringBackWhatWentOffWithAFeature(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	adminName := userByEmail(t, app, "admin@example.com").Name
	state := func() string {
		t.Helper()
		f, err := models.LoadFeatures(app.DB)
		if err != nil {
			t.Fatal(err)
		}
		var on []string
		for _, d := range models.FeatureDefs {
			if f.On(d.Key) {
				on = append(on, d.Key)
			}
		}
		return strings.Join(on, ",")
	}
	if got := state(); got != "sales,marketing,procurement" {
		t.Fatalf("the demo starts with %q on", got)
	}
	r := admin.fill("/admin/activations/marketing/deactivate", `main form[action="/admin/activations/marketing"]`, nil)
	wantStatus(t, "deactivate Marketing", r, http.StatusSeeOther)

	confirm := admin.get("/admin/activations/sales/deactivate").doc(t)
	if got := strings.TrimSpace(confirm.Find(".also-off").Text()); got != "Procurement (Inventory)" {
		t.Errorf("the confirmation says %q go off with Sales, want Procurement only", got)
	}
	text := strings.Join(strings.Fields(confirm.Find("main").Text()), " ")
	for _, want := range []string{"activating Sales again turns them back on",
		"staying inactive when Sales is activated again: Marketing campaigns & leads and Quote Manager integration"} {
		if !strings.Contains(text, want) {
			t.Errorf("the confirmation does not say %q:\n%s", want, text)
		}
	}
	r = admin.fill("/admin/activations/sales/deactivate", `main form[action="/admin/activations/sales"]`, nil)
	wantStatus(t, "deactivate Sales", r, http.StatusSeeOther)
	if got := state(); got != "" {
		t.Fatalf("after deactivating Sales %q are on", got)
	}

	page := admin.get("/admin/activations").doc(t)
	if got := strings.TrimSpace(page.Find("#feature-sales .brings-back").Text()); got != "Turns back on what went off with it: Procurement (Inventory)." {
		t.Errorf("Sales's card says %q", got)
	}
	if page.Find("#feature-procurement .off-with").Length() != 1 || page.Find("#feature-marketing .off-with, #feature-quote_manager .off-with").Length() != 0 {
		t.Errorf("only Procurement should say it went off with Sales")
	}
	rows := changeLog(t, page)
	if want := []string{
		"Procurement (Inventory)|Deactivated (with Sales)|" + adminName,
		"Sales|Deactivated|" + adminName,
		"Marketing campaigns & leads|Deactivated|" + adminName,
	}; strings.Join(rows[:3], "\n") != strings.Join(want, "\n") {
		t.Errorf("the change log starts\n%s\nwant\n%s", strings.Join(rows[:3], "\n"), strings.Join(want, "\n"))
	}

	r = admin.fill("/admin/activations", `#feature-sales form`, nil)
	wantStatus(t, "activate Sales", r, http.StatusSeeOther)
	after := admin.get(r.Location)
	if f := flashOf(t, after); f != "Activated Sales, Procurement (Inventory)." {
		t.Errorf("flash = %q", f)
	}
	if got := state(); got != "sales,procurement" {
		t.Errorf("after activating Sales %q are on, want sales,procurement (Marketing was off by itself)", got)
	}
	page = after.doc(t)
	if page.Find(".brings-back, .off-with").Length() != 0 {
		t.Errorf("the page still promises to bring something back")
	}
	if rows := changeLog(t, page); rows[0] != "Procurement (Inventory)|Activated (with Sales)|"+adminName || rows[1] != "Sales|Activated|"+adminName {
		t.Errorf("the change log starts %q", rows[:2])
	}
}

// changeLog is the Activations page's change log as "feature|change|by" lines.
func changeLog(t testing.TB, doc *goquery.Document) []string {
	t.Helper()
	var out []string
	doc.Find("table.activation-changes tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Slice(1, 4).Each(func(_ int, td *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(td.Text()), " "))
		})
		out = append(out, strings.Join(cells, "|"))
	})
	if len(out) < 3 {
		t.Fatalf("the change log has %d rows", len(out))
	}
	return out
}

// The won form's promised fulfilment date is Procurement's: with it on a
// malformed one is refused next to its field; with it off the form has no
// such field and one sent anyway is ignored, so the win goes through.
func TestWonFormIgnoresThePromisedDateWithProcurementOff(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("admin@example.com")
	var o models.Opportunity
	if err := app.DB.Where("status = ?", models.StatusActive).Order("id").First(&o).Error; err != nil {
		t.Fatal(err)
	}
	path := "/opportunities/" + idString(o.ID) + "/won"
	win := func() response {
		t.Helper()
		reason, _ := c.get(path).doc(t).Find(`select[name="reason_id"] option[value!=""]`).First().Attr("value")
		return c.fill(path, "main form", url.Values{"reason_id": {reason}, "promised_date": {"soon"}})
	}
	r := win()
	wantStatus(t, "win with a malformed promised date", r, http.StatusUnprocessableEntity)
	if r.doc(t).Find(`#promised_date`).Length() != 1 || !strings.Contains(r.Body, "Enter a date such as 2026-12-31, or leave it empty.") {
		t.Errorf("the refusal does not show the field with its message")
	}
	if _, err := models.SetFeature(app.DB, models.FeatureProcurement, false, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if c.get(path).doc(t).Find(`[name="promised_date"]`).Length() != 0 {
		t.Errorf("the won form has a promised date with Procurement off")
	}
	r = win()
	wantStatus(t, "win with Procurement off and a promised date sent anyway", r, http.StatusSeeOther)
	if got := loadOpp(t, app, o.ID); got.Status != models.StatusClosed {
		t.Errorf("the opportunity is %s, want won", got.Status)
	}
}
