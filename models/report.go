package models

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReportFilter narrows the manager reports.
type ReportFilter struct {
	CampaignID uint
	OwnerID    uint
	CategoryID uint
	From       time.Time // created on or after, when set
	Before     time.Time // created before, when set
	// ExternalQuotes: "Quoted" counts the Quote Manager's quotes, while the
	// integration replaces the built-in ones.
	ExternalQuotes bool
}

// where is the filter as one condition on the records of table (leads have
// no category), created in [from, before); a zero bound is left open.
func (f ReportFilter) where(table string, category bool, from, before time.Time) (string, []any) {
	conds, args := []string{"true"}, []any{}
	add := func(cond string, arg any) {
		conds, args = append(conds, table+"."+cond), append(args, arg)
	}
	if f.CampaignID != 0 {
		add("campaign_id = ?", f.CampaignID)
	}
	if f.OwnerID != 0 {
		add("owner_id = ?", f.OwnerID)
	}
	if category && f.CategoryID != 0 {
		add("category_id = ?", f.CategoryID)
	}
	if !from.IsZero() {
		add("created_at >= ?", from)
	}
	if !before.IsZero() {
		add("created_at < ?", before)
	}
	return strings.Join(conds, " AND "), args
}

func (f ReportFilter) leads(db *gorm.DB) *gorm.DB {
	cond, args := f.where("leads", false, f.From, f.Before)
	return db.Table("leads").Where(cond, args...)
}

func (f ReportFilter) opps(db *gorm.DB) *gorm.DB {
	cond, args := f.where("opportunities", true, f.From, f.Before)
	return db.Table("opportunities").Where(cond, args...)
}

// UseReportRollups lets the reports read the rollups the database keeps
// (db/rollups.go, SQLite); tests turn it off to compare with the records.
var UseReportRollups = true

