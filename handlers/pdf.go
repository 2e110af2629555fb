package handlers

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"salesdesk/models"
)

// renderQuotePDF writes the customer's copy of a quote as an A4 PDF: the same
// content as the printable page, and like it never a unit cost or a margin, so
// the one function serves internal users and the customer link alike. All
// amounts come from q.Totals(), the one computation of a quote's money. It
// uses the PDF core fonts with the cp1252 code page (€, é, “quotes”); other
// characters print as a dot. now dates the document and decides whether the
// quote has expired.
func renderQuotePDF(w io.Writer, q *models.Quote, company string, now time.Time) error {
	if q == nil {
		return errors.New("quote pdf: no quote")
	}
	d := newQuotePDFDoc(q, company, now)
	d.titleBlock()
	d.addressBlock()
	d.itemsSection()
	d.totalsSection()
	d.commentsSection()
	d.expiryNote()
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("quote pdf: %w", err)
	}
	return nil
}

// Page geometry in millimetres and type sizes in points.
const (
	pdfMargin     = 15.0
	pdfLineH      = 4.4 // one line of table text
	pdfTextSize   = 9.0
	pdfSmallSize  = 8.0
	pdfFont       = "Helvetica"
	pdfHeaderH    = 10.0 // the page header: company and quote number
	pdfTableHeadH = 6.0  // the items table header
)

// The items table, as on the printable page.
var pdfItemCols = []pdfCol{
	{"Item", 70, "L"}, {"Qty", 14, "R"}, {"Unit price", 24, "R"}, {"Discount", 29, "R"},
	{"Period", 19, "L"}, {"Amount", 24, "R"},
}

type pdfCol struct {
	title string
	w     float64
	align string // L, C or R
}

// pdfText is one piece of a cell, wrapped to the column's width.
type pdfText struct {
	s     string
	style string // "" or "B" or "I"
	small bool   // smaller and grey: descriptions, notes
}

type quotePDFDoc struct {
	pdf     *fpdf.Fpdf
	tr      func(string) string
	q       *models.Quote
	t       models.QuoteTotals
	company string
	now     time.Time
	width   float64 // between the margins
	bottom  float64 // where the page break falls
}

func newQuotePDFDoc(q *models.Quote, company string, now time.Time) *quotePDFDoc {
	p := fpdf.New("P", "mm", "A4", "")
	d := &quotePDFDoc{pdf: p, tr: p.UnicodeTranslatorFromDescriptor(""), q: q, t: q.Totals(), company: company, now: now}
	pw, ph := p.GetPageSize()
	d.width = pw - 2*pdfMargin
	d.bottom = ph - 18
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, ph-d.bottom)
	p.SetCreationDate(now)
	p.SetModificationDate(now)
	p.SetTitle(d.title(), true)
	p.SetAuthor(company, true)
	p.SetCreator("Salesdesk", false)
	p.AliasNbPages("{nb}")
	p.SetHeaderFuncMode(d.pageHeader, false)
	p.SetFooterFunc(d.pageFooter)
	p.AddPage()
	return d
}

func (d *quotePDFDoc) title() string {
	return fmt.Sprintf("Quote #%d: %s", d.q.Number, pdfOneLine(d.q.Name))
}

// text prepares what people typed for the page: no control characters, and
// cp1252 bytes for the core fonts.
func (d *quotePDFDoc) text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r' || r == '\u2028' || r == '\u2029':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	return d.tr(s)
}

func pdfOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (d *quotePDFDoc) font(style string, size float64) { d.pdf.SetFont(pdfFont, style, size) }

func (d *quotePDFDoc) grey(on bool) {
	if on {
		d.pdf.SetTextColor(100, 100, 100)
	} else {
		d.pdf.SetTextColor(0, 0, 0)
	}
}

// fits reports whether h more millimetres fit on the current page.
func (d *quotePDFDoc) fits(h float64) bool { return d.pdf.GetY()+h <= d.bottom }

// keep starts a new page unless h more millimetres fit on this one.
func (d *quotePDFDoc) keep(h float64) {
	if !d.fits(h) {
		d.pdf.AddPage()
	}
}

func (d *quotePDFDoc) pageHeader() {
	p := d.pdf
	d.font("B", 12)
	p.CellFormat(d.width/2, 6, d.text(pdfOneLine(d.company)), "", 0, "L", false, 0, "")
	d.font("", 10)
	p.CellFormat(d.width/2, 6, d.text(fmt.Sprintf("Quote #%d", d.q.Number)), "", 1, "R", false, 0, "")
	p.SetDrawColor(160, 160, 160)
	p.Line(pdfMargin, p.GetY()+1, pdfMargin+d.width, p.GetY()+1)
	p.SetY(pdfMargin + pdfHeaderH)
}

