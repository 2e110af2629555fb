package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// The product catalog: everyone signed in reads it and exports it; admins add,
// edit and import. Unit cost is internal: reps see prices only.
// Admin › Features & Settings › Tax rates and Payment terms, offered on quotes.

// productRoutes registers the catalog (/products) and the admin pages for tax
// rates and payment terms.
func (a *App) productRoutes(sales, salesAdmin *echo.Group) {
	admin := RequireRole(models.RoleAdmin)
	sales.GET("/products", a.listProducts)
	sales.GET("/products/export.csv", a.exportProducts)
	sales.GET("/products/new", a.newProduct, admin)
	sales.POST("/products", a.createProduct, admin)
	sales.GET("/products/import", a.productImportForm, admin)
	sales.POST("/products/import", a.importProducts, admin)
	sales.GET("/products/:id", a.showProduct)
	sales.GET("/products/:id/edit", a.editProduct, admin)
	sales.POST("/products/:id", a.updateProduct, admin)

	salesAdmin.GET("/tax-rates", a.listTaxRates)
	salesAdmin.POST("/tax-rates", a.createTaxRate)
	salesAdmin.GET("/tax-rates/:id/edit", a.editTaxRate)
	salesAdmin.POST("/tax-rates/:id", a.updateTaxRate)
	salesAdmin.POST("/tax-rates/:id/move", a.moveTaxRate)
	salesAdmin.GET("/tax-rates/:id/delete", a.confirmDeleteTaxRate)
	salesAdmin.POST("/tax-rates/:id/delete", a.deleteTaxRate)

	salesAdmin.GET("/payment-terms", a.listPaymentTerms)
	salesAdmin.POST("/payment-terms", a.createPaymentTerm)
	salesAdmin.GET("/payment-terms/:id/edit", a.editPaymentTerm)
	salesAdmin.POST("/payment-terms/:id", a.updatePaymentTerm)
	salesAdmin.POST("/payment-terms/:id/move", a.movePaymentTerm)
	salesAdmin.GET("/payment-terms/:id/delete", a.confirmDeletePaymentTerm)
	salesAdmin.POST("/payment-terms/:id/delete", a.deletePaymentTerm)
}

// seesCost: unit cost and margin are for managers and admins.
func seesCost(c echo.Context) bool {
	u := currentUser(c)
	return u != nil && u.SeesAllRecords()
}

func isAdmin(c echo.Context) bool {
	u := currentUser(c)
	return u != nil && u.Role == models.RoleAdmin
}

// ---------------------------------------------------------------------------
// The list and the export.

// productQuery reads the catalog filters shared by the list and the export.
// The list shows active products unless status says otherwise.
func productQuery(c echo.Context) (models.ProductFilter, views.ProductListPage) {
	q := c.QueryParams()
	f := models.ProductFilter{Text: truncate(q.Get("q"), 200)}
	v := views.ProductListPage{Text: f.Text}
	if k, ok := models.ProductKindFrom(q.Get("type")); ok && q.Get("type") == string(k) {
		f.Type = k
	}
	v.Types = []views.Option{{Value: "", Label: "All types", Selected: f.Type == ""}}
	for _, k := range models.ProductKinds {
		v.Types = append(v.Types, views.Option{Value: string(k), Label: k.Label(), Selected: k == f.Type})
	}
	status := q.Get("status")
	switch status {
	case "inactive":
		off := false
		f.Active = &off
	case "all":
	default:
		status = "active"
		on := true
		f.Active = &on
	}
	for _, s := range []struct{ value, label string }{{"active", "Active"}, {"inactive", "Inactive"}, {"all", "Active and inactive"}} {
		v.Statuses = append(v.Statuses, views.Option{Value: s.value, Label: s.label, Selected: s.value == status})
	}
	v.Filtered = f.Text != "" || f.Type != "" || status != "active"
	return f, v
}

