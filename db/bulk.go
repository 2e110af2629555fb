package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// bulkWriter loads generated rows fast and portably: multi-row INSERT
// statements with bound parameters, prepared once per shape, executed on one
// connection in large transactions by a goroutine of their own, so the rows of
// the next statement are made while SQLite writes the last ones.
type bulkWriter struct {
	ctx    context.Context
	conn   *sql.Conn
	pg     bool
	ch     chan bulkBatch
	done   chan struct{}
	err    error       // set by the writer goroutine before done closes
	failed atomic.Bool // set with err, for the generating goroutine to stop early
	stmts  map[string]*sql.Stmt
	rows   int64 // rows written in the open transaction
	// cpu is the CPU time of the statements by what they wrote (the table,
	// or the start of a statement of its own), read after close.
	cpu map[string]time.Duration
}

type bulkBatch struct {
	table *bulkTable
	args  []any
	rows  int
	sql   string // a statement of its own, when table is nil (args are its parameters)
}

// bulkTable collects the rows of one table until a statement's worth is ready.
type bulkTable struct {
	w      *bulkWriter
	name   string
	cols   []string
	per    int // rows in a full statement
	args   []any
	rows   int
	Total  int64
	sqlFor map[int]string
	// A compact table's rows are bound as the values named in vals (of the
	// types in types, for PostgreSQL) and its columns worked out from them
	// by the SELECT in sel (see compactTable).
	vals, types []string
	sel         string
}

var errBulkFailed = errors.New("bulk insert failed")

func newBulkWriter(ctx context.Context, conn *sql.Conn, pg bool) (*bulkWriter, error) {
	w := &bulkWriter{ctx: ctx, conn: conn, pg: pg, ch: make(chan bulkBatch, 8), done: make(chan struct{}), stmts: map[string]*sql.Stmt{},
		cpu: map[string]time.Duration{}}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	go w.run()
	return w, nil
}

// table starts the rows of a table with the given columns.
func (w *bulkWriter) table(name string, cols ...string) *bulkTable {
	// SQLite binds at most 32,766 parameters a statement, PostgreSQL 65,535.
	per := min(500, 30000/len(cols))
	return &bulkTable{w: w, name: name, cols: cols, per: per, args: make([]any, 0, per*len(cols)), sqlFor: map[int]string{}}
}

// compactTable starts the rows of a table that are bound as fewer values
// than it has columns: each bound value costs a call into the driver and
// into SQLite (about a third of a microsecond, more than SQL takes to work
// out a column from another), so a row binds, say, two ids packed into one
// integer (pack, with SQL unpacking them: hi, lo) or the number of a
// combination of values that a small table joined in SQL holds. Each row
// binds the values named in vals, of the SQL types in types, and
//
//	WITH v (vals…) AS (VALUES (…), …) INSERT INTO name (cols…) SELECT sel
//
// inserts them; sel reads v (joining any other table, SQLite keeping the
// order of the rows when the join is written join()).
func (w *bulkWriter) compactTable(name string, cols, vals, types []string, sel string) *bulkTable {
	t := w.table(name, cols...)
	t.vals, t.types, t.sel = vals, types, sel
	t.per = min(500, 30000/len(vals))
	t.args = make([]any, 0, t.per*len(vals))
	return t
}

// join is the keyword joining a table to the rows of a compact table: on
// SQLite CROSS JOIN, which keeps the rows' table the outer loop (their order).
func (w *bulkWriter) join() string {
	if w.pg {
		return "JOIN"
	}
	return "CROSS JOIN"
}

// pack puts two non-negative values below 2^31 (ids, amounts, small codes)
// into one integer for a compact table; hi and lo are the SQL taking them out again.
func pack(a, b int64) int64 {
	if a < 0 || b < 0 || a >= 1<<31 || b >= 1<<31 {
		panic(fmt.Sprintf("pack: %d or %d out of range", a, b))
	}
	return a<<32 | b
}

func hi(v string) string { return "(" + v + " >> 32)" }
func lo(v string) string { return "(" + v + " & 4294967295)" }

// row adds one row; its values follow the table's columns (a compact
// table's: its vals).
func (t *bulkTable) row(vals ...any) error {
	want := len(t.cols)
	if t.sel != "" {
		want = len(t.vals)
	}
	if len(vals) != want {
		panic(fmt.Sprintf("%s: %d values for %d", t.name, len(vals), want))
	}
	if !t.w.pg {
		// Times as the text the SQLite driver writes, made here rather than
		// on the writer's goroutine.
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				vals[i] = sqliteTime(tm)
			}
		}
	}
	t.args = append(t.args, vals...)
	t.rows++
	t.Total++
	if t.rows == t.per {
		return t.flush()
	}
	return nil
}

// flush hands the collected rows to the writer.
func (t *bulkTable) flush() error {
	if t.rows == 0 {
		return nil
	}
	if t.w.failed.Load() {
		return errBulkFailed
	}
	b := bulkBatch{table: t, args: t.args, rows: t.rows}
	t.args, t.rows = make([]any, 0, cap(t.args)), 0
	select {
	case t.w.ch <- b:
		return nil
	case <-t.w.done:
		return t.w.err
	}
}

