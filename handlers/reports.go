package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

// reportFilter reads the report filters; presets fill in the period.
func (a *App) reportFilter(c echo.Context) (models.ReportFilter, views.ReportPage, url.Values, error) {
	q := c.QueryParams()
	var f models.ReportFilter
	var v views.ReportPage
	// The campaign filter is part of Marketing: with it off the form has no
	// such field and a campaign sent anyway is ignored, as if not sent.
	marketing := featuresOf(c).On(models.FeatureMarketing)
	if !marketing {
		q.Del("campaign")
		q.Del("campaign_name")
	}
	f.OwnerID, _ = parseID(q.Get("owner"))
	f.CategoryID, _ = parseID(q.Get("category"))
	f.ExternalQuotes = featuresOf(c).On(models.FeatureQuoteManager)
	now := a.now().UTC()
	v.From, v.To = q.Get("from"), q.Get("to")
	quarter := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	preset := q.Get("preset")
	switch preset {
	case "this_quarter":
		v.From, v.To = quarter.Format(dateInput), quarter.AddDate(0, 3, -1).Format(dateInput)
	case "last_quarter":
		v.From, v.To = quarter.AddDate(0, -3, 0).Format(dateInput), quarter.AddDate(0, 0, -1).Format(dateInput)
	case "this_year":
		v.From, v.To = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(dateInput), time.Date(now.Year(), 12, 31, 0, 0, 0, 0, time.UTC).Format(dateInput)
	default:
		preset = ""
	}
	if strings.TrimSpace(v.From) != "" {
		if d, ok := parseDate(v.From); ok {
			f.From = d
		} else {
			v.Errs.Add("from", "Enter a date such as 2026-01-01.")
		}
	}
	if strings.TrimSpace(v.To) != "" {
		if d, ok := parseDate(v.To); ok {
			f.Before = d.AddDate(0, 0, 1)
		} else {
			v.Errs.Add("to", "Enter a date such as 2026-12-31.")
		}
	}
	if !f.From.IsZero() && !f.Before.IsZero() && !f.Before.After(f.From) {
		v.Errs.Add("to", "The end of the period is before its start.")
	}
	v.Presets = []views.Option{{Value: "", Label: "Custom dates", Selected: preset == ""},
		{Value: "this_quarter", Label: "This quarter", Selected: preset == "this_quarter"},
		{Value: "last_quarter", Label: "Last quarter", Selected: preset == "last_quarter"},
		{Value: "this_year", Label: "This year", Selected: preset == "this_year"}}
	var err error
	if marketing {
		if f.CampaignID, v.Campaign, err = a.filterPicker(models.CampaignPick{}, q, "campaign", "Campaign", "All campaigns", &v.Errs); err != nil {
			return f, v, q, err
		}
	}
	users, err := models.ActiveUsers(a.db)
	if err != nil {
		return f, v, q, err
	}
	v.Owners = userOptions(users, idStrOrEmpty(f.OwnerID), "Everyone")
	cats, err := models.Picklist(a.db, models.Categories, true, nil)
	if err != nil {
		return f, v, q, err
	}
	v.Categories = append([]views.Option{{Value: "", Label: "All categories"}}, picklistOptions(cats, idStrOrEmpty(f.CategoryID))...)
	keep := url.Values{}
	for _, k := range []string{"campaign", "owner", "category"} {
		if q.Get(k) != "" {
			keep.Set(k, q.Get(k))
		}
	}
	if !f.From.IsZero() {
		keep.Set("from", f.From.Format(dateInput))
	}
	if !f.Before.IsZero() {
		keep.Set("to", f.Before.AddDate(0, 0, -1).Format(dateInput))
	}
	v.Query = keep.Encode()
	return f, v, keep, nil
}

// drill builds the list URL behind a number: the same filters, so the list
// totals to the number.
func drill(path string, f models.ReportFilter, extra map[string]string) string {
	q := url.Values{}
	if f.CampaignID != 0 {
		q.Set("campaign", idStr(f.CampaignID))
	}
	if f.OwnerID != 0 {
		q.Set("owner", idStr(f.OwnerID))
	} else if path == "/opportunities" {
		q.Set("owner", "all")
	}
	if f.CategoryID != 0 && path == "/opportunities" {
		q.Set("category", idStr(f.CategoryID))
	}
	if !f.From.IsZero() {
		q.Set("created_from", f.From.Format(dateInput))
	}
	if !f.Before.IsZero() {
		q.Set("created_to", f.Before.AddDate(0, 0, -1).Format(dateInput))
	}
	for k, v := range extra {
		q.Set(k, v)
	}
	return path + "?" + q.Encode()
}

