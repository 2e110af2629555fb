package models_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// LoadQuote (its query built once, scanned from a prepared statement) reads
// the quote and every joined relation as GORM's own query does.
func TestLoadQuoteReadsWhatGORMReads(t *testing.T) {
	e := qtSetup(t)
	o := e.opp(t, "Joined", false)
	var c models.Contact
	c.OrganizationID, c.FirstName, c.LastName = e.org.ID, "Ada", "Lovelace"
	if err := e.db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	e.db.Model(&models.Opportunity{}).Where("id = ?", o.ID).Update("contact_id", c.ID)
	q := e.quote(t, o, "With all relations", models.QuoteItem{Kind: models.KindService, Name: "Work", Quantity: 10000, UnitPrice: 5000, Period: models.Periods[0]})
	var want models.Quote
	if err := e.db.Joins("Opportunity").Joins("Opportunity.Organization").Joins("Opportunity.Contact").
		Joins("PaymentTerm").Joins("TaxRate").Joins("Owner").First(&want, "quotes.id = ?", q.ID).Error; err != nil {
		t.Fatal(err)
	}
	show := func(q *models.Quote) string {
		return fmt.Sprintf("%+v %+v %+v %+v %+v", *q.Opportunity.Organization, *q.Opportunity.Contact, q.TaxRate, q.PaymentTerm, *q.Owner)
	}
	q.Items = nil
	if !reflect.DeepEqual(*q, want) {
		t.Fatalf("LoadQuote:\n%s\nGORM:\n%s", show(q), show(&want))
	}
	if q.Opportunity.Organization.Name != "Acme" || q.Opportunity.Contact == nil || q.Opportunity.Contact.LastName != "Lovelace" || q.TaxRate == nil || q.Owner.Email != "rep@example.com" {
		t.Fatalf("relations missing: %s", show(q))
	}
}

