package db

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"salesdesk/models"
)

// genSums adds up, as the generator makes the opportunities, what they add
// to the opportunity sums and (SQLite) to the report rollups' rows per
// campaign, owner and category, so that neither is worked out again from
// millions of records afterwards: Generate writes those few thousand rows,
// and the rollups' other rows are added up from them by SQL
// (models.ReportRollupSums), as a rebuild does. The rollups start from the
// records there were before (models.ReportRollupFill, read back), and each
// generated opportunity is added in the order of its id, as a rebuild adds
// them: the sums of days (REAL) come out the same to the last bit.
// (The leads' rollups are counted by SQL: see genSide.)
type genSums struct {
	rollups bool
	tables  map[string]*genRollup
	opps    map[genSumKey]*genSumVals
	names   []string          // the text values of the rollups' keys, by number
	named   map[string]uint16 // and their numbers
	grains  [2]genGrain       // the tables by grain: monthly per campaign, daily
	// The lead statuses' numbers, for leads (which runs beside opp: it
	// numbers no name itself).
	leadStatuses map[models.LeadStatus]uint16
}

// genGrain is the opportunities' rollup tables of a grain.
type genGrain struct{ opps, reasons, forecast, stages *genRollup }

// genRollup is the rows of one rollup table, keyed by their key columns.
type genRollup struct {
	name  string
	cols  []string // models.ReportRollupColumns
	slots []int    // where each column's value lives in a key or values
	rows  map[genRollKey]genRollVals
}

// genRollKey holds the key of any rollup row: campaign, owner, category,
// period (a month as yyyymm, a day as yyyymmdd), a text (numbered by
// genSums.name), a month more (at_month) and up to three integers. It holds
// no pointers, so the garbage collector need not look into the rows.
type genRollKey struct {
	c, o, g    int64
	period, at int32
	s          uint16
	i1, i2, i3 int64
}

type genRollVals struct {
	n, amount, weighted, cycleN int64
	days                        float64
}

const (
	slotC = iota
	slotO
	slotG
	slotPeriod
	slotS
	slotAt
	slotI1
	slotI2
	slotI3
	slotN
	slotAmount
	slotWeighted
	slotCycleN
	slotDays
)

// genRollups are the rollup tables (both grains).
var genRollups = []string{"report_leads", "report_leads_days", "report_opps", "report_opps_days", "report_reasons", "report_reasons_days",
	"report_forecast", "report_forecast_days", "report_stages", "report_stages_days"}

type genSumKey struct {
	owner, stage int64
	status       string
	category     int64
	rating       string
}

type genSumVals struct{ n, amount, weighted int64 }

func newGenSums(rollups bool) *genSums {
	s := &genSums{rollups: rollups, tables: map[string]*genRollup{}, opps: map[genSumKey]*genSumVals{}, named: map[string]uint16{}}
	if !rollups {
		return s
	}
	for _, name := range genRollups {
		t := &genRollup{name: name, cols: models.ReportRollupColumns(name), rows: map[genRollKey]genRollVals{}}
		texts, ints := slotS, slotI1
		for _, c := range t.cols {
			slot := -1
			switch c {
			case "campaign_id":
				slot = slotC
			case "owner_id":
				slot = slotO
			case "category_id":
				slot = slotG
			case "month", "day":
				slot = slotPeriod
			case "status", "kind", "stage":
				slot, texts = texts, texts+1
			case "at_month":
				slot = slotAt
			case "is_open", "quoted", "from_lead", "reason_id", "stage_ref":
				slot, ints = ints, ints+1
			case "n":
				slot = slotN
			case "amount":
				slot = slotAmount
			case "weighted":
				slot = slotWeighted
			case "cycle_n":
				slot = slotCycleN
			case "cycle_days", "days":
				slot = slotDays
			}
			if slot < 0 || texts > slotS+1 || ints > slotI3+1 {
				panic("generate: no place for column " + c + " of " + name) // a programming error: the rollups' columns are constants
			}
			t.slots = append(t.slots, slot)
		}
		s.tables[name] = t
	}
	s.leadStatuses = map[models.LeadStatus]uint16{}
	for _, st := range models.LeadStatuses {
		s.leadStatuses[st] = s.name(string(st))
	}
	for i, suffix := range []string{"", "_days"} {
		s.grains[i] = genGrain{opps: s.tables["report_opps"+suffix], reasons: s.tables["report_reasons"+suffix],
			forecast: s.tables["report_forecast"+suffix], stages: s.tables["report_stages"+suffix]}
	}
	return s
}

