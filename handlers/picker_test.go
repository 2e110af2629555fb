package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// manyOrganizations adds n organizations named "Bulk Org 0001"… to the demo
// data, and the named ones given, so that the pickers are past their select.
func manyOrganizations(t testing.TB, app *testApp, n int, named ...models.Organization) map[string]models.Organization {
	t.Helper()
	orgs := make([]models.Organization, 0, n+len(named))
	for i := 1; i <= n; i++ {
		orgs = append(orgs, models.Organization{Name: fmt.Sprintf("Bulk Org %04d", i), Type: "prospect", City: "Lyon"})
	}
	orgs = append(orgs, named...)
	if err := app.DB.CreateInBatches(&orgs, 200).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Organization{}
	for _, o := range orgs[n:] {
		out[o.Name+"|"+o.City] = o
	}
	return out
}

// pickerScale is a demo database with 1,000 more organizations and a few with
// names that match alike.
func pickerScale(t *testing.T) (*testApp, *client, map[string]models.Organization) {
	app := newTestApp(t)
	named := manyOrganizations(t, app, 1000,
		models.Organization{Name: "Zephyr Analytics", Type: "customer", City: "Oslo"},
		models.Organization{Name: "Zephyr Analytics Labs", Type: "prospect", City: "Bergen"},
		models.Organization{Name: "Twin Peaks Ltd", Type: "customer", City: "Leeds"},
		models.Organization{Name: "Twin Peaks Ltd", Type: "customer", City: "York"},
		models.Organization{Name: "Unique Widgets GmbH", Type: "lead", City: "Graz"},
		models.Organization{Name: `Quasar <b>Bold</b> & "Co"`, Type: "customer"},
		models.Organization{Name: "Deadwood Ltd", Type: "dead"},
	)
	return app, app.client(t).login("rep@example.com"), named
}

func decodeJSON(t testing.TB, r response, v any) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %.200s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%v: %.200s", err, r.Body)
	}
}