func (a *App) listProducts(c echo.Context) error {
	f, v := productQuery(c)
	q := c.QueryParams()
	p := models.NewPage(pageNumber(q.Get("page")))
	rows, more, err := models.ListProducts(a.db, f, p)
	if err != nil {
		return err
	}
	v.Pager = pager("/products", q, p, len(rows), more)
	v.CSVURL = withQuery("/products/export.csv", q, map[string]string{"page": ""})
	v.CanEdit, v.ShowCost = isAdmin(c), seesCost(c)
	for _, r := range rows {
		row := views.ProductRow{ID: r.ID, Name: r.Name, SKU: r.SKU, Type: r.Type.Label(), Period: r.Period.Label(),
			UnitPrice: r.UnitPrice.Display(), Taxable: r.Taxable, Active: r.Active}
		if v.ShowCost {
			row.UnitCost = r.UnitCost.Display()
		}
		if r.Vendor != nil {
			row.Vendor = r.Vendor.Name
		}
		v.Rows = append(v.Rows, row)
	}
	return render(c, http.StatusOK, views.ProductsPage(a.page(c, "Products"), v))
}

// exportProducts streams the filtered catalog as CSV in the import's layout,
// so an exported file can be edited and imported back. Reps get no cost column.
func (a *App) exportProducts(c echo.Context) error {
	f, _ := productQuery(c)
	cost, procurement := seesCost(c), featuresOf(c).On(models.FeatureProcurement)
	header := []string{}
	for _, h := range models.ProductCSVHeader {
		if h != "unit_cost" || cost {
			header = append(header, h)
		}
	}
	header = append(header, models.ProductCSVVendor)
	if procurement {
		header = append(header, models.ProductCSVNoProcurement)
	}
	return a.streamCSV(c, "products-"+a.now().UTC().Format("2006-01-02")+".csv", header, func(write func([]string) error) error {
		return models.EachProduct(a.db, f, func(p models.Product) error {
			rec := []string{csvSafe(p.Name), csvSafe(p.SKU), string(p.Type), csvSafe(p.Description), p.UnitPrice.Input0()}
			if cost {
				rec = append(rec, p.UnitCost.Input0())
			}
			rec = append(rec, string(p.Period), models.YesNo(p.Taxable), models.YesNo(p.Active), "")
			if p.Vendor != nil {
				rec[len(rec)-1] = csvSafe(p.Vendor.Name)
			}
			if procurement {
				rec = append(rec, models.YesNo(p.NoProcurement))
			}
			return write(rec)
		})
	})
}

// ---------------------------------------------------------------------------
// One product.

func (a *App) loadProduct(c echo.Context) (*models.Product, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.LoadProduct(a.db, id)
}

func (a *App) showProduct(c echo.Context) error {
	p, err := a.loadProduct(c)
	if err != nil {
		return err
	}
	v := views.ProductView{ID: p.ID, Name: p.Name, SKU: p.SKU, Type: p.Type.Label(), Description: p.Description,
		UnitPrice: p.UnitPrice.Display(), Period: p.Period.Label(), Taxable: p.Taxable, Active: p.Active,
		NoProcurement: p.NoProcurement, CanEdit: isAdmin(c), ShowCost: seesCost(c)}
	if v.ShowCost {
		v.UnitCost, v.Margin = p.UnitCost.Display(), (p.UnitPrice - p.UnitCost).Display()
	}
	if p.Vendor != nil {
		v.Vendor, v.VendorID = p.Vendor.Name, p.Vendor.ID
	}
	return render(c, http.StatusOK, views.ProductPage(a.page(c, p.Name), v))
}

// productForm is the form filled with a product's values. A zero price shows
// as 0.00, so that saving the form again does not trip "price required".
func productForm(p *models.Product) views.ProductForm {
	return views.ProductForm{ID: p.ID, Name: p.Name, SKU: p.SKU, Type: string(p.Type), Description: p.Description,
		UnitPrice: p.UnitPrice.Input0(), UnitCost: p.UnitCost.Input(), Period: string(p.Period),
		Taxable: onOff(p.Taxable), Active: onOff(p.Active), VendorID: optID(p.VendorID), NoProcurement: onOff(p.NoProcurement)}
}

