package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// companyName heads printed quotes.
const companyName = "Salesdesk Demo IT Services"

// requireBuiltinQuotes hides the built-in quotes when the Quote Manager
// integration replaces them: the one switch for all quote pages.
func requireBuiltinQuotes(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if featuresOf(c).On(models.FeatureQuoteManager) {
			return errNotFound
		}
		return next(c)
	}
}

// quoteRoutes adds the quote pages to in and the customer's side (no sign-in)
// to link, the group of /q with its own rate limit.
func (a *App) quoteRoutes(in, link *echo.Group) {
	// "Quotes" is the built-in quotes, or the Quote Manager's while that
	// integration replaces them: one address for the list either way.
	in.GET("/quotes", a.quotesIndex, RequireFeature(models.FeatureSales))
	q := in.Group("", RequireFeature(models.FeatureSales), requireBuiltinQuotes)
	q.GET("/quotes/new", a.chooseQuoteOpportunity)
	q.GET("/opportunities/:id/quotes/new", a.newQuote)
	q.POST("/opportunities/:id/quotes", a.createQuote)
	q.GET("/quotes/:id", a.showQuote) // also /quotes/{id}.pdf
	q.GET("/quotes/:id/edit", a.editQuote)
	q.POST("/quotes/:id", a.updateQuote)
	q.GET("/quotes/:id/print", a.printQuote)
	q.POST("/quotes/:id/items", a.addQuoteItem)
	q.GET("/quotes/:id/items/:item/edit", a.editQuoteItem)
	q.POST("/quotes/:id/items/:item", a.updateQuoteItem)
	q.POST("/quotes/:id/items/:item/delete", a.deleteQuoteItem)
	q.POST("/quotes/:id/items/:item/move", a.moveQuoteItem)
	q.GET("/quotes/:id/import", a.importQuoteItemsForm)
	q.POST("/quotes/:id/import", a.importQuoteItems)
	q.GET("/quotes/:id/import/suggest", a.suggestImportQuotes)
	q.POST("/quotes/:id/primary", a.makeQuotePrimary)
	q.POST("/quotes/:id/copy", a.copyQuote)
	q.POST("/quotes/:id/send", a.sendQuote)
	q.POST("/quotes/:id/link", a.quoteLink)
	q.GET("/quotes/:id/won", a.quoteOutcomeForm(true))
	q.POST("/quotes/:id/won", a.quoteOutcome(true))
	q.GET("/quotes/:id/lost", a.quoteOutcomeForm(false))
	q.POST("/quotes/:id/lost", a.quoteOutcome(false))
	in.GET("/admin/outbox", a.outbox, RequireRole(models.RoleAdmin))

	cust := link.Group("", RequireFeature(models.FeatureSales), requireBuiltinQuotes)
	cust.GET("/:token", a.customerQuote)
	cust.POST("/:token", a.answerQuote)
	cust.GET("/:token/pdf", a.customerQuotePDF)
}

// quoteDoc shapes a quote for every page that shows it; internal adds cost and margin.
func quoteDoc(q *models.Quote, internal bool, now time.Time) views.QuoteDoc {
	t := q.Totals()
	d := views.QuoteDoc{ID: q.ID, Number: strconv.Itoa(q.Number), Name: q.Name, Company: companyName,
		BillTo: q.BillTo, ShipTo: q.ShipTo, Effective: q.EffectiveDate.Format(dateShown), Expires: q.ExpirationDate.Format(dateShown),
		Comments: q.Comments, Status: q.DisplayStatus(now), StatusKey: string(q.Status), Expired: q.Expired(now), Internal: internal,
		TaxLabel: "no tax", TermMonths: strconv.Itoa(q.TermMonths), OptionalSum: t.Optional.Display(),
		FirstYear: t.FirstYear.Display(), Contract: t.Contract.Display(), Margin: t.Margin.Display()}
	if d.Expired {
		d.StatusKey = "expired"
	}
	if q.Opportunity != nil && q.Opportunity.Organization != nil {
		d.Customer = q.Opportunity.Organization.Name
		if q.Opportunity.Contact != nil {
			d.Contact = q.Opportunity.Contact.FullName()
		}
	}
	if q.PaymentTerm != nil {
		d.PaymentTerms = q.PaymentTerm.Name
	}
	if q.TaxRate != nil {
		d.TaxLabel = q.TaxRate.Percent()
	}
	if rev := t.Revenue.FirstYear(); rev != 0 {
		d.MarginPct = percentOf(t.Margin, rev)
	}
	d.Lines = make([]views.QuoteLine, 0, len(q.Items))
	for i := range q.Items {
		it := &q.Items[i]
		l := t.Lines[i]
		line := views.QuoteLine{ID: it.ID, Heading: it.Kind == models.KindHeading, Name: it.Name, Description: it.Description,
			Kind: it.Kind.Label(), Quantity: it.Quantity.String(), UnitPrice: it.UnitPrice.Display(), Period: it.Period.Label(),
			Net: l.Net.Display(), Taxable: it.Taxable || it.Kind == models.KindHeading, Optional: it.Optional, Discount: "—"}
		if internal { // cost and margin are never written for the customer
			line.Cost, line.Margin = l.Cost.Display(), l.Margin.Display()
			if l.Net != 0 {
				line.MarginPct = percentOf(l.Margin, l.Net)
			}
		}
		switch it.DiscountType {
		case models.DiscountPercent:
			line.Discount = models.FormatRate(it.DiscountValue)
		case models.DiscountPerUnit:
			line.Discount = models.Money(it.DiscountValue).Display() + " per unit"
		case models.DiscountPerLine:
			line.Discount = models.Money(it.DiscountValue).Display()
		}
		if it.Optional {
			d.Optional = append(d.Optional, line)
		} else {
			d.Lines = append(d.Lines, line)
		}
	}
	for _, p := range t.Periods {
		d.Periods = append(d.Periods, views.QuotePeriod{Label: p.Period.Label(), Subtotal: p.Subtotal.Display(),
			Discounts: (-p.Discounts).Display(), Tax: p.Tax.Display(), Total: p.Total.Display()})
		if p.Period != models.OneTime {
			d.Recurring = true
		}
	}
	return d
}

