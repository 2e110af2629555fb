package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// oppColumns are the sortable columns of the list, with how each direction reads.
var oppColumns = []struct{ key, label, asc, desc string }{
	{"title", "Title", "A–Z", "Z–A"}, {"organization", "Organization", "A–Z", "Z–A"}, {"owner", "Owner", "A–Z", "Z–A"},
	{"stage", "Stage", "first to last", "last to first"}, {"status", "Status", "A–Z", "Z–A"},
	{"probability", "Probability", "lowest first", "highest first"}, {"close", "Projected close", "soonest first", "latest first"},
	{"amount", "Amount", "smallest first", "largest first"},
}

func (a *App) listOpportunities(c echo.Context) error {
	u := currentUser(c)
	q := c.QueryParams()
	// sort=amount sorts ascending, sort=-amount descending.
	f := models.OppFilter{Text: truncate(q.Get("q"), 200), Sort: strings.TrimPrefix(q.Get("sort"), "-"), Desc: strings.HasPrefix(q.Get("sort"), "-")}
	if _, ok := models.OppSorts[f.Sort]; !ok {
		f.Sort, f.Desc = "close", false
	}
	// The list opens on the deals still in play; "all" shows every status.
	status := q.Get("status")
	switch s := models.OppStatus(status); {
	case s.Valid():
		f.Status = s
	case status == "all":
	default:
		status, f.OpenOnly = "open", true
	}
	owner := q.Get("owner")
	if owner == "me" {
		f.OwnerID = u.ID
	} else if id, err := strconv.ParseUint(owner, 10, 32); err == nil {
		f.OwnerID = uint(id)
	} else {
		owner = ""
	}
	p := models.NewPage(pageNumber(q.Get("page")))
	rows, more, err := models.ListOpportunities(a.db, f, p)
	if err != nil {
		return err
	}
	totals, err := models.TotalOpportunities(a.db, f)
	if err != nil {
		return err
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}

	v := views.OppListPage{
		Text: f.Text, Rows: oppRows(rows, a.now()),
		Pager:    pager("/opportunities", q, p, len(rows), more),
		Count:    strconv.FormatInt(totals.Count, 10) + " opportunit" + map[bool]string{true: "y", false: "ies"}[totals.Count == 1],
		Total:    totals.Amount.Display(),
		Filtered: f.Text != "" || status != "open" || owner != "",
	}
	sortValue := f.Sort
	if f.Desc {
		sortValue = "-" + f.Sort
	}
	for _, col := range oppColumns {
		for _, desc := range []bool{false, true} {
			val, label := col.key, col.label+" "+col.asc
			if desc {
				val, label = "-"+col.key, col.label+" "+col.desc
			}
			v.Sorts = append(v.Sorts, views.Option{Value: val, Label: label, Selected: val == sortValue})
		}
	}
	v.Statuses = append(v.Statuses, views.Option{Value: "open", Label: "Open (Active, Not Ready To Buy)", Selected: status == "open"},
		views.Option{Value: "all", Label: "All statuses", Selected: status == "all"})
	for _, s := range models.OppStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: s == f.Status})
	}
	v.Owners = append(userOptions(nil, owner, "Everyone"), views.Option{Value: "me", Label: "Mine", Selected: owner == "me"})
	v.Owners = append(v.Owners, userOptions(users, owner, "")...)
	for _, col := range oppColumns {
		h := views.SortHeader{Label: col.label, Active: col.key == f.Sort, Num: col.key == "amount" || col.key == "probability"}
		h.Desc = h.Active && f.Desc
		q2 := url.Values{}
		for k, vs := range q {
			q2[k] = vs
		}
		q2.Del("page")
		q2.Set("sort", col.key)
		if h.Active && !f.Desc {
			q2.Set("sort", "-"+col.key)
		}
		h.URL = "/opportunities?" + q2.Encode()
		v.Headers = append(v.Headers, h)
	}
	return render(c, http.StatusOK, views.OpportunitiesPage(a.page(c, "Opportunities"), v))
}