func (a *App) funnelReport(c echo.Context) error {
	f, v, _, err := a.reportFilter(c)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if v.Errs.Any() {
		status = http.StatusUnprocessableEntity
		f.From, f.Before = time.Time{}, time.Time{}
	}
	fc, err := models.Funnel(a.db, f)
	if err != nil {
		return err
	}
	v.Funnel = funnelView(fc, f, featuresOf(c).On(models.FeatureMarketing))
	k, err := models.Figures(a.db, f, fc)
	if err != nil {
		return err
	}
	winRate := "—"
	if k.WinRatePct >= 0 {
		winRate = strconv.FormatInt(k.WinRatePct, 10) + "%"
	}
	v.Figures = []views.ReportFact{
		{Label: "Open pipeline", Value: fc.OpenAmount.Display() + " (weighted " + fc.OpenWeighted.Display() + ")", URL: drill("/opportunities", f, map[string]string{"status": "open"})},
		{Label: "Won", Value: fc.WonAmount.Display(), URL: drill("/opportunities", f, map[string]string{"status": "won"})},
		{Label: "Win rate (won ÷ won and lost)", Value: winRate},
		{Label: "Average won deal", Value: k.AvgWon.Display()},
		{Label: "Average sales cycle", Value: strconv.FormatInt(k.AvgCycleDays, 10) + " days"},
	}
	rows, err := models.WinLoss(a.db, f)
	if err != nil {
		return err
	}
	for _, r := range rows {
		line := views.ReasonLine{Name: r.Name, Count: strconv.FormatInt(r.Count, 10), Amount: r.Amount.Display()}
		switch r.Kind {
		case "win_reason":
			v.WinReasons = append(v.WinReasons, line)
		case "loss_reason":
			v.LossReasons = append(v.LossReasons, line)
		default:
			v.Competitors = append(v.Competitors, line)
		}
	}
	months, err := models.Forecast(a.db, f, a.now().UTC())
	if err != nil {
		return err
	}
	var max models.Money = 1
	for _, m := range months {
		if m.Amount > max {
			max = m.Amount
		}
		if m.Won > max {
			max = m.Won
		}
	}
	h := func(m models.Money) (string, string) {
		hh := float64(m) / float64(max) * 170
		return fmt.Sprintf("%.1f", 190-hh), fmt.Sprintf("%.1f", hh)
	}
	thisMonth := time.Date(a.now().Year(), a.now().Month(), 1, 0, 0, 0, 0, time.UTC)
	var falt []string
	for i, m := range months {
		b := views.ForecastBar{Month: m.Month.Format("Jan 2006"), Count: strconv.FormatInt(m.Count, 10), Amount: m.Amount.Display(),
			Weighted: m.Weighted.Display(), Won: m.Won.Display(), Past: m.Month.Before(thisMonth), X: strconv.Itoa(10 + i*59),
			URL: drill("/opportunities", f, map[string]string{"status": "open", "close_from": m.Month.Format(dateInput), "close_to": m.Month.AddDate(0, 1, -1).Format(dateInput)})}
		b.AmountY, b.AmountH = h(m.Amount)
		b.WeightedY, b.WeightedH = h(m.Weighted)
		b.WonY, b.WonH = h(m.Won)
		v.Forecast = append(v.Forecast, b)
		falt = append(falt, fmt.Sprintf("%s: open %s, weighted %s, won %s", b.Month, b.Amount, b.Weighted, b.Won))
	}
	v.ForecastAlt = strings.Join(falt, "; ")
	owners, err := models.ForecastByOwner(a.db, f, a.now().UTC())
	if err != nil {
		return err
	}
	for _, o := range owners {
		v.ByOwner = append(v.ByOwner, views.ReasonLine{Name: o.Name, Count: itoa64(o.Count), Amount: o.Amount.Display() + " · " + o.Weighted.Display()})
	}
	stages, err := models.AverageTimeInStage(a.db, f)
	if err != nil {
		return err
	}
	for _, s := range stages {
		v.StageTimes = append(v.StageTimes, views.ReasonLine{Name: s.Stage, Count: strconv.Itoa(s.Spans), Amount: strconv.FormatFloat(s.Days, 'f', 1, 64)})
	}
	p := a.page(c, "Sales funnel and forecast")
	return render(c, status, views.ReportsPage(p, v))
}

