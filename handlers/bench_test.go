package handlers_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// BenchmarkOpportunityList measures the list page through the full router and a
// real HTTP round trip, signed in as a manager, on the demo data.
func BenchmarkOpportunityList(b *testing.B) {
	app := newTestApp(b)
	c := app.client(b).login("manager@example.com")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := c.get("/opportunities?sort=-amount"); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
	}
}

// BenchmarkHotPages measures the pages of the load test (scripts/loadtest.sh)
// through the full router and a real HTTP round trip, on the demo data; CI runs
// it once (-benchtime=1x) so the pages stay working and the numbers comparable.
func BenchmarkHotPages(b *testing.B) {
	app := newTestApp(b)
	c := app.client(b).login("manager@example.com")
	var opp models.Opportunity
	if err := app.DB.Where("is_open = ?", true).Order("id").First(&opp).Error; err != nil {
		b.Fatal(err)
	}
	var stage models.Stage
	if err := app.DB.Where("id = ?", opp.StageID).First(&stage).Error; err != nil {
		b.Fatal(err)
	}
	q := models.Quote{OpportunityID: opp.ID, Name: "Hundred lines", OwnerID: opp.OwnerID, TermMonths: 12,
		EffectiveDate: time.Now().UTC(), ExpirationDate: time.Now().UTC().AddDate(0, 0, 30), Items: benchItems(100)}
	if err := models.CreateQuote(app.DB, &q); err != nil {
		b.Fatal(err)
	}
	if err := models.SendQuote(app.DB, &q, "buyer@example.com", time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"healthz", "/healthz"},
		{"list", "/opportunities"},
		{"list-stage-owner", "/opportunities?stage=" + idString(stage.ID) + "&owner=" + idString(opp.OwnerID)},
		{"opportunity", "/opportunities/" + idString(opp.ID)},
		{"board", "/opportunities/board"},
		{"quote-editor-100", "/quotes/" + idString(q.ID)},
		{"customer-quote-100", "/q/" + *q.Token},
		{"funnel", "/reports/funnel"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if r := c.get(p.path); r.Status != http.StatusOK {
					b.Fatalf("GET %s: status %d", p.path, r.Status)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// reportCPU adds the CPU time per operation since start (client and server
// together, as both run in the test process): steadier than ns/op, the wall
// time, when other work shares the machine.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

// benchItems are n quote lines of every period, some discounted, some untaxed.
func benchItems(n int) []models.QuoteItem {
	items := make([]models.QuoteItem, 0, n)
	for i := 0; i < n; i++ {
		items = append(items, models.QuoteItem{Kind: models.KindService, Name: fmt.Sprintf("Line %d", i), Quantity: models.Quantity(1+i%7) * 5000,
			UnitPrice: models.Money(1999 + i*37), UnitCost: models.Money(1200 + i*11), Period: models.Periods[i%len(models.Periods)], Taxable: i%3 != 0,
			DiscountType: []models.DiscountType{"", models.DiscountPercent, models.DiscountPerUnit}[i%3], DiscountValue: int64(i % 3 * 500)})
	}
	return items
}

// bench100k is a database with the demo data and 100,000 generated
// opportunities and 300,000 leads, made once and kept between runs (a file in
// the temp folder, or a PostgreSQL database; the name carries the schema
// version, so a new migration makes a new one).
//
//	BENCH_BIG=1 go test ./handlers -run XXX -bench 100k
func bench100k(b *testing.B) string {
	b.Helper()
	if os.Getenv("BENCH_BIG") == "" {
		b.Skip("set BENCH_BIG=1 to benchmark on 100,000 generated opportunities")
	}
	return benchKept(b, "salesdesk_bench_100k_v15", db.GenOptions{Opportunities: 100000, Leads: 300000, Seed: 1})
}

// bench1M is the database of a million opportunities and three million
// leads. Generating it takes minutes, so it is made only when
// SALESDESK_BENCH_1M=1 (and then kept); without it the benchmarks on it skip.
func bench1M(b *testing.B) string {
	b.Helper()
	const name = "salesdesk_bench_1m_v15"
	path := filepath.Join(os.TempDir(), strings.ReplaceAll(name, "_", "-")+".db")
	if _, err := os.Stat(path); (err != nil || dbtest.Postgres()) && os.Getenv("SALESDESK_BENCH_1M") != "1" {
		b.Skip("set SALESDESK_BENCH_1M=1 to generate the 1M database (once, kept as " + name + ")")
	}
	return benchKept(b, name, db.GenOptions{Opportunities: 1000000, Leads: 3000000, Seed: 1})
}

func benchKept(b *testing.B, name string, o db.GenOptions) string {
	b.Helper()
	return dbtest.Kept(b, name, func(gdb *gorm.DB) error {
		now := time.Now().UTC()
		if _, err := db.SeedDemo(gdb, now); err != nil {
			return err
		}
		return db.Generate(gdb, o, now)
	})
}

// funnelPages are the report page unfiltered and with each kind of filter.
func funnelPages(b *testing.B, app *testApp) map[string]string {
	var campaign, owner uint
	app.DB.Raw("SELECT campaign_id FROM leads WHERE campaign_id IS NOT NULL ORDER BY id DESC LIMIT 1").Scan(&campaign)
	app.DB.Raw("SELECT id FROM users WHERE email = ?", "rep@example.com").Scan(&owner)
	now := time.Now().UTC()
	from := now.AddDate(0, -5, 0).Format("2006-01-02")
	// Days at both ends: the whole months between from the rollups, the ends from the records.
	days := "from=" + now.AddDate(0, -7, -11).Format("2006-01-02") + "&to=" + now.AddDate(0, 0, -17).Format("2006-01-02")
	return map[string]string{
		"all":            "/reports/funnel",
		"campaign":       fmt.Sprintf("/reports/funnel?campaign=%d", campaign),
		"owner":          fmt.Sprintf("/reports/funnel?owner=%d", owner),
		"this-year":      "/reports/funnel?preset=this_year",
		"days-period":    "/reports/funnel?from=" + from,
		"days-both-ends": "/reports/funnel?" + days,
		"days-campaign":  fmt.Sprintf("/reports/funnel?campaign=%d&%s", campaign, days),
		"campaign-page":  fmt.Sprintf("/campaigns/%d", campaign),
	}
}

// BenchmarkFunnelPage is the whole report page on the demo data, with each
// kind of filter; it runs in CI (-benchtime=1x) so the benchmark keeps working.
func BenchmarkFunnelPage(b *testing.B) {
	app := newTestApp(b)
	benchPagesOn(b, app, funnelPages(b, app))
}

// BenchmarkFunnelPage1M: SALESDESK_BENCH_1M=1 go test ./handlers -run XXX -bench FunnelPage1M -benchtime 20x
func BenchmarkFunnelPage1M(b *testing.B) {
	app := newTestAppOn(b, bench1M(b))
	benchPagesOn(b, app, funnelPages(b, app))
}

func benchPagesOn(b *testing.B, app *testApp, pages map[string]string) {
	c := app.client(b).login("manager@example.com")
	for name, path := range pages {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if r := c.get(path); r.Status != http.StatusOK {
					b.Fatalf("GET %s: status %d", path, r.Status)
				}
			}
		})
	}
}

