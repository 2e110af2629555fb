package models

import (
	"context"
	"database/sql"
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
