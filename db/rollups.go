package db

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"salesdesk/models"
)

// The report rollups (SQLite): the sums the manager reports read, kept by
// triggers on every change of a lead, an opportunity or its stage history, in
// the same transaction as the change (models/report_rollups.go). Each is kept
// per month of creation, per campaign (-1 for all campaigns, 0 for none), and
// per day of creation for all campaigns (the *_days tables); both per owner
// and category (0 for none), per owner for all categories (category_id -1)
// and for everyone (owner_id and category_id -1). With them the funnel page
// reads a few hundred rows instead of millions, for any period of whole days;
// models/report.go reads the records themselves for a campaign's days at a
// period's ends, for parts of a day, and on PostgreSQL, which has no rollups.
// Rebuild (RebuildReportRollups) recomputes them from the records.
//
// rollupTables are the monthly tables (migration 11), dayTables the daily
// ones (migration 18).
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

// dayTables are the monthly tables' daily twins, one definition for both.
var dayTables = func() []string {
	out := make([]string, len(rollupTables))
	for i, ddl := range rollupTables {
		out[i] = dayTable(ddl)
	}
	return out
}()

// reportRollups is migration 18: the daily tables, the triggers keeping
// both grains (replacing those of migration 11) and every rollup rebuilt.
func reportRollups() []string {
	return sqliteOnly(dayTables, models.ReportRollupTriggers(), models.ReportRollupRebuild())
}

// sqliteOnly marks statements for SQLite alone (onlyOn in migrate.go).
func sqliteOnly(stmts ...[]string) []string {
	var out []string
	for _, ss := range stmts {
		out = append(out, onlyOn("sqlite", ss...)...)
	}
	return out
}

// RebuildReportRollups recomputes the report rollups from the records (SQLite;
// nothing to do on PostgreSQL).
func RebuildReportRollups(gdb *gorm.DB) error {
	if gdb.Dialector.Name() != "sqlite" {
		return nil
	}
	return gdb.Transaction(func(tx *gorm.DB) error {
		for _, s := range models.ReportRollupRebuild() {
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
		// Sums of stays and cycles are REAL: compare them rounded.
		cols := func(t string) string {
			var cs []string
			for _, c := range models.ReportRollupColumns(t) {
				if c == "cycle_days" || c == "days" {
					c = "ROUND(" + c + ", 6)"
				}
				cs = append(cs, c)
			}
			return strings.Join(cs, ", ")
		}
		for _, t := range models.ReportRollupTables() {
			if err := tx.Exec("CREATE TEMP TABLE kept_" + t + " AS SELECT " + cols(t) + " FROM " + t + " WHERE n <> 0").Error; err != nil {
				return err
			}
		}
		for _, s := range models.ReportRollupRebuild() {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		for _, t := range models.ReportRollupTables() {
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

// dayTable is a monthly rollup table's daily twin: the same columns with day
// for month, named *_days.
func dayTable(ddl string) string {
	name, rest, _ := strings.Cut(ddl, " (")
	rest = strings.ReplaceAll(rest, ", month TEXT", ", day TEXT")
	rest = strings.ReplaceAll(rest, ", month,", ", day,")
	return name + "_days (" + rest
}
