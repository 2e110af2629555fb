package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

func (a *App) showOpportunity(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	o, err := models.LoadOpportunityShown(a.read, id)
	if err != nil {
		return err
	}
	return a.renderOpportunity(c, o, http.StatusOK, views.NoteForm{Kind: "call"}, views.TodoForm{AssigneeID: idStr(currentUser(c).ID)})
}

// renderOpportunity draws the opportunity page; the note and to-do forms carry
// the user's input and errors when one of them came back invalid.
func (a *App) renderOpportunity(c echo.Context, o *models.Opportunity, status int, nf views.NoteForm, tf views.TodoForm) error {
	u := currentUser(c)
	now := a.now().UTC()
	t := today(now)
	v := views.OppView{
		ID: o.ID, Title: o.Title, OrgID: o.OrganizationID, OrgName: o.Organization.Name, Owner: o.Owner.Name,
		Stage: o.Stage.Name, Status: o.Status.Label(), StatusKey: string(o.Status), Open: o.Status.Open(),
		Probability: strconv.Itoa(o.Probability) + "%", Rating: o.Rating.Label(),
		Close: o.ProjectedCloseDate.Format(dateShown), Overdue: o.Status.Open() && o.ProjectedCloseDate.Before(t),
		Amount: o.Amount.Display(), Weighted: o.Weighted().Display(), NextStep: o.NextStep,
		Description: o.Description, CanEdit: u.CanEditOwned(o.OwnerID),
		CanReopen: u.SeesAllRecords() && !o.Status.Open(),
		Created:   o.CreatedAt.Format(dateShown), Updated: o.UpdatedAt.Format(dateShown), Version: o.Version,
		Criteria: []views.Criterion{
			{Label: "The customer has a need or requirement", Met: o.Need},
			{Label: "We have a solution for it", Met: o.Solution},
			{Label: "It must be done in a specific timeframe", Met: o.Timeframe},
			{Label: "The customer has a budget", Met: o.Budget},
		},
		Tab: "activity",
	}
	if c.QueryParam("tab") == "history" {
		v.Tab = "history"
	}
	v.ProbabilityBy = "the stage’s default"
	if o.ProbabilityOverride {
		v.ProbabilityBy = "set by the rep (overrides the stage)"
	}
	if o.Contact != nil {
		v.Contact = o.Contact.FullName()
	}
	if o.StartDate != nil {
		v.Start = o.StartDate.Format(dateShown)
	}
	name := func(p *models.PicklistValue) string {
		if p == nil {
			return ""
		}
		return p.Name
	}
	v.Category, v.LeadSource, v.Competitor = name(o.Category), name(o.LeadSource), name(o.Competitor)
	if o.Campaign != nil {
		v.CampaignID, v.Campaign = o.Campaign.ID, o.Campaign.Name
	}
	lead, err := models.LeadOfOpportunity(a.read, o.ID)
	if err != nil {
		return err
	}
	v.LeadID, v.Lead = lead.ID, lead.PersonName
	for _, p := range models.Periods {
		if m := o.Revenue.Get(p); m != 0 || p == models.OneTime {
			v.Revenue = append(v.Revenue, views.Fact{Label: p.Label() + " revenue", Value: m.Display()})
		}
	}
	if u.SeesAllRecords() {
		v.Cost, v.Margin = o.Cost.FirstYear().Display(), o.Margin().Display()
	}
	switch o.Status {
	case models.StatusClosed, models.StatusImplemented:
		v.Outcome = []views.Fact{{Label: "Win reason", Value: name(o.WinReason)}, {Label: "Detail", Value: o.WinDetail}, {Label: "Closed date", Value: dateOrEmpty(o.ClosedDate)}}
	case models.StatusLost:
		v.Outcome = []views.Fact{{Label: "Loss reason", Value: name(o.LossReason)}, {Label: "Detail", Value: o.LossDetail},
			{Label: "Lost to", Value: name(o.Competitor)}, {Label: "Lost date", Value: dateOrEmpty(o.LostDate)}}
	}
	if o.StageChangedAt != nil {
		v.TimeInStage = duration(now.Sub(*o.StageChangedAt))
	}

	history, err := models.History(a.read, o.ID)
	if err != nil {
		return err
	}
	history = models.ShownHistory(history, featuresOf(c))
	notes, err := models.NotesOf(a.read, o.ID)
	if err != nil {
		return err
	}
	todos, err := models.TodosOf(a.read, o.ID)
	if err != nil {
		return err
	}
	v.History = changeRows(history)
	spans := models.StageTimeline(history, now)
	for i, s := range spans {
		row := views.StageSpanRow{Stage: s.Stage, Entered: s.Entered.Format(dateShown), Days: strconv.FormatFloat(s.Days, 'f', 1, 64), Current: i == len(spans)-1}
		if s.Left != nil {
			row.Left = s.Left.Format(dateShown)
		}
		v.Spans = append(v.Spans, row)
	}
	v.Todos = todoRows(todos, u, t)
	for _, act := range models.ActivityFeed(notes, todos, history) {
		row := views.ActivityRow{When: act.At.UTC().Format("2 Jan 2006 15:04"), ISO: act.At.UTC().Format(time.RFC3339)}
		switch {
		case act.Note != nil:
			row.Who = act.Note.User.Name
			row.Note = &views.NoteRow{Kind: act.Note.Kind.Label(), Body: act.Note.Body}
		case act.Todo != nil:
			tr := todoRows([]models.Todo{*act.Todo}, u, t)[0]
			row.Who, row.Todo = "To-do", &tr
		default:
			cr := changeRows(act.Changes)
			row.Who, row.Changes = cr[0].Who, cr
		}
		v.Activity = append(v.Activity, row)
	}
	if v.CanEdit {
		users, err := models.ActiveUsers(a.read)
		if err != nil {
			return err
		}
		tf.Assignees = userOptions(users, tf.AssigneeID, "")
		for _, k := range models.NoteKinds {
			nf.Kinds = append(nf.Kinds, views.Option{Value: string(k), Label: k.Label(), Selected: string(k) == nf.Kind})
		}
	}
	v.NoteForm, v.TodoForm = nf, tf
	if featuresOf(c).On(models.FeatureQuoteManager) {
		if v.ExtQuotes, v.WonExtQuote, err = a.extQuotesSection(o, u, v.CanEdit, now); err != nil {
			return err
		}
		if v.SalesOrder, err = a.salesOrderRef(c, o.ID); err != nil {
			return err
		}
		return render(c, status, views.OpportunityPage(a.page(c, o.Title), v))
	}
	quotes, err := models.QuotesOf(a.read, o.ID)
	if err != nil {
		return err
	}
	for i := range quotes {
		q := &quotes[i]
		row := views.QuoteRow{ID: q.ID, Number: strconv.Itoa(q.Number), Name: q.Name, Status: q.DisplayStatus(now), StatusKey: string(q.Status),
			Expires: q.ExpirationDate.Format(dateShown), Total: q.Totals().Revenue.FirstYear().Display(), Primary: q.IsPrimary}
		if q.Expired(now) {
			row.StatusKey = "expired"
		}
		if q.Status == models.QuoteAccepted && o.Status.Open() {
			v.AcceptedQuote = q.ID
		}
		v.Quotes = append(v.Quotes, row)
	}
	if v.SalesOrder, err = a.salesOrderRef(c, o.ID); err != nil {
		return err
	}
	return render(c, status, views.OpportunityPage(a.page(c, o.Title), v))
}

