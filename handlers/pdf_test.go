package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/handlers"
	"salesdesk/models"
)

// pdfText reads a PDF back as text with pdftotext (poppler-utils). Without the
// tool the test is skipped, except in CI, where it must be installed.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing: CI must install poppler-utils (apt-get install -y poppler-utils)")
		}
		t.Skip("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils) to run the PDF text checks")
	}
	path := filepath.Join(t.TempDir(), "quote.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pdfQuote is a quote of an open demo opportunity with a contact.
type pdfQuote struct {
	q       *models.Quote
	org     string
	contact string
}

func createPDFQuote(t testing.TB, gdb *gorm.DB, items []models.QuoteItem) pdfQuote {
	t.Helper()
	var o models.Opportunity
	if err := gdb.Where("status = ? AND contact_id IS NOT NULL", models.StatusActive).Order("id").First(&o).Error; err != nil {
		t.Fatal(err)
	}
	opp, err := models.LoadOpportunity(gdb, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var rep models.User
	if err := gdb.Where("email = ?", "rep@example.com").First(&rep).Error; err != nil {
		t.Fatal(err)
	}
	rate := models.TaxRate{Name: "State", Rate: 8875, Active: true}
	term := models.PaymentTerm{Name: "Net 30 jours", Days: 30, Active: true}
	if err := gdb.Where("name = ?", rate.Name).FirstOrCreate(&rate).Error; err != nil {
		t.Fatal(err)
	}
	if err := gdb.Where("name = ?", term.Name).FirstOrCreate(&term).Error; err != nil {
		t.Fatal(err)
	}
	q := &models.Quote{
		OpportunityID: o.ID, Name: "Café network € refresh", OwnerID: rep.ID,
		EffectiveDate:  time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		ExpirationDate: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		BillTo:         "Accounts payable\n12 rue de la Paix\n75002 Paris",
		ShipTo:         "Entrepôt Nord\n3 quai Est\n69001 Lyon",
		PaymentTermID:  &term.ID, TaxRateID: &rate.ID, TermMonths: 24,
		Comments: "Installation on a weekday; prices include the naïve setup fee.",
		Items:    items,
	}
	if err := models.CreateQuote(gdb, q); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.LoadQuote(gdb, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	return pdfQuote{q: loaded, org: opp.Organization.Name, contact: opp.Contact.FullName()}
}

func qty(units float64) models.Quantity { return models.Quantity(units * models.QuantityScale) }

// pdfItems covers headings, fractions, every discount, several periods, a
// discount line, an optional line, taxable and not, é and €. Unit costs are
// figures that must never appear on the customer's copy.
func pdfItems() []models.QuoteItem {
	return []models.QuoteItem{
		{Kind: models.KindHeading, Name: "Hardware — Café € edition", Description: "Équipement livré"},
		{Kind: models.KindProduct, Name: "Écran 27\" € Pro", Description: "Écran mat, garantie 3 ans", Quantity: qty(3),
			UnitPrice: 24999, UnitCost: 77777, DiscountType: models.DiscountPercent, DiscountValue: 10000,
			Period: models.OneTime, Taxable: true},
		{Kind: models.KindLabor, Name: "Installation sur site", Quantity: qty(1.5), UnitPrice: 12000, UnitCost: 5555,
			DiscountType: models.DiscountPerUnit, DiscountValue: 1000, Period: models.OneTime},
		{Kind: models.KindHeading, Name: "Services"},
		{Kind: models.KindService, Name: "Support mensuel", Quantity: qty(2), UnitPrice: 9950, UnitCost: 3333,
			Period: models.Monthly, Taxable: true},
		{Kind: models.KindService, Name: "Backup yearly", Quantity: qty(1), UnitPrice: 120000, UnitCost: 44444,
			DiscountType: models.DiscountPerLine, DiscountValue: 20000, Period: models.Yearly, Taxable: true},
		{Kind: models.KindDiscount, Name: "Loyalty discount", Quantity: qty(1), UnitPrice: 5000, Period: models.OneTime, Taxable: true},
		{Kind: models.KindProduct, Name: "Spare keyboard é", Quantity: qty(2), UnitPrice: 3525, UnitCost: 1234,
			Period: models.OneTime, Optional: true, Taxable: true},
	}
}

func TestQuotePDFContent(t *testing.T) {
	app := newTestApp(t)
	pq := createPDFQuote(t, app.DB, pdfItems())
	q := pq.q
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

	var buf bytes.Buffer
	if err := handlers.RenderQuotePDF(&buf, q, "Salesdesk demo IT services", now); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:min(20, buf.Len())])
	}
	text := pdfText(t, buf.Bytes())

	// Worked by hand at 8.875%, half-up per line and once per period on the taxable amount.
	// One-time: 3 × 249.99 = 749.97 − 10% (75.00) = 674.97; 1.5 h × 120 = 180.00 − 1.5 × 10 = 165.00 (no tax);
	// loyalty −50.00. Subtotal 929.97, discounts 140.00, net 789.97, taxable 624.97, tax 55.47, total 845.44.
	// Monthly: 199.00 + tax 17.66 = 216.66. Yearly: 1,200.00 − 200.00 = 1,000.00 + tax 88.75 = 1,088.75.
	// First year: 845.44 + 12 × 216.66 + 1,088.75 = 4,534.11.
	// 24 months: 845.44 + 24 × 216.66 + 2 × 1,088.75 = 8,222.78.
	want := []string{
		"Salesdesk demo IT services",
		fmt.Sprintf("Quote #%d: Café network € refresh", q.Number),
		pq.org, pq.contact,
		"12 rue de la Paix", "Entrepôt Nord", "69001 Lyon",
		"2 Mar 2026", "1 Apr 2026", "Net 30 jours",
		"Hardware — Café € edition", "Équipement livré", `Écran 27" € Pro`, "garantie 3 ans",
		"Installation sur site", "no tax", "Support mensuel", "Backup yearly", "Loyalty discount",
		"1.5", "$249.99", "10%", "-$75.00", "$10.00 per unit", "-$15.00", "$200.00",
		"$674.97", "$165.00", "$199.00", "$1,000.00", "-$50.00",
		"One-time", "Monthly", "Yearly",
		"Optional items (not included in the totals)", "Spare keyboard é", "$70.50", "Optional items total $70.50.",
		"Tax (8.875%)",
		"$929.97", "-$140.00", "$55.47", "$845.44",
		"$17.66", "$216.66",
		"$1,200.00", "-$200.00", "$88.75", "$1,088.75",
		"First-year value", "$4,534.11",
		"Total contract value over 24 months", "$8,222.78",
		"Comments", "naïve setup fee",
		"Prices are guaranteed until 1 Apr 2026",
		"Page 1 of 1",
	}
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q\n%s", s, text)
		}
	}

	// Items in their order; the optional line apart, after the included ones.
	order := []string{"Hardware — Café", "Écran 27", "Installation sur site", "Services", "Support mensuel",
		"Backup yearly", "Loyalty discount", "Optional items (not included", "Spare keyboard é", "Totals"}
	last := -1
	for _, s := range order {
		i := strings.Index(text, s)
		if i <= last {
			t.Errorf("%q is out of order (at %d, after %d)", s, i, last)
		}
		last = max(last, i)
	}

	// The totals are the model's, to the cent.
	tot := q.Totals()
	if got := tot.FirstYear.Display(); got != "$4,534.11" {
		t.Errorf("model first-year value %s, worked by hand $4,534.11", got)
	}

	// Never a cost or a margin: not the unit costs, the line costs, nor the margins.
	never := []string{"777.77", "2,333.31", "55.55", "83.33", "33.33", "66.66", "444.44", "12.34", "24.68",
		tot.Margin.Display()}
	for _, p := range tot.Periods {
		never = append(never, p.Cost.Display(), p.Margin.Display())
	}
	for _, s := range never {
		if strings.Contains(text, s) {
			t.Errorf("the customer's PDF shows the internal figure %s", s)
		}
	}
	for _, w := range []string{"cost", "margin"} {
		if strings.Contains(strings.ToLower(text), w) {
			t.Errorf("the customer's PDF mentions %q", w)
		}
	}
}

