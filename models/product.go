package models

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The product catalog, and the tax rates and payment terms quotes choose from.

// Bounds of a product's text fields.
const (
	ProductNameMax        = 200
	ProductSKUMax         = 64
	ProductDescriptionMax = 2000
)

// FieldProblem is one thing wrong with a record's values, keyed by the name of
// the form field (and CSV column) that holds it.
type FieldProblem struct {
	Field string
	Msg   string
}

// ProductKindFrom reads a catalog type written as its key ("labor") or its
// label ("Labor"), in any case. Discount and Heading are quote lines, not
// catalog items.
func ProductKindFrom(s string) (ItemKind, bool) {
	s = strings.TrimSpace(s)
	for _, k := range ProductKinds {
		if strings.EqualFold(s, string(k)) || strings.EqualFold(s, k.Label()) {
			return k, true
		}
	}
	return "", false
}

// PeriodFrom reads a period written as its key ("semi_annual") or its label
// ("Semi-annual"), in any case, with a space, hyphen or underscore between words.
func PeriodFrom(s string) (Period, bool) {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "_", " ", "_").Replace(strings.TrimSpace(s)))
	}
	s = norm(s)
	for _, p := range Periods {
		if s == string(p) || s == norm(p.Label()) {
			return p, true
		}
	}
	return "", false
}

// NormalizeSKU trims a SKU; SKUs are compared without regard to case.
func NormalizeSKU(s string) string { return strings.TrimSpace(s) }

// Problems checks a product's values against the catalog's rules.
func (p *Product) Problems() []FieldProblem {
	var out []FieldProblem
	add := func(field, msg string) { out = append(out, FieldProblem{field, msg}) }
	switch n := utf8.RuneCountInString(p.Name); {
	case strings.TrimSpace(p.Name) == "":
		add("name", "Name is required.")
	case n > ProductNameMax:
		add("name", fmt.Sprintf("Name is too long: at most %d characters.", ProductNameMax))
	}
	switch {
	case p.SKU == "":
		add("sku", "SKU is required.")
	case utf8.RuneCountInString(p.SKU) > ProductSKUMax:
		add("sku", fmt.Sprintf("SKU is too long: at most %d characters.", ProductSKUMax))
	case strings.IndexFunc(p.SKU, unicode.IsControl) >= 0:
		add("sku", "SKU may not contain tabs, line breaks or other control characters.")
	}
	if _, ok := ProductKindFrom(string(p.Type)); !ok || p.Type == "" {
		add("type", "Choose a type: Product, Service, Labor, Expense or Shipping.")
	}
	if utf8.RuneCountInString(p.Description) > ProductDescriptionMax {
		add("description", fmt.Sprintf("Description is too long: at most %d characters.", ProductDescriptionMax))
	}
	if p.UnitPrice < 0 {
		add("unit_price", "The unit price cannot be negative. Use a Discount line on the quote instead.")
	}
	if p.UnitCost < 0 {
		add("unit_cost", "The unit cost cannot be negative.")
	}
	if !p.Period.Valid() {
		add("period", "Choose a period: One-time, Monthly, Quarterly, Semi-annual or Yearly.")
	}
	return out
}

// ProductWithSKU finds the product other than except that has this SKU, in
// any case; nil when there is none.
func ProductWithSKU(db *gorm.DB, sku string, except uint) (*Product, error) {
	var ps []Product
	err := db.Select("id", "name", "sku").Where("LOWER(sku) = ? AND id <> ?", strings.ToLower(NormalizeSKU(sku)), except).
		Order("id").Limit(1).Find(&ps).Error
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return &ps[0], nil
}

// ErrSKUTaken refuses a second product with the same SKU.
var ErrSKUTaken = errors.New("another product already has this SKU")

// SaveProduct creates (ID 0) or updates a product after checking that no
// other product has its SKU.
func SaveProduct(db *gorm.DB, p *Product) error {
	return db.Transaction(func(tx *gorm.DB) error {
		other, err := ProductWithSKU(tx, p.SKU, p.ID)
		if err != nil {
			return err
		}
		if other != nil {
			return ErrSKUTaken
		}
		p.Vendor = nil
		if p.ID == 0 {
			err = tx.Omit(clause.Associations).Create(p).Error
		} else {
			err = tx.Omit(clause.Associations).Select("Name", "SKU", "Type", "Description", "UnitPrice", "UnitCost", "Period",
				"Taxable", "Active", "VendorID", "NoProcurement", "UpdatedAt").Updates(p).Error
		}
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrSKUTaken
		}
		return err
	})
}

