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

// salesOrderRoutes registers the sales orders (Procurement). With Procurement
// off they do not exist, for every role; they come back intact when it is on.
// Everyone signed in reads every sales order; its owner, managers and admins
// change it.
func (a *App) salesOrderRoutes(in *echo.Group) {
	so := in.Group("", RequireFeature(models.FeatureSales), RequireFeature(models.FeatureProcurement))
	so.GET("/sales-orders", a.listSalesOrders)
	so.GET("/sales-orders/:id", a.showSalesOrder)
	so.GET("/sales-orders/:id/edit", a.editSalesOrder)
	so.POST("/sales-orders/:id", a.updateSalesOrder)
	so.POST("/sales-orders/:id/fulfilments", a.recordFulfilment)
	so.GET("/sales-orders/:id/cancel", a.confirmCancelSalesOrder)
	so.POST("/sales-orders/:id/cancel", a.cancelSalesOrder)
	so.GET("/sales-orders/:id/print", a.printSalesOrder)
}

func soNumber(n int) string { return strconv.Itoa(n) }

func (a *App) listSalesOrders(c echo.Context) error {
	q := c.QueryParams()
	u := currentUser(c)
	now := a.now().UTC()
	p := models.NewPage(pageNumber(q.Get("page")))
	v := views.SalesOrderListPage{Organization: q.Get("organization"), PromisedBefore: q.Get("promised_before")}
	var f models.SalesOrderFilter
	status := models.SalesOrderStatus(q.Get("status"))
	if status.Valid() {
		f.Status = status
	}
	owner := q.Get("owner")
	if owner == "me" {
		f.OwnerID = u.ID
		owner = idStr(u.ID)
	} else if id, ok := parseID(owner); ok {
		f.OwnerID = id
	} else {
		owner = ""
	}
	f.Organization = strings.TrimSpace(v.Organization)
	if len(f.Organization) > 200 {
		v.Errs.Add("organization", "Enter at most 200 characters.")
	}
	if s := strings.TrimSpace(v.PromisedBefore); s != "" {
		if d, ok := parseDate(s); ok {
			f.PromisedBefore = d
		} else {
			v.Errs.Add("promised_before", "Enter a date such as 2026-12-31.")
		}
	}
	status2 := http.StatusOK
	var rows []models.SalesOrderRow
	more := false
	if v.Errs.Any() {
		status2 = http.StatusUnprocessableEntity
	} else {
		var err error
		if rows, more, err = models.ListSalesOrders(a.db, f, p); err != nil {
			return err
		}
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}
	v.Statuses = []views.Option{{Value: "", Label: "All statuses"}}
	for _, s := range models.SalesOrderStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: s == f.Status})
	}
	v.Owners = userOptions(users, owner, "Everyone")
	v.Pager = pager("/sales-orders", q, p, len(rows), more)
	t := today(now)
	for _, r := range rows {
		row := views.SalesOrderRow{ID: r.ID, Number: soNumber(r.Number), Title: r.Title, OrgID: r.OrganizationID, OrgName: r.OrganizationName,
			Owner: r.OwnerName, Status: r.Status.Label(), StatusKey: string(r.Status), OrderDate: r.OrderDate.Format(dateShown)}
		if r.PromisedDate != nil {
			row.Promised = r.PromisedDate.Format(dateShown)
			row.Overdue = r.PromisedDate.Before(t) && r.Status != models.SOFulfilled && r.Status != models.SOCanceled
		}
		v.Rows = append(v.Rows, row)
	}
	return render(c, status2, views.SalesOrdersPage(a.page(c, "Sales orders"), v))
}

func (a *App) loadSalesOrder(c echo.Context) (*models.SalesOrder, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadSalesOrder(a.db, id)
}