func (d *quotePDFDoc) pageFooter() {
	p := d.pdf
	p.SetY(d.bottom + 6)
	d.font("", pdfSmallSize)
	d.grey(true)
	p.CellFormat(d.width*2/3, 4, d.text(fmt.Sprintf("%s · %s · printed %s", pdfOneLine(d.company), d.title(), d.now.Format(dateShown))), "", 0, "L", false, 0, "")
	p.CellFormat(d.width/3, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	d.grey(false)
}

func (d *quotePDFDoc) titleBlock() {
	d.font("B", 16)
	d.pdf.MultiCell(d.width, 7, d.text(d.title()), "", "L", false)
	d.pdf.Ln(3)
}

// addressBlock shows who the quote is for and its terms, in columns.
func (d *quotePDFDoc) addressBlock() {
	q := d.q
	var customer []string
	if o := q.Opportunity; o != nil {
		if o.Organization != nil {
			customer = append(customer, o.Organization.Name)
		}
		if o.Contact != nil && strings.TrimSpace(o.Contact.FullName()) != "" {
			customer = append(customer, o.Contact.FullName())
		}
	}
	terms := "—"
	if q.PaymentTerm != nil {
		terms = q.PaymentTerm.Name
	}
	d.columns([]string{"Customer", "Bill to", "Ship to"}, []string{strings.Join(customer, "\n"), q.BillTo, q.ShipTo})
	d.columns([]string{"Date", "Valid until", "Payment terms"}, []string{pdfDate(q.EffectiveDate), pdfDate(q.ExpirationDate), terms})
	d.pdf.Ln(2)
}

func pdfDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(dateShown)
}

// columns draws labelled blocks side by side; each block is cut at ten lines
// so the row always fits on the page.
func (d *quotePDFDoc) columns(labels, values []string) {
	p := d.pdf
	w := d.width / float64(len(labels))
	y0, yMax := p.GetY(), p.GetY()
	for i, label := range labels {
		x := pdfMargin + float64(i)*w
		p.SetXY(x, y0)
		d.font("B", pdfSmallSize)
		d.grey(true)
		p.CellFormat(w-3, pdfLineH, d.text(label), "", 2, "L", false, 0, "")
		d.grey(false)
		d.font("", pdfTextSize)
		v := strings.TrimSpace(values[i])
		if v == "" {
			v = "—"
		}
		lines := p.SplitLines([]byte(d.text(v)), w-3)
		if len(lines) > 10 {
			lines = append(lines[:9], []byte("..."))
		}
		for _, l := range lines {
			p.SetX(x)
			p.CellFormat(w-3, pdfLineH, string(l), "", 2, "L", false, 0, "")
		}
		yMax = max(yMax, p.GetY())
	}
	p.SetXY(pdfMargin, yMax+2)
}

func (d *quotePDFDoc) sectionTitle(s string, next float64) {
	d.keep(9 + next)
	d.pdf.Ln(2)
	d.font("B", 11)
	d.pdf.CellFormat(d.width, 6, d.text(s), "", 1, "L", false, 0, "")
	d.pdf.Ln(1)
}

func (d *quotePDFDoc) tableHeader() {
	p := d.pdf
	d.font("B", pdfSmallSize)
	p.SetFillColor(225, 225, 225)
	for _, c := range pdfItemCols {
		p.CellFormat(c.w, pdfTableHeadH, c.title, "", 0, c.align, true, 0, "")
	}
	p.Ln(-1)
}

// tableBreak continues the items table on a new page, under its header.
func (d *quotePDFDoc) tableBreak() {
	d.pdf.AddPage()
	d.tableHeader()
}

// itemsSection lists the lines in order, headings as group rows, and the
// optional lines apart under the headings they belong to.
func (d *quotePDFDoc) itemsSection() {
	d.sectionTitle("Items", 6+2*pdfLineH)
	if !d.itemTable(false) {
		d.font("I", pdfTextSize)
		d.pdf.CellFormat(d.width, pdfLineH*1.5, "No priced items.", "", 1, "L", false, 0, "")
	}
	if d.hasItems(true) {
		d.sectionTitle("Optional items (not included in the totals)", 6+2*pdfLineH)
		d.itemTable(true)
		d.keep(pdfLineH * 2)
		d.font("", pdfTextSize)
		d.grey(true)
		d.pdf.CellFormat(d.width, pdfLineH*1.5, "Optional items total "+d.t.Optional.Display()+".", "", 1, "L", false, 0, "")
		d.grey(false)
	}
}

