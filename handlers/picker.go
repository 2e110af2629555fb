package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// The pickers: every form field choosing a row of a table that can grow
// without bound (organizations, vendors, campaigns, products) is a views.Picker, filled
// by picker and read back by pick, whatever the models.PickSource. A select
// while there are at most models.PickSelectMax to choose from; above, a typed
// name that the server resolves, with suggestions from the source's suggest
// route while typing when JavaScript runs.

// suggestURL is where a picker of src asks for names as they are typed.
func suggestURL(src models.PickSource) string {
	switch s := src.(type) {
	case models.OrgPick:
		if s.VendorsOnly {
			return "/organizations/suggest?vendors=1"
		}
		return "/organizations/suggest"
	case models.CampaignPick:
		return "/campaigns/suggest"
	case models.ProductPick:
		return "/quotes/products/suggest"
	case models.QuotePick:
		return "/quotes/" + idStr(s.Except) + "/import/suggest"
	}
	return ""
}

// picker builds the picker of a field. in names the field (in.Name holds the
// id) and textName the typed name's input; id and text are what the form
// holds, matches what pick offered; blank is the select's first, empty
// option. rows is every row offered when the picker is a select, nil when it
// is a typed name.
func (a *App) picker(src models.PickSource, in views.In, textName, id, text string, matches []views.Option, blank string) (views.Picker, []models.Pick, error) {
	p := views.Picker{In: in, TextName: textName, SuggestURL: suggestURL(src)}
	p.Value = id
	small, err := src.Small(a.db)
	if err != nil {
		return p, nil, err
	}
	if small && len(matches) == 0 && strings.TrimSpace(text) == "" {
		rows, err := src.All(a.db)
		if err != nil {
			return p, nil, err
		}
		p.Options = []views.Option{{Value: "", Label: blank, Selected: id == ""}}
		for _, r := range rows {
			p.Options = append(p.Options, views.Option{Value: idStr(r.ID), Label: r.Label(), Selected: idStr(r.ID) == id})
		}
		return p, rows, nil
	}
	p.Typed, p.Text, p.Matches = true, text, matches
	if n, ok := parseID(id); ok && strings.TrimSpace(text) == "" && len(matches) == 0 {
		r, err := src.Get(a.db, n)
		if err == nil {
			p.Text = r.Name
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return p, nil, err
		}
	}
	return p, nil, nil
}

// chooseFromList is the message for an id that is no id at all.
func chooseFromList(src models.PickSource) string {
	if src.Noun() == "vendor" {
		return "Choose a vendor from the list: an organization of type Vendor."
	}
	return "Choose " + article(src.Noun()) + " from the list."
}

// notOffered is the message for an id the picker does not offer.
func notOffered(src models.PickSource) string {
	switch src.Noun() {
	case "organization":
		return "That organization does not exist any more, or is marked Dead. Choose another."
	case "vendor":
		return chooseFromList(src)
	case "campaign":
		return "That campaign does not exist any more."
	case "product":
		return "That product is no longer in the catalog, or is inactive. Choose another."
	case "quote":
		return "That quote does not exist any more, or is the quote the items go into. Choose another."
	}
	return "Choose " + article(src.Noun()) + " from the list."
}

// pick reads a picker's field as posted: the id (chosen in the select, among
// the matches, or kept from an earlier answer) while src offers it and it
// fits the typed name, else the typed name resolved by models.Resolve. It
// returns the row, or a message for the field and, when the name matched
// several, those to choose from. A field that is not required and empty is
// no row and no message.
func (a *App) pick(src models.PickSource, idText, text string, required bool) (*models.Pick, []views.Option, string, error) {
	noun := src.Noun()
	text = truncate(text, 200)
	if id, ok := parseID(idText); ok {
		r, err := src.Get(a.db, id)
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, "", err
		}
		// An id that no longer fits the name was left from before the name
		// was changed without JavaScript: the name wins.
		if err == nil && (text == "" || strings.Contains(models.NameKey(r.Name), models.NameKey(text))) {
			return r, nil, "", nil
		}
		if err != nil && text == "" {
			return nil, nil, notOffered(src), nil
		}
	} else if text == "" {
		switch {
		case strings.TrimSpace(idText) != "":
			return nil, nil, chooseFromList(src), nil
		case required:
			// The field comes back as it was sent: a select while src is
			// small (nothing to type there), else a name to type.
			msg := "Choose " + article(noun) + " from the list"
			small, err := src.Small(a.db)
			if err != nil {
				return nil, nil, "", err
			}
			if !small {
				msg += ", or type its name"
			}
			return nil, nil, msg + ".", nil
		}
		return nil, nil, "", nil
	}
	rows, err := models.Resolve(a.db, src, text)
	switch {
	case err != nil:
		return nil, nil, "", err
	case len(rows) == 1:
		return &rows[0], nil, "", nil
	case len(rows) == 0 && noun == "quote":
		return nil, nil, "No other quote has the number or a name starting with “" + text + "” — check what you typed.", nil
	case len(rows) == 0:
		return nil, nil, "No " + noun + " called “" + text + "” — check the spelling or create it first.", nil
	}
	matches := make([]views.Option, len(rows))
	for i, r := range rows {
		matches[i] = views.Option{Value: idStr(r.ID), Label: r.Label()}
	}
	more := "type more of the name"
	if noun == "quote" {
		more = "type its number" // quotes of one name are many
	}
	return nil, matches, "Several " + noun + "s match “" + text + "”: choose one below, or " + more + ".", nil
}

