package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/models"
)

// TestBrowserLeadBulkActionsShowOnceSelected: on the lead list the bulk
// actions are hidden until a lead is selected (on a phone they pushed the
// results below the first screen), show when one is checked, hide again when
// none is, and assign the selected lead.
func TestBrowserLeadBulkActionsShowOnceSelected(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	b.signIn("manager@example.com")
	b.navigate("/leads?status=new")
	hidden := `document.querySelector('[data-bulk-for=bulk]').hidden`
	if got := b.evalString(`String(` + hidden + `)`); got != "true" {
		t.Fatalf("the bulk actions show with nothing selected (hidden = %s)", got)
	}
	first := `document.querySelector('input[type=checkbox][form=bulk]')`
	id := b.evalString(first + `.value`)
	b.do("select the first lead", chromedp.Click(chromedp.CSS(`input[type=checkbox][form=bulk]`)))
	b.poll("the bulk actions", `!`+hidden)
	b.do("unselect it", chromedp.Click(chromedp.CSS(`input[type=checkbox][form=bulk]`)))
	b.poll("the bulk actions hidden again", hidden)
	b.do("select it again", chromedp.Click(chromedp.CSS(`input[type=checkbox][form=bulk]`)))
	b.poll("the bulk actions", `!`+hidden)
	var l models.Lead
	if err := app.DB.First(&l, id).Error; err != nil {
		t.Fatal(err)
	}
	to := userByEmail(t, app, "rep2@example.com")
	if l.OwnerID == to.ID {
		to = userByEmail(t, app, "rep@example.com")
	}
	b.do("choose the new owner", chromedp.SetValue(chromedp.CSS(`#bulk-owner`), idString(to.ID)))
	b.click("assign", buttonNamed("Assign"))
	b.wantFlash("")
	if err := app.DB.First(&l, id).Error; err != nil {
		t.Fatal(err)
	}
	if l.OwnerID != to.ID {
		t.Errorf("lead %s has owner %d after the bulk assign, want %d", id, l.OwnerID, to.ID)
	}
}
