package handlers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserImportQualifyConvert drives the marketing side in real headless
// Chromium: a rep uploads a CSV of leads (with a byte-order mark, semicolons
// and one e-mail that is already a lead), checks the preview and imports the
// new rows into a campaign, then qualifies one imported lead and converts it
// into an opportunity.
func TestBrowserImportQualifyConvert(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}

	const campaignName = "IT Expo 2026 trade show"
	var campaignID uint
	if err := app.DB.Table("campaigns").Where("name = ?", campaignName).Select("id").Scan(&campaignID).Error; err != nil || campaignID == 0 {
		t.Fatalf("the demo data has no campaign %q (id %d, err %v)", campaignName, campaignID, err)
	}
	var dupEmail string
	if err := app.DB.Table("leads").Where("email <> ''").Order("id").Limit(1).Select("email").Scan(&dupEmail).Error; err != nil || dupEmail == "" {
		t.Fatalf("the demo data has no lead with an e-mail (err %v)", err)
	}
	var repID uint
	if err := app.DB.Table("users").Where("email = ?", "rep@example.com").Select("id").Scan(&repID).Error; err != nil || repID == 0 {
		t.Fatalf("the demo data has no user rep@example.com (err %v)", err)
	}

	// The file: two new people and one who is already a lead.
	type person struct{ name, company, email, phone string }
	newPeople := []person{
		{"Ingrid Solberg", "Fjordline Browsertest Logistics", "ingrid.solberg@fjordline-browsertest.example", "+47 22 33 44 55"},
		{"Tomás Ferreira", "Ferreira Browsertest Clinics", "tomas.ferreira@ferreira-browsertest.example", "+351 21 123 4567"},
	}
	for _, p := range newPeople {
		if n := leadsWithEmail(t, app, p.email); n != 0 {
			t.Fatalf("precondition: %d leads already have the e-mail %s", n, p.email)
		}
	}
	var csv strings.Builder
	csv.WriteString("\ufeffFull name;Company;E-mail;Phone\r\n")
	fmt.Fprintf(&csv, "%s;%s;%s;%s\r\n", newPeople[0].name, newPeople[0].company, newPeople[0].email, newPeople[0].phone)
	fmt.Fprintf(&csv, "Dora Duplicate;Duplicate Browsertest Ltd;%s;+1 555 0000\r\n", dupEmail)
	fmt.Fprintf(&csv, "%s;%s;%s;%s\r\n", newPeople[1].name, newPeople[1].company, newPeople[1].email, newPeople[1].phone)
	file := filepath.Join(t.TempDir(), "expo-leads.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Sign in.
	b.signIn("rep@example.com")
	b.wantPath("/")

	// Upload the file.
	b.navigate("/leads/import")
	b.do("choose the CSV file", chromedp.SetUploadFiles(chromedp.CSS("input#file"), []string{file}))
	b.click("upload the file", buttonNamed("Upload and preview"))
	if loc := b.location(); !regexp.MustCompile(`^/leads/import/\d+$`).MatchString(loc) {
		t.Fatalf("after the upload: at %s, want /leads/import/{id}; page says: %s", loc, b.text("main", chromedp.CSS("main")))
	}
	if lede := b.text("the preview's lede", chromedp.CSS("main p.lede")); !strings.Contains(lede, "expo-leads.csv") || !strings.Contains(lede, "3 rows") {
		t.Fatalf("the preview says %q, want the file name expo-leads.csv and 3 rows", lede)
	}

	// The columns are mapped from their headers (the first one despite the BOM).
	mapping := importMapping(b)
	for header, want := range map[string]string{
		"Column “Full name”": "Person name",
		"Column “Company”":   "Company name",
		"Column “E-mail”":    "E-mail",
		"Column “Phone”":     "Phone",
	} {
		if got, ok := mapping[header]; !ok {
			t.Errorf("the preview has no mapping select labelled %s; it has %q", header, mapping)
		} else if got != want {
			t.Errorf("the select %s has %q selected, want %q", header, got, want)
		}
	}
	if len(mapping) != 4 {
		t.Errorf("the preview has %d mapping selects, want 4: %q", len(mapping), mapping)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Two rows will be imported, the third is flagged as a duplicate.
	summary := b.text("the preview's summary", chromedp.CSS("main p.summary"))
	if !strings.HasPrefix(summary, "2 rows will be imported") || !strings.Contains(summary, "0 invalid") || !strings.Contains(summary, "1 duplicate ") {
		t.Fatalf("the summary says %q, want 2 rows to import, 0 invalid, 1 duplicate", summary)
	}
	rows := importPreviewRows(b)
	if len(rows) != 3 {
		t.Fatalf("the preview shows %d rows, want 3: %+v", len(rows), rows)
	}
	// Flagged rows come first.
	if r := rows[0]; r.Line != "3" || r.Email != dupEmail || !strings.HasPrefix(r.Check, "Duplicate") || !strings.Contains(r.Check, "Already a lead") {
		t.Fatalf("the first preview row is %+v, want line 3 (%s) flagged “Duplicate Already a lead.”", r, dupEmail)
	}
	for i, p := range newPeople {
		r := rows[i+1]
		if r.Person != p.name || r.Company != p.company || r.Email != p.email || r.Phone != p.phone || r.Check != "OK" {
			t.Errorf("preview row %d is %+v, want %s / %s / %s / %s, OK", i+2, r, p.name, p.company, p.email, p.phone)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Import into the trade show campaign.
	b.do("choose the campaign", chromedp.SetValue(chromedp.CSS("select#campaign_id"), strconv.FormatUint(uint64(campaignID), 10)))
	// The select shows the campaign's start date after its name.
	if got := b.selectedLabel("campaign_id"); !strings.HasPrefix(got, campaignName+" (") {
		t.Fatalf("the campaign select shows %q, want %q and its date", got, campaignName)
	}
	b.click("import the leads", buttonNamed("Import 2 leads"))
	campaignPath := fmt.Sprintf("/campaigns/%d", campaignID)
	b.wantPath(campaignPath)
	if flash := b.wantFlash("Imported 2 leads"); !strings.Contains(flash, "Skipped 1") {
		t.Fatalf("flash = %q, want it to say one row was skipped", flash)
	}
	if h1 := b.text("the campaign's heading", chromedp.CSS("main h1")); h1 != campaignName {
		t.Fatalf("after the import the page's h1 = %q, want the campaign %q", h1, campaignName)
	}

	// In the database: the two new people are New leads of the campaign,
	// owned by the rep; the duplicate was not added again.
	type leadRow struct {
		ID            uint
		PersonName    string
		CompanyName   string
		CampaignID    *uint
		OwnerID       uint
		Status        string
		OpportunityID *uint
	}
	loadLead := func(email string) leadRow {
		t.Helper()
		var rows []leadRow
		if err := app.DB.Table("leads").Where("email = ?", email).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d leads have the e-mail %s, want 1", len(rows), email)
		}
		return rows[0]
	}
	for _, p := range newPeople {
		l := loadLead(p.email)
		if l.PersonName != p.name || l.CompanyName != p.company || l.CampaignID == nil || *l.CampaignID != campaignID || l.OwnerID != repID || l.Status != "new" {
			t.Fatalf("imported lead %s is %+v (campaign %v), want %s of %s, campaign %d, owner %d, status new",
				p.email, l, l.CampaignID, p.name, p.company, campaignID, repID)
		}
	}
	if n := leadsWithEmail(t, app, dupEmail); n != 1 {
		t.Fatalf("%d leads have the duplicate e-mail %s after the import, want still 1", n, dupEmail)
	}

	// Qualify the first imported lead.
	who := newPeople[0]
	lead := loadLead(who.email)
	leadPath := fmt.Sprintf("/leads/%d", lead.ID)
	b.navigate(leadPath)
	if h1 := b.text("the lead's heading", chromedp.CSS("main h1")); h1 != who.name {
		t.Fatalf("the lead page's h1 = %q, want %q", h1, who.name)
	}
	b.click("open the lead form", linkNamed("Edit and qualify"))
	b.wantPath(leadPath + "/edit")
	criteria := []string{
		"Need: the customer has a need or requirement",
		"Solution: we have a solution for it",
		"Timeframe: it must be done by a specific time",
		"Budget: the customer has a budget",
	}
	for _, c := range criteria {
		b.do("tick “"+c+"”", chromedp.Click(fieldLabelled(c)))
	}
	ticked, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`["need", "solution", "timeframe", "budget"].filter(n => document.querySelector('input[type=checkbox][name="' + n + '"]').checked)`))
	if err != nil {
		b.fail("read the criteria checkboxes", err)
	}
	if len(ticked) != 4 {
		t.Fatalf("after ticking the four criteria only %q are checked", ticked)
	}
	b.click("save the lead", buttonNamed("Save lead"))
	b.wantPath(leadPath)
	b.wantFlash("can be converted")
	if met := b.text("the criteria", chromedp.CSS("main ul.criteria")); strings.Contains(met, "Not met") {
		t.Fatalf("after saving, the criteria say %q; want all four met", met)
	}

	b.click("mark as qualified", buttonNamed("Mark as qualified (solid lead)"))
	b.wantPath(leadPath)
	b.wantFlash("qualified")
	if status := b.text("the lead's status", chromedp.CSS("main .record-sub .status")); status != "Qualified" {
		t.Fatalf("the lead's status badge = %q, want Qualified", status)
	}

	// Convert it.
	b.click("convert the lead", buttonNamed("Convert to opportunity"))
	loc := b.location()
	m := regexp.MustCompile(`^/opportunities/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after converting: at %s, want /opportunities/{id}; page says: %s", loc, b.text("main", chromedp.CSS("main")))
	}
	oppID, _ := strconv.ParseUint(m[1], 10, 64)
	if flash := b.wantFlash("Converted"); !strings.Contains(flash, who.name) {
		t.Fatalf("flash = %q, want it to name %s", flash, who.name)
	}
	facts := opportunityFacts(b)
	if f := facts["From lead"]; f.Text != who.name || f.Href != leadPath {
		t.Errorf("the opportunity's “From lead” is %+v, want %q linking to %s", f, who.name, leadPath)
	}
	if f := facts["Campaign"]; f.Text != campaignName || f.Href != campaignPath {
		t.Errorf("the opportunity's “Campaign” is %+v, want %q linking to %s", f, campaignName, campaignPath)
	}

	// In the database: the lead is converted into this opportunity, whose
	// organization is a new prospect named after the CSV's company.
	lead = loadLead(who.email)
	if lead.Status != "converted" || lead.OpportunityID == nil || uint64(*lead.OpportunityID) != oppID {
		t.Errorf("the lead is %+v (opportunity %v) after converting, want status converted and opportunity_id %d", lead, lead.OpportunityID, oppID)
	}
	type orgRow struct {
		ID   uint
		Name string
		Type string
	}
	var orgs []orgRow
	if err := app.DB.Table("organizations").Where("LOWER(name) = LOWER(?)", who.company).Find(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].Name != who.company || orgs[0].Type != "prospect" {
		t.Fatalf("organizations named %q: %+v, want exactly one, of type prospect", who.company, orgs)
	}
	var oppOrg uint
	if err := app.DB.Table("opportunities").Where("id = ?", oppID).Select("organization_id").Scan(&oppOrg).Error; err != nil {
		t.Fatal(err)
	}
	if oppOrg != orgs[0].ID {
		t.Errorf("opportunity %d belongs to organization %d, want the new prospect %d", oppID, oppOrg, orgs[0].ID)
	}
}

func leadsWithEmail(t *testing.T, app *testApp, email string) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Table("leads").Where("email = ?", email).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// importMapping reads the import preview's column selects: the label of each
// (“Column “Header””) and the field it has selected.
func importMapping(b *browser) map[string]string {
	b.t.Helper()
	m, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('select[name="map"]')].map(s => [
			(document.querySelector('label[for="' + s.id + '"]') || {textContent: "#" + s.id}).textContent.trim(),
			s.selectedIndex < 0 ? "" : s.options[s.selectedIndex].textContent.trim(),
		]))`))
	if err != nil {
		b.fail("read the column mapping", err)
	}
	return m
}

