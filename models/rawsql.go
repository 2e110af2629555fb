package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// queryRows runs a read query written with ? placeholders straight on the
// connection pool (or the transaction) of db, without GORM's statement
// building and reflection: for the few queries every page view makes, that
// overhead cost more than the query. PostgreSQL gets $1, $2, … instead of ?;
// the queries passed here hold no ? of their own.
func queryRows(db *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	if db.Dialector.Name() == "postgres" {
		query = dollarPlaceholders(query)
	}
	return queryPrepared(db, query, args...)
}

// queryPrepared runs query, already in the database's placeholder syntax, with
// a statement prepared once per connection (GORM's prepared statement cache,
// kept with db's connection pool): parsing and planning the query was a good
// part of what the database did for each page. Within a transaction the query
// is run as it is.
func queryPrepared(db *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	pool := db.Statement.ConnPool
	if _, tx := pool.(gorm.TxCommitter); !tx {
		pool = db.Session(&gorm.Session{PrepareStmt: true}).Statement.ConnPool
	}
	return pool.QueryContext(ctx, query, args...)
}

// preparedRows runs q, built with GORM, on a prepared statement as
// queryPrepared does: for the list pages, whose queries differ only by the
// filters in use.
func preparedRows(q *gorm.DB) (*sql.Rows, error) {
	if _, tx := q.Statement.ConnPool.(gorm.TxCommitter); tx {
		return q.Rows()
	}
	return q.Session(&gorm.Session{PrepareStmt: true}).Rows()
}

// scanEach runs q as preparedRows does and reads each row into a T through
// dest, the pointers into *r its columns are scanned to (*r is cleared before
// each row): column by column, without GORM's reflection.
func scanEach[T any](q *gorm.DB, r *T, dest []any, capacity int) ([]T, error) {
	rs, err := preparedRows(q)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([]T, 0, capacity)
	var zero T
	for rs.Next() {
		*r = zero
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rs.Err()
}

func dollarPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}

// integer is an integer type a column is read into.
type integer interface {
	~int | ~int32 | ~int64 | ~uint | ~uint32 | ~uint64
}

// intCol reads an integer column into any integer field (ids are uint,
// positions int): database/sql converts between integer types by way of a
// string, formatting and parsing every value, which on a quote of a hundred
// lines was a good part of reading it. As a Scanner it takes the value as the
// driver gives it.
type intCol[T integer] struct{ p *T }

func (c intCol[T]) Scan(src any) error {
	if src == nil {
		return errors.New("converting NULL to an integer is unsupported")
	}
	n, err := scanInteger(src)
	*c.p = T(n)
	return err
}

// nullIntCol is intCol for a nullable column, nil for NULL.
type nullIntCol[T integer] struct{ p **T }

func (c nullIntCol[T]) Scan(src any) error {
	if src == nil {
		*c.p = nil
		return nil
	}
	n, err := scanInteger(src)
	v := T(n)
	*c.p = &v
	return err
}

// scanInteger is an integer as SQLite (int64) or PostgreSQL (int64, or text
// for NUMERIC) sends it.
func scanInteger(src any) (int64, error) {
	switch v := src.(type) {
	case int64:
		return v, nil
	case string, []byte:
		return scanInt(v)
	}
	return 0, fmt.Errorf("cannot scan %T as an integer", src)
}

// firstRow moves rows to their first row, or says why there is none: the
// query's error, else gorm.ErrRecordNotFound.
func firstRow(rows *sql.Rows) error {
	if rows.Next() {
		return nil
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return gorm.ErrRecordNotFound
}
