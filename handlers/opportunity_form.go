package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

func (a *App) loadOpportunity(c echo.Context) (*models.Opportunity, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadOpportunity(a.read, id)
}

func (a *App) newOpportunity(c echo.Context) error {
	u := currentUser(c)
	stages, err := a.stages(false)
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
		f.Probability = strconv.Itoa(stages[0].DefaultProbability)
	}
	if err := a.fillOppChoices(&f, u, nil, featuresOf(c)); err != nil {
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
	if err := a.fillOppChoices(&f, u, o, featuresOf(c)); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OpportunityFormPage(a.page(c, "Edit "+o.Title), f))
}

// revenueField and costField map a period to its form field.
func revenueField(f *views.OppForm, p models.Period) *string {
	switch p {
	case models.Monthly:
		return &f.RevenueMonthly
	case models.Quarterly:
		return &f.RevenueQuarterly
	case models.SemiAnnual:
		return &f.RevenueSemiAnnual
	case models.Yearly:
		return &f.RevenueYearly
	}
	return &f.RevenueOneTime
}

func costField(f *views.OppForm, p models.Period) *string {
	switch p {
	case models.Monthly:
		return &f.CostMonthly
	case models.Quarterly:
		return &f.CostQuarterly
	case models.SemiAnnual:
		return &f.CostSemiAnnual
	case models.Yearly:
		return &f.CostYearly
	}
	return &f.CostOneTime
}

func optID(p *uint) string {
	if p == nil {
		return ""
	}
	return idStr(*p)
}

func oppForm(o *models.Opportunity) views.OppForm {
	f := views.OppForm{
		ID: o.ID, Version: strconv.Itoa(o.Version), Title: o.Title, OrganizationID: idStr(o.OrganizationID),
		ContactID: optID(o.ContactID), OwnerID: idStr(o.OwnerID), StageID: idStr(o.StageID), Status: string(o.Status),
		Probability: strconv.Itoa(o.Probability), ProbabilityOverride: onOff(o.ProbabilityOverride), Rating: string(o.Rating),
		ProjectedCloseDate: o.ProjectedCloseDate.Format(dateInput), CategoryID: optID(o.CategoryID),
		LeadSourceID: optID(o.LeadSourceID), CompetitorID: optID(o.CompetitorID), CampaignID: optID(o.CampaignID),
		UseQuoteTotals: onOff(o.UseQuoteTotals), NextStep: o.NextStep, Description: o.Description,
		Need: onOff(o.Need), Solution: onOff(o.Solution), Timeframe: onOff(o.Timeframe), Budget: onOff(o.Budget),
	}
	if o.StartDate != nil {
		f.StartDate = o.StartDate.Format(dateInput)
	}
	for _, p := range models.Periods {
		*revenueField(&f, p) = o.Revenue.Get(p).Input()
		*costField(&f, p) = o.Cost.Get(p).Input()
	}
	return f
}

func (a *App) createOpportunity(c echo.Context) error {
	u := currentUser(c)
	var f views.OppForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	o := models.Opportunity{OwnerID: u.ID}
	if err := a.decodeOpp(&f, &o, nil, u, featuresOf(c)); err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.rerenderOpp(c, f, u, nil, http.StatusUnprocessableEntity, "New opportunity")
	}
	if err := models.CreateOpportunity(a.db, &o, u, a.now().UTC()); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), "Created opportunity “"+o.Title+"”.")
}

func (a *App) updateOpportunity(c echo.Context) error {
	u := currentUser(c)
	before, err := a.loadOpportunity(c)
	if err != nil {
		return err
	}
	if !u.CanEditOwned(before.OwnerID) {
		return errForbidden
	}
	var f views.OppForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = before.ID
	version := parseVersion(f.Version)
	o := *before
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	if err := a.decodeOpp(&f, &o, before, u, featuresOf(c)); err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.rerenderOpp(c, f, u, before, http.StatusUnprocessableEntity, "Edit "+before.Title)
	}
	changes, err := models.SaveOpportunity(a.db, &o, version, u, a.now().UTC())
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		// Keep the user's input; show what the others changed; accept the next save
		// against the version the user has now seen.
		f.Conflict, f.ConflictBy = changeRows(models.ShownHistory(conflict.Changes, featuresOf(c))), conflictBy(conflict.Changes)
		f.Version = strconv.Itoa(conflict.Current.Version)
		current, err := models.LoadOpportunity(a.db, o.ID)
		if err != nil {
			return err
		}
		return a.rerenderOpp(c, f, u, current, http.StatusConflict, "Edit "+before.Title)
	}
	if err != nil {
		return err
	}
	msg := "Saved “" + o.Title + "”."
	if len(changes) == 0 {
		msg = "Nothing to save: no field was changed."
	}
	return a.redirectWithFlash(c, "/opportunities/"+idStr(o.ID), msg)
}

