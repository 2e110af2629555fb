package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

// Router tests of the product catalog and of the tax rate and payment term
// admin pages: every request goes through the real app over HTTP, with CSRF
// tokens read from the pages; the database is checked through app.DB.

// ---------------------------------------------------------------------------
// Helpers of this file.

// prForm is a valid new product as an admin fills the form.
func prForm(sku, name string) url.Values {
	return url.Values{"name": {name}, "sku": {sku}, "type": {"product"}, "period": {"one_time"}, "unit_price": {"1,195.00"},
		"unit_cost": {"820"}, "vendor_id": {""}, "description": {"Desktop firewall appliance."}, "taxable": {"on"}, "active": {"on"}}
}

func prBySKU(t testing.TB, app *testApp, sku string) models.Product {
	t.Helper()
	var p models.Product
	if err := app.DB.Where("sku = ?", sku).First(&p).Error; err != nil {
		t.Fatalf("product %s: %v", sku, err)
	}
	return p
}

func prCreate(t testing.TB, app *testApp, p models.Product) models.Product {
	t.Helper()
	if p.Type == "" {
		p.Type = models.KindProduct
	}
	if p.Period == "" {
		p.Period = models.OneTime
	}
	if err := models.SaveProduct(app.DB, &p); err != nil {
		t.Fatalf("product %s: %v", p.SKU, err)
	}
	return p
}