// fillProductChoices sets the options of the form's selects; keepVendor stays
// offered even if it is no longer of type Vendor.
func (a *App) fillProductChoices(f *views.ProductForm, keepVendor *uint) error {
	f.Types, f.Periods = nil, nil
	for _, k := range models.ProductKinds {
		f.Types = append(f.Types, views.Option{Value: string(k), Label: k.Label(), Selected: string(k) == f.Type})
	}
	for _, p := range models.Periods {
		f.Periods = append(f.Periods, views.Option{Value: string(p), Label: p.Label(), Selected: string(p) == f.Period})
	}
	in := views.In{Label: "Vendor", Name: "vendor_id", Hint: "Organizations of type Vendor.", Errs: &f.Errs}
	var err error
	f.Vendor, _, err = a.picker(models.OrgPick{VendorsOnly: true, Keep: optIDValue(keepVendor)}, in, "vendor_name", f.VendorID, f.VendorName, f.VendorMatches, "No vendor")
	return err
}

func (a *App) renderProductForm(c echo.Context, status int, p *models.Product, f views.ProductForm) error {
	if err := a.fillProductChoices(&f, p.VendorID); err != nil {
		return err
	}
	title := "New product"
	if p.ID != 0 {
		title = "Edit " + p.Name
	}
	return render(c, status, views.ProductFormPage(a.page(c, title), f))
}

func (a *App) newProduct(c echo.Context) error {
	p := &models.Product{Type: models.KindProduct, Period: models.OneTime, Taxable: true, Active: true}
	f := productForm(p)
	f.UnitPrice = ""
	return a.renderProductForm(c, http.StatusOK, p, f)
}

func (a *App) editProduct(c echo.Context) error {
	p, err := a.loadProduct(c)
	if err != nil {
		return err
	}
	return a.renderProductForm(c, http.StatusOK, p, productForm(p))
}

func (a *App) createProduct(c echo.Context) error {
	return a.saveProduct(c, &models.Product{})
}

func (a *App) updateProduct(c echo.Context) error {
	p, err := a.loadProduct(c)
	if err != nil {
		return err
	}
	return a.saveProduct(c, p)
}

// saveProduct validates the form and creates (p.ID == 0) or updates p.
func (a *App) saveProduct(c echo.Context, p *models.Product) error {
	var f views.ProductForm
	if err := c.Bind(&f); err != nil {
		return errBadForm
	}
	f.ID = p.ID
	f.Validate()
	next := *p
	next.Vendor = nil
	next.Name, next.SKU, next.Description = strings.TrimSpace(f.Name), models.NormalizeSKU(f.SKU), strings.TrimSpace(f.Description)
	next.Type, next.Period = models.ItemKind(f.Type), models.Period(f.Period)
	if strings.TrimSpace(f.UnitPrice) == "" {
		f.Errs.Add("unit_price", "Enter the unit price; 0 for an item given free.")
	} else if m, err := models.ParseMoney(f.UnitPrice); err != nil {
		f.Errs.Add("unit_price", moneyError(err))
	} else {
		next.UnitPrice = m
	}
	if m, err := models.ParseMoney(f.UnitCost); err != nil {
		f.Errs.Add("unit_cost", moneyError(err))
	} else {
		next.UnitCost = m
	}
	vendor, err := a.pickField(models.OrgPick{VendorsOnly: true, Keep: optIDValue(p.VendorID)}, "vendor_id", &f.VendorID, &f.VendorName, &f.VendorMatches, &f.Errs, false)
	if err != nil {
		return err
	}
	next.VendorID = nil
	if vendor != nil {
		next.VendorID = &vendor.ID
	}
	next.Taxable, next.Active = f.Taxable == "on", f.Active == "on"
	// With Procurement off the field is not on the form; the product keeps its value.
	if featuresOf(c).On(models.FeatureProcurement) {
		next.NoProcurement = f.NoProcurement == "on"
	}
	for _, pr := range next.Problems() {
		f.Errs.Add(pr.Field, pr.Msg)
	}
	if f.Errs.For("sku") == "" {
		other, err := models.ProductWithSKU(a.db, next.SKU, p.ID)
		if err != nil {
			return err
		}
		if other != nil {
			f.Errs.Add("sku", skuTakenMessage(other))
		}
	}
	if f.Errs.Any() {
		f.Errs = inFormOrder(f.Errs, productFields)
		return a.renderProductForm(c, http.StatusUnprocessableEntity, p, f)
	}
	if err := models.SaveProduct(a.db, &next); errors.Is(err, models.ErrSKUTaken) {
		f.Errs.Add("sku", "Another product already has this SKU. Choose another one.")
		return a.renderProductForm(c, http.StatusUnprocessableEntity, p, f)
	} else if err != nil {
		return err
	}
	verb := "Saved"
	if p.ID == 0 {
		verb = "Created"
	}
	return a.redirectWithFlash(c, "/products/"+idStr(next.ID), verb+" the product “"+next.Name+"”.")
}

