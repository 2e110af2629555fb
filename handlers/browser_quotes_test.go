package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/models"
)

// TestBrowserQuoteApproveAndWin drives a quote from start to finish in real
// headless Chromium: a rep quotes an open opportunity, adds a catalog line, a
// free-form line with a fractional quantity and a discounted line, and sends
// the quote; the customer, in a browser context of their own without a
// session, approves it on the customer link; the rep then wins the quote and
// the opportunity takes the quote's amounts. An expired quote cannot be
// approved.
func TestBrowserQuoteApproveAndWin(t *testing.T) {
	bctx := newBrowser(t, 120*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}

	// An open opportunity of the rep, and a product of the catalog.
	var opp struct {
		ID    uint
		Title string
	}
	if err := app.DB.Table("opportunities").
		Joins("JOIN users ON users.id = opportunities.owner_id").
		Where("users.email = ? AND opportunities.status = ?", "rep@example.com", "active").
		Order("opportunities.id").Limit(1).
		Select("opportunities.id, opportunities.title").Scan(&opp).Error; err != nil || opp.ID == 0 {
		t.Fatalf("the demo data has no active opportunity of rep@example.com (err %v)", err)
	}
	var product models.Product
	if err := app.DB.Where("sku = ? AND active = ?", "HW-FW-60", true).First(&product).Error; err != nil {
		t.Fatalf("the demo catalog has no active product HW-FW-60: %v", err)
	}
	if product.Period == models.Monthly || product.Period == models.Yearly {
		t.Fatalf("test set-up: product %s is %s; want a period apart from the other two lines'", product.SKU, product.Period.Label())
	}
	oppPath := fmt.Sprintf("/opportunities/%d", opp.ID)

	// Sign in.
	b.signIn("rep@example.com")
	b.wantPath("/")

	// 1. A new quote with the defaults.
	b.navigate(oppPath)
	b.click("open the new quote form", linkNamed("New quote"))
	b.wantPath(oppPath + "/quotes/new")
	b.click("create the quote", buttonNamed("Create quote"))
	loc := b.location()
	m := regexp.MustCompile(`^/quotes/(\d+)(#add-h)?$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after creating the quote: at %s, want /quotes/{id}; page says: %s", loc, b.text("main", chromedp.CSS("main")))
	}
	quoteID, _ := strconv.ParseUint(m[1], 10, 64)
	quotePath := "/quotes/" + m[1]
	b.wantFlash("Created quote #")
	q := bqLoadQuote(t, app, uint(quoteID))
	if q.OpportunityID != opp.ID || q.Status != models.QuoteDraft || len(q.Items) != 0 {
		t.Fatalf("the new quote is of opportunity %d, status %q, with %d items; want opportunity %d, draft, no items",
			q.OpportunityID, q.Status, len(q.Items), opp.ID)
	}

	// 2. Three lines. The amounts the test expects, worked out here from the
	// prices: quantity × unit price, less the discount rounded to the cent.
	catalogNet := product.UnitPrice * 2
	const onboardingName = "Onboarding é €"
	onboardingNet := models.Money(142_50) // 1.5 × $95.00
	const reviewName = "Security review"
	reviewNet := models.Money(899_99) // 3 × $333.33 = $999.99, less 10% ($99.999 → $100.00)

	// A line from the catalog: the product fills in the rest. (Fields are
	// emptied with Clear: chromedp's SetValue cannot set "".)
	b.do("choose a product from the catalog and quantity 2",
		chromedp.SetValue(fieldLabelled("From the catalog"), strconv.FormatUint(uint64(product.ID), 10)),
		chromedp.Clear(fieldLabelled("Quantity")),
		chromedp.SendKeys(fieldLabelled("Quantity"), "2"))
	bqAddLine(b, "add the catalog line")
	b.wantFlash("Added “" + product.Name + "”")
	bqWantLine(b, bqLine{Item: product.Name, Qty: "2", UnitPrice: product.UnitPrice.Display(), Discount: "—",
		Period: product.Period.Label(), Amount: catalogNet.Display()})

	// A free-form line with a fractional quantity, billed monthly.
	b.do("fill in a free-form monthly line",
		chromedp.SetValue(fieldLabelled("Type"), string(models.KindService)),
		chromedp.SendKeys(fieldLabelled("Name"), onboardingName),
		chromedp.Clear(fieldLabelled("Quantity")),
		chromedp.SendKeys(fieldLabelled("Quantity"), "1.5"),
		chromedp.SendKeys(fieldLabelled("Unit price"), "95"),
		chromedp.SetValue(fieldLabelled("Period"), string(models.Monthly)))
	bqAddLine(b, "add the free-form line")
	b.wantFlash("Added “" + onboardingName + "”")
	bqWantLine(b, bqLine{Item: onboardingName, Qty: "1.5", UnitPrice: "$95.00", Discount: "—", Period: "Monthly", Amount: onboardingNet.Display()})

	// A yearly line with a 10% discount.
	b.do("fill in a line with a 10% discount",
		chromedp.SetValue(fieldLabelled("Type"), string(models.KindService)),
		chromedp.SendKeys(fieldLabelled("Name"), reviewName),
		chromedp.Clear(fieldLabelled("Quantity")),
		chromedp.SendKeys(fieldLabelled("Quantity"), "3"),
		chromedp.SendKeys(fieldLabelled("Unit price"), "333.33"),
		chromedp.SetValue(fieldLabelled("Period"), string(models.Yearly)),
		chromedp.SetValue(fieldLabelled("Discount"), string(models.DiscountPercent)),
		chromedp.SendKeys(fieldLabelled("Discount value"), "10"))
	bqAddLine(b, "add the discounted line")
	b.wantFlash("Added “" + reviewName + "”")
	bqWantLine(b, bqLine{Item: reviewName, Qty: "3", UnitPrice: "$333.33", Discount: "10%", Period: "Yearly", Amount: reviewNet.Display()})

	if rows := bqLines(b); len(rows) != 3 {
		t.Fatalf("the items table has %d lines, want 3: %+v", len(rows), rows)
	}

	// The totals: the quote as stored, worked out with ComputeTotals, agrees
	// with the amounts above, and the page shows its total per period.
	q = bqLoadQuote(t, app, uint(quoteID))
	if len(q.Items) != 3 || q.Items[1].Name != onboardingName || q.Items[1].Quantity != 15000 {
		t.Fatalf("the stored quote has the items %+v; want the catalog line, %q with quantity 1.5 and %q", q.Items, onboardingName, reviewName)
	}
	var taxRate int64
	if q.TaxRate != nil {
		taxRate = q.TaxRate.Rate
	}
	totals := models.ComputeTotals(q.Items, taxRate, q.TermMonths)
	wantNet := map[string]models.Money{product.Period.Label(): catalogNet, "Monthly": onboardingNet, "Yearly": reviewNet}
	if len(totals.Periods) != len(wantNet) {
		t.Fatalf("ComputeTotals gives %d periods (%+v), want %d", len(totals.Periods), totals.Periods, len(wantNet))
	}
	for _, p := range totals.Periods {
		if want := wantNet[p.Period.Label()]; p.Net != want {
			t.Errorf("ComputeTotals: %s net %s, want %s (worked out from the prices)", p.Period.Label(), p.Net.Display(), want.Display())
		}
	}
	if want := catalogNet + 12*onboardingNet + reviewNet; totals.Revenue.FirstYear() != want {
		t.Errorf("ComputeTotals: first-year revenue %s, want %s", totals.Revenue.FirstYear().Display(), want.Display())
	}
	editorTotals := bqTotals(b)
	if len(editorTotals) != len(totals.Periods) {
		t.Fatalf("the editor's totals table has %d rows (%+v), want %d", len(editorTotals), editorTotals, len(totals.Periods))
	}
	for i, p := range totals.Periods {
		if r := editorTotals[i]; r.Period != p.Period.Label() || r.Total != p.Total.Display() {
			t.Errorf("the editor's totals row %d is %+v, want %s with the total %s", i+1, r, p.Period.Label(), p.Total.Display())
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// 3. Send it.
	b.do("enter the customer's e-mail address",
		chromedp.Clear(fieldLabelled("Send to (e-mail)")),
		chromedp.SendKeys(fieldLabelled("Send to (e-mail)"), "customer@example.com"))
	b.click("send the quote", buttonNamed("Send to customer"))
	if loc := b.location(); !strings.HasPrefix(loc, quotePath+"#") && loc != quotePath {
		t.Fatalf("after sending: at %s, want %s", loc, quotePath)
	}
	b.wantFlash("Marked as sent to customer@example.com, but nothing was e-mailed")
	// The whole address, to paste into an e-mail.
	full := b.text("the customer link", chromedp.CSS(`section[aria-labelledby="send-h"] code`))
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/q/[A-Za-z0-9_-]{20,64}$`).MatchString(full) {
		t.Fatalf("the customer link on the page is %q, want http://{host}/q/{token}", full)
	}
	link := full[strings.Index(full, "/q/"):]
	q = bqLoadQuote(t, app, uint(quoteID))
	if q.Status != models.QuoteSent || q.Token == nil || "/q/"+*q.Token != link || q.SentTo != "customer@example.com" {
		t.Fatalf("after sending, the stored quote has status %q, token %v, sent to %q; want sent to customer@example.com with the link %s",
			q.Status, q.Token, q.SentTo, link)
	}

	// 4. The customer, in a fresh browser context: no session, no cookies.
	cctx, cancelCustomer := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelCustomer)
	if err := chromedp.Do(cctx); err != nil {
		t.Fatalf("open a fresh browser context: %v", err)
	}
	cb := &browser{t: t, ctx: cctx, base: app.URL}
	cb.navigate(quotePath)
	if loc := cb.location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("the fresh browser context opened %s and is at %s; want the sign-in page (no session)", quotePath, loc)
	}
	if status := cb.navigateStatus(link); status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", link, status)
	}
	if got := bqTotals(cb); !slices.Equal(got, editorTotals) {
		t.Fatalf("the customer page's totals are %+v, want the editor's %+v", got, editorTotals)
	}
	if n := bqCount(cb, "p.internal, td[data-label=Cost]"); n != 0 {
		t.Errorf("the customer page shows %d internal cost or margin elements, want none", n)
	}
	const customerName = "Zoë Åkesson"
	const customerComment = "Looks good — please go ahead."
	cb.do("fill in the answer",
		chromedp.SendKeys(fieldLabelled("Your name"), customerName),
		chromedp.SendKeys(fieldLabelled("Comments"), customerComment))
	customerCSRF := bqCSRF(cb)
	if customerCSRF == "" {
		t.Fatalf("the customer's answer form has no csrf_token")
	}
	cb.click("approve the quote", buttonNamed("Approve"))
	cb.wantPath(link)
	cb.wantFlash("Thank you: your approval has been recorded.")
	if answer := cb.text("the answer", chromedp.CSS("section.answer-box")); !strings.Contains(answer, customerName+" approved this quote on") {
		t.Fatalf("after approving the answer box says %q, want “%s approved this quote on …”", answer, customerName)
	}
	if n := bqButtons(cb, "Approve") + bqButtons(cb, "Decline"); n != 0 {
		t.Fatalf("after approving the page still has %d Approve or Decline buttons, want none", n)
	}

	// Posting again, as a re-submitted form would, changes nothing.
	for _, answer := range []string{"approve", "decline"} {
		status := bqPost(cb, link, map[string]string{"csrf_token": customerCSRF, "name": "Someone Else", "comment": "Changed my mind", "answer": answer})
		if status != http.StatusConflict {
			t.Errorf("a second POST %s with answer=%s: status %d, want 409", link, answer, status)
		}
	}
	q = bqLoadQuote(t, app, uint(quoteID))
	if q.Status != models.QuoteAccepted || q.ResponseName != customerName || q.ResponseComment != customerComment || q.RespondedAt == nil {
		t.Fatalf("the stored answer is status %q, name %q, comment %q (at %v); want accepted by %q with the comment %q",
			q.Status, q.ResponseName, q.ResponseComment, q.RespondedAt, customerName, customerComment)
	}
	cb.navigate(link)
	if answer := cb.text("the answer", chromedp.CSS("section.answer-box")); !strings.Contains(answer, customerName+" approved this quote on") {
		t.Fatalf("after the second POST the answer box says %q, want still “%s approved this quote on …”", answer, customerName)
	}

	// 5. Back to the rep: win the quote.
	b.navigate(quotePath)
	if notice := b.text("the accepted notice", chromedp.CSS("main p.flash:not(#flash)")); notice != "The customer accepted this quote — mark the opportunity as won?" {
		t.Fatalf("the quote page says %q, want “The customer accepted this quote — mark the opportunity as won?”", notice)
	}
	if answer := b.text("the customer's answer", chromedp.CSS("main p.answer")); !strings.Contains(answer, customerName+" accepted this quote") || !strings.Contains(answer, customerComment) {
		t.Fatalf("the quote page shows the answer %q, want %s's acceptance and comment", answer, customerName)
	}
	b.click("open the won form", linkNamed("Won quote"))
	b.wantPath(quotePath + "/won")
	reason := b.firstOption("reason_id")
	b.do("choose a win reason", chromedp.SetValue(fieldLabelled("Win reason"), reason))
	b.click("mark as won", buttonNamed("Mark as won"))
	b.wantPath(oppPath)
	b.wantFlash(fmt.Sprintf("Quote #%d won", q.Number))
	if status := b.text("the status badge", chromedp.CSS(".record-sub .status")); status != "Closed (won)" {
		t.Fatalf("after winning the quote the opportunity's status is %q, want Closed (won)", status)
	}
	var won struct {
		Status string
		Amount int64
	}
	if err := app.DB.Table("opportunities").Where("id = ?", opp.ID).Select("status, amount").Scan(&won).Error; err != nil {
		t.Fatal(err)
	}
	wantAmount := totals.Revenue.FirstYear()
	if won.Status != string(models.StatusClosed) || models.Money(won.Amount) != wantAmount {
		t.Fatalf("in the database the opportunity has status %q and amount %s; want closed with the quote's first-year revenue %s",
			won.Status, models.Money(won.Amount).Display(), wantAmount.Display())
	}
	if kpi := b.text("the amount", chromedp.CSS(".kpis .kpi")); kpi != wantAmount.Display() {
		t.Errorf("the opportunity page shows the amount %s, want %s", kpi, wantAmount.Display())
	}

	// An expired quote cannot be approved.
	var other struct {
		ID    uint
		Token string
	}
	if err := app.DB.Table("quotes").Where("status = ? AND token IS NOT NULL AND id <> ?", "sent", quoteID).
		Order("id").Limit(1).Select("id, token").Scan(&other).Error; err != nil || other.ID == 0 {
		t.Fatalf("the demo data has no other sent quote with a link (err %v)", err)
	}
	now := time.Now().UTC()
	yesterday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	if err := app.DB.Model(&models.Quote{}).Where("id = ?", other.ID).Update("expiration_date", yesterday).Error; err != nil {
		t.Fatal(err)
	}
	expiredLink := "/q/" + other.Token
	if status := cb.navigateStatus(expiredLink); status != http.StatusOK {
		t.Fatalf("GET %s (expired): status %d, want 200", expiredLink, status)
	}
	wantExpired := "This quote expired on " + yesterday.Format("2 Jan 2006")
	if answer := cb.text("the answer box", chromedp.CSS("section.answer-box")); !strings.Contains(answer, wantExpired) || !strings.Contains(answer, "can no longer be approved") {
		t.Fatalf("the expired quote's answer box says %q, want “%s and can no longer be approved …”", answer, wantExpired)
	}
	if n := bqButtons(cb, "Approve"); n != 0 {
		t.Fatalf("the expired quote's page has %d Approve buttons, want none", n)
	}
	// The page has no form, so no csrf_token of its own: use the session's
	// token, which this browser context got on the answer form above.
	tok := bqCSRF(cb)
	if tok == "" {
		tok = customerCSRF
	}
	if status := bqPost(cb, expiredLink, map[string]string{"csrf_token": tok, "name": "Late Customer", "comment": "", "answer": "approve"}); status != http.StatusConflict {
		t.Errorf("POST %s (expired) with answer=approve: status %d, want 409", expiredLink, status)
	}
	var after struct {
		Status       string
		ResponseName string
	}
	if err := app.DB.Table("quotes").Where("id = ?", other.ID).Select("status, response_name").Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	if after.Status != string(models.QuoteSent) || after.ResponseName != "" {
		t.Fatalf("after the POST the expired quote has status %q and answer name %q, want still sent and unanswered", after.Status, after.ResponseName)
	}
}

