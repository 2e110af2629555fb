package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"salesdesk/models"
)

// GenOptions says how much data Generate adds.
type GenOptions struct {
	Opportunities int
	Leads         int
	Seed          uint64
	// Log, when set, hears how long each step took.
	Log *slog.Logger
}

// genTables are the tables Generate fills, in the order their rows depend on each other.
var genTables = []string{"organizations", "contacts", "campaigns", "leads", "opportunities", "opportunity_history",
	"quotes", "quote_items", "sales_orders", "sales_order_lines", "sales_order_events"}

// genInOrderIndexes are the indexes of the generated tables whose keys the
// generator writes in ascending order (bulkMode keeps them during the load).
var genInOrderIndexes = []string{"opportunities_created", "opportunities_search_sums", "leads_created", "opportunity_history_opp", "quotes_opportunity",
	"quote_items_quote", "sales_orders_quote", "sales_order_lines_order", "sales_order_events_order"}

// Generate adds believable bulk data for benchmarks and load tests:
// organizations with a contact each; campaigns; leads of those campaigns (and
// a few of none) in every status, a share of them converted into
// opportunities; more opportunities entered directly; each opportunity with
// the history of the stages it went through, won or lost with reasons when it
// closed; quotes with items for most deals that reached a proposal (every won
// one); and sales orders, with lines and events, for the won deals.
//
// The same seed gives the same rows, and as in a real database their ids
// follow their creation (the reports read the records of a few days by the
// creation-date index: they lie together in the file). The leads, the
// biggest table, are made by one INSERT … SELECT from a series of numbers,
// with values hashed from each lead's number and the seed; the generator
// works out the converted ones in Go as well, for their opportunities. The
// rest it writes through multi-row prepared INSERT statements in large
// transactions, with ids it assigns itself. On SQLite the leads are made,
// with their indexes, by a second connection in a side file at the same time
// (genSide), and copied in at the end; it turns off journaling and syncing
// (the file is not crash-safe during generation). On both it drops the
// triggers and the secondary indexes whose keys do not follow the load while
// it loads, builds them afterwards, and then writes what the triggers
// keep: the report rollups and the opportunity sums, added up as it made the
// rows (genSums) rather than worked out again from them.
func Generate(gdb *gorm.DB, o GenOptions, now time.Time) error {
	if o.Opportunities <= 0 && o.Leads <= 0 {
		return nil // nothing to add: leave the indexes and rollups alone
	}
	now = now.UTC().Truncate(time.Second)
	g := &generator{rng: rand.New(rand.NewPCG(o.Seed, 7)), now: now, o: o, seed32: int64(o.Seed % genP)} // #nosec G404 -- generated data is reproducible by seed on purpose; nothing secret is drawn from it
	if err := g.loadReference(gdb); err != nil {
		return err
	}
	ctx := context.Background()
	sqlDB, err := gdb.DB()
	if err != nil {
		return err
	}
	g.pg = gdb.Dialector.Name() == "postgres"
	if w, ok := gdb.ConnPool.(*writeTurns); ok && !g.pg {
		// The load runs without a journal, which needs the file to itself:
		// let the idle writer connection go for now.
		w.writer.SetMaxIdleConns(0)
		defer w.writer.SetMaxIdleConns(1)
		sqlDB.SetMaxIdleConns(0)
		defer sqlDB.SetMaxIdleConns(sqlDB.Stats().MaxOpenConnections)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, t := range genTables {
		var id int64
		if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t).Scan(&id); err != nil {
			return fmt.Errorf("generate: %s: %w", t, err)
		}
		g.base = append(g.base, id)
	}
	for _, n := range []struct {
		key, table string
		to         *int64
	}{{"next_quote_number", "quotes", &g.quoteNo}, {"next_sales_order_number", "sales_orders", &g.orderNo}} {
		var v string
		var max int64
		if err := conn.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = "+g.ph(1), n.key).Scan(&v); err != nil {
			return fmt.Errorf("generate: setting %s: %w", n.key, err)
		}
		if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(number), 0) FROM "+n.table).Scan(&max); err != nil {
			return err
		}
		*n.to, _ = strconv.ParseInt(v, 10, 64)
		*n.to = maxInt64(*n.to, max+1)
	}

	// Most of what is allocated lives for one statement: collect less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var keepIndexes []string
	if !g.pg && o.Leads > 0 {
		// The leads are made in a side file, with their indexes, and
		// copied in at the end into the table emptied: its indexes stay.
		if err := conn.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&g.sideFile); err != nil {
			return err
		}
		if g.sideFile != "" {
			keepIndexes = []string{"leads"}
		}
	}
	rebuild, reset, err := bulkMode(ctx, conn, g.pg, keepIndexes)
	if err != nil {
		return err
	}
	g.sums = newGenSums(!g.pg)
	if err := g.sums.start(ctx, conn); err != nil {
		return errors2(errors2(reset(), rebuild("")), err)
	}
	step, cpu := time.Now(), cpuTime()
	took := func(what string) {
		if o.Log != nil {
			o.Log.Info("generate", "step", what, "seconds", time.Since(step).Seconds(), "cpu_seconds", (cpuTime() - cpu).Seconds())
		}
		step, cpu = time.Now(), cpuTime()
	}
	err = g.fill(ctx, conn, func() error {
		took("rows")
		// The indexes, while the side connection (if any) is still busy
		// with the leads; the triggers once the leads are in.
		defer took("indexes")
		return rebuild("INDEX")
	})
	if g.sideFile != "" {
		took("leads copied in")
	}
	if rerr := rebuild(""); err == nil {
		err = rerr
	}
	took("triggers and foreign keys")
	if err == nil {
		// With the large cache of the loading connection still on.
		err = g.derived(ctx, conn)
		took("rollups and sums")
	}
	if rerr := reset(); err == nil {
		err = rerr
	}
	return err
}

// derived writes what the triggers would have kept during the load: the next
// quote and order numbers, the report rollups (SQLite) and the opportunity sums.
func (g *generator) derived(ctx context.Context, conn *sql.Conn) error {
	for _, n := range []struct {
		key string
		v   int64
	}{{"next_quote_number", g.quoteNo}, {"next_sales_order_number", g.orderNo}} {
		if _, err := conn.ExecContext(ctx, "UPDATE settings SET value = "+g.ph(1)+" WHERE key = "+g.ph(2), strconv.FormatInt(n.v, 10), n.key); err != nil { // #nosec G202 -- table and column names come from the constant list above, never from input
			return err
		}
	}
	if g.leadsRolled != nil {
		<-g.leadsRolled
	}
	// What the triggers would have kept: the report rollups and the
	// opportunity sums (migration 12).
	if err := g.sums.write(ctx, conn, g.pg); err != nil {
		return err
	}
	if err := indexSearchAfterLoad(ctx, conn, g.pg, g.sideFile != "" || g.o.Leads <= 0); err != nil {
		return err
	}
	if g.pg {
		for _, t := range genTables {
			if _, err := conn.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "+t+"), false)"); err != nil { // #nosec G202 -- table and column names come from the constant list above, never from input
				return fmt.Errorf("generate: sequence of %s: %w", t, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
			return err
		}
	}
	return nil
}

