package db

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// The report rollups (SQLite): the sums the manager reports read, kept per
// campaign (-1 for all campaigns, 0 for none), owner, category (0 for none)
// and month of creation by triggers on every change of a lead, an
// opportunity or its stage history, in the same transaction as the change.
// With them the funnel page reads a few thousand rows instead of millions;
// models/report.go reads them when the filters fall on whole months and
// reads the records themselves otherwise (and on PostgreSQL, which has no
// rollups). Rebuild (rollupRebuild) recomputes them from the records.
var rollupTables = []string{
	`CREATE TABLE report_leads (campaign_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, month TEXT NOT NULL, status TEXT NOT NULL,
		n INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, owner_id, month, status)) WITHOUT ROWID`,
	`CREATE TABLE report_opps (campaign_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, category_id INTEGER NOT NULL, month TEXT NOT NULL,
		status TEXT NOT NULL, is_open INTEGER NOT NULL, quoted INTEGER NOT NULL, from_lead INTEGER NOT NULL,
		n INTEGER NOT NULL DEFAULT 0, amount INTEGER NOT NULL DEFAULT 0, weighted INTEGER NOT NULL DEFAULT 0,
		cycle_n INTEGER NOT NULL DEFAULT 0, cycle_days REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, owner_id, category_id, month, status, is_open, quoted, from_lead)) WITHOUT ROWID`,
	`CREATE TABLE report_reasons (campaign_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, category_id INTEGER NOT NULL, month TEXT NOT NULL,
		kind TEXT NOT NULL, reason_id INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0, amount INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, owner_id, category_id, month, kind, reason_id)) WITHOUT ROWID`,
	`CREATE TABLE report_forecast (campaign_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, category_id INTEGER NOT NULL, month TEXT NOT NULL,
		kind TEXT NOT NULL, at_month TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0, amount INTEGER NOT NULL DEFAULT 0, weighted INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, owner_id, category_id, month, kind, at_month)) WITHOUT ROWID`,
	`CREATE TABLE report_stages (campaign_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, category_id INTEGER NOT NULL, month TEXT NOT NULL,
		stage TEXT NOT NULL, stage_ref INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0, days REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, owner_id, category_id, month, stage, stage_ref)) WITHOUT ROWID`,
}

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