func benchPages(b *testing.B, pages map[string]string) {
	benchPagesOn(b, newTestAppOn(b, bench100k(b)), pages)
}

// BenchmarkList100k: go test ./handlers -run XXX -bench 100k
func BenchmarkList100k(b *testing.B) {
	benchPages(b, map[string]string{
		"open-by-close":   "/opportunities",
		"all-by-amount":   "/opportunities?status=all&sort=-amount",
		"mine":            "/opportunities?owner=me",
		"search":          "/opportunities?status=all&q=acme",
		"page-100":        "/opportunities?status=all&page=100",
		"stage-and-owner": "/opportunities?stage=2&owner=3",
	})
}

func BenchmarkBoard100k(b *testing.B) {
	benchPages(b, map[string]string{
		"board":      "/opportunities/board",
		"board-mine": "/opportunities/board?owner=me",
	})
}

// BenchmarkQuoteEditor500 renders the quote editor of a 500-line quote through
// the full router: go test ./handlers -run XXX -bench QuoteEditor500
func BenchmarkQuoteEditor500(b *testing.B) {
	app := newTestApp(b)
	c := app.client(b).login("manager@example.com")
	var opp models.Opportunity
	if err := app.DB.Where("status = ?", models.StatusActive).First(&opp).Error; err != nil {
		b.Fatal(err)
	}
	q := models.Quote{OpportunityID: opp.ID, Name: "Big quote", OwnerID: opp.OwnerID, TermMonths: 12,
		EffectiveDate: time.Now().UTC(), ExpirationDate: time.Now().UTC().AddDate(0, 0, 30), Items: benchItems(500)}
	if err := models.CreateQuote(app.DB, &q); err != nil {
		b.Fatal(err)
	}
	path := "/quotes/" + strconv.FormatUint(uint64(q.ID), 10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := c.get(path); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
	}
}