func maxInt64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// bulkMode readies the connection for loading: on SQLite no journal, no sync,
// no foreign-key checks and a large cache; on both, the secondary indexes of
// the generated tables and their triggers dropped (the generator writes what
// the triggers would), and on PostgreSQL their foreign keys too (it
// checks them row by row otherwise, and in the order rows arrive). Of the two
// functions it returns, rebuild builds them again (keeping the large cache for
// it) and reset restores the settings.
func bulkMode(ctx context.Context, conn *sql.Conn, pg bool, keepIndexesOf []string) (rebuild func(kind string) error, reset func() error, err error) {
	list := "'" + strings.Join(genTables, "', '") + "'"
	type undo struct{ drop, create string }
	var steps []undo
	// Triggers too: the generator writes what they would (quoted, from_lead).
	// Indexes whose keys grow with the rows as the generator writes them (a
	// child's rows follow its parent's) stay: adding at their end costs less
	// than sorting them afterwards.
	keep := "'" + strings.Join(genInOrderIndexes, "', '") + "'"
	queries := []string{"SELECT 'DROP ' || upper(type) || ' ' || name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (" + list + ") AND name NOT IN (" + keep + ")" +
		" AND NOT (type = 'index' AND tbl_name IN ('" + strings.Join(keepIndexesOf, "', '") + "'))"}
	if pg {
		queries = []string{
			// Unique indexes back constraints and stay.
			"SELECT 'DROP INDEX ' || indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (" + list + ") AND indexdef NOT LIKE 'CREATE UNIQUE%' AND indexname NOT IN (" + keep + ")",
			"SELECT 'ALTER TABLE ' || conrelid::regclass::text || ' DROP CONSTRAINT ' || quote_ident(conname), " +
				"'ALTER TABLE ' || conrelid::regclass::text || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) " +
				"FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN (" + list + ")",
			"SELECT 'DROP TRIGGER ' || quote_ident(tgname) || ' ON ' || tgrelid::regclass::text, pg_get_triggerdef(oid) " +
				"FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text IN (" + list + ")",
		}
	}
	for _, q := range queries {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var u undo
			if err := rows.Scan(&u.drop, &u.create); err != nil {
				_ = rows.Close()
				return nil, nil, err
			}
			steps = append(steps, u)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	var pragmas []string
	if !pg {
		// Each as it is set for the load; reset sets them back as they were.
		// Temporary files stay files: see sortCache.
		pragmas = []string{"foreign_keys = OFF", "synchronous = OFF", "journal_mode = OFF", "cache_size = -1000000",
			"threads = 2", "mmap_size = " + genMmapSize}
	}
	if reset, err = setPragmas(ctx, conn, pragmas...); err != nil {
		return nil, nil, err
	}
	done := 0
	built := make([]bool, len(steps))
	// rebuild builds again what was dropped and is not built yet: of one
	// kind ("INDEX", "TRIGGER"), or everything for "".
	rebuild = func(kind string) error {
		var first error
		if !pg {
			var unsort func() error
			if unsort, first = setPragmas(ctx, conn, "cache_size = "+sortCache); first != nil {
				return first
			}
			defer func() { first = errors2(unsort(), first) }()
		}
		for i, u := range steps[:done] {
			if built[i] || kind != "" && !strings.HasPrefix(u.drop, "DROP "+kind+" ") {
				continue
			}
			built[i] = true
			if _, err := conn.ExecContext(ctx, u.create); err != nil && first == nil {
				first = fmt.Errorf("after generating: %s: %w", u.create, err)
			}
		}
		return first
	}
	for _, u := range steps {
		if _, err := conn.ExecContext(ctx, u.drop); err != nil {
			return nil, nil, errors2(errors2(reset(), rebuild("")), fmt.Errorf("%s: %w", u.drop, err))
		}
		done++
	}
	return rebuild, reset, nil
}

// sortCache is the page cache (in KiB) of a connection while it builds
// indexes. SQLite sorts an index's keys in memory in slices of the cache's
// size, sorted and written out in turn (by a second thread, with PRAGMA
// threads) and merged; with a cache of 1 GB, or with temporary files kept in
// memory, it sorts them all as one list in memory, which took two and a half
// times the CPU for a 3M-row index (sqlite3 CLI, CREATE INDEX on leads (email):
// 9.0 s with temp_store = MEMORY and 1 GB, 3.7 s with files and 16 MB).
const sortCache = "-16000"

// setPragmas sets each PRAGMA ("name = value") on a SQLite connection, and the
// function it returns sets them back as they were, the last first. A journal
// mode that cannot change is left as it is: leaving WAL needs the file to
// itself (Generate lets the pool's idle connections go), and with another
// connection open, say a running app's, the load stays in WAL.
func setPragmas(ctx context.Context, conn *sql.Conn, pragmas ...string) (func() error, error) {
	var restore []string
	for _, p := range pragmas {
		name, _, _ := strings.Cut(p, " ")
		var was string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&was); err != nil {
			return nil, fmt.Errorf("PRAGMA %s: %w", name, err)
		}
		restore = append([]string{"PRAGMA " + name + " = " + was}, restore...)
		if _, err := conn.ExecContext(ctx, "PRAGMA "+p); err != nil && name != "journal_mode" {
			return nil, fmt.Errorf("PRAGMA %s: %w", p, err)
		}
	}
	return func() error {
		var first error
		for _, p := range restore {
			if _, err := conn.ExecContext(ctx, p); err != nil && first == nil {
				first = fmt.Errorf("%s: %w", p, err)
			}
		}
		return first
	}, nil
}

// genMmapSize is the memory map of both connections' files while they load
// (SQLite caps it at its compile-time limit): the index builds and the
// copy read back pages written earlier without a read call and a copy each.
const genMmapSize = "17179869184"

func errors2(a, b error) error {
	if b != nil {
		return b
	}
	return a
}

// generator holds the reference data and the running state of one Generate.
type generator struct {
	rng      *rand.Rand
	now      time.Time
	o        GenOptions
	pg       bool
	base     []int64 // the highest id of each of genTables before generating
	quoteNo  int64
	orderNo  int64
	owners   []int64 // reps and managers own the records
	open     []models.Stage
	won      models.Stage
	lost     models.Stage
	cats     []int64
	comps    []int64
	winWhy   []int64
	lossWhy  []int64
	direct   []int64          // lead sources of opportunities entered directly
	srcOf    map[string]int64 // lead source of a campaign type
	products []models.Product
	taxes    []int64
	terms    []int64

	nOrgs        int
	campaigns    []genCampaign
	opps         []genOpp // the k-th opportunity, in order of creation
	oppBase      int64
	sideFile     string // the database file, when the leads are made beside it (genSide)
	seed32       int64  // the seed, for gh
	sums         *genSums
	stays        []genStay // the stage entries of the opportunity being made
	historyKinds map[genHistoryKind]int64
	leadsRolled  chan struct{} // closed when the leads' rollups are added up
}

type genCampaign struct {
	id    int64
	name  string
	typ   models.CampaignType
	start time.Time
}

