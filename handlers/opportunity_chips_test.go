package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A report's drill-down link narrows the list with filters that have no field
// of their own; the list shows each as a chip whose × removes just that one,
// and the filter form keeps them while other filters change.
func TestOpportunityListShowsDrillDownChips(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	var campaign struct {
		ID   uint
		Name string
	}
	app.DB.Raw("SELECT id, name FROM campaigns ORDER BY id LIMIT 1").Scan(&campaign)
	if campaign.ID == 0 {
		t.Fatal("the demo data has no campaign")
	}
	chips := func(r response) map[string]string {
		t.Helper()
		wantStatus(t, "list", r, http.StatusOK)
		out := map[string]string{}
		r.doc(t).Find("ul.chips li.chip").Each(func(_ int, s *goquery.Selection) {
			a := s.Find("a")
			if !strings.HasPrefix(a.AttrOr("aria-label", ""), "Remove the filter ") {
				t.Errorf("chip %q: its link has no accessible name", s.Text())
			}
			out[strings.TrimSpace(s.Find("span").Text())] = a.AttrOr("href", "")
		})
		return out
	}
	count := func(r response) string { return strings.TrimSpace(r.doc(t).Find("p.summary").Text()) }

	plain := c.get("/opportunities?owner=all&status=all")
	if got := chips(plain); len(got) != 0 {
		t.Fatalf("chips without a drill-down: %v", got)
	}
	path := "/opportunities?owner=all&status=all&quoted=1&lead=none&campaign=" + idString(campaign.ID) + "&created_from=2020-01-01&created_to=2099-12-31"
	r := c.get(path)
	got := chips(r)
	want := []string{"Quoted", "Entered without a lead", "Campaign: " + campaign.Name, "Created from 1 Jan 2020", "Created to 31 Dec 2099"}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("no chip %q among %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("chips %v, want %v", got, want)
	}
	// The form keeps them as hidden fields, so filtering by stage does not drop them.
	for _, name := range []string{"quoted", "lead", "campaign", "created_from", "created_to"} {
		if r.doc(t).Find(`form.filters input[type="hidden"][name="`+name+`"]`).Length() != 1 {
			t.Errorf("the filter form does not keep %s", name)
		}
	}
	// × removes that filter only.
	rm, err := url.Parse(got["Quoted"])
	if err != nil || rm.Path != "/opportunities" || rm.Query().Has("quoted") || rm.Query().Get("lead") != "none" || rm.Query().Get("campaign") != idString(campaign.ID) {
		t.Fatalf("the Quoted chip removes to %q", got["Quoted"])
	}
	after := chips(c.get(got["Quoted"]))
	if _, ok := after["Quoted"]; ok || len(after) != len(want)-1 {
		t.Fatalf("after removing Quoted: %v", after)
	}
	// The chip explains a shorter list: quoted=1 alone lists fewer than everything.
	if q := c.get("/opportunities?owner=all&status=all&quoted=1"); count(q) == count(plain) {
		t.Errorf("quoted=1 lists %s, as many as without it", count(q))
	} else if _, ok := chips(q)["Quoted"]; !ok {
		t.Errorf("quoted=1 alone shows no chip")
	}
	// The board shows them too; an unknown campaign says so; markup in a name is text.
	if b := chips(c.get("/opportunities/board?lead=none")); len(b) != 1 {
		t.Errorf("board chips %v, want the lead one", b)
	}
	if u := chips(c.get("/opportunities?campaign=987654")); len(u) != 1 || u["Campaign: #987654 (not found)"] == "" {
		t.Errorf("unknown campaign chips %v", u)
	}
	app.DB.Exec("UPDATE campaigns SET name = ? WHERE id = ?", "<script>alert(1)</script>", campaign.ID)
	x := c.get("/opportunities?campaign=" + idString(campaign.ID))
	if strings.Contains(x.Body, "<script>alert(1)</script>") {
		t.Errorf("the campaign chip renders markup")
	}
}

// The lead list shows the report's filters that have no field there (solid,
// created from/to) as chips too, keeps them through its filter form, and a
// chip's × lists more.
func TestLeadListShowsDrillDownChips(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("manager@example.com")
	count := func(r response) string { return strings.TrimSpace(r.doc(t).Find("p.summary").Text()) }
	if n := c.get("/leads").doc(t).Find("ul.chips li.chip").Length(); n != 0 {
		t.Fatalf("%d chips without a drill-down", n)
	}
	r := c.get("/leads?solid=1&created_from=2020-01-01&created_to=2099-12-31&owner=")
	wantStatus(t, "leads", r, http.StatusOK)
	got := map[string]string{}
	r.doc(t).Find("ul.chips li.chip").Each(func(_ int, s *goquery.Selection) {
		got[strings.TrimSpace(s.Find("span").Text())] = s.Find("a").AttrOr("href", "")
	})
	want := []string{"Qualified or converted", "Created from 1 Jan 2020", "Created to 31 Dec 2099"}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("no chip %q among %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("chips %v, want %v", got, want)
	}
	for _, name := range []string{"solid", "created_from", "created_to"} {
		if r.doc(t).Find(`form.filters input[type="hidden"][name="`+name+`"]`).Length() != 1 {
			t.Errorf("the lead filter form does not keep %s", name)
		}
	}
	rm, err := url.Parse(got["Qualified or converted"])
	if err != nil || rm.Path != "/leads" || rm.Query().Has("solid") || rm.Query().Get("created_from") != "2020-01-01" {
		t.Fatalf("the solid chip removes to %q", got["Qualified or converted"])
	}
	if all := c.get(got["Qualified or converted"]); count(all) == count(r) {
		t.Errorf("without solid=1 the list still holds %s", count(all))
	}
}
