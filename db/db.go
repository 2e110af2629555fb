// Package db opens the database with the settings a web server needs, migrates
// its schema and seeds demo data.
package db

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
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
