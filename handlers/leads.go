package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

func leadStatusOptions(selected string, blank string) []views.Option {
	var opts []views.Option
	if blank != "" {
		opts = append(opts, views.Option{Value: "", Label: blank, Selected: selected == ""})
	}
	for _, s := range models.LeadStatuses {
		opts = append(opts, views.Option{Value: string(s), Label: s.Label(), Selected: string(s) == selected})
	}
	return opts
}

// leadFilter reads the lead list's filters from the query, the campaign
// through its picker (the field it returns, whose message a typed name that
// matches no campaign or several gets).
func (a *App) leadFilter(c echo.Context) (models.LeadFilter, url.Values, views.Picker, error) {
	q := c.QueryParams()
	f := models.LeadFilter{Text: truncate(q.Get("q"), 200)}
	var errs views.Errors
	var camp views.Picker
	var err error
	if f.CampaignID, camp, err = a.filterPicker(models.CampaignPick{}, q, "campaign", "Campaign", "All campaigns", &errs); err != nil {
		return f, q, camp, err
	}
	if s := models.LeadStatus(q.Get("status")); s.Valid() {
		f.Status = s
	}
	// Drill-down from the reports.
	f.Solid = q.Get("solid") == "1"
	if d, ok := parseDate(q.Get("created_from")); ok {
		f.CreatedFrom = d
	}
	if d, ok := parseDate(q.Get("created_to")); ok {
		f.CreatedBefore = d.AddDate(0, 0, 1)
	}
	if q.Get("owner") == "me" {
		f.OwnerID = currentUser(c).ID
	} else {
		f.OwnerID, _ = parseID(q.Get("owner"))
	}
	return f, q, camp, nil
}

func (a *App) listLeads(c echo.Context) error {
	u := currentUser(c)
	f, q, camp, err := a.leadFilter(c)
	if err != nil {
		return err
	}
	p := models.NewPage(pageNumber(q.Get("page")))
	n, err := models.CountLeads(a.db, f)
	if err != nil {
		return err
	}
	rows, more, err := models.ListLeads(a.db, f, p, n)
	if err != nil {
		return err
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}
	owner := q.Get("owner")
	v := views.LeadListPage{Text: f.Text, Campaign: camp, Statuses: leadStatusOptions(string(f.Status), "All statuses"),
		Owners: append([]views.Option{{Value: "", Label: "Everyone", Selected: owner == ""}, {Value: "me", Label: "My leads", Selected: owner == "me"}},
			userOptions(users, owner, "")...),
		Rows: leadRows(rows), Pager: pager("/leads", q, p, len(rows), more), Count: countNoun(n, "lead", "leads"),
		CSVURL: withQuery("/leads/export.csv", q, map[string]string{"page": ""}), Back: c.Request().URL.RequestURI(),
		Filtered: f.Text != "" || f.CampaignID != 0 || f.Status != "" || f.OwnerID != 0 || f.Solid || !f.CreatedFrom.IsZero() || !f.CreatedBefore.IsZero(),
		Chips:    leadChips(q, f)}
	if u.SeesAllRecords() {
		v.Assign = userOptions(users, "", "Choose an owner")
	}
	v.SetStatus = []views.Option{{Value: "", Label: "Choose a status"}, {Value: "new", Label: "New"}, {Value: "qualified", Label: "Qualified"}, {Value: "disqualified", Label: "Disqualified"}}
	return render(c, http.StatusOK, views.LeadsPage(a.page(c, "Leads"), v))
}