// funnelStep is a stage of the funnel: its count and the list behind it.
type funnelStep struct {
	label string
	n     int64
	url   string
	parts []views.ReportFact
}

// funnelSteps are the funnel's cumulative stages, the lead stages only with
// Marketing on: the report page's picture and table, and its CSV.
func funnelSteps(fc models.FunnelCounts, f models.ReportFilter, marketing bool) []funnelStep {
	// Opportunities entered without a lead count as leads and qualified
	// leads too: those numbers are two lists.
	split := func(n int64, label, url string) []views.ReportFact {
		if fc.Direct == 0 {
			return nil
		}
		return []views.ReportFact{{Value: itoa64(n - fc.Direct), Label: label, URL: url},
			{Value: itoa64(fc.Direct), Label: "opportunities without a lead", URL: drill("/opportunities", f, map[string]string{"status": "all", "lead": "none"})}}
	}
	leadsURL, solidURL := drill("/leads", f, nil), drill("/leads", f, map[string]string{"solid": "1"})
	steps := []funnelStep{
		{"Leads", fc.Leads, leadsURL, split(fc.Leads, "leads", leadsURL)},
		{"Qualified leads", fc.Qualified, solidURL, split(fc.Qualified, "qualified leads", solidURL)},
		{"Opportunities", fc.Opportunities, drill("/opportunities", f, map[string]string{"status": "all"}), nil},
		{"Quoted", fc.Quoted, drill("/opportunities", f, map[string]string{"status": "all", "quoted": "1"}), nil},
		{"Won", fc.Won, drill("/opportunities", f, map[string]string{"status": "won"}), nil},
	}
	if !marketing {
		steps = steps[2:] // leads are part of Marketing: hidden when it is off
	}
	return steps
}

// funnelView draws the funnel component of the report page and of a
// campaign's page: the cumulative stages, each number linking to the lists
// of the records behind it.
func funnelView(fc models.FunnelCounts, f models.ReportFilter, marketing bool) views.FunnelView {
	steps := funnelSteps(fc, f, marketing)
	v := views.FunnelView{Leads: marketing}
	top := steps[0].n
	var alt []string
	for i, s := range steps {
		b := views.FunnelBar{Label: s.label, Count: itoa64(s.n), URL: s.url, Parts: s.parts}
		if i > 0 {
			b.Percent = percent1(s.n, steps[i-1].n)
		}
		// Each band is as wide as its share of the first stage, never narrower than its label.
		w := func(n int64) float64 {
			if top == 0 {
				return 170
			}
			return 170 + 210*float64(n)/float64(top)
		}
		next := s.n
		if i+1 < len(steps) {
			next = steps[i+1].n
		}
		y0, y1 := 10+float64(i)*48, 10+float64(i)*48+44
		w0, w1 := w(s.n), w(next)
		b.Points = fmt.Sprintf("%.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f", 200-w0/2, y0, 200+w0/2, y0, 200+w1/2, y1, 200-w1/2, y1)
		b.TextY = fmt.Sprintf("%.0f", y0+27)
		v.Bars = append(v.Bars, b)
		alt = append(alt, s.label+" "+b.Count)
	}
	v.Alt = strings.Join(alt, ", ") + fmt.Sprintf("; lost %d, still open %d.", fc.Lost, fc.Open)
	v.Beside = []views.ReportFact{
		{Label: "Lost", Value: itoa64(fc.Lost), URL: drill("/opportunities", f, map[string]string{"status": "lost"})},
		{Label: "Still open", Value: itoa64(fc.Open), URL: drill("/opportunities", f, map[string]string{"status": "open"})},
	}
	v.Overall = percent1(fc.Won, top)
	return v
}

