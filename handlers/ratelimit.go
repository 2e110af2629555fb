package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

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
// The window is the quote links' minute: the rate_limits table is pruned by
// window start, whatever the bucket, so every bucket uses the same window.
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
		hits, end, err := models.HitRateLimit(a.db, "quote-link:"+c.RealIP(), now, quoteLinkWindow)
		if err != nil {
			return err
		}
		if hits > a.quoteLinkLimit {
			wait := retryAfter(end, now)
			c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
			return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf(
				"This quote has been opened very often from your network in the last minute. Please wait %d seconds, then reload the page.", wait))
		}
		return next(c)
	}
}