// editableSalesOrder loads the sales order of the route and checks the user may change it.
func (a *App) editableSalesOrder(c echo.Context) (*models.SalesOrder, error) {
	so, err := a.loadSalesOrder(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditOwned(so.OwnerID) {
		return nil, errForbidden
	}
	return so, nil
}

func soOpen(so *models.SalesOrder) bool {
	return so.Status != models.SOCanceled && so.Status != models.SOFulfilled
}

// salesOrderView shapes a sales order for its page and its print view.
func (a *App) salesOrderView(c echo.Context, so *models.SalesOrder) (views.SalesOrderView, error) {
	u := currentUser(c)
	v := views.SalesOrderView{ID: so.ID, Number: soNumber(so.Number), Title: so.Title, Company: companyName, OrgID: so.OrganizationID,
		OppID: so.OpportunityID, QuoteID: so.QuoteID, OrderDate: so.OrderDate.Format(dateShown), Status: so.Status.Label(),
		StatusKey: string(so.Status), CancelReason: so.CancelReason, BillTo: so.BillTo, ShipTo: so.ShipTo, Notes: so.Notes,
		Version: so.Version, CanEdit: u.CanEditOwned(so.OwnerID), QuoteLinks: !featuresOf(c).On(models.FeatureQuoteManager)}
	v.CanFulfil = v.CanEdit && soOpen(so)
	v.CanCancel = v.CanEdit && soOpen(so)
	if so.Organization != nil {
		v.OrgName = so.Organization.Name
	}
	if so.Contact != nil {
		v.Contact = so.Contact.FullName()
	}
	if so.Owner != nil {
		v.Owner = so.Owner.Name
	}
	if so.Opportunity != nil {
		v.OppTitle = so.Opportunity.Title
	}
	if so.Quote != nil {
		v.QuoteNumber, v.QuoteName = strconv.Itoa(so.Quote.Number), so.Quote.Name
	}
	if so.PromisedDate != nil {
		v.Promised = so.PromisedDate.Format(dateShown)
	}
	for _, l := range so.Lines {
		v.Lines = append(v.Lines, views.SalesOrderLineRow{ID: l.ID, Name: l.Name, Description: l.Description, Ordered: l.QuantityOrdered.String(),
			Fulfilled: l.QuantityFulfilled.String(), Remaining: l.Remaining().String(), UnitPrice: l.UnitPrice.Display(), Done: l.Remaining() == 0})
	}
	events, err := models.SalesOrderEvents(a.db, so.ID)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		row := views.SalesOrderEventRow{When: e.CreatedAt.UTC().Format("2 Jan 2006 15:04"), ISO: e.CreatedAt.UTC().Format(time.RFC3339),
			Who: "Salesdesk", What: e.What, Note: e.Note}
		if e.User != nil {
			row.Who = e.User.Name
		}
		if e.HappenedOn != nil {
			row.On = e.HappenedOn.Format(dateShown)
		}
		v.Events = append(v.Events, row)
	}
	return v, nil
}

func salesOrderTitle(so *models.SalesOrder) string {
	return "Sales order SO-" + soNumber(so.Number) + ": " + so.Title
}

func (a *App) showSalesOrder(c echo.Context) error {
	so, err := a.loadSalesOrder(c)
	if err != nil {
		return err
	}
	f := views.FulfilForm{Version: strconv.Itoa(so.Version), Date: today(a.now()).Format(dateInput)}
	return a.renderSalesOrder(c, so, http.StatusOK, f, nil)
}

// renderSalesOrder shows the sales order page with the fulfilment form f
// and, when given, the purchase order form pf as the user sent it.
func (a *App) renderSalesOrder(c echo.Context, so *models.SalesOrder, status int, f views.FulfilForm, pf *views.PurchaseForm) error {
	v, err := a.salesOrderView(c, so)
	if err != nil {
		return err
	}
	if err := a.purchaseSection(c, so, &v); err != nil {
		return err
	}
	v.Fulfil = f
	if pf != nil {
		v.Purchase.Form = *pf
	}
	return render(c, status, views.SalesOrderPage(a.page(c, salesOrderTitle(so)), v))
}

func (a *App) printSalesOrder(c echo.Context) error {
	so, err := a.loadSalesOrder(c)
	if err != nil {
		return err
	}
	v, err := a.salesOrderView(c, so)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SalesOrderPrintPage(a.page(c, salesOrderTitle(so)), v))
}