func (d *quotePDFDoc) hasItems(optional bool) bool {
	for _, it := range d.q.Items {
		if it.Kind != models.KindHeading && it.Optional == optional {
			return true
		}
	}
	return false
}

// itemTable draws the optional or the included lines; a heading shows only
// when lines of that table follow it. It reports whether it drew any line.
func (d *quotePDFDoc) itemTable(optional bool) bool {
	items := d.q.Items
	drew := false
	for i := range items {
		it := &items[i]
		if it.Kind == models.KindHeading || it.Optional != optional {
			continue
		}
		if !drew {
			d.tableHeader()
			drew = true
		}
		if h := d.headingOf(i, optional); h != nil {
			d.headingRow(h)
		}
		d.itemRow(it, d.t.Lines[i])
	}
	return drew
}

// headingOf returns the heading to draw before item i: the closest heading
// above it, when no earlier line of the same table sits under that heading.
func (d *quotePDFDoc) headingOf(i int, optional bool) *models.QuoteItem {
	items := d.q.Items
	for j := i - 1; j >= 0; j-- {
		if items[j].Kind == models.KindHeading {
			return &items[j]
		}
		if items[j].Optional == optional {
			return nil
		}
	}
	return nil
}

func (d *quotePDFDoc) headingRow(h *models.QuoteItem) {
	cell := []pdfText{{s: pdfOneLine(h.Name), style: "B"}}
	if desc := strings.TrimSpace(h.Description); desc != "" {
		cell = append(cell, pdfText{s: desc, small: true})
	}
	lines := d.wrap(cell, d.width)
	// A heading starts a page rather than end one: keep it with a line below.
	if !d.fits(float64(len(lines)+2)*pdfLineH + 1) {
		d.tableBreak()
	}
	d.drawRow([][]pdfText{lines}, []pdfCol{{w: d.width, align: "L"}}, true)
}

func (d *quotePDFDoc) itemRow(it *models.QuoteItem, l models.LineAmounts) {
	item := []pdfText{{s: pdfOneLine(it.Name)}}
	if desc := strings.TrimSpace(it.Description); desc != "" {
		item = append(item, pdfText{s: desc, small: true})
	}
	if !it.Taxable {
		item = append(item, pdfText{s: "no tax", style: "I", small: true})
	}
	disc := []pdfText{{s: "—"}}
	switch it.DiscountType {
	case models.DiscountPercent:
		disc = []pdfText{{s: models.FormatRate(it.DiscountValue)}, {s: (-l.Discount).Display(), small: true}}
	case models.DiscountPerUnit:
		disc = []pdfText{{s: models.Money(it.DiscountValue).Display() + " per unit"}, {s: (-l.Discount).Display(), small: true}}
	case models.DiscountPerLine:
		disc = []pdfText{{s: models.Money(it.DiscountValue).Display()}}
	}
	cells := [][]pdfText{item, {{s: it.Quantity.String()}}, {{s: it.UnitPrice.Display()}}, disc,
		{{s: it.Period.Label()}}, {{s: l.Net.Display()}}}
	rows := make([][]pdfText, len(cells))
	for i, c := range cells {
		rows[i] = d.wrap(c, pdfItemCols[i].w)
	}
	d.drawRow(rows, pdfItemCols, false)
}

// wrap splits a cell's pieces into lines that fit width w.
func (d *quotePDFDoc) wrap(cell []pdfText, w float64) []pdfText {
	var out []pdfText
	for _, t := range cell {
		d.setText(t)
		for _, l := range d.pdf.SplitLines([]byte(d.text(t.s)), w) {
			out = append(out, pdfText{s: string(l), style: t.style, small: t.small})
		}
	}
	return out
}

func (d *quotePDFDoc) setText(t pdfText) {
	size := pdfTextSize
	if t.small {
		size = pdfSmallSize
	}
	d.font(t.style, size)
	d.grey(t.small)
}

// drawRow draws one table row of wrapped cells. A row that fits on a page is
// kept whole; a longer one flows on, line by line, and every new page starts
// with the table header again.
func (d *quotePDFDoc) drawRow(cells [][]pdfText, cols []pdfCol, fill bool) {
	p := d.pdf
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	pad := 1.0
	h := float64(n)*pdfLineH + pad
	// The room for rows on a page after the first: page and table headers off.
	room := d.bottom - pdfMargin - pdfHeaderH - pdfTableHeadH
	for i := 0; i < n; i++ {
		keepWhole := i == 0 && h <= room && !d.fits(h)
		if keepWhole || !d.fits(pdfLineH) {
			d.tableBreak()
		}
		if fill {
			p.SetFillColor(242, 242, 242)
		}
		for j, c := range cols {
			var t pdfText
			if i < len(cells[j]) {
				t = cells[j][i]
			}
			d.setText(t)
			p.CellFormat(c.w, pdfLineH, t.s, "", 0, c.align, fill, 0, "")
		}
		p.Ln(-1)
	}
	d.grey(false)
	y := p.GetY() + pad/2
	p.SetDrawColor(210, 210, 210)
	p.Line(pdfMargin, y, pdfMargin+d.width, y)
	p.SetY(y + pad/2)
}