// ProductFilter narrows the catalog.
type ProductFilter struct {
	Text   string   // part of the name or SKU
	Type   ItemKind // "" for every type
	Active *bool    // nil for active and inactive
}

func (f ProductFilter) query(db *gorm.DB) *gorm.DB {
	q := db.Model(&Product{})
	if f.Text != "" {
		pat := likePattern(f.Text)
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(sku) LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	return q
}

// ListProducts returns one page of the catalog by name, with vendors.
func ListProducts(db *gorm.DB, f ProductFilter, p Page) ([]Product, bool, error) {
	var rows []Product
	err := f.query(db).Preload("Vendor").Order("name, id").Offset(p.Offset()).Limit(p.Size + 1).Find(&rows).Error
	rows, more := Trim(rows, p)
	return rows, more, err
}

// EachProduct calls fn for every product of the filter, by name, reading in
// batches so an export of a large catalog does not hold it all in memory.
func EachProduct(db *gorm.DB, f ProductFilter, fn func(Product) error) error {
	const batch = 500
	for offset := 0; ; offset += batch {
		var rows []Product
		if err := f.query(db).Preload("Vendor").Order("name, id").Offset(offset).Limit(batch).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
	}
}

// LoadProduct reads a product with its vendor.
func LoadProduct(db *gorm.DB, id uint) (*Product, error) {
	var p Product
	if err := db.Preload("Vendor").First(&p, id).Error; err != nil {
		return nil, err
	}
	return &p, nil
}

// VendorType is the organization type of the companies products are bought from.
const VendorType OrgType = "vendor"

// vendorsNamed maps each of keys (NameKey of a name) that some vendor
// organization has to its id, the newest vendor's when several share the
// name: the import's vendor column, read along organizations_name_key in
// chunks rather than reading every vendor.
func vendorsNamed(db *gorm.DB, keys []string) (map[string]uint, error) {
	out := make(map[string]uint, len(keys))
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 500)]
		keys = keys[len(chunk):]
		var rows []struct {
			ID      uint
			NameKey string
		}
		if err := db.Model(&Organization{}).Select("id", "name_key").Where("type = ? AND name_key IN ?", VendorType, chunk).
			Order("id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.NameKey] = r.ID
		}
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// CSV import and export.

// ProductCSVHeader is the header of the import file, in the order of the export.
var ProductCSVHeader = []string{"name", "sku", "type", "description", "unit_price", "unit_cost", "period", "taxable", "active"}

// Optional import columns, written by the export.
const (
	ProductCSVVendor        = "vendor"
	ProductCSVNoProcurement = "no_procurement"
)

// Bounds of one product import. The request body limit of the upload is
// lower still; these keep the models safe on their own.
const (
	MaxProductImportBytes = 10 << 20
	MaxProductImportRows  = 10000
)

// ProductImportOptions are what the import may set besides the nine columns.
type ProductImportOptions struct {
	// Procurement is on: the no_procurement column is read. With it off the
	// column is ignored and products keep their value.
	Procurement bool
}

// ProductImportRow is one row of the file, read and checked.
type ProductImportRow struct {
	Line     int     // line in the file where the row starts; the header is line 1
	Product  Product // the values of the row; ID is set when the SKU is in the catalog
	Problems []string
}

// ProductImport is the outcome of an import: every row, and what was done.
type ProductImport struct {
	Rows             []ProductImportRow
	Created, Updated int
}

// Invalid are the rows with problems.
func (r *ProductImport) Invalid() []ProductImportRow {
	var out []ProductImportRow
	for _, row := range r.Rows {
		if len(row.Problems) > 0 {
			out = append(out, row)
		}
	}
	return out
}

// ErrInvalidRows means some rows have problems, so nothing was imported.
var ErrInvalidRows = errors.New("some rows are invalid; nothing was imported")

