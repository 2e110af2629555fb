package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

// The Quote Manager integration's pages: the admin's settings, key and log,
// the external quotes wherever quotes are listed, and winning or losing an
// opportunity from an external quote. The inbound API is quote_manager_api.go.

func (a *App) quoteManagerRoutes(in *echo.Group) {
	// The feature is checked before the role: with the integration off these
	// pages do not exist, for admins too.
	qm := in.Group("", RequireFeature(models.FeatureSales), RequireFeature(models.FeatureQuoteManager))
	qm.GET("/external-quotes/:id/won", a.extOutcomeForm(true))
	qm.POST("/external-quotes/:id/won", a.extOutcome(true))
	qm.GET("/external-quotes/:id/lost", a.extOutcomeForm(false))
	qm.POST("/external-quotes/:id/lost", a.extOutcome(false))

	adm := in.Group("/admin/quote-manager", RequireFeature(models.FeatureSales), RequireFeature(models.FeatureQuoteManager), RequireRole(models.RoleAdmin))
	adm.GET("", a.quoteManagerSettings)
	adm.POST("", a.saveQuoteManagerSettings)
	adm.POST("/key", a.makeQuoteManagerKey)
	adm.GET("/key/revoke", a.confirmRevokeQuoteManagerKey)
	adm.POST("/key/revoke", a.revokeQuoteManagerKey)
	adm.GET("/log", a.integrationLog)
}

// extQuoteRow shapes an external quote for every list; u may close the
// opportunity from it when it is won or declined and the deal is open.
func extQuoteRow(q *models.ExternalQuote, u *models.User, now time.Time) views.ExtQuoteRow {
	r := views.ExtQuoteRow{ID: q.ID, Number: q.Number, Title: q.Title, OppID: q.OpportunityID, Status: q.Status.Label(),
		StatusKey: string(q.Status), Expires: q.ExpiresOn.Format(dateShown), Total: q.Money(q.Total), DocumentURL: q.DocumentURL,
		Owner: q.OwnerEmail}
	if q.Expired(now) {
		r.Status, r.StatusKey = "Expired", "expired"
	}
	for _, p := range []struct {
		m   models.Money
		dst *string
	}{{q.OneTime, &r.OneTime}, {q.Monthly, &r.Monthly}, {q.Yearly, &r.Yearly}} {
		if p.m != 0 {
			*p.dst = q.Money(p.m)
		}
	}
	if q.SalesOrderNumber != "" {
		r.SalesOrder = q.SalesOrderNumber
		if q.SalesOrderStatus != "" {
			r.SalesOrder += " · " + q.SalesOrderStatus
		}
	}
	if o := q.Opportunity; o != nil {
		r.OppTitle = o.Title
		if o.Organization != nil {
			r.OrgName = o.Organization.Name
		}
		mayClose := u != nil && o.Status.Open() && u.CanEditOwned(o.OwnerID)
		r.CanWin = mayClose && q.Status == models.ExtWon
		r.CanLose = mayClose && q.Status == models.ExtDeclined
	}
	return r
}

// listExternalQuotes is /quotes while the integration is active.
func (a *App) listExternalQuotes(c echo.Context) error {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	now := a.now().UTC()
	p := models.NewPage(pageNumber(q.Get("page")))
	query := a.db.Model(&models.ExternalQuote{}).Preload("Opportunity").Preload("Opportunity.Organization")
	status := q.Get("status")
	switch st := models.ExternalStatus(status); {
	case st == models.ExtWithdrawn || st == models.ExtDeclined || st == models.ExtWon:
		query = query.Where("status = ?", st)
	case st.Open():
		query = query.Where("status = ? AND expires_on >= ?", st, today(now))
	case status == "expired":
		query = query.Where("status IN ? AND expires_on < ?", []models.ExternalStatus{models.ExtDraft, models.ExtSent, models.ExtViewed}, today(now))
	case status == "all":
	default:
		// Withdrawn quotes are kept for the record, out of the way.
		status = ""
		query = query.Where("status <> ?", models.ExtWithdrawn)
	}
	var quotes []models.ExternalQuote
	if err := query.Order("created_at DESC, id DESC").Offset(p.Offset()).Limit(p.Size + 1).Find(&quotes).Error; err != nil {
		return err
	}
	quotes, more := models.Trim(quotes, p)
	v := views.ExtQuoteListPage{Tool: s.Name(), NewURL: s.NewQuoteURL(0)}
	v.Statuses = []views.Option{{Value: "", Label: "All but withdrawn", Selected: status == ""}}
	for _, st := range append(models.ExternalStatuses, models.ExtWithdrawn) {
		v.Statuses = append(v.Statuses, views.Option{Value: string(st), Label: st.Label(), Selected: string(st) == status})
	}
	v.Statuses = append(v.Statuses, views.Option{Value: "expired", Label: "Expired", Selected: status == "expired"},
		views.Option{Value: "all", Label: "All, withdrawn too", Selected: status == "all"})
	u := currentUser(c)
	for i := range quotes {
		v.Rows = append(v.Rows, extQuoteRow(&quotes[i], u, now))
	}
	v.Pager = pager("/quotes", q, p, len(quotes), more)
	return render(c, http.StatusOK, views.ExtQuotesPage(a.page(c, "Quotes"), v))
}