func (a *App) recordFulfilment(c echo.Context) error {
	so, err := a.editableSalesOrder(c)
	if err != nil {
		return err
	}
	if so.Status == models.SOCanceled {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "This sales order is canceled: nothing more can be fulfilled on it.")
	}
	f := views.FulfilForm{Version: c.FormValue("version"), Date: c.FormValue("date"), Note: c.FormValue("note"), Qty: map[uint]string{}}
	f.Validate()
	date, ok := parseDate(f.Date)
	if !ok {
		f.Errs.Add("date", "Enter a date such as 2026-12-31.")
	}
	left := make([]lineLeft, len(so.Lines))
	for i, l := range so.Lines {
		left[i] = lineLeft{ID: l.ID, Name: l.Name, Left: l.Remaining(), What: "remain to be fulfilled"}
	}
	lines, first := readLineQuantities(c, &f, left)
	if len(lines) == 0 && !f.Errs.Any() {
		if first == "" {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "Everything on this sales order has been fulfilled already.")
		}
		f.Errs.Add(first, "Enter the quantity fulfilled now for at least one line.")
	}
	if f.Errs.Any() {
		return a.renderSalesOrder(c, so, http.StatusUnprocessableEntity, f, nil)
	}
	version := parseVersion(f.Version)
	so.Version = version
	if version == 0 {
		so.Version = -1 // a form without its version is stale by definition
	}
	err = models.RecordFulfilment(a.db, so, lines, date, f.Note, currentUser(c), a.now().UTC())
	var lineErr *models.LineError
	switch {
	case errors.Is(err, models.ErrSOStale):
		fresh, lerr := models.LoadSalesOrder(a.db, so.ID)
		if lerr != nil {
			return lerr
		}
		f.Version = strconv.Itoa(fresh.Version)
		f.Errs.Add("date", "Someone recorded a change on this order after you opened it, so nothing was recorded. Check the remaining quantities and submit again.")
		return a.renderSalesOrder(c, fresh, http.StatusConflict, f, nil)
	case errors.Is(err, models.ErrSOCanceled):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "This sales order is canceled: nothing more can be fulfilled on it.")
	case errors.As(err, &lineErr):
		f.Errs.Add(views.QtyField(lineErr.LineID), "This quantity is more than what remains to be fulfilled.")
		fresh, lerr := models.LoadSalesOrder(a.db, so.ID)
		if lerr != nil {
			return lerr
		}
		return a.renderSalesOrder(c, fresh, http.StatusUnprocessableEntity, f, nil)
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/sales-orders/"+idStr(so.ID), "Recorded the fulfilment. The order is now "+so.Status.Label()+".")
}

// salesOrderForm fills the choices of the edit form.
func (a *App) salesOrderChoices(f *views.SalesOrderForm, so *models.SalesOrder) error {
	var contacts []models.Contact
	if err := a.db.Where("organization_id = ?", so.OrganizationID).Order("last_name, first_name, id").Find(&contacts).Error; err != nil {
		return err
	}
	f.Contacts = []views.Option{{Value: "", Label: "None"}}
	for _, ct := range contacts {
		f.Contacts = append(f.Contacts, views.Option{Value: idStr(ct.ID), Label: ct.FullName(), Selected: idStr(ct.ID) == f.ContactID})
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return err
	}
	f.Owners = userOptions(users, f.OwnerID, "")
	f.Statuses = []views.Option{{Value: string(so.Status), Label: so.Status.Label(), Selected: f.Status == string(so.Status)}}
	if so.Status == models.SONew {
		f.Statuses = append(f.Statuses, views.Option{Value: string(models.SOInProgress), Label: models.SOInProgress.Label(),
			Selected: f.Status == string(models.SOInProgress)})
	}
	return nil
}

func salesOrderForm(so *models.SalesOrder) views.SalesOrderForm {
	f := views.SalesOrderForm{ID: so.ID, Number: soNumber(so.Number), Title: so.Title, Version: strconv.Itoa(so.Version),
		ContactID: optID(so.ContactID), OwnerID: idStr(so.OwnerID), Status: string(so.Status), BillTo: so.BillTo, ShipTo: so.ShipTo, Notes: so.Notes}
	if so.PromisedDate != nil {
		f.PromisedDate = so.PromisedDate.Format(dateInput)
	}
	return f
}

func (a *App) renderSalesOrderForm(c echo.Context, so *models.SalesOrder, status int, f views.SalesOrderForm) error {
	if err := a.salesOrderChoices(&f, so); err != nil {
		return err
	}
	return render(c, status, views.SalesOrderFormPage(a.page(c, "Edit "+salesOrderTitle(so)), f))
}

func (a *App) editSalesOrder(c echo.Context) error {
	so, err := a.editableSalesOrder(c)
	if err != nil {
		return err
	}
	return a.renderSalesOrderForm(c, so, http.StatusOK, salesOrderForm(so))
}