// totalsSection shows the totals per period, then the first-year and contract
// values when there are recurring lines.
func (d *quotePDFDoc) totalsSection() {
	per := d.t.Periods
	if len(per) == 0 {
		return
	}
	p := d.pdf
	recurring := false
	for _, pt := range per {
		recurring = recurring || pt.Period != models.OneTime
	}
	tax := "no tax"
	if r := d.q.TaxRate; r != nil {
		tax = r.Percent()
	}
	cols := []pdfCol{{"Period", 40, "L"}, {"Subtotal", 35, "R"}, {"Discounts", 35, "R"}, {"Tax (" + tax + ")", 35, "R"}, {"Total", 35, "R"}}
	h := pdfLineH + 0.8
	extra := 0.0
	if recurring {
		extra = 2*h + 2
	}
	d.sectionTitle("Totals", 6+float64(len(per))*h+extra)
	d.font("B", pdfSmallSize)
	p.SetFillColor(225, 225, 225)
	for _, c := range cols {
		p.CellFormat(c.w, 6, c.title, "", 0, c.align, true, 0, "")
	}
	p.Ln(-1)
	for _, pt := range per {
		d.font("", pdfTextSize)
		p.CellFormat(cols[0].w, h, pt.Period.Label(), "", 0, "L", false, 0, "")
		p.CellFormat(cols[1].w, h, pt.Subtotal.Display(), "", 0, "R", false, 0, "")
		p.CellFormat(cols[2].w, h, (-pt.Discounts).Display(), "", 0, "R", false, 0, "")
		p.CellFormat(cols[3].w, h, pt.Tax.Display(), "", 0, "R", false, 0, "")
		d.font("B", pdfTextSize)
		p.CellFormat(cols[4].w, h, pt.Total.Display(), "", 1, "R", false, 0, "")
	}
	p.SetDrawColor(160, 160, 160)
	p.Line(pdfMargin, p.GetY()+0.5, pdfMargin+d.width, p.GetY()+0.5)
	if recurring {
		months := d.q.TermMonths
		if months <= 0 {
			months = 12 // as ComputeTotals counts it
		}
		p.Ln(2)
		d.font("B", pdfTextSize)
		p.CellFormat(d.width-35, h, "First-year value", "", 0, "R", false, 0, "")
		p.CellFormat(35, h, d.t.FirstYear.Display(), "", 1, "R", false, 0, "")
		p.CellFormat(d.width-35, h, fmt.Sprintf("Total contract value over %d months", months), "", 0, "R", false, 0, "")
		p.CellFormat(35, h, d.t.Contract.Display(), "", 1, "R", false, 0, "")
	}
}

func (d *quotePDFDoc) commentsSection() {
	c := strings.TrimSpace(d.q.Comments)
	if c == "" {
		return
	}
	d.sectionTitle("Comments", 2*pdfLineH)
	d.font("", pdfTextSize)
	d.pdf.MultiCell(d.width, pdfLineH, d.text(c), "", "L", false)
}

// expiryNote says until when the prices hold, or how the customer answered.
func (d *quotePDFDoc) expiryNote() {
	q := d.q
	answered := func(verb string) string {
		s := "This quote was " + verb
		if n := pdfOneLine(q.ResponseName); n != "" {
			s += " by " + n
		}
		if q.RespondedAt != nil {
			s += " on " + q.RespondedAt.UTC().Format(dateShown)
		}
		return s + "."
	}
	var s string
	switch {
	case q.Status == models.QuoteAccepted:
		s = answered("accepted")
	case q.Status == models.QuoteDeclined:
		s = answered("declined")
	case q.ExpirationDate.IsZero():
		return
	case q.Expired(d.now):
		s = fmt.Sprintf("This quote expired on %s (end of day, UTC); please ask us for an updated quote.", q.ExpirationDate.Format(dateShown))
	default:
		s = fmt.Sprintf("Prices are guaranteed until %s (end of day, UTC).", q.ExpirationDate.Format(dateShown))
	}
	d.keep(3 * pdfLineH)
	d.pdf.Ln(4)
	d.font("I", pdfTextSize)
	d.pdf.MultiCell(d.width, pdfLineH, d.text(s), "", "L", false)
}
