package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

// purchaseOrderRoutes registers the purchase orders (Procurement), under the
// same gate as the sales orders they buy for. Everyone signed in reads them;
// the owner of the sales order, managers and admins change them.
func (a *App) purchaseOrderRoutes(in *echo.Group) {
	po := in.Group("", RequireFeature(models.FeatureSales), RequireFeature(models.FeatureProcurement))
	po.POST("/sales-orders/:id/purchase-orders", a.createPurchaseOrders)
	po.GET("/purchase-orders", a.listPurchaseOrders)
	po.GET("/purchase-orders/:id", a.showPurchaseOrder)
	po.GET("/purchase-orders/:id/print", a.printPurchaseOrder)
	po.GET("/purchase-orders/:id/edit", a.editPurchaseOrder)
	po.POST("/purchase-orders/:id", a.updatePurchaseOrder)
	po.POST("/purchase-orders/:id/submit", a.submitPurchaseOrder)
	po.POST("/purchase-orders/:id/receipts", a.receivePurchaseOrder)
	po.GET("/purchase-orders/:id/cancel", a.confirmCancelPurchaseOrder)
	po.POST("/purchase-orders/:id/cancel", a.cancelPurchaseOrder)
}

func poTitle(po *models.PurchaseOrder) string {
	return "Purchase order PO-" + strconv.Itoa(po.Number) + " to " + po.Vendor.Name
}

// poRow shapes one purchase order for the list and the sales order's page.
func poRow(id uint, number int, vendorID uint, vendor string, status models.PurchaseOrderStatus, expected *time.Time, total models.Money,
	showCost bool, t time.Time) views.PurchaseOrderRow {
	r := views.PurchaseOrderRow{ID: id, Number: strconv.Itoa(number), VendorID: vendorID, VendorName: vendor, Status: status.Label(),
		StatusKey: string(status)}
	if expected != nil {
		r.Expected = expected.Format(dateShown)
		r.Overdue = expected.Before(t) && status.Open()
	}
	if showCost {
		r.Total = total.Display()
	}
	return r
}

// poListRows are the rows of a list of purchase orders.
func poListRows(rows []models.PurchaseOrderRow, showCost bool, t time.Time) []views.PurchaseOrderRow {
	out := make([]views.PurchaseOrderRow, 0, len(rows))
	for _, r := range rows {
		row := poRow(r.ID, r.Number, r.VendorID, r.VendorName, r.Status, r.ExpectedDate, r.Total, showCost, t)
		row.SOID, row.SONumber, row.SOTitle = r.SalesOrderID, soNumber(r.SalesOrderNumber), r.SalesOrderTitle
		out = append(out, row)
	}
	return out
}

// vendorOrdersShown is how many of a vendor's purchase orders its page lists.
const vendorOrdersShown = 10

// vendorOrders are the newest purchase orders placed with an organization,
// for its page; nil when there are none and it is not a vendor.
func (a *App) vendorOrders(c echo.Context, o *models.Organization) (*views.VendorOrders, error) {
	f := models.PurchaseOrderFilter{VendorID: o.ID}
	rows, more, err := models.ListPurchaseOrders(a.db, f, models.Page{Number: 1, Size: vendorOrdersShown})
	if err != nil || len(rows) == 0 && o.Type != models.VendorType {
		return nil, err
	}
	v := &views.VendorOrders{ShowCost: seesCost(c)}
	v.Rows = poListRows(rows, v.ShowCost, today(a.now()))
	if more {
		v.AllURL = "/purchase-orders?vendor=" + idStr(o.ID)
	}
	return v, nil
}

