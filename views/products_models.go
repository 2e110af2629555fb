package views

import (
	"strconv"
	"strings"
)

// View models and forms of the product catalog and of the tax rate and
// payment term admin pages.

// ProductRow is one line of the catalog.
type ProductRow struct {
	ID        uint
	Name      string
	SKU       string
	Type      string
	Period    string
	UnitPrice string
	UnitCost  string
	Taxable   bool
	Active    bool
	Vendor    string
}

// ProductListPage is the catalog with its filters.
type ProductListPage struct {
	Text     string
	Types    []Option
	Statuses []Option
	Filtered bool // a filter other than the default is applied
	Rows     []ProductRow
	Pager    Pager
	CSVURL   string
	CanEdit  bool // admins add, edit and import
	ShowCost bool // managers and admins see unit cost
}

// ProductView is a product's page.
type ProductView struct {
	ID            uint
	Name          string
	SKU           string
	Type          string
	Description   string
	UnitPrice     string
	UnitCost      string
	Margin        string
	Period        string
	Taxable       bool
	Active        bool
	Vendor        string
	VendorID      uint
	NoProcurement bool
	CanEdit       bool
	ShowCost      bool
}

// ProductForm adds or edits a product.
type ProductForm struct {
	ID            uint
	Name          string `form:"name"`
	SKU           string `form:"sku"`
	Type          string `form:"type"`
	Description   string `form:"description"`
	UnitPrice     string `form:"unit_price"`
	UnitCost      string `form:"unit_cost"`
	Period        string `form:"period"`
	Taxable       string `form:"taxable"`
	Active        string `form:"active"`
	VendorID      string `form:"vendor_id"`
	VendorName    string `form:"vendor_name"` // typed, when there are too many vendors for a select
	NoProcurement string `form:"no_procurement"`
	Types         []Option
	Periods       []Option
	Vendor        Picker
	VendorMatches []Option
	Errs          Errors
}

// Validate checks the text fields; amounts, choices and the SKU's uniqueness
// are checked by the handler, which knows the catalog.
func (f *ProductForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 200)
	checkRequired(&f.Errs, "sku", f.SKU, "SKU", 64)
	checkLen(&f.Errs, "description", f.Description, "Description", 2000)
}

// ProductImportView is the import page, with the rows that stopped an import.
type ProductImportView struct {
	Header   string // the header row the file must have
	Filename string
	Rows     int // rows in the refused file
	Invalid  int // rows with problems; the first of them are in Problems
	Problems []ProductImportProblem
	Errs     Errors
}

// ProductImportProblem is one refused row of an import.
type ProductImportProblem struct {
	Line     int
	SKU      string
	Name     string
	Problems []string
}

// RateTermRow is one tax rate or payment term in its admin list.
type RateTermRow struct {
	ID     uint
	Name   string
	Value  string // "8.875%" or "30 days"
	Active bool
	Uses   string
	First  bool
	Last   bool
}

// RateTermList is the admin list of tax rates or of payment terms.
type RateTermList struct {
	Base       string // "/admin/tax-rates" or "/admin/payment-terms"
	Singular   string // "tax rate"
	ValueLabel string // the heading of the Value column
	Rows       []RateTermRow
}

// TaxRateForm adds or edits a tax rate.
type TaxRateForm struct {
	ID     uint
	Name   string `form:"name"`
	Rate   string `form:"rate"`
	Active string `form:"active"`
	Errs   Errors
}

// Validate checks the name; the handler parses the rate.
func (f *TaxRateForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 100)
}

// PaymentTermForm adds or edits a payment term.
type PaymentTermForm struct {
	ID     uint
	Name   string `form:"name"`
	Days   string `form:"days"`
	Active string `form:"active"`
	Errs   Errors
}

// MaxTermDays bounds the days of a payment term.
const MaxTermDays = 365

func (f *PaymentTermForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 100)
	if n, err := strconv.Atoi(strings.TrimSpace(f.Days)); err != nil || n < 0 || n > MaxTermDays {
		f.Errs.Add("days", "Enter a whole number of days from 0 to "+itoa(MaxTermDays)+"; 0 means due on receipt.")
	}
}

// yesNo is a flag as shown in tables and facts.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
