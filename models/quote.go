package models

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ProductType is the kind of catalog item; quote items add Discount and headings.
type ItemKind string

const (
	KindProduct  ItemKind = "product"
	KindService  ItemKind = "service"
	KindLabor    ItemKind = "labor"
	KindExpense  ItemKind = "expense"
	KindShipping ItemKind = "shipping"
	KindDiscount ItemKind = "discount"
	KindHeading  ItemKind = "heading" // groups the lines below it; no amounts
)

var ProductKinds = []ItemKind{KindProduct, KindService, KindLabor, KindExpense, KindShipping}
var ItemKinds = []ItemKind{KindProduct, KindService, KindLabor, KindExpense, KindShipping, KindDiscount}

func (k ItemKind) Label() string {
	switch k {
	case KindProduct:
		return "Product"
	case KindService:
		return "Service"
	case KindLabor:
		return "Labor"
	case KindExpense:
		return "Expense"
	case KindShipping:
		return "Shipping"
	case KindDiscount:
		return "Discount"
	case KindHeading:
		return "Heading"
	}
	return string(k)
}

func (k ItemKind) Valid() bool {
	for _, v := range append(ItemKinds, KindHeading) {
		if v == k {
			return true
		}
	}
	return false
}

func (p Period) Valid() bool {
	for _, v := range Periods {
		if v == p {
			return true
		}
	}
	return false
}

