package models_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// addLogRows writes n log entries at time at in one statement.
func addLogRows(t *testing.T, gdb *gorm.DB, n int, at time.Time) {
	t.Helper()
	if err := gdb.Exec(`INSERT INTO integration_log (method, external_id, status, result, problems, created_at)
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		SELECT 'POST', 'QM-' || i, 401, 'refused: missing or invalid key', '', ? FROM seq`, n, at.UTC()).Error; err != nil {
		t.Fatal(err)
	}
}

func logCount(t *testing.T, gdb *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := gdb.Model(&models.IntegrationLogEntry{}).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The log keeps IntegrationLogDays days and the newest IntegrationLogMaxRows entries.
func TestPruneIntegrationLog(t *testing.T) {
	gdb := openDB(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	addLogRows(t, gdb, 30, now.AddDate(0, 0, -models.IntegrationLogDays).Add(-time.Minute)) // just too old
	addLogRows(t, gdb, 20, now.AddDate(0, 0, -models.IntegrationLogDays).Add(time.Minute))  // just young enough
	if n, err := models.PruneIntegrationLog(gdb, now); err != nil || n != 30 {
		t.Fatalf("pruned %d (%v), want the 30 older than %d days", n, err, models.IntegrationLogDays)
	}
	if n := logCount(t, gdb, "1 = 1"); n != 20 {
		t.Fatalf("%d left, want 20", n)
	}
	// Over the cap, the oldest go, whatever their age.
	addLogRows(t, gdb, models.IntegrationLogMaxRows, now.Add(-time.Hour))
	var newest uint
	gdb.Raw("SELECT MAX(id) FROM integration_log").Scan(&newest)
	if n, err := models.PruneIntegrationLog(gdb, now); err != nil || n != 20 {
		t.Fatalf("pruned %d (%v), want the 20 oldest", n, err)
	}
	if n := logCount(t, gdb, "1 = 1"); n != models.IntegrationLogMaxRows {
		t.Fatalf("%d left, want %d", n, models.IntegrationLogMaxRows)
	}
	if n := logCount(t, gdb, "created_at < ?", now.Add(-2*time.Hour)); n != 0 {
		t.Fatalf("%d of the oldest entries kept", n)
	}
	if n := logCount(t, gdb, "id = ?", newest); n != 1 {
		t.Fatalf("the newest entry is gone")
	}
	// Nothing to do: nothing goes.
	if n, err := models.PruneIntegrationLog(gdb, now); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) from a log within the rules", n, err)
	}
}

// Writing the log prunes it as it goes: old entries do not outlive a run of calls.
func TestLogIntegrationPrunes(t *testing.T) {
	gdb := openDB(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	addLogRows(t, gdb, 5, now.AddDate(-1, 0, 0))
	for i := 0; i < 100; i++ {
		if err := models.LogIntegration(gdb, "POST", "QM-1", 201, "created", nil, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := logCount(t, gdb, "created_at < ?", now.AddDate(0, 0, -models.IntegrationLogDays)); n != 0 {
		t.Fatalf("%d entries older than %d days after 100 calls", n, models.IntegrationLogDays)
	}
	if n := logCount(t, gdb, "1 = 1"); n != 100 {
		t.Fatalf("%d entries, want the 100 calls", n)
	}
}
