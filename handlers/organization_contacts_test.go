package handlers_test

import (
	"fmt"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// TestOrganizationPageListsContactsAPageAtATime: an organization of
// thousands of contacts once came as one page of them all (5,100: 857 kB);
// the page shows them by name a page at a time, with links to the others,
// and no pager when they fit on one.
func TestOrganizationPageListsContactsAPageAtATime(t *testing.T) {
	app := newTestApp(t)
	org := models.Organization{Name: "Many Contacts Inc", Type: "customer"}
	if err := app.DB.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	n := models.PageSize + 3
	var cs []models.Contact
	for i := range n {
		cs = append(cs, models.Contact{OrganizationID: org.ID, FirstName: "Pat", LastName: fmt.Sprintf("Person %03d", i)})
	}
	if err := app.DB.Create(&cs).Error; err != nil {
		t.Fatal(err)
	}
	c := app.client(t).login("rep@example.com")
	path := "/organizations/" + idString(org.ID)
	names := func(page string) ([]string, string) {
		doc := c.get(path + page).doc(t)
		var out []string
		doc.Find(`section[aria-labelledby="contacts-h"] tbody td[data-label="Name"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		next, _ := doc.Find(`section[aria-labelledby="contacts-h"] nav.pager a[rel="next"]`).Attr("href")
		return out, next
	}
	first, next := names("")
	if len(first) != models.PageSize || first[0] != "Pat Person 000" || next != path+"?page=2" {
		t.Fatalf("page 1: %d contacts from %q, next %q", len(first), first[0], next)
	}
	second, next := names("?page=2")
	if len(second) != 3 || second[2] != fmt.Sprintf("Pat Person %03d", n-1) || next != "" {
		t.Fatalf("page 2: %q, next %q", second, next)
	}
	// A few contacts: no pager.
	var few models.Organization
	if err := app.DB.Where("name = ?", "Northwind Traders").First(&few).Error; err != nil {
		t.Fatal(err)
	}
	if doc := c.get("/organizations/" + idString(few.ID)).doc(t); doc.Find(`section[aria-labelledby="contacts-h"] nav.pager`).Length() != 0 {
		t.Errorf("a pager under a handful of contacts")
	}
}