func (a *App) showOpportunity(c echo.Context) error {
	o, err := a.loadOpportunity(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	t := today(a.now())
	v := views.OppView{
		ID: o.ID, Title: o.Title, OrgID: o.OrganizationID, OrgName: o.Organization.Name, Owner: o.Owner.Name,
		Stage: o.Stage.Name, Status: o.Status.Label(), StatusKey: string(o.Status),
		Probability: strconv.Itoa(o.Probability) + "%", Rating: o.Rating.Label(),
		Close: o.ProjectedCloseDate.Format(dateShown), Overdue: o.Status.Open() && o.ProjectedCloseDate.Before(t),
		Onetime: o.Revenue.OneTime.Display(), Monthly: o.Revenue.Monthly.Display(), Amount: o.Amount.Display(),
		Weighted: o.Weighted().Display(), Description: o.Description, CanEdit: u.CanEditOwned(o.OwnerID),
		Created: o.CreatedAt.Format(dateShown), Updated: o.UpdatedAt.Format(dateShown),
		Criteria: []views.Criterion{
			{Label: "The customer has a need or requirement", Met: o.Need},
			{Label: "We have a solution for it", Met: o.Solution},
			{Label: "It must be done in a specific timeframe", Met: o.Timeframe},
			{Label: "The customer has a budget", Met: o.Budget},
		},
	}
	if o.Contact != nil {
		v.Contact = o.Contact.FullName()
	}
	if u.SeesAllRecords() {
		v.Cost, v.Margin = o.Cost.FirstYear().Display(), o.Margin().Display()
	}
	return render(c, http.StatusOK, views.OpportunityPage(a.page(c, o.Title), v))
}

func (a *App) loadOpportunity(c echo.Context) (*models.Opportunity, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadOpportunity(a.db, id)
}

func (a *App) newOpportunity(c echo.Context) error {
	u := currentUser(c)
	stages, err := models.ActiveStages(a.db)
	if err != nil {
		return err
	}
	f := views.OppForm{
		Status: string(models.StatusActive), OwnerID: idStr(u.ID),
		ProjectedCloseDate: today(a.now()).AddDate(0, 1, 0).Format(dateInput),
		OrganizationID:     c.QueryParam("organization_id"),
	}
	if len(stages) > 0 {
		f.StageID = idStr(stages[0].ID)
	}
	if err := a.fillOppChoices(&f, u, 0); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OpportunityFormPage(a.page(c, "New opportunity"), f))
}

func (a *App) editOpportunity(c echo.Context) error {
	o, err := a.loadOpportunity(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !u.CanEditOwned(o.OwnerID) {
		return errForbidden
	}
	f := oppForm(o)
	if err := a.fillOppChoices(&f, u, o.StageID); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OpportunityFormPage(a.page(c, "Edit "+o.Title), f))
}

func oppForm(o *models.Opportunity) views.OppForm {
	f := views.OppForm{
		ID: o.ID, Version: strconv.Itoa(o.Version), Title: o.Title, OrganizationID: idStr(o.OrganizationID),
		OwnerID: idStr(o.OwnerID), StageID: idStr(o.StageID), Status: string(o.Status),
		Probability: strconv.Itoa(o.Probability), Rating: string(o.Rating),
		ProjectedCloseDate: o.ProjectedCloseDate.Format(dateInput),
		OnetimeRevenue:     o.Revenue.OneTime.Input(), MonthlyRevenue: o.Revenue.Monthly.Input(),
		OnetimeCost: o.Cost.OneTime.Input(), MonthlyCost: o.Cost.Monthly.Input(), Description: o.Description,
		Need: onOff(o.Need), Solution: onOff(o.Solution), Timeframe: onOff(o.Timeframe), Budget: onOff(o.Budget),
	}
	if o.ContactID != nil {
		f.ContactID = idStr(*o.ContactID)
	}
	return f
}

func (a *App) createOpportunity(c echo.Context) error {
	u := currentUser(c)
	var f views.OppForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	o := models.Opportunity{OwnerID: u.ID, Version: 1}
	if err := a.decodeOpp(&f, &o, u); err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.rerenderOpp(c, f, u, 0, http.StatusUnprocessableEntity, "New opportunity")
	}
	if err := models.CreateOpportunity(a.db, &o, u, a.now().UTC()); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), "Created opportunity “"+o.Title+"”.")
}