func (g *generator) ph(n int) string {
	if g.pg {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

func (g *generator) loadReference(gdb *gorm.DB) error {
	users, err := models.ActiveUsers(gdb)
	if err != nil || len(users) == 0 {
		return fmt.Errorf("generate needs users (start once with demo data first): %v", err)
	}
	for _, u := range users {
		if u.Role != "admin" {
			g.owners = append(g.owners, int64(u.ID)) // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
		}
	}
	if len(g.owners) == 0 {
		g.owners = append(g.owners, int64(users[0].ID)) // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
	}
	var stages []models.Stage
	if err := gdb.Where("active = ?", true).Order("position").Find(&stages).Error; err != nil {
		return err
	}
	var haveWon, haveLost bool
	for _, s := range stages {
		switch {
		case s.IsWon && !haveWon:
			g.won, haveWon = s, true
		case s.IsLost && !haveLost:
			g.lost, haveLost = s, true
		case !s.IsWon && !s.IsLost:
			g.open = append(g.open, s)
		}
	}
	if len(g.open) == 0 || !haveWon || !haveLost {
		return fmt.Errorf("generate needs open, won and lost stages")
	}
	g.srcOf = map[string]int64{}
	for _, k := range []models.PicklistKind{models.Categories, models.Competitors, models.WinReasons, models.LossReasons, models.LeadSources} {
		vs, err := models.Picklist(gdb, k, true, nil)
		if err != nil {
			return err
		}
		for _, v := range vs {
			id := int64(v.ID) // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
			switch k {
			case models.Categories:
				g.cats = append(g.cats, id)
			case models.Competitors:
				g.comps = append(g.comps, id)
			case models.WinReasons:
				g.winWhy = append(g.winWhy, id)
			case models.LossReasons:
				g.lossWhy = append(g.lossWhy, id)
			case models.LeadSources:
				g.srcOf[v.Name] = id
				if v.Name != "Trade show" && v.Name != "Webinar" && v.Name != "E-mail campaign" {
					g.direct = append(g.direct, id)
				}
			}
		}
	}
	if len(g.cats) == 0 || len(g.winWhy) == 0 || len(g.lossWhy) == 0 {
		return fmt.Errorf("generate needs categories, win and loss reasons")
	}
	if err := gdb.Where("active = ?", true).Order("id").Find(&g.products).Error; err != nil {
		return err
	}
	if err := gdb.Table("tax_rates").Where("active = ?", true).Order("id").Pluck("id", &g.taxes).Error; err != nil {
		return err
	}
	return gdb.Table("payment_terms").Where("active = ?", true).Order("id").Pluck("id", &g.terms).Error
}

func (g *generator) pick(ids []int64) any {
	if len(ids) == 0 {
		return nil
	}
	return ids[g.rng.IntN(len(ids))]
}

func (g *generator) owner() int64 { return g.owners[g.rng.IntN(len(g.owners))] }

// ago is a moment up to days before now, to the second.
func (g *generator) ago(days int) time.Time {
	return g.now.Add(-time.Duration(g.rng.Int64N(int64(days)*86400)) * time.Second)
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func orgName(k int) string {
	return genFirst[k%len(genFirst)] + " " + genSecond[(k/len(genFirst))%len(genSecond)] + " " + strconv.Itoa(k+1)
}

func contactName(k int) (string, string) {
	return leadFirst[(k*7)%len(leadFirst)], leadLast[(k*11)%len(leadLast)]
}

func domainOf(k int) string {
	return strings.ToLower(genFirst[k%len(genFirst)]+genSecond[(k/len(genFirst))%len(genSecond)]) + strconv.Itoa(k+1) + ".example"
}

// fill writes the rows; afterRows is called when the first connection has
// written its own (the side connection may still be at work).
func (g *generator) fill(ctx context.Context, conn *sql.Conn, afterRows func() error) error {
	w, err := newBulkWriter(ctx, conn, g.pg)
	if err != nil {
		return err
	}
	t := g.tables(w)
	g.historyKinds = map[genHistoryKind]int64{}
	for _, q := range []string{"DROP TABLE IF EXISTS gen_history_kinds", "CREATE TEMP TABLE gen_history_kinds (k INTEGER PRIMARY KEY, field TEXT NOT NULL, " +
		"old_value TEXT NOT NULL, new_value TEXT NOT NULL, old_ref BIGINT, new_ref BIGINT)"} {
		if err := w.execSQL(q); err != nil {
			return errors2(w.close(), err)
		}
	}
	leadsTo := w
	var side *genSide
	if g.sideFile != "" {
		if side, err = g.openSide(ctx, conn); side != nil {
			defer side.remove()
			leadsTo = side.w
		}
	}
	if err == nil {
		err = g.organizations(t)
	}
	if err == nil {
		err = g.campaignRows(t)
	}
	if err == nil {
		err = g.leads(leadsTo)
	}
	if err == nil && side != nil {
		// The side connection builds the leads' indexes and search index
		// while the first goes on writing the opportunities.
		for _, q := range append([]string{"PRAGMA cache_size = " + sortCache}, side.indexes...) {
			if err = side.w.execSQL(q); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = g.opportunities(t)
	}
	if err == nil {
		err = t.history.flush()
	}
	if err == nil {
		err = w.execSQL("DROP TABLE gen_history_kinds")
	}
	all := []*bulkTable{t.orgs, t.contacts, t.campaigns, t.opps, t.history, t.quotes, t.items, t.orders, t.lines, t.events}
	if cerr := w.close(all...); err == nil || errors.Is(err, errBulkFailed) && cerr != nil {
		err = cerr
	}
	w.logCPU(g.o.Log, "main")
	if err == nil {
		err = afterRows()
	}
	if side != nil {
		if serr := side.w.close(); err == nil || errors.Is(err, errBulkFailed) && serr != nil {
			err = serr
		}
		side.w.logCPU(g.o.Log, "side")
		if err == nil {
			err = side.copyInto(ctx, conn)
		}
	}
	return err
}

// genSide is a file of its own, beside the database, where a second
// connection makes the leads (one INSERT … SELECT) and builds their indexes
// while the first writes the other rows: SQLite writes a file on one core,
// and this uses the second. The leads table there has the same definition
// and indexes, so copying it in afterwards (INSERT … SELECT * into the
// emptied table) moves the records and index entries as they are, in order,
// without working them out or sorting them again.
type genSide struct {
	db      *sql.DB
	conn    *sql.Conn
	w       *bulkWriter
	path    string
	indexes []string // the leads' indexes, and then their search index, built after the rows
}

// leadSearchTables are the tables where FTS4 keeps the lead search index
// (lead_search, migration 40): copyInto copies them as it copies the leads.
var leadSearchTables = []string{"lead_search_segments", "lead_search_segdir", "lead_search_docsize", "lead_search_stat"}

// openSide opens the side file beside the database file.
func (g *generator) openSide(ctx context.Context, conn *sql.Conn) (*genSide, error) {
	var ddl string
	if err := conn.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'leads'").Scan(&ddl); err != nil {
		return nil, err
	}
	s := &genSide{path: g.sideFile + "-gen-leads"}
	if err := queryEach(ctx, conn, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' AND sql IS NOT NULL", &s.indexes); err != nil {
		return nil, err
	}
	// The search index reads the side file's leads (content="leads").
	var search string
	if err := conn.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lead_search'").Scan(&search); err != nil {
		return nil, fmt.Errorf("generate: lead search index: %w", err)
	}
	s.indexes = append(s.indexes, "INSERT INTO lead_search (lead_search) VALUES ('rebuild')")
	s.removeFiles()
	var err error
	if s.db, err = sql.Open(sqlite.DriverName, "file:"+s.path); err != nil {
		return nil, err
	}
	s.db.SetMaxOpenConns(1)
	if s.conn, err = s.db.Conn(ctx); err != nil {
		s.remove()
		return nil, err
	}
	for _, q := range []string{"PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -200000", "PRAGMA mmap_size = " + genMmapSize,
		ddl, search} {
		if _, err := s.conn.ExecContext(ctx, q); err != nil {
			s.remove()
			return nil, fmt.Errorf("generate: side file: %s: %w", q, err)
		}
	}
	if s.w, err = newBulkWriter(ctx, s.conn, false); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

// copyInto moves the leads there were before into the side file, after
// the generated ones (their ids are lower), and into its search index, and
// copies them all back into the emptied table: the records and index entries
// are appended in order. The search index's tables are copied as they are
// (the index is the same but for the words of the leads it holds).
func (s *genSide) copyInto(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS gen_side", s.path); err != nil {
		return fmt.Errorf("generate: side file: %w", err)
	}
	err := func() error {
		qs := []string{"INSERT INTO gen_side.leads SELECT * FROM main.leads",
			"INSERT INTO gen_side.lead_search (docid, person_name, company_name, email) SELECT id, person_name, company_name, email FROM main.leads",
			"DELETE FROM main.leads", "INSERT INTO main.leads SELECT * FROM gen_side.leads"}
		var search []string
		if err := queryEach(ctx, conn, "SELECT name FROM gen_side.sqlite_master WHERE type = 'table' AND name IN ('"+strings.Join(leadSearchTables, "', '")+"')", &search); err != nil {
			return err
		}
		for _, t := range search {
			qs = append(qs, "DELETE FROM main."+t, "INSERT INTO main."+t+" SELECT * FROM gen_side."+t) // #nosec G202 -- table names from the constant list above
		}
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			return err
		}
		for _, q := range append(qs, "COMMIT") {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				_, _ = conn.ExecContext(ctx, "ROLLBACK")
				return err
			}
		}
		return nil
	}()
	if _, derr := conn.ExecContext(ctx, "DETACH DATABASE gen_side"); err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("generate: copying the leads: %w", err)
	}
	return nil
}

// queryEach reads the one text column of the rows q returns into to.
func queryEach(ctx context.Context, conn *sql.Conn, q string, to *[]string) error {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			_ = rows.Close()
			return err
		}
		*to = append(*to, v)
	}
	return errors2(rows.Close(), rows.Err())
}

func (s *genSide) remove() {
	if s.conn != nil {
		_ = s.conn.Close()
	}
	if s.db != nil {
		_ = s.db.Close()
	}
	s.removeFiles()
}

func (s *genSide) removeFiles() {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(s.path + suffix)
	}
}

type genTablesW struct {
	w                                                                              *bulkWriter
	orgs, contacts, campaigns, opps, history, quotes, items, orders, lines, events *bulkTable
}

func (g *generator) tables(w *bulkWriter) *genTablesW {
	return &genTablesW{
		w:         w,
		orgs:      w.table("organizations", "id", "name", "type", "address", "city", "postal_code", "country", "phone", "website", "owner_id", "name_key", "created_at", "updated_at"),
		contacts:  w.table("contacts", "id", "organization_id", "first_name", "last_name", "email", "phone", "title", "created_at", "updated_at"),
		campaigns: w.table("campaigns", "id", "name", "type", "start_date", "end_date", "cost", "owner_id", "description", "created_at", "updated_at"),
		// An opportunity binds its ids, amounts and version in pairs, its
		// references (picklist values, campaign; optID) in pairs, its flags
		// and the numbers of its texts from short lists in one (genOppFlags),
		// and its title and times; a closed one's close date is its
		// projected one, and it has no description.
		opps: w.compactTable("opportunities", []string{"id", "organization_id", "contact_id", "owner_id", "stage_id", "probability",
			"revenue_one_time", "revenue_monthly", "revenue_yearly", "amount", "cost_one_time", "cost_monthly", "cost_yearly", "version",
			"lead_source_id", "competitor_id", "category_id", "win_reason_id", "loss_reason_id", "campaign_id",
			"need", "solution", "timeframe", "budget", "is_open", "quoted", "from_lead", "status", "rating", "next_step", "win_detail", "loss_detail",
			"closed_date", "lost_date", "description", "title", "projected_close_date", "created_at", "updated_at", "start_date", "stage_changed_at"},
			[]string{"a", "b", "c", "d", "e", "f", "g", "r1", "r2", "r3", "h", "title", "projected", "created", "updated", "started", "changed"},
			[]string{"bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "text",
				"timestamptz", "timestamptz", "timestamptz", "timestamptz", "timestamptz"},
			genOppSelect()+" FROM v"),
		// A history row binds its id and opportunity's, its version and
		// user, the number of its field, old and new values and references
		// in gen_history_kinds, the text of a creation or a lead (the new
		// value) and the time.
		history: w.compactTable("opportunity_history", []string{"id", "opportunity_id", "version", "user_id", "field", "old_value", "new_value", "old_ref", "new_ref", "created_at"},
			[]string{"a", "b", "k", "txt", "t"}, []string{"bigint", "bigint", "bigint", "text", "timestamptz"},
			hi("v.a")+", "+lo("v.a")+", "+hi("v.b")+", "+lo("v.b")+", d.field, d.old_value, COALESCE(v.txt, d.new_value), d.old_ref, d.new_ref, v.t "+
				"FROM v "+w.join()+" gen_history_kinds d ON d.k = v.k"),
		// A quote binds its id and number, opportunity and owner, payment
		// term and tax rate (optID) in pairs, its term in months, whether it
		// is primary and the number of its status (genQuoteStatuses) in one,
		// its texts (the address once, for both) and its times (created and
		// updated once).
		quotes: w.compactTable("quotes", []string{"id", "number", "opportunity_id", "owner_id", "payment_term_id", "tax_rate_id", "term_months", "is_primary", "status",
			"name", "bill_to", "ship_to", "token", "sent_to", "response_name", "response_ip", "effective_date", "expiration_date", "sent_at", "responded_at",
			"created_at", "updated_at"},
			[]string{"a", "b", "c", "h", "name", "addr", "token", "sent_to", "rname", "rip", "eff", "exp", "sent", "responded", "t"},
			[]string{"bigint", "bigint", "bigint", "bigint", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "timestamptz"},
			hi("v.a")+", "+lo("v.a")+", "+hi("v.b")+", "+lo("v.b")+", NULLIF("+hi("v.c")+", 0) - 1, NULLIF("+lo("v.c")+", 0) - 1, v.h & 65535, ((v.h >> 16) & 1) = 1, "+
				sqlPick("(v.h >> 20) & 15", genQuoteStatuses)+", v.name, v.addr, v.addr, v.token, v.sent_to, v.rname, v.rip, v.eff, v.exp, v.sent, v.responded, v.t, v.t FROM v"),
		// A quote item binds its id and quote's, its product and position,
		// whether it is optional and the number of its discount type (in
		// genDiscounts), its quantity and discount value; the rest is the product's.
		items: w.compactTable("quote_items", []string{"id", "quote_id", "position", "kind", "product_id", "name", "description", "quantity", "unit_price", "unit_cost",
			"discount_type", "discount_value", "period", "optional", "taxable"},
			[]string{"a", "b", "c"}, []string{"bigint", "bigint", "bigint"},
			hi("v.a")+", "+lo("v.a")+", "+lo("v.b")+" >> 16, p.type, p.id, p.name, p.description, "+hi("v.c")+", p.unit_price, p.unit_cost, "+
				sqlPick(lo("v.b")+" & 255", genDiscounts)+", "+lo("v.c")+", p.period, ("+lo("v.b")+" >> 8 & 1) = 1, p.taxable "+
				"FROM v "+w.join()+" products p ON p.id = "+hi("v.b")),
		orders: w.table("sales_orders", "id", "number", "title", "organization_id", "contact_id", "opportunity_id", "quote_id", "owner_id", "order_date",
			"promised_date", "status", "cancel_reason", "bill_to", "ship_to", "created_at", "updated_at"),
		lines:  w.table("sales_order_lines", "id", "sales_order_id", "position", "product_id", "name", "description", "quantity_ordered", "quantity_fulfilled", "unit_price"),
		events: w.table("sales_order_events", "id", "sales_order_id", "user_id", "what", "note", "happened_on", "created_at"),
	}
}