func (a *App) exportLeads(c echo.Context) error {
	f, _, _, err := a.leadFilter(c)
	if err != nil {
		return err
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	header := []string{"ID", "Person", "Company", "E-mail", "Phone", "Campaign", "Owner", "Status", "Need", "Solution", "Timeframe", "Budget", "Created"}
	return a.streamCSV(c, "leads-"+a.now().UTC().Format("2006-01-02")+".csv", header, func(write func([]string) error) error {
		return models.EachLead(a.db, f, func(r models.LeadRow) error {
			return write([]string{idStr(r.ID), csvSafe(r.PersonName), csvSafe(r.CompanyName), csvSafe(r.Email), csvSafe(r.Phone),
				csvSafe(r.CampaignName), csvSafe(r.OwnerName), r.Status.Label(), yes(r.Need), yes(r.Solution), yes(r.Timeframe), yes(r.Budget),
				r.CreatedAt.UTC().Format(dateInput)})
		})
	})
}

func (a *App) loadLead(c echo.Context) (*models.Lead, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadLead(a.db, id)
}

func (a *App) editableLead(c echo.Context) (*models.Lead, error) {
	l, err := a.loadLead(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditOwned(l.OwnerID) {
		return nil, errForbidden
	}
	return l, nil
}

// campaignPicker is the campaign field of the opportunity and lead forms.
func (a *App) campaignPicker(id, text string, matches []views.Option, errs *views.Errors) (views.Picker, error) {
	in := views.In{Label: "Campaign", Name: "campaign_id", Errs: errs}
	p, _, err := a.picker(models.CampaignPick{}, in, "campaign_name", id, text, matches, "No campaign")
	return p, err
}

func (a *App) fillLeadChoices(f *views.LeadForm, u *models.User, keepOwner uint) error {
	var err error
	if f.Campaign, err = a.campaignPicker(f.CampaignID, f.CampaignName, f.CampaignMatches, &f.Errs); err != nil {
		return err
	}
	if u.SeesAllRecords() {
		users, err := models.OwnerChoices(a.db, keepOwner)
		if err != nil {
			return err
		}
		f.Owners = userOptions(users, f.OwnerID, "")
	} else {
		f.OwnerName = u.Name
	}
	return nil
}

func (a *App) newLead(c echo.Context) error {
	u := currentUser(c)
	f := views.LeadForm{OwnerID: idStr(u.ID), CampaignID: c.QueryParam("campaign_id")}
	if err := a.fillLeadChoices(&f, u, 0); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LeadFormPage(a.page(c, "New lead"), f))
}

func leadForm(l *models.Lead) views.LeadForm {
	f := views.LeadForm{ID: l.ID, PersonName: l.PersonName, CompanyName: l.CompanyName, Email: l.Email, Phone: l.Phone,
		CampaignID: optID(l.CampaignID), OwnerID: idStr(l.OwnerID),
		Need: onOff(l.Need), NeedNote: l.NeedNote, Solution: onOff(l.Solution), SolutionNote: l.SolutionNote,
		Timeframe: onOff(l.Timeframe), TimeframeNote: l.TimeframeNote, Budget: onOff(l.Budget), BudgetNote: l.BudgetNote}
	return f
}

func (a *App) editLead(c echo.Context) error {
	l, err := a.editableLead(c)
	if err != nil {
		return err
	}
	if l.Status == models.LeadConverted {
		return echo.NewHTTPError(http.StatusConflict, "This lead has been converted; work on its opportunity instead.")
	}
	f := leadForm(l)
	if err := a.fillLeadChoices(&f, currentUser(c), l.OwnerID); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LeadFormPage(a.page(c, "Edit "+l.PersonName), f))
}

func (a *App) createLead(c echo.Context) error {
	return a.saveLead(c, &models.Lead{})
}

func (a *App) updateLead(c echo.Context) error {
	l, err := a.editableLead(c)
	if err != nil {
		return err
	}
	if l.Status == models.LeadConverted {
		return echo.NewHTTPError(http.StatusConflict, "This lead has been converted; work on its opportunity instead.")
	}
	return a.saveLead(c, l)
}

func (a *App) saveLead(c echo.Context, l *models.Lead) error {
	u := currentUser(c)
	var f views.LeadForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = l.ID
	f.Validate()
	cp, err := a.pickField(models.CampaignPick{}, "campaign_id", &f.CampaignID, &f.CampaignName, &f.CampaignMatches, &f.Errs, false)
	if err != nil {
		return err
	}
	l.CampaignID = nil
	if cp != nil {
		l.CampaignID = &cp.ID
	}
	if u.SeesAllRecords() {
		var owner models.User
		if id, ok := parseID(f.OwnerID); !ok {
			f.Errs.Add("owner_id", "Choose an owner from the list.")
		} else if err := a.db.Where("active = ? OR id = ?", true, l.OwnerID).First(&owner, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			f.Errs.Add("owner_id", "Choose an active user as the owner.")
		} else if err != nil {
			return err
		} else {
			l.OwnerID = id
		}
	} else if l.ID == 0 {
		l.OwnerID = u.ID
	}
	title := "New lead"
	if l.ID != 0 {
		title = "Edit " + l.PersonName
	}
	if f.Errs.Any() {
		if err := a.fillLeadChoices(&f, u, l.OwnerID); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.LeadFormPage(a.page(c, title), f))
	}
	l.PersonName, l.CompanyName = strings.TrimSpace(f.PersonName), strings.TrimSpace(f.CompanyName)
	l.Email, l.Phone = models.NormalizeEmail(f.Email), strings.TrimSpace(f.Phone)
	l.Need, l.NeedNote = f.Need == "on", strings.TrimSpace(f.NeedNote)
	l.Solution, l.SolutionNote = f.Solution == "on", strings.TrimSpace(f.SolutionNote)
	l.Timeframe, l.TimeframeNote = f.Timeframe == "on", strings.TrimSpace(f.TimeframeNote)
	l.Budget, l.BudgetNote = f.Budget == "on", strings.TrimSpace(f.BudgetNote)
	l.Campaign, l.Owner, l.Opportunity = nil, nil, nil
	if l.ID == 0 {
		if err := models.CreateLead(a.db, l, u, a.now().UTC()); err != nil {
			return err
		}
		return a.redirectWithFlash(c, "/leads/"+idStr(l.ID), "Created the lead "+l.PersonName+".")
	}
	if err := models.SaveLead(a.db, l); err != nil {
		return err
	}
	msg := "Saved " + l.PersonName + "."
	if len(l.Missing()) == 0 {
		msg += " All four criteria hold: it can be converted to an opportunity."
	}
	return a.redirectWithFlash(c, "/leads/"+idStr(l.ID), msg)
}