// TestQuotePDFPages renders a long quote: several pages, each numbered, and
// the items table header repeated on every page the table runs on.
func TestQuotePDFPages(t *testing.T) {
	app := newTestApp(t)
	items := longQuoteItems(100)
	// A line longer than a page flows on across pages rather than being cut.
	giant := strings.Repeat("Étape suivante du déploiement.\n", 79) + "End of the giant description."
	items = append(items[:50:50], append([]models.QuoteItem{{Kind: models.KindService, Name: "Giant line",
		Description: giant, Quantity: qty(1), UnitPrice: 100, Period: models.OneTime}}, items[50:]...)...)
	pq := createPDFQuote(t, app.DB, items)

	var buf bytes.Buffer
	if err := handlers.RenderQuotePDF(&buf, pq.q, "Salesdesk demo IT services", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	pages := strings.Split(strings.TrimRight(text, "\f\n "), "\f")
	if len(pages) < 3 {
		t.Fatalf("a 100-line quote on %d page(s)", len(pages))
	}
	for i, pg := range pages {
		if !strings.Contains(pg, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks its page number", i+1)
		}
		if !strings.Contains(pg, fmt.Sprintf("Quote #%d", pq.q.Number)) {
			t.Errorf("page %d lacks the quote number", i+1)
		}
		if (strings.Contains(pg, "Line item ") || strings.Contains(pg, "Étape")) && !strings.Contains(pg, "Unit price") {
			t.Errorf("page %d continues the items without the table header", i+1)
		}
		if !strings.Contains(pg, "$") && !strings.Contains(pg, "Étape") {
			t.Errorf("page %d is empty:\n%s", i+1, pg)
		}
	}
	if n := strings.Count(text, "Étape suivante"); n != 79 {
		t.Errorf("the giant line shows %d of its 79 lines", n)
	}
	for _, s := range []string{"Line item 001", "Line item 100", "End of the giant description.", "This quote expired on 1 Apr 2026"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q", s)
		}
	}
}