func bqLoadQuote(t *testing.T, app *testApp, id uint) *models.Quote {
	t.Helper()
	q, err := models.LoadQuote(app.DB, id)
	if err != nil {
		t.Fatalf("load quote %d: %v", id, err)
	}
	return q
}

// bqAddLine clicks "Add line" in the quote editor. app.js posts the form with
// fetch and puts the page it leads to in place of <main>, without a page
// load: wait until the old content of <main> is gone.
func bqAddLine(b *browser, step string) {
	b.t.Helper()
	b.do("mark the editor's content before: "+step,
		chromedp.Evaluate[chromedp.Void](`window.bqOldMain = document.querySelector("#main").firstElementChild`))
	b.do(step, chromedp.Click(buttonNamed("Add line")))
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		`(m => m && m.firstElementChild && !m.contains(window.bqOldMain || null) && document.readyState === "complete")(document.querySelector("#main"))`,
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.fail(step+": wait for the editor to come back", err)
	}
	if n := bqCount(b, "main .error-summary, main [aria-invalid=true]"); n != 0 {
		b.fail(step, fmt.Errorf("the form came back with errors: %s", b.text("main", chromedp.CSS("main"))))
	}
}

// bqLine is one line of a quote's items table, as shown.
type bqLine struct {
	Item      string `json:"item"`
	Qty       string `json:"qty"`
	UnitPrice string `json:"unitPrice"`
	Discount  string `json:"discount"`
	Period    string `json:"period"`
	Amount    string `json:"amount"`
}

