package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBoardLostAndHistory drives the pipeline board and the outcome of
// an opportunity in real headless Chromium: a manager moves one card with its
// "Move to" control and another by drag and drop, marks the first one lost,
// and reads the History tab.
func TestBrowserBoardLostAndHistory(t *testing.T) {
	bctx := newBrowser(t, 90*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	// A desktop window wide enough for three board columns side by side, so
	// that a card and the column it is dropped on are on screen together.
	b.do("size the window", chromedp.EmulateViewport(1400, 1000))

	// Sign in.
	b.signIn("manager@example.com")
	b.wantPath("/")

	// Move a card of the first column to the next stage with its own form.
	b.navigate("/opportunities/board")
	cols := b.boardColumns()
	if len(cols) < 2 {
		t.Fatalf("the board has %d columns, want at least 2: %+v", len(cols), cols)
	}
	if len(cols[0].Cards) == 0 {
		t.Fatalf("the first column (%s) has no card to move", cols[0].Name)
	}
	from, to := cols[0], cols[1]
	card := from.Cards[0]
	b.do("choose the next stage in the card's “Move to” control",
		chromedp.SetValue(fieldLabelled("Move "+card.Title+" to"), to.Stage))
	b.click("move the card", chromedp.Search(fmt.Sprintf(`//li[@id=%q]//button[normalize-space()="Move"]`, "card-"+card.ID)))
	b.wantPath("/opportunities/board")
	if flash := b.wantFlash("Moved"); !strings.Contains(flash, card.Title) || !strings.Contains(flash, to.Name) {
		t.Fatalf("flash = %q, want it to say “%s” moved to %s", flash, card.Title, to.Name)
	}
	if got := b.cardStage(card.ID); got != to.Stage {
		t.Fatalf("after the move card-%s is in the column of stage %q, want %q (%s)", card.ID, got, to.Stage, to.Name)
	}
	var n int64
	if err := app.DB.Table("opportunity_history").
		Where("opportunity_id = ? AND field = ? AND old_value = ? AND new_value = ?", card.ID, "stage", from.Name, to.Name).
		Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("opportunity_history has %d rows for the move of %s from %s to %s, want 1", n, card.ID, from.Name, to.Name)
	}

	// Drag another card onto a column further right. DragAndDrop presses the
	// mouse on the card and moves it; Chromium starts a native HTML5 drag,
	// which chromedp intercepts and finishes with real dragenter, dragover and
	// drop events, so app.js's handlers fill in and submit the card's form.
	cols = b.boardColumns()
	var dragged boardCard
	for _, c := range cols[0].Cards {
		if c.ID != card.ID {
			dragged = c
			break
		}
	}
	if dragged.ID == "" {
		t.Fatalf("the first column (%s) has no second card to drag", cols[0].Name)
	}
	target := cols[len(cols)-1]
	if len(cols) > 2 {
		target = cols[2]
	}
	if b.draggable(dragged.ID) {
		b.dragCard(dragged, target)
		var stageID string
		if err := app.DB.Table("opportunities").Where("id = ?", dragged.ID).Select("CAST(stage_id AS TEXT)").Scan(&stageID).Error; err != nil {
			t.Fatal(err)
		}
		if stageID != target.Stage {
			t.Fatalf("in the database opportunity %s has stage_id %s after the drop, want %s", dragged.ID, stageID, target.Stage)
		}
	} else {
		// Without a draggable card the browser starts no drag, and app.js
		// (which looks for .opp-card[draggable=true]) listens on no card:
		// dragging does nothing. Say so and go on with the rest of the test.
		t.Errorf("board drag and drop is broken: card-%s is not draggable (its element's draggable is false; the page has %s); want draggable=\"true\" on the cards a user may move",
			dragged.ID, b.cardDraggableAttr(dragged.ID))
	}

	// Mark the first card's opportunity as lost from its page.
	oppPath := "/opportunities/" + card.ID
	b.navigate(oppPath)
	b.click("open the loss form", linkNamed("Mark as lost"))
	b.wantPath(oppPath + "/lost")
	reason := b.firstOption("reason_id")
	competitor := b.firstOption("competitor_id")
	b.do("choose a loss reason and a competitor",
		chromedp.SetValue(fieldLabelled("Loss reason"), reason),
		chromedp.SetValue(fieldLabelled("Lost to competitor"), competitor))
	reasonName := b.selectedLabel("reason_id")
	competitorName := b.selectedLabel("competitor_id")
	b.click("mark as lost", buttonNamed("Mark as lost"))
	b.wantPath(oppPath)
	if flash := b.wantFlash("as lost"); !strings.Contains(flash, card.Title) {
		t.Fatalf("flash = %q, want it to name “%s”", flash, card.Title)
	}
	if status := b.text("the status badge", chromedp.CSS(".record-sub .status")); status != "Lost" {
		t.Fatalf("status badge = %q, want Lost", status)
	}
	if outcome := b.text("the outcome", chromedp.CSS("dl.outcome")); !strings.Contains(outcome, reasonName) || !strings.Contains(outcome, competitorName) {
		t.Fatalf("the outcome says %q, want the loss reason %q and the competitor %q", outcome, reasonName, competitorName)
	}
	var status string
	if err := app.DB.Table("opportunities").Where("id = ?", card.ID).Select("status").Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	if status != "lost" {
		t.Fatalf("in the database opportunity %s has status %q, want lost", card.ID, status)
	}

	// The History tab lists the move, the loss, and the time in each stage.
	b.click("open the History tab", linkNamed("History"))
	if loc := b.location(); !strings.HasPrefix(loc, oppPath+"?tab=history") {
		t.Fatalf("after clicking History: at %s, want %s?tab=history", loc, oppPath)
	}
	changes := b.historyChanges()
	for _, want := range []historyChange{
		{Field: "Stage", Old: from.Name, New: to.Name},
		{Field: "Stage", Old: to.Name, New: "Closed lost"},
		{Field: "Status", Old: "Active", New: "Lost"},
		{Field: "Loss reason", Old: "—", New: reasonName},
		{Field: "Competitor", New: competitorName},
	} {
		if !hasChange(changes, want) {
			t.Errorf("the history has no change %+v; it lists %+v", want, changes)
		}
	}
	current := b.text("the current stage", chromedp.CSS(`#history tr.current td[data-label="Stage"]`))
	if !strings.HasPrefix(current, "Closed lost") || !strings.Contains(current, "current") {
		t.Fatalf("the current row of “Time in each stage” says %q, want Closed lost (current)", current)
	}
}