// extQuotesSection is the quotes part of an opportunity page while the
// integration is active, and the won quote, if any, that offers "Mark as won".
func (a *App) extQuotesSection(o *models.Opportunity, u *models.User, canEdit bool, now time.Time) (*views.ExtQuotesSection, *views.ExtQuoteRow, error) {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return nil, nil, err
	}
	qs, err := models.ExternalQuotesOf(a.db, o.ID)
	if err != nil {
		return nil, nil, err
	}
	sec := &views.ExtQuotesSection{Tool: s.Name()}
	if canEdit && o.Status.Open() {
		sec.NewURL = s.NewQuoteURL(o.ID)
	}
	var won *views.ExtQuoteRow
	for i := range qs {
		qs[i].Opportunity = o
		r := extQuoteRow(&qs[i], u, now)
		if r.CanWin && won == nil {
			won = &r
		}
		sec.Rows = append(sec.Rows, r)
	}
	return sec, won, nil
}

// homeQuotes is Home's "My open quotes": the built-in quotes the user owns,
// or, while the integration is active, the external quotes of the user's
// opportunities, either way those still waiting for the customer.
func (a *App) homeQuotes(c echo.Context, u *models.User, now time.Time) ([]views.HomeQuote, error) {
	var out []views.HomeQuote
	if featuresOf(c).On(models.FeatureQuoteManager) {
		var qs []models.ExternalQuote
		if err := a.db.Preload("Opportunity").Joins("JOIN opportunities ON opportunities.id = external_quotes.opportunity_id").
			Where("opportunities.owner_id = ? AND external_quotes.status IN ?", u.ID, []models.ExternalStatus{models.ExtDraft, models.ExtSent, models.ExtViewed}).
			Order("external_quotes.expires_on, external_quotes.id").Limit(10).Find(&qs).Error; err != nil {
			return nil, err
		}
		for i := range qs {
			r := extQuoteRow(&qs[i], u, now)
			out = append(out, views.HomeQuote{URL: "/opportunities/" + idStr(r.OppID) + "#quotes-h", Name: r.Number + " " + r.Title,
				Status: r.Status, StatusKey: r.StatusKey, Detail: r.OppTitle + " · " + r.Total + " · valid until " + r.Expires})
		}
		return out, nil
	}
	// The ones still to be answered: not past their date (those are listed
	// apart, Expired) and of a deal still open; the soonest to expire first.
	var qs []models.Quote
	if err := models.WaitingQuotesOf(a.db, u.ID, today(now), false).Preload("Opportunity").Preload("TaxRate").Preload("Items").
		Order("expiration_date, id").Limit(10).Find(&qs).Error; err != nil {
		return nil, err
	}
	for i := range qs {
		q := &qs[i]
		h := views.HomeQuote{URL: "/quotes/" + idStr(q.ID), Name: "#" + strconv.Itoa(q.Number) + " " + q.Name, Status: q.DisplayStatus(now),
			StatusKey: string(q.Status), Detail: q.Totals().FirstYear.Display() + " first year · valid until " + q.ExpirationDate.Format(dateShown)}
		if q.Expired(now) {
			h.StatusKey = "expired"
		}
		if q.Opportunity != nil && q.Opportunity.Title != q.Name {
			h.Detail = q.Opportunity.Title + " · " + h.Detail
		}
		out = append(out, h)
	}
	return out, nil
}

// The won and lost forms of an external quote: the opportunity's own form,
// sent to MarkWon or MarkLost; winning takes the quote's totals as revenue.

