package models

import "strings"

// The SQL of the report rollups (SQLite): what each record adds to them, for
// the triggers that keep them (db migration 11), for rebuilding them, and for
// the records at the ends of a period that does not fall on whole months.
// The tables themselves are in db/rollups.go.

// A rollup sums, per key, what each record contributes. R stands for the
// record (NEW or OLD in a trigger, the table in a rebuild) and S for the sign.
type rollup struct {
	table, source string
	keyCols, keys []string // besides campaign_id
	valCols, vals []string // what one record adds, times S
	from, where   string   // more of the FROM list ("x, y") and a condition
}

func month(col string) string { return "strftime('%Y-%m', " + col + ")" }

var leadRollup = rollup{table: "report_leads", source: "leads",
	keyCols: []string{"owner_id", "month", "status"}, keys: []string{"{R}.owner_id", month("{R}.created_at"), "{R}.status"},
	valCols: []string{"n"}, vals: []string{"{S}"}}

const oppClosed = "{R}.status IN ('closed', 'implemented', 'lost') AND COALESCE({R}.closed_date, {R}.lost_date) IS NOT NULL"

var oppKeyCols = []string{"owner_id", "category_id", "month"}
var oppKeys = []string{"{R}.owner_id", "COALESCE({R}.category_id, 0)", month("{R}.created_at")}

var oppRollupList = []rollup{
	{table: "report_opps", source: "opportunities",
		keyCols: append(oppKeyCols[:3:3], "status", "is_open", "quoted", "from_lead"),
		keys: append(oppKeys[:3:3], "{R}.status", "CASE WHEN {R}.is_open THEN 1 ELSE 0 END", "CASE WHEN {R}.quoted THEN 1 ELSE 0 END",
			"CASE WHEN {R}.from_lead THEN 1 ELSE 0 END"),
		valCols: []string{"n", "amount", "weighted", "cycle_n", "cycle_days"},
		vals: []string{"{S}", "{S} * {R}.amount", "{S} * CASE WHEN {R}.is_open THEN ({R}.amount * {R}.probability + 50) / 100 ELSE 0 END",
			"{S} * CASE WHEN " + oppClosed + " THEN 1 ELSE 0 END",
			"{S} * CASE WHEN " + oppClosed + " THEN julianday(COALESCE({R}.closed_date, {R}.lost_date)) - julianday({R}.created_at) ELSE 0 END"}},
	{table: "report_reasons", source: "opportunities",
		keyCols: append(oppKeyCols[:3:3], "kind", "reason_id"),
		keys: append(oppKeys[:3:3], "w.kind",
			"COALESCE(CASE w.kind WHEN 'win_reason' THEN {R}.win_reason_id WHEN 'loss_reason' THEN {R}.loss_reason_id ELSE {R}.competitor_id END, 0)"),
		valCols: []string{"n", "amount"}, vals: []string{"{S}", "{S} * {R}.amount"},
		from:  "(SELECT 'win_reason' AS kind UNION ALL SELECT 'loss_reason' UNION ALL SELECT 'competitor') w",
		where: "(w.kind = 'win_reason' AND {R}.status IN ('closed', 'implemented') OR w.kind <> 'win_reason' AND {R}.status = 'lost')"},
	{table: "report_forecast", source: "opportunities",
		keyCols: append(oppKeyCols[:3:3], "kind", "at_month"),
		keys: append(oppKeys[:3:3], "f.kind",
			"CASE f.kind WHEN 'open' THEN "+month("{R}.projected_close_date")+" ELSE "+month("{R}.closed_date")+" END"),
		valCols: []string{"n", "amount", "weighted"},
		vals:    []string{"{S}", "{S} * {R}.amount", "{S} * CASE f.kind WHEN 'open' THEN ({R}.amount * {R}.probability + 50) / 100 ELSE 0 END"},
		from:    "(SELECT 'open' AS kind UNION ALL SELECT 'won') f",
		where:   "(f.kind = 'open' AND {R}.is_open OR f.kind = 'won' AND {R}.status IN ('closed', 'implemented') AND {R}.closed_date IS NOT NULL)"},
}

