package db

import (
	"testing"
	"time"
)

// The generator writes times as the SQLite driver would.
func TestSQLiteTimeIsTheDriversFormat(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 26, 17, 13, 38, 382924620, time.UTC),
		time.Date(2026, 6, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)),
	} {
		if got, want := sqliteTime(tm), tm.Format("2006-01-02 15:04:05.999999999-07:00"); got != want {
			t.Errorf("sqliteTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