func dateOrEmpty(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(dateShown)
}

func todoRows(ts []models.Todo, u *models.User, t time.Time) []views.TodoRow {
	out := make([]views.TodoRow, len(ts))
	for i, td := range ts {
		r := views.TodoRow{ID: td.ID, Title: td.Title, Done: td.Done, Overdue: td.Overdue(t), OppID: td.OpportunityID,
			CanCheck: td.AssigneeID == u.ID || u.SeesAllRecords() || td.CreatedByID == u.ID}
		if td.DueDate != nil {
			r.Due = td.DueDate.Format(dateShown)
		}
		if td.Assignee != nil {
			r.Assignee = td.Assignee.Name
		}
		if td.Opportunity != nil {
			r.OppTitle = td.Opportunity.Title
		}
		out[i] = r
	}
	return out
}

// editableOpportunity loads the opportunity of the route and checks the user may change it.
func (a *App) editableOpportunity(c echo.Context) (*models.Opportunity, error) {
	o, err := a.loadOpportunity(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditOwned(o.OwnerID) {
		return nil, errForbidden
	}
	return o, nil
}

func (a *App) addNote(c echo.Context) error {
	o, err := a.editableOpportunity(c)
	if err != nil {
		return err
	}
	var f views.NoteForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate(models.NoteKind(f.Kind).Valid())
	if f.Errs.Any() {
		return a.renderOpportunity(c, o, http.StatusUnprocessableEntity, f, views.TodoForm{AssigneeID: idStr(currentUser(c).ID)})
	}
	n := models.Note{OpportunityID: o.ID, UserID: currentUser(c).ID, Kind: models.NoteKind(f.Kind), Body: f.Body}
	if err := models.AddNote(a.db, &n); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID)+"#activity", "Added a "+strings.ToLower(n.Kind.Label())+" note.")
}