// trigger is the statement adding (sign "+") or taking away ("-") record r.
func (u rollup) trigger(r, sign string) string {
	var set []string
	for _, c := range u.valCols {
		set = append(set, c+" = "+c+" + excluded."+c)
	}
	from := "(SELECT -1 AS c UNION ALL SELECT COALESCE({R}.campaign_id, 0)) k"
	if u.from != "" {
		from += ", " + u.from
	}
	where := "true"
	if u.where != "" {
		where = u.where
	}
	sql := "INSERT INTO " + u.table + " (campaign_id, " + strings.Join(u.keyCols, ", ") + ", " + strings.Join(u.valCols, ", ") + ")\n" +
		"SELECT k.c, " + strings.Join(u.keys, ", ") + ", " + strings.Join(u.vals, ", ") + " FROM " + from + " WHERE " + where + "\n" +
		"ON CONFLICT (campaign_id, " + strings.Join(u.keyCols, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	return strings.NewReplacer("{R}.", r+".", "{S}", sign+"1").Replace(sql)
}

// rebuild is the statements filling the rollup from all records: one pass
// over them adding each to the sums of its campaign (0 for none), as the
// triggers do (on millions of records far quicker than sorting them for a
// GROUP BY), then the sums for all campaigns (-1) added up from those.
func (u rollup) rebuild() []string {
	var set, sums []string
	for _, c := range u.valCols {
		set = append(set, c+" = "+c+" + excluded."+c)
		sums = append(sums, "SUM("+c+")")
	}
	from := u.source + " {R}"
	if u.from != "" {
		from += ", " + u.from
	}
	where := "true" // also needed before ON CONFLICT
	if u.where != "" {
		where = u.where
	}
	keys := strings.Join(u.keyCols, ", ")
	cols := "campaign_id, " + keys + ", " + strings.Join(u.valCols, ", ")
	perCampaign := "INSERT INTO " + u.table + " (" + cols + ")\n" +
		"SELECT COALESCE({R}.campaign_id, 0), " + strings.Join(u.keys, ", ") + ", " + strings.Join(u.vals, ", ") + " FROM " + from + " WHERE " + where + "\n" +
		"ON CONFLICT (campaign_id, " + keys + ") DO UPDATE SET " + strings.Join(set, ", ")
	return []string{strings.NewReplacer("{R}", "R", "{S}", "1").Replace(perCampaign),
		"INSERT INTO " + u.table + " (" + cols + ") SELECT -1, " + keys + ", " + strings.Join(sums, ", ") + " FROM " + u.table +
			" WHERE campaign_id <> -1 GROUP BY " + keys}
}

// stageRollup adds (sign "+") or takes away ("-") the stays in each stage of
// the opportunity O, from the stage entries of its history that spans
// selects (new_value, new_ref, created_at, id); opp is O's FROM item.
func stageRollup(opp, sign, spans string) string {
	return strings.NewReplacer("{S}", sign+"1", "{OPP}", opp, "{SPANS}", spans).Replace(
		`INSERT INTO report_stages (campaign_id, owner_id, category_id, month, stage, stage_ref, n, days)
		SELECT CASE WHEN k.c = -1 THEN -1 ELSE COALESCE(o.campaign_id, 0) END, o.owner_id, COALESCE(o.category_id, 0),
			` + month("o.created_at") + `, x.new_value, COALESCE(x.new_ref, 0),
			{S} * COUNT(*), {S} * SUM(julianday(x.left_at) - julianday(x.created_at))
		FROM {OPP}, (SELECT -1 AS c UNION ALL SELECT -2) k,
			(SELECT new_value, new_ref, created_at, LEAD(created_at) OVER (ORDER BY created_at, id) AS left_at FROM ({SPANS})) x
		WHERE x.left_at IS NOT NULL GROUP BY k.c, o.owner_id, o.category_id, o.created_at, x.new_value, x.new_ref
		ON CONFLICT (campaign_id, owner_id, category_id, month, stage, stage_ref) DO UPDATE SET n = n + excluded.n, days = days + excluded.days`)
}

func stagesOf(o, extra string) string {
	return "SELECT new_value, new_ref, created_at, id FROM opportunity_history WHERE opportunity_id = " + o + " AND field = 'stage'" + extra
}

// ReportRollupTriggers keep the rollups. Stage history is only ever added to; an
// insert (or a delete) of a stage entry re-counts the stays of that one opportunity.
func ReportRollupTriggers() []string {
	body := func(stmts ...string) string { return " BEGIN\n" + strings.Join(stmts, ";\n") + ";\nEND" }
	opps := func(r, sign string) []string {
		var out []string
		for _, u := range oppRollupList {
			out = append(out, u.trigger(r, sign))
		}
		return out
	}
	oppCols := "campaign_id, owner_id, category_id, created_at, status, is_open, quoted, from_lead, amount, probability, " +
		"closed_date, lost_date, win_reason_id, loss_reason_id, competitor_id, projected_close_date"
	dims := "OLD.campaign_id IS NOT NEW.campaign_id OR OLD.owner_id IS NOT NEW.owner_id OR OLD.category_id IS NOT NEW.category_id OR OLD.created_at IS NOT NEW.created_at"
	// The opportunity's row as it is now, or as it was (OLD in its own triggers).
	row := func(r string) string {
		return "(SELECT " + r + ".id AS id, " + r + ".campaign_id AS campaign_id, " + r + ".owner_id AS owner_id, " +
			r + ".category_id AS category_id, " + r + ".created_at AS created_at) o"
	}
	ofHistory := func(r string) string { return "(SELECT * FROM opportunities WHERE id = " + r + ".opportunity_id) o" }
	return []string{
		`CREATE TRIGGER report_leads_insert AFTER INSERT ON leads` + body(leadRollup.trigger("NEW", "+")),
		`CREATE TRIGGER report_leads_delete AFTER DELETE ON leads` + body(leadRollup.trigger("OLD", "-")),
		`CREATE TRIGGER report_leads_update AFTER UPDATE OF campaign_id, owner_id, status, created_at ON leads` +
			body(leadRollup.trigger("OLD", "-"), leadRollup.trigger("NEW", "+")),
		`CREATE TRIGGER report_opps_insert AFTER INSERT ON opportunities` + body(opps("NEW", "+")...),
		`CREATE TRIGGER report_opps_delete AFTER DELETE ON opportunities` + body(append(opps("OLD", "-"),
			stageRollup(row("OLD"), "-", stagesOf("OLD.id", "")))...),
		`CREATE TRIGGER report_opps_update AFTER UPDATE OF ` + oppCols + ` ON opportunities` + body(append(opps("OLD", "-"), opps("NEW", "+")...)...),
		`CREATE TRIGGER report_opps_move_stages AFTER UPDATE OF campaign_id, owner_id, category_id, created_at ON opportunities WHEN ` + dims +
			body(stageRollup(row("OLD"), "-", stagesOf("OLD.id", "")), stageRollup(row("NEW"), "+", stagesOf("NEW.id", ""))),
		`CREATE TRIGGER report_stages_insert AFTER INSERT ON opportunity_history WHEN NEW.field = 'stage'` + body(
			stageRollup(ofHistory("NEW"), "-", stagesOf("NEW.opportunity_id", " AND id <> NEW.id")),
			stageRollup(ofHistory("NEW"), "+", stagesOf("NEW.opportunity_id", ""))),
		`CREATE TRIGGER report_stages_delete AFTER DELETE ON opportunity_history WHEN OLD.field = 'stage'` + body(
			stageRollup(ofHistory("OLD"), "-", stagesOf("OLD.opportunity_id", "")+" UNION ALL SELECT OLD.new_value, OLD.new_ref, OLD.created_at, OLD.id"),
			stageRollup(ofHistory("OLD"), "+", stagesOf("OLD.opportunity_id", ""))),
	}
}

// ReportRollupRebuild recomputes every rollup from the records.
func ReportRollupRebuild() []string {
	out := append([]string{"DELETE FROM report_leads", "DELETE FROM report_opps", "DELETE FROM report_reasons", "DELETE FROM report_forecast",
		"DELETE FROM report_stages"}, leadRollup.rebuild()...)
	for _, u := range oppRollupList {
		out = append(out, u.rebuild()...)
	}
	return append(out, `INSERT INTO report_stages (campaign_id, owner_id, category_id, month, stage, stage_ref, n, days)
		SELECT COALESCE(o.campaign_id, 0), o.owner_id, COALESCE(o.category_id, 0), `+month("o.created_at")+`, x.new_value, COALESCE(x.new_ref, 0),
			1, julianday(x.left_at) - julianday(x.created_at)
		FROM (SELECT opportunity_id, new_value, new_ref, created_at,
				LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at
			FROM opportunity_history WHERE field = 'stage') x
		JOIN opportunities o ON o.id = x.opportunity_id
		WHERE x.left_at IS NOT NULL
		ON CONFLICT (campaign_id, owner_id, category_id, month, stage, stage_ref) DO UPDATE SET n = n + excluded.n, days = days + excluded.days`,
		`INSERT INTO report_stages (campaign_id, owner_id, category_id, month, stage, stage_ref, n, days)
		SELECT -1, owner_id, category_id, month, stage, stage_ref, SUM(n), SUM(days) FROM report_stages
		WHERE campaign_id <> -1 GROUP BY owner_id, category_id, month, stage, stage_ref`)
}

// stageRollupCols are the columns of report_stages, whose rows come from the
// stage history rather than from one record each.
var stageRollupCols = []string{"owner_id", "category_id", "month", "stage", "stage_ref", "n", "days"}

// rollupColumns are the columns of a rollup table, in order.
func rollupColumns(table string) []string {
	if table == "report_stages" {
		return append([]string{"campaign_id"}, stageRollupCols...)
	}
	u := rollupNamed(table)
	return append(append([]string{"campaign_id"}, u.keyCols...), u.valCols...)
}

func rollupNamed(table string) rollup {
	if table == leadRollup.table {
		return leadRollup
	}
	for _, u := range oppRollupList {
		if u.table == table {
			return u
		}
	}
	panic("models: no report rollup " + table) // a programming error: the tables are constants
}

// rollupRecords is the SQL of rows shaped like the rollup's, taken from the
// records themselves, one per record (per stay in a stage, for
// report_stages), for the records R matching cond. campaign is the
// campaign_id the rows carry: "-1" when all campaigns are asked for.
func rollupRecords(table, campaign, cond string) string {
	if table == "report_stages" {
		return `SELECT ` + campaign + ` AS campaign_id, R.owner_id AS owner_id, COALESCE(R.category_id, 0) AS category_id,
				` + month("R.created_at") + ` AS month, x.new_value AS stage, COALESCE(x.new_ref, 0) AS stage_ref, 1 AS n,
				julianday(x.left_at) - julianday(x.created_at) AS days
			FROM opportunities R JOIN (SELECT opportunity_id, new_value, new_ref, created_at,
					LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at
				FROM opportunity_history WHERE field = 'stage' AND opportunity_id IN (
					SELECT R.id FROM opportunities R INDEXED BY opportunities_created WHERE ` + cond + `)) x
				ON x.opportunity_id = R.id
			WHERE x.left_at IS NOT NULL`
	}
	u := rollupNamed(table)
	cols := []string{campaign + " AS campaign_id"}
	for i, c := range u.keyCols {
		cols = append(cols, u.keys[i]+" AS "+c)
	}
	for i, c := range u.valCols {
		cols = append(cols, u.vals[i]+" AS "+c)
	}
	// The rows come by the creation date (migration 13), whatever else the
	// conditions name: a period's ends hold at most two months of records,
	// where an index on status or owner could hold most of the table.
	from := u.source + " {R} INDEXED BY " + u.source + "_created"
	if u.from != "" {
		from += ", " + u.from
	}
	if u.where != "" {
		cond = "(" + u.where + ") AND " + cond
	}
	return strings.NewReplacer("{R}", "R", "{S}", "1").Replace("SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + cond)
}
