package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"salesdesk/models"
)

// The opportunity form's contact select stays small: the contacts of every
// organization the organization select offers only while they number at most
// 200 (grouped, for a browser without JavaScript); past that, the chosen
// organization's only, at most 200 by name and the current one.
func TestOpportunityContactSelectStaysSmall(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	doc := c.get("/opportunities/new").doc(t)
	if doc.Find(`select#organization_id`).Length() != 1 || doc.Find(`#contact_id optgroup`).Length() < 2 {
		t.Fatal("demo data: the organizations are not a select with their contacts grouped by organization")
	}

	// An organization of 250 contacts, and one more last by name.
	crowded := models.Organization{Name: "Crowded Co", Type: "customer"}
	if err := app.DB.Create(&crowded).Error; err != nil {
		t.Fatal(err)
	}
	cs := make([]models.Contact, 0, 251)
	for i := range 250 {
		cs = append(cs, models.Contact{OrganizationID: crowded.ID, FirstName: "Member", LastName: fmt.Sprintf("Crowd %03d", i)})
	}
	cs = append(cs, models.Contact{OrganizationID: crowded.ID, FirstName: "Zoe", LastName: "Zimmer"})
	if err := app.DB.CreateInBatches(&cs, 100).Error; err != nil {
		t.Fatal(err)
	}
	zoe := cs[250]

	doc = c.get("/opportunities/new").doc(t)
	if n := doc.Find(`#contact_id option`).Length(); n != 1 {
		t.Errorf("a new opportunity offers %d contacts before its organization is chosen, want none", n)
	}
	if hint := doc.Find("#contact_id-hint").Text(); !strings.Contains(hint, "Choose the organization first") {
		t.Errorf("contact hint %q", hint)
	}

	// An opportunity of Crowded Co with its contact past the first 200.
	mgr := userByEmail(t, app, "manager@example.com")
	var st models.Stage
	if err := app.DB.Where("active = ? AND is_won = ? AND is_lost = ?", true, false, false).Order("position, id").First(&st).Error; err != nil {
		t.Fatal(err)
	}
	o := models.Opportunity{Title: "Crowded deal", OrganizationID: crowded.ID, ContactID: &zoe.ID, OwnerID: mgr.ID, StageID: st.ID,
		Status: models.StatusActive, ProjectedCloseDate: time.Now().UTC().AddDate(0, 2, 0)}
	if err := models.CreateOpportunity(app.DB, &o, &mgr, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	edit := "/opportunities/" + idString(o.ID) + "/edit"
	doc = c.get(edit).doc(t)
	opts := doc.Find(`#contact_id option`)
	if opts.Length() != 1+200+1 || doc.Find(`#contact_id optgroup`).Length() != 0 {
		t.Errorf("the edit form offers %d contact options (%d groups), want none, the first 200 and the current one",
			opts.Length(), doc.Find(`#contact_id optgroup`).Length())
	}
	if opts.Eq(1).Text() != "Member Crowd 000" || opts.Eq(200).Text() != "Member Crowd 199" {
		t.Errorf("the contacts offered are not the first 200 by name: %q … %q", opts.Eq(1).Text(), opts.Eq(200).Text())
	}
	if got := fieldValue(doc, "contact_id"); got != idString(zoe.ID) {
		t.Errorf("the current contact is not selected: %q", got)
	}
	if hint := doc.Find("#contact_id-hint").Text(); !strings.Contains(hint, "more than 200 contacts") {
		t.Errorf("contact hint %q", hint)
	}
	r := c.fill(edit, `main form[method="post"]`, url.Values{"next_step": {"Call Zoe"}})
	wantStatus(t, "save unchanged contact", r, http.StatusSeeOther)
	if got := loadOpp(t, app, o.ID); !sameID(got.ContactID, &zoe.ID) || got.NextStep != "Call Zoe" {
		t.Errorf("after saving: contact %v, next step %q", got.ContactID, got.NextStep)
	}

	// Another organization's contact is refused, the input kept.
	var other models.Contact
	if err := app.DB.Where("organization_id <> ?", crowded.ID).First(&other).Error; err != nil {
		t.Fatal(err)
	}
	r = c.fill(edit, `main form[method="post"]`, url.Values{"contact_id": {idString(other.ID)}})
	wantStatus(t, "another organization's contact", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "contact_id", "works for another organization")

	// The script's reload of the select: the first 200 too.
	var got []struct{ ID uint }
	decodeJSON(t, c.get("/organizations/"+idString(crowded.ID)+"/contacts"), &got)
	if len(got) != models.PickSelectMax {
		t.Errorf("the organization's contacts as JSON: %d, want %d", len(got), models.PickSelectMax)
	}

	// A demo opportunity: its organization's contacts only, not grouped.
	demo := openOppOwnedBy(t, app, "rep@example.com")
	want, err := models.ContactChoices(app.DB, []uint{demo.OrganizationID}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	doc = c.get("/opportunities/" + idString(demo.ID) + "/edit").doc(t)
	if n := doc.Find(`#contact_id option`).Length(); n != len(want)+1 || doc.Find(`#contact_id optgroup`).Length() != 0 {
		t.Errorf("a demo opportunity's form offers %d contacts, want its organization's %d", n-1, len(want))
	}
}
