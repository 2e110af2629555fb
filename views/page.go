// Package views holds the templ components and the view models and form
// structs they take. It imports no other package of the app.
package views

// Page is what the layout needs on every screen.
type Page struct {
	Title     string
	User      *CurrentUser // nil on public pages
	Features  map[string]bool
	CSRF      string
	Flash     string
	Path      string
	CSS       string // fingerprinted asset URLs
	JS        string
	Heading   bool // false when the page draws its own h1
	DemoBadge bool
}

type CurrentUser struct {
	ID        uint
	Name      string
	RoleLabel string
	IsAdmin   bool
	Manages   bool // manager or admin: sees and edits everyone's sales records
}

// On tells a view whether a feature is active; every link, button, field and
// widget of a feature asks this, so an inactive feature leaves no trace.
func (p Page) On(feature string) bool { return p.Features[feature] }

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
	Group    string // optgroup label, for grouped selects
}

// Errors holds validation messages per field, in the order they were found,
// so the first one can take the focus.
type Errors struct {
	order []string
	msg   map[string]string
}

// Add records msg for field unless the field already has a message.
func (e *Errors) Add(field, msg string) {
	if e.msg == nil {
		e.msg = map[string]string{}
	}
	if _, ok := e.msg[field]; ok {
		return
	}
	e.order = append(e.order, field)
	e.msg[field] = msg
}

func (e *Errors) For(field string) string {
	if e == nil {
		return ""
	}
	return e.msg[field]
}

func (e *Errors) Any() bool { return e != nil && len(e.order) > 0 }

func (e *Errors) Count() int {
	if e == nil {
		return 0
	}
	return len(e.order)
}

// First is the field that should take the focus when the form comes back.
func (e *Errors) First() string {
	if !e.Any() {
		return ""
	}
	return e.order[0]
}

// Pager links the pages of a list.
type Pager struct {
	From, To int    // 1-based positions of the rows shown
	PrevURL  string // "" on the first page
	NextURL  string // "" on the last page
}

// SortHeader is a sortable column heading.
type SortHeader struct {
	Label  string
	URL    string
	Active bool
	Desc   bool
	Num    bool // right-aligned numeric column
}

// Sort is the aria-sort value of a column.
func (h SortHeader) Sort() string {
	switch {
	case !h.Active:
		return "none"
	case h.Desc:
		return "descending"
	}
	return "ascending"
}
