package models

import "strings"

// The SQL of the report rollups (SQLite): what each record adds to them, for
// the triggers that keep them (db migration 18), for rebuilding them, and for
// the records at the ends of a period that do not make a whole day. The
// tables themselves are in db/rollups.go.
//
// Each rollup is kept at two grains: per month of creation, for every
// campaign (0 for none) and for all campaigns (-1); and per day of creation,
// for all campaigns only, so the days at the ends of a period are read from
// it rather than from the records. At both grains there are rows per owner
// and category (0 for none); for all campaigns also rows per owner for all
// categories (category_id -1) and rows for everyone (owner_id and category_id
// -1): a page without an owner or category filter sums a few hundred rows,
// not one per owner and category. (One campaign's rows are few: they are
// kept per owner and category only.)

// A grain is the period a rollup row sums: its column, and the SQL of the
// key of a date.
type grain struct {
	suffix, col string
	of          func(col string) string
	campaigns   bool // rows per campaign as well as for all campaigns
}

func month(col string) string { return "strftime('%Y-%m', " + col + ")" }
func day(col string) string   { return "date(" + col + ")" }

var (
	monthly = grain{suffix: "", col: "month", of: month, campaigns: true}
	daily   = grain{suffix: "_days", col: "day", of: day}
	grains  = []grain{monthly, daily}
)

// A rollup sums, per key, what each record contributes. R stands for the
// record (NEW or OLD in a trigger, the table in a rebuild) and S for the sign.
// Every rollup is keyed by campaign, owner, category (but leads have none)
// and period first.
type rollup struct {
	table, source string
	category      bool
	keyCols, keys []string // after the period
	valCols, vals []string // what one record adds, times S
	from, where   string   // more of the FROM list ("x, y") and a condition
}

var leadRollup = rollup{table: "report_leads", source: "leads",
	keyCols: []string{"status"}, keys: []string{"{R}.status"},
	valCols: []string{"n"}, vals: []string{"{S}"}}

const oppClosed = "{R}.status IN ('closed', 'implemented', 'lost') AND COALESCE({R}.closed_date, {R}.lost_date) IS NOT NULL"

var oppRollupList = []rollup{
	{table: "report_opps", source: "opportunities", category: true,
		keyCols: []string{"status", "is_open", "quoted", "from_lead"},
		keys: []string{"{R}.status", "CASE WHEN {R}.is_open THEN 1 ELSE 0 END", "CASE WHEN {R}.quoted THEN 1 ELSE 0 END",
			"CASE WHEN {R}.from_lead THEN 1 ELSE 0 END"},
		valCols: []string{"n", "amount", "weighted", "cycle_n", "cycle_days"},
		vals: []string{"{S}", "{S} * {R}.amount", "{S} * CASE WHEN {R}.is_open THEN ({R}.amount * {R}.probability + 50) / 100 ELSE 0 END",
			"{S} * CASE WHEN " + oppClosed + " THEN 1 ELSE 0 END",
			"{S} * CASE WHEN " + oppClosed + " THEN julianday(COALESCE({R}.closed_date, {R}.lost_date)) - julianday({R}.created_at) ELSE 0 END"}},
	{table: "report_reasons", source: "opportunities", category: true,
		keyCols: []string{"kind", "reason_id"},
		keys: []string{"w.kind",
			"COALESCE(CASE w.kind WHEN 'win_reason' THEN {R}.win_reason_id WHEN 'loss_reason' THEN {R}.loss_reason_id ELSE {R}.competitor_id END, 0)"},
		valCols: []string{"n", "amount"}, vals: []string{"{S}", "{S} * {R}.amount"},
		from:  "(SELECT 'win_reason' AS kind UNION ALL SELECT 'loss_reason' UNION ALL SELECT 'competitor') w",
		where: "(w.kind = 'win_reason' AND {R}.status IN ('closed', 'implemented') OR w.kind <> 'win_reason' AND {R}.status = 'lost')"},
	{table: "report_forecast", source: "opportunities", category: true,
		keyCols: []string{"kind", "at_month"},
		keys: []string{"f.kind",
			"CASE f.kind WHEN 'open' THEN " + month("{R}.projected_close_date") + " ELSE " + month("{R}.closed_date") + " END"},
		valCols: []string{"n", "amount", "weighted"},
		vals:    []string{"{S}", "{S} * {R}.amount", "{S} * CASE f.kind WHEN 'open' THEN ({R}.amount * {R}.probability + 50) / 100 ELSE 0 END"},
		from:    "(SELECT 'open' AS kind UNION ALL SELECT 'won') f",
		where:   "(f.kind = 'open' AND {R}.is_open OR f.kind = 'won' AND {R}.status IN ('closed', 'implemented') AND {R}.closed_date IS NOT NULL)"},
}