// rebuild is the statement filling the rollup from all records.
func (u rollup) rebuild() string {
	var inner, sums []string
	inner = append(inner, "CASE WHEN k.c = -1 THEN -1 ELSE COALESCE({R}.campaign_id, 0) END AS campaign_id")
	for i, c := range u.keyCols {
		inner = append(inner, u.keys[i]+" AS "+c)
	}
	for i, c := range u.valCols {
		inner = append(inner, u.vals[i]+" AS "+c)
		sums = append(sums, "SUM("+c+")")
	}
	from := u.source + " {R}, (SELECT -1 AS c UNION ALL SELECT -2) k"
	if u.from != "" {
		from += ", " + u.from
	}
	where := "true"
	if u.where != "" {
		where = u.where
	}
	keys := "campaign_id, " + strings.Join(u.keyCols, ", ")
	sql := "INSERT INTO " + u.table + " (" + keys + ", " + strings.Join(u.valCols, ", ") + ")\n" +
		"SELECT " + keys + ", " + strings.Join(sums, ", ") + " FROM (SELECT " + strings.Join(inner, ", ") + " FROM " + from +
		" WHERE " + where + ") x GROUP BY " + keys
	return strings.NewReplacer("{R}", "R", "{S}", "1").Replace(sql)
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

// rollupTriggers keep the rollups. Stage history is only ever added to; an
// insert (or a delete) of a stage entry re-counts the stays of that one opportunity.
func rollupTriggers() []string {
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

// rollupRebuild recomputes every rollup from the records.
func rollupRebuild() []string {
	out := []string{"DELETE FROM report_leads", "DELETE FROM report_opps", "DELETE FROM report_reasons", "DELETE FROM report_forecast",
		"DELETE FROM report_stages", leadRollup.rebuild()}
	for _, u := range oppRollupList {
		out = append(out, u.rebuild())
	}
	return append(out, `INSERT INTO report_stages (campaign_id, owner_id, category_id, month, stage, stage_ref, n, days)
		SELECT campaign_id, owner_id, category_id, month, stage, stage_ref, COUNT(*), SUM(days) FROM (
			SELECT CASE WHEN k.c = -1 THEN -1 ELSE COALESCE(o.campaign_id, 0) END AS campaign_id, o.owner_id AS owner_id,
				COALESCE(o.category_id, 0) AS category_id, `+month("o.created_at")+` AS month, x.new_value AS stage,
				COALESCE(x.new_ref, 0) AS stage_ref, julianday(x.left_at) - julianday(x.created_at) AS days
			FROM (SELECT opportunity_id, new_value, new_ref, created_at,
					LEAD(created_at) OVER (PARTITION BY opportunity_id ORDER BY created_at, id) AS left_at
				FROM opportunity_history WHERE field = 'stage') x
			JOIN opportunities o ON o.id = x.opportunity_id, (SELECT -1 AS c UNION ALL SELECT -2) k
			WHERE x.left_at IS NOT NULL) y
		GROUP BY campaign_id, owner_id, category_id, month, stage, stage_ref`)
}

// sqliteOnly marks statements for SQLite alone (onlyOn in migrate.go).
func sqliteOnly(stmts ...[]string) []string {
	var out []string
	for _, ss := range stmts {
		out = append(out, onlyOn("sqlite", ss...)...)
	}
	return out
}

var rollupNames = []string{"report_leads", "report_opps", "report_reasons", "report_forecast", "report_stages"}

// RebuildReportRollups recomputes the report rollups from the records (SQLite;
// nothing to do on PostgreSQL).
func RebuildReportRollups(gdb *gorm.DB) error {
	if gdb.Dialector.Name() != "sqlite" {
		return nil
	}
	return gdb.Transaction(func(tx *gorm.DB) error {
		for _, s := range rollupRebuild() {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

var errRollbackCheck = fmt.Errorf("rollback")

// CheckReportRollups compares the rollups the triggers kept with ones
// computed afresh from the records, and says where they differ. It changes
// nothing.
func CheckReportRollups(gdb *gorm.DB) error {
	if gdb.Dialector.Name() != "sqlite" {
		return nil
	}
	var diffs []string
	err := gdb.Transaction(func(tx *gorm.DB) error {
		cols := func(t string) string {
			// Sums of stays and cycles are REAL: compare them rounded.
			switch t {
			case "report_opps":
				return "campaign_id, owner_id, category_id, month, status, is_open, quoted, from_lead, n, amount, weighted, cycle_n, ROUND(cycle_days, 6)"
			case "report_stages":
				return "campaign_id, owner_id, category_id, month, stage, stage_ref, n, ROUND(days, 6)"
			}
			return "*"
		}
		for _, t := range rollupNames {
			if err := tx.Exec("CREATE TEMP TABLE kept_" + t + " AS SELECT " + cols(t) + " FROM " + t + " WHERE n <> 0").Error; err != nil {
				return err
			}
		}
		for _, s := range rollupRebuild() {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		for _, t := range rollupNames {
			for _, q := range []struct{ what, sql string }{
				{"kept but not computed", "SELECT * FROM kept_" + t + " EXCEPT SELECT " + cols(t) + " FROM " + t + " WHERE n <> 0"},
				{"computed but not kept", "SELECT " + cols(t) + " FROM " + t + " WHERE n <> 0 EXCEPT SELECT * FROM kept_" + t},
			} {
				var rows []map[string]any
				if err := tx.Raw(q.sql + " LIMIT 5").Scan(&rows).Error; err != nil {
					return err
				}
				for _, r := range rows {
					diffs = append(diffs, fmt.Sprintf("%s %s: %v", t, q.what, r))
				}
			}
		}
		return errRollbackCheck
	})
	if err != nil && err != errRollbackCheck {
		return err
	}
	if len(diffs) > 0 {
		return fmt.Errorf("report rollups differ from the records:\n%s", strings.Join(diffs, "\n"))
	}
	return nil
}