// TestQuotePDFRoute fetches /quotes/{id}.pdf signed in, and the customer link's PDF.
func TestQuotePDFRoute(t *testing.T) {
	app := newTestApp(t)
	pq := createPDFQuote(t, app.DB, pdfItems())
	c := app.client(t).login("rep@example.com")

	r := c.get(fmt.Sprintf("/quotes/%d.pdf", pq.q.ID))
	if r.Status != http.StatusOK {
		t.Fatalf("GET /quotes/%d.pdf: %d\n%s", pq.q.ID, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd, want := r.Header.Get("Content-Disposition"), fmt.Sprintf(`inline; filename="quote-%d.pdf"`, pq.q.Number); cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
	if !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("not a PDF: %.40q", r.Body)
	}
	if text := pdfText(t, []byte(r.Body)); !strings.Contains(text, "$8,222.78") || strings.Contains(text, "777.77") {
		t.Errorf("the served PDF is not the quote's customer copy:\n%s", text)
	}
	for _, path := range []string{"/quotes/999999.pdf", "/quotes/x.pdf", "/quotes/0.pdf"} {
		if r := c.get(path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
	if r := app.client(t).get(fmt.Sprintf("/quotes/%d.pdf", pq.q.ID)); r.Status == http.StatusOK {
		t.Errorf("the internal PDF is served without signing in")
	}

	if err := models.SendQuote(app.DB, pq.q, "buyer@example.com", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	r = app.client(t).get("/q/" + *pq.q.Token + "/pdf")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("customer PDF: %d %.80q", r.Status, r.Body)
	}
	if text := pdfText(t, []byte(r.Body)); strings.Contains(text, "777.77") || !strings.Contains(text, "Spare keyboard é") {
		t.Errorf("customer PDF content:\n%s", text)
	}
}

func longQuoteItems(n int) []models.QuoteItem {
	periods := []models.Period{models.OneTime, models.Monthly, models.Yearly}
	var items []models.QuoteItem
	for i := 1; i <= n; i++ {
		if i%20 == 1 {
			items = append(items, models.QuoteItem{Kind: models.KindHeading, Name: fmt.Sprintf("Phase %d — déploiement", i/20+1)})
		}
		it := models.QuoteItem{Kind: models.KindService, Name: fmt.Sprintf("Line item %03d — café €", i),
			Quantity: qty(float64(i%7) + 0.25), UnitPrice: models.Money(1000 + i*137), UnitCost: models.Money(500 + i),
			Period: periods[i%len(periods)], Taxable: i%3 != 0, Optional: i%25 == 0}
		if i%4 == 0 {
			it.Description = "A longer description that wraps onto a second line in the item column, so rows differ in height and the page breaks fall mid-table."
		}
		if i%5 == 0 {
			it.DiscountType, it.DiscountValue = models.DiscountPercent, 7500
		}
		items = append(items, it)
	}
	return items
}

// BenchmarkQuotePDF100 renders a 100-line quote; it must stay far under 300 ms.
func BenchmarkQuotePDF100(b *testing.B) {
	app := newTestApp(b)
	pq := createPDFQuote(b, app.DB, longQuoteItems(100))
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := handlers.RenderQuotePDF(&buf, pq.q, "Salesdesk demo IT services", now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}

// TestQuotePDFBare renders a quote with nothing but a number: no customer,
// terms, tax rate, dates or items.
func TestQuotePDFBare(t *testing.T) {
	var buf bytes.Buffer
	if err := handlers.RenderQuotePDF(&buf, nil, "Salesdesk", time.Now()); err == nil {
		t.Error("a nil quote rendered")
	}
	q := &models.Quote{Number: 7, Name: "Bare\tquote\x00 with ☃ snowman"}
	if err := handlers.RenderQuotePDF(&buf, q, "Salesdesk demo IT services", time.Now()); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, s := range []string{"Quote #7: Bare quote with . snowman", "No priced items.", "Page 1 of 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q\n%s", s, text)
		}
	}
	if strings.Contains(text, "Totals") {
		t.Error("totals shown for a quote without items")
	}
}
