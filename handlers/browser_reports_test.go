package handlers_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// rptSVGBox is what the browser shows of the funnel picture.
type rptSVGBox struct {
	Width, Height float64
	Visible       bool
	Bands         int // polygons drawn with a size and a visible fill
	Texts         []string
}

// rptBandFit is one band of the funnel picture: its label's extent and the
// band's extent at the label's middle height, in the picture's units.
type rptBandFit struct {
	Label                   string
	TextLeft, TextRight     float64
	BandLeft, BandRight     float64
	TextFill, BandFill, Svg string
}

// The labels of the funnel bands are white: drawn past the edge of their band
// they vanish on the white card. Each must fit inside its band.
func TestBrowserReportFunnelLabelsFitTheirBands(t *testing.T) {
	bctx := newBrowser(t, 60*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	show := campaignNamed(t, app, demoShowName)
	b.signIn("manager@example.com")
	b.navigate("/reports/funnel?campaign=" + idString(show.ID))
	b.do("wait for the funnel picture", chromedp.WaitVisible(chromedp.CSS("svg.funnel-svg")))
	fits, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]rptBandFit](`(() => {
		const svg = document.querySelector("svg.funnel-svg");
		const polys = [...svg.querySelectorAll("polygon")], texts = [...svg.querySelectorAll("text")];
		return texts.map((t, i) => {
			const tb = t.getBBox(), p = polys[i].points, y = tb.y + tb.height / 2;
			// Left edge from point 0 (top left) to 3 (bottom left), right edge from 1 to 2.
			const at = (a, b) => a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y);
			return {Label: t.textContent.trim(), TextLeft: tb.x, TextRight: tb.x + tb.width,
				BandLeft: at(p.getItem(0), p.getItem(3)), BandRight: at(p.getItem(1), p.getItem(2)),
				TextFill: getComputedStyle(t).fill, BandFill: getComputedStyle(polys[i]).fill, Svg: getComputedStyle(svg).backgroundColor};
		});
	})()`))
	if err != nil {
		b.fail("measure the funnel labels", err)
	}
	if len(fits) != 5 {
		t.Fatalf("%d labelled bands, want 5", len(fits))
	}
	for _, f := range fits {
		if f.TextLeft < f.BandLeft-1 || f.TextRight > f.BandRight+1 { // a unit of slack for the glyphs' side bearings
			t.Errorf("%q spans %.0f–%.0f, its band only %.0f–%.0f (label %s on band %s, picture background %s)",
				f.Label, f.TextLeft, f.TextRight, f.BandLeft, f.BandRight, f.TextFill, f.BandFill, f.Svg)
		}
	}
}

// TestBrowserReportFunnelOfTheTradeShow opens the report as a manager in
// headless Chromium, takes a full screenshot, checks the funnel picture is
// drawn and follows the Won number to the opportunity list.
func TestBrowserReportFunnelOfTheTradeShow(t *testing.T) {
	bctx := newBrowser(t, 60*time.Second)
	app := newTestApp(t)
	b := &browser{t: t, ctx: bctx, base: app.URL}
	show := campaignNamed(t, app, demoShowName)

	b.signIn("manager@example.com")
	b.wantPath("/")

	path := "/reports/funnel?campaign=" + idString(show.ID)
	b.navigate(path)
	b.wantPath(path)
	b.do("wait for the funnel picture", chromedp.WaitVisible(chromedp.CSS("svg.funnel-svg")))

	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("take a full screenshot", err)
	}
	file := filepath.Join(t.TempDir(), "report-funnel.png")
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot %s is not a PNG: %v", file, err)
	}
	// A full-page screenshot is taller than the window: the page has four sections.
	if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 900 {
		t.Errorf("screenshot %s is %dx%d, want the whole page", file, r.Dx(), r.Dy())
	}
	colours := map[uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && len(colours) < 50; y += 7 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colours) < 10 {
		t.Errorf("screenshot %s has %d colours: blank?", file, len(colours))
	}

	box, err := chromedp.Run(b.ctx, chromedp.Evaluate[rptSVGBox](`(() => {
		const svg = document.querySelector("svg.funnel-svg");
		const r = svg.getBoundingClientRect(), cs = getComputedStyle(svg);
		const shown = el => { const s = getComputedStyle(el), b = el.getBoundingClientRect();
			return b.width > 0 && b.height > 0 && s.visibility !== "hidden" && s.display !== "none" && s.fill !== "none" && parseFloat(s.opacity) > 0; };
		return {Width: r.width, Height: r.height, Visible: cs.visibility !== "hidden" && cs.display !== "none" && parseFloat(cs.opacity) > 0,
			Bands: [...svg.querySelectorAll("polygon")].filter(shown).length,
			Texts: [...svg.querySelectorAll("text")].filter(shown).map(t => t.textContent.trim())};
	})()`))
	if err != nil {
		b.fail("measure the funnel picture", err)
	}
	if !box.Visible || box.Width < 150 || box.Height < 100 {
		t.Errorf("funnel picture %+v: want it visible and at least 150×100", box)
	}
	if want := "Leads: 147|Qualified leads: 63|Opportunities: 32|Quoted: 32|Won: 14"; box.Bands != 5 || strings.Join(box.Texts, "|") != want {
		t.Errorf("funnel picture shows %d bands with %q, want 5 with %q", box.Bands, box.Texts, want)
	}

	// The Won number of the table leads to the 14 won deals.
	b.click("click the Won number", chromedp.Search(
		`//section[@aria-labelledby="funnel-h"]//table//tr[th[normalize-space()="Won"]]//a`))
	if loc := b.location(); !strings.HasPrefix(loc, "/opportunities?") || !strings.Contains(loc, "status=won") {
		t.Fatalf("after clicking Won: at %s, want the won opportunities", loc)
	}
	if got := b.text("the list summary", chromedp.CSS("main p.summary")); got != "14 opportunities" {
		t.Errorf("the won list says %q, want %q", got, "14 opportunities")
	}
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main table.list tbody tr").length`)); err != nil || n != 14 {
		t.Errorf("the won list shows %d rows (%v), want 14", n, err)
	}
}