// start fills the rollups from the records there are (SQLite), and reads
// back their rows to add the generated records to.
func (s *genSums) start(ctx context.Context, conn *sql.Conn) error {
	if !s.rollups {
		return nil
	}
	fill := models.ReportRollupFill()
	var stmts []string
	for _, t := range models.ReportRollupTables() {
		stmts = append(stmts, fill[t]...)
	}
	if err := execAll(ctx, conn, stmts); err != nil {
		return fmt.Errorf("generate: report rollups: %w", err)
	}
	for _, name := range genRollups {
		t := s.tables[name]
		rows, err := conn.QueryContext(ctx, "SELECT "+strings.Join(t.cols, ", ")+" FROM "+name) // #nosec G202 -- table and column names are constants
		if err != nil {
			return err
		}
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				_ = rows.Close()
				return err
			}
			var k genRollKey
			var v genRollVals
			for i, slot := range t.slots {
				s.setSlot(&k, &v, slot, vals[i])
			}
			t.rows[k] = v
		}
		if err := errors2(rows.Close(), rows.Err()); err != nil {
			return err
		}
	}
	return nil
}

// name is the number of a text value of the rollups' keys.
func (s *genSums) name(v string) uint16 {
	n, ok := s.named[v]
	if !ok {
		n = uint16(len(s.names)) // #nosec G115 -- a few dozen stage, status and reason names
		s.names = append(s.names, v)
		s.named[v] = n
	}
	return n
}

// monthKey and dayKey are a month as yyyymm and a day as yyyymmdd.
func monthKey(t time.Time) int32 {
	y, m, _ := t.Date()
	return int32(y*100 + int(m)) // #nosec G115 -- years of four digits
}

func dayKey(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(y*10000 + int(m)*100 + d) // #nosec G115 -- years of four digits
}

// periodKey reads a month (YYYY-MM) or a day (YYYY-MM-DD) as monthKey or dayKey does.
func periodKey(v string) int32 {
	var n int32
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			n = n*10 + int32(c-'0')
		}
	}
	return n
}

// periodText is a period key as SQLite's strftime('%Y-%m') or date() writes it.
func periodText(n int32) string {
	if n < 1000000 {
		return fmt.Sprintf("%04d-%02d", n/100, n%100)
	}
	return fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100)
}

// intSlot is the integer field of a key or its sums that slot names; nil for
// the others (the periods, the name and the days).
func intSlot(k *genRollKey, v *genRollVals, slot int) *int64 {
	switch slot {
	case slotC:
		return &k.c
	case slotO:
		return &k.o
	case slotG:
		return &k.g
	case slotI1:
		return &k.i1
	case slotI2:
		return &k.i2
	case slotI3:
		return &k.i3
	case slotN:
		return &v.n
	case slotAmount:
		return &v.amount
	case slotWeighted:
		return &v.weighted
	case slotCycleN:
		return &v.cycleN
	}
	return nil
}

func (s *genSums) setSlot(k *genRollKey, v *genRollVals, slot int, x any) {
	if p := intSlot(k, v, slot); p != nil {
		*p, _ = x.(int64)
		return
	}
	str := ""
	switch x := x.(type) {
	case string:
		str = x
	case []byte:
		str = string(x)
	}
	switch slot {
	case slotPeriod:
		k.period = periodKey(str)
	case slotAt:
		k.at = periodKey(str)
	case slotS:
		k.s = s.name(str)
	case slotDays:
		switch x := x.(type) {
		case float64:
			v.days = x
		case int64:
			v.days = float64(x)
		}
	}
}

func (s *genSums) slotValue(k *genRollKey, v *genRollVals, slot int) any {
	if p := intSlot(k, v, slot); p != nil {
		return *p
	}
	switch slot {
	case slotPeriod:
		return periodText(k.period)
	case slotAt:
		return periodText(k.at)
	case slotS:
		return s.names[k.s]
	}
	return v.days
}