// pickField reads a picker's field of a form into its fields: id and text are
// the form's id and typed name, matches where the matches go. On a message
// the field gets it in errs (under field) and the result is nil; a resolved
// name is written back in full, with its id.
func (a *App) pickField(src models.PickSource, field string, id, text *string, matches *[]views.Option, errs *views.Errors, required bool) (*models.Pick, error) {
	r, m, msg, err := a.pick(src, *id, *text, required)
	if err != nil {
		return nil, err
	}
	typed := strings.TrimSpace(*text) != ""
	if msg != "" {
		errs.Add(field, msg)
		*matches = m
		if typed {
			*id = "" // the name was not resolved: no id goes with it
		}
		return nil, nil
	}
	if r != nil {
		*id = idStr(r.ID)
		if typed {
			*text = r.Name
		}
	}
	return r, nil
}

// filterPicker is a list filter's picker, on a GET form: param holds the id
// and param+"_name" the typed name. A name that resolves to one row filters
// by it, and q is rewritten with its id (for the pager's and the export's
// links); otherwise the message shows by the field, the matches below it, and
// the filter is not applied. id is the row to filter by, 0 for none.
func (a *App) filterPicker(src models.PickSource, q url.Values, param, label, blank string, errs *views.Errors) (uint, views.Picker, error) {
	idText, text := q.Get(param), q.Get(param+"_name")
	var matches []views.Option
	id, _ := parseID(idText)
	if strings.TrimSpace(text) != "" {
		r, err := a.pickField(src, param, &idText, &text, &matches, errs, false)
		if err != nil {
			return 0, views.Picker{}, err
		}
		id = 0
		if r != nil {
			id = r.ID
			q.Set(param, idStr(r.ID))
			q.Del(param + "_name")
		}
	}
	p, _, err := a.picker(src, views.In{Label: label, Name: param, Errs: errs}, param+"_name", idText, text, matches, blank)
	return id, p, err
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// suggestion is one name suggested while typing. The JSON encoder escapes <,
// > and & in names; the script inserts them as text.
type suggestion struct {
	ID    uint   `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
}

// suggest answers a picker's suggest route, GET …/suggest?q=…: up to
// models.PickMatches rows of the source whose name starts with q, by name.
// Every signed-in user who may use the form sees every row of these tables
// (as their list pages show them), so nothing more is filtered.
func (a *App) suggest(source func(c echo.Context) models.PickSource) echo.HandlerFunc {
	return func(c echo.Context) error {
		rows, err := models.Suggest(a.read, source(c), truncate(c.QueryParam("q"), 200), models.PickMatches)
		if err != nil {
			return err
		}
		out := make([]suggestion, len(rows))
		for i, r := range rows {
			out[i] = suggestion{ID: r.ID, Name: r.Name, Label: r.Label()}
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// orgSource is the organizations' suggest route's source: vendors=1 for the
// vendors only.
func orgSource(c echo.Context) models.PickSource {
	return models.OrgPick{VendorsOnly: c.QueryParam("vendors") == "1"}
}

func campaignSource(echo.Context) models.PickSource { return models.CampaignPick{} }

func productSource(echo.Context) models.PickSource { return models.ProductPick{} }

// suggestImportQuotes answers the quote import's picker, GET
// /quotes/:id/import/suggest?q=…: the other quotes by number or name start,
// for whoever may import into quote :id (as the page).
func (a *App) suggestImportQuotes(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	return a.suggest(func(echo.Context) models.PickSource { return models.QuotePick{Except: q.ID} })(c)
}

// contactChoice is one contact of an organization, for reloading a contact
// select when the organization changes.
type contactChoice struct {
	ID   uint   `json:"id"`
	Name string `json:"name"`
}

// organizationContacts answers GET /organizations/:id/contacts: the contacts
// of the organization, by name, as JSON: the first models.PickSelectMax, as
// the form's contact select offers them.
func (a *App) organizationContacts(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var o models.Organization
	if err := a.read.Select("id").First(&o, id).Error; err != nil {
		return err
	}
	cs, err := models.ContactChoices(a.read, []uint{o.ID}, models.PickSelectMax)
	if err != nil {
		return err
	}
	out := make([]contactChoice, len(cs))
	for i, ct := range cs {
		out[i] = contactChoice{ID: ct.ID, Name: ct.FullName()}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
