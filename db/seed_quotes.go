package db

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// demoQuote gives an opportunity a believable quote from the catalog: some
// hardware, a recurring service, onboarding labor, with the organization's
// address, Net 30 and sales tax.
func demoQuote(tx *gorm.DB, rng *rand.Rand, o *models.Opportunity, owner *models.User, at time.Time, sent bool) (*models.Quote, error) {
	var products []models.Product
	if err := tx.Where("active = ?", true).Order("id").Find(&products).Error; err != nil {
		return nil, err
	}
	if len(products) == 0 {
		return nil, fmt.Errorf("no catalog products")
	}
	var org models.Organization
	if err := tx.First(&org, o.OrganizationID).Error; err != nil {
		return nil, err
	}
	var term models.PaymentTerm
	var rate models.TaxRate
	if err := tx.Where("name = ?", "Net 30").First(&term).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("rate = ?", 8875).First(&rate).Error; err != nil {
		return nil, err
	}
	eff := dateOnly(at)
	addr := org.Name + "\n" + org.Address + "\n" + org.PostalCode + " " + org.City + "\n" + org.Country
	q := models.Quote{OpportunityID: o.ID, Name: o.Title, EffectiveDate: eff, ExpirationDate: eff.AddDate(0, 0, 30), BillTo: addr, ShipTo: addr,
		PaymentTermID: &term.ID, TaxRateID: &rate.ID, TermMonths: 12, OwnerID: owner.ID, CreatedAt: at, UpdatedAt: at,
		Comments: "Prices include installation at one site. Thank you for the opportunity to quote."}
	q.Items = append(q.Items, models.QuoteItem{Kind: models.KindHeading, Name: "Hardware and set-up", Period: models.OneTime})
	for k := 0; k < 2+rng.IntN(2); k++ {
		p := products[rng.IntN(len(products))]
		it := models.QuoteItem{Kind: p.Type, ProductID: &p.ID, Name: p.Name, Quantity: models.Quantity(1+rng.IntN(12)) * models.QuantityScale,
			UnitPrice: p.UnitPrice, UnitCost: p.UnitCost, Period: p.Period, Taxable: p.Taxable}
		if p.Type == models.KindLabor {
			it.Quantity = models.Quantity(4+rng.IntN(20))*models.QuantityScale + models.QuantityScale/2
		}
		if rng.IntN(4) == 0 {
			it.DiscountType, it.DiscountValue = models.DiscountPercent, 10000 // 10%
		}
		q.Items = append(q.Items, it)
	}
	if err := models.CreateQuote(tx, &q); err != nil {
		return nil, err
	}
	if sent {
		if err := models.SendQuote(tx, &q, "buyer@"+lower(org.Name)+".example", at.Add(2*time.Hour)); err != nil {
			return nil, err
		}
	}
	return &q, nil
}