// bqLines reads the lines of the items table (headings left out); Item is the
// line's name, without its description or badges.
func bqLines(b *browser) []bqLine {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]bqLine](`[...document.querySelectorAll("main table.quote-lines")].slice(0, 1).flatMap(t =>
		[...t.querySelectorAll("tbody tr")].filter(tr => tr.querySelector('td[data-label="Item"]')).map(tr => {
			const cell = l => (tr.querySelector('td[data-label="' + l + '"]') || {textContent: ""}).textContent.replace(/\s+/g, " ").trim();
			return {item: tr.querySelector('td[data-label="Item"]').firstChild.textContent.trim(), qty: cell("Qty"),
				unitPrice: cell("Unit price"), discount: cell("Discount"), period: cell("Period"), amount: cell("Amount")};
		}))`))
	if err != nil {
		b.fail("read the items table", err)
	}
	return rows
}

func bqWantLine(b *browser, want bqLine) {
	b.t.Helper()
	rows := bqLines(b)
	for _, r := range rows {
		if r.Item == want.Item {
			if r != want {
				b.t.Fatalf("the items table shows the line %+v, want %+v", r, want)
			}
			return
		}
	}
	b.t.Fatalf("the items table has no line %q; it has %+v", want.Item, rows)
}

// bqPeriod is one row of a quote's totals table.
type bqPeriod struct {
	Period    string `json:"period"`
	Subtotal  string `json:"subtotal"`
	Discounts string `json:"discounts"`
	Tax       string `json:"tax"`
	Total     string `json:"total"`
}

