// Package dbtest gives each test a database of its own: a temp SQLite file, or,
// when DATABASE_URL is a PostgreSQL URL, a fresh PostgreSQL database cloned from
// a template that has the migrations (and, for Demo, the demo data) applied.
// Only tests import it.
//
// Run the suite on PostgreSQL with
//
//	DATABASE_URL='postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable' go test ./...
//
// The URL names a maintenance database; the tests create and drop their own
// databases next to it, so the user needs CREATEDB.
package dbtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"salesdesk/db"
)

// URL is the PostgreSQL URL from DATABASE_URL, or "" when the tests use SQLite.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); db.IsPostgres(u) {
		return u
	}
	return ""
}

// Postgres tells whether the tests run on PostgreSQL.
func Postgres() bool { return URL() != "" }

// SkipOnPostgres skips a test that checks something only SQLite has.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + why)
	}
}

// Open returns a migrated, empty database that is dropped when the test ends.
func Open(t testing.TB) *gorm.DB {
	t.Helper()
	return open(t, NewDSN(t, false))
}

// OpenDemo returns a migrated database with the demo data, a copy of a
// template this process seeded earlier (see NewDSN).
func OpenDemo(t testing.TB) *gorm.DB {
	t.Helper()
	return open(t, NewDSN(t, true))
}

func open(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	gdb, err := db.Open(dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := gdb.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := db.Migrate(gdb); err != nil {
		t.Fatal(err)
	}
	return gdb
}

// NewDSN makes a database for this test and returns its DSN; callers open it
// themselves (as often as they like, e.g. once per app instance). It has every
// migration applied and, if demo is set, the demo data: on SQLite it is a copy,
// in the test's temp folder, of a file this process made once; on PostgreSQL a
// new database cloned from a template. The database is dropped when the test
// ends.
func NewDSN(t testing.TB, demo bool) string {
	t.Helper()
	if !Postgres() {
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copySQLiteTemplate(demo, path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	name, err := take(demo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release(name) })
	return WithDatabase(URL(), name)
}

// NewEmptyDSN makes a database for this test with nothing in it, not even the
// migrations, and returns its DSN. It is dropped when the test ends.
func NewEmptyDSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "test.db")
	}
	name, err := clone("template0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release(name) })
	return WithDatabase(URL(), name)
}