func (a *App) addTodo(c echo.Context) error {
	o, err := a.editableOpportunity(c)
	if err != nil {
		return err
	}
	var f views.TodoForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	t := models.Todo{OpportunityID: o.ID, Title: f.Title, CreatedByID: currentUser(c).ID}
	if strings.TrimSpace(f.DueDate) != "" {
		if d, ok := parseDate(f.DueDate); ok {
			t.DueDate = &d
		} else {
			f.Errs.Add("due_date", "Enter a date such as 2026-12-31.")
		}
	}
	var assignee models.User
	if id, ok := parseID(f.AssigneeID); !ok {
		f.Errs.Add("assignee_id", "Choose who should do it.")
	} else if err := a.db.Where("active = ?", true).First(&assignee, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		f.Errs.Add("assignee_id", "Choose an active user.")
	} else if err != nil {
		return err
	} else {
		t.AssigneeID = id
	}
	if f.Errs.Any() {
		return a.renderOpportunity(c, o, http.StatusUnprocessableEntity, views.NoteForm{Kind: "call"}, f)
	}
	if err := models.AddTodo(a.db, &t); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID)+"#activity", "Added the to-do “"+t.Title+"” for "+assignee.Name+".")
}

// setTodoDone ticks a to-do off (or opens it again): its assignee, its author,
// and managers and admins may.
func (a *App) setTodoDone(c echo.Context) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var t models.Todo
	if err := a.db.First(&t, id).Error; err != nil {
		return err
	}
	if t.AssigneeID != u.ID && t.CreatedByID != u.ID && !u.SeesAllRecords() {
		return errForbidden
	}
	done := c.FormValue("done") == "on"
	if err := models.SetTodoDone(a.db, &t, done, a.now().UTC()); err != nil {
		return err
	}
	back := safeNext(c.FormValue("back"))
	if back == "" {
		back = "/"
	}
	msg := "Done: “" + t.Title + "”."
	if !done {
		msg = "Opened “" + t.Title + "” again."
	}
	return a.redirectWithFlash(c, back, msg)
}