// rollup is a report rollup table, as "r", narrowed to the filter: on
// SQLite, where the rollups are kept. The months wholly inside the period
// come from the monthly rollup and the whole days at either end from the
// daily one; what is left (a campaign's days at the ends, which the daily
// rollup does not keep per campaign, and parts of a day) comes from the
// records themselves (rollupRecords), in rows of the same shape, so a report
// sums them all alike. Without an owner or category filter the rows for
// everyone are read, or with byOwner those of each owner for all categories.
// Leads have no category (as in leads()).
func (f ReportFilter) rollup(db *gorm.DB, table string, byOwner bool) (*gorm.DB, bool) {
	if !UseReportRollups || db.Dialector.Name() != "sqlite" {
		return nil, false
	}
	u := rollupNamed(table)
	category := u.category && f.CategoryID != 0
	// The rows read, as a condition on the rollup, and what the records carry instead.
	var conds []string
	var condArgs []any
	key := map[string]string{"campaign_id": "-1", "owner_id": "-1", "category_id": "-1"}
	conds, condArgs = append(conds, "campaign_id = ?"), append(condArgs, -1)
	if f.CampaignID != 0 {
		condArgs[0], key["campaign_id"] = f.CampaignID, "COALESCE(R.campaign_id, 0)"
	}
	switch {
	case f.OwnerID != 0:
		conds, condArgs, key["owner_id"] = append(conds, "owner_id = ?"), append(condArgs, f.OwnerID), "R.owner_id"
	case f.CampaignID != 0:
		key["owner_id"] = "R.owner_id" // one campaign's rows are per owner and category only
	case byOwner || category:
		// Each owner's rows, sought one owner at a time: the key goes on
		// to the category (and a range on the owner would read them all).
		conds, key["owner_id"] = append(conds, "owner_id IN (SELECT id FROM users)"), "R.owner_id"
	default:
		conds, condArgs = append(conds, "owner_id = ?"), append(condArgs, -1)
	}
	if u.category {
		if category {
			conds, condArgs, key["category_id"] = append(conds, "category_id = ?"), append(condArgs, f.CategoryID), "COALESCE(R.category_id, 0)"
		} else if f.CampaignID != 0 {
			key["category_id"] = "COALESCE(R.category_id, 0)"
		} else {
			conds, condArgs = append(conds, "category_id = ?"), append(condArgs, -1)
		}
	}
	var arms []string
	var args []any
	// from reads grain g (nil: the records) for [from, before); a zero bound is left open.
	from := func(g *grain, from, before time.Time) {
		if g == nil {
			cond, a := f.where("R", u.category, from, before)
			index := u.source + "_created"
			if f.CampaignID != 0 {
				index = u.source + "_campaign_created"
			}
			arms, args = append(arms, rollupRecords(table, key, cond, index)), append(args, a...)
			return
		}
		cols := append(u.dims(), g.col+" AS month")
		cols = append(append(cols, u.keyCols...), u.valCols...)
		arm, a := "SELECT "+strings.Join(cols, ", ")+" FROM "+table+g.suffix+" WHERE "+strings.Join(conds, " AND ")+" AND n > 0", condArgs
		format := "2006-01-02"
		if g.col == "month" {
			format = "2006-01"
		}
		if !from.IsZero() {
			arm, a = arm+" AND "+g.col+" >= ?", append(a, from.Format(format))
		}
		if !before.IsZero() {
			arm, a = arm+" AND "+g.col+" < ?", append(a, before.Format(format))
		}
		arms, args = append(arms, arm), append(args, a...)
	}
	// end reads [a, b), which holds no whole month: the daily rollup for
	// the whole days, unless for one campaign.
	end := func(a, b time.Time) {
		d1, d2 := ceilDay(a), DateOnly(b)
		if f.CampaignID != 0 || !d1.Before(d2) {
			from(nil, a, b)
			return
		}
		if a.Before(d1) {
			from(nil, a, d1)
		}
		from(&daily, d1, d2)
		if d2.Before(b) {
			from(nil, d2, b)
		}
	}
	// [first, last): the whole months of the period; zero for no bound.
	var first, last time.Time
	if !f.From.IsZero() {
		first = ceilMonth(f.From)
	}
	if !f.Before.IsZero() {
		last = time.Date(f.Before.UTC().Year(), f.Before.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case !f.From.IsZero() && !f.Before.IsZero() && !f.From.Before(f.Before):
		return db.Table(table + " AS r").Where("false"), true
	case !first.IsZero() && !last.IsZero() && !first.Before(last):
		end(f.From, f.Before) // no whole month inside
	default:
		from(&monthly, first, last)
		if f.From.Before(first) {
			end(f.From, first)
		}
		if last.Before(f.Before) {
			end(last, f.Before)
		}
	}
	return db.Table("("+strings.Join(arms, " UNION ALL ")+") AS r", args...), true
}

func ceilDay(t time.Time) time.Time {
	if d := DateOnly(t); d.Before(t) {
		return d.AddDate(0, 0, 1)
	}
	return t.UTC()
}

func ceilMonth(t time.Time) time.Time {
	m := time.Date(t.UTC().Year(), t.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Before(t) {
		return m.AddDate(0, 1, 0)
	}
	return m
}

// OppFilterFor is the opportunity-list filter showing the records behind a
// report number, so the list totals to the number.
func (f ReportFilter) OppFilter() OppFilter {
	return OppFilter{CampaignID: f.CampaignID, OwnerID: f.OwnerID, CategoryID: f.CategoryID, CreatedFrom: f.From, CreatedBefore: f.Before,
		ExternalQuotes: f.ExternalQuotes}
}

// FunnelCounts are the funnel of product.md, each stage counted cumulatively:
// a won deal also counts as quoted, as an opportunity, as qualified, as a lead.
// An opportunity entered without a lead (Direct) is its own lead: it counts
// in Leads and Qualified too, so no stage holds more than the one before.
type FunnelCounts struct {
	Leads         int64 // leads, and the Direct opportunities
	Qualified     int64 // leads qualified or converted, and the Direct opportunities
	Opportunities int64
	Quoted        int64 // opportunities with a quote, or won
	Won           int64
	Lost          int64
	Open          int64
	Direct        int64 // opportunities not converted from a lead
	WonAmount     Money
	LostAmount    Money
	OpenAmount    Money
	OpenWeighted  Money
}

// Funnel counts in SQL aggregates, two queries in all; quoted and from_lead
// are flags the database keeps on each opportunity (migration 11).
func Funnel(db *gorm.DB, f ReportFilter) (FunnelCounts, error) {
	var c FunnelCounts
	var leads struct{ Leads, Qualified int64 }
	lq, n := f.leads(db), "1"
	if r, ok := f.rollup(db, "report_leads", false); ok {
		lq, n = r, "r.n"
	}
	if err := lq.Select("COALESCE(SUM(" + n + "), 0) AS leads, COALESCE(SUM(CASE WHEN status IN ('qualified', 'converted') THEN " + n + " ELSE 0 END), 0) AS qualified").
		Scan(&leads).Error; err != nil {
		return c, err
	}
	var o struct {
		Opportunities, Quoted, Won, Lost, Open, Direct int64
		WonAmount, LostAmount, OpenAmount, OpenWtd     Money
	}
	var err error
	// The rollups know the built-in quotes only.
	if r, ok := f.rollup(db, "report_opps", false); ok && !f.ExternalQuotes {
		err = r.Select(`COALESCE(SUM(n), 0) AS opportunities,
			COALESCE(SUM(CASE WHEN quoted = 1 OR status IN ('closed', 'implemented') THEN n ELSE 0 END), 0) AS quoted,
			COALESCE(SUM(CASE WHEN status IN ('closed', 'implemented') THEN n ELSE 0 END), 0) AS won,
			COALESCE(SUM(CASE WHEN status = 'lost' THEN n ELSE 0 END), 0) AS lost,
			COALESCE(SUM(CASE WHEN is_open = 1 THEN n ELSE 0 END), 0) AS open,
			COALESCE(SUM(CASE WHEN from_lead = 1 THEN 0 ELSE n END), 0) AS direct,
			COALESCE(SUM(CASE WHEN status IN ('closed', 'implemented') THEN amount ELSE 0 END), 0) AS won_amount,
			COALESCE(SUM(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) AS lost_amount,
			COALESCE(SUM(CASE WHEN is_open = 1 THEN amount ELSE 0 END), 0) AS open_amount,
			COALESCE(SUM(weighted), 0) AS open_wtd`).Scan(&o).Error
	} else {
		err = f.opps(db).Select(`COUNT(*) AS opportunities,
			COALESCE(SUM(CASE WHEN status IN ('closed', 'implemented') OR ` + quotedSQL(f.ExternalQuotes) + ` THEN 1 ELSE 0 END), 0) AS quoted,
			COALESCE(SUM(CASE WHEN status IN ('closed', 'implemented') THEN 1 ELSE 0 END), 0) AS won,
			COALESCE(SUM(CASE WHEN status = 'lost' THEN 1 ELSE 0 END), 0) AS lost,
			COALESCE(SUM(CASE WHEN is_open THEN 1 ELSE 0 END), 0) AS open,
			COALESCE(SUM(CASE WHEN from_lead THEN 0 ELSE 1 END), 0) AS direct,
			COALESCE(SUM(CASE WHEN status IN ('closed', 'implemented') THEN amount ELSE 0 END), 0) AS won_amount,
			COALESCE(SUM(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) AS lost_amount,
			COALESCE(SUM(CASE WHEN is_open THEN amount ELSE 0 END), 0) AS open_amount,
			COALESCE(SUM(CASE WHEN is_open THEN (amount * probability + 50) / 100 ELSE 0 END), 0) AS open_wtd`).Scan(&o).Error
	}
	c.Opportunities, c.Quoted, c.Won, c.Lost, c.Open, c.Direct = o.Opportunities, o.Quoted, o.Won, o.Lost, o.Open, o.Direct
	c.WonAmount, c.LostAmount, c.OpenAmount, c.OpenWeighted = o.WonAmount, o.LostAmount, o.OpenAmount, o.OpenWtd
	c.Leads, c.Qualified = leads.Leads+c.Direct, leads.Qualified+c.Direct
	return c, err
}

// ReasonRow is one line of the win/loss analysis.
type ReasonRow struct {
	Kind   string // "win_reason", "loss_reason", "competitor"
	Name   string
	Count  int64
	Amount Money
}

// WinLoss groups won deals by win reason and lost ones by loss reason and by competitor.
func WinLoss(db *gorm.DB, f ReportFilter) ([]ReasonRow, error) {
	var out []ReasonRow
	if r, ok := f.rollup(db, "report_reasons", false); ok {
		var rows []ReasonRow
		err := r.Joins("LEFT JOIN picklist_values ON picklist_values.id = r.reason_id").
			Select("r.kind AS kind, COALESCE(picklist_values.name, '(none given)') AS name, SUM(r.n) AS count, SUM(r.amount) AS amount").
			Group("r.kind, picklist_values.name").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		// In the order of the query on the records: by kind, most deals first, then by name.
		for _, kind := range []string{"win_reason", "loss_reason", "competitor"} {
			var part []ReasonRow
			for _, row := range rows {
				if row.Kind == kind {
					part = append(part, row)
				}
			}
			sort.SliceStable(part, func(i, j int) bool {
				if part[i].Count != part[j].Count {
					return part[i].Count > part[j].Count
				}
				return part[i].Name < part[j].Name
			})
			out = append(out, part...)
		}
		return out, nil
	}
	for _, g := range []struct{ kind, col, status string }{
		{"win_reason", "win_reason_id", "status IN ('closed', 'implemented')"},
		{"loss_reason", "loss_reason_id", "status = 'lost'"},
		{"competitor", "competitor_id", "status = 'lost'"},
	} {
		var rows []ReasonRow
		err := f.opps(db).Joins("LEFT JOIN picklist_values ON picklist_values.id = opportunities." + g.col).Where(g.status).
			Select("COALESCE(picklist_values.name, '(none given)') AS name, COUNT(*) AS count, COALESCE(SUM(opportunities.amount), 0) AS amount").
			Group("picklist_values.name").Order("count DESC, name").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i].Kind = g.kind
		}
		out = append(out, rows...)
	}
	return out, nil
}

