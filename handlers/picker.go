package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// The organization pickers: every form field choosing an organization or a
// vendor is a views.Picker, filled by orgPicker and read back by pickOrg. A
// select while there are at most models.PickSelectMax to choose from; above,
// a typed name that the server resolves, with suggestions from
// /organizations/suggest while typing when JavaScript runs.

// orgSuggestURL is where a picker of scope asks for names as they are typed.
func orgSuggestURL(scope models.OrgPick) string {
	if scope.VendorsOnly {
		return "/organizations/suggest?vendors=1"
	}
	return "/organizations/suggest"
}

// orgPicker builds the picker of an organization field. in names the field
// (in.Name holds the id) and textName the typed name's input; id and text are
// what the form holds, matches what pickOrg offered; blank is the select's
// first, empty option. orgs is every organization offered when the picker is
// a select, nil when it is a typed name.
func (a *App) orgPicker(scope models.OrgPick, in views.In, textName, id, text string, matches []views.Option, blank string) (views.Picker, []models.Organization, error) {
	p := views.Picker{In: in, TextName: textName, SuggestURL: orgSuggestURL(scope)}
	p.Value = id
	small, err := scope.Small(a.db)
	if err != nil {
		return p, nil, err
	}
	if small && len(matches) == 0 && strings.TrimSpace(text) == "" {
		orgs, err := scope.All(a.db)
		if err != nil {
			return p, nil, err
		}
		p.Options = []views.Option{{Value: "", Label: blank}}
		for _, o := range orgs {
			p.Options = append(p.Options, views.Option{Value: idStr(o.ID), Label: o.Name, Selected: idStr(o.ID) == id})
		}
		return p, orgs, nil
	}
	p.Typed, p.Text, p.Matches = true, text, matches
	if n, ok := parseID(id); ok && strings.TrimSpace(text) == "" && len(matches) == 0 {
		o, err := scope.Get(a.db, n)
		if err == nil {
			p.Text = o.Name
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return p, nil, err
		}
	}
	return p, nil, nil
}

// pickOrg reads an organization field as posted: the id (chosen in the
// select, among the matches, or kept from an earlier answer) while it is one
// the picker offers and fits the typed name, else the typed name resolved by
// models.OrgPick.Resolve. It returns the organization, or a message for the
// field and, when the name matched several, those to choose from.
func (a *App) pickOrg(scope models.OrgPick, idText, text string) (*models.Organization, []views.Option, string, error) {
	noun := scope.Noun()
	text = truncate(text, 200)
	if id, ok := parseID(idText); ok {
		o, err := scope.Get(a.db, id)
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, "", err
		}
		// An id that no longer fits the name was left from before the name
		// was changed without JavaScript: the name wins.
		if err == nil && (text == "" || strings.Contains(models.NameKey(o.Name), models.NameKey(text))) {
			return o, nil, "", nil
		}
		if err != nil && text == "" {
			return nil, nil, "That " + noun + " does not exist any more, or is marked Dead. Choose another.", nil
		}
	} else if text == "" {
		return nil, nil, "Choose " + article(noun) + " from the list, or type its name.", nil
	}
	rows, err := scope.Resolve(a.db, text)
	switch {
	case err != nil:
		return nil, nil, "", err
	case len(rows) == 1:
		return &rows[0], nil, "", nil
	case len(rows) == 0:
		return nil, nil, "No " + noun + " called “" + text + "” — check the spelling or create it first.", nil
	}
	matches := make([]views.Option, len(rows))
	for i, o := range rows {
		matches[i] = views.Option{Value: idStr(o.ID), Label: o.Label()}
	}
	return nil, matches, "Several " + noun + "s match “" + text + "”: choose one below, or type more of the name.", nil
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// orgSuggestion is one name suggested while typing. The JSON encoder escapes
// <, > and & in names; the script inserts them as text.
type orgSuggestion struct {
	ID    uint   `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
}

// suggestOrganizations answers GET /organizations/suggest?q=…: up to
// models.PickMatches organizations whose name starts with q, by name; with
// vendors=1 only vendors. Every signed-in user sees every organization (as
// the organization list shows them), so nothing more is filtered.
func (a *App) suggestOrganizations(c echo.Context) error {
	scope := models.OrgPick{VendorsOnly: c.QueryParam("vendors") == "1"}
	rows, err := scope.Prefix(a.read, truncate(c.QueryParam("q"), 200), models.PickMatches)
	if err != nil {
		return err
	}
	out := make([]orgSuggestion, len(rows))
	for i, o := range rows {
		out[i] = orgSuggestion{ID: o.ID, Name: o.Name, Label: o.Label()}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// contactChoice is one contact of an organization, for reloading a contact
// select when the organization changes.
type contactChoice struct {
	ID   uint   `json:"id"`
	Name string `json:"name"`
}

// organizationContacts answers GET /organizations/:id/contacts: the contacts
// of the organization, by name, as JSON.
func (a *App) organizationContacts(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var o models.Organization
	if err := a.read.Select("id").First(&o, id).Error; err != nil {
		return err
	}
	cs, err := models.ContactsOf(a.read, o.ID)
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
