package handlers_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"salesdesk/models"
)

// BenchmarkProductPicker50k: the quote editor's new line and the product
// suggestions with 50,000 active products (names in five families, SKUs
// GEN-1…), through the full router: go test ./handlers -run XXX -bench ProductPicker50k
func BenchmarkProductPicker50k(b *testing.B) {
	app := newTestApp(b)
	if err := app.DB.Exec(`INSERT INTO products (name, sku, type, unit_price, unit_cost, period, taxable, active, created_at, updated_at)
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50000)
		SELECT CASE i % 5 WHEN 0 THEN 'Switch ' WHEN 1 THEN 'Laptop ' WHEN 2 THEN 'Licence ' WHEN 3 THEN 'Firewall ' ELSE 'Cable ' END || i,
			'GEN-' || i, 'product', i * 100, i * 50, 'one_time', TRUE, TRUE, ?, ? FROM c`, time.Now().UTC(), time.Now().UTC()).Error; err != nil {
		b.Fatal(err)
	}
	var opp models.Opportunity
	if err := app.DB.Where("status = ?", models.StatusActive).First(&opp).Error; err != nil {
		b.Fatal(err)
	}
	q := models.Quote{OpportunityID: opp.ID, Name: "Picker quote", OwnerID: opp.OwnerID, TermMonths: 12,
		EffectiveDate: time.Now().UTC(), ExpirationDate: time.Now().UTC().AddDate(0, 0, 30), Items: benchItems(10)}
	if err := models.CreateQuote(app.DB, &q); err != nil {
		b.Fatal(err)
	}
	suggest := func(s string) string { return "/quotes/products/suggest?q=" + url.QueryEscape(s) }
	benchPagesOn(b, app, map[string]string{
		"editor-10-lines":      "/quotes/" + strconv.FormatUint(uint64(q.ID), 10),
		"suggest-one-letter":   suggest("s"),
		"suggest-sku-letter":   suggest("g"),
		"suggest-sku":          suggest("gen-4999"),
		"suggest-name":         suggest("switch 1"),
		"suggest-no-match":     suggest("zzz"),
		"suggest-not-a-prefix": suggest("witch"),
	})
}