// ImportProducts reads a product CSV and, when every row is valid, creates
// the new SKUs and updates the products whose SKU is already in the catalog,
// all in one transaction. A problem with the file itself is an *ErrImport; a
// problem with rows is ErrInvalidRows, with the problems in the result.
func ImportProducts(db *gorm.DB, data []byte, opt ProductImportOptions) (*ProductImport, error) {
	res, cols, err := checkProductCSV(db, data)
	if err != nil {
		return nil, err
	}
	if len(res.Invalid()) > 0 {
		return res, ErrInvalidRows
	}
	_, hasVendor := cols[ProductCSVVendor]
	_, hasNoProc := cols[ProductCSVNoProcurement]
	hasNoProc = hasNoProc && opt.Procurement
	err = db.Transaction(func(tx *gorm.DB) error {
		for i := range res.Rows {
			p := &res.Rows[i].Product
			if p.ID == 0 {
				if err := tx.Omit(clause.Associations).Create(p).Error; err != nil {
					return fmt.Errorf("line %d: %w", res.Rows[i].Line, err)
				}
				res.Created++
				continue
			}
			fields := []string{"Name", "SKU", "Type", "Description", "UnitPrice", "UnitCost", "Period", "Taxable", "Active", "UpdatedAt"}
			if hasVendor {
				fields = append(fields, "VendorID")
			}
			if hasNoProc {
				fields = append(fields, "NoProcurement")
			}
			if err := tx.Model(p).Omit(clause.Associations).Select(fields).Updates(p).Error; err != nil {
				return fmt.Errorf("line %d: %w", res.Rows[i].Line, err)
			}
			res.Updated++
		}
		return nil
	})
	if err != nil {
		res.Created, res.Updated = 0, 0
		return res, err
	}
	return res, nil
}

