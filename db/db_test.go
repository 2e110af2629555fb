package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/models"
)

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	gdb, err := db.Open(dbtest.NewEmptyDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(gdb) })
	for i := 0; i < 2; i++ {
		if err := db.Migrate(gdb); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	v, err := db.SchemaVersion(gdb)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if dbtest.Postgres() {
		return // the rest is SQLite's connection settings
	}
	var fk, busy int
	var mode string
	gdb.Raw("PRAGMA foreign_keys").Scan(&fk)
	gdb.Raw("PRAGMA journal_mode").Scan(&mode)
	gdb.Raw("PRAGMA busy_timeout").Scan(&busy)
	if fk != 1 || mode != "wal" || busy < 1000 {
		t.Fatalf("sqlite settings: foreign_keys=%d journal_mode=%s busy_timeout=%d", fk, mode, busy)
	}
}

func TestSeedDemoOnlyIntoAnEmptyDatabase(t *testing.T) {
	gdb := dbtest.Open(t)
	seeded, err := db.SeedDemo(gdb, time.Now().UTC())
	if err != nil || !seeded {
		t.Fatalf("first seed: %v %v", seeded, err)
	}
	var users, orgs, opps int64
	gdb.Model(&models.User{}).Count(&users)
	gdb.Model(&models.Organization{}).Count(&orgs)
	gdb.Model(&models.Opportunity{}).Count(&opps)
	// 12 customers and prospects, one per converted lead (32 + 3) and the catalog's two vendors.
	if users != 4 || orgs != 12+35+2 || opps < 36+35 || opps > 44+35 {
		t.Fatalf("demo data: %d users, %d organizations, %d opportunities", users, orgs, opps)
	}
	// The seed's funnel, exactly.
	var show models.Campaign
	if err := gdb.Where("type = ?", "trade_show").First(&show).Error; err != nil {
		t.Fatal(err)
	}
	r, err := models.CampaignFunnel(gdb, show.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Leads != 147 || r.Qualified != 63 || r.Opportunities != 32 || r.Lost != 18 || r.Won != 14 || r.Converted != 32 {
		t.Fatalf("trade show funnel = %+v, want 147 leads, 63 qualified, 32 opportunities, 18 lost, 14 won", r)
	}
	// A converted lead and its opportunity agree: same owner and campaign, the
	// lead created first (the reports' periods count leads by creation), and
	// no lead is created after the seed's now.
	var mismatched, future int64
	gdb.Raw(`SELECT COUNT(*) FROM leads l JOIN opportunities o ON o.id = l.opportunity_id
		WHERE l.owner_id <> o.owner_id OR COALESCE(l.campaign_id, 0) <> COALESCE(o.campaign_id, 0) OR o.created_at < l.created_at`).Scan(&mismatched)
	gdb.Model(&models.Lead{}).Where("created_at > ?", time.Now().UTC()).Count(&future)
	if mismatched != 0 || future != 0 {
		t.Fatalf("%d converted leads disagree with their opportunity, %d leads created in the future", mismatched, future)
	}
	// …each of the 32 given a quote, the 14 won through their quote.
	var quoted, wonPrimary int64
	gdb.Model(&models.Opportunity{}).Where("campaign_id = ? AND EXISTS (SELECT 1 FROM quotes WHERE quotes.opportunity_id = opportunities.id)", show.ID).Count(&quoted)
	gdb.Model(&models.Opportunity{}).Where("campaign_id = ? AND status = ? AND amount > 0 AND EXISTS (SELECT 1 FROM quotes WHERE quotes.opportunity_id = opportunities.id AND quotes.is_primary = ?)",
		show.ID, models.StatusClosed, true).Count(&wonPrimary)
	if quoted != 32 || wonPrimary != 14 {
		t.Fatalf("trade show: %d opportunities quoted, %d won from a primary quote; want 32 and 14", quoted, wonPrimary)
	}
	// Every won demo deal, the trade show's 14 among them, has its sales
	// order (Procurement is on in the demo), in every status.
	var won, withOrder, showOrders int64
	gdb.Model(&models.Opportunity{}).Where("status = ?", models.StatusClosed).Count(&won)
	gdb.Model(&models.Opportunity{}).Where("status = ? AND EXISTS (SELECT 1 FROM sales_orders WHERE sales_orders.opportunity_id = opportunities.id)",
		models.StatusClosed).Count(&withOrder)
	gdb.Model(&models.SalesOrder{}).Where("opportunity_id IN (SELECT id FROM opportunities WHERE campaign_id = ?)", show.ID).Count(&showOrders)
	if won == 0 || withOrder != won || showOrders != 14 {
		t.Fatalf("sales orders: %d of %d won deals have one, %d of the trade show's 14", withOrder, won, showOrders)
	}
	for _, st := range models.SalesOrderStatuses {
		var n int64
		gdb.Model(&models.SalesOrder{}).Where("status = ?", st).Count(&n)
		if n == 0 {
			t.Errorf("no demo sales order is %s", st.Label())
		}
	}
	// Some sales orders buy their hardware on purchase orders, in every
	// status, and some sales orders order from both vendors.
	for _, st := range models.PurchaseOrderStatuses {
		var n int64
		gdb.Model(&models.PurchaseOrder{}).Where("status = ?", st).Count(&n)
		if n == 0 {
			t.Errorf("no demo purchase order is %s", st.Label())
		}
	}
	var split int64
	gdb.Raw("SELECT COUNT(*) FROM (SELECT sales_order_id FROM purchase_orders GROUP BY sales_order_id HAVING COUNT(DISTINCT vendor_id) > 1) s").Scan(&split)
	if split == 0 {
		t.Errorf("no demo sales order orders from two vendors")
	}
	f, _ := models.LoadFeatures(gdb)
	if !f.On(models.FeatureSales) || !f.On(models.FeatureMarketing) || !f.On(models.FeatureProcurement) || f.On(models.FeatureQuoteManager) {
		t.Fatalf("demo features: %v, want all but Quote Manager", f)
	}
	again, err := db.SeedDemo(gdb, time.Now().UTC())
	if err != nil || again {
		t.Fatalf("second seed ran: %v %v", again, err)
	}
	gdb.Model(&models.User{}).Count(&users)
	if users != 4 {
		t.Fatalf("second seed added users: %d", users)
	}
}

func TestIsPostgres(t *testing.T) {
	for dsn, want := range map[string]bool{
		"salesdesk.db":                    false,
		"/var/lib/salesdesk/data.db":      false,
		"postgres://u:p@localhost:5432/x": true,
		"postgresql://localhost/x":        true,
		"host=127.0.0.1 port=5433 user=p": true,
	} {
		if got := db.IsPostgres(dsn); got != want {
			t.Errorf("IsPostgres(%q) = %v", dsn, got)
		}
	}
}

// Read-modify-write transactions from many goroutines: each waits for its
// write turn, none fails with "database is locked", none loses an update, and
// a rolled-back transaction gives its turn back.
func TestWriteTransactionsTakeTurns(t *testing.T) {
	gdb, err := db.Open(filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := gdb.Exec("CREATE TABLE counter (n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	gdb.Exec("INSERT INTO counter (n) VALUES (0)")
	errRollback := errors.New("roll back")
	var wg sync.WaitGroup
	errs := make(chan error, 40*10)
	for g := 0; g < 40; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				err := gdb.Transaction(func(tx *gorm.DB) error {
					var n int
					if err := tx.Raw("SELECT n FROM counter").Scan(&n).Error; err != nil {
						return err
					}
					if err := tx.Exec("UPDATE counter SET n = ?", n+1).Error; err != nil {
						return err
					}
					if i == 9 {
						return errRollback // this one is undone
					}
					return nil
				})
				if err != nil && !errors.Is(err, errRollback) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	gdb.Raw("SELECT n FROM counter").Scan(&n)
	if n != 40*9 {
		t.Fatalf("counter = %d, want %d", n, 40*9)
	}
}

func TestBackupWritesACheckedCopyAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	gdb, err := db.Open(filepath.Join(dir, "live.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(gdb); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backup.db")
	if _, err := db.Backup(gdb, out); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckIntegrity(out); err != nil {
		t.Fatal(err)
	}
	copyDB, err := db.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"opportunities", "opportunity_history", "quote_items", "schema_migrations", "users"} {
		var live, copied int64
		gdb.Table(table).Count(&live)
		copyDB.Table(table).Count(&copied)
		if live == 0 || live != copied {
			t.Errorf("%s: %d rows live, %d in the backup", table, live, copied)
		}
	}
	before, _ := os.ReadFile(out)
	_, err = db.Backup(gdb, out)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup onto an existing file: err = %v", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Error("the existing file was changed")
	}
	if left, _ := filepath.Glob(out + ".part-*"); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func closeDB(gdb *gorm.DB) {
	if s, err := gdb.DB(); err == nil {
		s.Close()
	}
}

// Several app instances starting at once on one empty database: each migrates,
// seeds the demo data and reads or makes the session key, as main does. All
// start, the schema and the demo data are there once, and they share one key.
func TestInstancesStartingTogetherAgree(t *testing.T) {
	dsn := dbtest.NewEmptyDSN(t)
	const instances = 3
	keys := make([]string, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		gdb, err := db.Open(dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeDB(gdb) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = db.Migrate(gdb); errs[i] != nil {
				return
			}
			if _, errs[i] = db.SeedDemo(gdb, time.Now().UTC()); errs[i] != nil {
				return
			}
			keys[i], errs[i] = models.SettingOrCreate(gdb, "session_key", func() (string, error) {
				return fmt.Sprintf("key of instance %d", i), nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	for i := range keys {
		if keys[i] != keys[0] {
			t.Fatalf("session keys differ: %q", keys)
		}
	}
	gdb, err := db.Open(dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(gdb)
	var users, applied, stages int64
	gdb.Model(&models.User{}).Count(&users)
	gdb.Table("schema_migrations").Count(&applied)
	gdb.Table("opportunity_stages").Count(&stages)
	if v, _ := db.SchemaVersion(gdb); users != 4 || applied != int64(db.MigrationCount) || stages != 6 {
		t.Fatalf("%d users, %d migrations applied up to version %d, %d stages; want the demo's 4 users and each migration once",
			users, applied, v, stages)
	}
}

// An instance starting while another process holds the file's write lock
// longer than busy_timeout (10 s) waits its turn and starts, rather than
// failing with "database is locked".
func TestSetupWaitsForAnotherProcessLock(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's file lock")
	t.Parallel()
	dsn := dbtest.NewEmptyDSN(t)
	other, err := sql.Open("sqlite3", "file:"+dsn+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(11 * time.Second)
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		close(released)
	}()
	gdb, err := db.Open(dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(gdb)
	if err := db.Migrate(gdb); err != nil {
		t.Fatalf("migrating while another process held the lock for 11 s: %v", err)
	}
	select {
	case <-released:
	default:
		t.Fatal("migrated while the other process still held the write lock")
	}
	if v, err := db.SchemaVersion(gdb); err != nil || v == 0 {
		t.Fatalf("schema version %d (%v) after migrating", v, err)
	}
}