func prVendor(t testing.TB, app *testApp, name string, typ models.OrgType) models.Organization {
	t.Helper()
	o := models.Organization{Name: name, Type: typ}
	if err := app.DB.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

// prUpload sends content as the product import file with this session's token.
func (c *client) prUpload(filename, content string) response {
	c.t.Helper()
	return c.postCSVFile("/products/import", url.Values{"csrf_token": {c.token("/products/import")}}, filename, []byte(content))
}

// prCSV reads a CSV response into records, checking it is a CSV download.
func prCSV(t testing.TB, r response) [][]string {
	t.Helper()
	wantStatus(t, "export", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "products-") {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	return recs
}

// prQuote stores a quote of an open demo opportunity with the tax rate and payment term.
func prQuote(t testing.TB, app *testApp, taxRateID, termID *uint) {
	t.Helper()
	o := openOppOwnedBy(t, app, "rep@example.com")
	q := &models.Quote{OpportunityID: o.ID, Name: "Catalog test quote", OwnerID: o.OwnerID, TaxRateID: taxRateID, PaymentTermID: termID,
		TermMonths: 12, EffectiveDate: time.Now().UTC(), ExpirationDate: time.Now().UTC().AddDate(0, 1, 0)}
	if err := models.CreateQuote(app.DB, q); err != nil {
		t.Fatal(err)
	}
}

const prHeader = "name,sku,type,description,unit_price,unit_cost,period,taxable,active\n"

// ---------------------------------------------------------------------------
// The catalog.

func TestProductCreateShowAndEditAsAdmin(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	vendor := prVendor(t, app, "Catalog Test Distribution", models.VendorType)

	r := admin.get("/products/new")
	wantStatus(t, "GET /products/new", r, http.StatusOK)
	doc := r.doc(t)
	for _, f := range []string{"name", "sku", "type", "period", "unit_price", "unit_cost", "vendor_id", "description", "taxable", "active", "no_procurement"} {
		if doc.Find("#"+f).Length() != 1 || doc.Find(`label[for="`+f+`"]`).Length() != 1 {
			t.Errorf("the form lacks the labelled field %s", f)
		}
	}
	if doc.Find(`#vendor_id option[value="`+idString(vendor.ID)+`"]`).Length() != 1 {
		t.Errorf("the vendor select does not offer the vendor organization")
	}

	form := prForm("TEST-FW-60", "Test firewall 60")
	form.Set("vendor_id", idString(vendor.ID))
	form.Set("period", "yearly")
	form.Set("no_procurement", "on")
	r = admin.submit("/products/new", "/products", form)
	wantStatus(t, "POST /products", r, http.StatusSeeOther)
	p := prBySKU(t, app, "TEST-FW-60")
	if r.Location != "/products/"+idString(p.ID) {
		t.Errorf("Location %q", r.Location)
	}
	if p.Name != "Test firewall 60" || p.UnitPrice != 1_195_00 || p.UnitCost != 820_00 || p.Period != models.Yearly || !p.Taxable || !p.Active ||
		p.VendorID == nil || *p.VendorID != vendor.ID || !p.NoProcurement || p.Description != "Desktop firewall appliance." {
		t.Errorf("created %+v", p)
	}
	r = admin.get(r.Location)
	wantStatus(t, "GET the product", r, http.StatusOK)
	if fl := flashOf(t, r); !strings.Contains(fl, "Created the product “Test firewall 60”") {
		t.Errorf("flash %q", fl)
	}
	for _, s := range []string{"$1,195.00", "$820.00", "$375.00", "Yearly", vendor.Name, "TEST-FW-60"} {
		if !strings.Contains(r.Body, s) {
			t.Errorf("the product page lacks %q", s)
		}
	}

	// Edit: the form comes filled; unchecking boxes clears them.
	path := "/products/" + idString(p.ID)
	r = admin.fill(path+"/edit", `main form[method="post"]`, url.Values{"name": {"Test firewall 60F"}, "unit_price": {"1250.5"},
		"active": {}, "taxable": {}, "vendor_id": {""}})
	wantStatus(t, "POST "+path, r, http.StatusSeeOther)
	got := prBySKU(t, app, "TEST-FW-60")
	if got.Name != "Test firewall 60F" || got.UnitPrice != 1_250_50 || got.UnitCost != 820_00 || got.Active || got.Taxable || got.VendorID != nil ||
		got.Period != models.Yearly || !got.NoProcurement {
		t.Errorf("edited %+v", got)
	}
	if fl := flashOf(t, admin.get(r.Location)); !strings.Contains(fl, "Saved the product") {
		t.Errorf("flash %q", fl)
	}
	// A free item keeps its 0.00 price through an unchanged save.
	r = admin.fill(path+"/edit", `main form[method="post"]`, url.Values{"unit_price": {"0"}})
	wantStatus(t, "save a free item", r, http.StatusSeeOther)
	r = admin.fill(path+"/edit", `main form[method="post"]`, nil)
	wantStatus(t, "save a free item unchanged", r, http.StatusSeeOther)

	wantStatus(t, "unknown product", admin.get("/products/999999"), http.StatusNotFound)
	wantStatus(t, "bad id", admin.get("/products/abc/edit"), http.StatusNotFound)
}

func TestProductValidation(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	prCreate(t, app, models.Product{SKU: "TEST-DUP", Name: "Existing product", UnitPrice: 10_00, Active: true})
	customer := prVendor(t, app, "Not A Vendor Ltd", "customer")
	before := countRows(t, app, &models.Product{})

	cases := []struct {
		name, field, msg string
		change           url.Values
	}{
		{"duplicate SKU", "sku", "already used by “Existing product”", url.Values{"sku": {"TEST-DUP"}}},
		{"duplicate SKU in another case", "sku", "already used by", url.Values{"sku": {" test-dup "}}},
		{"negative price", "unit_price", "cannot be negative", url.Values{"unit_price": {"-5.00"}}},
		{"negative cost", "unit_cost", "cannot be negative", url.Values{"unit_cost": {"-1"}}},
		{"bad period", "period", "Choose a period", url.Values{"period": {"weekly"}}},
		{"discount is no catalog type", "type", "Choose a type", url.Values{"type": {"discount"}}},
		{"price not an amount", "unit_price", "Enter an amount such as 1250", url.Values{"unit_price": {"12,34"}}},
		{"price too large", "unit_price", "too large", url.Values{"unit_price": {"99999999999999"}}},
		{"no price", "unit_price", "Enter the unit price", url.Values{"unit_price": {""}}},
		{"no name", "name", "Name is required", url.Values{"name": {"   "}}},
		{"no SKU", "sku", "SKU is required", url.Values{"sku": {""}}},
		{"long SKU", "sku", "too long", url.Values{"sku": {strings.Repeat("S", 65)}}},
		{"vendor not a vendor", "vendor_id", "type Vendor", url.Values{"vendor_id": {idString(customer.ID)}}},
		{"vendor not a number", "vendor_id", "type Vendor", url.Values{"vendor_id": {"x"}}},
	}
	for _, c := range cases {
		form := prForm("TEST-NEW", "Valid name")
		for k, v := range c.change {
			form[k] = v
		}
		r := admin.submit("/products/new", "/products", form)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, r.Status)
			continue
		}
		doc := r.doc(t)
		wantFieldError(t, doc, c.field, c.msg)
		wantErrorSummary(t, doc)
		// The input is kept.
		if c.field != "type" && c.field != "period" && c.field != "vendor_id" {
			if got, want := fieldValue(doc, c.field), c.change.Get(c.field); got != want {
				t.Errorf("%s: %s shows %q, want the typed %q", c.name, c.field, got, want)
			}
		}
		if fieldValue(doc, "description") != "Desktop firewall appliance." {
			t.Errorf("%s: the description was not kept", c.name)
		}
		if _, focus := doc.Find("#" + c.field).Attr("autofocus"); !focus {
			t.Errorf("%s: the focus is not on %s", c.name, c.field)
		}
	}
	// Several problems: the summary follows the form from top to bottom and the
	// focus goes to the first field marked, whichever check found it.
	form := prForm("TEST-DUP", "Valid name")
	form.Set("unit_cost", "abc")
	form.Set("period", "weekly")
	r := admin.submit("/products/new", "/products", form)
	wantStatus(t, "several problems", r, http.StatusUnprocessableEntity)
	doc := r.doc(t)
	var order []string
	doc.Find(".error-summary a").Each(func(_ int, s *goquery.Selection) { order = append(order, s.AttrOr("href", "")) })
	if strings.Join(order, " ") != "#sku #period #unit_cost" {
		t.Errorf("summary order %q, want #sku #period #unit_cost", order)
	}
	if _, focus := doc.Find("#sku").Attr("autofocus"); !focus {
		t.Errorf("the focus is not on the SKU")
	}
	if n := countRows(t, app, &models.Product{}); n != before {
		t.Errorf("products %d, want %d: a refused form saved something", n, before)
	}

	// Editing a product to another's SKU is refused too; its own SKU is fine.
	other := prCreate(t, app, models.Product{SKU: "TEST-OTHER", Name: "Other", Active: true})
	r = admin.fill("/products/"+idString(other.ID)+"/edit", `main form[method="post"]`, url.Values{"sku": {"test-dup"}})
	wantStatus(t, "edit to a taken SKU", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "sku", "already used by")
	r = admin.fill("/products/"+idString(other.ID)+"/edit", `main form[method="post"]`, url.Values{"sku": {"test-other"}})
	wantStatus(t, "edit to its own SKU in another case", r, http.StatusSeeOther)
}