// Past 200 organizations the opportunity form has no select of them: the
// name is typed and resolved on the server.
func TestOpportunityFormOrganizationTyped(t *testing.T) {
	app, rep, named := pickerScale(t)
	r := rep.get("/opportunities/new")
	wantStatus(t, "GET /opportunities/new", r, http.StatusOK)
	doc := r.doc(t)
	if n := doc.Find(`select[name="organization_id"]`).Length(); n != 0 {
		t.Errorf("the form still has a select of the organizations")
	}
	if n := doc.Find("option").Length(); n > 200 {
		t.Errorf("%d options on the page: a list of every organization or contact", n)
	}
	// The 1,007 organizations' names alone are some 16 KB; the form without them is under 20 KB.
	if len(r.Body) > 30000 {
		t.Errorf("the new opportunity page is %d bytes, want under 30,000", len(r.Body))
	}
	in := doc.Find(`input#organization_id[name="organization_name"]`)
	if in.Length() != 1 || in.AttrOr("data-suggest", "") != "/organizations/suggest" {
		t.Fatalf("no typed organization input with suggestions: %d", in.Length())
	}
	if doc.Find(`label[for="organization_id"]`).Length() != 1 || doc.Find(`input[type="hidden"][name="organization_id"]`).Length() != 1 {
		t.Errorf("the typed input has no label, or the form no hidden id")
	}

	form, _ := formValues(t, doc, `main form[method="post"]`)
	form.Set("title", "Typed organization deal")
	post := func(name string, id string) response {
		t.Helper()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("organization_name", name)
		f.Set("organization_id", id)
		return rep.post("/opportunities", f)
	}

	t.Run("unique prefix in another case", func(t *testing.T) {
		r := post("  unique WIDG ", "")
		wantStatus(t, "POST", r, http.StatusSeeOther)
		var o models.Opportunity
		app.DB.Order("id DESC").First(&o)
		if want := named["Unique Widgets GmbH|Graz"].ID; o.OrganizationID != want || o.Title != "Typed organization deal" {
			t.Errorf("saved organization %d title %q, want %d", o.OrganizationID, o.Title, want)
		}
	})
	t.Run("the exact name wins over longer names", func(t *testing.T) {
		r := post("zephyr analytics", "")
		wantStatus(t, "POST", r, http.StatusSeeOther)
		var o models.Opportunity
		app.DB.Order("id DESC").First(&o)
		if want := named["Zephyr Analytics|Oslo"].ID; o.OrganizationID != want {
			t.Errorf("saved organization %d, want %d", o.OrganizationID, want)
		}
	})
	t.Run("unknown name", func(t *testing.T) {
		r := post("Nowhere Industries", "")
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		msg := doc.Find("#organization_id-error").Text()
		if !strings.Contains(msg, "No organization called “Nowhere Industries”") || !strings.Contains(msg, "create it first") {
			t.Errorf("error %q", msg)
		}
		if fieldValue(doc, "organization_id") != "Nowhere Industries" || fieldValue(doc, "title") != "Typed organization deal" {
			t.Errorf("input not kept: %q %q", fieldValue(doc, "organization_id"), fieldValue(doc, "title"))
		}
	})
	t.Run("dead organizations are not offered", func(t *testing.T) {
		r := post("Deadwood Ltd", "")
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		if msg := r.doc(t).Find("#organization_id-error").Text(); !strings.Contains(msg, "No organization called") {
			t.Errorf("error %q", msg)
		}
	})
	t.Run("ambiguous name lists the matches, a second submit picks one", func(t *testing.T) {
		r := post("zephyr", "")
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		if msg := doc.Find("#organization_id-error").Text(); !strings.Contains(msg, "Several organizations match “zephyr”") {
			t.Errorf("error %q", msg)
		}
		radios := doc.Find(`.matches input[type="radio"][name="organization_id"]`)
		if radios.Length() != 2 {
			t.Fatalf("%d matches offered, want 2", radios.Length())
		}
		labs := named["Zephyr Analytics Labs|Bergen"]
		var labsRadio *goquery.Selection
		radios.Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("value", "") == idString(labs.ID) {
				labsRadio = s
			}
		})
		if labsRadio == nil || doc.Find(`label[for="`+labsRadio.AttrOr("id", "")+`"]`).Text() != "Zephyr Analytics Labs (Bergen)" {
			t.Fatalf("the matches do not offer Zephyr Analytics Labs with a label")
		}
		if doc.Find(`input[type="hidden"][name="organization_id"]`).Length() != 0 {
			t.Errorf("a hidden id besides the matches")
		}
		if fieldValue(doc, "organization_id") != "zephyr" || fieldValue(doc, "title") != "Typed organization deal" {
			t.Errorf("input not kept")
		}
		again, _ := formValues(t, doc, `main form[method="post"]`)
		again.Set("organization_id", idString(labs.ID))
		r = rep.post("/opportunities", again)
		wantStatus(t, "POST with a match chosen", r, http.StatusSeeOther)
		var o models.Opportunity
		app.DB.Order("id DESC").First(&o)
		if o.OrganizationID != labs.ID {
			t.Errorf("saved organization %d, want %d", o.OrganizationID, labs.ID)
		}
	})
	t.Run("same name twice is told apart by city", func(t *testing.T) {
		r := post("Twin Peaks Ltd", "")
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		var labels []string
		r.doc(t).Find(".matches label").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
		if strings.Join(labels, ", ") != "Twin Peaks Ltd (Leeds), Twin Peaks Ltd (York)" {
			t.Errorf("matches %q", labels)
		}
	})
	t.Run("many matches: ten are listed", func(t *testing.T) {
		r := post("bulk org", "")
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		if n := r.doc(t).Find(".matches input").Length(); n != models.PickMatches {
			t.Errorf("%d matches listed, want %d", n, models.PickMatches)
		}
	})
	t.Run("an id left from an earlier name gives way to the new name", func(t *testing.T) {
		r := post("Unique Widgets GmbH", idString(named["Zephyr Analytics|Oslo"].ID))
		wantStatus(t, "POST", r, http.StatusSeeOther)
		var o models.Opportunity
		app.DB.Order("id DESC").First(&o)
		if want := named["Unique Widgets GmbH|Graz"].ID; o.OrganizationID != want {
			t.Errorf("saved organization %d, want %d", o.OrganizationID, want)
		}
	})
	t.Run("contact of another organization", func(t *testing.T) {
		var other models.Contact
		if err := app.DB.Where("organization_id <> ?", named["Unique Widgets GmbH|Graz"].ID).First(&other).Error; err != nil {
			t.Fatal(err)
		}
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("organization_name", "Unique Widgets GmbH")
		f.Set("contact_id", idString(other.ID))
		r := rep.post("/opportunities", f)
		wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
		if msg := r.doc(t).Find("#contact_id-error").Text(); !strings.Contains(msg, "another organization") {
			t.Errorf("error %q", msg)
		}
	})
}

