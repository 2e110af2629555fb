package handlers

import (
	"net/http"
	"runtime"
	"sync"

	"github.com/labstack/echo/v4"
)

const keyAdmission = "admission"

// statusClientGone is what the log records for a request whose client went
// away before its turn came (nginx's 499): nothing is sent, and it is not a
// server error (wrk closes its queued connections at the end of every run).
const statusClientGone = 499

// admission lets a few reads work at once and queues the rest in the order
// they came: a channel's blocked senders are woken first come, first served.
// Without it every request in flight shares the two cores with all the others,
// and waits for one of the readers' connections, which database/sql hands to a
// waiter picked at random, so under load a few requests wait many times longer
// than the rest (the p99 was 8 times the p50). A request that is through the
// gate has its cores and its connection; queued requests wait their turn, in
// order, holding nothing.
type admission chan struct{}

func newAdmission(n int) admission { return make(admission, n) }

// defaultConcurrency is one read per core on SQLite, at least two: its reads
// are CPU work on pages in memory, and more at once only share the cores. On
// the 1M database (scripts/loadtest.sh, wrk -c32) the list's and opportunity
// page's p99 were 35-42 ms with 2, 48-54 ms with 4 and 83-94 ms unbounded, at
// the same req/s. PostgreSQL is across the network: a read waits for it, so
// four per core keep the cores busy.
func defaultConcurrency(dialect string) int {
	if dialect == "postgres" {
		return 4 * runtime.GOMAXPROCS(0)
	}
	return max(2, runtime.GOMAXPROCS(0))
}

// middleware admits a read (GET or HEAD) when its turn comes; a client that
// gives up while queued is dropped without doing its work. Writes pass: they
// already queue in order for SQLite's one write turn (db/write_turn.go), and
// writers waiting there for a long import must not take the readers' places.
func (q admission) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return next(c)
		}
		select {
		case q <- struct{}{}:
		case <-c.Request().Context().Done():
			c.Response().Status = statusClientGone
			return nil
		}
		release := sync.OnceFunc(func() { <-q })
		defer release()
		if c.Request().Context().Err() != nil { // gone while its turn came
			c.Response().Status = statusClientGone
			return nil
		}
		c.Set(keyAdmission, release)
		return next(c)
	}
}

// leaveAdmission gives the request's turn back early, for a response that
// streams for a long time (a CSV export of a million rows): it goes on outside
// the gate instead of holding one of its few places.
func leaveAdmission(c echo.Context) {
	if release, ok := c.Get(keyAdmission).(func()); ok {
		release()
	}
}