func (t *bulkTable) sql(rows int) string {
	if s, ok := t.sqlFor[rows]; ok {
		return s
	}
	var b strings.Builder
	into := "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") "
	width := len(t.cols)
	if t.sel != "" {
		width = len(t.vals)
		b.WriteString("WITH v (" + strings.Join(t.vals, ", ") + ") AS (")
	} else {
		b.WriteString(into)
	}
	b.WriteString("VALUES ")
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteByte(',')
			}
			if t.w.pg {
				b.WriteString("$" + strconv.Itoa(n))
				if r == 0 && t.sel != "" {
					// The first row gives the columns of v their types.
					b.WriteString("::" + t.types[c])
				}
				n++
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	if t.sel != "" {
		b.WriteString(") " + into + "SELECT " + t.sel)
	}
	s := b.String()
	t.sqlFor[rows] = s
	return s
}

func (w *bulkWriter) run() {
	defer close(w.done)
	// On one thread, whose CPU time is the statements'.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b := range w.ch {
		if w.err != nil {
			continue // drain
		}
		start := threadCPUTime()
		if w.err = w.exec(b); w.err != nil {
			w.failed.Store(true)
		}
		what := b.sql
		if b.table != nil {
			what = b.table.name
		} else if len(what) > 40 {
			what = what[:40]
		}
		w.cpu[what] += threadCPUTime() - start
	}
	if w.err == nil {
		_, w.err = w.conn.ExecContext(w.ctx, "COMMIT")
	} else {
		_, _ = w.conn.ExecContext(w.ctx, "ROLLBACK")
	}
	for _, s := range w.stmts {
		_ = s.Close()
	}
}

// execSQL runs a statement of its own (an INSERT … SELECT, say) with its
// parameters in turn with the rows.
func (w *bulkWriter) execSQL(q string, args ...any) error {
	if w.failed.Load() {
		return errBulkFailed
	}
	select {
	case w.ch <- bulkBatch{sql: q, args: args}:
		return nil
	case <-w.done:
		return w.err
	}
}

func (w *bulkWriter) exec(b bulkBatch) error {
	if b.table == nil {
		if _, err := w.conn.ExecContext(w.ctx, b.sql, b.args...); err != nil {
			return fmt.Errorf("%.60s…: %w", b.sql, err)
		}
		return nil
	}
	text := b.table.sql(b.rows)
	var err error
	if b.rows == b.table.per {
		st, ok := w.stmts[text]
		if !ok {
			if st, err = w.conn.PrepareContext(w.ctx, text); err != nil {
				return fmt.Errorf("prepare %s: %w", b.table.name, err)
			}
			w.stmts[text] = st
		}
		_, err = st.ExecContext(w.ctx, b.args...)
	} else {
		_, err = w.conn.ExecContext(w.ctx, text, b.args...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", b.table.name, err)
	}
	// Commit now and then, so neither a rollback journal nor PostgreSQL's
	// transaction grows without end.
	if w.rows += int64(b.rows); w.rows >= 250000 {
		w.rows = 0
		if _, err := w.conn.ExecContext(w.ctx, "COMMIT"); err != nil {
			return err
		}
		if _, err := w.conn.ExecContext(w.ctx, "BEGIN"); err != nil {
			return err
		}
	}
	return nil
}

// close flushes the given tables, waits for the writer and commits.
func (w *bulkWriter) close(tables ...*bulkTable) error {
	var err error
	for _, t := range tables {
		if err == nil {
			err = t.flush()
		}
	}
	close(w.ch)
	<-w.done

	if w.err != nil {
		return w.err
	}
	return err
}

// logCPU logs the statements' CPU time by what they wrote, the most first
// (from 0.1 s), after close.
func (w *bulkWriter) logCPU(log *slog.Logger, conn string) {
	if log == nil {
		return
	}
	var whats []string
	for what, d := range w.cpu {
		if d >= 100*time.Millisecond {
			whats = append(whats, what)
		}
	}
	slices.SortFunc(whats, func(a, b string) int { return cmp.Compare(w.cpu[b], w.cpu[a]) })
	for _, what := range whats {
		log.Info("generate", "connection", conn, "statements", what, "cpu_seconds", w.cpu[what].Seconds())
	}
}

// sqliteTime formats t as the SQLite driver does ("2006-01-02
// 15:04:05.999999999-07:00"), quickly for whole seconds in UTC.
func sqliteTime(t time.Time) string {
	if t.Nanosecond() != 0 || t.Location() != time.UTC {
		return t.Format("2006-01-02 15:04:05.999999999-07:00")
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	var b [25]byte
	two := func(i, v int) { b[i], b[i+1] = byte('0'+v/10), byte('0'+v%10) } // #nosec G115 -- ids and counts of generated rows are far below the limits of either type
	two(0, y/100)
	two(2, y%100)
	b[4] = '-'
	two(5, int(mo))
	b[7] = '-'
	two(8, d)
	b[10] = ' '
	two(11, h)
	b[13] = ':'
	two(14, mi)
	b[16] = ':'
	two(17, s)
	copy(b[19:], "+00:00")
	return string(b[:])
}