// Editing an opportunity past the select: the organization's name is shown
// typed, with its id; the contact select offers only its contacts.
func TestOpportunityEditOrganizationTyped(t *testing.T) {
	app, _, _ := pickerScale(t)
	o := openOppOwnedBy(t, app, "rep@example.com")
	rep := app.client(t).login("rep@example.com")
	var org models.Organization
	app.DB.First(&org, o.OrganizationID)
	r := rep.get("/opportunities/" + idString(o.ID) + "/edit")
	wantStatus(t, "GET edit", r, http.StatusOK)
	doc := r.doc(t)
	if got := fieldValue(doc, "organization_id"); got != org.Name {
		t.Errorf("typed name %q, want %q", got, org.Name)
	}
	if got := doc.Find(`input[type="hidden"][name="organization_id"]`).AttrOr("value", ""); got != idString(org.ID) {
		t.Errorf("hidden id %q, want %d", got, org.ID)
	}
	contacts, _, _ := models.ContactsOf(app.DB, org.ID, models.NewPage(1))
	if n := doc.Find(`#contact_id option`).Length(); n != len(contacts)+1 {
		t.Errorf("%d contact options, want the organization's %d and none", n, len(contacts))
	}
	if doc.Find(`#contact_id`).AttrOr("data-contacts-of", "") != "organization_id" {
		t.Errorf("the contact select does not follow the organization field")
	}
	r = rep.fill("/opportunities/"+idString(o.ID)+"/edit", `main form[method="post"]`, url.Values{"next_step": {"Call back"}})
	wantStatus(t, "POST edit unchanged organization", r, http.StatusSeeOther)
	if got := loadOpp(t, app, o.ID); got.OrganizationID != o.OrganizationID || got.NextStep != "Call back" {
		t.Errorf("organization %d next step %q", got.OrganizationID, got.NextStep)
	}
}

