package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"salesdesk/models"
)

// TestNewOrganizationFromTheOpportunityForm: a rep opening an opportunity for
// an organization not in Salesdesk yet follows the form's link, creates the
// organization, and comes back to the new opportunity form with it chosen.
// Made from the organization list, an organization still opens its own page.
func TestNewOrganizationFromTheOpportunityForm(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	link := c.get("/opportunities/new").doc(t).Find(`form a[href="/organizations/new?for=opportunity"]`)
	if link.Length() != 1 {
		t.Fatalf("the new opportunity form has no link to create an organization")
	}
	r := c.fill("/organizations/new?for=opportunity", `form[action="/organizations"]`, url.Values{"name": {"Brand New Dental"}})
	wantStatus(t, "create the organization", r, http.StatusSeeOther)
	var org models.Organization
	if err := app.DB.Where("name = ?", "Brand New Dental").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	if want := "/opportunities/new?organization_id=" + idString(org.ID); r.Location != want {
		t.Fatalf("after creating it: to %q, want %q", r.Location, want)
	}
	doc := c.get(r.Location).doc(t)
	chosen := doc.Find(`#organization_id option[selected]`).Text() + doc.Find(`input#organization_id`).AttrOr("value", "")
	if !strings.Contains(chosen, "Brand New Dental") && doc.Find(`input[name="organization_id"][value="`+idString(org.ID)+`"]`).Length() == 0 {
		t.Errorf("the opportunity form does not have the new organization chosen (%q)", chosen)
	}
	r = c.fill("/organizations/new", `form[action="/organizations"]`, url.Values{"name": {"Plain Org"}})
	wantStatus(t, "create another", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/organizations/") {
		t.Errorf("made from the list, the organization sends to %q", r.Location)
	}
}
