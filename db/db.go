// Package db opens the database with the settings a web server needs, migrates
// its schema and seeds demo data.
package db

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"
)

// IsPostgres tells a PostgreSQL URL or DSN from a SQLite file name.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") ||
		strings.Contains(dsn, "host=")
}

// Open connects to dsn: a postgres:// URL opens PostgreSQL, anything else is a
// SQLite file. SQLite is set up for many readers and one writer at a time:
// WAL, foreign keys, a busy timeout, immediate write transactions and one
// writer connection whose turns are queued in Go (write_turn.go), so that
// concurrent requests wait their turn instead of failing with "database is locked".
func Open(dsn string, log *slog.Logger) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         newLogger(log),
		NowFunc:        func() time.Time { return time.Now().UTC() },
		NamingStrategy: &namesOnce{},
	}
	var dialector gorm.Dialector
	if IsPostgres(dsn) {
		dialector = postgres.Open(dsn)
	} else {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		// Readers run in parallel under WAL; more connections than 8 only queue for the 2 cores.
		// Each connection has its own page cache (8 MB here): 8 of them stay within
		// the memory budget, and the operating system caches the file for all.
		pool, err := openWriteTurns(sqlite.DriverName, "file:"+strings.TrimPrefix(dsn, "file:")+sep+
			"_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_txlock=immediate&_synchronous=NORMAL&_cache_size=-8000",
			8, 10*time.Second)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		dialector = sqlite.New(sqlite.Config{Conn: pool})
	}
	gdb, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	if IsPostgres(dsn) {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return gdb, nil
}

func newLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		return logger.Discard
	}
	return logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             200 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true, // never write user data or secrets into the log
	})
}

// namesOnce is GORM's naming with each column name converted once. Scanning a
// joined row, GORM looks every "Relation__column" name up in the main table
// first, converting it to a column name (toDBName) before it finds it under
// the relation: for LoadQuote's hundred joined columns the conversions cost
// more than the scan. The names come from the program's queries, never from
// input, so the set stays small.
type namesOnce struct {
	schema.NamingStrategy
	columns sync.Map // column name as given → as GORM names it
}

// ColumnName is GORM's, which depends on the column only (not the table).
func (n *namesOnce) ColumnName(table, column string) string {
	if c, ok := n.columns.Load(column); ok {
		return c.(string)
	}
	c := n.NamingStrategy.ColumnName(table, column)
	n.columns.Store(column, c)
	return c
}