// Product is a catalog item.
type Product struct {
	ID            uint
	Name          string
	SKU           string `gorm:"column:sku"`
	Type          ItemKind
	Description   string
	UnitPrice     Money
	UnitCost      Money
	Period        Period
	Taxable       bool
	Active        bool
	VendorID      *uint
	Vendor        *Organization
	NoProcurement bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TaxRate's Rate is in thousandths of a percent: 8.875% is 8875.
type TaxRate struct {
	ID       uint
	Name     string
	Rate     int64
	Position int
	Active   bool
}

const TaxRateScale = 100000 // Rate ÷ TaxRateScale is the fraction

func (t TaxRate) Percent() string { return FormatRate(t.Rate) }

// FormatRate writes a rate in thousandths of a percent as "8.875%".
func FormatRate(r int64) string { return decimalString(r, 3) + "%" }

type PaymentTerm struct {
	ID       uint
	Name     string
	Days     int
	Position int
	Active   bool
}

// QuoteStatus is where a quote stands with the customer.
type QuoteStatus string

const (
	QuoteDraft    QuoteStatus = "draft"
	QuoteSent     QuoteStatus = "sent"
	QuoteAccepted QuoteStatus = "accepted"
	QuoteDeclined QuoteStatus = "declined"
)

func (s QuoteStatus) Label() string {
	switch s {
	case QuoteDraft:
		return "Draft"
	case QuoteSent:
		return "Sent"
	case QuoteAccepted:
		return "Accepted"
	case QuoteDeclined:
		return "Declined"
	}
	return string(s)
}

// Quote is a priced offer to the customer, always of an opportunity.
type Quote struct {
	ID              uint
	Number          int
	OpportunityID   uint
	Opportunity     *Opportunity
	Name            string
	EffectiveDate   time.Time
	ExpirationDate  time.Time
	BillTo          string
	ShipTo          string
	PaymentTermID   *uint
	PaymentTerm     *PaymentTerm
	TaxRateID       *uint
	TaxRate         *TaxRate
	TermMonths      int
	Comments        string
	IsPrimary       bool
	Status          QuoteStatus
	Token           *string
	SentAt          *time.Time
	SentTo          string
	ResponseName    string
	ResponseComment string
	ResponseIP      string
	RespondedAt     *time.Time
	OwnerID         uint
	Owner           *User
	Items           []QuoteItem
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// QuoteTZ is the time zone of expiration dates: a quote is valid through the
// whole of its expiration date in UTC, and expired from the next midnight UTC.
var QuoteTZ = time.UTC

// Expired reports whether the quote can no longer be answered at now: its
// expiration date has passed (the last day still counts) and it is unanswered.
func (q *Quote) Expired(now time.Time) bool {
	if q.Status == QuoteAccepted || q.Status == QuoteDeclined {
		return false
	}
	d := q.ExpirationDate
	end := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, QuoteTZ).AddDate(0, 0, 1)
	return !now.Before(end)
}

// DisplayStatus is the status as shown: Expired once the date has passed unanswered.
func (q *Quote) DisplayStatus(now time.Time) string {
	if q.Expired(now) {
		return "Expired"
	}
	return q.Status.Label()
}

// Locked is true once the customer answered: an accepted or declined quote is
// not edited but copied.
func (q *Quote) Locked() bool { return q.Status == QuoteAccepted || q.Status == QuoteDeclined }

// WaitingQuotesOf is a user's quotes the customer has still to answer, of
// deals still open: draft or sent, and valid through today, or (expired)
// past their date. Home lists the first and counts the second.
func WaitingQuotesOf(db *gorm.DB, ownerID uint, today time.Time, expired bool) *gorm.DB {
	q := db.Model(&Quote{}).Where("owner_id = ? AND status IN ?", ownerID, []QuoteStatus{QuoteDraft, QuoteSent}).
		Where("EXISTS (SELECT 1 FROM opportunities o WHERE o.id = quotes.opportunity_id AND o.is_open)")
	if expired {
		return q.Where("expiration_date < ?", today)
	}
	return q.Where("expiration_date >= ?", today)
}

// HasLines is true when the quote sells something: a line that is not a heading.
func (q *Quote) HasLines() bool {
	for _, it := range q.Items {
		if it.Kind != KindHeading {
			return true
		}
	}
	return false
}

// DiscountType is the one discount a line may have.
type DiscountType string

const (
	NoDiscount      DiscountType = ""
	DiscountPercent DiscountType = "percent"  // Value in thousandths of a percent
	DiscountPerUnit DiscountType = "per_unit" // Value in cents per unit
	DiscountPerLine DiscountType = "per_line" // Value in cents for the line
)

type QuoteItem struct {
	ID            uint
	QuoteID       uint
	Position      int
	Kind          ItemKind
	ProductID     *uint
	Name          string
	Description   string
	Quantity      Quantity
	UnitPrice     Money
	UnitCost      Money
	DiscountType  DiscountType
	DiscountValue int64
	Period        Period
	Optional      bool
	Taxable       bool
}

// LineAmounts is one line worked out.
type LineAmounts struct {
	Extended Money // quantity × unit price (negative for a Discount line)
	Discount Money // the line's discount, positive
	Net      Money // Extended − Discount
	Cost     Money // quantity × unit cost
	Margin   Money // Net − Cost
}

// Line works out one line, each amount rounded half-up to the cent once.
func (it *QuoteItem) Line() LineAmounts {
	if it.Kind == KindHeading {
		return LineAmounts{}
	}
	var l LineAmounts
	l.Extended = mulRound(int64(it.UnitPrice), int64(it.Quantity), QuantityScale)
	l.Cost = mulRound(int64(it.UnitCost), int64(it.Quantity), QuantityScale)
	switch it.DiscountType {
	case DiscountPercent:
		l.Discount = mulRound(int64(l.Extended), it.DiscountValue, TaxRateScale)
	case DiscountPerUnit:
		l.Discount = mulRound(it.DiscountValue, int64(it.Quantity), QuantityScale)
	case DiscountPerLine:
		l.Discount = Money(it.DiscountValue)
	}
	if it.Kind == KindDiscount {
		l.Extended, l.Cost = -l.Extended, 0
	}
	l.Net = l.Extended - l.Discount
	l.Margin = l.Net - l.Cost
	return l
}

// PeriodTotals are a quote's amounts for one period.
type PeriodTotals struct {
	Period    Period
	Subtotal  Money // before discounts
	Discounts Money
	Net       Money // after discounts, before tax
	Taxable   Money
	Tax       Money
	Total     Money // Net + Tax
	Cost      Money
	Margin    Money
}

// QuoteTotals is the one computation of a quote's money, used by the editor,
// the print page, the PDF, the customer page and the opportunity.
type QuoteTotals struct {
	Lines     []LineAmounts // by item, in item order (zero for headings)
	Periods   []PeriodTotals
	Optional  Money // net of the optional lines, left out of every total
	Revenue   Amounts
	Costs     Amounts
	FirstYear Money // annualised: one-time + recurring for twelve months, with tax
	Contract  Money // total contract value over TermMonths, with tax
	Margin    Money // first-year margin
}

// ComputeTotals works out a quote: per line extended price and discount
// (rounded per line), a subtotal per period, tax once per period on its
// taxable amount (half-up), totals per period, optional lines apart, and the
// first-year and contract values.
func ComputeTotals(items []QuoteItem, taxRate int64, termMonths int) QuoteTotals {
	t := QuoteTotals{Lines: make([]LineAmounts, len(items))}
	per := map[Period]*PeriodTotals{}
	for i := range items {
		it := &items[i]
		l := it.Line()
		t.Lines[i] = l
		if it.Kind == KindHeading {
			continue
		}
		if it.Optional {
			t.Optional += l.Net
			continue
		}
		p := per[it.Period]
		if p == nil {
			p = &PeriodTotals{Period: it.Period}
			per[it.Period] = p
		}
		if l.Extended >= 0 {
			p.Subtotal += l.Extended
			p.Discounts += l.Discount
		} else {
			p.Discounts += -l.Extended + l.Discount
		}
		p.Net += l.Net
		p.Cost += l.Cost
		if it.Taxable {
			p.Taxable += l.Net
		}
	}
	for _, pd := range Periods {
		p := per[pd]
		if p == nil {
			continue
		}
		if p.Taxable > 0 {
			p.Tax = mulRound(int64(p.Taxable), taxRate, TaxRateScale)
		}
		p.Total = p.Net + p.Tax
		p.Margin = p.Net - p.Cost
		t.Periods = append(t.Periods, *p)
		t.Revenue.Set(pd, p.Net)
		t.Costs.Set(pd, p.Cost)
	}
	var withTax Amounts
	for _, p := range t.Periods {
		withTax.Set(p.Period, p.Total)
	}
	t.FirstYear = withTax.FirstYear()
	t.Margin = t.Revenue.FirstYear() - t.Costs.FirstYear()
	if termMonths <= 0 {
		termMonths = 12
	}
	m := int64(termMonths)
	t.Contract = withTax.OneTime + withTax.Monthly*Money(m) +
		mulRound(int64(withTax.Quarterly), m, 3) + mulRound(int64(withTax.SemiAnnual), m, 6) + mulRound(int64(withTax.Yearly), m, 12)
	return t
}

// Totals computes the quote's totals with its tax rate.
func (q *Quote) Totals() QuoteTotals {
	var rate int64
	if q.TaxRate != nil {
		rate = q.TaxRate.Rate
	}
	return ComputeTotals(q.Items, rate, q.TermMonths)
}

// LoadQuote reads a quote with its items in order and what its pages show.
func LoadQuote(db *gorm.DB, id uint) (*Quote, error) {
	var q Quote
	// The single-row relations come joined, in one query whose text GORM builds
	// once (loadQuoteSQL), run on a prepared statement; the items in a second.
	rows, err := queryPrepared(db, loadQuoteSQL(db), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, err
	}
	if err := db.ScanRows(rows, &q); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if q.Items, err = quoteItems(db, q.ID); err != nil {
		return nil, err
	}
	return &q, nil
}

// LoadQuoteShown is LoadQuote for the quote editor: the quote's columns but
// its record times and answering IP, and of its relations only what the
// editor shows (the opportunity's title, status and owner, the organization's
// name, the contact's name and e-mail, the payment term's name, the tax rate),
// in one prepared query read column by column, then its lines. LoadQuote's
// joins are a hundred and fifty columns read through GORM's reflection: a
// third of the editor's time.
func LoadQuoteShown(db *gorm.DB, id uint) (*Quote, error) {
	rows, err := queryRows(db, `SELECT q.id, q.number, q.opportunity_id, q.name, q.effective_date, q.expiration_date, q.bill_to,
		q.ship_to, q.payment_term_id, q.tax_rate_id, q.term_months, q.comments, q.is_primary, q.status, q.token, q.sent_at,
		q.sent_to, q.response_name, q.response_comment, q.responded_at, q.owner_id, q.version,
		o.title, o.status, o.owner_id, o.organization_id, o.contact_id, org.name, c.first_name, c.last_name, c.email,
		pt.name, t.name, t.rate, t.position, t.active
		FROM quotes q
		JOIN opportunities o ON o.id = q.opportunity_id
		LEFT JOIN organizations org ON org.id = o.organization_id
		LEFT JOIN contacts c ON c.id = o.contact_id
		LEFT JOIN payment_terms pt ON pt.id = q.payment_term_id
		LEFT JOIN tax_rates t ON t.id = q.tax_rate_id
		WHERE q.id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, err
	}
	q := Quote{Opportunity: &Opportunity{}}
	o := q.Opportunity
	var org, first, last, email, term, rateName *string
	var rate *int64
	var ratePos *int
	var rateActive *bool
	if err := rows.Scan(intCol[uint]{&q.ID}, intCol[int]{&q.Number}, intCol[uint]{&q.OpportunityID}, &q.Name, &q.EffectiveDate,
		&q.ExpirationDate, &q.BillTo, &q.ShipTo, nullIntCol[uint]{&q.PaymentTermID}, nullIntCol[uint]{&q.TaxRateID},
		intCol[int]{&q.TermMonths}, &q.Comments, &q.IsPrimary, (*string)(&q.Status), &q.Token, &q.SentAt,
		&q.SentTo, &q.ResponseName, &q.ResponseComment, &q.RespondedAt, intCol[uint]{&q.OwnerID}, intCol[int]{&q.Version},
		&o.Title, (*string)(&o.Status), intCol[uint]{&o.OwnerID}, intCol[uint]{&o.OrganizationID}, nullIntCol[uint]{&o.ContactID},
		&org, &first, &last, &email, &term, &rateName, &rate, &ratePos, &rateActive); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	o.ID = q.OpportunityID
	if org != nil {
		o.Organization = &Organization{ID: o.OrganizationID, Name: *org}
	}
	if o.ContactID != nil && first != nil && last != nil && email != nil {
		o.Contact = &Contact{ID: *o.ContactID, FirstName: *first, LastName: *last, Email: *email}
	}
	if q.PaymentTermID != nil && term != nil {
		q.PaymentTerm = &PaymentTerm{ID: *q.PaymentTermID, Name: *term}
	}
	if q.TaxRateID != nil && rateName != nil && rate != nil && ratePos != nil && rateActive != nil {
		q.TaxRate = &TaxRate{ID: *q.TaxRateID, Name: *rateName, Rate: *rate, Position: *ratePos, Active: *rateActive}
	}
	if q.Items, err = quoteItems(db, q.ID); err != nil {
		return nil, err
	}
	return &q, nil
}

// loadQuoteSQLs holds LoadQuote's query per SQL dialect: its text only.
var loadQuoteSQLs sync.Map

func loadQuoteSQL(db *gorm.DB) string {
	dialect := db.Dialector.Name()
	if q, ok := loadQuoteSQLs.Load(dialect); ok {
		return q.(string)
	}
	var qt Quote
	q := db.Session(&gorm.Session{DryRun: true, NewDB: true}).Joins("Opportunity").Joins("Opportunity.Organization").
		Joins("Opportunity.Contact").Joins("PaymentTerm").Joins("TaxRate").Joins("Owner").
		Find(&qt, "quotes.id = ?", 0).Statement.SQL.String()
	loadQuoteSQLs.Store(dialect, q)
	return q
}

// quoteItems reads the lines of a quote in order, column by column: a quote of
// a hundred lines spent more in GORM's reflection than in the query.
func quoteItems(db *gorm.DB, quoteID uint) ([]QuoteItem, error) {
	rows, err := queryRows(db, "SELECT "+quoteItemColumns+" FROM quote_items WHERE quote_id = ? ORDER BY position, id", quoteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []QuoteItem{}
	for rows.Next() {
		it, err := scanQuoteItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Close()
}

// quoteItemColumns are the columns scanQuoteItem reads, in its order.
const quoteItemColumns = "id, quote_id, position, kind, product_id, name, description, quantity, unit_price, " +
	"unit_cost, discount_type, discount_value, period, optional, taxable"

func scanQuoteItem(rows *sql.Rows) (QuoteItem, error) {
	var it QuoteItem
	// Integers through intCol and the string types as *string: each through
	// database/sql's fast path instead of its reflection.
	err := rows.Scan(intCol[uint]{&it.ID}, intCol[uint]{&it.QuoteID}, intCol[int]{&it.Position}, (*string)(&it.Kind),
		nullIntCol[uint]{&it.ProductID}, &it.Name, &it.Description, &it.Quantity, &it.UnitPrice, &it.UnitCost,
		(*string)(&it.DiscountType), intCol[int64]{&it.DiscountValue}, (*string)(&it.Period), &it.Optional, &it.Taxable)
	return it, err
}

// QuotesOf are the quotes of an opportunity by number, with their tax rates
// and lines (the lines of all of them in one query, read column by column), for
// the totals the opportunity page shows.
func QuotesOf(db *gorm.DB, opportunityID uint) ([]Quote, error) {
	quotes, err := quotesWithTaxRate(db, opportunityID)
	if err != nil {
		return nil, err
	}
	if len(quotes) == 0 {
		return quotes, nil
	}
	rows, err := queryRows(db, "SELECT "+quoteItemColumns+" FROM quote_items WHERE quote_id IN "+
		"(SELECT id FROM quotes WHERE opportunity_id = ?) ORDER BY quote_id, position, id", opportunityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byQuote := map[uint][]QuoteItem{}
	for rows.Next() {
		it, err := scanQuoteItem(rows)
		if err != nil {
			return nil, err
		}
		byQuote[it.QuoteID] = append(byQuote[it.QuoteID], it)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range quotes {
		quotes[i].Items = byQuote[quotes[i].ID]
		if quotes[i].Items == nil {
			quotes[i].Items = []QuoteItem{}
		}
	}
	return quotes, nil
}

// quotesWithTaxRate reads the quotes of an opportunity by number with their
// tax rates joined, in one prepared query read column by column.
func quotesWithTaxRate(db *gorm.DB, opportunityID uint) ([]Quote, error) {
	rows, err := queryRows(db, `SELECT q.id, q.number, q.opportunity_id, q.name, q.effective_date, q.expiration_date, q.bill_to,
		q.ship_to, q.payment_term_id, q.tax_rate_id, q.term_months, q.comments, q.is_primary, q.status, q.token, q.sent_at,
		q.sent_to, q.response_name, q.response_comment, q.response_ip, q.responded_at, q.owner_id, q.version,
		q.created_at, q.updated_at, t.name, t.rate, t.position, t.active
		FROM quotes q LEFT JOIN tax_rates t ON t.id = q.tax_rate_id
		WHERE q.opportunity_id = ? ORDER BY q.number`, opportunityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	quotes := []Quote{}
	for rows.Next() {
		var q Quote
		var rateName *string
		var rate *int64
		var ratePos *int
		var rateActive *bool
		if err := rows.Scan(&q.ID, &q.Number, &q.OpportunityID, &q.Name, &q.EffectiveDate, &q.ExpirationDate, &q.BillTo,
			&q.ShipTo, &q.PaymentTermID, &q.TaxRateID, &q.TermMonths, &q.Comments, &q.IsPrimary, &q.Status, &q.Token, &q.SentAt,
			&q.SentTo, &q.ResponseName, &q.ResponseComment, &q.ResponseIP, &q.RespondedAt, &q.OwnerID, &q.Version,
			&q.CreatedAt, &q.UpdatedAt, &rateName, &rate, &ratePos, &rateActive); err != nil {
			return nil, err
		}
		if q.TaxRateID != nil && rateName != nil {
			q.TaxRate = &TaxRate{ID: *q.TaxRateID, Name: *rateName, Rate: *rate, Position: *ratePos, Active: *rateActive}
		}
		quotes = append(quotes, q)
	}
	return quotes, rows.Close()
}

// LoadQuoteByToken finds the quote of a customer link.
func LoadQuoteByToken(db *gorm.DB, token string) (*Quote, error) {
	if len(token) < 20 || len(token) > 64 {
		return nil, gorm.ErrRecordNotFound
	}
	rows, err := queryRows(db, "SELECT id FROM quotes WHERE token = ?", token)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, err
	}
	var id uint
	if err := rows.Scan(intCol[uint]{&id}); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return LoadQuote(db, id)
}

var (
	ErrQuoteClosedOpp = errors.New("this opportunity is lost; reopen it before quoting")
	ErrQuoteLocked    = errors.New("the customer has answered this quote; copy it to change it")
	ErrQuoteEmpty     = errors.New("this quote has no lines: add what the customer buys before marking it won")
	ErrQuoteExpired   = errors.New("this quote has expired")
	ErrQuoteAnswered  = errors.New("this quote has already been answered")
	ErrQuoteNotSent   = errors.New("this quote has not been sent")
)

// NextQuoteNumber takes the next number from the sequence, inside tx.
func NextQuoteNumber(tx *gorm.DB) (int, error) {
	var s Setting
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&s, "key = ?", "next_quote_number").Error; err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s.Value)
	if err != nil {
		return 0, fmt.Errorf("next_quote_number %q: %w", s.Value, err)
	}
	var max int
	if err := tx.Model(&Quote{}).Select("COALESCE(MAX(number), 0)").Scan(&max).Error; err != nil {
		return 0, err
	}
	if n <= max {
		n = max + 1
	}
	if err := tx.Model(&Setting{}).Where("key = ?", "next_quote_number").Update("value", strconv.Itoa(n+1)).Error; err != nil {
		return 0, err
	}
	return n, nil
}

// CreateQuote numbers and stores a new quote of an open (or won) opportunity;
// the first quote of an opportunity becomes its primary quote.
func CreateQuote(db *gorm.DB, q *Quote) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var o Opportunity
		if err := tx.First(&o, q.OpportunityID).Error; err != nil {
			return err
		}
		if o.Status == StatusLost {
			return ErrQuoteClosedOpp
		}
		n, err := NextQuoteNumber(tx)
		if err != nil {
			return err
		}
		var count int64
		if err := tx.Model(&Quote{}).Where("opportunity_id = ?", q.OpportunityID).Count(&count).Error; err != nil {
			return err
		}
		q.Number, q.IsPrimary, q.Version = n, count == 0, 1
		if q.Status == "" {
			q.Status = QuoteDraft
		}
		items := q.Items
		q.Items = nil
		if err := tx.Omit(clause.Associations).Create(q).Error; err != nil {
			return err
		}
		for i := range items {
			items[i].ID, items[i].QuoteID, items[i].Position = 0, q.ID, i+1
		}
		if len(items) > 0 {
			if err := tx.Create(&items).Error; err != nil {
				return err
			}
		}
		q.Items = items
		return SyncOpportunityFromQuote(tx, q.ID)
	})
}

// MakePrimary marks q the primary quote of its opportunity, unmarking the old one.
func MakePrimary(db *gorm.DB, quoteID uint) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var q Quote
		if err := tx.First(&q, quoteID).Error; err != nil {
			return err
		}
		if err := tx.Model(&Quote{}).Where("opportunity_id = ? AND id <> ?", q.OpportunityID, q.ID).Update("is_primary", false).Error; err != nil {
			return err
		}
		if err := tx.Model(&q).Update("is_primary", true).Error; err != nil {
			return err
		}
		return SyncOpportunityFromQuote(tx, q.ID)
	})
}

// SyncOpportunityFromQuote copies a primary quote's revenue and cost per period
// onto its opportunity when the opportunity uses quote totals.
func SyncOpportunityFromQuote(tx *gorm.DB, quoteID uint) error {
	q, err := LoadQuote(tx, quoteID)
	if err != nil {
		return err
	}
	if !q.IsPrimary || q.Opportunity == nil || !q.Opportunity.UseQuoteTotals {
		return nil
	}
	t := q.Totals()
	o := *q.Opportunity
	o.Organization, o.Contact = nil, nil
	if o.Revenue == t.Revenue && o.Cost == t.Costs {
		return nil
	}
	o.Revenue, o.Cost = t.Revenue, t.Costs
	_, err = SaveOpportunity(tx, &o, o.Version, nil, time.Now().UTC())
	return err
}

// SaveQuoteHeader writes the editable header fields of a quote. A change to a
// sent quote takes it back to draft (reviseSent); saving the same values does not.
func SaveQuoteHeader(db *gorm.DB, q *Quote) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var was Quote
		if err := tx.First(&was, q.ID).Error; err != nil {
			return err
		}
		if was.Locked() {
			return ErrQuoteLocked
		}
		changed := was.Name != q.Name || !was.EffectiveDate.Equal(q.EffectiveDate) || !was.ExpirationDate.Equal(q.ExpirationDate) ||
			was.BillTo != q.BillTo || was.ShipTo != q.ShipTo || !samePtr(was.PaymentTermID, q.PaymentTermID) || !samePtr(was.TaxRateID, q.TaxRateID) ||
			was.TermMonths != q.TermMonths || was.Comments != q.Comments
		if err := tx.Model(q).Omit(clause.Associations).Select("Name", "EffectiveDate", "ExpirationDate", "BillTo", "ShipTo",
			"PaymentTermID", "TaxRateID", "TermMonths", "Comments", "UpdatedAt").Updates(q).Error; err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return reviseSent(tx, q)
	})
}

// samePtr tells whether two optional values are both unset or equal.
func samePtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// reviseSent takes a sent quote that was just changed back to draft: the
// customer could otherwise approve, on the link, something other than what
// was e-mailed to them. The link then says the quote is being revised (it
// keeps its token, when and to whom it was sent) until it is sent again.
func reviseSent(tx *gorm.DB, q *Quote) error {
	res := tx.Model(&Quote{}).Where("id = ? AND status = ?", q.ID, QuoteSent).Update("status", QuoteDraft)
	if res.Error == nil && res.RowsAffected > 0 {
		q.Status = QuoteDraft
	}
	return res.Error
}

// Revised is true for a draft that was sent before: changed since, it waits
// to be sent again.
func (q *Quote) Revised() bool { return q.Status == QuoteDraft && q.SentAt != nil }

// checkUnlocked re-reads the quote's status inside the transaction, so an
// answer that arrived after the page was loaded still locks the quote.
func checkUnlocked(tx *gorm.DB, quoteID uint) error {
	var q Quote
	if err := tx.Select("id", "status").First(&q, quoteID).Error; err != nil {
		return err
	}
	if q.Locked() {
		return ErrQuoteLocked
	}
	return nil
}

// AddItem appends a line (or heading) to an unlocked quote.
func AddItem(db *gorm.DB, q *Quote, it *QuoteItem) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := checkUnlocked(tx, q.ID); err != nil {
			return err
		}
		pos, err := NextPosition(tx, "quote_items", "quote_id = ?", q.ID)
		if err != nil {
			return err
		}
		it.ID, it.QuoteID, it.Position = 0, q.ID, pos
		if err := tx.Create(it).Error; err != nil {
			return err
		}
		return touchQuote(tx, q.ID)
	})
}

// SaveItem updates a line of an unlocked quote.
func SaveItem(db *gorm.DB, q *Quote, it *QuoteItem) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := checkUnlocked(tx, q.ID); err != nil {
			return err
		}
		// Only an item of this quote: an item id from another quote changes nothing.
		res := tx.Model(&QuoteItem{}).Where("id = ? AND quote_id = ?", it.ID, q.ID).
			Select("Kind", "ProductID", "Name", "Description", "Quantity", "UnitPrice", "UnitCost",
				"DiscountType", "DiscountValue", "Period", "Optional", "Taxable").Updates(it)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return touchQuote(tx, q.ID)
	})
}

func RemoveItem(db *gorm.DB, q *Quote, itemID uint) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := checkUnlocked(tx, q.ID); err != nil {
			return err
		}
		res := tx.Where("quote_id = ?", q.ID).Delete(&QuoteItem{}, itemID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return touchQuote(tx, q.ID)
	})
}

func MoveItem(db *gorm.DB, q *Quote, itemID uint, up bool) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := checkUnlocked(tx, q.ID); err != nil {
			return err
		}
		if err := MovePosition(tx, "quote_items", itemID, up, "quote_id = ?", q.ID); err != nil {
			return err
		}
		return touchQuote(tx, q.ID)
	})
}

// touchQuote marks a quote changed and keeps its opportunity in step.
func touchQuote(tx *gorm.DB, quoteID uint) error {
	if err := tx.Model(&Quote{}).Where("id = ?", quoteID).Updates(map[string]any{"updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1")}).Error; err != nil {
		return err
	}
	if err := reviseSent(tx, &Quote{ID: quoteID}); err != nil {
		return err
	}
	return SyncOpportunityFromQuote(tx, quoteID)
}

// CopyQuote makes a new draft of the same opportunity with the same items.
func CopyQuote(db *gorm.DB, src *Quote, by *User, now time.Time) (*Quote, error) {
	cp := *src
	cp.ID, cp.Number, cp.Status, cp.Token, cp.SentAt, cp.SentTo = 0, 0, QuoteDraft, nil, nil, ""
	cp.ResponseName, cp.ResponseComment, cp.ResponseIP, cp.RespondedAt = "", "", "", nil
	cp.Opportunity, cp.PaymentTerm, cp.TaxRate, cp.Owner = nil, nil, nil, nil
	cp.OwnerID, cp.Name = by.ID, src.Name+" (copy)"
	cp.EffectiveDate = DateOnly(now)
	if cp.ExpirationDate.Before(cp.EffectiveDate.AddDate(0, 0, 30)) {
		cp.ExpirationDate = cp.EffectiveDate.AddDate(0, 0, 30)
	}
	cp.CreatedAt, cp.UpdatedAt = time.Time{}, time.Time{}
	cp.Items = append([]QuoteItem(nil), src.Items...)
	if err := CreateQuote(db, &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// ImportItems appends the items of another quote.
func ImportItems(db *gorm.DB, q *Quote, from *Quote) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := checkUnlocked(tx, q.ID); err != nil {
			return err
		}
		pos, err := NextPosition(tx, "quote_items", "quote_id = ?", q.ID)
		if err != nil {
			return err
		}
		items := append([]QuoteItem(nil), from.Items...)
		for i := range items {
			items[i].ID, items[i].QuoteID, items[i].Position = 0, q.ID, pos+i
		}
		if len(items) > 0 {
			if err := tx.Create(&items).Error; err != nil {
				return err
			}
		}
		return touchQuote(tx, q.ID)
	})
}

// NewQuoteToken is a customer link's secret: 192 random bits, URL-safe.
func NewQuoteToken() (string, error) {
	b := make([]byte, 24) // 192 bits
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SendQuote marks a quote Sent to an address and gives it a customer link
// token (kept if it already has one).
func SendQuote(db *gorm.DB, q *Quote, to string, now time.Time) error {
	if q.Locked() {
		return ErrQuoteLocked
	}
	if q.Token == nil {
		t, err := NewQuoteToken()
		if err != nil {
			return err
		}
		q.Token = &t
	}
	q.Status, q.SentAt, q.SentTo = QuoteSent, &now, to
	return db.Model(q).Omit(clause.Associations).Select("Status", "SentAt", "SentTo", "Token", "UpdatedAt").Updates(q).Error
}

// RegenerateToken replaces the customer link: the old one stops working.
func RegenerateToken(db *gorm.DB, q *Quote) error {
	t, err := NewQuoteToken()
	if err != nil {
		return err
	}
	q.Token = &t
	return db.Model(q).Update("token", t).Error
}

// RevokeToken ends the customer link.
func RevokeToken(db *gorm.DB, q *Quote) error {
	q.Token = nil
	return db.Model(q).Update("token", nil).Error
}

// AnswerQuote records the customer's approval or decline, once, and never after
// expiry. It adds a note to the opportunity and tells the owner.
func AnswerQuote(db *gorm.DB, q *Quote, accept bool, name, comment, ip string, now time.Time) error {
	if q.Status == QuoteAccepted || q.Status == QuoteDeclined {
		return ErrQuoteAnswered
	}
	if q.Status != QuoteSent {
		return ErrQuoteNotSent
	}
	if q.Expired(now) {
		return ErrQuoteExpired
	}
	status := QuoteDeclined
	if accept {
		status = QuoteAccepted
	}
	return db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Quote{}).Where("id = ? AND status = ?", q.ID, QuoteSent).Updates(map[string]any{
			"status": status, "response_name": name, "response_comment": comment, "response_ip": ip, "responded_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrQuoteAnswered
		}
		verb := "declined"
		if accept {
			verb = "accepted"
		}
		body := fmt.Sprintf("Quote #%d “%s” was %s by %s on the customer link.", q.Number, q.Name, verb, name)
		if strings.TrimSpace(comment) != "" {
			body += " Comment: " + comment
		}
		if err := tx.Create(&Note{OpportunityID: q.OpportunityID, UserID: q.OwnerID, Kind: "other", Body: body, CreatedAt: now}).Error; err != nil {
			return err
		}
		msg := fmt.Sprintf("%s %s quote #%d", name, verb, q.Number)
		if accept {
			msg += " — mark the opportunity as won?"
		}
		return tx.Create(&Notification{UserID: q.OwnerID, Message: msg, Link: "/quotes/" + strconv.FormatUint(uint64(q.ID), 10), CreatedAt: now}).Error
	})
}

// Notification is a message for a user's Home page.
type Notification struct {
	ID        uint
	UserID    uint
	Message   string
	Link      string
	ReadAt    *time.Time
	CreatedAt time.Time
}

func UnreadNotifications(db *gorm.DB, userID uint) ([]Notification, error) {
	var ns []Notification
	err := db.Where("user_id = ? AND read_at IS NULL", userID).Order("created_at DESC").Limit(20).Find(&ns).Error
	return ns, err
}

// MarkNotificationsRead marks a user's unread notifications about link read.
// Opening a page calls it on every view, so it looks before it writes: a view
// with nothing unread takes no write lock, and the look is a prepared
// statement rather than a query GORM builds for every view.
func MarkNotificationsRead(db *gorm.DB, userID uint, link string, now time.Time) error {
	rows, err := queryRows(db, "SELECT id FROM notifications WHERE user_id = ? AND read_at IS NULL AND link = ?", userID, link)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []uint
	for rows.Next() {
		var id uint
		if err := rows.Scan(intCol[uint]{&id}); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil || len(ids) == 0 {
		return err
	}
	return db.Model(&Notification{}).Where("id IN ? AND read_at IS NULL", ids).Update("read_at", now).Error
}

// OutboxMessage is an e-mail waiting to be sent (or kept when no SMTP is set up).
type OutboxMessage struct {
	ID        uint
	ToAddress string
	Subject   string
	Body      string
	SentAt    *time.Time
	Error     string
	CreatedAt time.Time
}

func (OutboxMessage) TableName() string { return "outbox" }

// WinFromQuote closes the opportunity as won from a quote: the quote becomes
// primary, the opportunity takes its revenue and cost, and MarkWon runs as
// "Mark as won" does. The sales-order hook runs afterwards.
func WinFromQuote(db *gorm.DB, q *Quote, in OutcomeInput, by *User, now time.Time) error {
	if !q.HasLines() {
		// Won at the quote's amounts, an empty quote would close the deal
		// at nothing, over the amount the opportunity had.
		return ErrQuoteEmpty
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := MakePrimary(tx, q.ID); err != nil {
			return err
		}
		var o Opportunity
		if err := tx.First(&o, q.OpportunityID).Error; err != nil {
			return err
		}
		t := q.Totals()
		o.Revenue, o.Cost = t.Revenue, t.Costs
		if err := MarkWon(tx, &o, o.Version, in, by, now); err != nil {
			return err
		}
		return OnQuoteWon(tx, q, by, now)
	})
}

// OnQuoteWon is the hook where the procurement issue creates the sales order
// for a won quote with product items when Procurement is active. Until then it
// does nothing.
var OnQuoteWon = func(tx *gorm.DB, q *Quote, by *User, now time.Time) error { return nil }

// LoseFromQuote marks the opportunity of a quote lost.
func LoseFromQuote(db *gorm.DB, q *Quote, in OutcomeInput, by *User, now time.Time) error {
	var o Opportunity
	if err := db.First(&o, q.OpportunityID).Error; err != nil {
		return err
	}
	return MarkLost(db, &o, o.Version, in, by, now)
}
