package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

func campaignTypeOptions(selected string) []views.Option {
	var opts []views.Option
	for _, t := range models.CampaignTypes {
		opts = append(opts, views.Option{Value: string(t), Label: t.Label(), Selected: string(t) == selected})
	}
	return opts
}

func dateRange(from, to *time.Time) string {
	switch {
	case from != nil && to != nil && !to.Equal(*from):
		return from.Format(dateShown) + " – " + to.Format(dateShown)
	case from != nil:
		return from.Format(dateShown)
	case to != nil:
		return "until " + to.Format(dateShown)
	}
	return "—"
}

func (a *App) listCampaigns(c echo.Context) error {
	q := c.QueryParams()
	f := models.CampaignFilter{Text: truncate(q.Get("q"), 200)}
	if t := models.CampaignType(q.Get("type")); t.Valid() {
		f.Type = t
	}
	f.OwnerID, _ = parseID(q.Get("owner"))
	p := models.NewPage(pageNumber(q.Get("page")))
	rows, more, err := models.ListCampaigns(a.db, f, p)
	if err != nil {
		return err
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}
	v := views.CampaignListPage{Text: f.Text, Pager: pager("/campaigns", q, p, len(rows), more),
		Types:  append([]views.Option{{Value: "", Label: "All types"}}, campaignTypeOptions(string(f.Type))...),
		Owners: userOptions(users, idStrOrEmpty(f.OwnerID), "Everyone")}
	for _, r := range rows {
		v.Rows = append(v.Rows, views.CampaignRow{ID: r.ID, Name: r.Name, Type: r.Type.Label(), Dates: dateRange(r.StartDate, r.EndDate),
			Cost: r.Cost.Display(), Owner: r.OwnerName, Leads: strconv.FormatInt(r.Leads, 10)})
	}
	return render(c, http.StatusOK, views.CampaignsPage(a.page(c, "Campaigns"), v))
}

func idStrOrEmpty(id uint) string {
	if id == 0 {
		return ""
	}
	return idStr(id)
}

func (a *App) loadCampaign(c echo.Context) (*models.Campaign, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var cp models.Campaign
	if err := a.db.Preload("Owner").First(&cp, id).Error; err != nil {
		return nil, err
	}
	return &cp, nil
}

func (a *App) fillCampaignChoices(f *views.CampaignForm, keepOwner uint) error {
	users, err := models.OwnerChoices(a.db, keepOwner)
	if err != nil {
		return err
	}
	f.Types, f.Owners = campaignTypeOptions(f.Type), userOptions(users, f.OwnerID, "")
	return nil
}

func (a *App) newCampaign(c echo.Context) error {
	f := views.CampaignForm{Type: "trade_show", OwnerID: idStr(currentUser(c).ID), StartDate: today(a.now()).Format(dateInput)}
	if err := a.fillCampaignChoices(&f, 0); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CampaignFormPage(a.page(c, "New campaign"), f))
}

func (a *App) editCampaign(c echo.Context) error {
	cp, err := a.loadCampaign(c)
	if err != nil {
		return err
	}
	if !currentUser(c).CanEditOwned(cp.OwnerID) {
		return errForbidden
	}
	f := views.CampaignForm{ID: cp.ID, Name: cp.Name, Type: string(cp.Type), Cost: cp.Cost.Input(), OwnerID: idStr(cp.OwnerID), Description: cp.Description}
	if cp.StartDate != nil {
		f.StartDate = cp.StartDate.Format(dateInput)
	}
	if cp.EndDate != nil {
		f.EndDate = cp.EndDate.Format(dateInput)
	}
	if err := a.fillCampaignChoices(&f, cp.OwnerID); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CampaignFormPage(a.page(c, "Edit "+cp.Name), f))
}

func (a *App) createCampaign(c echo.Context) error {
	return a.saveCampaign(c, &models.Campaign{})
}

func (a *App) updateCampaign(c echo.Context) error {
	cp, err := a.loadCampaign(c)
	if err != nil {
		return err
	}
	if !currentUser(c).CanEditOwned(cp.OwnerID) {
		return errForbidden
	}
	return a.saveCampaign(c, cp)
}

