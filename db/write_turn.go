package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// writeTurns gives SQLite one writer connection, used by one write transaction
// at a time, and leaves the other connections to readers. SQLite allows one
// writer anyway. Left to itself, each waiting writer would hold a pooled
// connection and poll the lock with growing sleeps (up to 100 ms): under load
// the waiting writers take every connection from the readers, and a writer
// that keeps losing the race can run out of busy_timeout and fail with
// "database is locked". Here a waiting writer holds no connection and is queued
// in Go, and the writer with the turn never queues behind readers for a connection.
//
// Every GORM transaction (and GORM wraps each Create, Update and Delete in one)
// begins through BeginTx below. Statements outside a transaction (reads, Exec of
// raw SQL) use the reader pool; a write among them, and other processes on the
// same file, still meet SQLite's busy_timeout.
type writeTurns struct {
	*sql.DB         // readers
	writer  *sql.DB // one connection
	turn    chan struct{}
	wait    time.Duration
}

// openWriteTurns opens the reader pool and the writer connection on dsn.
// Closing the reader pool (what gorm.DB.DB().Close() does) closes the writer too.
func openWriteTurns(driverName, dsn string, readers int, wait time.Duration) (*writeTurns, error) {
	writer, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	pool := sql.OpenDB(&closingConnector{dsn: dsn, drv: writer.Driver(), also: writer})
	pool.SetMaxOpenConns(readers)
	pool.SetMaxIdleConns(readers)
	return &writeTurns{DB: pool, writer: writer, turn: make(chan struct{}, 1), wait: wait}, nil
}

// BeginTx waits for the write turn, then begins the transaction (BEGIN
// IMMEDIATE, from the DSN's _txlock) on the writer connection.
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
	tx, err := w.writer.BeginTx(ctx, opts)
	if err != nil {
		<-w.turn
		return nil, err
	}
	return &turnTx{Tx: tx, db: w.DB, done: sync.OnceFunc(func() { <-w.turn })}, nil
}

// GetDBConn lets gorm.DB.DB() find the reader pool.
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

// closingConnector opens reader connections and, when the reader pool is
// closed, closes the writer pool as well.
type closingConnector struct {
	dsn  string
	drv  driver.Driver
	also *sql.DB
}

func (c *closingConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c *closingConnector) Driver() driver.Driver                        { return c.drv }
func (c *closingConnector) Close() error                                 { return c.also.Close() }
