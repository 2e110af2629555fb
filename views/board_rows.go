package views

import (
	"context"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// boardCards are the cards of a board column, written in Go as rows.go
// explains: the board repeats a card up to thirty times per column. csrf and
// back are the hidden fields every move form shares (csrfInput, boardBack),
// moveTo the column's options (optionsHTML), all made once per page or column.
func boardCards(cards []BoardCard, csrf, back, moveTo string) templ.Component {
	return component(func(h *htmlWriter) {
		for i := range cards {
			cd := &cards[i]
			h.raw(`<li class="opp-card" id="card-`)
			h.id(cd.ID)
			h.raw(`" data-id="`)
			h.id(cd.ID)
			h.raw(`" data-version="`)
			h.num(cd.Version)
			if cd.CanMove {
				h.raw(`" draggable="true"><a href="/opportunities/`)
			} else {
				h.raw(`" draggable="false"><a href="/opportunities/`)
			}
			h.id(cd.ID)
			h.raw(`" class="card-title">`)
			h.text(cd.Title)
			h.raw(`</a><p class="card-org">`)
			h.text(cd.OrgName)
			h.raw(`</p><p class="card-meta"><strong>`)
			h.text(cd.Amount)
			if cd.Overdue {
				h.raw(`</strong> <span class="overdue">`)
			} else {
				h.raw(`</strong> <span class="">`)
			}
			h.text(cd.Close)
			h.raw(`</span></p><p class="card-owner">`)
			h.text(cd.Owner)
			h.raw(`</p>`)
			if cd.CanMove {
				h.raw(`<form method="post" action="/opportunities/`)
				h.id(cd.ID)
				h.raw(`/stage" class="move">`)
				h.raw(csrf)
				h.raw(`<input type="hidden" name="version" value="`)
				h.num(cd.Version)
				h.raw(`"> `)
				h.raw(back)
				h.raw(` <label for="move-`)
				h.id(cd.ID)
				h.raw(`" class="visually-hidden">Move `)
				h.text(cd.Title)
				h.raw(` to</label> <select id="move-`)
				h.id(cd.ID)
				h.raw(`" name="stage_id">`)
				h.raw(moveTo)
				h.raw(`</select> <button type="submit">Move</button></form>`)
			}
			h.raw(`</li>`)
		}
	})
}

// num writes an integer.
func (h *htmlWriter) num(n int) { h.b = strconv.AppendInt(h.b, int64(n), 10) }

// boardBack is the move forms' hidden field naming the page to come back to.
func boardBack(path string) string {
	return `<input type="hidden" name="back" value="` + templ.EscapeString(path) + `">`
}

// optionsHTML is the markup of selectOptions, made once for a page that
// repeats the same options (a board column's "Move to" choices).
func optionsHTML(opts []Option) string {
	var b strings.Builder
	// Writing to a strings.Builder does not fail, nor does selectOptions otherwise.
	_ = selectOptions(opts).Render(context.Background(), &b)
	return b.String()
}