var genOrgTypes = []string{"customer", "prospect", "prospect", "lead"}

// organizations: one per ten opportunities (at least one), each with a contact.
func (g *generator) organizations(t *genTablesW) error {
	g.nOrgs = max(g.o.Opportunities/10, 1)
	for k := 0; k < g.nOrgs; k++ {
		id, cid := g.base[0]+int64(k)+1, g.base[1]+int64(k)+1
		name := orgName(k)
		created := g.ago(900)
		phone := fmt.Sprintf("+1 555 %04d", k%10000)
		if err := t.orgs.row(id, name, genOrgTypes[k%len(genOrgTypes)], strconv.Itoa(100+k%900)+" Main Street", genCities[k%len(genCities)],
			fmt.Sprintf("%05d", 10000+k%89999), "United States", phone, "https://www."+domainOf(k), g.owner(), strings.ToLower(name), created, created); err != nil {
			return err
		}
		first, last := contactName(k)
		if err := t.contacts.row(cid, id, first, last, strings.ToLower(first+"."+last)+"@"+domainOf(k), phone, genTitles[k%len(genTitles)], created, created); err != nil {
			return err
		}
	}
	return nil
}

// campaignRows: one campaign per 5,000 leads, in the order they ran over
// the last two years (the c-th starts within a week of its share of the
// leads' window beginning; leadCampaign relies on it).
func (g *generator) campaignRows(t *genTablesW) error {
	if g.o.Leads <= 0 {
		return nil
	}
	n := max(g.o.Leads/5000, 1)
	t0, bound := g.now.Unix()-leadAgeMax, func(c int) int64 { return int64(c) * leadAgeMax / int64(n) }
	for i := 0; i < n; i++ {
		typ := models.CampaignTypes[i%len(models.CampaignTypes)]
		start := models.DateOnly(time.Unix(t0+bound(i)+g.rng.Int64N(min(bound(i+1)-bound(i), 7*86400)), 0).UTC())
		days := map[models.CampaignType]int{"trade_show": 2, "webinar": 0, "email": 14, "referral": 90, "other": 30}[typ]
		end := start.AddDate(0, 0, days)
		name := fmt.Sprintf("%s %s %d", genCampaignNames[typ][i%len(genCampaignNames[typ])], genCities[(i/5)%len(genCities)], start.Year())
		c := genCampaign{id: g.base[2] + int64(i) + 1, name: name + " #" + strconv.Itoa(i+1), typ: typ, start: start}
		g.campaigns = append(g.campaigns, c)
		created := start.AddDate(0, 0, -30)
		if err := t.campaigns.row(c.id, c.name, string(typ), start, end, int64(50000+g.rng.IntN(60)*50000), g.owner(),
			typ.Label()+" in "+genCities[(i/5)%len(genCities)]+" for IT decision makers.", created, created); err != nil {
			return err
		}
	}
	return nil
}

// genP is the modulus of gh, the prime 2^31 - 1: every product gh forms stays
// below 2^63, in SQLite's and PostgreSQL's integers as in Go's.
const genP = 2147483647

// gh is a pseudo-random number in [0, genP) for row i and salt, from the seed:
// the same number ghSQL computes in SQL, so rows made by a statement and the
// few facts of them the generator needs in Go agree.
func (g *generator) gh(i, salt int64) int64 {
	x := (i*48271 + salt*69621 + g.seed32) % genP
	return (x*x%genP*40692 + x) % genP
}

// ghSQL is gh of the SQL integer expression i.
func (g *generator) ghSQL(i string, salt int64) string {
	x := "((" + i + ") * 48271 + " + strconv.FormatInt(salt*69621+g.seed32, 10) + ") % 2147483647"
	return "((((" + x + ") * (" + x + ")) % 2147483647 * 40692 + (" + x + ")) % 2147483647)"
}

// sqlPick is the SQL picking list[h % len(list)] for the integer expression h.
func sqlPick(h string, list []string) string {
	return sqlPickSQL(h, mapStrings(list, func(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }))
}

// sqlPickSQL is sqlPick of a list of SQL expressions.
func sqlPickSQL(h string, list []string) string {
	var b strings.Builder
	b.WriteString("CASE (" + h + ") % " + strconv.Itoa(len(list)))
	for i, v := range list {
		b.WriteString(" WHEN " + strconv.Itoa(i) + " THEN " + v)
	}
	b.WriteString(" END")
	return b.String()
}

func mapStrings[T any](list []T, f func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = f(v)
	}
	return out
}

// sqlTime is the SQL turning the Unix seconds expression secs into a time as
// the drivers store one.
func (g *generator) sqlTime(secs string) string {
	if g.pg {
		return "to_timestamp(" + secs + ")"
	}
	return "strftime('%Y-%m-%d %H:%M:%S+00:00', " + secs + ", 'unixepoch')"
}

// sqlSeries is a FROM item with the integers 0 to n-1 in column i.
func (g *generator) sqlSeries(n int) string {
	if g.pg {
		return "generate_series(0::bigint, " + strconv.Itoa(n-1) + ") AS s (i)"
	}
	return "(WITH RECURSIVE r (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < " + strconv.Itoa(n-1) + ") SELECT i FROM r) s"
}

// leadPlan is how leads are drawn: which of them may convert (one in every
// stride) and the campaigns they come from.
type leadPlan struct {
	n, stride, conv int64
	now             int64 // Unix seconds
	camps           []genCampaign
}

const (
	leadAgeMax      = 730 * 86400 // the leads came in over the last two years
	leadCampaignMax = 45 * 86400  // campaign leads come in within about 45 days of its start
	leadConvMinAge  = 48 * 3600
	leadRecent      = 14 * 86400
)

// candidate is the index of the k-th lead that may convert.
func (g *generator) candidate(p *leadPlan, k int64) int64 {
	return k*p.stride + g.gh(k, saltCandidate)%p.stride
}

// The random draws of a lead come from seven hashes of its number, each
// sliced into several values (leadCampaign, leads and leadsSQL agree on them):
//
//	ha: no campaign (% 100 < 8), which of the recent campaigns (/ 100)
//	hb: when it came in, within its share of the window
//	hc: owner, organization when converted (/ owners)
//	hd: hours to conversion, status (/ 720 % 100)
//	he: first name, last name (/ 25 % 20), company (/ 500 % 20), its number (/ 10000 % 5000)
//	hf: phone (% 9000), disqualify reason (/ 9000 % 5), need, solution, timeframe, budget (/ 45000, / 450000, … % 10)
//	hg: need note (% 5), budget note (/ 5 % 4)
const (
	saltA = iota + 1
	saltB
	saltC
	saltD
	saltE
	saltF
	saltG
	saltCandidate
)

// leadCreated is when lead i came in (Unix seconds): the leads' ids follow
// their creation, as in a real database. Lead i of n comes in within the
// i-th n-th of the last two years, so the times never decrease with i.
func (g *generator) leadCreated(p *leadPlan, i int64) int64 {
	return p.now - leadAgeMax + (i*leadAgeMax+g.gh(i, saltB)%leadAgeMax)/p.n
}