// productFields are the product form's fields from top to bottom.
var productFields = []string{"name", "sku", "type", "period", "unit_price", "unit_cost", "vendor_id", "description", "taxable", "active", "no_procurement"}

// inFormOrder lists the messages in the order of the fields on the form, so
// the summary reads top to bottom and the focus goes to the first field
// marked, whichever check found its problem.
func inFormOrder(errs views.Errors, fields []string) views.Errors {
	var out views.Errors
	for _, field := range fields {
		if m := errs.For(field); m != "" {
			out.Add(field, m)
		}
	}
	for _, it := range errs.Items() {
		out.Add(it.Field, it.Msg) // any field not listed keeps its place after them
	}
	return out
}

func skuTakenMessage(other *models.Product) string {
	return "The SKU “" + other.SKU + "” is already used by “" + other.Name + "”. SKUs must be unique."
}

func optIDValue(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// ---------------------------------------------------------------------------
// The CSV import.

// maxProductUpload keeps the upload well inside the body limit of a form.
const maxProductUpload = 1 << 20

// maxImportProblemsShown bounds the refused rows listed on the page.
const maxImportProblemsShown = 200

func productImportView() views.ProductImportView {
	return views.ProductImportView{Header: strings.Join(models.ProductCSVHeader, ",")}
}

func (a *App) productImportForm(c echo.Context) error {
	return render(c, http.StatusOK, views.ProductImportPage(a.page(c, "Import products"), productImportView()))
}

func (a *App) importProducts(c echo.Context) error {
	v := productImportView()
	refuse := func(msg string) error {
		v.Errs.Add("file", msg)
		return render(c, http.StatusUnprocessableEntity, views.ProductImportPage(a.page(c, "Import products"), v))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("Choose a CSV file to upload.")
	}
	if fh.Size > maxProductUpload {
		return refuse("The file is too large: at most 1 MB. Split it into smaller files.")
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxProductUpload+1))
	if err != nil {
		return err
	}
	if len(data) > maxProductUpload {
		return refuse("The file is too large: at most 1 MB. Split it into smaller files.")
	}
	v.Filename = truncate(filepath.Base(fh.Filename), 200)
	res, err := models.ImportProducts(a.db, data, models.ProductImportOptions{Procurement: featuresOf(c).On(models.FeatureProcurement)})
	var ie *models.ErrImport
	switch {
	case errors.As(err, &ie):
		return refuse(ie.Msg + " Nothing was imported.")
	case errors.Is(err, models.ErrInvalidRows):
		bad := res.Invalid()
		v.Rows, v.Invalid = len(res.Rows), len(bad)
		for _, r := range bad[:min(len(bad), maxImportProblemsShown)] {
			v.Problems = append(v.Problems, views.ProductImportProblem{Line: r.Line, SKU: r.Product.SKU, Name: r.Product.Name, Problems: r.Problems})
		}
		return refuse(fmt.Sprintf("%s of the file %s problems, listed below. Fix %s and upload the file again; nothing was imported.",
			countNoun(int64(len(bad)), "row", "rows"), map[bool]string{true: "has", false: "have"}[len(bad) == 1],
			map[bool]string{true: "it", false: "them"}[len(bad) == 1]))
	case errors.Is(err, gorm.ErrDuplicatedKey):
		// Someone added one of these SKUs between the check and the write.
		return refuse("Some of these SKUs were added to the catalog while the file was being imported. Upload it again; nothing was imported.")
	case err != nil:
		return err
	}
	msg := fmt.Sprintf("Imported %s: %s created, %s updated.", v.Filename,
		countNoun(int64(res.Created), "product", "products"), strconv.Itoa(res.Updated))
	return a.redirectWithFlash(c, "/products?status=all", msg)
}