func (a *App) outcomeForm(c echo.Context, won bool) (*models.Opportunity, views.OutcomeForm, error) {
	o, err := a.editableOpportunity(c)
	if err != nil {
		return nil, views.OutcomeForm{}, err
	}
	if !o.Status.Open() {
		return nil, views.OutcomeForm{}, echo.NewHTTPError(http.StatusConflict, "This opportunity is already "+strings.ToLower(o.Status.Label())+". A manager can reopen it first.")
	}
	return o, views.OutcomeForm{Won: won, OppID: o.ID, OppTitle: o.Title, Version: strconv.Itoa(o.Version),
		Date: today(a.now()).Format(dateInput), CompetitorID: optID(o.CompetitorID)}, nil
}

func (a *App) fillOutcomeChoices(f *views.OutcomeForm, o *models.Opportunity) error {
	kind := models.LossReasons
	if f.Won {
		kind = models.WinReasons
	}
	reasons, err := models.Picklist(a.db, kind, false, nil)
	if err != nil {
		return err
	}
	f.Reasons = append([]views.Option{{Value: "", Label: "Choose a reason"}}, picklistOptions(reasons, f.ReasonID)...)
	if !f.Won {
		comps, err := models.Picklist(a.db, models.Competitors, false, o.CompetitorID)
		if err != nil {
			return err
		}
		f.Competitors = append([]views.Option{{Value: "", Label: "None or unknown"}}, picklistOptions(comps, f.CompetitorID)...)
	}
	return nil
}

func outcomeTitle(won bool, title string) string {
	if won {
		return "Mark “" + title + "” as won"
	}
	return "Mark “" + title + "” as lost"
}

func (a *App) showOutcome(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, f, err := a.outcomeForm(c, won)
		if err != nil {
			return err
		}
		if err := a.fillOutcomeChoices(&f, o); err != nil {
			return err
		}
		return render(c, http.StatusOK, views.OutcomePage(a.page(c, outcomeTitle(won, o.Title)), f))
	}
}

func (a *App) saveOutcome(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, f, err := a.outcomeForm(c, won)
		if err != nil {
			return err
		}
		if err := c.Bind(&f); err != nil {
			return errBadForm
		}
		in := decodeOutcome(&f, featuresOf(c).On(models.FeatureProcurement))
		version := parseVersion(f.Version)
		if !f.Errs.Any() {
			o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
			o.LeadSource, o.Competitor, o.Category, o.WinReason, o.LossReason = nil, nil, nil, nil, nil
			if won {
				err = models.MarkWon(a.db, o, version, in, currentUser(c), a.now().UTC())
			} else {
				err = models.MarkLost(a.db, o, version, in, currentUser(c), a.now().UTC())
			}
			if done, err := a.outcomeRefused(c, err, &f, in, "/opportunities/"+idStr(o.ID)); done {
				return err
			}
		}
		if f.Errs.Any() {
			if err := a.fillOutcomeChoices(&f, o); err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, views.OutcomePage(a.page(c, outcomeTitle(won, o.Title)), f))
		}
		msg := "Marked “" + o.Title + "” as lost."
		if won {
			msg = "Marked “" + o.Title + "” as won. Congratulations!"
		}
		return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), msg)
	}
}

func (a *App) reopenTarget(c echo.Context) (*models.Opportunity, error) {
	o, err := a.loadOpportunity(c)
	if err != nil {
		return nil, err
	}
	if o.Status.Open() {
		return nil, echo.NewHTTPError(http.StatusConflict, "This opportunity is already open.")
	}
	return o, nil
}

func (a *App) showReopen(c echo.Context) error {
	o, err := a.reopenTarget(c)
	if err != nil {
		return err
	}
	f := views.ReopenForm{OppID: o.ID, OppTitle: o.Title, Version: strconv.Itoa(o.Version)}
	return render(c, http.StatusOK, views.ReopenPage(a.page(c, "Reopen “"+o.Title+"”"), f))
}