func (a *App) rerenderOpp(c echo.Context, f views.OppForm, u *models.User, current *models.Opportunity, status int, title string) error {
	if err := a.fillOppChoices(&f, u, current, featuresOf(c)); err != nil {
		return err
	}
	return render(c, status, views.OpportunityFormPage(a.page(c, title), f))
}

// fillOppContacts fills the contact select. While the organization is a
// select (orgs, at most models.PickSelectMax) and their contacts number at most
// models.PickSelectMax, it offers them all, grouped by organization, those of
// the chosen one first, so that a browser without JavaScript picks both at
// once. Otherwise only the chosen organization's contacts, the first
// models.PickSelectMax by name and the current one (the script reloads them
// when another organization is chosen).
func (a *App) fillOppContacts(f *views.OppForm, orgs []models.Pick, typed bool) error {
	f.Contacts = []views.Option{{Value: "", Label: "No contact"}}
	f.ContactsOfChosen, f.ContactsCapped = true, false
	if !typed {
		ids := make([]uint, len(orgs))
		for i, o := range orgs {
			ids[i] = o.ID
		}
		contacts, err := models.ContactChoices(a.db, ids, models.PickSelectMax+1)
		if err != nil {
			return err
		}
		if len(contacts) <= models.PickSelectMax {
			f.ContactsOfChosen = false
			byOrg := map[uint][]models.Contact{}
			for _, ct := range contacts {
				byOrg[ct.OrganizationID] = append(byOrg[ct.OrganizationID], ct)
			}
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
			return nil
		}
	}
	orgID, ok := parseID(f.OrganizationID)
	if !ok || len(f.OrgMatches) > 0 {
		return nil
	}
	contacts, err := models.ContactChoices(a.db, []uint{orgID}, models.PickSelectMax+1)
	if err != nil {
		return err
	}
	if len(contacts) > models.PickSelectMax {
		contacts, f.ContactsCapped = contacts[:models.PickSelectMax], true
	}
	// The current contact, wherever it sorts, so that saving keeps it.
	if id, ok := parseID(f.ContactID); ok && !slices.ContainsFunc(contacts, func(ct models.Contact) bool { return ct.ID == id }) {
		var ct models.Contact
		err := a.db.Select("id", "organization_id", "first_name", "last_name").Where("organization_id = ?", orgID).Limit(1).Find(&ct, id).Error
		if err != nil {
			return err
		}
		if ct.ID != 0 {
			contacts = append(contacts, ct)
		}
	}
	for _, ct := range contacts {
		f.Contacts = append(f.Contacts, views.Option{Value: idStr(ct.ID), Label: ct.FullName(), Selected: idStr(ct.ID) == f.ContactID})
	}
	return nil
}