func (a *App) outcomeExternalQuote(c echo.Context, won bool) (*models.ExternalQuote, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	q, err := models.LoadExternalQuote(a.db, id)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditOwned(q.Opportunity.OwnerID) {
		return nil, errForbidden
	}
	if !q.Opportunity.Status.Open() {
		return nil, echo.NewHTTPError(http.StatusConflict, "The opportunity of this quote is already closed.")
	}
	if won && q.Status != models.ExtWon {
		return nil, echo.NewHTTPError(http.StatusConflict, "This quote is not won: an opportunity is marked won from a won quote.")
	}
	if !won && q.Status != models.ExtDeclined {
		return nil, echo.NewHTTPError(http.StatusConflict, "This quote is not declined: an opportunity is marked lost from a declined quote.")
	}
	return q, nil
}

func extOutcomeForm(q *models.ExternalQuote, won bool) views.OutcomeForm {
	f := views.OutcomeForm{Won: won, OppID: q.OpportunityID, OppTitle: q.Opportunity.Title, ExternalQuoteID: q.ID,
		Version: strconv.Itoa(q.Opportunity.Version)}
	if won {
		r := extQuoteRow(q, nil, time.Time{})
		f.FromQuote = fmt.Sprintf("The opportunity’s revenue becomes the totals of quote %s: %s.", q.Number, views.ExtBreakdown(r))
	} else {
		f.FromQuote = fmt.Sprintf("The customer declined quote %s.", q.Number)
	}
	return f
}

func extOutcomeTitle(q *models.ExternalQuote, won bool) string {
	return "Quote " + q.Number + ": " + map[bool]string{true: "won", false: "declined"}[won]
}

func (a *App) extOutcomeForm(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := a.outcomeExternalQuote(c, won)
		if err != nil {
			return err
		}
		f := extOutcomeForm(q, won)
		f.Date = today(a.now()).Format(dateInput)
		f.CompetitorID = optID(q.Opportunity.CompetitorID)
		if err := a.fillOutcomeChoices(&f, q.Opportunity); err != nil {
			return err
		}
		return render(c, http.StatusOK, views.OutcomePage(a.page(c, extOutcomeTitle(q, won)), f))
	}
}

func (a *App) extOutcome(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := a.outcomeExternalQuote(c, won)
		if err != nil {
			return err
		}
		f := extOutcomeForm(q, won)
		if err := c.Bind(&f); err != nil {
			return errBadForm
		}
		in := decodeOutcome(&f, featuresOf(c).On(models.FeatureProcurement))
		if !f.Errs.Any() {
			if won {
				err = models.WinFromExternalQuote(a.db, q, in, currentUser(c), a.now().UTC())
			} else {
				err = models.LoseFromExternalQuote(a.db, q, in, currentUser(c), a.now().UTC())
			}
			if done, err := a.outcomeRefused(c, err, &f, in, "/opportunities/"+idStr(q.OpportunityID)); done {
				return err
			}
		}
		if f.Errs.Any() {
			if err := a.fillOutcomeChoices(&f, q.Opportunity); err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, views.OutcomePage(a.page(c, extOutcomeTitle(q, won)), f))
		}
		msg := "Quote " + q.Number + " declined: the opportunity is marked lost."
		if won {
			msg = "Quote " + q.Number + " won: the opportunity is closed as won with the quote’s totals."
		}
		return a.redirectWithFlash(c, "/opportunities/"+idStr(q.OpportunityID), msg)
	}
}

// The admin's pages.

func (a *App) quoteManagerForm(c echo.Context, s *models.QuoteManagerSettings, f *views.QuoteManagerSettingsForm) error {
	reasons, err := models.Picklist(a.db, models.WinReasons, false, s.WinReasonID)
	if err != nil {
		return err
	}
	f.WinReasons = append([]views.Option{{Value: "", Label: "Choose a win reason"}}, picklistOptions(reasons, f.WinReasonID)...)
	f.HasKey, f.KeyHint = s.HasKey(), s.KeyHint
	if s.KeyCreatedAt != nil {
		f.KeyCreated = s.KeyCreatedAt.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	f.Endpoint = a.absoluteURL(c, quoteManagerAPI+"/quotes")
	return nil
}

func settingsForm(s *models.QuoteManagerSettings) views.QuoteManagerSettingsForm {
	f := views.QuoteManagerSettingsForm{DisplayName: s.DisplayName, BaseURL: s.BaseURL, WinReasonID: optID(s.WinReasonID)}
	if s.AutoMarkWon {
		f.AutoMarkWon = "on"
	}
	return f
}

func (a *App) renderQuoteManagerSettings(c echo.Context, status int, s *models.QuoteManagerSettings, f views.QuoteManagerSettingsForm) error {
	if err := a.quoteManagerForm(c, s, &f); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store") // the page may show a new key
	return render(c, status, views.QuoteManagerSettingsPage(a.page(c, "Quote Manager integration"), f))
}

func (a *App) quoteManagerSettings(c echo.Context) error {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return err
	}
	return a.renderQuoteManagerSettings(c, http.StatusOK, s, settingsForm(s))
}

