package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A board card escapes every value as templ does, and only a movable card has
// the move form, its select labelled and its CSRF token in place.
func TestBoardCardsEscapeAndLabel(t *testing.T) {
	evil := `<script>alert(1)</script>"'&`
	cards := []BoardCard{{ID: 7, Version: 3, Title: evil, OrgName: evil, Amount: "$1.00", Close: "1 Jan 2027", Owner: evil, CanMove: true, Overdue: true},
		{ID: 8, Version: 1, Title: "Fixed", OrgName: "Org", Amount: "$2.00", Close: "2 Jan 2027", Owner: "Rep"}}
	moveTo := optionsHTML([]Option{{Value: "1", Label: evil, Selected: true}, {Value: "2", Label: "Won"}})
	var b bytes.Buffer
	if err := boardCards(cards, csrfInput(`tok"en`), boardBack(`/opportunities/board?q="x"`), moveTo).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, `tok"en`) || strings.Contains(out, `q="x"`) {
		t.Fatalf("unescaped value in %s", out)
	}
	for _, want := range []string{`id="card-7" data-id="7" data-version="3" draggable="true"`, `action="/opportunities/7/stage"`,
		`value="tok&#34;en"`, `<input type="hidden" name="version" value="3">`, `name="back" value="/opportunities/board?q=&#34;x&#34;"`,
		`<label for="move-7" class="visually-hidden">Move &lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp; to</label> <select id="move-7" name="stage_id">`,
		`<option value="1" selected>&lt;script&gt;`, `<span class="overdue">1 Jan 2027</span>`,
		`id="card-8" data-id="8" data-version="1" draggable="false"`, `<span class="">2 Jan 2027</span>`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
	if strings.Contains(out, "/opportunities/8/stage") {
		t.Error("a card the user may not move has a move form")
	}
}

// The opportunity table's rows escape every value as templ does, with the
// checkbox and organization columns only when the table has them.
func TestOppTableRowsEscape(t *testing.T) {
	evil := `<script>alert(1)</script>"'&`
	rows := []OppRow{{ID: 5, Title: evil, OrgID: 9, OrgName: evil, Owner: evil, Stage: evil, Status: "Lost", StatusKey: "lost",
		Probability: "0%", Close: "1 Jan 2027", Overdue: true, Amount: "$1.00", Weighted: "$0.00"},
		{ID: 6, Title: "Plain", OrgID: 9, OrgName: "Org", Owner: "Rep", Stage: "Proposal", Status: "Active", StatusKey: "active", Close: "2 Jan 2027"}}
	var b bytes.Buffer
	if err := oppTableRows(OppTable{Rows: rows, ShowOrg: true, SelectForm: "reassign"}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") {
		t.Fatalf("unescaped value in %s", out)
	}
	for _, want := range []string{`<input type="checkbox" name="ids" value="5" form="reassign" id="sel-5" aria-label="Select &lt;script&gt;`,
		`<a href="/opportunities/5">&lt;script&gt;`, `<a href="/organizations/9">`, `<span class="status status-lost">Lost</span>`,
		`class="overdue">1 Jan 2027 <span class="visually-hidden">(overdue)</span>`, `class="">2 Jan 2027 </td>`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
	if strings.Contains(out, "status-active") {
		t.Error("an active opportunity shows its status")
	}
	b.Reset()
	if err := oppTableRows(OppTable{Rows: rows}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "checkbox") || strings.Contains(out, "/organizations/") {
		t.Errorf("a table without selection or organization column shows them: %s", out)
	}
}