func percent1(n, of int64) string {
	if of == 0 {
		return ""
	}
	v := (n*1000 + of/2) / of
	return fmt.Sprintf("%d.%d%%", v/10, v%10)
}

// funnelCSV exports one table of the report page with its filters.
func (a *App) funnelCSV(c echo.Context) error {
	f, v, _, err := a.reportFilter(c)
	if err != nil {
		return err
	}
	if v.Errs.Any() {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "The period holds an invalid date.")
	}
	table := c.QueryParam("table")
	var rows [][]string
	switch table {
	case "funnel":
		fc, err := models.Funnel(a.db, f)
		if err != nil {
			return err
		}
		// The page's table: the stages as the picture has them, then Lost and Still open beside.
		rows = [][]string{{"Stage", "Count", "Of the stage before", "Of the first stage"}}
		steps := funnelSteps(fc, f, featuresOf(c).On(models.FeatureMarketing))
		for i, s := range steps {
			before := ""
			if i > 0 {
				before = percent1(s.n, steps[i-1].n)
			}
			rows = append(rows, []string{s.label, itoa64(s.n), before, percent1(s.n, steps[0].n)})
		}
		rows = append(rows, []string{"Lost", itoa64(fc.Lost), "", ""}, []string{"Still open", itoa64(fc.Open), "", ""})
	case "winloss":
		rs, err := models.WinLoss(a.db, f)
		if err != nil {
			return err
		}
		rows = [][]string{{"Grouped by", "Reason", "Deals", "Amount"}}
		kinds := map[string]string{"win_reason": "Win reason", "loss_reason": "Loss reason", "competitor": "Competitor"}
		for _, r := range rs {
			rows = append(rows, []string{kinds[r.Kind], csvSafe(r.Name), itoa64(r.Count), r.Amount.Input0()})
		}
	case "forecast":
		ms, err := models.Forecast(a.db, f, a.now().UTC())
		if err != nil {
			return err
		}
		rows = [][]string{{"Month", "Open", "Amount", "Weighted", "Won"}}
		for _, m := range ms {
			rows = append(rows, []string{m.Month.Format("2006-01"), itoa64(m.Count), m.Amount.Input0(), m.Weighted.Input0(), m.Won.Input0()})
		}
	case "owners":
		byOwner, err := models.ForecastByOwner(a.db, f, a.now().UTC())
		if err != nil {
			return err
		}
		rows = [][]string{{"Owner", "Open closing in the next six months", "Amount", "Weighted"}}
		for _, o := range byOwner {
			rows = append(rows, []string{csvSafe(o.Name), itoa64(o.Count), o.Amount.Input0(), o.Weighted.Input0()})
		}
	case "stages":
		ss, err := models.AverageTimeInStage(a.db, f)
		if err != nil {
			return err
		}
		rows = [][]string{{"Stage", "Stays", "Average days"}}
		for _, s := range ss {
			rows = append(rows, []string{csvSafe(s.Stage), strconv.Itoa(s.Spans), strconv.FormatFloat(s.Days, 'f', 1, 64)})
		}
	default:
		return errNotFound
	}
	return a.streamCSV(c, reportCSVName(table, f), rows[0], func(write func([]string) error) error {
		for _, r := range rows[1:] {
			if err := write(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// reportCSVName names a report table's export after its filters, so that
// files exported with different filters do not all come down as funnel.csv:
// "funnel-campaign-3-owner-5-2026-01-01-to-2026-12-31.csv".
func reportCSVName(table string, f models.ReportFilter) string {
	name := table
	for _, p := range []struct {
		key string
		id  uint
	}{{"campaign", f.CampaignID}, {"owner", f.OwnerID}, {"category", f.CategoryID}} {
		if p.id != 0 {
			name += "-" + p.key + "-" + idStr(p.id)
		}
	}
	switch {
	case !f.From.IsZero() && !f.Before.IsZero():
		name += "-" + f.From.Format(dateInput) + "-to-" + f.Before.AddDate(0, 0, -1).Format(dateInput)
	case !f.From.IsZero():
		name += "-from-" + f.From.Format(dateInput)
	case !f.Before.IsZero():
		name += "-to-" + f.Before.AddDate(0, 0, -1).Format(dateInput)
	}
	return name + ".csv"
}