func percentOf(part, whole models.Money) string {
	if whole == 0 {
		return ""
	}
	v := (int64(part)*1000/int64(whole) + 5) / 10
	return strconv.FormatInt(v, 10) + "%"
}

func (a *App) loadQuote(c echo.Context) (*models.Quote, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadQuote(a.read, id)
}

// canEditQuote: the quote's owner, the opportunity's owner, managers and admins.
func canEditQuote(u *models.User, q *models.Quote) bool {
	return u.CanEditOwned(q.OwnerID) || (q.Opportunity != nil && u.CanEditOwned(q.Opportunity.OwnerID))
}

func (a *App) editableQuote(c echo.Context) (*models.Quote, error) {
	q, err := a.loadQuote(c)
	if err != nil {
		return nil, err
	}
	if !canEditQuote(currentUser(c), q) {
		return nil, errForbidden
	}
	return q, nil
}

func (a *App) quotesIndex(c echo.Context) error {
	if featuresOf(c).On(models.FeatureQuoteManager) {
		return a.listExternalQuotes(c)
	}
	return a.listQuotes(c)
}

func (a *App) listQuotes(c echo.Context) error {
	q := c.QueryParams()
	now := a.now().UTC()
	p := models.NewPage(pageNumber(q.Get("page")))
	query := a.db.Model(&models.Quote{}).Preload("Opportunity").Preload("Opportunity.Organization").Preload("Owner").Preload("TaxRate").
		Preload("Items", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") })
	status := q.Get("status")
	switch status {
	case "draft", "sent", "accepted", "declined":
		query = query.Where("status = ?", status)
		if status == "sent" || status == "draft" {
			// An unanswered quote past its date is listed as Expired, not as itself.
			query = query.Where("expiration_date >= ?", today(now))
		}
	case "expired":
		query = query.Where("status IN ? AND expiration_date < ?", []string{"draft", "sent"}, today(now))
	default:
		status = ""
	}
	owner, _ := parseID(q.Get("owner"))
	if owner != 0 {
		query = query.Where("owner_id = ?", owner)
	}
	v := views.QuoteListPage{Expiring: q.Get("expiring")}
	if s := strings.TrimSpace(v.Expiring); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 3650 {
			query = query.Where("status IN ? AND expiration_date >= ? AND expiration_date <= ?", []string{"draft", "sent"},
				today(now), today(now).AddDate(0, 0, n))
		} else {
			v.Errs.Add("expiring", "Enter a number of days from 0 to 3650.")
		}
	}
	var quotes []models.Quote
	if err := query.Order("number DESC").Offset(p.Offset()).Limit(p.Size + 1).Find(&quotes).Error; err != nil {
		return err
	}
	quotes, more := models.Trim(quotes, p)
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}
	v.Statuses = []views.Option{{Value: "", Label: "All statuses"}}
	for _, s := range []struct{ v, l string }{{"draft", "Draft"}, {"sent", "Sent"}, {"accepted", "Accepted"}, {"declined", "Declined"}, {"expired", "Expired"}} {
		v.Statuses = append(v.Statuses, views.Option{Value: s.v, Label: s.l, Selected: s.v == status})
	}
	v.Owners = userOptions(users, idStrOrEmpty(owner), "Everyone")
	v.Pager = pager("/quotes", q, p, len(quotes), more)
	for i := range quotes {
		qt := &quotes[i]
		r := views.QuoteRow{ID: qt.ID, Number: strconv.Itoa(qt.Number), Name: qt.Name, Status: qt.DisplayStatus(now), StatusKey: string(qt.Status),
			Expires: qt.ExpirationDate.Format(dateShown), Total: qt.Totals().FirstYear.Display(), Primary: qt.IsPrimary, OppID: qt.OpportunityID}
		if qt.Expired(now) {
			r.StatusKey = "expired"
		}
		if qt.Opportunity != nil {
			r.OppTitle = qt.Opportunity.Title
			if qt.Opportunity.Organization != nil {
				r.OrgName = qt.Opportunity.Organization.Name
			}
		}
		if qt.Owner != nil {
			r.Owner = qt.Owner.Name
		}
		v.Rows = append(v.Rows, r)
	}
	status2 := http.StatusOK
	if v.Errs.Any() {
		status2 = http.StatusUnprocessableEntity
	}
	return render(c, status2, views.QuotesPage(a.page(c, "Quotes"), v))
}

// chooseQuoteOpportunity is the first step of a quote begun from the Quotes
// page: its opportunity, one of the user's open ones (a rep's own, everyone's
// for managers and admins). While there are at most models.PickSelectMax, a
// select of them by title; past that, the organization first, in its picker,
// then one of its open opportunities.
func (a *App) chooseQuoteOpportunity(c echo.Context) error {
	if id, ok := parseID(c.QueryParam("opportunity_id")); ok {
		return c.Redirect(http.StatusSeeOther, "/opportunities/"+idStr(id)+"/quotes/new")
	}
	u := currentUser(c)
	f := models.OppFilter{OpenOnly: true, Sort: "close"}
	if !u.SeesAllRecords() {
		f.OwnerID = u.ID
	}
	// Along the open opportunities' index by close date: at most one more
	// than a select takes, sorted by title here.
	rows, more, err := models.ListOpportunities(a.db, f, models.Page{Number: 1, Size: models.PickSelectMax})
	if err != nil {
		return err
	}
	v := views.ChooseOpportunity{ByOrganization: more}
	status := http.StatusOK
	if v.ByOrganization {
		rows = nil
		q := c.QueryParams()
		orgID, orgName := q.Get("organization_id"), q.Get("organization_name")
		var matches []views.Option
		if q.Has("organization_id") || q.Has("organization_name") {
			org, err := a.pickField(models.OrgPick{}, "organization_id", &orgID, &orgName, &matches, &v.Errs, true)
			if err != nil {
				return err
			}
			if org != nil {
				// By title: along the organization's index, not the open
				// opportunities' by close date filtered for one organization.
				f.OrganizationID, f.Sort = org.ID, "title"
				if rows, _, err = models.ListOpportunities(a.db, f, models.Page{Number: 1, Size: models.PickSelectMax}); err != nil {
					return err
				}
				if len(rows) == 0 {
					whose := "no open opportunities"
					if f.OwnerID != 0 {
						whose = "no open opportunities of yours"
					}
					v.Errs.Add("organization_id", org.Name+" has "+whose+". Choose another organization, or create the opportunity first.")
				}
			}
			if v.Errs.Any() {
				status = http.StatusUnprocessableEntity
			}
		}
		in := views.In{Label: "Organization", Name: "organization_id", Required: true, Errs: &v.Errs,
			Hint: "The customer the quote is for; its open opportunities are offered next."}
		if v.Organization, _, err = a.picker(models.OrgPick{}, in, "organization_name", orgID, orgName, matches, "Choose an organization"); err != nil {
			return err
		}
	}
	if !v.ByOrganization || len(rows) > 0 {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Title < rows[j].Title })
		v.Opportunities = []views.Option{{Value: "", Label: "Choose an opportunity"}}
		for _, r := range rows {
			v.Opportunities = append(v.Opportunities, views.Option{Value: idStr(r.ID), Label: r.Title + " — " + r.OrganizationName})
		}
	}
	return render(c, status, views.ChooseOpportunityPage(a.page(c, "New quote"), v))
}