// The suggestions: up to ten names starting with what is typed, escaped in
// the JSON, dead organizations left out; vendors=1 suggests vendors only.
func TestOrganizationSuggest(t *testing.T) {
	app, rep, named := pickerScale(t)
	var got []struct {
		ID    uint
		Name  string
		Label string
	}
	decodeJSON(t, rep.get("/organizations/suggest?q=ZEPH"), &got)
	if len(got) != 2 || got[0].Name != "Zephyr Analytics" || got[1].Name != "Zephyr Analytics Labs" || got[1].Label != "Zephyr Analytics Labs (Bergen)" {
		t.Errorf("suggested %+v", got)
	}
	r := rep.get("/organizations/suggest?q=" + url.QueryEscape("quasar <b>"))
	if strings.Contains(r.Body, "<b>") || !strings.Contains(r.Body, `\u003cb\u003e`) {
		t.Errorf("the name is not escaped in the JSON: %s", r.Body)
	}
	decodeJSON(t, r, &got)
	if len(got) != 1 || got[0].ID != named[`Quasar <b>Bold</b> & "Co"|`].ID {
		t.Errorf("suggested %+v", got)
	}
	decodeJSON(t, rep.get("/organizations/suggest?q=bulk"), &got)
	if len(got) != models.PickMatches || got[0].Name != "Bulk Org 0001" {
		t.Errorf("suggested %d, first %+v", len(got), got)
	}
	for _, q := range []string{"deadwood", "", "%", "_", "zzzz-no-such"} {
		decodeJSON(t, rep.get("/organizations/suggest?q="+url.QueryEscape(q)), &got)
		if len(got) != 0 {
			t.Errorf("q=%q suggested %+v", q, got)
		}
	}
	var vendor models.Organization
	app.DB.Where("type = ?", models.VendorType).First(&vendor)
	decodeJSON(t, rep.get("/organizations/suggest?vendors=1&q="+url.QueryEscape(vendor.Name[:3])), &got)
	if len(got) == 0 {
		t.Fatalf("no vendor suggested for %q", vendor.Name[:3])
	}
	for _, s := range got {
		var o models.Organization
		app.DB.First(&o, s.ID)
		if o.Type != models.VendorType {
			t.Errorf("vendors=1 suggested %q, a %s", o.Name, o.Type)
		}
	}
	decodeJSON(t, rep.get("/organizations/suggest?vendors=1&q=zeph"), &got)
	if len(got) != 0 {
		t.Errorf("vendors=1 suggested customers: %+v", got)
	}
}

// An organization's contacts, for the contact select when the organization changes.
func TestOrganizationContactsJSON(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	var org models.Organization
	app.DB.Where("name = ?", "Northwind Traders").First(&org)
	contacts, _, _ := models.ContactsOf(app.DB, org.ID, models.NewPage(1))
	if len(contacts) == 0 {
		t.Fatal("the demo organization has no contacts")
	}
	var got []struct {
		ID   uint
		Name string
	}
	decodeJSON(t, rep.get("/organizations/"+idString(org.ID)+"/contacts"), &got)
	if len(got) != len(contacts) || got[0].ID != contacts[0].ID || got[0].Name != contacts[0].FullName() {
		t.Errorf("got %+v, want the %d contacts of %s", got, len(contacts), org.Name)
	}
	wantStatus(t, "unknown organization", rep.get("/organizations/99999999/contacts"), http.StatusNotFound)
}

// Below the threshold the organization is still chosen in a select.
func TestOpportunityFormOrganizationSelectWhenSmall(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	doc := rep.get("/opportunities/new").doc(t)
	sel := doc.Find(`select#organization_id[name="organization_id"]`)
	if sel.Length() != 1 || sel.Find("option").Length() < 3 {
		t.Fatalf("no select of the organizations")
	}
	if doc.Find(`input[name="organization_name"]`).Length() != 0 {
		t.Errorf("a typed organization name besides the select")
	}
	form, _, _ := newOppForm(t, app, rep)
	wantStatus(t, "POST", rep.post("/opportunities", form), http.StatusSeeOther)
}