func (a *App) reopen(c echo.Context) error {
	o, err := a.reopenTarget(c)
	if err != nil {
		return err
	}
	f := views.ReopenForm{OppID: o.ID, OppTitle: o.Title}
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	if f.Errs.Any() {
		return render(c, http.StatusUnprocessableEntity, views.ReopenPage(a.page(c, "Reopen “"+o.Title+"”"), f))
	}
	version := parseVersion(f.Version)
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	o.LeadSource, o.Competitor, o.Category, o.WinReason, o.LossReason = nil, nil, nil, nil, nil
	err = models.Reopen(a.db, o, version, f.Reason, currentUser(c), a.now().UTC())
	var conflict *models.ConflictError
	switch {
	case errors.As(err, &conflict):
		return a.renderConflictNotice(c, conflict, "/opportunities/"+idStr(o.ID))
	case errors.Is(err, models.ErrNoStage):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "No open stage is active: an admin must activate one first.")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), "Reopened “"+o.Title+"”.")
}

// renderConflictNotice answers a one-click action (a board move, won, lost,
// reopen) that started from an out-of-date copy: nothing is changed, and the
// page says what the others changed.
func (a *App) renderConflictNotice(c echo.Context, conflict *models.ConflictError, back string) error {
	p := a.page(c, "Someone else changed this opportunity")
	msg := fmt.Sprintf("%s changed “%s” after you loaded the page, so nothing was changed.", conflictBy(conflict.Changes), conflict.Current.Title)
	return render(c, http.StatusConflict, views.ConflictNoticePage(p, msg, changeRows(models.ShownHistory(conflict.Changes, featuresOf(c))), back))
}

// decodeOutcome checks the won/lost form, the same for an opportunity and a quote.
// The promised fulfilment date is a field of Procurement, and only of a win
// from a built-in quote or the opportunity: otherwise the form has no such
// field and one sent anyway is ignored, as if not sent.
func decodeOutcome(f *views.OutcomeForm, procurement bool) models.OutcomeInput {
	if !procurement || f.ExternalQuoteID != 0 {
		f.PromisedDate = ""
	}
	f.Validate()
	in := models.OutcomeInput{Detail: f.Detail}
	if id, ok := parseID(f.ReasonID); ok {
		in.ReasonID = id
	} else {
		f.Errs.Add("reason_id", "Choose a reason: it is what the win/loss report is made of.")
	}
	if d, ok := parseDate(f.Date); ok {
		in.Date = d
	} else {
		f.Errs.Add("date", "Enter a date such as 2026-12-31.")
	}
	if !f.Won && f.CompetitorID != "" {
		if id, ok := parseID(f.CompetitorID); ok {
			in.CompetitorID = &id
		} else {
			f.Errs.Add("competitor_id", "Choose a competitor from the list.")
		}
	}
	if f.Won && strings.TrimSpace(f.PromisedDate) != "" {
		if d, ok := parseDate(f.PromisedDate); ok {
			in.PromisedDate = &d
		} else {
			f.Errs.Add("promised_date", "Enter a date such as 2026-12-31, or leave it empty.")
		}
	}
	return in
}

// outcomeRefused turns what MarkWon or MarkLost refused into the answer: the
// conflict notice linking back (done), a message next to the field the user must change
// (not done: the form is shown again), or the error itself (done).
func (a *App) outcomeRefused(c echo.Context, err error, f *views.OutcomeForm, in models.OutcomeInput, back string) (bool, error) {
	var conflict *models.ConflictError
	switch {
	case errors.As(err, &conflict):
		return true, a.renderConflictNotice(c, conflict, back)
	case errors.Is(err, models.ErrNotOffered):
		if in.CompetitorID != nil && models.CheckPicklist(a.db, models.Competitors, *in.CompetitorID, nil) != nil {
			f.Errs.Add("competitor_id", "Choose a competitor from the list.")
		} else {
			f.Errs.Add("reason_id", "Choose a reason from the list.")
		}
	case errors.Is(err, models.ErrNoStage):
		f.Errs.Add("reason_id", "An admin must first mark one stage as the won stage and one as the lost stage.")
	case err != nil:
		return true, err
	}
	return false, nil
}