// fillOppChoices loads the options of the form's selects. current is the stored
// opportunity when editing: its inactive picklist values and stage stay offered.
func (a *App) fillOppChoices(f *views.OppForm, u *models.User, current *models.Opportunity, feats models.Features) error {
	if current == nil {
		current = &models.Opportunity{Status: models.StatusActive}
	}
	in := views.In{Label: "Organization", Name: "organization_id", Required: true, Errs: &f.Errs}
	picker, orgs, err := a.picker(models.OrgPick{Keep: current.OrganizationID}, in, "organization_name",
		f.OrganizationID, f.OrganizationName, f.OrgMatches, "Choose an organization")
	if err != nil {
		return err
	}
	f.Organization = picker
	if err := a.fillOppContacts(f, orgs, picker.Typed); err != nil {
		return err
	}
	if u.SeesAllRecords() {
		users, err := models.OwnerChoices(a.db, current.OwnerID)
		if err != nil {
			return err
		}
		f.Owners = userOptions(users, f.OwnerID, "")
		f.ShowCost = true
	} else {
		f.OwnerName = u.Name
	}
	f.Stages = nil
	if current.Status.Open() {
		var stages []models.Stage
		if err := a.db.Where("(active = ? AND is_won = ? AND is_lost = ?) OR id = ?", true, false, false, current.StageID).
			Order("position, id").Find(&stages).Error; err != nil {
			return err
		}
		for _, s := range stages {
			label := s.Name + " (" + strconv.Itoa(s.DefaultProbability) + "%)"
			f.Stages = append(f.Stages, views.Option{Value: idStr(s.ID), Label: label, Selected: idStr(s.ID) == f.StageID})
		}
	} else if current.Stage != nil {
		f.StageName = current.Stage.Name
	}
	f.Statuses = nil
	for _, s := range allowedStatuses(current.Status) {
		f.Statuses = append(f.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: string(s) == f.Status})
	}
	f.Ratings = []views.Option{{Value: "", Label: "Not rated", Selected: f.Rating == ""}}
	for _, r := range models.Ratings {
		f.Ratings = append(f.Ratings, views.Option{Value: string(r), Label: r.Label(), Selected: string(r) == f.Rating})
	}
	for _, pl := range []struct {
		kind  models.PicklistKind
		dst   *[]views.Option
		sel   string
		keep  *uint
		blank string
	}{
		{models.Categories, &f.Categories, f.CategoryID, current.CategoryID, "No category"},
		{models.LeadSources, &f.LeadSources, f.LeadSourceID, current.LeadSourceID, "Unknown"},
		{models.Competitors, &f.Competitors, f.CompetitorID, current.CompetitorID, "None known"},
	} {
		vs, err := models.Picklist(a.db, pl.kind, false, pl.keep)
		if err != nil {
			return err
		}
		*pl.dst = append([]views.Option{{Value: "", Label: pl.blank}}, picklistOptions(vs, pl.sel)...)
	}
	f.ShowCampaign = feats.On(models.FeatureMarketing)
	if f.ShowCampaign {
		if f.Campaign, err = a.campaignPicker(f.CampaignID, f.CampaignName, f.CampaignMatches, &f.Errs); err != nil {
			return err
		}
	}
	f.Periods = nil
	for _, p := range models.Periods {
		p := p
		f.Periods = append(f.Periods, views.PeriodInput{Label: p.Label(),
			RevenueName: "revenue_" + string(p), RevenueValue: *revenueField(f, p),
			CostName: "cost_" + string(p), CostValue: *costField(f, p)})
	}
	return nil
}

// allowedStatuses are the statuses the edit form offers: won and lost are set by
// their own actions, which ask for a reason.
func allowedStatuses(s models.OppStatus) []models.OppStatus {
	switch s {
	case models.StatusClosed, models.StatusImplemented:
		return []models.OppStatus{models.StatusClosed, models.StatusImplemented}
	case models.StatusLost:
		return []models.OppStatus{models.StatusLost}
	}
	return []models.OppStatus{models.StatusActive, models.StatusNotReady}
}

