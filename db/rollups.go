package db

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"salesdesk/models"
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
		for _, s := range models.ReportRollupRebuild() {
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