// draggable reports whether the browser lets the user drag the card and
// app.js handles its drag (it listens on .opp-card[draggable=true]).
func (b *browser) draggable(id string) bool {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`(c => c.draggable && c.matches(".opp-card[draggable=true]"))(document.getElementById(%q))`, "card-"+id)))
	if err != nil {
		b.fail("read the draggable state of card-"+id, err)
	}
	return ok
}

// cardDraggableAttr is the card's draggable attribute as the page has it.
func (b *browser) cardDraggableAttr(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(c => c.hasAttribute("draggable") ? "draggable=" + JSON.stringify(c.getAttribute("draggable")) : "no draggable attribute")(document.getElementById(%q))`, "card-"+id)))
	if err != nil {
		b.fail("read the draggable attribute of card-"+id, err)
	}
	return s
}

// dragCard drags the card onto the header of the column col with the mouse
// and checks that the drop moved it: the card's form is submitted, the board
// comes back with the flash and the card in that column.
func (b *browser) dragCard(card boardCard, col boardColumn) {
	b.t.Helper()
	// A drop that does not submit leaves no page load to wait for: bound the
	// wait well within the test's own limit, so the failure says what went wrong.
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.DragAndDrop(
		chromedp.CSS(fmt.Sprintf("#card-%s .card-org", card.ID)),
		chromedp.CSS(fmt.Sprintf(`section.column[data-stage="%s"] header`, col.Stage))))
	if err != nil {
		b.fail(fmt.Sprintf("drag card-%s onto the column %s (no page load after the drop?)", card.ID, col.Name), err)
	}
	if res != nil && res.Status >= 400 {
		b.fail("drag and drop", fmt.Errorf("status %d", res.Status))
	}
	b.wantPath("/opportunities/board")
	if flash := b.wantFlash("Moved"); !strings.Contains(flash, card.Title) || !strings.Contains(flash, col.Name) {
		b.t.Fatalf("after the drop flash = %q, want it to say “%s” moved to %s", flash, card.Title, col.Name)
	}
	if got := b.cardStage(card.ID); got != col.Stage {
		b.t.Fatalf("after the drop card-%s is in the column of stage %q, want %q (%s)", card.ID, got, col.Stage, col.Name)
	}
}

// boardCard and boardColumn are what the board shows, read from the page.
type boardCard struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type boardColumn struct {
	Stage string      `json:"stage"`
	Name  string      `json:"name"`
	Cards []boardCard `json:"cards"`
}

// boardColumns reads the columns of the board, left to right.
func (b *browser) boardColumns() []boardColumn {
	b.t.Helper()
	cols, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]boardColumn](`[...document.querySelectorAll("section.column")].map(col => ({
		stage: col.dataset.stage,
		name: col.querySelector("h2").firstChild.textContent.trim(),
		cards: [...col.querySelectorAll("li.opp-card")].map(c => ({id: c.dataset.id, title: c.querySelector(".card-title").textContent.trim()})),
	}))`))
	if err != nil {
		b.fail("read the board", err)
	}
	return cols
}

// cardStage is the stage of the column that holds the card, or "" when the
// board does not show it.
func (b *browser) cardStage(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`((document.getElementById(%q) || {closest: () => null}).closest("section.column") || {dataset: {stage: ""}}).dataset.stage`, "card-"+id)))
	if err != nil {
		b.fail("find card-"+id, err)
	}
	return s
}

// selectedLabel is the text of the selected option of the select.
func (b *browser) selectedLabel(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(s => s.options[s.selectedIndex].textContent.trim())(document.getElementById(%q))`, id)))
	if err != nil {
		b.fail("read the choice of #"+id, err)
	}
	return s
}

// historyChange is one row of the "All changes" table; an empty Old matches any.
type historyChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func (b *browser) historyChanges() []historyChange {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]historyChange](`[...document.querySelectorAll("#history table.changes tbody tr")].map(tr => ({
		field: tr.querySelector('td[data-label="Field"]').textContent.trim(),
		old: tr.querySelector('td[data-label="Old"]').textContent.trim(),
		new: tr.querySelector('td[data-label="New"]').textContent.trim(),
	}))`))
	if err != nil {
		b.fail("read the history", err)
	}
	return rows
}

func hasChange(changes []historyChange, want historyChange) bool {
	for _, c := range changes {
		if c.Field == want.Field && c.New == want.New && (want.Old == "" || c.Old == want.Old) {
			return true
		}
	}
	return false
}