// Kept returns the DSN of a database that outlives the test run, for
// benchmarks on big generated data: a file in the temp folder, or a PostgreSQL
// database, called name. If it does not exist yet, it is made, migrated and
// handed to fill; a failed fill leaves nothing behind.
func Kept(t testing.TB, name string, fill func(*gorm.DB) error) string {
	t.Helper()
	build := func(dsn string) {
		gdb, err := db.Open(dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if s, err := gdb.DB(); err == nil {
				_ = s.Close()
			}
		}()
		if err := db.Migrate(gdb); err != nil {
			t.Fatal(err)
		}
		if err := fill(gdb); err != nil {
			t.Fatal(err)
		}
		if !Postgres() {
			gdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
	}
	if !Postgres() {
		path := filepath.Join(os.TempDir(), strings.ReplaceAll(name, "_", "-")+".db")
		if _, err := os.Stat(path); err == nil {
			return path
		}
		tmp := path + ".part"
		_ = os.Remove(tmp)
		build(tmp)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := admin()
	var n int64
	if err := a.Raw(`SELECT COUNT(*) FROM pg_database WHERE datname = ?`, name).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		part := name + "_part"
		dropDatabase(part)
		if err := a.Exec(`CREATE DATABASE ` + part + ` TEMPLATE template0`).Error; err != nil {
			t.Fatal(err)
		}
		build(WithDatabase(URL(), part))
		if err := a.Exec(`ALTER DATABASE ` + part + ` RENAME TO ` + name).Error; err != nil {
			t.Fatal(err)
		}
	}
	return WithDatabase(URL(), name)
}

var (
	mu      sync.Mutex
	adminDB *gorm.DB
	pools   = map[bool]*pool{} // demo? → this process's template and its clones
	prefix  = fmt.Sprintf("sd%d_", os.Getpid())

	// Under Main, the next database is cloned while a test runs and finished
	// ones are dropped in the background; without it all happens in line.
	inMain  bool
	drops   chan string
	dropped sync.WaitGroup
)

// A pool is a template database and, under Main, one clone of it made ahead.
type pool struct {
	template string
	ready    chan string
	stop     chan struct{}
	done     sync.WaitGroup
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// admin is the connection to the maintenance database named in DATABASE_URL.
func admin() *gorm.DB {
	mu.Lock()
	defer mu.Unlock()
	if adminDB == nil {
		gdb, err := db.Open(URL(), nil)
		if err != nil {
			panic(fmt.Sprintf("dbtest: open %s: %v", redact(URL()), err))
		}
		if s, err := gdb.DB(); err == nil {
			s.SetMaxOpenConns(4)
		}
		adminDB = gdb
	}
	return adminDB
}

func clone(template string) (string, error) {
	name := "sdt_" + randomName()
	if err := admin().Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template).Error; err != nil {
		return "", fmt.Errorf("create test database: %w", err)
	}
	return name, nil
}

// take returns a new database cloned from this process's template: the one
// made ahead if it is ready, else a new clone.
func take(demo bool) (string, error) {
	p, err := poolFor(demo)
	if err != nil {
		return "", err
	}
	select {
	case name := <-p.ready:
		return name, nil
	default:
		return clone(p.template)
	}
}

// release drops a test's database, in the background under Main.
func release(name string) {
	if drops != nil {
		dropped.Add(1)
		drops <- name
		return
	}
	dropDatabase(name)
}

// poolFor returns the pool of this process's template database, making the
// template on first use: migrations applied and, for demo, the demo data
// seeded. A test process makes its own templates, so parallel packages never
// share one (a template may have no other connection while it is cloned).
func poolFor(demo bool) (*pool, error) {
	a := admin()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := pools[demo]; ok {
		return p, nil
	}
	name := "sdtpl_" + randomName()
	if err := a.Exec(`CREATE DATABASE ` + name).Error; err != nil {
		return nil, fmt.Errorf("create template database: %w", err)
	}
	gdb, err := db.Open(WithDatabase(URL(), name), nil)
	if err != nil {
		return nil, err
	}
	err = fillTemplate(gdb, demo)
	if s, e := gdb.DB(); e == nil {
		_ = s.Close() // a template must have no connection while it is cloned
	}
	if err != nil {
		dropDatabase(name)
		return nil, err
	}
	p := &pool{template: name, ready: make(chan string), stop: make(chan struct{})}
	if inMain {
		p.done.Add(1)
		go p.fill()
	}
	pools[demo] = p
	return p, nil
}

// fill keeps one clone ready for the next test.
func (p *pool) fill() {
	defer p.done.Done()
	for {
		name, err := clone(p.template)
		if err != nil {
			return // take makes its own and reports the error
		}
		select {
		case p.ready <- name:
		case <-p.stop:
			dropDatabase(name)
			return
		}
	}
}

func dropDatabase(name string) {
	if adminDB != nil {
		adminDB.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	}
}

// Main runs a package's tests and then drops the databases it made:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
func Main(m *testing.M) int {
	if !Postgres() {
		code := m.Run()
		if sqliteDir != "" {
			_ = os.RemoveAll(sqliteDir)
		}
		return code
	}
	inMain = true
	drops = make(chan string, 1000)
	go func() {
		for name := range drops {
			dropDatabase(name)
			dropped.Done()
		}
	}()
	code := m.Run()
	mu.Lock()
	for _, p := range pools {
		close(p.stop)
		p.done.Wait()
		dropDatabase(p.template)
	}
	mu.Unlock()
	dropped.Wait()
	if adminDB != nil {
		if s, err := adminDB.DB(); err == nil {
			_ = s.Close()
		}
	}
	return code
}

// The SQLite templates of this process: a migrated file and one with the demo
// data, made on first use in a folder of their own. Copying one costs a few
// milliseconds; migrating and seeding a file costs most of a short test.
var (
	sqliteMu        sync.Mutex
	sqliteDir       string
	sqliteTemplates = map[bool]string{}
)

// copySQLiteTemplate copies this process's template (made now if it is the
// first) to path.
func copySQLiteTemplate(demo bool, path string) error {
	sqliteMu.Lock()
	defer sqliteMu.Unlock()
	tpl, ok := sqliteTemplates[demo]
	if !ok {
		var err error
		if sqliteDir == "" {
			if sqliteDir, err = os.MkdirTemp("", "salesdesk-dbtest-"); err != nil {
				return err
			}
		}
		tpl = filepath.Join(sqliteDir, fmt.Sprintf("template-demo-%t.db", demo))
		if err := makeSQLiteTemplate(tpl, demo); err != nil {
			return fmt.Errorf("dbtest: make the SQLite template: %w", err)
		}
		sqliteTemplates[demo] = tpl
	}
	data, err := os.ReadFile(tpl) // #nosec G304 -- our own file, named above
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600) // #nosec G703 -- path is the test's own temp folder (NewDSN)
}

