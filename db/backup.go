package db

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// ErrBackupNotSQLite is returned for a PostgreSQL database: pg_dump backs those up.
var ErrBackupNotSQLite = errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump (for example: pg_dump -Fc -f salesdesk.dump \"$DATABASE_URL\")")

// Backup writes a consistent copy of the SQLite database to path while the app
// keeps serving: VACUUM INTO reads one snapshot (a read transaction, which in WAL
// mode blocks no writer) and writes it compacted. It never overwrites: if path
// exists, nothing is written. The copy is written next to path under a temporary
// name, synced, checked with PRAGMA integrity_check and only then linked to
// path, so path is either absent or a complete, checked backup.
func Backup(gdb *gorm.DB, path string) (BackupTimes, error) {
	var bt BackupTimes
	if gdb.Dialector.Name() != "sqlite" {
		return bt, ErrBackupNotSQLite
	}
	if _, err := os.Lstat(path); err == nil {
		return bt, fmt.Errorf("%s already exists; a backup never overwrites a file, so choose a new name", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return bt, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	tmp := path + ".part-" + hex.EncodeToString(b)
	defer os.Remove(tmp)
	start := time.Now()
	if err := gdb.Exec("VACUUM INTO ?", tmp).Error; err != nil {
		return bt, fmt.Errorf("copy the database: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return bt, err
	}
	bt.Copy = time.Since(start)
	start = time.Now()
	if err := CheckIntegrity(tmp); err != nil {
		return bt, err
	}
	bt.Check = time.Since(start)
	// A hard link, unlike a rename, fails if path appeared in the meantime.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return bt, fmt.Errorf("%s already exists; a backup never overwrites a file, so choose a new name", path)
		}
		return bt, err
	}
	return bt, syncFile(filepath.Dir(path))
}

// BackupTimes says how long a backup took to copy (and sync) and to check.
type BackupTimes struct {
	Copy, Check time.Duration
}

// CheckIntegrity runs PRAGMA integrity_check on the SQLite file at path,
// opened read-only, and returns an error unless it answers "ok".
func CheckIntegrity(path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	conn, err := sql.Open(sqlite.DriverName, "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.Query("PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if len(got) != 1 || got[0] != "ok" {
		return fmt.Errorf("integrity check of %s failed: %v", path, got)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path) // #nosec G304 -- the backup file the operator named on the command line
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