// ForecastMonth is the pipeline closing in one month.
type ForecastMonth struct {
	Month    time.Time
	Count    int64
	Amount   Money
	Weighted Money
	Won      Money // actually won with a close date in the month
}

// monthKey is the SQL for "YYYY-MM" of a date column, per dialect.
func monthKey(db *gorm.DB, col string) string {
	if db.Dialector.Name() == "postgres" {
		return "to_char(" + col + ", 'YYYY-MM')"
	}
	return "strftime('%Y-%m', " + col + ")"
}

// Forecast lists open opportunities by projected close month, from three months
// back to six ahead, with what was won in each month: two grouped queries.
func Forecast(db *gorm.DB, f ReportFilter, now time.Time) ([]ForecastMonth, error) {
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	end := start.AddDate(0, 10, 0)
	type row struct {
		Month            string
		Count            int64
		Amount, Weighted Money
	}
	var open, won []row
	if r, ok := f.rollup(db, "report_forecast", false); ok {
		var rows []struct {
			Kind, Month      string
			Count            int64
			Amount, Weighted Money
		}
		if err := r.Where("r.at_month >= ? AND r.at_month < ?", start.Format("2006-01"), end.Format("2006-01")).
			Select("r.kind AS kind, r.at_month AS month, SUM(r.n) AS count, SUM(r.amount) AS amount, SUM(r.weighted) AS weighted").
			Group("r.kind, r.at_month").Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, x := range rows {
			r := row{Month: x.Month, Count: x.Count, Amount: x.Amount, Weighted: x.Weighted}
			if x.Kind == "open" {
				open = append(open, r)
			} else {
				won = append(won, r)
			}
		}
	} else if err := f.opps(db).Where("is_open = ? AND projected_close_date >= ? AND projected_close_date < ?", true, start, end).
		Select(monthKey(db, "projected_close_date") + " AS month, COUNT(*) AS count, COALESCE(SUM(amount), 0) AS amount, " +
			"COALESCE(SUM((amount * probability + 50) / 100), 0) AS weighted").
		Group("month").Scan(&open).Error; err != nil {
		return nil, err
	} else if err := f.opps(db).Where("status IN ('closed', 'implemented') AND closed_date >= ? AND closed_date < ?", start, end).
		Select(monthKey(db, "closed_date") + " AS month, COALESCE(SUM(amount), 0) AS amount").
		Group("month").Scan(&won).Error; err != nil {
		return nil, err
	}
	byMonth := map[string]*ForecastMonth{}
	months := make([]ForecastMonth, 10)
	for i := range months {
		months[i].Month = start.AddDate(0, i, 0)
		byMonth[months[i].Month.Format("2006-01")] = &months[i]
	}
	for _, r := range open {
		if m := byMonth[r.Month]; m != nil {
			m.Count, m.Amount, m.Weighted = r.Count, r.Amount, r.Weighted
		}
	}
	for _, r := range won {
		if m := byMonth[r.Month]; m != nil {
			m.Won = r.Amount
		}
	}
	return months, nil
}