// ---------------------------------------------------------------------------
// Tax rates.

func (a *App) renderTaxRates(c echo.Context, status int, f views.TaxRateForm) error {
	rs, err := models.TaxRates(a.db, true)
	if err != nil {
		return err
	}
	l := views.RateTermList{Base: "/admin/tax-rates", Singular: "tax rate", ValueLabel: "Rate"}
	for i, r := range rs {
		n, err := models.TaxRateUses(a.db, r.ID)
		if err != nil {
			return err
		}
		l.Rows = append(l.Rows, views.RateTermRow{ID: r.ID, Name: r.Name, Value: r.Percent(), Active: r.Active,
			Uses: countNoun(n, "quote", "quotes"), First: i == 0, Last: i == len(rs)-1})
	}
	return render(c, status, views.TaxRatesPage(a.page(c, "Tax rates"), l, f))
}

func (a *App) listTaxRates(c echo.Context) error {
	return a.renderTaxRates(c, http.StatusOK, views.TaxRateForm{Active: "on"})
}

func (a *App) loadTaxRate(c echo.Context) (*models.TaxRate, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var t models.TaxRate
	if err := a.db.First(&t, id).Error; err != nil {
		return nil, err
	}
	return &t, nil
}

// bindTaxRate reads and checks the form into t; a name already in the list is refused.
func (a *App) bindTaxRate(c echo.Context, t *models.TaxRate) (views.TaxRateForm, error) {
	var f views.TaxRateForm
	if err := c.Bind(&f); err != nil {
		return f, errBadForm
	}
	f.ID = t.ID
	f.Validate()
	rate, err := models.ParseRate(f.Rate)
	if err != nil {
		f.Errs.Add("rate", "Enter a percentage from 0 to 100 with at most three decimals, such as 8.875.")
	}
	if f.Errs.For("name") == "" {
		taken, err := models.NameTaken(a.db, "tax_rates", f.Name, t.ID)
		if err != nil {
			return f, err
		}
		if taken {
			f.Errs.Add("name", "There is already a tax rate with this name.")
		}
	}
	t.Name, t.Rate, t.Active = strings.TrimSpace(f.Name), rate, f.Active == "on"
	return f, nil
}