// stageRollup is report_stages: the stays in each stage, from the stage
// entries of the opportunities' history rather than from one record each.
var stageRollup = rollup{table: "report_stages", source: "opportunities", category: true,
	keyCols: []string{"stage", "stage_ref"}, valCols: []string{"n", "days"}}

var rollupList = append(append([]rollup{leadRollup}, oppRollupList...), stageRollup)

// dims are the key columns before the period.
func (u rollup) dims() []string {
	if u.category {
		return []string{"campaign_id", "owner_id", "category_id"}
	}
	return []string{"campaign_id", "owner_id"}
}

// keyColumns are the whole key of the rollup at grain g, in order.
func (u rollup) keyColumns(g grain) []string {
	return append(append(u.dims(), g.col), u.keyCols...)
}

// upsert is the INSERT of rows of the rollup at grain g from a SELECT of
// its key and value columns in order, adding to the rows already there.
func (u rollup) upsert(g grain, sel string) string {
	var set []string
	for _, c := range u.valCols {
		set = append(set, c+" = "+c+" + excluded."+c)
	}
	keys := strings.Join(u.keyColumns(g), ", ")
	return "INSERT INTO " + u.table + g.suffix + " (" + keys + ", " + strings.Join(u.valCols, ", ") + ")\n" + sel +
		"\nON CONFLICT (" + keys + ") DO UPDATE SET " + strings.Join(set, ", ")
}

// who is the owner and category of the three rows each record adds to for
// all campaigns, as a FROM item d of d.o and d.g (leads: d.o only); r is the
// record. For one campaign only the first (fineOnly).
func (u rollup) who(r string) string {
	if u.category {
		return "(SELECT " + r + ".owner_id AS o, COALESCE(" + r + ".category_id, 0) AS g UNION ALL SELECT " + r + ".owner_id, -1 UNION ALL SELECT -1, -1) d"
	}
	return "(SELECT " + r + ".owner_id AS o UNION ALL SELECT -1) d"
}

// fineOnly is the condition on k and d leaving out the rows for all
// categories and for everyone of one campaign.
func (u rollup) fineOnly() string {
	if u.category {
		return "(k.c = -1 OR d.g > -1)"
	}
	return "(k.c = -1 OR d.o > -1)"
}

func (u rollup) whoCols() string {
	if u.category {
		return "d.o, d.g"
	}
	return "d.o"
}

// campaigns is the FROM item k of the campaigns (k.c) the record r adds to at grain g.
func campaigns(g grain, r string) string {
	if !g.campaigns {
		return "(SELECT -1 AS c) k"
	}
	return "(SELECT -1 AS c UNION ALL SELECT COALESCE(" + r + ".campaign_id, 0)) k"
}

// trigger is the statement adding (sign "+") or taking away ("-") record r
// at grain g.
func (u rollup) trigger(g grain, r, sign string) string {
	from := campaigns(g, "{R}") + ", " + u.who("{R}")
	if u.from != "" {
		from += ", " + u.from
	}
	where := "true" // also needed before ON CONFLICT
	if u.where != "" {
		where = u.where
	}
	if g.campaigns {
		where = u.fineOnly() + " AND " + where
	}
	sql := u.upsert(g, "SELECT k.c, "+u.whoCols()+", "+g.of("{R}.created_at")+", "+strings.Join(u.keys, ", ")+", "+
		strings.Join(u.vals, ", ")+" FROM "+from+" WHERE "+where)
	return strings.NewReplacer("{R}.", r+".", "{S}", sign+"1").Replace(sql)
}