// makeSQLiteTemplate migrates (and seeds) a new file and closes it with its
// write-ahead log folded in, so that the one file is the whole database.
func makeSQLiteTemplate(path string, demo bool) error {
	gdb, err := db.Open(path, nil)
	if err != nil {
		return err
	}
	err = fillTemplate(gdb, demo)
	if err == nil {
		err = gdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if s, e := gdb.DB(); e == nil {
		if e := s.Close(); err == nil {
			err = e
		}
	}
	if err == nil {
		// Nothing may be left in a write-ahead log beside the file.
		if fi, e := os.Stat(path + "-wal"); e == nil && fi.Size() > 0 {
			err = fmt.Errorf("%s-wal still holds %d bytes after the checkpoint", path, fi.Size())
		}
	}
	return err
}

// fillTemplate migrates a template (SQLite's or PostgreSQL's) and, for demo,
// seeds the demo data, with the demo users' password hashed at bcrypt's
// lowest cost: tests sign in thousands of times, and at the default cost each
// sign-in takes 50–80 ms of CPU. Passwords set through the app in a test are
// still hashed at the app's cost.
func fillTemplate(gdb *gorm.DB, demo bool) error {
	if err := db.Migrate(gdb); err != nil || !demo {
		return err
	}
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(db.DemoPassword), bcrypt.MinCost)
	if err != nil {
		return err
	}
	return gdb.Exec("UPDATE users SET password_hash = ?", string(hash)).Error
}

var dbnameKV = regexp.MustCompile(`(^|\s)dbname=\S*`)

// WithDatabase returns dsn (a postgres:// URL or a key=value DSN) pointing at
// the database name instead.
func WithDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	if dbnameKV.MatchString(dsn) {
		return dbnameKV.ReplaceAllString(dsn, "${1}dbname="+name)
	}
	return strings.TrimSpace(dsn) + " dbname=" + name
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return "the DATABASE_URL"
}

// Refuse makes the database refuse, with an error, every row of table that
// meets cond as event happens ("INSERT", "UPDATE OF is_primary"); cond reads
// the row as NEW, as in NEW.name = 'x'. It is how a test makes a write fail
// half-way, on either database. The returned function lifts the refusal.
func Refuse(t testing.TB, gdb *gorm.DB, name, event, table, cond string) (lift func()) {
	t.Helper()
	create := []string{`CREATE TRIGGER ` + name + ` BEFORE ` + event + ` ON ` + table +
		` WHEN ` + cond + ` BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
	drop := []string{`DROP TRIGGER ` + name}
	if gdb.Dialector.Name() == "postgres" {
		create = []string{
			`CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
			`CREATE TRIGGER ` + name + ` BEFORE ` + event + ` ON ` + table +
				` FOR EACH ROW WHEN (` + cond + `) EXECUTE FUNCTION ` + name + `()`,
		}
		drop = []string{`DROP TRIGGER ` + name + ` ON ` + table, `DROP FUNCTION ` + name + `()`}
	}
	for _, s := range create {
		if err := gdb.Exec(s).Error; err != nil {
			t.Fatalf("refuse %s: %v", name, err)
		}
	}
	return func() {
		t.Helper()
		for _, s := range drop {
			if err := gdb.Exec(s).Error; err != nil {
				t.Fatalf("lift %s: %v", name, err)
			}
		}
	}
}