func (a *App) showLead(c echo.Context) error {
	l, err := a.loadLead(c)
	if err != nil {
		return err
	}
	return a.renderLead(c, l, http.StatusOK, views.Errors{}, "")
}

func (a *App) renderLead(c echo.Context, l *models.Lead, status int, errs views.Errors, reason string) error {
	def := models.ConvertDefaults(l, a.now().UTC())
	return a.renderLeadWith(c, l, status, errs, reason, views.ConvertForm{Title: def.Title, Close: def.Close.Format(dateInput)})
}

// renderLeadWith is renderLead with the conversion form as the user filled it.
func (a *App) renderLeadWith(c echo.Context, l *models.Lead, status int, errs views.Errors, reason string, conv views.ConvertForm) error {
	events, err := models.LeadEvents(a.db, l.ID)
	if err != nil {
		return err
	}
	v := views.LeadView{ID: l.ID, PersonName: l.PersonName, CompanyName: l.CompanyName, Email: l.Email, Phone: l.Phone,
		Status: l.Status.Label(), StatusKey: string(l.Status), DisqualifyReason: l.DisqualifyReason, Owner: l.Owner.Name,
		CanEdit: currentUser(c).CanEditOwned(l.OwnerID), Converted: l.Status == models.LeadConverted,
		Missing: strings.Join(l.Missing(), ", "), DisqualifyErr: errs, Reason: reason, Convert: conv,
		Criteria: []views.CriterionNote{
			{Label: "Need: the customer has a need or requirement", Met: l.Need, Note: l.NeedNote},
			{Label: "Solution: we have a solution for it", Met: l.Solution, Note: l.SolutionNote},
			{Label: "Timeframe: it must be done by a specific time", Met: l.Timeframe, Note: l.TimeframeNote},
			{Label: "Budget: the customer has a budget", Met: l.Budget, Note: l.BudgetNote},
		}}
	if l.Campaign != nil {
		v.Campaign, v.CampaignID = l.Campaign.Name, l.Campaign.ID
	}
	if l.Opportunity != nil {
		v.OppID, v.OppTitle = l.Opportunity.ID, l.Opportunity.Title
	}
	for _, e := range events {
		who := "System"
		if e.User != nil {
			who = e.User.Name
		}
		label := map[string]string{"status": "Status", "owner": "Owner"}[e.Field]
		if label == "" {
			label = e.Field
		}
		v.History = append(v.History, views.ChangeRow{When: e.CreatedAt.UTC().Format("2 Jan 2006 15:04"), Who: who, Field: label, Old: e.OldValue, New: e.NewValue})
	}
	return render(c, status, views.LeadPage(a.page(c, l.PersonName), v))
}