func (a *App) quoteChoices(f *views.QuoteForm) error {
	// The chosen ids as numbers (0 for none or for nonsense): PostgreSQL compares
	// an id column only with a number.
	termID, _ := parseID(f.PaymentTermID)
	rateID, _ := parseID(f.TaxRateID)
	var terms []models.PaymentTerm
	if err := a.db.Where("active = ? OR id = ?", true, termID).Order("position, id").Find(&terms).Error; err != nil {
		return err
	}
	var rates []models.TaxRate
	if err := a.db.Where("active = ? OR id = ?", true, rateID).Order("position, id").Find(&rates).Error; err != nil {
		return err
	}
	f.PaymentTerms = []views.Option{{Value: "", Label: "None"}}
	for _, t := range terms {
		f.PaymentTerms = append(f.PaymentTerms, views.Option{Value: idStr(t.ID), Label: t.Name, Selected: idStr(t.ID) == f.PaymentTermID})
	}
	f.TaxRates = []views.Option{{Value: "", Label: "None"}}
	for _, r := range rates {
		label := r.Name
		if !strings.Contains(label, r.Percent()) {
			label += " (" + r.Percent() + ")" // not "Sales tax 8.875% (8.875%)"
		}
		f.TaxRates = append(f.TaxRates, views.Option{Value: idStr(r.ID), Label: label, Selected: idStr(r.ID) == f.TaxRateID})
	}
	return nil
}

func address(o *models.Organization) string {
	var lines []string
	for _, l := range []string{o.Name, o.Address, strings.TrimSpace(o.PostalCode + " " + o.City), o.Country} {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func (a *App) quotableOpportunity(c echo.Context) (*models.Opportunity, error) {
	o, err := a.editableOpportunity(c)
	if err != nil {
		return nil, err
	}
	if o.Status == models.StatusLost {
		return nil, echo.NewHTTPError(http.StatusUnprocessableEntity, "This opportunity is lost, so it cannot be quoted. A manager can reopen it first.")
	}
	return o, nil
}

func (a *App) newQuote(c echo.Context) error {
	o, err := a.quotableOpportunity(c)
	if err != nil {
		return err
	}
	eff := today(a.now())
	f := views.QuoteForm{OppID: o.ID, OppTitle: o.Title, Name: o.Title, EffectiveDate: eff.Format(dateInput),
		ExpirationDate: eff.AddDate(0, 0, 30).Format(dateInput), BillTo: address(o.Organization), ShipTo: address(o.Organization), TermMonths: "12"}
	var term models.PaymentTerm
	if a.db.Where("name = ? AND active = ?", "Net 30", true).First(&term).Error == nil {
		f.PaymentTermID = idStr(term.ID)
	}
	if err := a.quoteChoices(&f); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.QuoteFormPage(a.page(c, "New quote"), f))
}

// decodeQuote checks the header form and copies it onto q.
func (a *App) decodeQuote(f *views.QuoteForm, q *models.Quote) error {
	f.Validate()
	e := &f.Errs
	q.Name, q.BillTo, q.ShipTo, q.Comments = strings.TrimSpace(f.Name), strings.TrimSpace(f.BillTo), strings.TrimSpace(f.ShipTo), strings.TrimSpace(f.Comments)
	eff, okEff := parseDate(f.EffectiveDate)
	if !okEff {
		e.Add("effective_date", "Enter a date such as 2026-12-31.")
	}
	exp, okExp := parseDate(f.ExpirationDate)
	if !okExp {
		e.Add("expiration_date", "Enter a date such as 2026-12-31.")
	}
	if okEff && okExp && exp.Before(eff) {
		e.Add("expiration_date", "The expiration date cannot be before the effective date.")
	}
	q.EffectiveDate, q.ExpirationDate = eff, exp
	n, err := strconv.Atoi(strings.TrimSpace(f.TermMonths))
	if err != nil || n < 1 || n > 120 {
		e.Add("term_months", "Enter a number of months from 1 to 120.")
	} else {
		q.TermMonths = n
	}
	q.PaymentTermID, q.TaxRateID = nil, nil
	if f.PaymentTermID != "" {
		var t models.PaymentTerm
		if id, ok := parseID(f.PaymentTermID); !ok || a.db.First(&t, id).Error != nil {
			e.Add("payment_term_id", "Choose payment terms from the list.")
		} else {
			q.PaymentTermID = &id
		}
	}
	if f.TaxRateID != "" {
		var r models.TaxRate
		if id, ok := parseID(f.TaxRateID); !ok || a.db.First(&r, id).Error != nil {
			e.Add("tax_rate_id", "Choose a tax rate from the list.")
		} else {
			q.TaxRateID = &id
		}
	}
	return nil
}

func (a *App) createQuote(c echo.Context) error {
	o, err := a.quotableOpportunity(c)
	if err != nil {
		return err
	}
	var f views.QuoteForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.OppID, f.OppTitle = o.ID, o.Title
	q := models.Quote{OpportunityID: o.ID, OwnerID: currentUser(c).ID}
	if err := a.decodeQuote(&f, &q); err != nil {
		return err
	}
	if f.Errs.Any() {
		if err := a.quoteChoices(&f); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.QuoteFormPage(a.page(c, "New quote"), f))
	}
	if err := models.CreateQuote(a.db, &q); err != nil {
		if errors.Is(err, models.ErrQuoteClosedOpp) {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "This opportunity is lost, so it cannot be quoted.")
		}
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#add-h", fmt.Sprintf("Created quote #%d. Add its lines below.", q.Number))
}