func (a *App) updateOpportunity(c echo.Context) error {
	u := currentUser(c)
	o, err := a.loadOpportunity(c)
	if err != nil {
		return err
	}
	if !u.CanEditOwned(o.OwnerID) {
		return errForbidden
	}
	var f views.OppForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = o.ID
	version, _ := strconv.Atoi(f.Version)
	currentStage := o.StageID
	if err := a.decodeOpp(&f, o, u); err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.rerenderOpp(c, f, u, currentStage, http.StatusUnprocessableEntity, "Edit "+o.Title)
	}
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	_, err = models.SaveOpportunity(a.db, o, version, u, a.now().UTC())
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		f.Errs.Add("title", "Someone else saved this opportunity after you opened it. Your changes are kept below: open the opportunity in a new tab to see theirs, then save again.")
		f.Version = strconv.Itoa(conflict.Current.Version)
		return a.rerenderOpp(c, f, u, currentStage, http.StatusConflict, "Edit "+o.Title)
	}
	if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), "Saved “"+o.Title+"”.")
}

func (a *App) rerenderOpp(c echo.Context, f views.OppForm, u *models.User, keepStage uint, status int, title string) error {
	if err := a.fillOppChoices(&f, u, keepStage); err != nil {
		return err
	}
	return render(c, status, views.OpportunityFormPage(a.page(c, title), f))
}

// fillOppChoices loads the options of the form's selects. keepStage keeps an
// inactive stage offered on the record that already has it.
func (a *App) fillOppChoices(f *views.OppForm, u *models.User, keepStage uint) error {
	orgs, err := models.OrganizationChoices(a.db)
	if err != nil {
		return err
	}
	f.Organizations = []views.Option{{Value: "", Label: "Choose an organization"}}
	for _, o := range orgs {
		f.Organizations = append(f.Organizations, views.Option{Value: idStr(o.ID), Label: o.Name, Selected: idStr(o.ID) == f.OrganizationID})
	}
	contacts, err := models.ContactChoices(a.db)
	if err != nil {
		return err
	}
	byOrg := map[uint][]models.Contact{}
	for _, ct := range contacts {
		byOrg[ct.OrganizationID] = append(byOrg[ct.OrganizationID], ct)
	}
	// Contacts of the chosen organization come first, then the others grouped by organization.
	f.Contacts = []views.Option{{Value: "", Label: "No contact"}}
	for pass := 0; pass < 2; pass++ {
		for _, o := range orgs {
			if (pass == 0) != (idStr(o.ID) == f.OrganizationID) {
				continue
			}
			for _, ct := range byOrg[o.ID] {
				f.Contacts = append(f.Contacts, views.Option{Value: idStr(ct.ID), Label: ct.FullName(), Group: o.Name, Selected: idStr(ct.ID) == f.ContactID})
			}
		}
	}
	if u.SeesAllRecords() {
		users, err := models.ActiveUsers(a.db)
		if err != nil {
			return err
		}
		f.Owners = userOptions(users, f.OwnerID, "")
		f.ShowCost = true
	} else {
		f.OwnerName = u.Name
	}
	var stages []models.Stage
	if err := a.db.Where("active = ? OR id = ?", true, keepStage).Order("position, id").Find(&stages).Error; err != nil {
		return err
	}
	f.Stages = nil
	for _, s := range stages {
		label := s.Name + " (" + strconv.Itoa(s.DefaultProbability) + "%)"
		f.Stages = append(f.Stages, views.Option{Value: idStr(s.ID), Label: label, Selected: idStr(s.ID) == f.StageID})
	}
	f.Statuses = nil
	for _, s := range models.OppStatuses {
		f.Statuses = append(f.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: string(s) == f.Status})
	}
	f.Ratings = []views.Option{{Value: "", Label: "Not rated", Selected: f.Rating == ""}}
	for _, r := range models.Ratings {
		f.Ratings = append(f.Ratings, views.Option{Value: string(r), Label: r.Label(), Selected: string(r) == f.Rating})
	}
	return nil
}