// sums are the statements adding up, from the rows per owner and category
// of a rollup, its rows for all campaigns (monthly), then for all campaigns
// those for all categories and for everyone, in that order.
func (u rollup) sums(g grain) []string {
	var vals []string
	for _, c := range u.valCols {
		vals = append(vals, "SUM("+c+")")
	}
	sum := func(set []string, where string) string {
		var cols, group []string
		for _, c := range u.keyColumns(g) {
			if v, ok := map[string]string{"campaign_id": set[0], "owner_id": set[1], "category_id": set[2]}[c]; ok && v != "" {
				cols = append(cols, v)
			} else {
				cols, group = append(cols, c), append(group, c)
			}
		}
		return u.upsert(g, "SELECT "+strings.Join(cols, ", ")+", "+strings.Join(vals, ", ")+" FROM "+u.table+g.suffix+
			" WHERE "+where+" GROUP BY "+strings.Join(group, ", "))
	}
	var out []string
	if g.campaigns {
		out = append(out, sum([]string{"-1", "", ""}, "campaign_id <> -1"))
	}
	if u.category {
		return append(out, sum([]string{"", "", "-1"}, "campaign_id = -1 AND category_id <> -1"),
			sum([]string{"", "-1", "-1"}, "campaign_id = -1 AND category_id = -1 AND owner_id <> -1"))
	}
	return append(out, sum([]string{"", "-1", ""}, "campaign_id = -1 AND owner_id <> -1"))
}

// rebuild is the statements filling the rollup at grain g from all records:
// fill, then the other rows added up from those (sums).
func (u rollup) rebuild(g grain) []string {
	return append(u.fill(g), u.sums(g)...)
}

// fill is the statements emptying the rollup at grain g and making its rows
// per campaign (0 for none; -1 daily), owner and category from all records:
// one pass over them adding each to its row, as the triggers do (on millions
// of records far quicker than sorting them for a GROUP BY).
func (u rollup) fill(g grain) []string {
	c := "-1"
	if g.campaigns {
		c = "COALESCE(R.campaign_id, 0)"
	}
	var first string
	if u.table == stageRollup.table {
		first = u.upsert(g, `SELECT `+c+`, R.owner_id, COALESCE(R.category_id, 0), `+g.of("R.created_at")+`, x.new_value, COALESCE(x.new_ref, 0),
			1, julianday(x.left_at) - julianday(x.created_at)
		FROM (SELECT opportunity_id, new_value, new_ref, created_at,
				LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at
			FROM opportunity_history WHERE field = 'stage') x
		JOIN opportunities R ON R.id = x.opportunity_id
		WHERE x.left_at IS NOT NULL`)
	} else {
		from := u.source + " R"
		if u.from != "" {
			from += ", " + u.from
		}
		where := "true"
		if u.where != "" {
			where = u.where
		}
		cat := ""
		if u.category {
			cat = "COALESCE(R.category_id, 0), "
		}
		first = strings.NewReplacer("{R}", "R", "{S}", "1").Replace(u.upsert(g, "SELECT "+c+", R.owner_id, "+cat+g.of("R.created_at")+", "+
			strings.Join(u.keys, ", ")+", "+strings.Join(u.vals, ", ")+" FROM "+from+" WHERE "+where))
	}
	return []string{"DELETE FROM " + u.table + g.suffix, first}
}

// stageTrigger adds (sign "+") or takes away ("-") the stays in each stage of
// the opportunity O at grain g, from the stage entries of its history that
// spans selects (new_value, new_ref, created_at, id); opp is O's FROM item.
// (A FROM item cannot name O: k.c and d.d choose what each row is keyed by.)
func stageTrigger(g grain, opp, sign, spans string) string {
	campaign := "-1"
	if g.campaigns {
		campaign = "CASE WHEN k.c = -1 THEN -1 ELSE COALESCE(o.campaign_id, 0) END"
	}
	k := "(SELECT -1 AS c) k"
	if g.campaigns {
		k = "(SELECT -1 AS c UNION ALL SELECT -2) k"
	}
	return strings.NewReplacer("{S}", sign+"1", "{OPP}", opp, "{SPANS}", spans).Replace(stageRollup.upsert(g,
		`SELECT `+campaign+`, CASE WHEN d.d = 2 THEN -1 ELSE o.owner_id END, CASE WHEN d.d = 0 THEN COALESCE(o.category_id, 0) ELSE -1 END,
			`+g.of("o.created_at")+`, x.new_value, COALESCE(x.new_ref, 0),
			{S} * COUNT(*), {S} * SUM(julianday(x.left_at) - julianday(x.created_at))
		FROM {OPP}, `+k+`, (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2) d,
			(SELECT new_value, new_ref, created_at, LEAD(created_at) OVER (ORDER BY created_at, id) AS left_at FROM ({SPANS})) x
		WHERE x.left_at IS NOT NULL AND (k.c = -1 OR d.d = 0) GROUP BY k.c, d.d, x.new_value, x.new_ref`))
}