func (a *App) editQuote(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	if q.Locked() {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	}
	f := views.QuoteForm{ID: q.ID, OppID: q.OpportunityID, OppTitle: q.Opportunity.Title, Name: q.Name,
		EffectiveDate: q.EffectiveDate.Format(dateInput), ExpirationDate: q.ExpirationDate.Format(dateInput), BillTo: q.BillTo, ShipTo: q.ShipTo,
		PaymentTermID: optID(q.PaymentTermID), TaxRateID: optID(q.TaxRateID), TermMonths: strconv.Itoa(q.TermMonths), Comments: q.Comments}
	if err := a.quoteChoices(&f); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.QuoteFormPage(a.page(c, fmt.Sprintf("Edit quote #%d", q.Number)), f))
}

func (a *App) updateQuote(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	var f views.QuoteForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID, f.OppID, f.OppTitle = q.ID, q.OpportunityID, q.Opportunity.Title
	if err := a.decodeQuote(&f, q); err != nil {
		return err
	}
	if f.Errs.Any() {
		if err := a.quoteChoices(&f); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.QuoteFormPage(a.page(c, fmt.Sprintf("Edit quote #%d", q.Number)), f))
	}
	if err := models.SaveQuoteHeader(a.db, q); errors.Is(err, models.ErrQuoteLocked) {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	} else if err != nil {
		return err
	}
	if err := models.SyncOpportunityFromQuote(a.db, q.ID); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), "Saved the quote.")
}

