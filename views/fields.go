package views

import (
	"strings"

	"github.com/a-h/templ"
)

// In describes one labelled form field: an input, a select, a text area or a checkbox.
type In struct {
	Label        string
	Name         string
	ID           string // defaults to Name
	Value        string
	Type         string // input type, default "text"
	Hint         string
	Autocomplete string
	Required     bool
	Checked      bool
	Rows         int
	Options      []Option
	Attrs        templ.Attributes // maxlength, min, max, step, inputmode …
	Errs         *Errors
}

func (f In) id() string {
	if f.ID != "" {
		return f.ID
	}
	return f.Name
}

func (f In) err() string { return f.Errs.For(f.Name) }

func (f In) focus() bool { return f.Errs.First() == f.Name }

func (f In) typ() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f In) describedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.id()+"-hint")
	}
	if f.err() != "" {
		ids = append(ids, f.id()+"-error")
	}
	return strings.Join(ids, " ")
}

func (f In) attrs() templ.Attributes {
	a := templ.Attributes{}
	for k, v := range f.Attrs {
		a[k] = v
	}
	if d := f.describedBy(); d != "" {
		a["aria-describedby"] = d
	}
	if f.err() != "" {
		a["aria-invalid"] = "true"
	}
	if f.focus() {
		a["autofocus"] = true
	}
	// A select whose first option is a real value always has one chosen, so
	// "required" would be meaningless there (and invalid HTML).
	if f.Required && (f.Options == nil || f.Options[0].Value == "") {
		a["required"] = true
	}
	if f.Autocomplete != "" {
		a["autocomplete"] = f.Autocomplete
	}
	return a
}

// ErrorItem is one message of the error summary, linked to its field.
type ErrorItem struct {
	Field string
	Msg   string
}

func (e *Errors) Items() []ErrorItem {
	if e == nil {
		return nil
	}
	out := make([]ErrorItem, len(e.order))
	for i, f := range e.order {
		out[i] = ErrorItem{Field: f, Msg: e.msg[f]}
	}
	return out
}

// inputAttrs are attrs plus the value, which a file input must not have.
func (f In) inputAttrs() templ.Attributes {
	a := f.attrs()
	if f.typ() != "file" {
		a["value"] = f.Value
	}
	return a
}

// groups splits options into runs that share an optgroup label, keeping order.
func groups(opts []Option) [][]Option {
	// Runs of opts, not copies: a select of many options is on most pages.
	var out [][]Option
	start := 0
	for i := 1; i <= len(opts); i++ {
		if i == len(opts) || opts[i].Group != opts[i-1].Group {
			out = append(out, opts[start:i:i])
			start = i
		}
	}
	return out
}

// Picker chooses one row of a table that can grow without bound, such as the
// organizations. While the table is small it is a select of In.Options. Above
// models.PickSelectMax rows (Typed) it is a text input for the name, whose
// value the form posts as TextName; the id, once known, goes in a hidden
// input named In.Name. The server resolves the name; when several rows match,
// Matches are offered as radio buttons named In.Name. With JavaScript the
// input suggests names from SuggestURL as they are typed.
type Picker struct {
	In
	Typed      bool
	TextName   string
	Text       string
	Matches    []Option
	SuggestURL string
}

// textAttrs are the attributes of the typed name's input.
func (p Picker) textAttrs() templ.Attributes {
	a := p.In.attrs()
	a["autocomplete"] = "off"
	a["data-suggest"] = p.SuggestURL
	a["data-pick"] = p.Name
	a["maxlength"] = "200"
	return a
}