func stagesOf(o, extra string) string {
	return "SELECT new_value, new_ref, created_at, id FROM opportunity_history WHERE opportunity_id = " + o + " AND field = 'stage'" + extra
}

// reportTriggers are the names of the triggers ReportRollupTriggers makes.
var reportTriggers = []string{"report_leads_insert", "report_leads_delete", "report_leads_update", "report_opps_insert",
	"report_opps_delete", "report_opps_update", "report_opps_move_stages", "report_stages_insert", "report_stages_delete"}

// ReportRollupTriggers keep the rollups (after dropping any earlier ones).
// Stage history is only ever added to; an insert (or a delete) of a stage
// entry re-counts the stays of that one opportunity.
func ReportRollupTriggers() []string {
	var out []string
	for _, t := range reportTriggers {
		out = append(out, "DROP TRIGGER IF EXISTS "+t)
	}
	body := func(stmts ...string) string { return " BEGIN\n" + strings.Join(stmts, ";\n") + ";\nEND" }
	each := func(f func(g grain) []string) []string {
		var out []string
		for _, g := range grains {
			out = append(out, f(g)...)
		}
		return out
	}
	leads := func(r, sign string) []string {
		return each(func(g grain) []string { return []string{leadRollup.trigger(g, r, sign)} })
	}
	opps := func(r, sign string) []string {
		return each(func(g grain) []string {
			var out []string
			for _, u := range oppRollupList {
				out = append(out, u.trigger(g, r, sign))
			}
			return out
		})
	}
	stages := func(opp, sign, spans string) []string {
		return each(func(g grain) []string { return []string{stageTrigger(g, opp, sign, spans)} })
	}
	oppCols := "campaign_id, owner_id, category_id, created_at, status, is_open, quoted, from_lead, amount, probability, " +
		"closed_date, lost_date, win_reason_id, loss_reason_id, competitor_id, projected_close_date"
	// changed is the condition that one of cols (a list) changed: most saves
	// of a record change nothing the rollups count.
	changed := func(cols string) string {
		var out []string
		for _, c := range strings.Split(cols, ", ") {
			out = append(out, "OLD."+c+" IS NOT NEW."+c)
		}
		return strings.Join(out, " OR ")
	}
	leadCols := "campaign_id, owner_id, status, created_at"
	dims := changed("campaign_id, owner_id, category_id, created_at")
	// The opportunity's row as it is now, or as it was (OLD in its own triggers).
	row := func(r string) string {
		return "(SELECT " + r + ".id AS id, " + r + ".campaign_id AS campaign_id, " + r + ".owner_id AS owner_id, " +
			r + ".category_id AS category_id, " + r + ".created_at AS created_at) o"
	}
	ofHistory := func(r string) string { return "(SELECT * FROM opportunities WHERE id = " + r + ".opportunity_id) o" }
	return append(out,
		`CREATE TRIGGER report_leads_insert AFTER INSERT ON leads`+body(leads("NEW", "+")...),
		`CREATE TRIGGER report_leads_delete AFTER DELETE ON leads`+body(leads("OLD", "-")...),
		`CREATE TRIGGER report_leads_update AFTER UPDATE OF `+leadCols+` ON leads WHEN `+changed(leadCols)+
			body(append(leads("OLD", "-"), leads("NEW", "+")...)...),
		`CREATE TRIGGER report_opps_insert AFTER INSERT ON opportunities`+body(opps("NEW", "+")...),
		`CREATE TRIGGER report_opps_delete AFTER DELETE ON opportunities`+body(append(opps("OLD", "-"),
			stages(row("OLD"), "-", stagesOf("OLD.id", ""))...)...),
		`CREATE TRIGGER report_opps_update AFTER UPDATE OF `+oppCols+` ON opportunities WHEN `+changed(oppCols)+body(append(opps("OLD", "-"), opps("NEW", "+")...)...),
		`CREATE TRIGGER report_opps_move_stages AFTER UPDATE OF campaign_id, owner_id, category_id, created_at ON opportunities WHEN `+dims+
			body(append(stages(row("OLD"), "-", stagesOf("OLD.id", "")), stages(row("NEW"), "+", stagesOf("NEW.id", ""))...)...),
		`CREATE TRIGGER report_stages_insert AFTER INSERT ON opportunity_history WHEN NEW.field = 'stage'`+body(append(
			stages(ofHistory("NEW"), "-", stagesOf("NEW.opportunity_id", " AND id <> NEW.id")),
			stages(ofHistory("NEW"), "+", stagesOf("NEW.opportunity_id", ""))...)...),
		`CREATE TRIGGER report_stages_delete AFTER DELETE ON opportunity_history WHEN OLD.field = 'stage'`+body(append(
			stages(ofHistory("OLD"), "-", stagesOf("OLD.opportunity_id", "")+" UNION ALL SELECT OLD.new_value, OLD.new_ref, OLD.created_at, OLD.id"),
			stages(ofHistory("OLD"), "+", stagesOf("OLD.opportunity_id", ""))...)...),
	)
}