// add adds to the row of key k.
func (t *genRollup) add(k genRollKey, n, amount, weighted, cycleN int64, days float64) {
	rows := t.rows
	v := rows[k]
	v.n += n
	v.amount += amount
	v.weighted += weighted
	v.cycleN += cycleN
	v.days += days
	rows[k] = v
}

// leads adds the generated leads (all of p, the converted ones marked), as
// the rollups' SQL does: it follows leadsSQL (leadCampaign, leadStatus) as
// the generator does for the converted ones. It runs beside opp, on tables
// of their own.
func (s *genSums) leads(g *generator, p *leadPlan, converted []bool) {
	monthly, daily := s.tables["report_leads"], s.tables["report_leads_days"]
	for i := range p.n {
		camp, created := g.leadCampaign(p, i)
		c := int64(0)
		if camp >= 0 {
			c = g.campaigns[camp].id
		}
		at := time.Unix(created, 0).UTC()
		k := genRollKey{c: c, o: g.owners[g.gh(i, saltC)%int64(len(g.owners))], period: monthKey(at),
			s: s.leadStatuses[g.leadStatus(p, i, created, converted[i])]}
		monthly.add(k, 1, 0, 0, 0, 0)
		k.c, k.period = -1, dayKey(at)
		daily.add(k, 1, 0, 0, 0, 0)
	}
}

// genStay is one entry of an opportunity's stage history.
type genStay struct {
	stage string
	ref   int64
	at    time.Time
}

// genSumOpp is what the sums read of one generated opportunity.
type genSumOpp struct {
	campaign, owner, category, stage, probability, amount int64 // campaign and category 0 for none
	rating                                                string
	status                                                models.OppStatus
	quoted, fromLead                                      bool
	created, projected                                    time.Time
	closed, lost                                          time.Time // zero when not
	win, loss, competitor                                 int64     // 0 for none
	stays                                                 []genStay // its stage entries in order
}