// KeyFigures are the headline numbers of the report page.
type KeyFigures struct {
	WinRatePct    int64 // won ÷ (won + lost), percent; -1 when nothing closed
	AvgWon        Money
	AvgCycleDays  int64 // creation to close, for won and lost deals
	ClosedSampled int64
}

func Figures(db *gorm.DB, f ReportFilter, c FunnelCounts) (KeyFigures, error) {
	k := KeyFigures{WinRatePct: -1}
	if c.Won+c.Lost > 0 {
		k.WinRatePct = (c.Won*1000/(c.Won+c.Lost) + 5) / 10
	}
	if c.Won > 0 {
		k.AvgWon = Money((int64(c.WonAmount)*2 + c.Won) / (2 * c.Won))
	}
	// The average cycle over every closed deal, in SQL: the date difference is
	// the one expression that differs between SQLite and PostgreSQL.
	days := "julianday(COALESCE(closed_date, lost_date)) - julianday(created_at)"
	if db.Dialector.Name() == "postgres" {
		days = "EXTRACT(EPOCH FROM (COALESCE(closed_date, lost_date) - created_at)) / 86400.0"
	}
	var cycle struct {
		N   int64
		Avg *float64
	}
	if r, ok := f.rollup(db, "report_opps", false); ok {
		if err := r.Select("COALESCE(SUM(r.cycle_n), 0) AS n, SUM(r.cycle_days) / SUM(r.cycle_n) AS avg").Scan(&cycle).Error; err != nil {
			return k, err
		}
	} else if err := f.opps(db).Where("status IN ('closed', 'implemented', 'lost') AND COALESCE(closed_date, lost_date) IS NOT NULL").
		Select("COUNT(*) AS n, AVG(" + days + ") AS avg").Scan(&cycle).Error; err != nil {
		return k, err
	}
	k.ClosedSampled = cycle.N
	if cycle.Avg != nil {
		k.AvgCycleDays = int64(*cycle.Avg + 0.5)
	}
	return k, nil
}