func (a *App) updateSalesOrder(c echo.Context) error {
	so, err := a.editableSalesOrder(c)
	if err != nil {
		return err
	}
	f := views.SalesOrderForm{ID: so.ID, Number: soNumber(so.Number), Title: so.Title}
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	e := models.SalesOrderEdit{BillTo: strings.TrimSpace(f.BillTo), ShipTo: strings.TrimSpace(f.ShipTo), Notes: strings.TrimSpace(f.Notes)}
	if f.ContactID != "" {
		var ct models.Contact
		id, ok := parseID(f.ContactID)
		if ok {
			err := a.db.Where("organization_id = ?", so.OrganizationID).First(&ct, id).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			ok = err == nil
		}
		if ok {
			e.ContactID = &id
		} else {
			f.Errs.Add("contact_id", "Choose a contact of "+so.Organization.Name+".")
		}
	}
	if id, ok := parseID(f.OwnerID); ok {
		var u models.User
		err := a.db.Where("active = ?", true).First(&u, id).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			f.Errs.Add("owner_id", "Choose an active user.")
		case err != nil:
			return err
		default:
			e.OwnerID = id
		}
	} else {
		f.Errs.Add("owner_id", "Choose an owner.")
	}
	switch models.SalesOrderStatus(f.Status) {
	case so.Status:
	case models.SOInProgress:
		if so.Status != models.SONew {
			f.Errs.Add("status", "Only a new order can be set In Progress.")
		}
		e.InProgress = true
	default:
		f.Errs.Add("status", "Choose a status from the list.")
	}
	if s := strings.TrimSpace(f.PromisedDate); s != "" {
		if d, ok := parseDate(s); ok {
			e.PromisedDate = &d
		} else {
			f.Errs.Add("promised_date", "Enter a date such as 2026-12-31.")
		}
	}
	if f.Errs.Any() {
		return a.renderSalesOrderForm(c, so, http.StatusUnprocessableEntity, f)
	}
	version := parseVersion(f.Version)
	err = models.UpdateSalesOrder(a.db, so, version, e, currentUser(c), a.now().UTC())
	switch {
	case errors.Is(err, models.ErrSOStale):
		fresh, lerr := models.LoadSalesOrder(a.db, so.ID)
		if lerr != nil {
			return lerr
		}
		// The user's input is kept; saving again, now from the current
		// version, overwrites what the other person changed.
		f.Version, f.Stale = strconv.Itoa(fresh.Version), true
		if f.Status != string(fresh.Status) && !(fresh.Status == models.SONew && f.Status == string(models.SOInProgress)) {
			f.Status = string(fresh.Status)
		}
		return a.renderSalesOrderForm(c, fresh, http.StatusConflict, f)
	case errors.Is(err, models.ErrSOStatus):
		f.Errs.Add("status", "Only a new order can be set In Progress.")
		return a.renderSalesOrderForm(c, so, http.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/sales-orders/"+idStr(so.ID), "Saved sales order SO-"+soNumber(so.Number)+".")
}

func (a *App) cancelTarget(c echo.Context) (*models.SalesOrder, views.CancelSalesOrderForm, error) {
	so, err := a.editableSalesOrder(c)
	if err != nil {
		return nil, views.CancelSalesOrderForm{}, err
	}
	switch so.Status {
	case models.SOCanceled:
		return nil, views.CancelSalesOrderForm{}, echo.NewHTTPError(http.StatusConflict, "This sales order is already canceled.")
	case models.SOFulfilled:
		return nil, views.CancelSalesOrderForm{}, echo.NewHTTPError(http.StatusConflict, "This sales order is fulfilled, so it cannot be canceled.")
	}
	f := views.CancelSalesOrderForm{ID: so.ID, Number: soNumber(so.Number), Title: so.Title, Version: strconv.Itoa(so.Version)}
	pos, _, err := models.PurchaseOrdersOf(a.db, so.ID, 0)
	if err != nil {
		return nil, f, err
	}
	for _, po := range pos {
		if po.Status.Open() {
			f.OpenPOs = append(f.OpenPOs, poRow(po.ID, po.Number, po.VendorID, po.Vendor.Name, po.Status, po.ExpectedDate, 0, false, time.Time{}))
		}
		if po.Status.Cancelable() {
			f.Cancelable++
		}
	}
	return so, f, nil
}

func (a *App) confirmCancelSalesOrder(c echo.Context) error {
	so, f, err := a.cancelTarget(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CancelSalesOrderPage(a.page(c, "Cancel "+salesOrderTitle(so)), f))
}

func (a *App) cancelSalesOrder(c echo.Context) error {
	so, f, err := a.cancelTarget(c)
	if err != nil {
		return err
	}
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	canceledPOs := 0
	if !f.Errs.Any() {
		version := parseVersion(f.Version)
		if f.CancelPOs == "on" && f.Cancelable > 0 {
			canceledPOs, err = models.CancelSalesOrderAndPurchases(a.db, so, version, f.Reason, currentUser(c), a.now().UTC())
		} else {
			err = models.SetSalesOrderStatus(a.db, so, version, models.SOCanceled, f.Reason, currentUser(c), a.now().UTC())
		}
		switch {
		case errors.Is(err, models.ErrSOStale), errors.Is(err, models.ErrPOStale):
			fresh, lerr := models.LoadSalesOrder(a.db, so.ID)
			if lerr != nil {
				return lerr
			}
			f.Version = strconv.Itoa(fresh.Version)
			f.Errs.Add("reason", "Someone changed this order after you opened this page, so it was not canceled. Check the order, then confirm again.")
			return render(c, http.StatusConflict, views.CancelSalesOrderPage(a.page(c, "Cancel "+salesOrderTitle(so)), f))
		case errors.Is(err, models.ErrSOFulfilled), errors.Is(err, models.ErrSOAlreadyCanceled):
			return echo.NewHTTPError(http.StatusConflict, "This sales order can no longer be canceled: it is fulfilled or canceled already.")
		case errors.Is(err, models.ErrSOReasonRequired):
			f.Errs.Add("reason", "The reason is required.")
		case err != nil:
			return err
		}
	}
	if f.Errs.Any() {
		return render(c, http.StatusUnprocessableEntity, views.CancelSalesOrderPage(a.page(c, "Cancel "+salesOrderTitle(so)), f))
	}
	msg := "Canceled sales order SO-" + soNumber(so.Number) + "."
	switch canceledPOs {
	case 0:
	case 1:
		msg += " Its open purchase order was canceled too."
	default:
		msg += " " + strconv.Itoa(canceledPOs) + " of its purchase orders were canceled too."
	}
	return a.redirectWithFlash(c, "/sales-orders/"+idStr(so.ID), msg)
}

// salesOrderRef is the sales order of an opportunity as its pages show it,
// or nil with Procurement off or without one.
func (a *App) salesOrderRef(c echo.Context, oppID uint) (*views.SalesOrderRef, error) {
	if !featuresOf(c).On(models.FeatureProcurement) {
		return nil, nil
	}
	so, err := models.SalesOrderRefOf(a.read, oppID)
	if err != nil || so == nil {
		return nil, err
	}
	return &views.SalesOrderRef{ID: so.ID, Number: soNumber(so.Number), Status: so.Status.Label(), StatusKey: string(so.Status)}, nil
}

// lineLeft is an order line as a per-line quantity form reads it: what is
// left to fulfil or receive, and how the message says so.
type lineLeft struct {
	ID   uint
	Name string
	Left models.Quantity
	What string // "remain to be fulfilled", "are outstanding"
}

// readLineQuantities reads the quantity typed for each line with something
// left, for fulfilment and for receiving: it keeps the input in f, adds a
// message next to each bad field, and returns the quantities above zero and
// the first field (where "enter at least one" goes).
func readLineQuantities(c echo.Context, f *views.FulfilForm, left []lineLeft) (map[uint]models.Quantity, string) {
	lines := map[uint]models.Quantity{}
	first := ""
	for _, l := range left {
		if l.Left == 0 {
			continue
		}
		field := views.QtyField(l.ID)
		if first == "" {
			first = field
		}
		raw := strings.TrimSpace(c.FormValue(field))
		f.Qty[l.ID] = raw
		if raw == "" {
			continue
		}
		q, err := models.ParseQuantity(raw)
		switch {
		case err != nil:
			f.Errs.Add(field, l.Name+": enter a quantity such as 1 or 2.5.")
		case q < 0:
			f.Errs.Add(field, l.Name+": a quantity cannot be negative.")
		case q > l.Left:
			f.Errs.Add(field, l.Name+": at most "+l.Left.String()+" "+l.What+".")
		case q > 0:
			lines[l.ID] = q
		}
	}
	return lines, first
}