func (a *App) saveCampaign(c echo.Context, cp *models.Campaign) error {
	u := currentUser(c)
	var f views.CampaignForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = cp.ID
	f.Validate()
	if t := models.CampaignType(f.Type); t.Valid() {
		cp.Type = t
	} else {
		f.Errs.Add("type", "Choose a type from the list.")
	}
	cp.StartDate, cp.EndDate = optionalDate(&f.Errs, "start_date", f.StartDate), optionalDate(&f.Errs, "end_date", f.EndDate)
	if cp.StartDate != nil && cp.EndDate != nil && cp.EndDate.Before(*cp.StartDate) {
		f.Errs.Add("end_date", "The end date is before the start date.")
	}
	if m, err := models.ParseMoney(f.Cost); err != nil {
		f.Errs.Add("cost", moneyError(err))
	} else if m < 0 {
		f.Errs.Add("cost", "The cost cannot be negative.")
	} else {
		cp.Cost = m
	}
	if u.SeesAllRecords() || cp.ID != 0 {
		var owner models.User
		if id, ok := parseID(f.OwnerID); !ok {
			f.Errs.Add("owner_id", "Choose an owner from the list.")
		} else if err := a.db.Where("active = ? OR id = ?", true, cp.OwnerID).First(&owner, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			f.Errs.Add("owner_id", "Choose an active user as the owner.")
		} else if err != nil {
			return err
		} else if !u.SeesAllRecords() && id != u.ID && id != cp.OwnerID {
			f.Errs.Add("owner_id", "Only a manager can give a campaign to someone else.")
		} else {
			cp.OwnerID = id
		}
	} else {
		cp.OwnerID = u.ID
	}
	title := "New campaign"
	if cp.ID != 0 {
		title = "Edit " + cp.Name
	}
	if f.Errs.Any() {
		if err := a.fillCampaignChoices(&f, cp.OwnerID); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.CampaignFormPage(a.page(c, title), f))
	}
	cp.Name, cp.Description, cp.Owner = strings.TrimSpace(f.Name), strings.TrimSpace(f.Description), nil
	verb := "Saved"
	if cp.ID == 0 {
		verb = "Created"
	}
	if err := a.db.Save(cp).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/campaigns/"+idStr(cp.ID), verb+" the campaign “"+cp.Name+"”.")
}

func (a *App) showCampaign(c echo.Context) error {
	cp, err := a.loadCampaign(c)
	if err != nil {
		return err
	}
	r, err := models.CampaignFunnel(a.db, cp.ID)
	if err != nil {
		return err
	}
	v := views.CampaignView{ID: cp.ID, Name: cp.Name, Type: cp.Type.Label(), Dates: dateRange(cp.StartDate, cp.EndDate),
		Cost: cp.Cost.Display(), Owner: cp.Owner.Name, Description: cp.Description, CanEdit: currentUser(c).CanEditOwned(cp.OwnerID),
		LeadsURL: "/leads?campaign=" + idStr(cp.ID)}
	fc, err := models.Funnel(a.db, models.ReportFilter{CampaignID: cp.ID})
	if err != nil {
		return err
	}
	v.Funnel = funnelView(fc, models.ReportFilter{CampaignID: cp.ID}, true)
	roi := "—"
	if pct, ok := r.ROIPercent(cp.Cost); ok {
		roi = strconv.FormatInt(pct, 10) + "% (won revenue ÷ cost)"
	}
	costPer := func(n int64) string {
		if n == 0 {
			return "—"
		}
		return r.CostPer(cp.Cost, n).Display()
	}
	v.Money = []views.Fact{{Label: "Cost per lead", Value: costPer(r.Leads)},
		{Label: "Cost per won deal", Value: costPer(r.Won)},
		{Label: "Won revenue (first year)", Value: r.WonRevenue.Display()}, {Label: "ROI", Value: roi}}
	v.ByStatus = []views.Fact{{Label: "New", Value: strconv.FormatInt(r.New, 10)}, {Label: "Qualified", Value: strconv.FormatInt(r.Qualified-r.Converted, 10)},
		{Label: "Converted", Value: strconv.FormatInt(r.Converted, 10)}, {Label: "Disqualified", Value: strconv.FormatInt(r.Disqualified, 10)}}
	leads, more, err := models.ListLeads(a.db, models.LeadFilter{CampaignID: cp.ID}, models.NewPage(1), -1)
	if err != nil {
		return err
	}
	v.Leads, v.MoreLeads = leadRows(leads), more
	// The latest page of its opportunities; the list behind the link has them all.
	opps, more, err := models.ListOpportunities(a.db, models.OppFilter{CampaignID: cp.ID, Sort: "close", Desc: true}, models.NewPage(1))
	if err != nil {
		return err
	}
	v.Opps, v.MoreOpps = oppRows(opps, a.now()), more
	v.OppsURL = "/opportunities?campaign=" + idStr(cp.ID) + "&status=all&owner=all&sort=-close"
	return render(c, http.StatusOK, views.CampaignPage(a.page(c, cp.Name), v))
}

func leadRows(rows []models.LeadRow) []views.LeadRow {
	out := make([]views.LeadRow, len(rows))
	for i, r := range rows {
		n := 0
		for _, b := range []bool{r.Need, r.Solution, r.Timeframe, r.Budget} {
			if b {
				n++
			}
		}
		out[i] = views.LeadRow{ID: r.ID, PersonName: r.PersonName, CompanyName: r.CompanyName, Email: r.Email, Phone: r.Phone,
			Status: r.Status.Label(), StatusKey: string(r.Status), Campaign: r.CampaignName, Owner: r.OwnerName,
			Criteria: strconv.Itoa(n) + " of 4"}
		if r.CampaignID != nil {
			out[i].CampaignID = *r.CampaignID
		}
		if r.OpportunityID != nil {
			out[i].OppID = *r.OpportunityID
		}
	}
	return out
}
