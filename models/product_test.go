package models_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/models"
)

// Catalog, product import, tax rates and payment terms, on a real SQLite database.

func pdProduct(t *testing.T, gdb *gorm.DB, sku, name string, kind models.ItemKind, active bool) *models.Product {
	t.Helper()
	p := &models.Product{SKU: sku, Name: name, Type: kind, Period: models.OneTime, UnitPrice: 100_00, Taxable: true, Active: active}
	if err := models.SaveProduct(gdb, p); err != nil {
		t.Fatalf("save %s: %v", sku, err)
	}
	return p
}

func pdLoad(t *testing.T, gdb *gorm.DB, sku string) models.Product {
	t.Helper()
	var p models.Product
	if err := gdb.Where("sku = ?", sku).First(&p).Error; err != nil {
		t.Fatalf("product %s: %v", sku, err)
	}
	return p
}

func pdCount(t *testing.T, gdb *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := gdb.Model(&models.Product{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func pdFields(ps []models.FieldProblem) string {
	var fs []string
	for _, p := range ps {
		fs = append(fs, p.Field)
	}
	return strings.Join(fs, ",")
}

func TestProductProblems(t *testing.T) {
	valid := models.Product{Name: "Firewall", SKU: "FW-1", Type: models.KindProduct, Period: models.OneTime, UnitPrice: 1_00}
	cases := []struct {
		name   string
		change func(p *models.Product)
		want   string // the fields with problems
	}{
		{"valid", func(p *models.Product) {}, ""},
		{"free item", func(p *models.Product) { p.UnitPrice = 0 }, ""},
		{"no name", func(p *models.Product) { p.Name = "  " }, "name"},
		{"long name", func(p *models.Product) { p.Name = strings.Repeat("é", models.ProductNameMax+1) }, "name"},
		{"longest name", func(p *models.Product) { p.Name = strings.Repeat("é", models.ProductNameMax) }, ""},
		{"no SKU", func(p *models.Product) { p.SKU = "" }, "sku"},
		{"long SKU", func(p *models.Product) { p.SKU = strings.Repeat("X", models.ProductSKUMax+1) }, "sku"},
		{"SKU with a tab", func(p *models.Product) { p.SKU = "FW\t1" }, "sku"},
		{"discount is no catalog type", func(p *models.Product) { p.Type = models.KindDiscount }, "type"},
		{"heading is no catalog type", func(p *models.Product) { p.Type = models.KindHeading }, "type"},
		{"no type", func(p *models.Product) { p.Type = "" }, "type"},
		{"negative price", func(p *models.Product) { p.UnitPrice = -1 }, "unit_price"},
		{"negative cost", func(p *models.Product) { p.UnitCost = -1 }, "unit_cost"},
		{"bad period", func(p *models.Product) { p.Period = "weekly" }, "period"},
		{"long description", func(p *models.Product) { p.Description = strings.Repeat("x", models.ProductDescriptionMax+1) }, "description"},
		{"everything wrong", func(p *models.Product) { *p = models.Product{UnitPrice: -5, UnitCost: -5} }, "name,sku,type,unit_price,unit_cost,period"},
	}
	for _, c := range cases {
		p := valid
		c.change(&p)
		if got := pdFields(p.Problems()); got != c.want {
			t.Errorf("%s: problems in %q, want %q (%v)", c.name, got, c.want, p.Problems())
		}
	}
}

func TestProductKindAndPeriodFrom(t *testing.T) {
	kinds := map[string]models.ItemKind{"product": models.KindProduct, "Service": models.KindService, " LABOR ": models.KindLabor,
		"expense": models.KindExpense, "Shipping": models.KindShipping}
	for in, want := range kinds {
		if got, ok := models.ProductKindFrom(in); !ok || got != want {
			t.Errorf("ProductKindFrom(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "discount", "heading", "gizmo"} {
		if got, ok := models.ProductKindFrom(in); ok {
			t.Errorf("ProductKindFrom(%q) = %q, want refused", in, got)
		}
	}
	periods := map[string]models.Period{"one_time": models.OneTime, "One-time": models.OneTime, "one time": models.OneTime,
		"MONTHLY": models.Monthly, "quarterly": models.Quarterly, "Semi-annual": models.SemiAnnual, "semi_annual": models.SemiAnnual,
		"yearly": models.Yearly}
	for in, want := range periods {
		if got, ok := models.PeriodFrom(in); !ok || got != want {
			t.Errorf("PeriodFrom(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "weekly", "annual!"} {
		if got, ok := models.PeriodFrom(in); ok {
			t.Errorf("PeriodFrom(%q) = %q, want refused", in, got)
		}
	}
}

func TestSaveProductRefusesADuplicateSKUInAnyCase(t *testing.T) {
	gdb := openDB(t)
	first := pdProduct(t, gdb, "FW-100", "Firewall", models.KindProduct, true)
	for _, sku := range []string{"FW-100", "fw-100"} {
		p := &models.Product{SKU: sku, Name: "Other", Type: models.KindProduct, Period: models.OneTime}
		if err := models.SaveProduct(gdb, p); !errors.Is(err, models.ErrSKUTaken) {
			t.Errorf("second product with SKU %q: err = %v, want ErrSKUTaken", sku, err)
		}
	}
	if n := pdCount(t, gdb); n != 1 {
		t.Fatalf("%d products, want 1", n)
	}
	other, err := models.ProductWithSKU(gdb, " fw-100 ", 0)
	if err != nil || other == nil || other.ID != first.ID {
		t.Fatalf("ProductWithSKU = %+v, %v; want the first product", other, err)
	}
	// A product keeps its own SKU when saved again, even in another case.
	first.SKU, first.UnitPrice = "Fw-100", 99_00
	if err := models.SaveProduct(gdb, first); err != nil {
		t.Fatal(err)
	}
	if got := pdLoad(t, gdb, "Fw-100"); got.UnitPrice != 99_00 {
		t.Errorf("price %v after the update", got.UnitPrice)
	}
}

func TestListProductsSearchFiltersAndPages(t *testing.T) {
	gdb := openDB(t)
	for i := 1; i <= 30; i++ {
		pdProduct(t, gdb, fmt.Sprintf("LT-%02d", i), fmt.Sprintf("Laptop model %02d", i), models.KindProduct, i%10 != 0)
	}
	pdProduct(t, gdb, "LAB-1", "Onboarding hour", models.KindLabor, true)
	pdProduct(t, gdb, "PCT-1", "Discount 100% off", models.KindService, true)
	on, off := true, false
	cases := []struct {
		name string
		f    models.ProductFilter
		want int
	}{
		{"everything", models.ProductFilter{}, 32},
		{"by name, any case", models.ProductFilter{Text: "LAPTOP"}, 30},
		{"by SKU", models.ProductFilter{Text: "lt-0"}, 9},
		{"by SKU exactly", models.ProductFilter{Text: "LAB-1"}, 1},
		{"percent sign taken literally", models.ProductFilter{Text: "100%"}, 1},
		{"underscore taken literally", models.ProductFilter{Text: "_"}, 0},
		{"by type", models.ProductFilter{Type: models.KindLabor}, 1},
		{"active", models.ProductFilter{Active: &on}, 29},
		{"inactive", models.ProductFilter{Active: &off}, 3},
		{"inactive laptops", models.ProductFilter{Text: "laptop", Type: models.KindProduct, Active: &off}, 3},
	}
	for _, c := range cases {
		var n int
		if err := models.EachProduct(gdb, c.f, func(models.Product) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("%s: EachProduct gave %d, want %d", c.name, n, c.want)
		}
	}
	rows, more, err := models.ListProducts(gdb, models.ProductFilter{Text: "laptop"}, models.NewPage(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != models.PageSize || !more || rows[0].SKU != "LT-01" {
		t.Fatalf("page 1: %d rows, more %v, first %q", len(rows), more, rows[0].SKU)
	}
	rows, more, err = models.ListProducts(gdb, models.ProductFilter{Text: "laptop"}, models.NewPage(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || more || rows[0].SKU != "LT-26" {
		t.Fatalf("page 2: %d rows, more %v", len(rows), more)
	}
}

// The product form's vendor picker offers the vendors, and the product's own
// vendor kept even if it is no longer one.
func TestVendorPickAreVendorsAndTheKeptOne(t *testing.T) {
	gdb := openDB(t)
	v := &models.Organization{Name: "Distributor", Type: models.VendorType}
	c := &models.Organization{Name: "Customer", Type: "customer"}
	for _, o := range []*models.Organization{v, c} {
		if err := gdb.Create(o).Error; err != nil {
			t.Fatal(err)
		}
	}
	got, err := models.OrgPick{VendorsOnly: true}.All(gdb)
	if err != nil || len(got) != 1 || got[0].ID != v.ID {
		t.Fatalf("vendors = %+v, %v; want only the vendor", got, err)
	}
	got, _ = models.OrgPick{VendorsOnly: true, Keep: c.ID}.All(gdb)
	if len(got) != 2 {
		t.Fatalf("vendors keeping %d = %d organizations, want 2", c.ID, len(got))
	}
}

// The import's vendor column is read by name (any case and spaces around),
// past 500 distinct names (one IN query per 500), vendors only, the newest of
// two vendors of the same name.
func TestImportProductsVendorsByName(t *testing.T) {
	gdb := openDB(t)
	orgs := make([]models.Organization, 0, 703)
	for i := 1; i <= 700; i++ {
		orgs = append(orgs, models.Organization{Name: fmt.Sprintf("Vendor %03d", i), Type: models.VendorType})
	}
	orgs = append(orgs, models.Organization{Name: "Twin Supply", Type: models.VendorType}, models.Organization{Name: "twin supply", Type: models.VendorType},
		models.Organization{Name: "Just A Customer", Type: "customer"})
	if err := gdb.CreateInBatches(&orgs, 200).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(pdHeader, "\n") + ",vendor\n")
	for i := 1; i <= 700; i++ {
		name := fmt.Sprintf("Vendor %03d", i)
		if i%2 == 0 {
			name = "  " + strings.ToUpper(name) + " "
		}
		fmt.Fprintf(&b, "Item %d,V-%d,Product,,1,1,one_time,yes,yes,%s\n", i, i, name)
	}
	b.WriteString("Twin item,TWIN-1,Product,,1,1,one_time,yes,yes,Twin Supply\nNo vendor,NONE-1,Product,,1,1,one_time,yes,yes,\n")
	res, err := models.ImportProducts(gdb, []byte(b.String()), models.ProductImportOptions{})
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, res.Invalid())
	}
	for _, i := range []int{1, 2, 500, 501, 700} {
		if p := pdLoad(t, gdb, fmt.Sprintf("V-%d", i)); p.VendorID == nil || *p.VendorID != orgs[i-1].ID {
			t.Errorf("V-%d has vendor %v, want %d", i, p.VendorID, orgs[i-1].ID)
		}
	}
	if p := pdLoad(t, gdb, "TWIN-1"); p.VendorID == nil || *p.VendorID != orgs[701].ID {
		t.Errorf("TWIN-1 has vendor %v, want the newer twin %d", p.VendorID, orgs[701].ID)
	}
	if p := pdLoad(t, gdb, "NONE-1"); p.VendorID != nil {
		t.Errorf("NONE-1 has vendor %d", *p.VendorID)
	}
	file := pdHeader[:len(pdHeader)-1] + ",vendor\nCustomer item,CUST-1,Product,,1,1,one_time,yes,yes,Just A Customer\n"
	res, err = models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{})
	if !errors.Is(err, models.ErrInvalidRows) || len(res.Invalid()) != 1 ||
		!strings.Contains(strings.Join(res.Invalid()[0].Problems, " "), "Vendor “Just A Customer” is not an organization of type Vendor.") {
		t.Errorf("a customer as vendor: %v %+v", err, res)
	}
}

const pdHeader = "name,sku,type,description,unit_price,unit_cost,period,taxable,active\n"

func TestImportProductsCreatesAndUpdatesBySKU(t *testing.T) {
	gdb := openDB(t)
	vendor := &models.Organization{Name: "Northgate IT Distribution", Type: models.VendorType}
	if err := gdb.Create(vendor).Error; err != nil {
		t.Fatal(err)
	}
	old := pdProduct(t, gdb, "FW-100", "Old firewall name", models.KindProduct, true)
	old.VendorID, old.NoProcurement = &vendor.ID, true
	if err := models.SaveProduct(gdb, old); err != nil {
		t.Fatal(err)
	}
	file := "\xef\xbb\xbf" + pdHeader +
		"Firewall 100,fw-100,Product,Branch firewall,\"2,950.00\",2140,One-time,yes,yes\n" +
		"Managed seat,MS-SEAT,service,,85,32,monthly,no,\n" +
		"\n" + // blank lines are skipped
		"Onboarding hour,LAB-1,Labor,\"Discovery,\nand migration\",145.50,,one_time,0,1\n" +
		"Formula,'=SUM-1,Expense,'+cmd,1,0,,,no\n"
	res, err := models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{})
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, res)
	}
	if res.Created != 3 || res.Updated != 1 {
		t.Errorf("created %d updated %d, want 3 and 1", res.Created, res.Updated)
	}
	if n := pdCount(t, gdb); n != 4 {
		t.Errorf("%d products, want 4", n)
	}
	fw := pdLoad(t, gdb, "fw-100")
	if fw.ID != old.ID || fw.Name != "Firewall 100" || fw.UnitPrice != 2_950_00 || fw.UnitCost != 2_140_00 || fw.Description != "Branch firewall" {
		t.Errorf("updated firewall %+v", fw)
	}
	// Columns the file does not have leave the product as it was.
	if fw.VendorID == nil || *fw.VendorID != vendor.ID || !fw.NoProcurement {
		t.Errorf("the update lost the vendor or the procurement flag: %+v", fw)
	}
	seat := pdLoad(t, gdb, "MS-SEAT")
	if seat.Type != models.KindService || seat.Period != models.Monthly || seat.Taxable || !seat.Active || seat.UnitPrice != 85_00 {
		t.Errorf("seat %+v", seat)
	}
	lab := pdLoad(t, gdb, "LAB-1")
	if lab.Description != "Discovery,\nand migration" || lab.UnitPrice != 145_50 || lab.UnitCost != 0 || lab.Taxable || !lab.Active {
		t.Errorf("labor %+v", lab)
	}
	// The apostrophe the export puts before a formula-looking cell is taken off.
	f := pdLoad(t, gdb, "=SUM-1")
	if f.Description != "+cmd" || f.Period != models.OneTime || f.Active || !f.Taxable {
		t.Errorf("formula row %+v", f)
	}

	// The optional vendor column sets the vendor by name; no_procurement is
	// read only while Procurement is on.
	file = pdHeader[:len(pdHeader)-1] + ",vendor,no_procurement\n" +
		"Managed seat,MS-SEAT,Service,,85,32,Monthly,no,yes,northgate it distribution,yes\n" +
		"Firewall 100,FW-100,Product,,2950,2140,One-time,yes,yes,,no\n"
	if _, err := models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{}); err != nil {
		t.Fatal(err)
	}
	seat, fw = pdLoad(t, gdb, "MS-SEAT"), pdLoad(t, gdb, "FW-100")
	if seat.VendorID == nil || *seat.VendorID != vendor.ID || seat.NoProcurement {
		t.Errorf("with Procurement off: seat %+v", seat)
	}
	if fw.VendorID != nil || !fw.NoProcurement {
		t.Errorf("with Procurement off: firewall %+v, want no vendor and the flag kept", fw)
	}
	if _, err := models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{Procurement: true}); err != nil {
		t.Fatal(err)
	}
	if seat, fw = pdLoad(t, gdb, "MS-SEAT"), pdLoad(t, gdb, "FW-100"); !seat.NoProcurement || fw.NoProcurement {
		t.Errorf("with Procurement on: seat %v firewall %v", seat.NoProcurement, fw.NoProcurement)
	}
}

func TestImportProductsIsAllOrNothingWithAProblemPerRow(t *testing.T) {
	gdb := openDB(t)
	pdProduct(t, gdb, "KEEP-1", "Kept as it is", models.KindProduct, true)
	file := pdHeader +
		"Good row,NEW-1,Product,,10,5,one_time,yes,yes\n" + // line 2
		"Gizmo,NEW-2,Gizmo,,10,5,one_time,yes,yes\n" + // 3: type
		"Refund,NEW-3,Service,,-10,5,monthly,yes,yes\n" + // 4: negative price
		"Weekly,NEW-4,Service,,10,5,weekly,yes,yes\n" + // 5: period
		"Twice,new-1,Product,,10,5,one_time,yes,yes\n" + // 6: same SKU as line 2
		",,Product,,ten,1.234,yearly,maybe,yes\n" + // 7: name, SKU, price, cost, taxable
		"Changed,KEEP-1,Product,,1,1,one_time,yes,yes\n" + // 8: valid update
		"Vendor,NEW-5,Product,,1,1,one_time,yes,yes\n"
	file = strings.Replace(file, "active\n", "active,vendor\n", 1)
	file = strings.Replace(file, "Vendor,NEW-5,Product,,1,1,one_time,yes,yes\n", "Vendor,NEW-5,Product,,1,1,one_time,yes,yes,Nobody Inc\n", 1) // 9
	res, err := models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{})
	if !errors.Is(err, models.ErrInvalidRows) {
		t.Fatalf("err = %v, want ErrInvalidRows", err)
	}
	if res.Created != 0 || res.Updated != 0 {
		t.Errorf("created %d updated %d, want nothing", res.Created, res.Updated)
	}
	if n := pdCount(t, gdb); n != 1 {
		t.Errorf("%d products after a refused import, want 1", n)
	}
	if p := pdLoad(t, gdb, "KEEP-1"); p.Name != "Kept as it is" {
		t.Errorf("the refused import changed a product: %+v", p)
	}
	want := map[int][]string{
		3: {"Type “Gizmo”"},
		4: {"unit price cannot be negative"},
		5: {"Period “weekly”"},
		6: {"Same SKU as line 2."},
		7: {"Name is required.", "SKU is required.", "Unit price “ten”", "Unit cost “1.234”", "Taxable “maybe”"},
		9: {"Vendor “Nobody Inc”"},
	}
	bad := res.Invalid()
	if len(bad) != len(want) {
		t.Errorf("%d invalid rows, want %d: %+v", len(bad), len(want), bad)
	}
	for _, r := range bad {
		msgs := strings.Join(r.Problems, " | ")
		ws, ok := want[r.Line]
		if !ok {
			t.Errorf("line %d flagged: %s", r.Line, msgs)
			continue
		}
		for _, w := range ws {
			if !strings.Contains(msgs, w) {
				t.Errorf("line %d: problems %q, want one with %q", r.Line, msgs, w)
			}
		}
		if r.Line != 7 && len(r.Problems) != 1 {
			t.Errorf("line %d: %d problems, want 1: %q", r.Line, len(r.Problems), msgs)
		}
	}
}

func TestImportProductsRefusesBadFiles(t *testing.T) {
	gdb := openDB(t)
	cases := []struct {
		name, file, want string
	}{
		{"empty", "  \n", "The file is empty."},
		{"header only", pdHeader, "no products under it"},
		{"missing columns", "name,sku,type\nA,B,Product\n", "lacks the columns description, unit_price, unit_cost, period, taxable, active"},
		{"missing one column", strings.Replace(pdHeader, ",active", "", 1) + "A,B,Product,,1,1,one_time,yes\n", "lacks the column active."},
		{"column twice", strings.TrimSuffix(pdHeader, "\n") + ",SKU\nA,B,Product,,1,1,one_time,yes,yes,C\n", "“sku” twice"},
		{"not UTF-8", pdHeader + "Caf\xe9,B,Product,,1,1,one_time,yes,yes\n", "not UTF-8"},
		{"binary", pdHeader + "A\x00,B,Product,,1,1,one_time,yes,yes\n", "not a CSV text file"},
		{"bad quotes", pdHeader + "\"A,B,Product,,1,1,one_time,yes,yes\n", "not valid CSV"},
	}
	for _, c := range cases {
		_, err := models.ImportProducts(gdb, []byte(c.file), models.ProductImportOptions{})
		var ie *models.ErrImport
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, c.want) {
			t.Errorf("%s: err = %v, want an ErrImport with %q", c.name, err, c.want)
		}
	}
	// Semicolons, as spreadsheets in many countries save CSV, and headers in any case.
	file := "Name;SKU;Type;Description;Unit Price;Unit_Cost;Period;Taxable;Active\nA;SEMI-1;Product;;1;1;one_time;yes;yes\n"
	if res, err := models.ImportProducts(gdb, []byte(file), models.ProductImportOptions{}); err != nil || res.Created != 1 {
		t.Fatalf("semicolon file: %v %+v", err, res)
	}
	if n := pdCount(t, gdb); n != 1 {
		t.Errorf("%d products, want only the semicolon file's", n)
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]int64{"8.875": 8875, "20": 20000, "0": 0, "100": 100000, "8.875%": 8875, " 7.25 % ": 7250,
		".5": 500, "5.": 5000, "0.001": 1, "007": 7000}
	for in, want := range good {
		if got, err := models.ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "%", ".", "-1", "100.001", "101", "8.8755", "abc", "1,5", "1e2", "1000", "5.5.5"} {
		if got, err := models.ParseRate(in); !errors.Is(err, models.ErrRateFormat) {
			t.Errorf("ParseRate(%q) = %d, %v; want ErrRateFormat", in, got, err)
		}
	}
	for _, r := range []int64{0, 1, 500, 8875, 20000, 100000} {
		if back, err := models.ParseRate(models.RateInput(r)); err != nil || back != r {
			t.Errorf("RateInput(%d) = %q parses back as %d, %v", r, models.RateInput(r), back, err)
		}
	}
}