// checkProductCSV parses the file and checks every row; cols maps each known
// column name to its index.
func checkProductCSV(db *gorm.DB, data []byte) (*ProductImport, map[string]int, error) {
	header, recs, lines, err := parseProductCSV(data)
	if err != nil {
		return nil, nil, err
	}
	cols := map[string]int{}
	known := append(append([]string(nil), ProductCSVHeader...), ProductCSVVendor, ProductCSVNoProcurement)
	for i, h := range header {
		key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(h), " ", "_"))
		for _, k := range known {
			if key == k {
				if _, dup := cols[k]; dup {
					return nil, nil, &ErrImport{fmt.Sprintf("The header has the column “%s” twice.", k)}
				}
				cols[k] = i
			}
		}
	}
	var missing []string
	for _, k := range ProductCSVHeader {
		if _, ok := cols[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, nil, &ErrImport{"The header row lacks the column" + map[bool]string{true: "", false: "s"}[len(missing) == 1] + " " +
			strings.Join(missing, ", ") + ". The header must be: " + strings.Join(ProductCSVHeader, ",") + "."}
	}

	vendors := map[string]uint{}
	if c, ok := cols[ProductCSVVendor]; ok {
		var keys []string
		seen := map[string]bool{}
		for _, rec := range recs {
			if c < len(rec) {
				if k := NameKey(uncsvSafe(strings.TrimSpace(rec[c]))); k != "" && !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		if vendors, err = vendorsNamed(db, keys); err != nil {
			return nil, nil, err
		}
	}

	res := &ProductImport{Rows: make([]ProductImportRow, len(recs))}
	seen := map[string]int{}
	var skus []string
	for i, rec := range recs {
		cell := func(k string) string {
			c, ok := cols[k]
			if !ok || c >= len(rec) {
				return ""
			}
			return uncsvSafe(strings.TrimSpace(rec[c]))
		}
		row := ProductImportRow{Line: lines[i]}
		p := Product{Name: cell("name"), SKU: NormalizeSKU(cell("sku")), Description: cell("description"), Taxable: true, Active: true}
		var probs []string
		if k, ok := ProductKindFrom(cell("type")); ok {
			p.Type = k
		} else {
			probs = append(probs, fmt.Sprintf("Type “%s” is not one of Product, Service, Labor, Expense, Shipping.", cell("type")))
		}
		if per, ok := PeriodFrom(cell("period")); ok {
			p.Period = per
		} else if cell("period") == "" {
			p.Period = OneTime
		} else {
			probs = append(probs, fmt.Sprintf("Period “%s” is not one of One-time, Monthly, Quarterly, Semi-annual, Yearly.", cell("period")))
		}
		for _, m := range []struct {
			col, label string
			to         *Money
		}{{"unit_price", "Unit price", &p.UnitPrice}, {"unit_cost", "Unit cost", &p.UnitCost}} {
			v, err := ParseMoney(cell(m.col))
			switch {
			case errors.Is(err, ErrMoneyFormat):
				probs = append(probs, fmt.Sprintf("%s “%s” is not an amount such as 1250 or 1250.50.", m.label, cell(m.col)))
			case err != nil:
				probs = append(probs, fmt.Sprintf("%s is too large: at most %s.", m.label, MaxMoney.Display()))
			default:
				*m.to = v
			}
		}
		for _, b := range []struct {
			col, label string
			to         *bool
		}{{"taxable", "Taxable", &p.Taxable}, {"active", "Active", &p.Active}, {ProductCSVNoProcurement, "No procurement", &p.NoProcurement}} {
			if v := cell(b.col); v != "" {
				on, ok := parseYesNo(v)
				if !ok {
					probs = append(probs, fmt.Sprintf("%s “%s” is not yes or no.", b.label, v))
				}
				*b.to = on
			}
		}
		if v := cell(ProductCSVVendor); v != "" {
			id, ok := vendors[NameKey(v)]
			if !ok {
				probs = append(probs, fmt.Sprintf("Vendor “%s” is not an organization of type Vendor.", v))
			} else {
				p.VendorID = &id
			}
		}
		for _, fp := range p.Problems() {
			if fp.Field == "type" || fp.Field == "period" {
				continue // reported above, in the file's words
			}
			probs = append(probs, fp.Msg)
		}
		if p.SKU != "" {
			key := strings.ToLower(p.SKU)
			if prev, ok := seen[key]; ok {
				probs = append(probs, fmt.Sprintf("Same SKU as line %d.", prev))
			} else {
				seen[key] = row.Line
				skus = append(skus, key)
			}
		}
		row.Product, row.Problems = p, dedupe(probs)
		res.Rows[i] = row
	}

	// Rows whose SKU is in the catalog update that product.
	existing := map[string]uint{}
	for start := 0; start < len(skus); start += 500 {
		end := min(start+500, len(skus))
		var found []struct {
			ID  uint
			SKU string
		}
		if err := db.Model(&Product{}).Select("id, sku").Where("LOWER(sku) IN ?", skus[start:end]).Scan(&found).Error; err != nil {
			return nil, nil, err
		}
		for _, f := range found {
			existing[strings.ToLower(f.SKU)] = f.ID
		}
	}
	for i := range res.Rows {
		p := &res.Rows[i].Product
		if id, ok := existing[strings.ToLower(p.SKU)]; ok {
			p.ID = id
		}
	}
	return res, cols, nil
}

// parseProductCSV splits a CSV file as spreadsheets save it (UTF-8 with or
// without a byte-order mark, comma or semicolon) into its header and rows.
func parseProductCSV(data []byte) (header []string, rows [][]string, lines []int, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, nil, nil, &ErrImport{"The file is empty."}
	case len(data) > MaxProductImportBytes:
		return nil, nil, nil, &ErrImport{fmt.Sprintf("The file is too large: at most %d MB.", MaxProductImportBytes>>20)}
	case !utf8.Valid(data):
		return nil, nil, nil, &ErrImport{"The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."}
	case bytes.IndexByte(data, 0) >= 0:
		return nil, nil, nil, &ErrImport{"The file is not a CSV text file."}
	}
	var first []byte
	for rest := data; len(rest) > 0 && len(bytes.TrimSpace(first)) == 0; {
		first, rest, _ = bytes.Cut(rest, []byte{'\n'})
	}
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte{';'}) > bytes.Count(first, []byte{','}) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, nil, &ErrImport{fmt.Sprintf("The file is not valid CSV: line %d: %v.", pe.Line, pe.Err)}
			}
			return nil, nil, nil, &ErrImport{"The file is not valid CSV."}
		}
		if header == nil {
			header = rec
			continue
		}
		if isBlank(rec) {
			continue
		}
		if len(rows) >= MaxProductImportRows {
			return nil, nil, nil, &ErrImport{fmt.Sprintf("The file has more than %d products: split it into smaller files.", MaxProductImportRows)}
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	if len(rows) == 0 {
		return nil, nil, nil, &ErrImport{"The file has a header row but no products under it."}
	}
	return header, rows, lines, nil
}

// uncsvSafe undoes the apostrophe the export puts before a formula-looking
// cell, so an exported file imports back unchanged.
func uncsvSafe(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1", "x", "on":
		return true, true
	case "no", "n", "false", "0", "off":
		return false, true
	}
	return false, false
}

// YesNo writes a flag as the export does.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Tax rates and payment terms.

// MaxRate is 100% in thousandths of a percent.
const MaxRate = 100000

// ErrRateFormat is returned for text that is not a percentage.
var ErrRateFormat = errors.New("enter a percentage such as 8.875")