func (a *App) listPurchaseOrders(c echo.Context) error {
	q := c.QueryParams()
	p := models.NewPage(pageNumber(q.Get("page")))
	v := views.PurchaseOrderListPage{ExpectedBefore: q.Get("expected_before"), ShowCost: seesCost(c)}
	var f models.PurchaseOrderFilter
	if s := models.PurchaseOrderStatus(q.Get("status")); s.Valid() {
		f.Status = s
	}
	// The vendor filter is the vendor picker (a typed name past 200 vendors);
	// the vendor filtered by stays offered whatever its type now.
	keep, _ := parseID(q.Get("vendor"))
	var err error
	if f.VendorID, v.Vendor, err = a.filterPicker(models.OrgPick{VendorsOnly: true, Keep: keep}, q, "vendor", "Vendor", "All vendors", &v.Errs); err != nil {
		return err
	}
	if id, ok := parseID(q.Get("sales_order")); ok {
		f.SalesOrderID = id
		v.SalesOrder = idStr(id)
	}
	if s := strings.TrimSpace(v.ExpectedBefore); s != "" {
		if d, ok := parseDate(s); ok {
			f.ExpectedBefore = d
		} else {
			v.Errs.Add("expected_before", "Enter a date such as 2026-12-31.")
		}
	}
	v.Filtered = f.Status != "" || f.VendorID != 0 || f.SalesOrderID != 0 || strings.TrimSpace(v.ExpectedBefore) != ""
	status := http.StatusOK
	var rows []models.PurchaseOrderRow
	more := false
	if v.Errs.Any() {
		status = http.StatusUnprocessableEntity
	} else if rows, more, err = models.ListPurchaseOrders(a.db, f, p); err != nil {
		return err
	}
	v.Statuses = []views.Option{{Value: "", Label: "All statuses"}}
	for _, s := range models.PurchaseOrderStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: s == f.Status})
	}
	v.Pager = pager("/purchase-orders", q, p, len(rows), more)
	v.Rows = poListRows(rows, v.ShowCost, today(a.now()))
	return render(c, status, views.PurchaseOrdersPage(a.page(c, "Purchase orders"), v))
}

// soPurchaseOrdersShown is how many purchase orders a sales order's page
// lists; the list page has the rest.
const soPurchaseOrdersShown = 20

// purchaseSection shapes the purchase orders part of a sales order's page and
// fills in what the sales order's lines show of them.
func (a *App) purchaseSection(c echo.Context, so *models.SalesOrder, v *views.SalesOrderView) error {
	proc, err := models.SalesOrderProcurement(a.db, so)
	if err != nil {
		return err
	}
	var left []string
	for i, l := range so.Lines {
		p := proc[l.ID]
		v.Lines[i].Procured, v.Lines[i].Purchased, v.Lines[i].Received = p.Required, p.Purchased.String(), p.Received.String()
		v.Purchase.Required = v.Purchase.Required || p.Required
		if q := p.ToPurchase(l.QuantityOrdered); q > 0 {
			left = append(left, q.String()+" × "+l.Name)
		}
	}
	v.Purchase.Left = strings.Join(left, ", ")
	v.Purchase.CanOrder = v.CanEdit && soOpen(so) && len(left) > 0
	v.Purchase.ShowCost = seesCost(c)
	pos, more, err := models.PurchaseOrdersOf(a.db, so.ID, soPurchaseOrdersShown)
	if err != nil {
		return err
	}
	if more {
		v.Purchase.AllURL = "/purchase-orders?sales_order=" + idStr(so.ID)
	}
	t := today(a.now())
	for _, po := range pos {
		v.Purchase.Orders = append(v.Purchase.Orders, poRow(po.ID, po.Number, po.VendorID, po.Vendor.Name, po.Status, po.ExpectedDate, po.Total(), v.Purchase.ShowCost, t))
	}
	return nil
}