func TestProductWritesForbiddenForRepAndManager(t *testing.T) {
	app := newTestApp(t)
	p := prCreate(t, app, models.Product{SKU: "TEST-RO", Name: "Read only", UnitPrice: 50_00, UnitCost: 20_00, Active: true})
	rate := models.TaxRate{Name: "Test rate", Rate: 5000, Active: true}
	if err := models.SaveTaxRate(app.DB, &rate); err != nil {
		t.Fatal(err)
	}
	term := models.PaymentTerm{Name: "Test term", Days: 10, Active: true}
	if err := models.SavePaymentTerm(app.DB, &term); err != nil {
		t.Fatal(err)
	}
	products, rates, terms := countRows(t, app, &models.Product{}), countRows(t, app, &models.TaxRate{}), countRows(t, app, &models.PaymentTerm{})
	pid, rid, tid := idString(p.ID), idString(rate.ID), idString(term.ID)

	for _, email := range []string{"rep@example.com", "manager@example.com"} {
		c := app.client(t).login(email)
		// Everyone reads.
		wantStatus(t, email+" GET /products", c.get("/products"), http.StatusOK)
		wantStatus(t, email+" GET /products/:id", c.get("/products/"+pid), http.StatusOK)
		wantStatus(t, email+" GET /products/export.csv", c.get("/products/export.csv"), http.StatusOK)
		list := c.get("/products?q=TEST-RO").doc(t)
		if list.Find(`a[href="/products/new"], a[href="/products/import"]`).Length() != 0 {
			t.Errorf("%s sees the New product or Import buttons", email)
		}
		if c.get("/products/"+pid).doc(t).Find(`a[href="/products/`+pid+`/edit"]`).Length() != 0 {
			t.Errorf("%s sees the Edit button", email)
		}
		for _, path := range []string{"/products/new", "/products/import", "/products/" + pid + "/edit",
			"/admin/tax-rates", "/admin/tax-rates/" + rid + "/edit", "/admin/tax-rates/" + rid + "/delete",
			"/admin/payment-terms", "/admin/payment-terms/" + tid + "/edit", "/admin/payment-terms/" + tid + "/delete"} {
			wantStatus(t, email+" GET "+path, c.get(path), http.StatusForbidden)
		}
		tok := c.token("/products")
		posts := map[string]url.Values{
			"/products":                               prForm("TEST-HACK", "Hack"),
			"/products/" + pid:                        prForm("TEST-RO", "Hacked"),
			"/admin/tax-rates":                        {"name": {"Hack"}, "rate": {"1"}, "active": {"on"}},
			"/admin/tax-rates/" + rid:                 {"name": {"Hacked"}, "rate": {"99"}},
			"/admin/tax-rates/" + rid + "/move":       {"dir": {"up"}},
			"/admin/tax-rates/" + rid + "/delete":     {},
			"/admin/payment-terms":                    {"name": {"Hack"}, "days": {"1"}, "active": {"on"}},
			"/admin/payment-terms/" + tid:             {"name": {"Hacked"}, "days": {"99"}},
			"/admin/payment-terms/" + tid + "/move":   {"dir": {"up"}},
			"/admin/payment-terms/" + tid + "/delete": {},
		}
		for path, form := range posts {
			form.Set("csrf_token", tok)
			wantStatus(t, email+" POST "+path, c.post(path, form), http.StatusForbidden)
		}
		r := c.postCSVFile("/products/import", url.Values{"csrf_token": {tok}}, "hack.csv",
			[]byte(prHeader+"Hack,TEST-RO,Product,,1,1,one_time,yes,yes\n"))
		wantStatus(t, email+" POST /products/import", r, http.StatusForbidden)
	}
	if got := prBySKU(t, app, "TEST-RO"); got.Name != "Read only" || got.UnitPrice != 50_00 {
		t.Errorf("a refused request changed the product: %+v", got)
	}
	var gotRate models.TaxRate
	app.DB.First(&gotRate, rate.ID)
	var gotTerm models.PaymentTerm
	app.DB.First(&gotTerm, term.ID)
	if gotRate.Name != "Test rate" || gotRate.Rate != 5000 || gotTerm.Name != "Test term" || gotTerm.Days != 10 {
		t.Errorf("a refused request changed the rate %+v or the term %+v", gotRate, gotTerm)
	}
	if countRows(t, app, &models.Product{}) != products || countRows(t, app, &models.TaxRate{}) != rates || countRows(t, app, &models.PaymentTerm{}) != terms {
		t.Errorf("a refused request added or deleted a row")
	}
}