func (a *App) showQuote(c echo.Context) error {
	if strings.HasSuffix(c.Param("id"), ".pdf") {
		return a.quotePDF(c)
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	q, err := models.LoadQuoteShown(a.read, id)
	if err != nil {
		return err
	}
	// Opening the quote reads the owner's news about it.
	if err := models.MarkNotificationsRead(a.db, currentUser(c).ID, "/quotes/"+idStr(q.ID), a.now().UTC()); err != nil {
		return err
	}
	f := newLineForm()
	return a.renderQuote(c, q, http.StatusOK, f, "", views.Errors{}, "", views.Errors{})
}

func (a *App) itemChoices(f *views.ItemForm) error {
	f.Kinds, f.Periods, f.Taxables = nil, nil, nil
	if f.ID == 0 {
		// A new line: the product's values fill what is left empty or on
		// "From product" (fillLine); the hint says so, and how the
		// product is chosen: a select, or a name or SKU typed.
		in := views.In{Label: "From the catalog", Name: "product_id", Errs: &f.Errs}
		var err error
		if f.Product, _, err = a.picker(models.ProductPick{}, in, "product_name", f.ProductID, f.ProductName, f.ProductMatch, "None: a free-form line"); err != nil {
			return err
		}
		f.Product.Hint = "Choose a product, or none for a free-form line. "
		if f.Product.Typed {
			f.Product.Hint = "Type a product’s name or SKU, or leave it empty for a free-form line. "
		}
		f.Product.Hint += "Fields left empty or on “From product” take the product’s values; what you enter wins."
		f.Kinds = []views.Option{{Value: "", Label: "From product, else Product", Selected: f.Kind == ""}}
		f.Periods = []views.Option{{Value: "", Label: "From product, else One-time", Selected: f.Period == ""}}
		f.Taxables = []views.Option{{Value: "", Label: "From product, else taxable", Selected: f.Taxable == ""},
			{Value: "on", Label: "Taxable", Selected: f.Taxable == "on"}, {Value: "off", Label: "Not taxable", Selected: f.Taxable == "off"}}
	}
	for _, k := range models.ItemKinds {
		f.Kinds = append(f.Kinds, views.Option{Value: string(k), Label: k.Label(), Selected: string(k) == f.Kind})
	}
	for _, p := range models.Periods {
		f.Periods = append(f.Periods, views.Option{Value: string(p), Label: p.Label(), Selected: string(p) == f.Period})
	}
	f.Discounts = nil
	for _, d := range []struct{ v, l string }{{"", "No discount"}, {"percent", "Percent"}, {"per_unit", "Amount per unit"}, {"per_line", "Amount for the line"}} {
		f.Discounts = append(f.Discounts, views.Option{Value: d.v, Label: d.l, Selected: d.v == f.DiscountType})
	}
	return nil
}

// renderQuote shows the editor of q, read by models.LoadQuoteShown or in full.
func (a *App) renderQuote(c echo.Context, q *models.Quote, status int, item views.ItemForm, heading string, headingErr views.Errors, sendTo string, sendErr views.Errors) error {
	u := currentUser(c)
	now := a.now().UTC()
	v := views.QuoteEditor{Doc: quoteDoc(q, u.SeesAllRecords() || canEditQuote(u, q), now), OppID: q.OpportunityID, OppTitle: q.Opportunity.Title,
		Primary: q.IsPrimary, CanEdit: canEditQuote(u, q), Locked: q.Locked(), OppOpen: q.Opportunity.Status.Open(), HasLines: q.HasLines(),
		Item: item, Heading: heading, HeadingErr: headingErr, SendTo: sendTo, SendErr: sendErr}
	if v.SendTo == "" && q.Opportunity.Contact != nil {
		v.SendTo = q.Opportunity.Contact.Email
	}
	if q.Token != nil {
		v.Link = a.absoluteURL(c, "/q/"+*q.Token)
	}
	if q.SentAt != nil {
		v.SentTo, v.SentAt = q.SentTo, q.SentAt.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	v.Sent, v.Revised = q.Status == models.QuoteSent, q.Revised()
	if q.RespondedAt != nil {
		verb := "declined"
		if q.Status == models.QuoteAccepted {
			verb = "accepted"
		}
		v.Answered = fmt.Sprintf("%s %s this quote on %s.", q.ResponseName, verb, q.RespondedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
		if q.ResponseComment != "" {
			v.Answered += " Comment: “" + q.ResponseComment + "”"
		}
		v.AcceptedNow = q.Status == models.QuoteAccepted && q.Opportunity.Status.Open()
	}
	if err := a.itemChoices(&v.Item); err != nil {
		return err
	}
	ref, err := a.salesOrderRef(c, q.OpportunityID)
	if err != nil {
		return err
	}
	if ref != nil && q.Opportunity.Status != models.StatusLost {
		var so models.SalesOrder
		if err := a.db.Select("quote_id").First(&so, ref.ID).Error; err != nil {
			return err
		}
		if so.QuoteID == q.ID {
			v.SalesOrder = ref
		}
	}
	return render(c, status, views.QuoteEditorPage(a.page(c, fmt.Sprintf("Quote #%d: %s", q.Number, q.Name)), v))
}

// parsePercent reads a percent with up to three decimals into thousandths.
func parsePercent(s string) (int64, bool) {
	q, err := models.ParseQuantity(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || q < 0 || q > 100*models.QuantityScale || int64(q)%10 != 0 {
		return 0, false
	}
	return int64(q) / 10, true
}

// decodeItem checks a line form and fills it in from the catalog where the
// user left fields empty.
func (a *App) decodeItem(f *views.ItemForm, it *models.QuoteItem) error {
	f.Errs = views.Errors{}
	e := &f.Errs
	// The catalog product is chosen (picked, or its name or SKU typed) when a
	// line is added; an edit keeps it.
	if f.ID == 0 {
		it.ProductID = nil
		r, err := a.pickField(models.ProductPick{}, "product_id", &f.ProductID, &f.ProductName, &f.ProductMatch, e, false)
		if err != nil {
			return err
		}
		var p models.Product
		if r != nil {
			if err := a.db.First(&p, r.ID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				e.Add("product_id", "That product is no longer in the catalog. Choose another.")
			} else if err != nil {
				return err
			}
		}
		from := freeLine
		if p.ID != 0 {
			it.ProductID = &p.ID
			from = productLine(&p)
		}
		if e.For("product_id") == "" {
			fillLine(f, from)
		}
	}
	// While the product is to be chosen again, the selects left on "From
	// product" wait for it: its message is the one to show.
	waits := func(v string) bool { return v == "" && f.ID == 0 && e.For("product_id") != "" }
	it.Name, it.Description = strings.TrimSpace(f.Name), strings.TrimSpace(f.Description)
	if it.Name == "" && e.For("product_id") == "" {
		// (A product not found has its own message: no second one here.)
		e.Add("name", "Name the line, or choose a product.")
	} else if len([]rune(it.Name)) > 200 {
		e.Add("name", "The name is too long: at most 200 characters.")
	}
	if len([]rune(it.Description)) > 1000 {
		e.Add("description", "The description is too long: at most 1000 characters.")
	}
	if k := models.ItemKind(f.Kind); k.Valid() && k != models.KindHeading {
		it.Kind = k
	} else if !waits(f.Kind) {
		e.Add("kind", "Choose a type from the list.")
	}
	if p := models.Period(f.Period); p.Valid() {
		it.Period = p
	} else if !waits(f.Period) {
		e.Add("period", "Choose a period from the list.")
	}
	if q, err := models.ParseQuantity(f.Quantity); err != nil {
		e.Add("quantity", "Enter a quantity such as 1, 2.5 or 0.25 (at most four decimals).")
	} else if q < 0 {
		e.Add("quantity", "The quantity cannot be negative.")
	} else if q > models.MaxQuantity {
		e.Add("quantity", "The quantity is too large.")
	} else {
		it.Quantity = q
	}
	for _, m := range []struct {
		field, value string
		dst          *models.Money
	}{{"unit_price", f.UnitPrice, &it.UnitPrice}, {"unit_cost", f.UnitCost, &it.UnitCost}} {
		v, err := models.ParseMoney(m.value)
		switch {
		case err != nil:
			e.Add(m.field, moneyError(err))
		case v < 0:
			e.Add(m.field, "The amount cannot be negative. For a reduction use a Discount line or a discount.")
		case v > 100_000_000_00:
			e.Add(m.field, "The unit amount is too large: at most $100,000,000.00.")
		default:
			*m.dst = v
		}
	}
	it.DiscountType, it.DiscountValue = models.DiscountType(f.DiscountType), 0
	switch it.DiscountType {
	case models.NoDiscount:
		if strings.TrimSpace(f.DiscountValue) != "" && strings.TrimSpace(f.DiscountValue) != "0" {
			e.Add("discount_type", "Choose the kind of discount for the value you entered.")
		}
	case models.DiscountPercent:
		if v, ok := parsePercent(f.DiscountValue); ok {
			it.DiscountValue = v
		} else {
			e.Add("discount_value", "Enter a percent from 0 to 100, such as 12.5.")
		}
	case models.DiscountPerUnit, models.DiscountPerLine:
		if v, err := models.ParseMoney(f.DiscountValue); err != nil || v < 0 {
			e.Add("discount_value", "Enter the discount as an amount such as 25 or 25.50.")
		} else {
			it.DiscountValue = int64(v)
		}
	default:
		e.Add("discount_type", "Choose a discount from the list.")
	}
	if !e.Any() {
		l := it.Line()
		if l.Discount > l.Extended && l.Extended >= 0 {
			e.Add("discount_value", "The discount is larger than the line.")
		}
		if l.Net > models.MaxMoney || l.Net < -models.MaxMoney {
			e.Add("quantity", "The line total is too large.")
		}
	}
	// A new line's Taxable is a select (yes, no, or the product's); an
	// edited line's a checkbox.
	if f.ID == 0 && f.Taxable != "on" && f.Taxable != "off" && !waits(f.Taxable) {
		e.Add("taxable", "Choose taxable or not from the list.")
	}
	it.Optional, it.Taxable = f.Optional == "on", f.Taxable == "on"
	return nil
}

func (a *App) addQuoteItem(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	if q.Locked() {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	}
	var f views.ItemForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	if f.Kind == string(models.KindHeading) {
		name := strings.TrimSpace(f.Name)
		var errs views.Errors
		if name == "" || len([]rune(name)) > 200 {
			errs.Add("name", "Give the heading a name of at most 200 characters.")
			blank := newLineForm()
			return a.renderQuote(c, q, http.StatusUnprocessableEntity, blank, name, errs, "", views.Errors{})
		}
		if err := models.AddItem(a.db, q, &models.QuoteItem{Kind: models.KindHeading, Name: name, Period: models.OneTime, Quantity: 0}); err != nil {
			return err
		}
		return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#add-h", "Added the heading “"+name+"”.")
	}
	var it models.QuoteItem
	if err := a.decodeItem(&f, &it); err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.renderQuote(c, q, http.StatusUnprocessableEntity, f, "", views.Errors{}, "", views.Errors{})
	}
	if err := models.AddItem(a.db, q, &it); err != nil {
		return err
	}
	// Back to the editor with the entry form ready for the next line.
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#add-h", "Added “"+it.Name+"”.")
}

func (a *App) loadItem(c echo.Context, q *models.Quote) (*models.QuoteItem, error) {
	id, ok := parseID(c.Param("item"))
	if !ok {
		return nil, errNotFound
	}
	for i := range q.Items {
		if q.Items[i].ID == id {
			return &q.Items[i], nil
		}
	}
	return nil, errNotFound
}

func itemForm(it *models.QuoteItem) views.ItemForm {
	f := views.ItemForm{ID: it.ID, ProductID: optID(it.ProductID), Kind: string(it.Kind), Name: it.Name, Description: it.Description,
		Quantity: it.Quantity.String(), UnitPrice: it.UnitPrice.Input(), UnitCost: it.UnitCost.Input(), DiscountType: string(it.DiscountType),
		Period: string(it.Period), Optional: onOff(it.Optional), Taxable: onOff(it.Taxable)}
	switch it.DiscountType {
	case models.DiscountPercent:
		f.DiscountValue = strings.TrimSuffix(models.FormatRate(it.DiscountValue), "%")
	case models.DiscountPerUnit, models.DiscountPerLine:
		f.DiscountValue = models.Money(it.DiscountValue).Input()
	}
	return f
}

func (a *App) editQuoteItem(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	it, err := a.loadItem(c, q)
	if err != nil {
		return err
	}
	if q.Locked() || it.Kind == models.KindHeading {
		return echo.NewHTTPError(http.StatusConflict, "This line cannot be edited here.")
	}
	f := itemForm(it)
	if err := a.itemChoices(&f); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ItemEditPage(a.page(c, "Edit line “"+it.Name+"”"), q.ID, f))
}

func (a *App) updateQuoteItem(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	it, err := a.loadItem(c, q)
	if err != nil {
		return err
	}
	if q.Locked() || it.Kind == models.KindHeading {
		return echo.NewHTTPError(http.StatusConflict, "This line cannot be edited.")
	}
	var f views.ItemForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = it.ID
	if err := a.decodeItem(&f, it); err != nil {
		return err
	}
	if f.Errs.Any() {
		if err := a.itemChoices(&f); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.ItemEditPage(a.page(c, "Edit line"), q.ID, f))
	}
	if err := models.SaveItem(a.db, q, it); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), "Saved “"+it.Name+"”.")
}