// createPurchaseOrders puts what a sales order still needs from vendors on
// draft purchase orders, one per vendor.
func (a *App) createPurchaseOrders(c echo.Context) error {
	so, err := a.editableSalesOrder(c)
	if err != nil {
		return err
	}
	if !soOpen(so) {
		return echo.NewHTTPError(http.StatusConflict, "This sales order is "+so.Status.Label()+": nothing more is ordered for it.")
	}
	pf := views.PurchaseForm{Expected: c.FormValue("expected_date")}
	var expected *time.Time
	if s := strings.TrimSpace(pf.Expected); s != "" {
		if d, ok := parseDate(s); ok {
			expected = &d
		} else {
			pf.Errs.Add("expected_date", "Enter a date such as 2026-12-31, or leave it empty.")
		}
	}
	fresh := func(status int) error {
		cur, err := models.LoadSalesOrder(a.db, so.ID)
		if err != nil {
			return err
		}
		f := views.FulfilForm{Version: strconv.Itoa(cur.Version), Date: today(a.now()).Format(dateInput)}
		return a.renderSalesOrder(c, cur, status, f, &pf)
	}
	if pf.Errs.Any() {
		return fresh(http.StatusUnprocessableEntity)
	}
	created, notCatalog, err := models.CreatePurchaseOrders(a.db, so.ID, expected, currentUser(c), a.now().UTC())
	var nv *models.NoVendorError
	switch {
	case errors.As(err, &nv):
		pf.Problem = "Nothing was ordered: " + strings.Join(nv.Quoted(), ", ") + " " + haveOrHas(len(nv.Products)) +
			" no vendor in the product catalog. An admin sets the vendor on the product (or marks it as not requiring procurement); then create the purchase orders again."
		for i, name := range nv.Products {
			pf.NoVendor = append(pf.NoVendor, views.ProductLink{ID: nv.ProductIDs[i], Name: name})
		}
		return fresh(http.StatusUnprocessableEntity)
	case errors.Is(err, models.ErrPONothing):
		pf.Problem = "Nothing was ordered: every line that requires procurement is on a purchase order already."
		return fresh(http.StatusUnprocessableEntity)
	case errors.Is(err, models.ErrPOOrderClosed):
		return echo.NewHTTPError(http.StatusConflict, "This sales order is canceled or fulfilled: nothing more is ordered for it.")
	case err != nil:
		return err
	}
	var names []string
	for _, po := range created {
		names = append(names, "PO-"+strconv.Itoa(po.Number)+" ("+po.Vendor.Name+")")
	}
	msg := fmt.Sprintf("Created %d draft purchase order%s: %s.", len(created), plural(len(created)), strings.Join(names, ", "))
	if len(notCatalog) > 0 {
		msg += " Not ordered, as not catalog products: " + strings.Join(notCatalog, ", ") + "."
	}
	return a.redirectWithFlash(c, "/sales-orders/"+idStr(so.ID), msg)
}

