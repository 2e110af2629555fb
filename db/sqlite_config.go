package db

// SQLite keeps statistics of its memory use (sqlite3_memory_used and the
// soft heap limit), counting every allocation under a global mutex; the app
// reads none of them, and bulk writes (binding text, sorting for an index)
// allocate at a high rate. They are turned off once, before the first
// connection opens SQLite, through its configuration call (what the
// SQLITE_DEFAULT_MEMSTATUS=0 compile-time option does, without a build flag).
// The SQLite library is the one compiled into github.com/mattn/go-sqlite3.

/*
int sqlite3_config(int, ...);
static int salesdesk_memstatus_off(void) { return sqlite3_config(9, 0); } // SQLITE_CONFIG_MEMSTATUS
*/
import "C"

// sqliteMemstatusOff is SQLite's result code of turning the statistics off:
// 0 (SQLITE_OK), or 21 (SQLITE_MISUSE) had SQLite been started already.
var sqliteMemstatusOff = int(C.salesdesk_memstatus_off())