// Past 200 campaigns the lead and opportunity forms type the campaign's name,
// an optional field: empty is no campaign.
func TestCampaignPickerTyped(t *testing.T) {
	app := newTestApp(t)
	var owner models.User
	app.DB.Where("email = ?", "manager@example.com").First(&owner)
	day := func(s string) *time.Time { d, _ := time.Parse("2006-01-02", s); return &d }
	cs := make([]models.Campaign, 0, 253)
	for i := 1; i <= 250; i++ {
		cs = append(cs, models.Campaign{Name: fmt.Sprintf("Bulk Campaign %03d", i), Type: "email", OwnerID: owner.ID, StartDate: day("2026-01-05")})
	}
	cs = append(cs,
		models.Campaign{Name: "Spring Expo", Type: "trade_show", OwnerID: owner.ID, StartDate: day("2025-04-01")},
		models.Campaign{Name: "Spring Expo", Type: "trade_show", OwnerID: owner.ID, StartDate: day("2026-04-01")},
		models.Campaign{Name: "Autumn Webinar <live>", Type: "webinar", OwnerID: owner.ID, StartDate: day("2026-10-01")})
	if err := app.DB.CreateInBatches(&cs, 100).Error; err != nil {
		t.Fatal(err)
	}
	autumn := cs[252]
	rep := app.client(t).login("rep@example.com")
	for _, page := range []string{"/leads/new", "/opportunities/new"} {
		doc := rep.get(page).doc(t)
		in := doc.Find(`input#campaign_id[name="campaign_name"]`)
		if doc.Find(`select[name="campaign_id"]`).Length() != 0 || in.AttrOr("data-suggest", "") != "/campaigns/suggest" {
			t.Errorf("%s: no typed campaign with suggestions instead of the select", page)
		}
	}
	n := 0
	lead := func(campaign string) response {
		n++
		return rep.fill("/leads/new", "form.form", url.Values{"person_name": {"Picker Lead"}, "email": {fmt.Sprintf("picker%d@example.com", n)}, "campaign_name": {campaign}})
	}
	r := lead("AUTUMN")
	wantStatus(t, "POST a lead with a typed campaign", r, http.StatusSeeOther)
	var l models.Lead
	app.DB.Order("id DESC").First(&l)
	if l.CampaignID == nil || *l.CampaignID != autumn.ID {
		t.Errorf("the lead's campaign is %v, want %d", l.CampaignID, autumn.ID)
	}
	wantStatus(t, "POST a lead with no campaign", lead(""), http.StatusSeeOther)
	l = models.Lead{}
	app.DB.Order("id DESC").First(&l)
	if l.CampaignID != nil {
		t.Errorf("the lead has campaign %d, want none", *l.CampaignID)
	}
	r = lead("spring expo")
	wantStatus(t, "POST a lead with an ambiguous campaign", r, http.StatusUnprocessableEntity)
	var labels []string
	r.doc(t).Find(".matches label").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if strings.Join(labels, ", ") != "Spring Expo (2026-04-01), Spring Expo (2025-04-01)" {
		t.Errorf("matches %q", labels)
	}
	r = lead("No Such Show")
	wantStatus(t, "POST a lead with an unknown campaign", r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find("#campaign_id-error").Text(); !strings.Contains(msg, "No campaign called “No Such Show”") {
		t.Errorf("error %q", msg)
	}
	// The lead import's campaign too.
	r = rep.upload("list.csv", []byte("Name,Email\nImported Ida,ida@example.com\n"), nil)
	wantStatus(t, "upload", r, http.StatusSeeOther)
	doc := rep.get(r.Location).doc(t)
	if doc.Find(`input#campaign_id[name="campaign_name"]`).Length() != 1 {
		t.Fatalf("the import has no typed campaign")
	}
	form, action := formValues(t, doc, `form[action^="/leads/import/"]`)
	form.Set("action", "import")
	form.Set("campaign_name", "spring")
	r = rep.post(action, form)
	wantStatus(t, "import into an ambiguous campaign", r, http.StatusUnprocessableEntity)
	if n := r.doc(t).Find(`.matches input[name="campaign_id"]`).Length(); n != 2 {
		t.Errorf("%d matches offered", n)
	}
	form.Set("campaign_name", "autumn webinar")
	r = rep.post(action, form)
	wantStatus(t, "import into a typed campaign", r, http.StatusSeeOther)
	var ida models.Lead
	if err := app.DB.Where("email = ?", "ida@example.com").First(&ida).Error; err != nil || ida.CampaignID == nil || *ida.CampaignID != autumn.ID {
		t.Errorf("imported %+v (%v), want campaign %d", ida, err, autumn.ID)
	}

	// The lead list and the funnel report filter by a typed campaign.
	r = rep.get("/leads?campaign_name=autumn+web")
	wantStatus(t, "leads of a typed campaign", r, http.StatusOK)
	doc = r.doc(t)
	// The campaign's leads: the first lead typed above and Ida.
	if n := doc.Find("main table tbody tr").Length(); fieldValue(doc, "campaign") != "Autumn Webinar <live>" || n != 2 ||
		!strings.Contains(doc.Find("main table").Text(), "Imported Ida") {
		t.Errorf("the lead list is not filtered by the typed campaign: field %q, %d rows", fieldValue(doc, "campaign"), n)
	}
	if href := doc.Find(`a[href^="/leads/export.csv"]`).AttrOr("href", ""); !strings.Contains(href, "campaign="+idString(autumn.ID)) || strings.Contains(href, "campaign_name") {
		t.Errorf("the export link %q does not carry the campaign's id", href)
	}
	r = rep.get("/leads?campaign_name=spring")
	if n := r.doc(t).Find(`.matches input[name="campaign"]`).Length(); n != 2 {
		t.Errorf("the lead filter offers %d matches for an ambiguous campaign", n)
	}
	mgr := app.client(t).login("manager@example.com")
	r = mgr.get("/reports/funnel?campaign_name=" + url.QueryEscape("Autumn Webinar <live>"))
	wantStatus(t, "the funnel of a typed campaign", r, http.StatusOK)
	if fieldValue(r.doc(t), "campaign") != "Autumn Webinar <live>" {
		t.Errorf("the report's campaign field shows %q", fieldValue(r.doc(t), "campaign"))
	}

	var got []struct{ ID uint }
	decodeJSON(t, rep.get("/campaigns/suggest?q=autumn"), &got)
	if len(got) != 1 || got[0].ID != autumn.ID {
		t.Errorf("suggested %+v", got)
	}
	if r := rep.get("/campaigns/suggest?q=autumn"); !strings.Contains(r.Body, `\u003clive\u003e`) {
		t.Errorf("the name is not escaped: %s", r.Body)
	}
}

// Past 200 vendors the product form types the vendor's name; customers are
// not vendors.
func TestVendorPickerTyped(t *testing.T) {
	app := newTestApp(t)
	vs := make([]models.Organization, 0, 201)
	for i := 1; i <= 200; i++ {
		vs = append(vs, models.Organization{Name: fmt.Sprintf("Bulk Vendor %03d", i), Type: models.VendorType})
	}
	vs = append(vs, models.Organization{Name: "Kestrel Components", Type: models.VendorType, City: "Ghent"})
	if err := app.DB.CreateInBatches(&vs, 100).Error; err != nil {
		t.Fatal(err)
	}
	kestrel := vs[200]
	admin := app.client(t).login("admin@example.com")
	doc := admin.get("/products/new").doc(t)
	if doc.Find(`select[name="vendor_id"]`).Length() != 0 || doc.Find(`input#vendor_id[name="vendor_name"]`).AttrOr("data-suggest", "") != "/organizations/suggest?vendors=1" {
		t.Fatalf("no typed vendor with suggestions instead of the select")
	}
	form := prForm("PICK-1", "Picked vendor product")
	form.Del("vendor_id")
	form.Set("vendor_name", "kestrel")
	wantStatus(t, "POST a product with a typed vendor", admin.submit("/products/new", "/products", form), http.StatusSeeOther)
	if p := prBySKU(t, app, "PICK-1"); p.VendorID == nil || *p.VendorID != kestrel.ID {
		t.Errorf("the product's vendor is %v, want %d", p.VendorID, kestrel.ID)
	}
	form = prForm("PICK-2", "Customer as vendor")
	form.Set("vendor_name", "Northwind Traders")
	r := admin.submit("/products/new", "/products", form)
	wantStatus(t, "POST a product with a customer as vendor", r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find("#vendor_id-error").Text(); !strings.Contains(msg, "No vendor called “Northwind Traders”") {
		t.Errorf("error %q", msg)
	}
	if fieldValue(r.doc(t), "name") != "Customer as vendor" {
		t.Errorf("input not kept")
	}
}

// Past 200 open opportunities, a quote begun from the Quotes page picks the
// organization first, then one of its open opportunities (a rep's own only).
func TestQuoteChooseOpportunityByOrganization(t *testing.T) {
	app := newTestApp(t)
	rep, rep2 := userByEmail(t, app, "rep@example.com"), userByEmail(t, app, "rep2@example.com")
	var st models.Stage
	app.DB.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).Order("position, id").First(&st)
	orgs := []models.Organization{{Name: "Quote Picker Org", Type: "customer"}, {Name: "Quote Filler Org", Type: "customer"}, {Name: "Quiet Org", Type: "customer"}}
	if err := app.DB.Create(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	add := func(org models.Organization, owner models.User, title string) models.Opportunity {
		o := models.Opportunity{Title: title, OrganizationID: org.ID, OwnerID: owner.ID, StageID: st.ID, Status: models.StatusActive,
			ProjectedCloseDate: time.Now().AddDate(0, 2, 0)}
		if err := models.CreateOpportunity(app.DB, &o, &owner, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		return o
	}
	for i := 0; i < 120; i++ {
		add(orgs[0], rep, fmt.Sprintf("Picker deal %03d", 120-i))
	}
	for i := 0; i < 90; i++ {
		add(orgs[1], rep, fmt.Sprintf("Filler deal %03d", i))
	}
	other := add(orgs[0], rep2, "Someone else's deal")
	c := app.client(t).login("rep@example.com")

	doc := c.get("/quotes/new").doc(t)
	if doc.Find(`[name="opportunity_id"]`).Length() != 0 || doc.Find(`#organization_id`).Length() != 1 {
		t.Fatalf("past 200 open opportunities the page does not ask for the organization first")
	}
	r := c.get("/quotes/new?organization_id=" + idString(orgs[0].ID))
	wantStatus(t, "the organization chosen", r, http.StatusOK)
	var titles []string
	r.doc(t).Find(`select[name="opportunity_id"] option`).Each(func(_ int, s *goquery.Selection) { titles = append(titles, s.Text()) })
	if len(titles) != 121 || titles[1] != "Picker deal 001 — Quote Picker Org" || titles[120] != "Picker deal 120 — Quote Picker Org" {
		t.Errorf("%d options: %q … %q", len(titles), titles[:min(2, len(titles))], titles[len(titles)-1])
	}
	if strings.Contains(r.Body, other.Title) {
		t.Errorf("a rep is offered another rep's opportunity")
	}
	r = c.get("/quotes/new?organization_name=" + url.QueryEscape("quote picker"))
	wantStatus(t, "the organization typed", r, http.StatusOK)
	if n := r.doc(t).Find(`select[name="opportunity_id"] option`).Length(); n != 121 {
		t.Errorf("%d options after typing the name", n)
	}
	r = c.get("/quotes/new?organization_name=Nowhere+Ltd")
	wantStatus(t, "an unknown organization", r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find("#organization_id-error").Text(); !strings.Contains(msg, "No organization called “Nowhere Ltd”") {
		t.Errorf("error %q", msg)
	}
	r = c.get("/quotes/new?organization_id=" + idString(orgs[2].ID))
	wantStatus(t, "an organization without open opportunities", r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find("#organization_id-error").Text(); !strings.Contains(msg, "no open opportunities of yours") {
		t.Errorf("error %q", msg)
	}
}