func haveOrHas(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func (a *App) loadPurchaseOrder(c echo.Context) (*models.PurchaseOrder, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadPurchaseOrder(a.db, id)
}

// editablePurchaseOrder loads the purchase order of the route and checks the
// user may change it: the owner of its sales order, managers and admins.
func (a *App) editablePurchaseOrder(c echo.Context) (*models.PurchaseOrder, error) {
	po, err := a.loadPurchaseOrder(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditOwned(po.SalesOrder.OwnerID) {
		return nil, errForbidden
	}
	return po, nil
}

// purchaseOrderView shapes a purchase order for its page and its print view.
func (a *App) purchaseOrderView(c echo.Context, po *models.PurchaseOrder) (views.PurchaseOrderView, error) {
	so := po.SalesOrder
	v := views.PurchaseOrderView{ID: po.ID, Number: strconv.Itoa(po.Number), Company: companyName, VendorID: po.VendorID, VendorName: po.Vendor.Name,
		VendorAddr: address(po.Vendor), SOID: so.ID, SONumber: soNumber(so.Number), SOTitle: so.Title, ShipTo: so.ShipTo,
		Status: po.Status.Label(), StatusKey: string(po.Status), Created: po.CreatedAt.Format(dateShown), Notes: po.Notes,
		CancelReason: po.CancelReason, Version: po.Version, ShowCost: seesCost(c), Total: po.Total().Display(),
		CanEdit: currentUser(c).CanEditOwned(so.OwnerID)}
	if so.Organization != nil {
		v.Customer = so.Organization.Name
	}
	if po.ExpectedDate != nil {
		v.Expected = po.ExpectedDate.Format(dateShown)
	}
	v.CanSubmit = v.CanEdit && po.Status == models.PODraft
	v.CanReceive = v.CanEdit && po.Status.Receivable()
	v.CanCancel = v.CanEdit && po.Status.Cancelable()
	v.CanEdit = v.CanEdit && po.Status.Open()
	for _, l := range po.Lines {
		v.Lines = append(v.Lines, views.PurchaseOrderLineRow{ID: l.ID, Name: l.Name, Ordered: l.Quantity.String(), Received: l.QuantityReceived.String(),
			Outstanding: l.Outstanding().String(), UnitCost: l.UnitCost.Display(), Total: l.Total().Display(), Done: l.Outstanding() == 0})
	}
	events, err := models.PurchaseOrderEvents(a.db, po.ID)
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

func (a *App) renderPurchaseOrder(c echo.Context, po *models.PurchaseOrder, status int, f views.ReceiveForm, conflict string) error {
	v, err := a.purchaseOrderView(c, po)
	if err != nil {
		return err
	}
	v.Receive, v.Conflict = f, conflict
	return render(c, status, views.PurchaseOrderPage(a.page(c, poTitle(po)), v))
}

func (a *App) receiveForm(po *models.PurchaseOrder) views.ReceiveForm {
	return views.ReceiveForm{Version: strconv.Itoa(po.Version), Date: today(a.now()).Format(dateInput)}
}

func (a *App) showPurchaseOrder(c echo.Context) error {
	po, err := a.loadPurchaseOrder(c)
	if err != nil {
		return err
	}
	return a.renderPurchaseOrder(c, po, http.StatusOK, a.receiveForm(po), "")
}

func (a *App) printPurchaseOrder(c echo.Context) error {
	po, err := a.loadPurchaseOrder(c)
	if err != nil {
		return err
	}
	v, err := a.purchaseOrderView(c, po)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.PurchaseOrderPrintPage(a.page(c, poTitle(po)), v))
}

// formVersion reads the version field of a form; a form without one is stale
// by definition.
func formVersion(c echo.Context) int { return parseVersion(c.FormValue("version")) }

// poConflict re-renders the purchase order as it is now, saying why the
// user's action was not carried out.
func (a *App) poConflict(c echo.Context, id uint, msg string) error {
	fresh, err := models.LoadPurchaseOrder(a.db, id)
	if err != nil {
		return err
	}
	return a.renderPurchaseOrder(c, fresh, http.StatusConflict, a.receiveForm(fresh), msg)
}

const poStaleMsg = "Someone changed this purchase order after you opened it, so nothing was done. Check the order as it is now, then try again."

func (a *App) submitPurchaseOrder(c echo.Context) error {
	po, err := a.editablePurchaseOrder(c)
	if err != nil {
		return err
	}
	err = models.SubmitPurchaseOrder(a.db, po, formVersion(c), currentUser(c), a.now().UTC())
	switch {
	case errors.Is(err, models.ErrPOStale):
		return a.poConflict(c, po.ID, poStaleMsg)
	case errors.Is(err, models.ErrPOStatus):
		return a.poConflict(c, po.ID, "This purchase order is "+po.Status.Label()+", not a draft: it was not submitted again.")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/purchase-orders/"+idStr(po.ID), "Submitted PO-"+strconv.Itoa(po.Number)+" to "+po.Vendor.Name+".")
}

func (a *App) receivePurchaseOrder(c echo.Context) error {
	po, err := a.editablePurchaseOrder(c)
	if err != nil {
		return err
	}
	if !po.Status.Receivable() {
		msg := "This purchase order is " + po.Status.Label() + ": nothing can be received on it."
		if po.Status == models.PODraft {
			msg = "This purchase order is a draft: submit it to the vendor before receiving."
		}
		return a.poConflict(c, po.ID, msg)
	}
	f := views.ReceiveForm{Version: c.FormValue("version"), Date: c.FormValue("date"), Note: c.FormValue("note"), Qty: map[uint]string{}}
	f.Validate()
	date, ok := parseDate(f.Date)
	if !ok {
		f.Errs.Add("date", "Enter a date such as 2026-12-31.")
	}
	left := make([]lineLeft, len(po.Lines))
	for i, l := range po.Lines {
		left[i] = lineLeft{ID: l.ID, Name: l.Name, Left: l.Outstanding(), What: "are outstanding"}
	}
	lines, first := readLineQuantities(c, &f, left)
	if len(lines) == 0 && !f.Errs.Any() {
		f.Errs.Add(first, "Enter the quantity received now for at least one line.")
	}
	if f.Errs.Any() {
		return a.renderPurchaseOrder(c, po, http.StatusUnprocessableEntity, f, "")
	}
	err = models.ReceivePurchaseOrder(a.db, po, formVersion(c), lines, date, f.Note, currentUser(c), a.now().UTC())
	var lineErr *models.LineError
	switch {
	case errors.Is(err, models.ErrPOStale):
		fresh, lerr := models.LoadPurchaseOrder(a.db, po.ID)
		if lerr != nil {
			return lerr
		}
		f.Version = strconv.Itoa(fresh.Version)
		return a.renderPurchaseOrder(c, fresh, http.StatusConflict, f,
			"Someone recorded a change on this purchase order after you opened it, so nothing was received. Check the outstanding quantities and submit again.")
	case errors.Is(err, models.ErrPOStatus), errors.Is(err, models.ErrPONotSubmitted):
		return a.poConflict(c, po.ID, "This purchase order can no longer receive anything.")
	case errors.As(err, &lineErr):
		fresh, lerr := models.LoadPurchaseOrder(a.db, po.ID)
		if lerr != nil {
			return lerr
		}
		f.Errs.Add(views.QtyField(lineErr.LineID), "This quantity is more than what is outstanding.")
		return a.renderPurchaseOrder(c, fresh, http.StatusUnprocessableEntity, f, "")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/purchase-orders/"+idStr(po.ID), "Recorded the receipt. The purchase order is now "+po.Status.Label()+".")
}

func purchaseOrderForm(c echo.Context, po *models.PurchaseOrder) views.PurchaseOrderForm {
	f := views.PurchaseOrderForm{ID: po.ID, Number: strconv.Itoa(po.Number), Vendor: po.Vendor.Name, Version: strconv.Itoa(po.Version), Notes: po.Notes}
	if po.ExpectedDate != nil {
		f.Expected = po.ExpectedDate.Format(dateInput)
	}
	f.Costs = poCostFields(c, po, func(l models.PurchaseOrderLine) string { return l.UnitCost.Input0() })
	return f
}

// poCostFields are the unit cost fields of a draft, for those who see costs;
// value fills each one.
func poCostFields(c echo.Context, po *models.PurchaseOrder, value func(models.PurchaseOrderLine) string) []views.POCostField {
	if po.Status != models.PODraft || !seesCost(c) {
		return nil
	}
	out := make([]views.POCostField, 0, len(po.Lines))
	for _, l := range po.Lines {
		out = append(out, views.POCostField{LineID: l.ID, Name: l.Name, Quantity: l.Quantity.String(), Value: value(l)})
	}
	return out
}

// openPurchaseOrder is the editable purchase order of the route, still open.
func (a *App) openPurchaseOrder(c echo.Context) (*models.PurchaseOrder, error) {
	po, err := a.editablePurchaseOrder(c)
	if err != nil {
		return nil, err
	}
	if !po.Status.Open() {
		return nil, echo.NewHTTPError(http.StatusConflict, "This purchase order is "+po.Status.Label()+": it can no longer be changed.")
	}
	return po, nil
}

func (a *App) editPurchaseOrder(c echo.Context) error {
	po, err := a.openPurchaseOrder(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.PurchaseOrderFormPage(a.page(c, "Edit "+poTitle(po)), purchaseOrderForm(c, po)))
}

func (a *App) updatePurchaseOrder(c echo.Context) error {
	po, err := a.openPurchaseOrder(c)
	if err != nil {
		return err
	}
	f := views.PurchaseOrderForm{ID: po.ID, Number: strconv.Itoa(po.Number), Vendor: po.Vendor.Name}
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	e := models.PurchaseOrderEdit{Notes: f.Notes}
	if s := strings.TrimSpace(f.Expected); s != "" {
		if d, ok := parseDate(s); ok {
			e.ExpectedDate = &d
		} else {
			f.Errs.Add("expected_date", "Enter a date such as 2026-12-31, or leave it empty.")
		}
	}
	// A cost left out of the request (not blank: absent) stays as it is.
	form, _ := c.FormParams()
	f.Costs = poCostFields(c, po, func(l models.PurchaseOrderLine) string {
		if name := "cost_" + idStr(l.ID); form.Has(name) {
			return form.Get(name)
		}
		return l.UnitCost.Input0()
	})
	if f.Costs != nil {
		e.UnitCosts = map[uint]models.Money{}
		for _, l := range f.Costs {
			switch m, err := models.ParseMoney(l.Value); {
			case strings.TrimSpace(l.Value) == "":
				f.Errs.Add(l.Field(), "Enter the unit cost; 0 when the vendor charges nothing.")
			case err != nil:
				f.Errs.Add(l.Field(), moneyError(err))
			case m < 0:
				f.Errs.Add(l.Field(), "A unit cost cannot be negative.")
			default:
				e.UnitCosts[l.LineID] = m
			}
		}
	}
	page := func(status int) error {
		return render(c, status, views.PurchaseOrderFormPage(a.page(c, "Edit "+poTitle(po)), f))
	}
	if f.Errs.Any() {
		return page(http.StatusUnprocessableEntity)
	}
	err = models.UpdatePurchaseOrder(a.db, po, formVersion(c), e, currentUser(c), a.now().UTC())
	switch {
	case errors.Is(err, models.ErrPOStale):
		fresh, lerr := models.LoadPurchaseOrder(a.db, po.ID)
		if lerr != nil {
			return lerr
		}
		// The input is kept; saving again, now from the current version,
		// overwrites what the other person changed.
		f.Version, f.Stale = strconv.Itoa(fresh.Version), true
		return page(http.StatusConflict)
	case errors.Is(err, models.ErrPOStatus):
		return echo.NewHTTPError(http.StatusConflict, "This purchase order was received or canceled meanwhile: it can no longer be changed.")
	case errors.Is(err, models.ErrPOCostsFixed):
		return echo.NewHTTPError(http.StatusConflict, "This purchase order was submitted meanwhile: its unit costs are the ones sent to the vendor. Nothing was saved.")
	case err != nil:
		return err
	}
	return a.redirectWithFlash(c, "/purchase-orders/"+idStr(po.ID), "Saved PO-"+strconv.Itoa(po.Number)+".")
}

func (a *App) cancelPOTarget(c echo.Context) (*models.PurchaseOrder, views.CancelPurchaseOrderForm, error) {
	po, err := a.editablePurchaseOrder(c)
	if err != nil {
		return nil, views.CancelPurchaseOrderForm{}, err
	}
	if !po.Status.Cancelable() {
		return nil, views.CancelPurchaseOrderForm{}, echo.NewHTTPError(http.StatusConflict,
			"This purchase order is "+po.Status.Label()+": only a draft or submitted purchase order can be canceled.")
	}
	return po, views.CancelPurchaseOrderForm{ID: po.ID, Number: strconv.Itoa(po.Number), Vendor: po.Vendor.Name, Version: strconv.Itoa(po.Version)}, nil
}

func (a *App) confirmCancelPurchaseOrder(c echo.Context) error {
	po, f, err := a.cancelPOTarget(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CancelPurchaseOrderPage(a.page(c, "Cancel "+poTitle(po)), f))
}

func (a *App) cancelPurchaseOrder(c echo.Context) error {
	po, f, err := a.cancelPOTarget(c)
	if err != nil {
		return err
	}
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.Validate()
	status := http.StatusUnprocessableEntity
	if !f.Errs.Any() {
		err = models.CancelPurchaseOrder(a.db, po, formVersion(c), f.Reason, currentUser(c), a.now().UTC())
		switch {
		case errors.Is(err, models.ErrPOStale):
			fresh, lerr := models.LoadPurchaseOrder(a.db, po.ID)
			if lerr != nil {
				return lerr
			}
			f.Version, status = strconv.Itoa(fresh.Version), http.StatusConflict
			f.Errs.Add("reason", "Someone changed this purchase order after you opened this page, so it was not canceled. Check the order, then confirm again.")
		case errors.Is(err, models.ErrPONotCancelable):
			return echo.NewHTTPError(http.StatusConflict, "This purchase order can no longer be canceled: something was received on it, or it is canceled already.")
		case err != nil:
			return err
		}
	}
	if f.Errs.Any() {
		return render(c, status, views.CancelPurchaseOrderPage(a.page(c, "Cancel "+poTitle(po)), f))
	}
	return a.redirectWithFlash(c, "/purchase-orders/"+idStr(po.ID), "Canceled PO-"+strconv.Itoa(po.Number)+". What it held can be ordered again from the sales order.")
}
