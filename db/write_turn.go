package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// writeTurns lets one SQLite write transaction run at a time and queues the
// others in Go. SQLite allows one writer anyway; left to itself, each waiting
// writer holds a pooled connection and polls the lock with growing sleeps (up
// to 100 ms), so under load the waiting writers take every connection from the
// readers, and a writer that keeps losing the race can run out of busy_timeout
// and fail with "database is locked". Queued here, a waiting writer holds no
// connection and gets its turn in order.
//
// Every GORM transaction (and GORM wraps each Create, Update and Delete in one)
// begins through BeginTx below. Statements run outside a transaction (Exec of
// raw SQL) and other processes on the same file still meet SQLite's busy_timeout.
type writeTurns struct {
	*sql.DB
	turn chan struct{}
	wait time.Duration
}

func newWriteTurns(db *sql.DB, wait time.Duration) *writeTurns {
	return &writeTurns{DB: db, turn: make(chan struct{}, 1), wait: wait}
}

// BeginTx waits for the write turn, then begins the transaction (BEGIN
// IMMEDIATE, from the DSN's _txlock) on a connection of the pool.
func (w *writeTurns) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	timer := time.NewTimer(w.wait)
	defer timer.Stop()
	select {
	case w.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, fmt.Errorf("database is busy: no write turn within %v", w.wait)
	}
	tx, err := w.DB.BeginTx(ctx, opts)
	if err != nil {
		<-w.turn
		return nil, err
	}
	return &turnTx{Tx: tx, db: w.DB, done: sync.OnceFunc(func() { <-w.turn })}, nil
}

// GetDBConn lets gorm.DB.DB() find the pool.
func (w *writeTurns) GetDBConn() (*sql.DB, error) { return w.DB, nil }

// turnTx gives the write turn back when it ends, however it ends.
type turnTx struct {
	*sql.Tx
	db   *sql.DB
	done func()
}

func (t *turnTx) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

func (t *turnTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

func (t *turnTx) GetDBConn() (*sql.DB, error) { return t.db, nil }