// julianDay is SQLite's julianday() of a time stored to the second.
func julianDay(t time.Time) float64 {
	return float64(t.Unix()*1000+210866760000000) / 86400000.0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// opp adds one generated opportunity, as the rollups' SQL (models/report_rollups.go) and the opportunity sums' (migration 12) do.
func (s *genSums) opp(o *genSumOpp) {
	weighted := (o.amount*o.probability + 50) / 100
	sk := genSumKey{owner: o.owner, stage: o.stage, status: string(o.status), category: o.category, rating: o.rating}
	sv := s.opps[sk]
	if sv == nil {
		sv = &genSumVals{}
		s.opps[sk] = sv
	}
	sv.n++
	sv.amount += o.amount
	sv.weighted += weighted
	if !s.rollups {
		return
	}
	open := o.status.Open()
	won := o.status == models.StatusClosed || o.status == models.StatusImplemented
	openWeighted := int64(0)
	if open {
		openWeighted = weighted
	}
	var cycleN int64
	var cycle float64
	if ended := o.closed; (won || o.status == models.StatusLost) && (!ended.IsZero() || !o.lost.IsZero()) {
		if ended.IsZero() {
			ended = o.lost
		}
		cycleN, cycle = 1, julianDay(ended)-julianDay(o.created)
	}
	status := s.name(string(o.status))
	for i, gr := range s.grains {
		k := genRollKey{c: -1, o: o.owner, g: o.category, period: dayKey(o.created)}
		if i == 0 {
			k.c, k.period = o.campaign, monthKey(o.created)
		}
		ko := k
		ko.s, ko.i1, ko.i2, ko.i3 = status, b2i(open), b2i(o.quoted), b2i(o.fromLead)
		gr.opps.add(ko, 1, o.amount, openWeighted, cycleN, cycle)
		for _, r := range []struct {
			kind string
			id   int64
			when bool
		}{{"win_reason", o.win, won}, {"loss_reason", o.loss, o.status == models.StatusLost}, {"competitor", o.competitor, o.status == models.StatusLost}} {
			if r.when {
				kr := k
				kr.s, kr.i1 = s.name(r.kind), r.id
				gr.reasons.add(kr, 1, o.amount, 0, 0, 0)
			}
		}
		if open {
			kf := k
			kf.s, kf.at = s.name("open"), monthKey(o.projected)
			gr.forecast.add(kf, 1, o.amount, weighted, 0, 0)
		}
		if won && !o.closed.IsZero() {
			kf := k
			kf.s, kf.at = s.name("won"), monthKey(o.closed)
			gr.forecast.add(kf, 1, o.amount, 0, 0, 0)
		}
		for i := 0; i+1 < len(o.stays); i++ {
			ks := k
			ks.s, ks.i1 = s.name(o.stays[i].stage), o.stays[i].ref
			gr.stages.add(ks, 1, 0, 0, 0, julianDay(o.stays[i+1].at)-julianDay(o.stays[i].at))
		}
	}
}

// write replaces the rollups' rows by the ones added up (SQLite),
// then adds up the rollups' other rows, and adds the generated opportunities
// to the opportunity sums (both).
func (s *genSums) write(ctx context.Context, conn *sql.Conn, pg bool) error {
	if s.rollups {
		w, err := newBulkWriter(ctx, conn, pg)
		if err != nil {
			return err
		}
		var tables []*bulkTable
		for _, name := range genRollups {
			if err := w.execSQL("DELETE FROM " + name); err != nil {
				break
			}
			t := s.tables[name]
			bt := w.table(name, t.cols...)
			tables = append(tables, bt)
			// In key order, as a rebuild leaves them.
			keys := make([]genRollKey, 0, len(t.rows))
			for k := range t.rows {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return s.lessRollKey(&keys[i], &keys[j]) })
			vals := make([]any, len(t.cols))
			for _, k := range keys {
				v := t.rows[k]
				if v.n == 0 {
					continue // a row a rebuild would not make (the records there were may have left one)
				}
				for i, slot := range t.slots {
					vals[i] = s.slotValue(&k, &v, slot)
				}
				if err := bt.row(vals...); err != nil {
					break
				}
			}
		}
		if err := w.close(tables...); err != nil {
			return fmt.Errorf("generate: report rollups: %w", err)
		}
		if err := execAll(ctx, conn, append(append([]string{"BEGIN"}, models.ReportRollupSums()...), "COMMIT")); err != nil {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			return fmt.Errorf("generate: report rollups: %w", err)
		}
	}
	ph := func(n int) string {
		if pg {
			return fmt.Sprintf("$%d", n)
		}
		return "?"
	}
	var b strings.Builder
	b.WriteString("INSERT INTO opportunity_sums (owner_id, stage_id, status, category_id, rating, n, amount, weighted) VALUES (")
	for i := 1; i <= 8; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString(ph(i))
	}
	b.WriteString(`) ON CONFLICT (owner_id, stage_id, status, category_id, rating) DO UPDATE SET n = opportunity_sums.n + excluded.n,
		amount = opportunity_sums.amount + excluded.amount, weighted = opportunity_sums.weighted + excluded.weighted`)
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	st, err := conn.PrepareContext(ctx, b.String())
	if err == nil {
		for k, v := range s.opps {
			if _, err = st.ExecContext(ctx, k.owner, k.stage, k.status, k.category, k.rating, v.n, v.amount, v.weighted); err != nil {
				break
			}
		}
		_ = st.Close()
	}
	if err != nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("generate: opportunity sums: %w", err)
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

// lessRollKey orders keys as their rows' primary key does.
func (s *genSums) lessRollKey(a, b *genRollKey) bool {
	switch {
	case a.c != b.c:
		return a.c < b.c
	case a.o != b.o:
		return a.o < b.o
	case a.g != b.g:
		return a.g < b.g
	case a.period != b.period:
		return a.period < b.period
	case a.s != b.s:
		return s.names[a.s] < s.names[b.s]
	case a.at != b.at:
		return a.at < b.at
	case a.i1 != b.i1:
		return a.i1 < b.i1
	case a.i2 != b.i2:
		return a.i2 < b.i2
	}
	return a.i3 < b.i3
}

func execAll(ctx context.Context, conn *sql.Conn, stmts []string) error {
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.80s…: %w", strings.Join(strings.Fields(q), " "), err)
		}
	}
	return nil
}