// decodeOpp checks the form and copies it onto o field by field. Problems a user
// can fix are added to f.Errs; only database failures are returned as errors.
// before is the stored opportunity when editing, nil when creating.
func (a *App) decodeOpp(f *views.OppForm, o *models.Opportunity, before *models.Opportunity, u *models.User, feats models.Features) error {
	f.Validate()
	e := &f.Errs
	if before == nil {
		before = &models.Opportunity{Status: models.StatusActive}
	}
	o.Title = strings.TrimSpace(f.Title)
	o.Description = strings.TrimSpace(f.Description)
	o.NextStep = strings.TrimSpace(f.NextStep)

	org, err := a.pickField(models.OrgPick{Keep: before.OrganizationID}, "organization_id", &f.OrganizationID, &f.OrganizationName, &f.OrgMatches, e, true)
	if err != nil {
		return err
	}
	if org != nil {
		o.OrganizationID = org.ID
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
		} else if err := a.db.Where("active = ? OR id = ?", true, before.OwnerID).Select("id").First(&owner, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			e.Add("owner_id", "Choose an active user as the owner.")
		} else if err != nil {
			return err
		} else {
			o.OwnerID = id
		}
	} else if before.ID == 0 {
		o.OwnerID = u.ID // a rep's new opportunities are their own
	}

	if before.Status.Open() {
		var stage models.Stage
		if id, ok := parseID(f.StageID); !ok {
			e.Add("stage_id", "Choose a stage from the list.")
		} else if err := a.db.Where("(active = ? AND is_won = ? AND is_lost = ?) OR id = ?", true, false, false, before.StageID).
			First(&stage, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			e.Add("stage_id", "Choose a stage from the list.")
		} else if err != nil {
			return err
		} else {
			o.StageID = id
		}
	}
	status := models.OppStatus(f.Status)
	allowed := false
	for _, s := range allowedStatuses(before.Status) {
		allowed = allowed || s == status
	}
	if allowed {
		o.Status = status
	} else {
		e.Add("status", "Choose a status from the list. To close an opportunity, use “Mark as won” or “Mark as lost”.")
	}

	o.ProbabilityOverride = f.ProbabilityOverride == "on"
	if o.ProbabilityOverride {
		if n, err := strconv.Atoi(strings.TrimSpace(f.Probability)); err != nil || n < 0 || n > 100 {
			e.Add("probability", "Enter a whole number from 0 to 100.")
		} else {
			o.Probability = n
		}
	}
	if r := models.Rating(f.Rating); r.Valid() {
		o.Rating = r
	} else {
		e.Add("rating", "Choose a rating from the list.")
	}
	if strings.TrimSpace(f.ProjectedCloseDate) == "" {
		e.Add("projected_close_date", "Projected close date is required.")
	} else if d := optionalDate(e, "projected_close_date", f.ProjectedCloseDate); d != nil {
		o.ProjectedCloseDate = *d
	}
	o.StartDate = optionalDate(e, "start_date", f.StartDate)
	for _, pl := range []struct {
		field string
		kind  models.PicklistKind
		value string
		dst   **uint
		cur   *uint
	}{
		{"category_id", models.Categories, f.CategoryID, &o.CategoryID, before.CategoryID},
		{"lead_source_id", models.LeadSources, f.LeadSourceID, &o.LeadSourceID, before.LeadSourceID},
		{"competitor_id", models.Competitors, f.CompetitorID, &o.CompetitorID, before.CompetitorID},
	} {
		*pl.dst = nil
		if pl.value == "" {
			continue
		}
		id, ok := parseID(pl.value)
		if !ok {
			e.Add(pl.field, "Choose a value from the list.")
			continue
		}
		if err := models.CheckPicklist(a.db, pl.kind, id, pl.cur); errors.Is(err, models.ErrNotOffered) {
			e.Add(pl.field, "Choose a value from the list.")
		} else if err != nil {
			return err
		} else {
			*pl.dst = &id
		}
	}
	// The campaign is a field of Marketing: with it off the form has no such
	// field, and the stored campaign stays as it was.
	if feats.On(models.FeatureMarketing) {
		cp, err := a.pickField(models.CampaignPick{}, "campaign_id", &f.CampaignID, &f.CampaignName, &f.CampaignMatches, e, false)
		if err != nil {
			return err
		}
		o.CampaignID = nil
		if cp != nil {
			o.CampaignID = &cp.ID
		}
	}
	money := func(field, value string, dst *models.Money) {
		m, err := models.ParseMoney(value)
		switch {
		case err != nil:
			e.Add(field, moneyError(err))
		case m < 0:
			e.Add(field, "The amount cannot be negative.")
		default:
			*dst = m
		}
	}
	for _, p := range models.Periods {
		var m models.Money
		money("revenue_"+string(p), *revenueField(f, p), &m)
		o.Revenue.Set(p, m)
		if u.SeesAllRecords() {
			var c models.Money
			money("cost_"+string(p), *costField(f, p), &c)
			o.Cost.Set(p, c)
		}
	}
	if o.Revenue.FirstYear() > models.MaxMoney {
		e.Add("revenue_one_time", "The first-year amount is too large.")
	}
	o.Need, o.Solution, o.Timeframe, o.Budget = f.Need == "on", f.Solution == "on", f.Timeframe == "on", f.Budget == "on"
	o.UseQuoteTotals = f.UseQuoteTotals == "on"
	if o.UseQuoteTotals && before.ID != 0 {
		// The primary quote drives the amounts: what the form sent is replaced.
		var q models.Quote
		err := a.db.Select("id").Where("opportunity_id = ? AND is_primary = ?", before.ID, true).First(&q).Error
		if err == nil {
			full, err := models.LoadQuote(a.db, q.ID)
			if err != nil {
				return err
			}
			t := full.Totals()
			o.Revenue, o.Cost = t.Revenue, t.Costs
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
	}
	return nil
}

func parseID(s string) (uint, bool) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	return uint(id), err == nil && id > 0
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
