package models_test

import (
	"fmt"
	"testing"

	"salesdesk/models"
)

// BenchmarkComputeTotals is the one totals function on quotes of 100 and 500
// lines of every period, kind of discount and tax state.
func BenchmarkComputeTotals(b *testing.B) {
	for _, n := range []int{100, 500} {
		items := make([]models.QuoteItem, n)
		for i := range items {
			items[i] = models.QuoteItem{Kind: models.KindService, Name: fmt.Sprintf("Line %d", i), Quantity: models.Quantity(1+i%7) * 5000,
				UnitPrice: models.Money(1999 + i*37), UnitCost: models.Money(1200 + i*11), Period: models.Periods[i%len(models.Periods)],
				Taxable: i%3 != 0, Optional: i%10 == 0,
				DiscountType: []models.DiscountType{"", models.DiscountPercent, models.DiscountPerUnit, models.DiscountPerLine}[i%4], DiscountValue: int64(i % 4 * 500)}
		}
		b.Run(fmt.Sprint(n, "-lines"), func(b *testing.B) {
			b.ReportAllocs()
			var t models.QuoteTotals
			for b.Loop() {
				t = models.ComputeTotals(items, 8875, 12)
			}
			if t.FirstYear <= 0 {
				b.Fatalf("first-year total %s", t.FirstYear.Display())
			}
		})
	}
}
