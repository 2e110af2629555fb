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
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return db.Statement.ConnPool.QueryContext(ctx, query, args...)
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
