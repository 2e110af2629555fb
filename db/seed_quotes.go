package db

import (
	"errors"
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
	eff := models.DateOnly(at)
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
	// Every demo quote orders some hardware, so a won deal always has a sales
	// order to show. Chosen without the random source, so the rest of the
	// demo data stays as it was.
	if !hasProduct(q.Items) {
		var hw []models.Product
		for _, p := range products {
			if p.Type == models.KindProduct {
				hw = append(hw, p)
			}
		}
		if len(hw) > 0 {
			p := hw[int(o.ID)%len(hw)]
			q.Items = append(q.Items, models.QuoteItem{Kind: p.Type, ProductID: &p.ID, Name: p.Name, Quantity: models.Quantity(1+int(o.ID)%5) * models.QuantityScale,
				UnitPrice: p.UnitPrice, UnitCost: p.UnitCost, Period: p.Period, Taxable: p.Taxable})
		}
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

func hasProduct(items []models.QuoteItem) bool {
	for _, it := range items {
		if it.Kind == models.KindProduct && !it.Optional {
			return true
		}
	}
	return false
}

// seedSalesOrders moves the sales orders the demo wins created through their
// life: some in progress, some partly or fully delivered, one canceled, the
// rest new, each with a promised date. Most buy their hardware from the
// vendors first, on purchase orders in every status.
func seedSalesOrders(tx *gorm.DB, now time.Time) error {
	var orders []models.SalesOrder
	if err := tx.Preload("Owner").Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Order("number").Find(&orders).Error; err != nil {
		return err
	}
	for i := range orders {
		so := &orders[i]
		by := so.Owner
		promised := so.OrderDate.AddDate(0, 0, 14+7*(i%4))
		edit := models.SalesOrderEdit{ContactID: so.ContactID, OwnerID: so.OwnerID, PromisedDate: &promised, BillTo: so.BillTo, ShipTo: so.ShipTo,
			InProgress: i%6 == 1}
		at := so.CreatedAt.Add(24 * time.Hour)
		if at.After(now) {
			at = now
		}
		if err := models.UpdateSalesOrder(tx, so, so.Version, edit, by, at); err != nil {
			return fmt.Errorf("demo sales order %d: %w", so.Number, err)
		}
		delivered := models.DateOnly(at.AddDate(0, 0, 3))
		if delivered.After(now) {
			delivered = models.DateOnly(now)
		}
		if err := seedPurchaseOrders(tx, so, i, by, at, delivered); err != nil {
			return fmt.Errorf("demo purchase orders of sales order %d: %w", so.Number, err)
		}
		var err error
		switch i % 6 {
		case 2, 4: // partly delivered: half of the first line
			if half := so.Lines[0].QuantityOrdered / 2; half > 0 {
				err = models.RecordFulfilment(tx, so, map[uint]models.Quantity{so.Lines[0].ID: half}, delivered, "Partial delivery; the rest is back-ordered.", by, at)
			}
		case 3: // delivered in full
			all := map[uint]models.Quantity{}
			for _, l := range so.Lines {
				all[l.ID] = l.QuantityOrdered
			}
			err = models.RecordFulfilment(tx, so, all, delivered, "Delivered and signed for at reception.", by, at)
		case 5:
			if i%12 == 5 {
				err = models.SetSalesOrderStatus(tx, so, so.Version, models.SOCanceled, "The customer postponed the hardware to next year.", by, at)
			}
		}
		if err != nil {
			return fmt.Errorf("demo sales order %d: %w", so.Number, err)
		}
	}
	return nil
}

// seedPurchaseOrders orders the hardware of the i-th demo sales order from
// its vendors and moves the orders along with the sales order: drafts on
// some new orders, submitted and partly received ones on orders in
// progress, received ones where the customer got (some of) the goods, and a
// canceled one on the canceled sales order.
func seedPurchaseOrders(tx *gorm.DB, so *models.SalesOrder, i int, by *models.User, at, received time.Time) error {
	step := i % 6
	if (step == 0 && i%12 != 0) || (step == 5 && i%12 != 5) {
		return nil // not ordered yet
	}
	expected := models.DateOnly(at.AddDate(0, 0, 5))
	pos, _, err := models.CreatePurchaseOrders(tx, so.ID, &expected, by, at)
	if errors.Is(err, models.ErrPONothing) {
		return nil
	}
	if err != nil {
		return err
	}
	for k := range pos {
		po := &pos[k]
		switch step {
		case 0: // drafts
			continue
		case 5: // the sales order will be canceled: so is its purchase order
			if err := models.CancelPurchaseOrder(tx, po, po.Version, "The customer postponed the hardware.", by, at); err != nil {
				return err
			}
			continue
		}
		if err := models.SubmitPurchaseOrder(tx, po, po.Version, by, at); err != nil {
			return err
		}
		all, half := map[uint]models.Quantity{}, map[uint]models.Quantity{}
		for _, l := range po.Lines {
			all[l.ID] = l.Quantity
		}
		if h := po.Lines[0].Quantity / 2; h > 0 {
			half[po.Lines[0].ID] = h
		}
		var err error
		switch {
		case step == 2 || step == 3: // received in full before delivery to the customer
			err = models.ReceivePurchaseOrder(tx, po, po.Version, all, received, "Checked in at the warehouse.", by, at)
		case step == 1 && len(half) > 0: // partly received
			err = models.ReceivePurchaseOrder(tx, po, po.Version, half, received, "First boxes arrived; the rest is back-ordered.", by, at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