func (a *App) saveQuoteManagerSettings(c echo.Context) error {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return err
	}
	var f views.QuoteManagerSettingsForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	in := models.QuoteManagerForm{DisplayName: f.DisplayName, BaseURL: f.BaseURL, AutoMarkWon: f.AutoMarkWon == "on"}
	if strings.TrimSpace(f.WinReasonID) != "" {
		id, ok := parseID(f.WinReasonID)
		if !ok {
			f.Errs.Add("win_reason_id", "Choose a win reason from the list.")
		}
		in.WinReasonID = id
	}
	probs, err := in.Problems(a.db)
	if err != nil {
		return err
	}
	for _, p := range probs {
		f.Errs.Add(p.Field, p.Msg)
	}
	if f.Errs.Any() {
		return a.renderQuoteManagerSettings(c, http.StatusUnprocessableEntity, s, f)
	}
	if err := models.SaveQuoteManagerSettings(a.db, in, a.now().UTC()); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/quote-manager", "Saved the Quote Manager settings.")
}

// makeQuoteManagerKey makes (or replaces) the key and shows it on this answer
// only: it is not redirected to, so it is never in a flash or a URL.
func (a *App) makeQuoteManagerKey(c echo.Context) error {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return err
	}
	replaced := s.HasKey()
	key, err := models.NewQuoteManagerKey(a.db, a.now().UTC())
	if err != nil {
		return err
	}
	if s, err = models.LoadQuoteManagerSettings(a.db); err != nil {
		return err
	}
	f := settingsForm(s)
	f.NewKey = key
	p := a.page(c, "Quote Manager integration")
	p.Flash = "Made a new API key."
	if replaced {
		p.Flash = "Made a new API key; the previous one no longer works."
	}
	if err := a.quoteManagerForm(c, s, &f); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.QuoteManagerSettingsPage(p, f))
}

func (a *App) confirmRevokeQuoteManagerKey(c echo.Context) error {
	s, err := models.LoadQuoteManagerSettings(a.db)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RevokeQuoteManagerKeyPage(a.page(c, "Revoke the API key?"), s.Name(), s.HasKey()))
}

func (a *App) revokeQuoteManagerKey(c echo.Context) error {
	if err := models.RevokeQuoteManagerKey(a.db, a.now().UTC()); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/quote-manager", "Revoked the API key: every call is refused until you make a new one.")
}

func (a *App) integrationLog(c echo.Context) error {
	q := c.QueryParams()
	p := models.NewPage(pageNumber(q.Get("page")))
	entries, more, err := models.IntegrationLog(a.db, p)
	if err != nil {
		return err
	}
	rows := make([]views.IntegrationLogRow, len(entries))
	for i, e := range entries {
		rows[i] = views.IntegrationLogRow{When: e.CreatedAt.UTC().Format("2 Jan 2006 15:04:05"), ISO: e.CreatedAt.UTC().Format(time.RFC3339),
			Method: e.Method, ExternalID: e.ExternalID, Status: strconv.Itoa(e.Status) + " " + http.StatusText(e.Status),
			Result: e.Result, Failed: e.Status >= 400}
		if e.Problems != "" {
			rows[i].Problems = strings.Split(e.Problems, "\n")
		}
	}
	kept := fmt.Sprintf("Calls are kept %d days, and only the newest %s of them. "+
		"Calls with a missing or wrong key are logged at most %d times a minute from one address; "+
		"further calls from that address get 429 (Too Many Requests) and are not logged.",
		models.IntegrationLogDays, thousands(models.IntegrationLogMaxRows), badKeyLimit)
	return render(c, http.StatusOK, views.IntegrationLogPage(a.page(c, "Integration log"), rows, kept, pager("/admin/quote-manager/log", q, p, len(rows), more)))
}