// leadCampaign is the index in campaigns of lead i's campaign, -1 for none,
// and when it came in (Unix seconds). Campaign c starts in the c-th share
// of the window (campaignRows); a lead comes from one of the latest
// campaigns whose share began before it came in, one that had started.
func (g *generator) leadCampaign(p *leadPlan, i int64) (int, int64) {
	created := g.leadCreated(p, i)
	ha := g.gh(i, saltA)
	nc := int64(len(p.camps))
	if nc == 0 || ha%100 < 8 {
		return -1, created
	}
	m := min((created-(p.now-leadAgeMax))*nc/leadAgeMax, nc-1)
	c := m - ha/100%min(leadRecentCampaigns(nc), m+1)
	if p.camps[c].start.Unix() > created {
		c-- // the share began but the campaign had not: the one before had
	}
	return int(c), created
}

// leadRecentCampaigns is how many of the latest campaigns a lead may come from.
func leadRecentCampaigns(nc int64) int64 { return max(1, leadCampaignMax*nc/leadAgeMax) }

// genOpp is the k-th generated opportunity as planned before any row is
// written: when it was created and, when it was converted from a lead, that lead.
type genOpp struct {
	at       time.Time
	lead     int64 // 0 when entered directly
	campaign int32 // index in campaigns, -1 for none
	org      int32
	owner    int64
	person   string
}

// leads: most from a campaign, in every status; a share converted, each into
// an opportunity. One INSERT … SELECT makes them all from the lead number;
// the converted ones are worked out here as well, for their opportunities,
// and handed to it in a temporary table with their opportunity's id.
func (g *generator) leads(w *bulkWriter) error {
	n := int64(g.o.Leads)
	g.oppBase = g.base[4]
	if n <= 0 {
		g.planOpportunities(nil)
		return nil
	}
	p := &leadPlan{n: n, now: g.now.Unix(), camps: g.campaigns}
	if target := min(n/5, int64(g.o.Opportunities)*6/10); target > 0 {
		p.conv, p.stride = target, n/target
	}
	var conv []genOpp
	for k := range p.conv {
		i := g.candidate(p, k)
		camp, created := g.leadCampaign(p, i)
		if p.now-created <= leadConvMinAge {
			continue // too new to be converted
		}
		ageHours := (p.now - created) / 3600
		at := created + 3600*(24+g.gh(i, saltD)%min(ageHours-24, 720))
		hc := g.gh(i, saltC)
		org := int(hc / int64(len(g.owners)) % int64(g.nOrgs))
		first, last := contactName(org)
		conv = append(conv, genOpp{lead: g.base[3] + i + 1, campaign: int32(camp), org: int32(org), // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
			owner: g.owners[hc%int64(len(g.owners))], at: time.Unix(at, 0).UTC(), person: first + " " + last})
	}
	g.planOpportunities(conv)
	converted := make([]bool, n)
	for _, o := range conv {
		converted[o.lead-g.base[3]-1] = true
	}
	if g.sums.rollups {
		// What the leads add to the report rollups, worked out beside the
		// opportunities (derived waits for it).
		g.leadsRolled = make(chan struct{})
		go func() {
			defer close(g.leadsRolled)
			g.sums.leads(g, p, converted)
		}()
	}

	var camps strings.Builder
	for c, x := range p.camps {
		if c > 0 {
			camps.WriteString(", ")
		}
		fmt.Fprintf(&camps, "(%d, %d)", c, x.start.Unix())
	}
	stmts := []string{"CREATE TEMP TABLE gen_campaigns (k INTEGER PRIMARY KEY, start_s BIGINT NOT NULL)",
		"CREATE TEMP TABLE gen_conv (i INTEGER PRIMARY KEY, opp BIGINT NOT NULL, at_s BIGINT NOT NULL)",
		"CREATE TEMP TABLE gen_names (k INTEGER PRIMARY KEY, person TEXT NOT NULL, email TEXT NOT NULL, company TEXT NOT NULL, slug TEXT NOT NULL)",
		leadNames()}
	if camps.Len() > 0 {
		stmts = append(stmts, "INSERT INTO gen_campaigns (k, start_s) VALUES "+camps.String())
	}
	for _, q := range stmts {
		if err := w.execSQL(q); err != nil {
			return err
		}
	}
	convs := w.table("gen_conv", "i", "opp", "at_s")
	for k, o := range g.opps {
		if o.lead != 0 {
			if err := convs.row(o.lead-g.base[3]-1, g.oppBase+int64(k)+1, o.at.Unix()); err != nil {
				return err
			}
		}
	}
	if err := convs.flush(); err != nil {
		return err
	}
	for _, q := range []string{g.leadsSQL(p), "DROP TABLE gen_campaigns", "DROP TABLE gen_conv", "DROP TABLE gen_names"} {
		if err := w.execSQL(q); err != nil {
			return err
		}
	}
	return nil
}

// leadStatus is the status leadsSQL gives lead i that came in at created
// (Unix seconds), converted or not.
func (g *generator) leadStatus(p *leadPlan, i, created int64, converted bool) models.LeadStatus {
	switch hd := g.gh(i, saltD) / 720 % 100; {
	case converted:
		return models.LeadConverted
	case p.now-created < leadRecent:
		return models.LeadNew
	case hd < 15:
		return models.LeadQualified
	case hd < 60:
		return models.LeadDisqualified
	}
	return models.LeadNew
}

// planOpportunities orders the opportunities, those of the converted leads
// and those entered directly, by the time they were created, so that their
// ids follow it.
func (g *generator) planOpportunities(conv []genOpp) {
	g.opps = make([]genOpp, 0, max(g.o.Opportunities, len(conv)))
	g.opps = append(g.opps, conv...)
	for len(g.opps) < g.o.Opportunities {
		g.opps = append(g.opps, genOpp{at: g.ago(720), campaign: -1})
	}
	slices.SortStableFunc(g.opps, func(a, b genOpp) int { return a.at.Compare(b.at) })
}