func bqTotals(b *browser) []bqPeriod {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]bqPeriod](`[...document.querySelectorAll("main .totals table tbody tr")].map(tr => {
		const cell = l => (tr.querySelector('td[data-label="' + l + '"]') || {textContent: ""}).textContent.trim();
		return {period: tr.querySelector("th").textContent.trim(), subtotal: cell("Subtotal"), discounts: cell("Discounts"), tax: cell("Tax"), total: cell("Total")};
	})`))
	if err != nil {
		b.fail("read the totals table", err)
	}
	return rows
}

// bqCount is how many elements the CSS selector finds.
func bqCount(b *browser, sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.fail("count "+sel, err)
	}
	return n
}

// bqButtons is how many buttons with the text name the page has.
func bqButtons(b *browser, name string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`[...document.querySelectorAll("button")].filter(b => b.textContent.trim() === %q).length`, name)))
	if err != nil {
		b.fail("count the "+name+" buttons", err)
	}
	return n
}

// bqCSRF is the csrf_token of the page's first form, or "" without one.
func bqCSRF(b *browser) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`(document.querySelector('input[name="csrf_token"]') || {value: ""}).value`))
	if err != nil {
		b.fail("read the csrf_token", err)
	}
	return s
}

// bqPost posts a form from the page, with the browser's cookies, as a
// hand-made form would, and returns the status (redirects are not followed).
func bqPost(b *browser, path string, form map[string]string) int {
	b.t.Helper()
	body, err := json.Marshal(form)
	if err != nil {
		b.t.Fatal(err)
	}
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`fetch(%q, {method: "POST", body: new URLSearchParams(%s), credentials: "same-origin", redirect: "manual"}).then(r => r.type === "opaqueredirect" ? 303 : r.status)`,
		path, body), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("POST "+path, err)
	}
	return status
}