func (a *App) deleteQuoteItem(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	it, err := a.loadItem(c, q)
	if err != nil {
		return err
	}
	if err := models.RemoveItem(a.db, q, it.ID); errors.Is(err, models.ErrQuoteLocked) {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), "Removed “"+it.Name+"”.")
}

func (a *App) moveQuoteItem(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	it, err := a.loadItem(c, q)
	if err != nil {
		return err
	}
	if err := models.MoveItem(a.db, q, it.ID, c.FormValue("dir") == "up"); errors.Is(err, models.ErrQuoteLocked) {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), "Moved “"+it.Name+"”.")
}

// importQuoteItemsForm offers the other quotes to import the items of, in
// the quote picker (models.QuotePick): a select of them newest first while
// there are at most models.PickSelectMax, else a quote's number or name typed.
func (a *App) importQuoteItemsForm(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	if q.Locked() {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	}
	return a.renderQuoteImport(c, q, http.StatusOK, "", "", nil, views.Errors{})
}

// renderQuoteImport shows the import form of q with what was posted: the
// quote's id (from) and typed number or name (text), the quotes the name
// matched.
func (a *App) renderQuoteImport(c echo.Context, q *models.Quote, status int, from, text string, matches []views.Option, errs views.Errors) error {
	v := views.QuoteImport{QuoteID: q.ID, Number: strconv.Itoa(q.Number), Errs: errs}
	in := views.In{Label: "Import the items of", Name: "from", Required: true, Errs: &v.Errs,
		Hint: "Its lines are added after the lines of quote #" + v.Number + "; the quote you choose is not changed."}
	var rows []models.Pick
	var err error
	if v.From, rows, err = a.picker(models.QuotePick{Except: q.ID}, in, "from_name", from, text, matches, "Choose a quote"); err != nil {
		return err
	}
	if v.From.Typed {
		v.From.Hint = "Type the quote’s number (1234 or #1234) or the start of its name. " + in.Hint
	}
	v.None = !v.From.Typed && len(rows) == 0
	return render(c, status, views.QuoteImportPage(a.page(c, fmt.Sprintf("Import items into quote #%d", q.Number)), v))
}