// leadsSQL is the INSERT making every lead; it follows leadCreated,
// leadCampaign, leadStatus and the converted leads of leads (in gen_conv). Its layers of
// subqueries each work out a few values once per row ("LIMIT n OFFSET 0"
// keeps SQLite and PostgreSQL from merging them into the outer query, which
// would work them out again wherever they are used).
func (g *generator) leadsSQL(p *leadPlan) string {
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }
	now := itoa(p.now)
	t0 := itoa(p.now - leadAgeMax)
	once := " LIMIT " + itoa(p.n) + " OFFSET 0"
	// 1: the hashes.
	hashes := "SELECT s.i AS i"
	for salt, name := range []string{"ha", "hb", "hc", "hd", "he", "hf", "hg"} {
		hashes += ", " + g.ghSQL("s.i", int64(salt)+saltA) + " AS " + name
	}
	hashes += " FROM " + g.sqlSeries(int(p.n)) + once
	// 2: when the lead came in.
	came := "SELECT h.*, " + t0 + " + (h.i * " + itoa(leadAgeMax) + " + h.hb % " + itoa(leadAgeMax) + ") / " + itoa(p.n) + " AS created FROM (" + hashes + ") h" + once
	// 3: its campaign (the index, -1 for none) and conversion.
	camp, join := "-1", ""
	if nc := int64(len(p.camps)); nc > 0 {
		m := "CASE WHEN (a.created - " + t0 + ") * " + itoa(nc) + " / " + itoa(leadAgeMax) + " < " + itoa(nc-1) +
			" THEN (a.created - " + t0 + ") * " + itoa(nc) + " / " + itoa(leadAgeMax) + " ELSE " + itoa(nc-1) + " END"
		c0 := "(" + m + ") - a.ha / 100 % CASE WHEN (" + m + ") + 1 < " + itoa(leadRecentCampaigns(nc)) + " THEN (" + m + ") + 1 ELSE " + itoa(leadRecentCampaigns(nc)) + " END"
		camp = "CASE WHEN a.ha % 100 < 8 THEN -1 WHEN c.start_s <= a.created THEN c.k ELSE c.k - 1 END"
		join = " LEFT JOIN gen_campaigns c ON c.k = " + c0
	}
	conv := "SELECT a.*, " + camp + " AS camp, v.opp AS opp, v.at_s AS conv_at FROM (" + came + ") a" + join + " LEFT JOIN gen_conv v ON v.i = a.i" + once
	// 4: the status, and for a converted lead its organization.
	status := "SELECT b.*, " + g.sqlTime("b.created") + " AS created_at, CASE WHEN b.opp IS NOT NULL THEN 'converted' WHEN " +
		now + " - b.created < " + itoa(leadRecent) + " THEN 'new' WHEN b.hd / 720 % 100 < 15 THEN 'qualified' WHEN b.hd / 720 % 100 < 60 THEN 'disqualified' ELSE 'new' END AS status, " +
		"b.hc / " + itoa(int64(len(g.owners))) + " % " + itoa(int64(g.nOrgs)) + " AS org, (" + now + " - b.created) / 3600 AS age_hours FROM (" + conv + ") b" + once
	// 5: the columns.
	isConv := "x.status = 'converted'"
	nFirst := itoa(int64(len(genFirst)))
	lower := strings.ToLower
	slug := func(v string) string { return strings.ToLower(strings.ReplaceAll(v, " ", "")) }
	flag := func(div, tenths int64) string {
		return "CASE x.status WHEN 'converted' THEN true WHEN 'qualified' THEN x.hf / " + itoa(div) + " % 10 < " + itoa(tenths) + " ELSE false END"
	}
	need := "CASE x.status WHEN 'converted' THEN true WHEN 'qualified' THEN true WHEN 'disqualified' THEN x.hf / 45000 % 10 < 3 ELSE x.hf / 45000 % 10 < 2 END"
	number := "(1 + x.he / 10000 % 5000)"
	cols := []string{
		itoa(g.base[3]) + " + x.i + 1",
		"CASE WHEN x.camp >= 0 THEN " + itoa(g.base[2]+1) + " + x.camp END",
		"CASE WHEN " + isConv + " THEN " + sqlPick("x.org * 7", leadFirst) + " || ' ' || " + sqlPick("x.org * 11", leadLast) + " ELSE n.person END",
		"CASE WHEN " + isConv + " THEN " + sqlPick("x.org", genFirst) + " || ' ' || " + sqlPick("x.org / "+nFirst, genSecond) + " || ' ' || (x.org + 1)" +
			" ELSE n.company || ' ' || " + number + " END",
		"CASE WHEN " + isConv + " THEN " + sqlPick("x.org * 7", mapStrings(leadFirst, lower)) + " || '.' || " + sqlPick("x.org * 11", mapStrings(leadLast, lower)) +
			" || '@' || " + sqlPick("x.org", mapStrings(genFirst, slug)) + " || " + sqlPick("x.org / "+nFirst, mapStrings(genSecond, slug)) + " || (x.org + 1) || '.example'" +
			" ELSE n.email || x.i || '@' || n.slug || " + number + " || '.example' END",
		"'+1 555 ' || (1000 + x.hf % 9000)",
		sqlPickSQL("x.hc", intStrings(g.owners)),
		"x.status",
		"CASE x.status WHEN 'disqualified' THEN " + sqlPick("x.hf / 9000", disqualifyReasons) + " ELSE '' END",
		need,
		"CASE WHEN " + need + " THEN " + sqlPick("x.hg", genNeedNotes) + " ELSE '' END",
		flag(450000, 7), flag(4500000, 5), flag(45000000, 4),
		"CASE WHEN " + flag(45000000, 4) + " THEN " + sqlPick("x.hg / 5", genBudgetNotes) + " ELSE '' END",
		"x.opp",
		"CASE WHEN " + isConv + " THEN " + g.sqlTime("x.conv_at") + " END",
		"x.created_at",
		"CASE x.status WHEN 'new' THEN x.created_at ELSE " +
			g.sqlTime("CASE x.status WHEN 'converted' THEN x.conv_at ELSE x.created + 3600 * CASE WHEN x.age_hours < 168 THEN x.age_hours ELSE 168 END END") + " END",
	}
	// A lead not converted is named from gen_names (leadNames), by the number
	// of its first name, last name and company.
	name := "x.he % " + itoa(int64(len(leadFirst))) + " + " + itoa(int64(len(leadFirst))) + " * (x.he / 25 % " + itoa(int64(len(leadLast))) +
		" + " + itoa(int64(len(leadLast))) + " * (x.he / 500 % " + itoa(int64(len(leadCompany))) + "))"
	byName := "CROSS JOIN" // keeps x the outer loop on SQLite
	if g.pg {
		byName = "JOIN"
	}
	return "INSERT INTO leads (id, campaign_id, person_name, company_name, email, phone, owner_id, status, disqualify_reason, " +
		"need, need_note, solution, timeframe, budget, budget_note, opportunity_id, converted_at, created_at, updated_at)\n" +
		"SELECT " + strings.Join(cols, ",\n\t") + "\nFROM (" + status + ") x " + byName + " gen_names n ON n.k = " + name
}

// leadNames is the SQL filling gen_names with every combination of a
// first name, last name and company of leadsSQL (numbered as it numbers
// them): the person's name, the start of the e-mail address, the company
// and its domain's start. A lead picks its row by number, where picking
// each from a CASE of a few dozen branches cost more.
func leadNames() string {
	quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }
	var b strings.Builder
	b.WriteString("INSERT INTO gen_names (k, person, email, company, slug) SELECT f.i + " + strconv.Itoa(len(leadFirst)) + " * (l.i + " + strconv.Itoa(len(leadLast)) +
		" * c.i), f.v || ' ' || l.v, f.low || '.' || l.low, c.v, c.low FROM ")
	for t, list := range [][]string{leadFirst, leadLast, leadCompany} {
		if t > 0 {
			b.WriteString(" CROSS JOIN ")
		}
		b.WriteString("(")
		for i, v := range list {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			low := strings.ToLower(v)
			if t == 2 {
				low = strings.ReplaceAll(low, " ", "")
			}
			b.WriteString("SELECT " + strconv.Itoa(i) + " AS i, " + quote(v) + " AS v, " + quote(low) + " AS low")
		}
		b.WriteString(") " + []string{"f", "l", "c"}[t])
	}
	return b.String()
}

func intStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, v := range ids {
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// opportunities: first those of the converted leads, then ones entered
// directly; each walks the stages, and the older ones closed won or lost.
func (g *generator) opportunities(t *genTablesW) error {
	hid := g.base[5]
	qid, iid := g.base[6], g.base[7]
	sid, lid, eid := g.base[8], g.base[9], g.base[10]
	g.oppBase = g.base[4]
	for i := 0; i < g.o.Opportunities; i++ {
		id := g.oppBase + int64(i) + 1
		plan := &g.opps[i]
		var conv *genOpp
		if plan.lead != 0 {
			conv = plan
		}
		var created time.Time
		var org int
		var owner int64
		var title string
		var campID, source any
		if conv != nil {
			created, org, owner = conv.at, int(conv.org), conv.owner
			title = orgName(org)
			if conv.campaign >= 0 {
				c := g.campaigns[conv.campaign]
				title += " — " + c.name
				campID = c.id
				if s, ok := g.srcOf[c.typ.Label()]; ok {
					source = s
				}
			}
		} else {
			created, org, owner = plan.at, g.rng.IntN(g.nOrgs), g.owner()
			title = genDeals[g.rng.IntN(len(genDeals))]
			source = g.pick(g.direct)
		}
		orgID, contactID := g.base[0]+int64(org)+1, g.base[1]+int64(org)+1
		age := g.now.Sub(created)

		// How far it got: open stages passed, and whether it closed.
		outcome := 0 // 0 open, 1 won, 2 lost
		switch r := g.rng.Float64(); {
		case age > 45*24*time.Hour && r < 0.30, age > 7*24*time.Hour && r < 0.10:
			outcome = 1
		case age > 45*24*time.Hour && r < 0.65, age > 7*24*time.Hour && r < 0.25:
			outcome = 2
		}
		k := 1 + g.rng.IntN(len(g.open)) // stages reached, 1..len(open)
		switch {
		case outcome == 0 && k > 1 && g.chance(0.4):
			k-- // the open pipeline leans to the early stages
		case outcome == 1 && g.chance(0.8):
			k = len(g.open)
		}
		steps := k - 1
		if outcome != 0 {
			steps++
		}
		// When each step happened: a few days to a month apart, squeezed into the time since creation.
		times := make([]time.Time, steps+1)
		times[0] = created
		durs := make([]int64, steps)
		var sum int64
		for s := range durs {
			durs[s] = int64(2*86400 + g.rng.IntN(28*86400))
			sum += durs[s]
		}
		avail := int64(age/time.Second) - 3600
		for s := range durs {
			d := durs[s]
			if sum > avail {
				d = d * max(avail, 0) / sum
			}
			times[s+1] = times[s].Add(time.Duration(d) * time.Second)
		}
		last := times[len(times)-1]

		stage := g.open[k-1]
		status := models.StatusActive
		var closedDate, lostDate, startDate, winWhy, lossWhy, competitor any
		winDetail, lossDetail, nextStep := "", "", ""
		projected := models.DateOnly(g.now).AddDate(0, 0, g.rng.IntN(300)-60)
		switch outcome {
		case 1:
			stage, status = g.won, models.StatusClosed
			if g.now.Sub(last) > 60*24*time.Hour && g.chance(0.4) {
				status = models.StatusImplemented
			}
			d := models.DateOnly(last)
			closedDate, startDate, projected = d, d.AddDate(0, 0, 14), d
			winWhy, winDetail = g.pick(g.winWhy), genWinDetails[g.rng.IntN(len(genWinDetails))]
		case 2:
			stage, status = g.lost, models.StatusLost
			d := models.DateOnly(last)
			lostDate, projected = d, d
			lossWhy, lossDetail = g.pick(g.lossWhy), genLossDetails[g.rng.IntN(len(genLossDetails))]
			if g.chance(0.65) {
				competitor = g.pick(g.comps)
			}
		default:
			if g.chance(0.1) {
				status = models.StatusNotReady
			}
			if g.chance(0.2) {
				competitor = g.pick(g.comps)
			}
			nextStep = genNextSteps[g.rng.IntN(len(genNextSteps))]
		}
		rev := models.Amounts{OneTime: models.Money(g.rng.IntN(400)) * 5000, Monthly: models.Money(g.rng.IntN(40)) * 5000}
		if g.chance(0.1) {
			rev.Yearly = models.Money(1+g.rng.IntN(20)) * 10000
		}
		if rev.OneTime == 0 && rev.Monthly == 0 && rev.Yearly == 0 {
			rev.OneTime = 250000
		}
		cost := models.Amounts{OneTime: rev.OneTime * 6 / 10, Monthly: rev.Monthly / 2, Yearly: rev.Yearly * 7 / 10}
		need, solution, timeframe, budget := true, true, true, true
		if conv == nil {
			solution, timeframe, budget = g.chance(0.7), g.chance(0.5), g.chance(0.5)
		}

		// History: creation, each stage entered, the close.
		version := int64(1)
		stays := g.stays[:0]
		hist := func(field, old, new string, oldRef, newRef any, at time.Time) error {
			hid++
			if field == "stage" {
				stays = append(stays, genStay{stage: new, ref: newRef.(int64), at: at})
			}
			var text any
			if field == "created" || field == "lead" {
				text, new = new, "" // the title, the lead: a text of each row's own
			}
			k, err := g.historyKind(t.w, genHistoryKind{field, old, new, oldRef, newRef})
			if err != nil {
				return err
			}
			return t.history.row(pack(hid, id), pack(version, owner), k, text, at)
		}
		if err := hist("created", "", title, nil, nil, created); err != nil {
			return err
		}
		if err := hist("stage", "", g.open[0].Name, nil, int64(g.open[0].ID), created); err != nil { // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
			return err
		}
		if conv != nil {
			from := "Lead " + conv.person
			if conv.campaign >= 0 {
				from += " (" + g.campaigns[conv.campaign].name + ")"
			}
			if err := hist("lead", "", from, nil, nil, created); err != nil {
				return err
			}
		}
		prev := g.open[0]
		for s := 1; s <= steps; s++ {
			next := g.open[min(s, k-1)]
			if s == steps && outcome == 1 {
				next = g.won
			} else if s == steps && outcome == 2 {
				next = g.lost
			}
			version++
			if err := hist("stage", prev.Name, next.Name, int64(prev.ID), int64(next.ID), times[s]); err != nil { // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
				return err
			}
			if next.IsWon || next.IsLost {
				to := models.StatusClosed.Label()
				if next.IsLost {
					to = models.StatusLost.Label()
				}
				if err := hist("status", models.StatusActive.Label(), to, nil, nil, times[s]); err != nil {
					return err
				}
			}
			prev = next
		}
		updated := last
		if status == models.StatusImplemented {
			version++
			updated = last.Add(time.Duration(30+g.rng.IntN(30)) * 24 * time.Hour)
			if err := hist("status", models.StatusClosed.Label(), models.StatusImplemented.Label(), nil, nil, updated); err != nil {
				return err
			}
		}
		// Quotes: every won deal, most that reached a proposal.
		proposal := min(2, len(g.open)-1) // index of the Proposal stage
		quoted := false
		switch {
		case outcome == 1:
			quoted = true
		case k > proposal:
			quoted = g.chance(0.85)
		case k == proposal:
			quoted = g.chance(0.15)
		default:
			quoted = outcome == 2 && g.chance(0.05)
		}
		rating := string(models.Ratings[g.rng.IntN(len(models.Ratings))])
		cat := g.pick(g.cats)
		flags := genOppFlags{need, solution, timeframe, budget, status.Open(), quoted, conv != nil, closedDate != nil, lostDate != nil}.
			with(slices.Index(models.OppStatuses, status), slices.Index(models.Ratings, models.Rating(rating)),
				slices.Index(genNextSteps, nextStep)+1, slices.Index(genWinDetails, winDetail)+1, slices.Index(genLossDetails, lossDetail)+1)
		if err := t.opps.row(pack(id, orgID), pack(contactID, owner), pack(int64(stage.ID), int64(stage.DefaultProbability)), // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
			pack(int64(rev.OneTime), int64(rev.Monthly)), pack(int64(rev.Yearly), int64(rev.FirstYear())),
			pack(int64(cost.OneTime), int64(cost.Monthly)), pack(int64(cost.Yearly), version),
			pack(optID(source), optID(competitor)), pack(optID(cat), optID(winWhy)), pack(optID(lossWhy), optID(campID)),
			flags, title, projected, created, updated, startDate, last); err != nil {
			return err
		}
		g.stays = stays
		g.sums.opp(&genSumOpp{campaign: anyInt(campID), owner: owner, category: anyInt(cat), stage: int64(stage.ID), probability: int64(stage.DefaultProbability), // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
			amount: int64(rev.FirstYear()), rating: rating, status: status, quoted: quoted, fromLead: conv != nil, created: created, projected: projected,
			closed: anyTime(closedDate), lost: anyTime(lostDate), win: anyInt(winWhy), loss: anyInt(lossWhy), competitor: anyInt(competitor), stays: stays})

		if !quoted {
			continue
		}
		at := times[min(proposal, len(times)-1)]
		if k <= proposal {
			at = times[len(times)-1]
		}
		if outcome != 0 && len(times) > 1 && !at.Before(last) {
			at = times[len(times)-2].Add(last.Sub(times[len(times)-2]) / 2)
		}
		final := models.QuoteDraft
		switch {
		case outcome == 1:
			final = models.QuoteAccepted
		case outcome == 2:
			final = []models.QuoteStatus{models.QuoteDeclined, models.QuoteDeclined, models.QuoteSent, models.QuoteDraft}[g.rng.IntN(4)]
		case k > proposal:
			final = []models.QuoteStatus{models.QuoteSent, models.QuoteSent, models.QuoteDraft, models.QuoteAccepted}[g.rng.IntN(4)]
		}
		nq := 1
		if g.chance(0.12) {
			nq = 2 // a revision after the first was declined
		}
		contact := contactID
		first, lastName := contactName(org)
		sentTo := strings.ToLower(first+"."+lastName) + "@" + domainOf(org)
		billTo := orgName(org) + "\n" + strconv.Itoa(100+org%900) + " Main Street\n" + genCities[org%len(genCities)]
		term := g.pick(g.terms)
		tax := g.pick(g.taxes)
		months := int64([]int{12, 24, 36}[g.rng.IntN(3)])
		var accepted []genItem
		var acceptedID, acceptedNo int64
		for q := 0; q < nq; q++ {
			qid++
			status := final
			name := title + " — proposal"
			if q < nq-1 {
				status = models.QuoteDeclined
			} else if nq > 1 {
				name = title + " — revised proposal"
			}
			qAt := at.Add(time.Duration(q) * 72 * time.Hour)
			if qAt.After(g.now) {
				qAt = g.now.Add(-time.Hour)
			}
			var token, sentAt, respondedAt any
			sent, respName, respIP := "", "", ""
			if status != models.QuoteDraft {
				// The customer link's token is a secret: from crypto/rand, not from
				// the seed, or anyone knowing the seed could open the quotes, and a
				// second run with the same seed would repeat the tokens. The seeded
				// draws are still taken, so the rest of the data stays as the seed made it.
				for range 16 {
					g.rng.IntN(256)
				}
				t, err := models.NewQuoteToken()
				if err != nil {
					return err
				}
				token, sentAt, sent = t, qAt.Add(time.Hour), sentTo
			}
			if status == models.QuoteAccepted || status == models.QuoteDeclined {
				respondedAt, respName, respIP = qAt.Add(time.Duration(2+g.rng.IntN(72))*time.Hour), first+" "+lastName, "203.0.113."+strconv.Itoa(1+g.rng.IntN(250))
			}
			eff := models.DateOnly(qAt)
			primary := int64(0)
			if q == nq-1 {
				primary = 1 << 16
			}
			if err := t.quotes.row(pack(qid, g.quoteNo), pack(id, owner), pack(optID(term), optID(tax)), months|primary|int64(slices.Index(genQuoteStatuses, string(status)))<<20,
				name, billTo, token, sent, respName, respIP, eff, eff.AddDate(0, 0, 30), sentAt, respondedAt, qAt); err != nil {
				return err
			}
			items := g.items(outcome == 1)
			for p, it := range items {
				iid++
				opt := int64(0)
				if it.optional {
					opt = 1
				}
				disc := int64(slices.Index(genDiscounts, string(it.disc)))
				if err := t.items.row(pack(iid, qid), pack(int64(it.p.ID), int64(p+1)<<16|opt<<8|disc), pack(int64(it.qty), it.discValue)); err != nil { // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
					return err
				}
			}
			if status == models.QuoteAccepted {
				accepted, acceptedID, acceptedNo = items, qid, g.quoteNo
			}
			g.quoteNo++
		}

		// The sales order of a won deal, from its accepted quote's product lines.
		if outcome != 1 || acceptedID == 0 {
			continue
		}
		var orderable []genItem
		for _, it := range accepted {
			if it.p.Type == models.KindProduct && !it.optional {
				orderable = append(orderable, it)
			}
		}
		if len(orderable) == 0 {
			continue
		}
		sid++
		orderDate := models.DateOnly(last)
		age = g.now.Sub(last)
		so := models.SONew
		switch r := g.rng.Float64(); {
		case status == models.StatusImplemented:
			so = models.SOFulfilled
		case r < 0.05:
			so = models.SOCanceled
		case age > 60*24*time.Hour && r < 0.7:
			so = models.SOFulfilled
		case r < 0.45:
			so = models.SOInProgress
		case r < 0.65 && len(orderable) > 1:
			so = models.SOPartiallyFulfilled
		}
		cancel := ""
		if so == models.SOCanceled {
			cancel = "The customer postponed the hardware part of the project."
		}
		if err := t.orders.row(sid, g.orderNo, title, orgID, contact, id, acceptedID, owner, orderDate, orderDate.AddDate(0, 0, 30),
			string(so), cancel, billTo, billTo, last, last); err != nil {
			return err
		}
		g.orderNo++
		for p, it := range orderable {
			lid++
			done := int64(0)
			if so == models.SOFulfilled || so == models.SOPartiallyFulfilled && p == 0 {
				done = int64(it.qty)
			}
			if err := t.lines.row(lid, sid, int64(p+1), int64(it.p.ID), it.p.Name, it.p.Description, int64(it.qty), done, int64(it.p.UnitPrice)); err != nil { // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
				return err
			}
		}
		eid++
		if err := t.events.row(eid, sid, owner, fmt.Sprintf("Created from quote #%d when the deal was won", acceptedNo), "", nil, last); err != nil {
			return err
		}
		if so != models.SONew {
			eid++
			later := last.Add(time.Duration(1+g.rng.IntN(20)) * 24 * time.Hour)
			if later.After(g.now) {
				later = g.now
			}
			if err := t.events.row(eid, sid, owner, "Status: "+models.SONew.Label()+" → "+so.Label(), cancel, nil, later); err != nil {
				return err
			}
		}
	}
	return nil
}

// genHistoryKind is what history rows have in common beside their
// opportunity, version, user and time: their field, old and new values and
// references (nil or int64). The kinds there are (a few dozen) are numbered
// in the temporary table gen_history_kinds as they come up.
type genHistoryKind struct {
	field, old, new string
	oldRef, newRef  any
}

// historyKind is the number of kind in gen_history_kinds, added to it first when it is new.
func (g *generator) historyKind(w *bulkWriter, kind genHistoryKind) (int64, error) {
	if k, ok := g.historyKinds[kind]; ok {
		return k, nil
	}
	k := int64(len(g.historyKinds) + 1)
	if err := w.execSQL("INSERT INTO gen_history_kinds (k, field, old_value, new_value, old_ref, new_ref) VALUES ("+
		g.ph(1)+", "+g.ph(2)+", "+g.ph(3)+", "+g.ph(4)+", "+g.ph(5)+", "+g.ph(6)+")", k, kind.field, kind.old, kind.new, kind.oldRef, kind.newRef); err != nil {
		return 0, err
	}
	g.historyKinds[kind] = k
	return k, nil
}

// genOppFlags are an opportunity's flags: need, solution, timeframe,
// budget, is_open, quoted, from_lead, and whether it has a close date and a
// lost date.
type genOppFlags [9]bool

// with is the flags in bits 0 to 8 and, 4 bits each from bit 12, the numbers
// of its status (in models.OppStatuses), rating (models.Ratings), next step,
// win and loss details (genNextSteps, genWinDetails, genLossDetails; 0 for
// none, else one more than the index): the value genOppSelect reads.
func (f genOppFlags) with(texts ...int) int64 {
	var v int64
	for i, b := range f {
		if b {
			v |= 1 << i
		}
	}
	for i, n := range texts {
		if n < 0 || n > 15 {
			panic(fmt.Sprintf("genOppFlags: text number %d out of range", n))
		}
		v |= int64(n) << (12 + 4*i)
	}
	return v
}

// genOppSelect is the SELECT of the opportunities' columns (their order in
// generator.tables) from the values bound for them.
func genOppSelect() string {
	cols := []string{}
	for _, v := range []string{"v.a", "v.b", "v.c", "v.d", "v.e", "v.f", "v.g"} {
		cols = append(cols, hi(v), lo(v))
	}
	for _, v := range []string{"v.r1", "v.r2", "v.r3"} {
		cols = append(cols, "NULLIF("+hi(v)+", 0) - 1", "NULLIF("+lo(v)+", 0) - 1")
	}
	for bit := range 7 {
		cols = append(cols, "((v.h >> "+strconv.Itoa(bit)+") & 1) = 1")
	}
	text := func(i int, list []string) string { return sqlPick("((v.h >> "+strconv.Itoa(12+4*i)+") & 15)", list) }
	none := func(list []string) []string { return append([]string{""}, list...) }
	cols = append(cols, text(0, mapStrings(models.OppStatuses, func(s models.OppStatus) string { return string(s) })),
		text(1, mapStrings(models.Ratings, func(r models.Rating) string { return string(r) })),
		text(2, none(genNextSteps)), text(3, none(genWinDetails)), text(4, none(genLossDetails)),
		"CASE WHEN ((v.h >> 7) & 1) = 1 THEN v.projected END", "CASE WHEN ((v.h >> 8) & 1) = 1 THEN v.projected END",
		"''", "v.title", "v.projected", "v.created", "v.updated", "v.started", "v.changed")
	return strings.Join(cols, ", ")
}

// optID is an optional id (nil or int64) for a compact table: 0 for none,
// else one more than the id (genOppSelect takes it back with NULLIF(…, 0) - 1).
func optID(v any) int64 {
	if id, ok := v.(int64); ok {
		return id + 1
	}
	return 0
}

// genQuoteStatuses are the statuses of quotes, numbered for compactTable.
var genQuoteStatuses = []string{string(models.QuoteDraft), string(models.QuoteSent), string(models.QuoteAccepted), string(models.QuoteDeclined)}

// genDiscounts are the discount types of quote items, numbered for compactTable.
var genDiscounts = []string{string(models.NoDiscount), string(models.DiscountPercent), string(models.DiscountPerUnit), string(models.DiscountPerLine)}

// anyInt is the id in v, 0 for none (nil).
func anyInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

// anyTime is the time in v, zero for none (nil).
func anyTime(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

type genItem struct {
	p         *models.Product
	qty       models.Quantity
	disc      models.DiscountType
	discValue int64
	optional  bool
}

// items picks one to six catalog lines; a quote that is won starts with a
// product, so its deal gets a sales order.
func (g *generator) items(wantProduct bool) []genItem {
	if len(g.products) == 0 {
		return nil
	}
	n := 1 + g.rng.IntN(6)
	out := make([]genItem, 0, n)
	for i := 0; i < n; i++ {
		p := &g.products[g.rng.IntN(len(g.products))]
		if i == 0 && wantProduct {
			for j := 0; j < len(g.products) && p.Type != models.KindProduct; j++ {
				p = &g.products[(g.rng.IntN(len(g.products)))]
			}
		}
		it := genItem{p: p, qty: models.Quantity(1+g.rng.IntN(20)) * models.QuantityScale}
		if g.chance(0.1) {
			it.disc, it.discValue = models.DiscountPercent, int64(5+g.rng.IntN(11))*1000
		}
		it.optional = i > 0 && g.chance(0.05)
		out = append(out, it)
	}
	return out
}

var (
	genFirst  = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell", "Aperture", "Massive", "Oscorp", "Pied Piper"}
	genSecond = []string{"Dental", "Logistics", "Law", "Clinics", "Manufacturing", "Retail", "Partners", "Holdings", "Foods", "Labs", "Engineering", "Hotels"}
	genCities = []string{"Seattle", "Denver", "Austin", "Boston", "Chicago", "Atlanta", "Phoenix", "Portland", "Miami", "Dallas"}
	genTitles = []string{"IT Manager", "Office Manager", "CFO", "Owner", "Operations Director", "Practice Manager"}
	genDeals  = []string{"Managed services agreement", "Microsoft 365 migration", "Firewall replacement", "Backup and disaster recovery",
		"Network refresh", "Help desk, 24x7", "Laptop fleet renewal", "Security awareness training", "VoIP telephony rollout",
		"Azure landing zone", "Endpoint detection and response", "Wi-Fi upgrade", "Server consolidation", "Compliance audit"}
	genCampaignNames = map[models.CampaignType][]string{
		"trade_show": {"IT Expo", "Security Summit", "SMB Tech Fair"},
		"webinar":    {"Webinar: cloud security for clinics", "Webinar: backup that restores", "Webinar: Microsoft 365 for law firms"},
		"email":      {"E-mail: firewall end of life", "E-mail: managed services offer", "E-mail: spring hardware refresh"},
		"referral":   {"Customer referral programme", "Partner referrals"},
		"other":      {"Open day", "Breakfast briefing"},
	}
	genNeedNotes   = []string{"Ageing servers, two sites", "Backups never tested", "Phishing incident last month", "Moving offices in spring", "Licences up for renewal"}
	genBudgetNotes = []string{"Approved for next quarter", "Part of this year's IT budget", "Needs the owner's sign-off", "Grant funding available"}
	genWinDetails  = []string{"Chose us after the on-site demo.", "Our response times won it.", "Best fit for their compliance needs.", "Long relationship with the owner."}
	genLossDetails = []string{"Their budget was frozen for the year.", "A national MSP came in 15% cheaper.", "They decided to wait another year.", "Went with their existing vendor."}
	genNextSteps   = []string{"Send the revised proposal", "Book a site survey", "Call the CFO about the budget", "Demo the monitoring dashboard", "Agree the start date"}
)
