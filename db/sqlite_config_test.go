package db

import "testing"

// SQLite's memory statistics were turned off before it started (it refuses
// the setting once a connection has opened it).
func TestSQLiteMemoryStatisticsAreOff(t *testing.T) {
	if sqliteMemstatusOff != 0 {
		t.Errorf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLITE_OK)", sqliteMemstatusOff)
	}
}