// decodeOpp checks the form and copies it onto o field by field. Problems a user
// can fix are added to f.Errs; only database failures are returned as errors.
func (a *App) decodeOpp(f *views.OppForm, o *models.Opportunity, u *models.User) error {
	f.Validate()
	e := &f.Errs
	o.Title = strings.TrimSpace(f.Title)
	o.Description = strings.TrimSpace(f.Description)

	var org models.Organization
	if id, ok := parseID(f.OrganizationID); !ok {
		e.Add("organization_id", "Choose an organization from the list.")
	} else if err := a.db.Select("id").First(&org, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		e.Add("organization_id", "That organization does not exist any more. Choose another.")
	} else if err != nil {
		return err
	} else {
		o.OrganizationID = id
	}

	o.ContactID = nil
	if f.ContactID != "" {
		var ct models.Contact
		if id, ok := parseID(f.ContactID); !ok {
			e.Add("contact_id", "Choose a contact from the list.")
		} else if err := a.db.Select("id", "organization_id").First(&ct, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			e.Add("contact_id", "That contact does not exist any more. Choose another.")
		} else if err != nil {
			return err
		} else if ct.OrganizationID != o.OrganizationID {
			e.Add("contact_id", "This contact works for another organization. Choose one of the chosen organization’s contacts.")
		} else {
			o.ContactID = &id
		}
	}

	if u.SeesAllRecords() {
		var owner models.User
		if id, ok := parseID(f.OwnerID); !ok {
			e.Add("owner_id", "Choose an owner from the list.")
		} else if err := a.db.Where("active = ?", true).Select("id").First(&owner, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			e.Add("owner_id", "Choose an active user as the owner.")
		} else if err != nil {
			return err
		} else {
			o.OwnerID = id
		}
	} else {
		o.OwnerID = u.ID // a rep's opportunities are their own
	}

	var stage models.Stage
	if id, ok := parseID(f.StageID); !ok {
		e.Add("stage_id", "Choose a stage from the list.")
	} else if err := a.db.Where("active = ? OR id = ?", true, o.StageID).First(&stage, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		e.Add("stage_id", "Choose a stage from the list.")
	} else if err != nil {
		return err
	} else {
		o.StageID = id
	}

	if s := models.OppStatus(f.Status); s.Valid() {
		o.Status = s
	} else {
		e.Add("status", "Choose a status from the list.")
	}
	if p := strings.TrimSpace(f.Probability); p == "" {
		o.Probability, o.ProbabilityOverride = stage.DefaultProbability, false
		if stage.ID != 0 {
			f.Probability = strconv.Itoa(stage.DefaultProbability)
		}
	} else if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 100 {
		e.Add("probability", "Enter a whole number from 0 to 100.")
	} else {
		o.Probability = n
		o.ProbabilityOverride = n != stage.DefaultProbability
	}
	if r := models.Rating(f.Rating); r.Valid() {
		o.Rating = r
	} else {
		e.Add("rating", "Choose a rating from the list.")
	}
	if d, ok := parseDate(f.ProjectedCloseDate); ok {
		o.ProjectedCloseDate = d
	} else if strings.TrimSpace(f.ProjectedCloseDate) == "" {
		e.Add("projected_close_date", "Projected close date is required.")
	} else {
		e.Add("projected_close_date", "Enter a date such as 2026-12-31, between the years 2000 and 2100.")
	}
	money := func(field, value string, dst *models.Money) {
		m, err := models.ParseMoney(value)
		switch {
		case err != nil:
			e.Add(field, "Enter an amount such as 1250 or 1,250.50.")
		case m < 0:
			e.Add(field, "The amount cannot be negative.")
		default:
			*dst = m
		}
	}
	money("onetime_revenue", f.OnetimeRevenue, &o.Revenue.OneTime)
	money("monthly_revenue", f.MonthlyRevenue, &o.Revenue.Monthly)
	if u.SeesAllRecords() {
		money("onetime_cost", f.OnetimeCost, &o.Cost.OneTime)
		money("monthly_cost", f.MonthlyCost, &o.Cost.Monthly)
	}
	if o.Revenue.FirstYear() > models.MaxMoney {
		e.Add("monthly_revenue", "The total amount is too large.")
	}
	o.Need, o.Solution, o.Timeframe, o.Budget = f.Need == "on", f.Solution == "on", f.Timeframe == "on", f.Budget == "on"
	return nil
}

func parseID(s string) (uint, bool) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	return uint(id), err == nil && id > 0
}

func parseDate(s string) (time.Time, bool) {
	d, err := time.Parse(dateInput, strings.TrimSpace(s))
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, false
	}
	return d, true
}

func idStr(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// truncate keeps a search term to a sane length, on a rune boundary.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