// QuotesOf reads an opportunity's quotes, tax rates and lines as GORM's
// preloads do, each quote with its own lines in order.
func TestQuotesOfReadsWhatGORMPreloads(t *testing.T) {
	e := qtSetup(t)
	o := e.opp(t, "Two quotes", false)
	other := e.opp(t, "Other", false)
	line := func(name string, price models.Money) models.QuoteItem {
		return models.QuoteItem{Kind: models.KindService, Name: name, Quantity: 10000, UnitPrice: price, Period: models.Periods[0]}
	}
	e.quote(t, o, "First", line("A", 100), line("B", 200))
	e.quote(t, other, "Elsewhere", line("X", 900))
	e.quote(t, o, "Second", line("C", 300))
	e.quote(t, o, "Empty")
	got, err := models.QuotesOf(e.db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []models.Quote
	if err := e.db.Preload("TaxRate").Preload("Items", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Where("opportunity_id = ?", o.ID).Order("number").Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("QuotesOf:\n%+v\nGORM:\n%+v", got, want)
	}
}

// A quote's lines, read column by column, are what GORM reads: a catalog line
// and a free one, booleans both ways, the extremes of the integer columns.
func TestQuoteItemsReadWhatGORMReads(t *testing.T) {
	e := qtSetup(t)
	o := e.opp(t, "Packed", false)
	p := models.Product{SKU: "PK-1", Name: "Packed product", Type: models.KindProduct, Period: models.OneTime, UnitPrice: 100_00, Taxable: true, Active: true}
	if err := e.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	q := e.quote(t, o, "Packed lines",
		models.QuoteItem{Kind: models.KindProduct, ProductID: &p.ID, Name: "A 1 2 3", Description: " spaced  out ", Quantity: 10000,
			UnitPrice: math.MaxInt64, UnitCost: math.MinInt64, Period: models.OneTime, Taxable: true, Optional: true,
			DiscountType: models.DiscountPerUnit, DiscountValue: -5},
		models.QuoteItem{Kind: models.KindService, Name: "", Quantity: 1, UnitPrice: 0, Period: models.Periods[1]})
	var want []models.QuoteItem
	if err := e.db.Where("quote_id = ?", q.ID).Order("position, id").Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	got, err := models.LoadQuote(e.db, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 || !reflect.DeepEqual(got.Items, want) {
		t.Fatalf("LoadQuote's lines:\n%+v\nGORM's:\n%+v", got.Items, want)
	}
	if got.Items[0].ProductID == nil || *got.Items[0].ProductID != p.ID || got.Items[1].ProductID != nil {
		t.Fatalf("product ids %v, %v", got.Items[0].ProductID, got.Items[1].ProductID)
	}
}

// LoadQuoteShown, the editor's read, has what LoadQuote has of every field
// the editor shows: with every relation, and with none (no contact, payment
// term or tax rate).
func TestLoadQuoteShownReadsWhatLoadQuoteReads(t *testing.T) {
	e := qtSetup(t)
	o := e.opp(t, "Shown", false)
	var c models.Contact
	c.OrganizationID, c.FirstName, c.LastName, c.Email = e.org.ID, "Ada", "Lovelace", "ada@example.com"
	if err := e.db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	e.db.Model(&models.Opportunity{}).Where("id = ?", o.ID).Update("contact_id", c.ID)
	full := e.quote(t, o, "With all relations",
		models.QuoteItem{Kind: models.KindService, Name: "Work", Quantity: 10000, UnitPrice: 5000, Period: models.Periods[0]},
		models.QuoteItem{Kind: models.KindHeading, Name: "More"})
	var term models.PaymentTerm
	if err := e.db.Order("id").First(&term).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	e.db.Model(&models.Quote{}).Where("id = ?", full.ID).Updates(map[string]any{"payment_term_id": term.ID, "bill_to": "Bill\nhere",
		"ship_to": "Ship", "comments": "Thanks", "sent_at": now, "sent_to": "buyer@example.com", "token": "tok-" + t.Name(),
		"response_name": "Buyer", "response_comment": "Fine", "responded_at": now, "status": models.QuoteAccepted, "is_primary": true})
	bare := e.quote(t, e.opp(t, "Bare", false), "No relations")
	e.db.Model(&models.Quote{}).Where("id = ?", bare.ID).Update("tax_rate_id", nil)
	for _, id := range []uint{full.ID, bare.ID} {
		want, err := models.LoadQuote(e.db, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := models.LoadQuoteShown(e.db, id)
		if err != nil {
			t.Fatal(err)
		}
		// What LoadQuoteShown leaves out: the record times, the answering IP,
		// the owner, and of the relations what the editor does not show.
		w := *want
		w.CreatedAt, w.UpdatedAt, w.ResponseIP, w.Owner = time.Time{}, time.Time{}, "", nil
		wo := models.Opportunity{ID: w.Opportunity.ID, Title: w.Opportunity.Title, Status: w.Opportunity.Status,
			OwnerID: w.Opportunity.OwnerID, OrganizationID: w.Opportunity.OrganizationID, ContactID: w.Opportunity.ContactID,
			Organization: &models.Organization{ID: w.Opportunity.OrganizationID, Name: w.Opportunity.Organization.Name}}
		if ct := w.Opportunity.Contact; ct != nil {
			wo.Contact = &models.Contact{ID: ct.ID, FirstName: ct.FirstName, LastName: ct.LastName, Email: ct.Email}
		}
		w.Opportunity = &wo
		if w.PaymentTerm != nil {
			w.PaymentTerm = &models.PaymentTerm{ID: w.PaymentTerm.ID, Name: w.PaymentTerm.Name}
		}
		if !reflect.DeepEqual(*got, w) {
			t.Fatalf("LoadQuoteShown:\n%+v\nLoadQuote:\n%+v", *got, w)
		}
	}
	got, err := models.LoadQuoteShown(e.db, full.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Opportunity.Contact == nil || got.Opportunity.Contact.Email != "ada@example.com" || got.PaymentTerm == nil ||
		got.TaxRate == nil || got.Token == nil || got.RespondedAt == nil || len(got.Items) != 2 {
		t.Fatalf("relations missing: %+v", got)
	}
	if _, err := models.LoadQuoteShown(e.db, bare.ID+1000); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Fatalf("a missing quote: %v", err)
	}
}