// ReportRollupRebuild recomputes every rollup from the records.
func ReportRollupRebuild() []string {
	var out []string
	for _, u := range rollupList {
		for _, g := range grains {
			out = append(out, u.rebuild(g)...)
		}
	}
	return out
}

// ReportRollupFill makes, for each rollup table (both grains), only its rows
// per campaign, owner and category from the records; ReportRollupSums then
// adds up its other rows from those. The two in turn are ReportRollupRebuild.
// (The data generator fills the rollups of the rows it writes itself.)
func ReportRollupFill() map[string][]string {
	out := map[string][]string{}
	for _, u := range rollupList {
		for _, g := range grains {
			out[u.table+g.suffix] = u.fill(g)
		}
	}
	return out
}

// ReportRollupSums: see ReportRollupFill.
func ReportRollupSums() []string {
	var out []string
	for _, u := range rollupList {
		for _, g := range grains {
			out = append(out, u.sums(g)...)
		}
	}
	return out
}

// ReportRollupTables are the rollup tables, both grains.
func ReportRollupTables() []string {
	var out []string
	for _, u := range rollupList {
		for _, g := range grains {
			out = append(out, u.table+g.suffix)
		}
	}
	return out
}

// ReportRollupColumns are the columns of a rollup table, in order.
func ReportRollupColumns(table string) []string {
	for _, u := range rollupList {
		for _, g := range grains {
			if u.table+g.suffix == table {
				return append(u.keyColumns(g), u.valCols...)
			}
		}
	}
	panic("models: no report rollup " + table) // a programming error: the tables are constants
}

func rollupNamed(table string) rollup {
	for _, u := range rollupList {
		if u.table == table {
			return u
		}
	}
	panic("models: no report rollup " + table) // a programming error: the tables are constants
}

// rollupRecords is the SQL of rows shaped like the monthly rollup's, taken
// from the records themselves, one per record (per stay in a stage, for
// report_stages), for the records R matching cond, read through index.
// key gives what the rows carry as campaign_id, owner_id and category_id
// (the filter's value, or -1 for all, or the record's own).
func rollupRecords(table string, key map[string]string, cond, index string) string {
	u := rollupNamed(table)
	if u.table == stageRollup.table {
		return `SELECT ` + key["campaign_id"] + ` AS campaign_id, ` + key["owner_id"] + ` AS owner_id, ` + key["category_id"] + ` AS category_id,
				` + month("R.created_at") + ` AS month, x.new_value AS stage, COALESCE(x.new_ref, 0) AS stage_ref, 1 AS n,
				julianday(x.left_at) - julianday(x.created_at) AS days
			FROM opportunities R JOIN (SELECT opportunity_id, new_value, new_ref, created_at,
					LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at
				FROM opportunity_history WHERE field = 'stage' AND opportunity_id IN (
					SELECT R.id FROM opportunities R INDEXED BY ` + index + ` WHERE ` + cond + `)) x
				ON x.opportunity_id = R.id
			WHERE x.left_at IS NOT NULL`
	}
	var cols []string
	for _, c := range u.dims() {
		cols = append(cols, key[c]+" AS "+c)
	}
	cols = append(cols, month("{R}.created_at")+" AS month")
	for i, c := range u.keyCols {
		cols = append(cols, u.keys[i]+" AS "+c)
	}
	for i, c := range u.valCols {
		cols = append(cols, u.vals[i]+" AS "+c)
	}
	from := u.source + " {R} INDEXED BY " + index
	if u.from != "" {
		from += ", " + u.from
	}
	if u.where != "" {
		cond = "(" + u.where + ") AND " + cond
	}
	return strings.NewReplacer("{R}", "R", "{S}", "1").Replace("SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + cond)
}
