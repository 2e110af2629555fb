package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
)

// The public customer quote link (/q/{token}) needs no sign-in, so it is
// limited per client IP: at most quoteLinkLimit requests a minute, counted in
// the database so that several app instances share one count. A customer reads
// a quote in a handful of requests; a script guessing links or hammering one
// is answered 429 after the limit.
const (
	defaultQuoteLinkLimit = 60
	quoteLinkWindow       = time.Minute
)

// Calls of the Quote Manager API with a missing or wrong key are limited per
// client IP too, so that nobody can flood the integration log: the first
// badKeyLimit of a minute are answered 401 and logged; the rest get 429 with
// Retry-After and are not logged. Calls with the right key are never limited.
const badKeyLimit = 20

// tooManyBadKeys counts one refused call from the client's IP and says, when
// the IP is over the limit, how many seconds it has to wait (else 0).
func (a *App) tooManyBadKeys(c echo.Context) (int, error) {
	now := a.now().UTC()
	hits, end, err := models.HitRateLimit(a.db, "quote-manager-key:"+c.RealIP(), now, quoteLinkWindow)
	if err != nil || hits <= badKeyLimit {
		return 0, err
	}
	return retryAfter(end, now), nil
}

// retryAfter is the whole seconds, at least 1, from now to the end of a window.
func retryAfter(end, now time.Time) int {
	return max(int(end.Sub(now).Round(time.Second)/time.Second), 1)
}

// limitQuoteLink answers 429 with a Retry-After header once the client IP has
// used up its requests of the current window.
func (a *App) limitQuoteLink(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		now := a.now().UTC()
		ok, end, err := a.quoteLinks.take(a.db, "quote-link:"+c.RealIP(), now, a.quoteLinkLimit)
		if err != nil {
			return err
		}
		if !ok {
			wait := retryAfter(end, now)
			c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
			return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf(
				"This quote has been opened very often from your network in the last minute. Please wait %d seconds, then reload the page.", wait))
		}
		return next(c)
	}
}

// reservations spends a client's requests of the current window from a few
// reserved in the database at once (models.ReserveRateLimit), rather than
// writing a row on every view of a customer quote: each reservation takes a
// quarter of what the limit still leaves (at least one), so a client reading
// within its limit costs a handful of writes a minute, and near the limit every
// request is counted one by one. The count lives in the database, shared by
// every app instance; what an instance holds is only requests it has reserved
// there and not spent yet, forgotten (and so refused, never granted) when the
// window ends or the process stops. A window found used up stays used up (its
// count only grows), so the requests refused after it write nothing.
type reservations struct {
	mu      sync.Mutex
	window  time.Time // the window the entries belong to
	buckets map[string]*reserved
}

type reserved struct {
	mu    sync.Mutex
	left  int // reserved and not spent
	known int // the window's count at the last reservation
	full  bool
	end   time.Time
}

// take spends one request of bucket's current window, reserving more when none
// is left; false when the window's limit is used up.
func (rs *reservations) take(db *gorm.DB, bucket string, now time.Time, limit int) (bool, time.Time, error) {
	start := now.Truncate(quoteLinkWindow)
	rs.mu.Lock()
	if !rs.window.Equal(start) || rs.buckets == nil {
		rs.window, rs.buckets = start, map[string]*reserved{}
	}
	r := rs.buckets[bucket]
	if r == nil {
		r = &reserved{end: start.Add(quoteLinkWindow)}
		rs.buckets[bucket] = r
	}
	rs.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.left == 0 && !r.full {
		want := max((limit-r.known)/4, 1)
		got, count, end, err := models.ReserveRateLimit(db, bucket, now, quoteLinkWindow, want, limit)
		if err != nil {
			return false, time.Time{}, err
		}
		r.end, r.left, r.known, r.full = end, got, count, got == 0
	}
	if r.left == 0 {
		return false, r.end, nil
	}
	r.left--
	return true, r.end, nil
}