func (a *App) createTaxRate(c echo.Context) error {
	var t models.TaxRate
	f, err := a.bindTaxRate(c, &t)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.renderTaxRates(c, http.StatusUnprocessableEntity, f)
	}
	if err := models.SaveTaxRate(a.db, &t); errors.Is(err, gorm.ErrDuplicatedKey) {
		f.Errs.Add("name", "There is already a tax rate with this name.")
		return a.renderTaxRates(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/tax-rates", "Added the tax rate “"+t.Name+"” ("+t.Percent()+").")
}

func (a *App) editTaxRate(c echo.Context) error {
	t, err := a.loadTaxRate(c)
	if err != nil {
		return err
	}
	f := views.TaxRateForm{ID: t.ID, Name: t.Name, Rate: models.RateInput(t.Rate), Active: onOff(t.Active)}
	return render(c, http.StatusOK, views.TaxRateEditPage(a.page(c, "Edit the tax rate “"+t.Name+"”"), f))
}

func (a *App) updateTaxRate(c echo.Context) error {
	t, err := a.loadTaxRate(c)
	if err != nil {
		return err
	}
	title := "Edit the tax rate “" + t.Name + "”"
	f, err := a.bindTaxRate(c, t)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return render(c, http.StatusUnprocessableEntity, views.TaxRateEditPage(a.page(c, title), f))
	}
	if err := models.SaveTaxRate(a.db, t); errors.Is(err, gorm.ErrDuplicatedKey) {
		f.Errs.Add("name", "There is already a tax rate with this name.")
		return render(c, http.StatusUnprocessableEntity, views.TaxRateEditPage(a.page(c, title), f))
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/tax-rates", "Saved the tax rate “"+t.Name+"”.")
}

func (a *App) moveTaxRate(c echo.Context) error {
	t, err := a.loadTaxRate(c)
	if err != nil {
		return err
	}
	if err := models.MovePosition(a.db, "tax_rates", t.ID, c.FormValue("dir") == "up", "1 = 1"); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/tax-rates", "Moved “"+t.Name+"”.")
}

func (a *App) confirmDeleteTaxRate(c echo.Context) error {
	t, err := a.loadTaxRate(c)
	if err != nil {
		return err
	}
	refusal := ""
	if n, err := models.TaxRateUses(a.db, t.ID); err != nil {
		return err
	} else if n > 0 {
		refusal = (&models.ErrUsedByQuotes{Name: "“" + t.Name + "”", Uses: n}).Error() + "."
	}
	return render(c, http.StatusOK, views.ConfirmDeletePage(a.page(c, "Delete the tax rate “"+t.Name+"”?"),
		"The tax rate “"+t.Name+"” is used by no quote. Deleting it cannot be undone.",
		refusal, "/admin/tax-rates/"+idStr(t.ID)+"/delete", "/admin/tax-rates"))
}

func (a *App) deleteTaxRate(c echo.Context) error {
	t, err := a.loadTaxRate(c)
	if err != nil {
		return err
	}
	var inUse *models.ErrUsedByQuotes
	if err := models.DeleteTaxRate(a.db, t); errors.As(err, &inUse) {
		return a.redirectWithFlash(c, "/admin/tax-rates", "Not deleted: "+inUse.Error()+".")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/tax-rates", "Deleted the tax rate “"+t.Name+"”.")
}

// ---------------------------------------------------------------------------
// Payment terms.

func (a *App) renderPaymentTerms(c echo.Context, status int, f views.PaymentTermForm) error {
	ts, err := models.PaymentTerms(a.db, true)
	if err != nil {
		return err
	}
	l := views.RateTermList{Base: "/admin/payment-terms", Singular: "payment term", ValueLabel: "Days until due"}
	for i, t := range ts {
		n, err := models.PaymentTermUses(a.db, t.ID)
		if err != nil {
			return err
		}
		l.Rows = append(l.Rows, views.RateTermRow{ID: t.ID, Name: t.Name, Value: countNoun(int64(t.Days), "day", "days"), Active: t.Active,
			Uses: countNoun(n, "quote", "quotes"), First: i == 0, Last: i == len(ts)-1})
	}
	return render(c, status, views.PaymentTermsPage(a.page(c, "Payment terms"), l, f))
}

func (a *App) listPaymentTerms(c echo.Context) error {
	return a.renderPaymentTerms(c, http.StatusOK, views.PaymentTermForm{Active: "on", Days: "30"})
}

func (a *App) loadPaymentTerm(c echo.Context) (*models.PaymentTerm, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	var t models.PaymentTerm
	if err := a.db.First(&t, id).Error; err != nil {
		return nil, err
	}
	return &t, nil
}

// bindPaymentTerm reads and checks the form into t; a name already in the list is refused.
func (a *App) bindPaymentTerm(c echo.Context, t *models.PaymentTerm) (views.PaymentTermForm, error) {
	var f views.PaymentTermForm
	if err := c.Bind(&f); err != nil {
		return f, errBadForm
	}
	f.ID = t.ID
	f.Validate()
	if f.Errs.For("name") == "" {
		taken, err := models.NameTaken(a.db, "payment_terms", f.Name, t.ID)
		if err != nil {
			return f, err
		}
		if taken {
			f.Errs.Add("name", "There is already a payment term with this name.")
		}
	}
	days, _ := strconv.Atoi(strings.TrimSpace(f.Days))
	t.Name, t.Days, t.Active = strings.TrimSpace(f.Name), days, f.Active == "on"
	return f, nil
}

func (a *App) createPaymentTerm(c echo.Context) error {
	var t models.PaymentTerm
	f, err := a.bindPaymentTerm(c, &t)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return a.renderPaymentTerms(c, http.StatusUnprocessableEntity, f)
	}
	if err := models.SavePaymentTerm(a.db, &t); errors.Is(err, gorm.ErrDuplicatedKey) {
		f.Errs.Add("name", "There is already a payment term with this name.")
		return a.renderPaymentTerms(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/payment-terms", "Added the payment term “"+t.Name+"”.")
}

func (a *App) editPaymentTerm(c echo.Context) error {
	t, err := a.loadPaymentTerm(c)
	if err != nil {
		return err
	}
	f := views.PaymentTermForm{ID: t.ID, Name: t.Name, Days: strconv.Itoa(t.Days), Active: onOff(t.Active)}
	return render(c, http.StatusOK, views.PaymentTermEditPage(a.page(c, "Edit the payment term “"+t.Name+"”"), f))
}

func (a *App) updatePaymentTerm(c echo.Context) error {
	t, err := a.loadPaymentTerm(c)
	if err != nil {
		return err
	}
	title := "Edit the payment term “" + t.Name + "”"
	f, err := a.bindPaymentTerm(c, t)
	if err != nil {
		return err
	}
	if f.Errs.Any() {
		return render(c, http.StatusUnprocessableEntity, views.PaymentTermEditPage(a.page(c, title), f))
	}
	if err := models.SavePaymentTerm(a.db, t); errors.Is(err, gorm.ErrDuplicatedKey) {
		f.Errs.Add("name", "There is already a payment term with this name.")
		return render(c, http.StatusUnprocessableEntity, views.PaymentTermEditPage(a.page(c, title), f))
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/payment-terms", "Saved the payment term “"+t.Name+"”.")
}

func (a *App) movePaymentTerm(c echo.Context) error {
	t, err := a.loadPaymentTerm(c)
	if err != nil {
		return err
	}
	if err := models.MovePosition(a.db, "payment_terms", t.ID, c.FormValue("dir") == "up", "1 = 1"); err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/payment-terms", "Moved “"+t.Name+"”.")
}

func (a *App) confirmDeletePaymentTerm(c echo.Context) error {
	t, err := a.loadPaymentTerm(c)
	if err != nil {
		return err
	}
	refusal := ""
	if n, err := models.PaymentTermUses(a.db, t.ID); err != nil {
		return err
	} else if n > 0 {
		refusal = (&models.ErrUsedByQuotes{Name: "“" + t.Name + "”", Uses: n}).Error() + "."
	}
	return render(c, http.StatusOK, views.ConfirmDeletePage(a.page(c, "Delete the payment term “"+t.Name+"”?"),
		"The payment term “"+t.Name+"” is used by no quote. Deleting it cannot be undone.",
		refusal, "/admin/payment-terms/"+idStr(t.ID)+"/delete", "/admin/payment-terms"))
}

func (a *App) deletePaymentTerm(c echo.Context) error {
	t, err := a.loadPaymentTerm(c)
	if err != nil {
		return err
	}
	var inUse *models.ErrUsedByQuotes
	if err := models.DeletePaymentTerm(a.db, t); errors.As(err, &inUse) {
		return a.redirectWithFlash(c, "/admin/payment-terms", "Not deleted: "+inUse.Error()+".")
	} else if err != nil {
		return err
	}
	return a.redirectWithFlash(c, "/admin/payment-terms", "Deleted the payment term “"+t.Name+"”.")
}
