package views

import (
	"context"
	"io"
	"strconv"
	"sync"

	"github.com/a-h/templ"
)

// The markup a page repeats many times (a quote's hundred lines and their
// actions, the options of a menu, the links of the navigation) is written here
// in Go rather than in templ. templ spends an fmt.Sprint and an allocation on
// every { expression } and boxes every attribute value: on the quote pages
// that was most of the rendering time. These components write the same HTML
// with neither; the page around them stays in templ.

// htmlWriter builds the markup in a byte slice, written to the page in one
// piece. Every value goes through text or id, which escape as templ does
// (html.EscapeString); raw takes only markup written in this package.
type htmlWriter struct{ b []byte }

// raw writes constant markup of this package.
func (h *htmlWriter) raw(s string) { h.b = append(h.b, s...) }

// text writes s escaped for text or a quoted attribute value: & ' < > " as
// html.EscapeString writes them, and everything else as it is, in runs.
func (h *htmlWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		h.b = append(append(h.b, s[last:i]...), esc...)
		last = i + 1
	}
	h.b = append(h.b, s[last:]...)
}

// id writes a record id.
func (h *htmlWriter) id(n uint) { h.b = strconv.AppendUint(h.b, uint64(n), 10) }

// htmlBuffers keep the slices between pages (a quote's lines are tens of KB).
var htmlBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// component makes a templ component of a function writing with an htmlWriter.
func component(write func(h *htmlWriter)) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		buf := htmlBuffers.Get().(*[]byte)
		h := htmlWriter{b: (*buf)[:0]}
		write(&h)
		_, err := w.Write(h.b)
		if cap(h.b) <= 1<<20 { // an unusually large one is left to the collector
			*buf = h.b
			htmlBuffers.Put(buf)
		}
		return err
	})
}

// csrfInput is the CSRF component's markup, made once for a page that repeats it.
func csrfInput(token string) string {
	return `<input type="hidden" name="csrf_token" value="` + templ.EscapeString(token) + `">`
}

// quoteLineRows are the rows of a quote's lines table (quoteLines).
func quoteLineRows(d QuoteDoc, lines []QuoteLine) templ.Component {
	return component(func(h *htmlWriter) {
		for i := range lines {
			l := &lines[i]
			if l.Heading {
				h.raw(`<tr class="heading-row"><th scope="rowgroup" colspan="`)
				h.raw(strconv.Itoa(quoteCols(d)))
				h.raw(`">`)
				h.text(l.Name)
				h.raw(`</th></tr>`)
				continue
			}
			h.raw(`<tr><td data-label="Item">`)
			h.text(l.Name)
			h.raw(` `)
			if l.Description != "" {
				h.raw(`<br><span class="muted">`)
				h.text(l.Description)
				h.raw(`</span> `)
			}
			if !l.Taxable {
				h.raw(`<span class="badge">no tax</span>`)
			}
			h.raw(`</td><td class="num" data-label="Qty">`)
			h.text(l.Quantity)
			h.raw(`</td><td class="num" data-label="Unit price">`)
			h.text(l.UnitPrice)
			h.raw(`</td><td class="num" data-label="Discount">`)
			h.text(l.Discount)
			h.raw(`</td><td data-label="Period">`)
			h.text(l.Period)
			h.raw(`</td><td class="num" data-label="Amount">`)
			h.text(l.Net)
			h.raw(`</td>`)
			if d.Internal {
				h.raw(`<td class="num" data-label="Cost">`)
				h.text(l.Cost)
				h.raw(`</td><td class="num" data-label="Margin">`)
				h.text(l.Margin)
				h.raw(` <span class="muted">`)
				h.text(l.MarginPct)
				h.raw(`</span></td>`)
			}
			h.raw(`</tr>`)
		}
	})
}

// lineActionsForm is the id of the one form the editor's line actions post
// with (lineActionsForm in quotes.templ): it carries the CSRF token once, and
// each button names its own action (formaction), instead of two forms per line
// each repeating the token.
const lineActionsForm = "line-actions-form"

// lineActionItems are the list items of the editor's "Edit, reorder or
// remove lines": per line an edit link, the move buttons and the remove
// button, each button posting the shared form (lineActionsForm) to its line's
// action.
func lineActionItems(quoteID uint, lines ...[]QuoteLine) templ.Component {
	return component(func(h *htmlWriter) {
		for _, ls := range lines {
			for i := range ls {
				l := &ls[i]
				item := func(action string) {
					h.raw(`/quotes/`)
					h.id(quoteID)
					h.raw(`/items/`)
					h.id(l.ID)
					h.raw(action)
				}
				h.raw(`<li><span>`)
				h.text(l.Name)
				h.raw(`</span> `)
				if !l.Heading {
					h.raw(`<a href="`)
					item(`/edit`)
					h.raw(`">Edit<span class="visually-hidden">`)
					h.text(l.Name)
					h.raw(`</span></a>`)
				}
				h.raw(`<div><button type="submit" form="` + lineActionsForm + `" formaction="`)
				item(`/move`)
				h.raw(`" name="dir" value="up" class="small" aria-label="Move `)
				h.text(l.Name)
				h.raw(` up">↑</button> <button type="submit" form="` + lineActionsForm + `" formaction="`)
				item(`/move`)
				h.raw(`" name="dir" value="down" class="small" aria-label="Move `)
				h.text(l.Name)
				h.raw(` down">↓</button></div><div><button type="submit" form="` + lineActionsForm + `" formaction="`)
				item(`/delete`)
				h.raw(`" class="small" data-confirm="Remove `)
				h.text(l.Name)
				h.raw(` from the quote?">Remove<span class="visually-hidden">`)
				h.text(l.Name)
				h.raw(`</span></button></div></li>`)
			}
		}
	})
}

// selectOptions are the options of a select, in optgroups where they have one.
func selectOptions(opts []Option) templ.Component {
	return component(func(h *htmlWriter) {
		for _, g := range groups(opts) {
			if g[0].Group != "" {
				h.raw(`<optgroup label="`)
				h.text(g[0].Group)
				h.raw(`">`)
			}
			for i := range g {
				o := &g[i]
				h.raw(`<option value="`)
				h.text(o.Value)
				if o.Selected {
					h.raw(`" selected>`)
				} else {
					h.raw(`">`)
				}
				h.text(o.Label)
				h.raw(`</option>`)
			}
			if g[0].Group != "" {
				h.raw(`</optgroup>`)
			}
		}
	})
}
