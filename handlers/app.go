// Package handlers turns HTTP requests into model calls and rendered views.
// routes.go lists every route; one file per resource holds its handlers.
package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/static"
	"salesdesk/views"
)

// Config is what the app needs from main.
type Config struct {
	DB            *gorm.DB
	Log           *slog.Logger
	SessionKey    []byte // at least 32 bytes
	SecureCookies bool
	// SMTPURL sends the outbox's e-mails when set; see mail.go.
	SMTPURL string
	// Now is the clock; tests set it to move time.
	Now func() time.Time
	// QuoteLinkLimit is how many requests a minute one client IP may make to the
	// public customer quote links; 0 means the default (ratelimit.go).
	QuoteLinkLimit int
	// Concurrency is how many reads work at once; the others queue in order
	// (admission.go). 0 means the default (defaultConcurrency).
	Concurrency int
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed
	// (ParseTrustedProxies). Without them the client is the connection's address.
	TrustedProxies []*net.IPNet
}

// App holds the dependencies the handlers share.
type App struct {
	db *gorm.DB
	// read is db with prepared statements, for the reads of the most visited
	// pages (outside transactions only): the opportunity page's one query with
	// ten joins took longer to parse and plan than to run.
	read    *gorm.DB
	log     *slog.Logger
	store   *sessions.CookieStore
	secure  bool
	smtpURL string
	now     func() time.Time
	assets  map[string]string // path → fingerprint
	cssURL  string
	jsURL   string
	started time.Time
	// quoteLinkLimit: requests a minute per client IP on /q/{token}.
	quoteLinkLimit int
	quoteLinks     reservations // the quote links' requests reserved and not spent yet
	admit          admission
}

// New builds the Echo server with every route.
func New(cfg Config) (*echo.Echo, error) {
	if len(cfg.SessionKey) < 32 {
		return nil, errors.New("session key must be at least 32 bytes")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.QuoteLinkLimit <= 0 {
		cfg.QuoteLinkLimit = defaultQuoteLinkLimit
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency(cfg.DB.Dialector.Name())
	}
	prints, err := static.Fingerprints()
	if err != nil {
		return nil, err
	}
	a := &App{db: cfg.DB, log: cfg.Log, secure: cfg.SecureCookies, smtpURL: cfg.SMTPURL, now: cfg.Now, assets: prints, started: time.Now(), quoteLinkLimit: cfg.QuoteLinkLimit, admit: newAdmission(cfg.Concurrency)}
	a.read = cfg.DB.Session(&gorm.Session{PrepareStmt: true})
	a.cssURL = "/static/css/app.css?v=" + prints["css/app.css"]
	a.jsURL = "/static/js/app.js?v=" + prints["js/app.js"]
	a.store = newSessionStore(cfg.SessionKey, cfg.SecureCookies)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.HTTPErrorHandler = a.handleError
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.ReadTimeout = 30 * time.Second
	e.Server.WriteTimeout = 60 * time.Second
	e.Server.IdleTimeout = 120 * time.Second
	a.routes(e)
	return e, nil
}

// ipExtractor finds the client's address, which the rate limits count by and
// the log records. X-Forwarded-For is client-controlled (Echo v4 advisories
// GO-2026-6872/6875): it is read only when the connection comes from one of the
// trusted proxies, from the right, and the first address that is not a trusted
// proxy is the client. Echo's default trust of every private, loopback and
// link-local address is switched off: only the listed ranges are proxies.
func ipExtractor(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR ranges
// ("10.0.0.0/8, 192.0.2.7"). An entry that is neither is an error, so a typo
// stops the start instead of quietly trusting nothing or too much.
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if !strings.Contains(entry, "/") {
			ip := net.ParseIP(entry)
			if ip == nil {
				return nil, fmt.Errorf("trusted proxy %q is not an IP address or a CIDR range", entry)
			}
			bits := 8 * net.IPv6len
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 8*net.IPv4len
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(entry)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or a CIDR range", entry)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// newSessionStore signs and encrypts the session cookie with keys derived from the
// one configured secret, so the cookie can be neither forged nor read.
func newSessionStore(key []byte, secure bool) *sessions.CookieStore {
	hashKey := sha256.Sum256(append([]byte("salesdesk-session-hash:"), key...))
	blockKey := sha256.Sum256(append([]byte("salesdesk-session-block:"), key...))
	s := sessions.NewCookieStore(hashKey[:], blockKey[:])
	for _, c := range s.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(sessionCodec{})
		}
	}
	s.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionMaxAge / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	return s
}

// render writes a component with a status, rendering into a buffer first so a
// failed render becomes a clean error page, never half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	// With its length known, the page goes out in one piece, not in chunks.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers keeps the page buffers between requests: a list page is about
// 25 KB, and growing a new buffer to that size for every request was a third of
// the bytes the list page allocated.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// putRenderBuffer returns buf to the pool once the response is written; a
// buffer grown by an unusually large page is left to the collector.
func putRenderBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	renderBuffers.Put(buf)
}

// page is the layout's view model for this request. It consumes the flash message.
func (a *App) page(c echo.Context, title string) views.Page {
	p := views.Page{
		Title:    title,
		Features: featuresOf(c),
		CSRF:     csrfToken(c),
		Path:     c.Request().URL.Path,
		CSS:      a.cssURL,
		JS:       a.jsURL,
		Heading:  true,
	}
	if u := currentUser(c); u != nil {
		p.User = &views.CurrentUser{ID: u.ID, Name: u.Name, RoleLabel: u.Role.Label(), IsAdmin: u.Role == models.RoleAdmin, Manages: u.SeesAllRecords()}
	}
	p.Flash = a.takeFlash(c)
	return p
}

// handleError is the one place errors become responses: HTTP errors keep their
// status, a missing record is a 404, anything else is logged and shown as a 500.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. It has been logged; please try again."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		msg = fmt.Sprint(he.Message)
		if status == http.StatusRequestEntityTooLarge {
			msg = "What you sent is too large. A lead import file may be at most 10 MB; forms at most 2 MB."
		}
		if status == http.StatusNotFound && msg == "Not Found" {
			msg = "There is nothing at this address. It may have been moved, or the link may be mistyped."
		}
		if status >= 500 {
			msg = "Something went wrong on our side. It has been logged; please try again."
			a.log.Error("request failed", "path", logPath(c.Request().URL.Path), "err", err)
		}
	case errors.Is(err, gorm.ErrRecordNotFound):
		status, msg = http.StatusNotFound, "That record does not exist, or it has been removed."
	case errors.Is(err, context.Canceled):
		return
	default:
		a.log.Error("request failed", "path", logPath(c.Request().URL.Path), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		// The API's callers are programs: they get JSON, never a page.
		if status == http.StatusRequestEntityTooLarge {
			msg = "The body is larger than 1 MB."
		}
		_ = c.JSON(status, map[string]string{"error": msg})
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/static/") || c.Request().URL.Path == "/healthz" {
		_ = c.String(status, http.StatusText(status))
		return
	}
	p := a.page(c, http.StatusText(status))
	p.Heading = false // ErrorPage draws its own h1
	if rerr := render(c, status, views.ErrorPage(p, status, msg)); rerr != nil {
		a.log.Error("render error page", "err", rerr)
		_ = c.String(status, http.StatusText(status))
	}
}

// errForbidden answers a signed-in user who may not do what they asked.
var errForbidden = echo.NewHTTPError(http.StatusForbidden, "You do not have permission to do this. Ask a manager or an admin if you think you should.")

var errNotFound = echo.NewHTTPError(http.StatusNotFound, "Not Found")
