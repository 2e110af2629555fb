package views

import "github.com/a-h/templ"

// oppTableRows are the rows of an opportunity table (OppTableView), written
// in Go as rows.go explains: the list shows 25 of them on every view.
func oppTableRows(t OppTable) templ.Component {
	return component(func(h *htmlWriter) {
		for i := range t.Rows {
			r := &t.Rows[i]
			h.raw(`<tr>`)
			if t.SelectForm != "" {
				h.raw(`<td class="select"><input type="checkbox" name="ids" value="`)
				h.id(r.ID)
				h.raw(`" form="`)
				h.text(t.SelectForm)
				h.raw(`" id="sel-`)
				h.id(r.ID)
				h.raw(`" aria-label="Select `)
				h.text(r.Title)
				h.raw(`"></td>`)
			}
			h.raw(`<td data-label="Title"><a href="/opportunities/`)
			h.id(r.ID)
			h.raw(`">`)
			h.text(r.Title)
			h.raw(`</a></td>`)
			if t.ShowOrg {
				h.raw(`<td data-label="Organization"><a href="/organizations/`)
				h.id(r.OrgID)
				h.raw(`">`)
				h.text(r.OrgName)
				h.raw(`</a></td>`)
			}
			h.raw(`<td data-label="Owner">`)
			h.text(r.Owner)
			h.raw(`</td><td data-label="Stage">`)
			h.text(r.Stage)
			h.raw(` `)
			if r.StatusKey != "active" {
				h.raw(`<span class="status status-`)
				h.text(r.StatusKey)
				h.raw(`">`)
				h.text(r.Status)
				h.raw(`</span>`)
			}
			h.raw(`</td><td data-label="Probability" class="num">`)
			h.text(r.Probability)
			if r.Overdue {
				h.raw(`</td><td data-label="Projected close" class="overdue">`)
				h.text(r.Close)
				h.raw(` <span class="visually-hidden">(overdue)</span>`)
			} else {
				h.raw(`</td><td data-label="Projected close" class="">`)
				h.text(r.Close)
				h.raw(` `)
			}
			h.raw(`</td><td data-label="Amount" class="num">`)
			h.text(r.Amount)
			h.raw(`</td><td data-label="Weighted" class="num">`)
			h.text(r.Weighted)
			h.raw(`</td></tr>`)
		}
	})
}