// BenchmarkPurchaseOrders20k measures the purchase order pages with 20,000
// purchase orders (40,000 lines) spread over the demo's sales orders and
// vendors: go test ./handlers -run XXX -bench PurchaseOrders20k
func BenchmarkPurchaseOrders20k(b *testing.B) {
	app := newTestApp(b)
	err := app.DB.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000),
		so AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS c FROM sales_orders),
		v AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS c FROM organizations WHERE type = 'vendor')
		INSERT INTO purchase_orders (number, sales_order_id, vendor_id, status, expected_date, notes, version, created_at, updated_at)
		SELECT 100000 + i, so.id, v.id, CASE i % 5 WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted' WHEN 2 THEN 'partly_received' WHEN 3 THEN 'received' ELSE 'canceled' END,
			DATETIME('2026-01-01', '+' || (i % 365) || ' days'), '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
		FROM n JOIN so ON so.k = n.i % so.c JOIN v ON v.k = n.i % v.c`).Error
	if err != nil {
		b.Fatal(err)
	}
	err = app.DB.Exec(`INSERT INTO purchase_order_lines (purchase_order_id, sales_order_line_id, product_id, position, name, quantity, quantity_received, unit_cost)
		SELECT po.id, l.id, l.product_id, k.k, l.name, 20000, 0, 14900
		FROM purchase_orders po JOIN (SELECT 1 AS k UNION ALL SELECT 2) k
		JOIN (SELECT sales_order_id, MIN(id) AS id FROM sales_order_lines GROUP BY sales_order_id) first ON first.sales_order_id = po.sales_order_id
		JOIN sales_order_lines l ON l.id = first.id
		WHERE po.number >= 100000`).Error
	if err != nil {
		b.Fatal(err)
	}
	var po, so, vendor uint
	app.DB.Raw("SELECT id FROM purchase_orders ORDER BY number DESC LIMIT 1").Scan(&po)
	app.DB.Raw("SELECT sales_order_id FROM purchase_orders ORDER BY number DESC LIMIT 1").Scan(&so)
	app.DB.Raw("SELECT id FROM organizations WHERE type = 'vendor' ORDER BY id DESC LIMIT 1").Scan(&vendor)
	c := app.client(b).login("manager@example.com")
	for name, path := range map[string]string{
		"list":            "/purchase-orders",
		"list-page-100":   "/purchase-orders?page=100",
		"list-filtered":   "/purchase-orders?status=submitted&vendor=" + strconv.Itoa(int(vendor)) + "&expected_before=2026-03-01",
		"purchase-order":  "/purchase-orders/" + strconv.Itoa(int(po)),
		"sales-order-pos": "/sales-orders/" + strconv.Itoa(int(so)),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if r := c.get(path); r.Status != http.StatusOK {
					b.Fatalf("GET %s: status %d", path, r.Status)
				}
			}
		})
	}
}