func TestProductCostIsForManagersAndAdmins(t *testing.T) {
	app := newTestApp(t)
	p := prCreate(t, app, models.Product{SKU: "TEST-COST", Name: "Costly", UnitPrice: 50_00, UnitCost: 12_34, Active: true})
	path := "/products/" + idString(p.ID)
	rep := app.client(t).login("rep@example.com")
	for _, page := range []string{path, "/products?q=TEST-COST"} {
		if body := rep.get(page).Body; strings.Contains(body, "$12.34") || strings.Contains(body, "Unit cost") {
			t.Errorf("GET %s shows the cost to a rep", page)
		}
	}
	recs := prCSV(t, rep.get("/products/export.csv?q=TEST-COST"))
	if strings.Contains(strings.Join(recs[0], ","), "unit_cost") || strings.Contains(strings.Join(recs[1], ","), "12.34") {
		t.Errorf("the rep's export has the cost: %q", recs)
	}
	manager := app.client(t).login("manager@example.com")
	if body := manager.get(path).Body; !strings.Contains(body, "$12.34") || !strings.Contains(body, "$37.66") {
		t.Errorf("a manager should see the cost and the margin")
	}
	if recs := prCSV(t, manager.get("/products/export.csv?q=TEST-COST")); recs[1][5] != "12.34" {
		t.Errorf("the manager's export: %q", recs)
	}
}

func TestProductListSearchFiltersAndPages(t *testing.T) {
	app := newTestApp(t)
	for i := 1; i <= 30; i++ {
		prCreate(t, app, models.Product{SKU: "PGR-" + string(rune('A'+i/10)) + string(rune('0'+i%10)), Name: "Pager item " + string(rune('A'+i/10)) + string(rune('0'+i%10)),
			UnitPrice: 1_00, Active: i != 30})
	}
	prCreate(t, app, models.Product{SKU: "PGR-LABOR", Name: "Pager labor hour", Type: models.KindLabor, Active: true})
	rep := app.client(t).login("rep@example.com")

	rows := func(r response) []string {
		t.Helper()
		wantStatus(t, "list", r, http.StatusOK)
		var out []string
		r.doc(t).Find("table.list tbody tr td:nth-child(2)").Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Text()))
		})
		return out
	}
	r := rep.get("/products?q=pager+item")
	if got := rows(r); len(got) != 25 || got[0] != "PGR-A1" {
		t.Fatalf("page 1: %d rows %q", len(got), got)
	}
	next, ok := r.doc(t).Find(`a[rel="next"]`).Attr("href")
	if !ok {
		t.Fatal("no next page link")
	}
	if got := rows(rep.get(next)); len(got) != 4 {
		t.Errorf("page 2: %q, want the 4 other active items", got)
	}
	if got := rows(rep.get("/products?q=pgr-b")); len(got) != 10 {
		t.Errorf("search by SKU: %q", got)
	}
	if got := rows(rep.get("/products?q=pager&type=labor")); len(got) != 1 || got[0] != "PGR-LABOR" {
		t.Errorf("type filter: %q", got)
	}
	if got := rows(rep.get("/products?q=pager&status=inactive")); len(got) != 1 || got[0] != "PGR-D0" {
		t.Errorf("inactive filter: %q", got)
	}
	if got := rows(rep.get("/products?q=pager&status=all&type=product")); len(got) != 25 {
		t.Errorf("all statuses: %d rows", len(got))
	}
	// Nothing found: the empty state offers to reset the filters.
	doc := rep.get("/products?q=no+such+product+anywhere").doc(t)
	if !strings.Contains(doc.Find(".empty").Text(), "No product matches") || doc.Find(`.empty a[href="/products"]`).Length() != 1 {
		t.Errorf("no empty state for a search without results")
	}
	// Junk filters and pages fall back to the defaults, never a 500.
	wantStatus(t, "junk filters", rep.get("/products?type=heading&status=x&page=-4&q="+strings.Repeat("%", 300)), http.StatusOK)
}