// ParseRate reads a percentage typed by a person ("8.875", "8.875 %", "20")
// into thousandths of a percent (8875, 20000): at most three decimals, from
// 0 to 100, never through a float.
func ParseRate(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if s == "" || s == "." || !allDigits(whole) || len(whole) > 3 || (frac != "" && !allDigits(frac)) || len(frac) > 3 {
		return 0, ErrRateFormat
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 3 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	r := w*1000 + f
	if r > MaxRate {
		return 0, ErrRateFormat
	}
	return r, nil
}

// RateInput writes a rate as put back into a form field: "8.875", "20".
func RateInput(r int64) string { return strings.TrimSuffix(FormatRate(r), "%") }

// TaxRates lists the tax rates in their order; all includes inactive ones.
func TaxRates(db *gorm.DB, all bool) ([]TaxRate, error) {
	var rs []TaxRate
	q := db.Order("position, id")
	if !all {
		q = q.Where("active = ?", true)
	}
	return rs, q.Find(&rs).Error
}

// PaymentTerms lists the payment terms in their order; all includes inactive ones.
func PaymentTerms(db *gorm.DB, all bool) ([]PaymentTerm, error) {
	var ts []PaymentTerm
	q := db.Order("position, id")
	if !all {
		q = q.Where("active = ?", true)
	}
	return ts, q.Find(&ts).Error
}

// TaxRateUses counts the quotes that have the tax rate.
func TaxRateUses(db *gorm.DB, id uint) (int64, error) {
	var n int64
	err := db.Model(&Quote{}).Where("tax_rate_id = ?", id).Count(&n).Error
	return n, err
}

// PaymentTermUses counts the quotes that have the payment term.
func PaymentTermUses(db *gorm.DB, id uint) (int64, error) {
	var n int64
	err := db.Model(&Quote{}).Where("payment_term_id = ?", id).Count(&n).Error
	return n, err
}

// ErrUsedByQuotes refuses to delete a tax rate or payment term quotes have.
type ErrUsedByQuotes struct {
	Name string
	Uses int64
}

func (e *ErrUsedByQuotes) Error() string {
	return fmt.Sprintf("%s is used by %d quote%s: deactivate it instead, so it stays on them and is no longer offered",
		e.Name, e.Uses, map[bool]string{true: "", false: "s"}[e.Uses == 1])
}

// NameTaken reports whether another row (not except) of table has this name, in any case.
func NameTaken(db *gorm.DB, table, name string, except uint) (bool, error) {
	var n int64
	err := db.Table(table).Where("LOWER(name) = ? AND id <> ?", strings.ToLower(strings.TrimSpace(name)), except).Count(&n).Error
	return n > 0, err
}

// SaveTaxRate creates (ID 0, placed last) or updates a tax rate.
func SaveTaxRate(db *gorm.DB, t *TaxRate) error {
	if t.ID != 0 {
		return db.Model(t).Select("Name", "Rate", "Active").Updates(t).Error
	}
	return db.Transaction(func(tx *gorm.DB) error {
		pos, err := NextPosition(tx, "tax_rates", "1 = 1")
		if err != nil {
			return err
		}
		t.Position = pos
		return tx.Create(t).Error
	})
}

// SavePaymentTerm creates (ID 0, placed last) or updates a payment term.
func SavePaymentTerm(db *gorm.DB, p *PaymentTerm) error {
	if p.ID != 0 {
		return db.Model(p).Select("Name", "Days", "Active").Updates(p).Error
	}
	return db.Transaction(func(tx *gorm.DB) error {
		pos, err := NextPosition(tx, "payment_terms", "1 = 1")
		if err != nil {
			return err
		}
		p.Position = pos
		return tx.Create(p).Error
	})
}

// DeleteTaxRate deletes a tax rate no quote has.
func DeleteTaxRate(db *gorm.DB, t *TaxRate) error {
	return db.Transaction(func(tx *gorm.DB) error {
		n, err := TaxRateUses(tx, t.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return &ErrUsedByQuotes{Name: "“" + t.Name + "”", Uses: n}
		}
		return tx.Delete(t).Error
	})
}

// DeletePaymentTerm deletes a payment term no quote has.
func DeletePaymentTerm(db *gorm.DB, p *PaymentTerm) error {
	return db.Transaction(func(tx *gorm.DB) error {
		n, err := PaymentTermUses(tx, p.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return &ErrUsedByQuotes{Name: "“" + p.Name + "”", Uses: n}
		}
		return tx.Delete(p).Error
	})
}