func (a *App) setLeadStatus(c echo.Context) error {
	l, err := a.editableLead(c)
	if err != nil {
		return err
	}
	status := models.LeadStatus(c.FormValue("status"))
	reason := c.FormValue("reason")
	if status == models.LeadConverted || !status.Valid() {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose New, Qualified or Disqualified. A lead becomes Converted by converting it.")
	}
	var errs views.Errors
	if len([]rune(reason)) > 300 {
		errs.Add("reason", "The reason is too long: at most 300 characters.")
		return a.renderLead(c, l, http.StatusUnprocessableEntity, errs, reason)
	}
	err = models.SetLeadStatus(a.db, l, status, reason, currentUser(c), a.now().UTC())
	switch {
	case errors.Is(err, models.ErrReasonNeeded):
		errs.Add("reason", "Say why the lead is disqualified.")
		return a.renderLead(c, l, http.StatusUnprocessableEntity, errs, reason)
	case errors.Is(err, models.ErrAlreadyConverted):
		return echo.NewHTTPError(http.StatusConflict, "This lead has already been converted.")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/leads/"+idStr(l.ID), l.PersonName+" is now "+strings.ToLower(status.Label())+".")
}

func (a *App) convertLead(c echo.Context) error {
	l, err := a.editableLead(c)
	if err != nil {
		return err
	}
	// The title and close date the user chose: each left out (a form of
	// before, a hand-made POST) takes its default; one given wrong is 422.
	var choice models.ConvertChoice
	conv := views.ConvertForm{Title: strings.TrimSpace(c.FormValue("title")), Close: strings.TrimSpace(c.FormValue("projected_close_date"))}
	choice.Title = conv.Title
	if len([]rune(conv.Title)) > 200 {
		conv.Errs.Add("title", "Keep the title to 200 characters.")
	}
	if d := optionalDate(&conv.Errs, "projected_close_date", conv.Close); d != nil {
		choice.Close = *d
	}
	if conv.Errs.Any() {
		return a.renderLeadWith(c, l, http.StatusUnprocessableEntity, views.Errors{}, "", conv)
	}
	opp, err := models.ConvertLeadAs(a.db, l.ID, choice, currentUser(c), a.now().UTC())
	var missing *models.MissingCriteriaError
	switch {
	case errors.As(err, &missing):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Not converted: a lead becomes an opportunity only when all four criteria hold. Still missing: "+strings.Join(missing.Missing, ", ")+".")
	case errors.Is(err, models.ErrAlreadyConverted):
		return echo.NewHTTPError(http.StatusConflict, "This lead has already been converted.")
	case errors.Is(err, models.ErrNoStage):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "No open opportunity stage is active: an admin must activate one first.")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(opp.ID), "Converted "+l.PersonName+" into this opportunity.")
}

// bulkLeads assigns the ticked leads to an owner (managers and admins) or sets
// their status (each lead the user may change).
func (a *App) bulkLeads(c echo.Context) error {
	u := currentUser(c)
	form, err := c.FormParams()
	if err != nil {
		return errBadForm
	}
	back := safeNext(form.Get("back"))
	if back == "" {
		back = "/leads"
	}
	var ids []uint
	for _, s := range form["ids"] {
		if id, ok := parseID(s); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return a.redirectWithFlash(c, back, "Nothing changed: tick the leads first.")
	}
	if len(ids) > 1000 {
		return a.redirectWithFlash(c, back, "Nothing changed: at most 1,000 leads at a time.")
	}
	now := a.now().UTC()
	switch form.Get("action") {
	case "assign":
		if !u.SeesAllRecords() {
			return errForbidden
		}
		ownerID, ok := parseID(form.Get("owner_id"))
		if !ok {
			return a.redirectWithFlash(c, back, "Nothing changed: choose the new owner.")
		}
		n, err := models.BulkAssignLeads(a.db, ids, ownerID, u, now)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return a.redirectWithFlash(c, back, "Nothing changed: the new owner must be an active user.")
		}
		if err != nil {
			return err
		}
		return a.redirectWithFlash(c, back, "Assigned "+countNoun(int64(n), "lead", "leads")+".")
	case "status":
		status := models.LeadStatus(form.Get("status"))
		if status == models.LeadConverted || !status.Valid() {
			return a.redirectWithFlash(c, back, "Nothing changed: choose New, Qualified or Disqualified.")
		}
		reason := strings.TrimSpace(form.Get("reason"))
		if status == models.LeadDisqualified && reason == "" {
			return a.redirectWithFlash(c, back, "Nothing changed: say why the leads are disqualified.")
		}
		if len([]rune(reason)) > 300 {
			reason = string([]rune(reason)[:300])
		}
		n, err := models.BulkLeadStatus(a.db, ids, status, reason, u, now)
		if err != nil {
			return err
		}
		return a.redirectWithFlash(c, back, "Set "+countNoun(int64(n), "lead", "leads")+" to "+strings.ToLower(status.Label())+
			" (converted leads, and leads you may not change, are left as they were).")
	}
	return a.redirectWithFlash(c, back, "Nothing changed: choose what to do.")
}

var _ = strconv.Itoa