func TestProductCatalogEmptyState(t *testing.T) {
	app := newTestApp(t)
	for _, table := range []string{"quote_items", "sales_order_lines", "purchase_order_lines"} {
		if err := app.DB.Exec("UPDATE " + table + " SET product_id = NULL").Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := app.DB.Exec("DELETE FROM products").Error; err != nil {
		t.Fatal(err)
	}
	admin := app.client(t).login("admin@example.com")
	doc := admin.get("/products").doc(t)
	if !strings.Contains(doc.Find(".empty").Text(), "The catalog is empty") || doc.Find(`.empty a[href="/products/new"]`).Length() != 1 {
		t.Errorf("admin: no empty state with a way to add products")
	}
	rep := app.client(t).login("rep@example.com")
	doc = rep.get("/products").doc(t)
	if !strings.Contains(doc.Find(".empty").Text(), "An admin adds") || doc.Find(`a[href="/products/new"]`).Length() != 0 {
		t.Errorf("rep: wrong empty state")
	}
	recs := prCSV(t, rep.get("/products/export.csv"))
	if len(recs) != 1 {
		t.Errorf("an empty export has %d records, want the header only", len(recs))
	}
}

// ---------------------------------------------------------------------------
// CSV import and export.

func TestProductImportCSV(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	prCreate(t, app, models.Product{SKU: "TEST-IMP-1", Name: "Old name", UnitPrice: 1_00, Active: true})

	r := admin.get("/products/import")
	wantStatus(t, "GET /products/import", r, http.StatusOK)
	if r.doc(t).Find(`form[enctype="multipart/form-data"] input[type="file"][name="file"]`).Length() != 1 {
		t.Fatal("no upload form")
	}
	file := prHeader +
		"New name,test-imp-1,Product,Updated by the import,10.50,5,One-time,yes,yes\n" +
		"Managed seat,TEST-IMP-2,Service,,85,32,Monthly,no,yes\n" +
		"Onboarding hour,TEST-IMP-3,labor,,145,60,one_time,no,no\n"
	r = admin.prUpload("products.csv", file)
	wantStatus(t, "POST /products/import", r, http.StatusSeeOther)
	if fl := flashOf(t, admin.get(r.Location)); !strings.Contains(fl, "2 products created, 1 updated") {
		t.Errorf("flash %q", fl)
	}
	up := prBySKU(t, app, "test-imp-1")
	if up.Name != "New name" || up.UnitPrice != 10_50 || up.Description != "Updated by the import" {
		t.Errorf("updated %+v", up)
	}
	if seat := prBySKU(t, app, "TEST-IMP-2"); seat.Period != models.Monthly || seat.Taxable || seat.UnitCost != 32_00 {
		t.Errorf("seat %+v", seat)
	}
	if lab := prBySKU(t, app, "TEST-IMP-3"); lab.Type != models.KindLabor || lab.Active {
		t.Errorf("labor %+v", lab)
	}
}

func TestProductImportCSVRefusesBadFiles(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	before := countRows(t, app, &models.Product{})

	// Bad rows: nothing imported, every bad row listed with its line and problem.
	file := prHeader +
		"Good,TEST-BAD-1,Product,,1,1,one_time,yes,yes\n" +
		"Negative,TEST-BAD-2,Product,,-1,1,one_time,yes,yes\n" +
		"Weekly,TEST-BAD-3,Service,,1,1,weekly,yes,yes\n" +
		"Twice,test-bad-1,Product,,1,1,one_time,yes,yes\n"
	r := admin.prUpload("bad.csv", file)
	wantStatus(t, "bad rows", r, http.StatusUnprocessableEntity)
	doc := r.doc(t)
	wantFieldError(t, doc, "file", "3 rows of the file have problems")
	wantErrorSummary(t, doc)
	got := map[string]string{}
	doc.Find("table.list tbody tr").Each(func(_ int, s *goquery.Selection) {
		got[strings.TrimSpace(s.Find("td").First().Text())] = strings.Join(strings.Fields(s.Text()), " ")
	})
	for line, want := range map[string]string{"3": "cannot be negative", "4": "Period “weekly”", "5": "Same SKU as line 2"} {
		if !strings.Contains(got[line], want) {
			t.Errorf("line %s: %q, want %q", line, got[line], want)
		}
	}
	if len(got) != 3 {
		t.Errorf("rows listed: %q", got)
	}
	if !strings.Contains(doc.Text(), "Nothing was imported") {
		t.Errorf("the page does not say nothing was imported")
	}

	// Problems with the file itself.
	for _, c := range []struct{ name, content, msg string }{
		{"wrong header", "name,price\nA,1\n", "lacks the columns"},
		{"empty", "", "The file is empty"},
		{"not UTF-8", prHeader + "Caf\xe9,X,Product,,1,1,one_time,yes,yes\n", "not UTF-8"},
		{"too large", prHeader + strings.Repeat("x", 1<<20+1), "too large"},
	} {
		r := admin.prUpload(c.name+".csv", c.content)
		wantStatus(t, c.name, r, http.StatusUnprocessableEntity)
		wantFieldError(t, r.doc(t), "file", c.msg)
	}
	// No file at all.
	r = admin.submit("/products/import", "/products/import", url.Values{})
	wantStatus(t, "no file", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "file", "Choose a CSV file")

	if n := countRows(t, app, &models.Product{}); n != before {
		t.Errorf("products %d, want %d: a refused import wrote something", n, before)
	}
}

func TestProductExportCSV(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	vendor := prVendor(t, app, "=Vendor Formula Inc", models.VendorType)
	evil := prCreate(t, app, models.Product{SKU: "TEST-EXP-1", Name: "=cmd|' /C calc'!A0", Description: "+plus\nsecond line", UnitPrice: 1_234_56,
		UnitCost: 99, Period: models.Quarterly, Taxable: true, Active: true, VendorID: &vendor.ID})
	prCreate(t, app, models.Product{SKU: "TEST-EXP-2", Name: "Export inactive", Type: models.KindShipping, Active: false})

	recs := prCSV(t, admin.get("/products/export.csv?q=TEST-EXP&status=all"))
	wantHeader := "name,sku,type,description,unit_price,unit_cost,period,taxable,active,vendor,no_procurement"
	if got := strings.Join(recs[0], ","); got != wantHeader {
		t.Errorf("header %q, want %q", got, wantHeader)
	}
	if len(recs) != 3 {
		t.Fatalf("%d rows, want 2", len(recs)-1)
	}
	var row []string
	for _, rec := range recs[1:] {
		if rec[1] == evil.SKU {
			row = rec
		}
	}
	want := []string{"'=cmd|' /C calc'!A0", "TEST-EXP-1", "product", "'+plus\nsecond line", "1234.56", "0.99", "quarterly", "yes", "yes", "'=Vendor Formula Inc", "no"}
	if strings.Join(row, "|") != strings.Join(want, "|") {
		t.Errorf("row %q, want %q", row, want)
	}
	// The list's filters apply: active products only by default.
	if recs := prCSV(t, admin.get("/products/export.csv?q=TEST-EXP")); len(recs) != 2 {
		t.Errorf("default export: %d rows, want the active one", len(recs)-1)
	}
	// The list links to the export with its filters.
	href, _ := admin.get("/products?q=TEST-EXP&type=product").doc(t).Find(`a[href^="/products/export.csv"]`).Attr("href")
	if !strings.Contains(href, "q=TEST-EXP") || !strings.Contains(href, "type=product") {
		t.Errorf("export link %q does not keep the filters", href)
	}

	// An exported file imports back unchanged: every row an update.
	all := admin.get("/products/export.csv?status=all")
	n := countRows(t, app, &models.Product{})
	r := admin.prUpload("export.csv", all.Body)
	wantStatus(t, "import the export", r, http.StatusSeeOther)
	if fl := flashOf(t, admin.get(r.Location)); !strings.Contains(fl, "0 products created, "+idString(uint(n))+" updated") {
		t.Errorf("flash %q", fl)
	}
	back := prBySKU(t, app, "TEST-EXP-1")
	if back.Name != evil.Name || back.Description != evil.Description || back.UnitPrice != evil.UnitPrice || back.UnitCost != evil.UnitCost ||
		back.VendorID == nil || *back.VendorID != vendor.ID || back.Period != evil.Period {
		t.Errorf("after the round trip %+v, want %+v", back, evil)
	}
}

func TestProductProcurementFlagFollowsTheFeature(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	p := prCreate(t, app, models.Product{SKU: "TEST-PROC", Name: "Licence", Active: true, NoProcurement: true})
	if _, err := models.SetFeature(app.DB, models.FeatureProcurement, false, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	path := "/products/" + idString(p.ID)
	if doc := admin.get(path + "/edit").doc(t); doc.Find("#no_procurement").Length() != 0 {
		t.Errorf("the procurement field shows with Procurement off")
	}
	if strings.Contains(admin.get(path).Body, "procurement") {
		t.Errorf("the product page mentions procurement with Procurement off")
	}
	r := admin.fill(path+"/edit", `main form[method="post"]`, url.Values{"name": {"Licence, renamed"}})
	wantStatus(t, "save with Procurement off", r, http.StatusSeeOther)
	if got := prBySKU(t, app, "TEST-PROC"); !got.NoProcurement || got.Name != "Licence, renamed" {
		t.Errorf("saving with Procurement off lost the flag: %+v", got)
	}
	recs := prCSV(t, admin.get("/products/export.csv?q=TEST-PROC"))
	if strings.Contains(strings.Join(recs[0], ","), "no_procurement") {
		t.Errorf("the export has the procurement column with Procurement off: %q", recs[0])
	}
}

func TestProductRoutesAreGoneWithSalesOff(t *testing.T) {
	app := newTestApp(t)
	p := prCreate(t, app, models.Product{SKU: "TEST-OFF", Name: "Hidden", Active: true})
	admin := app.client(t).login("admin@example.com")
	tok := admin.token("/products")
	setSales(t, app, false)
	for _, path := range []string{"/products", "/products/" + idString(p.ID), "/products/export.csv", "/products/new", "/products/import",
		"/admin/tax-rates", "/admin/payment-terms"} {
		wantStatus(t, "GET "+path+" with Sales off", admin.get(path), http.StatusNotFound)
	}
	wantStatus(t, "POST /products with Sales off", admin.post("/products", func() url.Values {
		f := prForm("TEST-GHOST", "Ghost")
		f.Set("csrf_token", tok)
		return f
	}()), http.StatusNotFound)
	wantStatus(t, "POST /admin/tax-rates with Sales off", admin.post("/admin/tax-rates",
		url.Values{"csrf_token": {tok}, "name": {"Ghost"}, "rate": {"1"}}), http.StatusNotFound)
	var n int64
	app.DB.Model(&models.Product{}).Where("sku = ?", "TEST-GHOST").Count(&n)
	if n != 0 {
		t.Errorf("a product was created with Sales off")
	}
}

// ---------------------------------------------------------------------------
// Tax rates and payment terms.

func TestTaxRateAdmin(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	r := admin.get("/admin/tax-rates")
	wantStatus(t, "GET /admin/tax-rates", r, http.StatusOK)
	if r.doc(t).Find(`a[href="/admin/settings"]`).Length() == 0 {
		t.Errorf("no link back to Features & Settings")
	}

	r = admin.submit("/admin/tax-rates", "/admin/tax-rates", url.Values{"name": {"Test NYC sales tax"}, "rate": {"8.875"}, "active": {"on"}})
	wantStatus(t, "add a tax rate", r, http.StatusSeeOther)
	var tr models.TaxRate
	if err := app.DB.Where("name = ?", "Test NYC sales tax").First(&tr).Error; err != nil {
		t.Fatal(err)
	}
	if tr.Rate != 8875 || !tr.Active {
		t.Errorf("stored %+v, want rate 8875 and active", tr)
	}
	page := admin.get("/admin/tax-rates")
	if fl := flashOf(t, page); !strings.Contains(fl, "8.875%") {
		t.Errorf("flash %q", fl)
	}
	if !strings.Contains(page.Body, "8.875%") {
		t.Errorf("the list does not show 8.875%%")
	}

	// Validation: messages next to the fields, input kept, nothing stored.
	n := countRows(t, app, &models.TaxRate{})
	for _, c := range []struct{ name, field, msg, rate, rname string }{
		{"four decimals", "rate", "at most three decimals", "8.8755", "Test four decimals"},
		{"over 100", "rate", "from 0 to 100", "100.5", "Test over"},
		{"negative", "rate", "from 0 to 100", "-2", "Test negative"},
		{"empty rate", "rate", "from 0 to 100", "", "Test empty"},
		{"no name", "name", "Name is required", "5", ""},
		{"duplicate name", "name", "already a tax rate with this name", "5", "test nyc SALES tax"},
	} {
		r := admin.submit("/admin/tax-rates", "/admin/tax-rates", url.Values{"name": {c.rname}, "rate": {c.rate}, "active": {"on"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, r.Status)
			continue
		}
		doc := r.doc(t)
		wantFieldError(t, doc, c.field, c.msg)
		if fieldValue(doc, "rate") != c.rate || fieldValue(doc, "name") != c.rname {
			t.Errorf("%s: the input was not kept", c.name)
		}
	}
	if countRows(t, app, &models.TaxRate{}) != n {
		t.Errorf("a refused form stored a tax rate")
	}

	// Edit: deactivate and change the rate.
	id := idString(tr.ID)
	r = admin.fill("/admin/tax-rates/"+id+"/edit", `main form[method="post"]`, url.Values{"rate": {"9"}, "active": {}})
	wantStatus(t, "edit a tax rate", r, http.StatusSeeOther)
	app.DB.First(&tr, tr.ID)
	if tr.Rate != 9000 || tr.Active {
		t.Errorf("edited %+v", tr)
	}
	r = admin.fill("/admin/tax-rates/"+id+"/edit", `main form[method="post"]`, url.Values{"rate": {"x"}})
	wantStatus(t, "edit with a bad rate", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "rate", "percentage")

	// Order: the new rate is last; moving it up swaps it with the one above.
	rates, _ := models.TaxRates(app.DB, true)
	if rates[len(rates)-1].ID != tr.ID {
		t.Fatalf("the new rate is not last")
	}
	r = admin.submit("/admin/tax-rates", "/admin/tax-rates/"+id+"/move", url.Values{"dir": {"up"}})
	wantStatus(t, "move up", r, http.StatusSeeOther)
	rates, _ = models.TaxRates(app.DB, true)
	if rates[len(rates)-2].ID != tr.ID {
		t.Errorf("the rate did not move up")
	}

	// A rate a quote has cannot be deleted; an unused one can.
	prQuote(t, app, &tr.ID, nil)
	r = admin.get("/admin/tax-rates/" + id + "/delete")
	wantStatus(t, "confirm delete of a used rate", r, http.StatusOK)
	if !strings.Contains(r.Body, "used by 1 quote") || r.doc(t).Find(`form[action="/admin/tax-rates/`+id+`/delete"]`).Length() != 0 {
		t.Errorf("the confirm page of a used rate should refuse, without a Delete button")
	}
	r = admin.submit("/admin/tax-rates", "/admin/tax-rates/"+id+"/delete", nil)
	wantStatus(t, "delete a used rate", r, http.StatusSeeOther)
	if fl := flashOf(t, admin.get(r.Location)); !strings.Contains(fl, "Not deleted") || !strings.Contains(fl, "deactivate it instead") {
		t.Errorf("flash %q", fl)
	}
	if err := app.DB.First(&models.TaxRate{}, tr.ID).Error; err != nil {
		t.Errorf("the used rate was deleted")
	}
	spare := models.TaxRate{Name: "Test spare", Rate: 1000}
	if err := models.SaveTaxRate(app.DB, &spare); err != nil {
		t.Fatal(err)
	}
	r = admin.get("/admin/tax-rates/" + idString(spare.ID) + "/delete")
	if r.doc(t).Find(`form[action="/admin/tax-rates/`+idString(spare.ID)+`/delete"]`).Length() != 1 {
		t.Errorf("no Delete button for an unused rate")
	}
	r = admin.submit("/admin/tax-rates", "/admin/tax-rates/"+idString(spare.ID)+"/delete", nil)
	wantStatus(t, "delete an unused rate", r, http.StatusSeeOther)
	if err := app.DB.First(&models.TaxRate{}, spare.ID).Error; err == nil {
		t.Errorf("the unused rate is still there")
	}
	wantStatus(t, "edit a deleted rate", admin.get("/admin/tax-rates/"+idString(spare.ID)+"/edit"), http.StatusNotFound)
}

func TestPaymentTermAdmin(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	r := admin.get("/admin/payment-terms")
	wantStatus(t, "GET /admin/payment-terms", r, http.StatusOK)
	if fieldValue(r.doc(t), "days") != "30" {
		t.Errorf("the add form does not suggest 30 days")
	}

	r = admin.submit("/admin/payment-terms", "/admin/payment-terms", url.Values{"name": {"Test Net 45"}, "days": {"45"}, "active": {"on"}})
	wantStatus(t, "add a payment term", r, http.StatusSeeOther)
	var pt models.PaymentTerm
	if err := app.DB.Where("name = ?", "Test Net 45").First(&pt).Error; err != nil {
		t.Fatal(err)
	}
	if pt.Days != 45 || !pt.Active {
		t.Errorf("stored %+v", pt)
	}
	if body := admin.get("/admin/payment-terms").Body; !strings.Contains(body, "45 days") {
		t.Errorf("the list does not show 45 days")
	}

	n := countRows(t, app, &models.PaymentTerm{})
	for _, c := range []struct{ name, field, msg, days, tname string }{
		{"negative days", "days", "from 0 to 365", "-1", "Test negative"},
		{"too many days", "days", "from 0 to 365", "366", "Test long"},
		{"not a number", "days", "whole number", "thirty", "Test words"},
		{"fraction", "days", "whole number", "1.5", "Test fraction"},
		{"no name", "name", "Name is required", "10", " "},
		{"duplicate", "name", "already a payment term", "10", "test net 45"},
	} {
		r := admin.submit("/admin/payment-terms", "/admin/payment-terms", url.Values{"name": {c.tname}, "days": {c.days}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, r.Status)
			continue
		}
		doc := r.doc(t)
		wantFieldError(t, doc, c.field, c.msg)
		if fieldValue(doc, "days") != c.days {
			t.Errorf("%s: days shows %q, want %q", c.name, fieldValue(doc, "days"), c.days)
		}
	}
	if countRows(t, app, &models.PaymentTerm{}) != n {
		t.Errorf("a refused form stored a payment term")
	}

	id := idString(pt.ID)
	r = admin.fill("/admin/payment-terms/"+id+"/edit", `main form[method="post"]`, url.Values{"days": {"0"}, "name": {"Test due on receipt"}, "active": {}})
	wantStatus(t, "edit a payment term", r, http.StatusSeeOther)
	app.DB.First(&pt, pt.ID)
	if pt.Days != 0 || pt.Active || pt.Name != "Test due on receipt" {
		t.Errorf("edited %+v", pt)
	}
	active, _ := models.PaymentTerms(app.DB, false)
	for _, a := range active {
		if a.ID == pt.ID {
			t.Errorf("a deactivated term is still offered")
		}
	}

	prQuote(t, app, nil, &pt.ID)
	r = admin.submit("/admin/payment-terms", "/admin/payment-terms/"+id+"/delete", nil)
	wantStatus(t, "delete a used term", r, http.StatusSeeOther)
	if fl := flashOf(t, admin.get(r.Location)); !strings.Contains(fl, "Not deleted") {
		t.Errorf("flash %q", fl)
	}
	if err := app.DB.First(&models.PaymentTerm{}, pt.ID).Error; err != nil {
		t.Errorf("the used term was deleted")
	}
	wantStatus(t, "move an unknown term", admin.submit("/admin/payment-terms", "/admin/payment-terms/999999/move", url.Values{"dir": {"up"}}), http.StatusNotFound)
}