func (a *App) importQuoteItems(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	if q.Locked() {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	}
	from, text := c.FormValue("from"), c.FormValue("from_name")
	var matches []views.Option
	var errs views.Errors
	r, err := a.pickField(models.QuotePick{Except: q.ID}, "from", &from, &text, &matches, &errs, true)
	if err != nil {
		return err
	}
	var src *models.Quote
	if r != nil {
		src, err = models.LoadQuote(a.db, r.ID)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Deleted since it was picked.
			errs.Add("from", notOffered(models.QuotePick{}))
		} else if err != nil {
			return err
		}
	}
	if errs.Any() {
		return a.renderQuoteImport(c, q, http.StatusUnprocessableEntity, from, text, matches, errs)
	}
	if err := models.ImportItems(a.db, q, src); errors.Is(err, models.ErrQuoteLocked) {
		return echo.NewHTTPError(http.StatusConflict, "The customer has answered this quote; copy it to change it.")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), fmt.Sprintf("Imported %s of quote #%d.", countNoun(int64(len(src.Items)), "line", "lines"), src.Number))
}

func (a *App) makeQuotePrimary(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	if err := models.MakePrimary(a.db, q.ID); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID), fmt.Sprintf("Quote #%d is now the primary quote of the opportunity.", q.Number))
}

func (a *App) copyQuote(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	cp, err := models.CopyQuote(a.db, q, currentUser(c), a.now().UTC())
	if errors.Is(err, models.ErrQuoteClosedOpp) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "The opportunity is lost; reopen it before quoting again.")
	}
	if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(cp.ID), fmt.Sprintf("Copied quote #%d into #%d.", q.Number, cp.Number))
}

func (a *App) sendQuote(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	to := strings.TrimSpace(c.FormValue("to"))
	var errs views.Errors
	if !models.ValidEmail(to) {
		errs.Add("to", "Enter the customer’s e-mail address, such as name@example.com.")
		blank := newLineForm()
		return a.renderQuote(c, q, http.StatusUnprocessableEntity, blank, "", views.Errors{}, to, errs)
	}
	now := a.now().UTC()
	if err := models.SendQuote(a.db, q, to, now); errors.Is(err, models.ErrQuoteLocked) {
		return echo.NewHTTPError(http.StatusConflict, "The customer has already answered this quote.")
	} else if err != nil {
		return err
	}
	link := a.absoluteURL(c, "/q/"+*q.Token)
	body := fmt.Sprintf("Hello,\n\nplease find our quote #%d “%s” at %s\nThe prices are guaranteed until %s. You can approve or decline it on that page.\n\n%s\n%s",
		q.Number, q.Name, link, q.ExpirationDate.Format(dateShown), currentUser(c).Name, companyName)
	msg := models.OutboxMessage{ToAddress: to, Subject: fmt.Sprintf("Quote #%d: %s", q.Number, q.Name), Body: body, CreatedAt: now}
	if err := a.db.Create(&msg).Error; err != nil {
		return err
	}
	// Say what happened to the e-mail: a rep who is told "sent" tells
	// nobody else, and the customer would wait for nothing.
	flash := "E-mailed the quote to " + to + ". The customer can answer on the link below."
	switch err := a.deliver(&msg); {
	case errors.Is(err, errNoSMTP):
		flash = "Marked as sent to " + to + ", but nothing was e-mailed: e-mail is not set up on this server. Send the customer the link below yourself."
	case err != nil:
		flash = "Marked as sent to " + to + ", but the e-mail could not be sent. Send the customer the link below yourself; an admin finds the error in the outbox."
	}
	return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#send-h", flash)
}

func (a *App) absoluteURL(c echo.Context, path string) string {
	scheme := "http"
	if a.secure || c.Request().TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + path
}

func (a *App) quoteLink(c echo.Context) error {
	q, err := a.editableQuote(c)
	if err != nil {
		return err
	}
	switch c.FormValue("action") {
	case "regenerate":
		if err := models.RegenerateToken(a.db, q); err != nil {
			return err
		}
		return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#send-h", "Made a new customer link; the old one no longer works.")
	case "revoke":
		if err := models.RevokeToken(a.db, q); err != nil {
			return err
		}
		return a.redirectWithFlash(c, "/quotes/"+idStr(q.ID)+"#send-h", "Revoked the customer link.")
	}
	return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose to make a new link or to revoke it.")
}

func (a *App) printQuote(c echo.Context) error {
	q, err := a.loadQuote(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.QuotePrintPage(a.page(c, "Quote"), quoteDoc(q, false, a.now().UTC())))
}

// outcomeQuote loads a quote whose opportunity the user may close: winning or
// losing a quote closes the deal, which takes the right to edit the opportunity.
func (a *App) outcomeQuote(c echo.Context) (*models.Quote, error) {
	q, err := a.loadQuote(c)
	if err != nil {
		return nil, err
	}
	if c.Path() == "/quotes/:id/won" && !q.HasLines() {
		return nil, echo.NewHTTPError(http.StatusConflict, "This quote has no lines yet: add what the customer buys before marking it won.")
	}
	if !currentUser(c).CanEditOwned(q.Opportunity.OwnerID) {
		return nil, errForbidden
	}
	if !q.Opportunity.Status.Open() {
		return nil, echo.NewHTTPError(http.StatusConflict, "The opportunity of this quote is already closed.")
	}
	return q, nil
}

func (a *App) quoteOutcomeForm(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := a.outcomeQuote(c)
		if err != nil {
			return err
		}
		f := views.OutcomeForm{Won: won, OppID: q.OpportunityID, OppTitle: q.Opportunity.Title, Version: strconv.Itoa(q.Opportunity.Version),
			Date: today(a.now()).Format(dateInput), QuoteID: q.ID}
		if err := a.fillOutcomeChoices(&f, q.Opportunity); err != nil {
			return err
		}
		return render(c, http.StatusOK, views.OutcomePage(a.page(c, fmt.Sprintf("Quote #%d: %s", q.Number, map[bool]string{true: "won", false: "lost"}[won])), f))
	}
}