func TestTaxRatesAndPaymentTermsSaveOrderAndDelete(t *testing.T) {
	gdb := openDB(t)
	rates, err := models.TaxRates(gdb, true)
	if err != nil || len(rates) == 0 {
		t.Fatalf("migrated tax rates: %v %v", rates, err)
	}
	nyc := &models.TaxRate{Name: "NYC sales tax", Rate: 8875, Active: true}
	if err := models.SaveTaxRate(gdb, nyc); err != nil {
		t.Fatal(err)
	}
	if nyc.Position <= rates[len(rates)-1].Position {
		t.Errorf("a new rate is placed at %d, want after %d", nyc.Position, rates[len(rates)-1].Position)
	}
	if taken, _ := models.NameTaken(gdb, "tax_rates", " nyc SALES tax ", 0); !taken {
		t.Errorf("NameTaken misses a name in another case")
	}
	if taken, _ := models.NameTaken(gdb, "tax_rates", "NYC sales tax", nyc.ID); taken {
		t.Errorf("NameTaken counts the rate itself")
	}
	nyc.Active = false
	if err := models.SaveTaxRate(gdb, nyc); err != nil {
		t.Fatal(err)
	}
	active, _ := models.TaxRates(gdb, false)
	for _, r := range active {
		if r.ID == nyc.ID {
			t.Errorf("a deactivated rate is offered")
		}
	}

	// A rate and a term a quote has cannot be deleted; unused ones can.
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	o := createOpp(t, gdb, "Deal", mkOrg(t, gdb, "Acme"), rep, "Qualification", time.Now().UTC())
	term := &models.PaymentTerm{Name: "Net 45", Days: 45, Active: true}
	if err := models.SavePaymentTerm(gdb, term); err != nil {
		t.Fatal(err)
	}
	q := &models.Quote{OpportunityID: o.ID, Name: "Q", OwnerID: rep.ID, TaxRateID: &nyc.ID, PaymentTermID: &term.ID, TermMonths: 12,
		EffectiveDate: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), ExpirationDate: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	if err := models.CreateQuote(gdb, q); err != nil {
		t.Fatal(err)
	}
	var inUse *models.ErrUsedByQuotes
	if err := models.DeleteTaxRate(gdb, nyc); !errors.As(err, &inUse) || inUse.Uses != 1 || !strings.Contains(err.Error(), "1 quote:") {
		t.Errorf("deleting a used tax rate: %v", err)
	}
	if err := models.DeletePaymentTerm(gdb, term); !errors.As(err, &inUse) {
		t.Errorf("deleting a used payment term: %v", err)
	}
	if err := gdb.First(&models.TaxRate{}, nyc.ID).Error; err != nil {
		t.Errorf("the used rate is gone: %v", err)
	}
	spare := &models.PaymentTerm{Name: "Net 90", Days: 90}
	if err := models.SavePaymentTerm(gdb, spare); err != nil {
		t.Fatal(err)
	}
	if err := models.DeletePaymentTerm(gdb, spare); err != nil {
		t.Fatal(err)
	}
	if err := gdb.First(&models.PaymentTerm{}, spare.ID).Error; !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("the unused term is still there: %v", err)
	}
}

func TestSeedCatalogIsValidAndRunsTwice(t *testing.T) {
	gdb := openDB(t)
	for i := 0; i < 2; i++ {
		if err := gdb.Transaction(db.SeedCatalog); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	var ps []models.Product
	if err := gdb.Order("id").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	if len(ps) < 15 {
		t.Fatalf("%d products, want about 15", len(ps))
	}
	var vendors []models.Organization
	gdb.Where("type = ?", models.VendorType).Find(&vendors)
	if len(vendors) != 2 {
		t.Fatalf("%d vendor organizations, want 2", len(vendors))
	}
	kinds, periods, withVendor := map[models.ItemKind]bool{}, map[models.Period]bool{}, 0
	for _, p := range ps {
		if pr := p.Problems(); len(pr) > 0 {
			t.Errorf("%s: %v", p.SKU, pr)
		}
		kinds[p.Type], periods[p.Period] = true, true
		if p.VendorID != nil {
			withVendor++
		}
	}
	if len(kinds) != len(models.ProductKinds) || !periods[models.Monthly] || !periods[models.Yearly] || withVendor == 0 {
		t.Errorf("the demo catalog should show every type, monthly and yearly items and a vendor: %v %v %d", kinds, periods, withVendor)
	}
}