// importRow is one row of the import preview table.
type importRow struct {
	Line    string `json:"line"`
	Person  string `json:"person"`
	Company string `json:"company"`
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	Check   string `json:"check"`
}

func importPreviewRows(b *browser) []importRow {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]importRow](`[...document.querySelectorAll("main table.list tbody tr")].map(tr => {
		const cell = l => (tr.querySelector('td[data-label="' + l + '"]') || {textContent: ""}).textContent.replace(/\s+/g, " ").trim();
		return {line: cell("Line"), person: cell("Person"), company: cell("Company"), email: cell("E-mail"), phone: cell("Phone"), check: cell("Check")};
	})`))
	if err != nil {
		b.fail("read the preview rows", err)
	}
	return rows
}

// oppFact is one entry of an opportunity's facts: its text and, when it is a
// link, the path it links to.
type oppFact struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

func opportunityFacts(b *browser) map[string]oppFact {
	b.t.Helper()
	m, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]oppFact](`Object.fromEntries(
		[...document.querySelectorAll("main dl.facts > div")].filter(d => d.querySelector("dt") && d.querySelector("dd")).map(d => {
			const dd = d.querySelector("dd"), a = dd.querySelector("a");
			return [d.querySelector("dt").textContent.trim(), {text: dd.textContent.trim(), href: a ? a.getAttribute("href") : ""}];
		}))`))
	if err != nil {
		b.fail("read the opportunity's facts", err)
	}
	return m
}