func (a *App) quoteOutcome(won bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := a.outcomeQuote(c)
		if err != nil {
			return err
		}
		f := views.OutcomeForm{Won: won, OppID: q.OpportunityID, OppTitle: q.Opportunity.Title, QuoteID: q.ID}
		if err := c.Bind(&f); err != nil {
			return errBadForm
		}
		in := decodeOutcome(&f, featuresOf(c).On(models.FeatureProcurement))
		if !f.Errs.Any() {
			if won {
				err = models.WinFromQuote(a.db, q, in, currentUser(c), a.now().UTC())
			} else {
				err = models.LoseFromQuote(a.db, q, in, currentUser(c), a.now().UTC())
			}
			if done, err := a.outcomeRefused(c, err, &f, in, "/quotes/"+idStr(q.ID)); done {
				return err
			}
		}
		if f.Errs.Any() {
			if err := a.fillOutcomeChoices(&f, q.Opportunity); err != nil {
				return err
			}
			return render(c, http.StatusUnprocessableEntity, views.OutcomePage(a.page(c, fmt.Sprintf("Quote #%d", q.Number)), f))
		}
		msg := fmt.Sprintf("Quote #%d lost: the opportunity is marked lost.", q.Number)
		if won {
			msg = fmt.Sprintf("Quote #%d won: the opportunity is closed as won with the quote’s amounts.", q.Number)
		}
		return a.redirectWithFlash(c, "/opportunities/"+idStr(q.OpportunityID), msg)
	}
}

func (a *App) outbox(c echo.Context) error {
	var msgs []models.OutboxMessage
	if err := a.db.Order("created_at DESC, id DESC").Limit(200).Find(&msgs).Error; err != nil {
		return err
	}
	rows := make([]views.OutboxRow, len(msgs))
	for i, m := range msgs {
		rows[i] = views.OutboxRow{To: m.ToAddress, Subject: m.Subject, Body: m.Body, When: m.CreatedAt.UTC().Format("2 Jan 2006 15:04"), Sent: "not sent (no SMTP_URL)"}
		if m.SentAt != nil {
			rows[i].Sent = m.SentAt.UTC().Format("2 Jan 2006 15:04")
		}
		if m.Error != "" {
			rows[i].Sent = "failed: " + m.Error
		}
	}
	return render(c, http.StatusOK, views.OutboxPage(a.page(c, "Outbox"), rows))
}

// The customer's side: no login, an unguessable token.

func (a *App) customerQuoteFor(c echo.Context) (*models.Quote, error) {
	q, err := models.LoadQuoteByToken(a.read, c.Param("token"))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "This quote link is not valid. It may have been replaced by a newer one: please ask your contact for the current link.")
	}
	return q, err
}

func (a *App) renderCustomerQuote(c echo.Context, q *models.Quote, status int, v views.CustomerQuote) error {
	now := a.now().UTC()
	v.Doc, v.Token, v.Expired = quoteDoc(q, false, now), *q.Token, q.Expired(now)
	if q.Owner != nil {
		v.AskWho = q.Owner.Name
	}
	if q.RespondedAt != nil {
		verb := "declined"
		if q.Status == models.QuoteAccepted {
			verb = "approved"
		}
		v.Answered = fmt.Sprintf("%s %s this quote on %s. Thank you.", q.ResponseName, verb, q.RespondedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	} else if q.Status == models.QuoteDraft {
		// Changed since it was sent: what it holds now is not what was
		// sent, nor yet what will be.
		v.Revising = true
		v.Answered = "This quote is being revised: " + v.AskWho + " will send you the new version."
		if v.AskWho == "" {
			v.Answered = "This quote is being revised: you will receive the new version."
		}
	}
	p := a.page(c, "Quote")
	return render(c, status, views.CustomerQuotePage(p, v))
}

func (a *App) customerQuote(c echo.Context) error {
	q, err := a.customerQuoteFor(c)
	if err != nil {
		return err
	}
	return a.renderCustomerQuote(c, q, http.StatusOK, views.CustomerQuote{})
}

func (a *App) answerQuote(c echo.Context) error {
	q, err := a.customerQuoteFor(c)
	if err != nil {
		return err
	}
	var v views.CustomerQuote
	if err := c.Bind(&v); err != nil {
		return errBadForm
	}
	v.Validate()
	answer := c.FormValue("answer")
	if answer != "approve" && answer != "decline" {
		v.Errs.Add("name", "Choose Approve or Decline.")
	}
	if v.Errs.Any() {
		return a.renderCustomerQuote(c, q, http.StatusUnprocessableEntity, v)
	}
	err = models.AnswerQuote(a.db, q, answer == "approve", strings.TrimSpace(v.Name), strings.TrimSpace(v.Comment), c.RealIP(), a.now().UTC())
	switch {
	case errors.Is(err, models.ErrQuoteExpired):
		return a.renderCustomerQuote(c, q, http.StatusConflict, views.CustomerQuote{})
	case errors.Is(err, models.ErrQuoteAnswered), errors.Is(err, models.ErrQuoteNotSent):
		fresh, lerr := models.LoadQuote(a.db, q.ID)
		if lerr != nil {
			return lerr
		}
		return a.renderCustomerQuote(c, fresh, http.StatusConflict, views.CustomerQuote{})
	case err != nil:
		return err
	}
	msg := "Thank you: your approval has been recorded."
	if answer == "decline" {
		msg = "Thank you: your answer has been recorded."
	}
	return a.redirectWithFlash(c, "/q/"+*q.Token, msg)
}

func (a *App) customerQuotePDF(c echo.Context) error {
	q, err := a.customerQuoteFor(c)
	if err != nil {
		return err
	}
	if q.Status == models.QuoteDraft {
		return echo.NewHTTPError(http.StatusNotFound, "This quote is being revised: you will receive the new version.")
	}
	return a.writeQuotePDF(c, q)
}

// writeQuotePDF renders into a buffer first, so a failure is a clean error page.
func (a *App) writeQuotePDF(c echo.Context, q *models.Quote) error {
	var buf bytes.Buffer
	if err := renderQuotePDF(&buf, q, companyName, a.now().UTC()); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="quote-%d.pdf"`, q.Number))
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