// OwnerForecast is one owner's open pipeline closing in the forecast window.
type OwnerForecast struct {
	OwnerID  uint
	Name     string
	Count    int64
	Amount   Money
	Weighted Money
}

// ForecastByOwner sums the open pipeline closing from now to six months ahead, per owner.
func ForecastByOwner(db *gorm.DB, f ReportFilter, now time.Time) ([]OwnerForecast, error) {
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var rows []OwnerForecast
	if r, ok := f.rollup(db, "report_forecast", true); ok {
		err := r.Joins("JOIN users ON users.id = r.owner_id").
			Where("r.kind = 'open' AND r.at_month >= ? AND r.at_month < ?", from.Format("2006-01"), from.AddDate(0, 7, 0).Format("2006-01")).
			Select("r.owner_id AS owner_id, users.name AS name, SUM(r.n) AS count, SUM(r.amount) AS amount, SUM(r.weighted) AS weighted").
			Group("r.owner_id, users.name").Order("amount DESC").Scan(&rows).Error
		return rows, err
	}
	err := f.opps(db).Joins("JOIN users ON users.id = opportunities.owner_id").
		Where("opportunities.is_open = ? AND opportunities.projected_close_date >= ? AND opportunities.projected_close_date < ?", true, from, from.AddDate(0, 7, 0)).
		Select("opportunities.owner_id AS owner_id, users.name AS name, COUNT(*) AS count, COALESCE(SUM(opportunities.amount), 0) AS amount, " +
			"COALESCE(SUM((opportunities.amount * opportunities.probability + 50) / 100), 0) AS weighted").
		Group("opportunities.owner_id, users.name").Order("amount DESC").Scan(&rows).Error
	return rows, err
}

// StageAverage is the average time opportunities spent in a stage.
type StageAverage struct {
	Stage string
	Days  float64
	Spans int
}

// AverageTimeInStage works out, from the stage history of the filtered
// opportunities, how long they stayed in each stage they left: one query, with
// a window function pairing each stage entry with the next.
func AverageTimeInStage(db *gorm.DB, f ReportFilter) ([]StageAverage, error) {
	days := "julianday(left_at) - julianday(created_at)"
	if db.Dialector.Name() == "postgres" {
		days = "EXTRACT(EPOCH FROM (left_at - created_at)) / 86400.0"
	}
	if r, ok := f.rollup(db, "report_stages", false); ok {
		var rows []StageAverage
		err := r.Joins("LEFT JOIN opportunity_stages ON opportunity_stages.id = r.stage_ref").
			Select("r.stage AS stage, SUM(r.days) / SUM(r.n) AS days, SUM(r.n) AS spans").
			Group("r.stage").Order("MIN(COALESCE(opportunity_stages.position, 999)), r.stage").Scan(&rows).Error
		return rows, err
	}
	ids := f.opps(db).Select("opportunities.id")
	spans := db.Table("opportunity_history").Where("field = ? AND opportunity_id IN (?)", "stage", ids).
		Select("new_value, new_ref, created_at, LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at")
	type row struct {
		Stage string
		Days  float64
		Spans int
	}
	var rows []row
	err := db.Table("(?) AS spans", spans).Joins("LEFT JOIN opportunity_stages ON opportunity_stages.id = spans.new_ref").
		Where("left_at IS NOT NULL").
		Select("spans.new_value AS stage, AVG(" + days + ") AS days, COUNT(*) AS spans").
		Group("spans.new_value").Order("MIN(COALESCE(opportunity_stages.position, 999)), spans.new_value").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]StageAverage, len(rows))
	for i, r := range rows {
		out[i] = StageAverage(r)
	}
	return out, nil
}
