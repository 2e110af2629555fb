package handlers_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/handlers"
	"salesdesk/models"
)

// checkSecurityHeaders fails the test when a response lacks the headers every
// page of Salesdesk must carry.
func checkSecurityHeaders(t testing.TB, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Errorf("%s: no Content-Security-Policy", what)
		return
	}
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for _, name := range []string{"default-src", "script-src", "style-src"} {
		v := directives[name]
		if strings.Contains(v, "'unsafe-inline'") || strings.Contains(v, "'unsafe-eval'") || strings.Contains(v, "*") {
			t.Errorf("%s: CSP %s allows too much: %q", what, name, v)
		}
	}
	if directives["default-src"] != "'self'" {
		t.Errorf("%s: CSP default-src %q, want 'self'", what, directives["default-src"])
	}
	if directives["frame-ancestors"] != "'none'" {
		t.Errorf("%s: CSP frame-ancestors %q, want 'none'", what, directives["frame-ancestors"])
	}
	if directives["object-src"] != "'none'" || directives["base-uri"] != "'none'" {
		t.Errorf("%s: CSP object-src/base-uri not 'none': %q", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	switch got := h.Get("Referrer-Policy"); got {
	case "same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
}

// sentToken returns the customer link token of a demo quote that is sent,
// unanswered and not expired, so the customer may still answer it.
func sentToken(t testing.TB, app *testApp) string {
	t.Helper()
	var q models.Quote
	err := app.DB.Where("token IS NOT NULL AND status = ? AND expiration_date > ?", models.QuoteSent, time.Now().UTC().AddDate(0, 0, 1)).
		Order("id").First(&q).Error
	if err != nil {
		t.Fatalf("no open sent demo quote: %v", err)
	}
	return *q.Token
}

// TestSecurityHeaders covers pages; this covers the other kinds of response:
// errors, downloads, redirects and the customer's side. The sweep (sweep_test.go)
// checks the headers on every response of every route.
func TestSecurityHeadersOnErrorsDownloadsAndCustomerPages(t *testing.T) {
	app := newTestApp(t)
	anon := app.client(t)
	rep := app.client(t).login("rep@example.com")
	admin := app.client(t).login("admin@example.com")
	token := sentToken(t, app)

	cases := []struct {
		what   string
		c      *client
		method string
		path   string
		status int
	}{
		{"sign-in page", anon, "GET", "/login", 200},
		{"redirect to sign-in", anon, "GET", "/opportunities", 303},
		{"health check", anon, "GET", "/healthz", 200},
		{"stylesheet", anon, "GET", "/static/css/app.css", 200},
		{"unknown static file", anon, "GET", "/static/nope.js", 404},
		{"unknown page", anon, "GET", "/no/such/page", 404},
		{"customer quote", anon, "GET", "/q/" + token, 200},
		{"customer quote PDF", anon, "GET", "/q/" + token + "/pdf", 200},
		{"bad customer link", anon, "GET", "/q/" + strings.Repeat("x", 30), 404},
		{"POST without CSRF token", anon, "POST", "/login", 403},
		{"export", rep, "GET", "/opportunities/export.csv", 200},
		{"forbidden page", rep, "GET", "/admin/users", 403},
		{"missing record", rep, "GET", "/opportunities/999999", 404},
		{"admin page", admin, "GET", "/admin/users", 200},
	}
	for _, tc := range cases {
		var r response
		if tc.method == "POST" {
			r = tc.c.post(tc.path, url.Values{"email": {"x"}})
		} else {
			r = tc.c.get(tc.path)
		}
		if r.Status != tc.status {
			t.Errorf("%s: %s %s answered %d, want %d", tc.what, tc.method, tc.path, r.Status, tc.status)
		}
		checkSecurityHeaders(t, tc.what, r.Header)
	}
}

func sessionCookie(t testing.TB, h http.Header) *http.Cookie {
	t.Helper()
	res := http.Response{Header: h}
	for _, ck := range res.Cookies() {
		if ck.Name == "salesdesk" {
			return ck
		}
	}
	t.Fatalf("no session cookie set; Set-Cookie: %q", h.Values("Set-Cookie"))
	return nil
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run("secure="+strconv.FormatBool(secure), func(t *testing.T) {
			app := newTestAppWith(t, dbtest.NewDSN(t, true), func(cfg *handlers.Config) { cfg.SecureCookies = secure })
			c := app.client(t)
			// The first visit sets a cookie (for the CSRF token); so does signing in.
			first := c.get("/login")
			tok, _ := first.doc(t).Find(`input[name="csrf_token"]`).Attr("value")
			cookies := map[string]*http.Cookie{"first visit": sessionCookie(t, first.Header)}
			if !secure {
				r := c.post("/login", url.Values{"csrf_token": {tok}, "email": {"rep@example.com"}, "password": {db.DemoPassword}})
				if r.Status != http.StatusSeeOther {
					t.Fatalf("sign-in: %d", r.Status)
				}
				cookies["sign-in"] = sessionCookie(t, r.Header)
			}
			for what, ck := range cookies {
				if !ck.HttpOnly {
					t.Errorf("%s: session cookie is not HttpOnly", what)
				}
				if ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode {
					t.Errorf("%s: session cookie SameSite=%v, want Lax or Strict", what, ck.SameSite)
				}
				if ck.Secure != secure {
					t.Errorf("%s: session cookie Secure=%v with the secure-cookies option %v", what, ck.Secure, secure)
				}
				if ck.Path != "/" {
					t.Errorf("%s: session cookie path %q", what, ck.Path)
				}
			}
		})
	}
}

// lockedBuffer is a log destination the server may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestNoSecretInAnyLogLine(t *testing.T) {
	var logs lockedBuffer
	sessionKey := "session-key-" + strings.Repeat("s", 32)
	app := newTestAppWith(t, dbtest.NewDSN(t, true), func(cfg *handlers.Config) {
		cfg.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.SessionKey = []byte(sessionKey)
	})
	token := sentToken(t, app)
	const wrongPassword = "Wrong-Password-77"
	const newPassword = "Brand-New-Secret-2026"

	// Sign-in: a wrong password, an unknown account, then the right one.
	anon := app.client(t)
	r := anon.submit("/login", "/login", url.Values{"email": {"rep@example.com"}, "password": {wrongPassword}})
	wantStatus(t, "wrong password", r, http.StatusUnprocessableEntity)
	r = anon.submit("/login", "/login", url.Values{"email": {"nobody@example.com"}, "password": {wrongPassword}})
	wantStatus(t, "unknown account", r, http.StatusUnprocessableEntity)
	rep := app.client(t).login("rep@example.com")
	repCSRF := rep.token("/opportunities/new")

	// An admin changes a password, their own too.
	admin := app.client(t).login("admin@example.com")
	repUser := userByEmail(t, app, "rep2@example.com")
	adminUser := userByEmail(t, app, "admin@example.com")
	for _, u := range []models.User{repUser, adminUser} {
		page := "/admin/users/" + idString(u.ID) + "/edit"
		r = admin.submit(page, "/admin/users/"+idString(u.ID)+"/password", url.Values{"password": {newPassword}})
		wantStatus(t, "reset password", r, http.StatusSeeOther)
	}
	// A password too short is refused, and not logged either.
	r = admin.submit("/admin/users/"+idString(repUser.ID)+"/edit", "/admin/users/"+idString(repUser.ID)+"/password", url.Values{"password": {"shortpw"}})
	wantStatus(t, "short password", r, http.StatusUnprocessableEntity)

	// The customer opens, downloads and answers the quote; someone tries a wrong link.
	cust := app.client(t)
	wantStatus(t, "customer page", cust.get("/q/"+token), http.StatusOK)
	wantStatus(t, "customer PDF", cust.get("/q/"+token+"/pdf"), http.StatusOK)
	r = cust.submit("/q/"+token, "/q/"+token, url.Values{"answer": {"approve"}})
	if r.Status >= 500 {
		t.Fatalf("customer answer: %d", r.Status)
	}
	wantStatus(t, "wrong link", cust.get("/q/"+strings.Repeat("A", 43)), http.StatusNotFound)
	wantStatus(t, "wrong link PDF", cust.get("/q/"+strings.Repeat("B", 43)+"/pdf"), http.StatusNotFound)

	// Every request has been logged once the server has shut down.
	app.srv.Close()
	out := logs.String()
	if !strings.Contains(out, `"path":"/q/[redacted]"`) || !strings.Contains(out, `"path":"/q/[redacted]/pdf"`) || !strings.Contains(out, `"path":"/login"`) {
		t.Fatalf("the request log lacks the expected lines:\n%s", out)
	}
	var users []models.User
	app.DB.Find(&users)
	secrets := map[string]string{
		"demo password":      db.DemoPassword,
		"wrong password":     wrongPassword,
		"new password":       newPassword,
		"short password":     "shortpw",
		"quote link token":   token,
		"wrong link token":   strings.Repeat("A", 43),
		"session key":        sessionKey,
		"a CSRF token":       repCSRF,
		"a session cookie":   cookieValue(rep, app),
		"an admin's cookie":  cookieValue(admin, app),
		"a customer cookie":  cookieValue(cust, app),
		"wrong link (2)":     strings.Repeat("B", 43),
		"password (encoded)": url.QueryEscape(newPassword),
	}
	for _, u := range users {
		secrets["password hash of "+u.Email] = u.PasswordHash
	}
	for what, s := range secrets {
		if s == "" {
			t.Errorf("test setup: %s is empty", what)
			continue
		}
		if strings.Contains(out, s) {
			t.Errorf("the log contains the %s", what)
		}
	}
}

func cookieValue(c *client, app *testApp) string {
	u, _ := url.Parse(app.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "salesdesk" {
			return ck.Value
		}
	}
	return ""
}

func TestCustomerQuoteLinkIsRateLimitedAcrossInstances(t *testing.T) {
	path := dbtest.NewDSN(t, true)
	now := time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	configure := func(cfg *handlers.Config) { cfg.QuoteLinkLimit = 4; cfg.Now = clock }
	one := newTestAppWith(t, path, configure)
	two := newTestAppWith(t, path, configure) // a second app instance on the same database
	token := sentToken(t, one)

	c1, c2 := one.client(t), two.client(t)
	// Four requests in the minute, shared between the instances, GET and POST alike.
	wantStatus(t, "1st on one", c1.get("/q/"+token), http.StatusOK)
	wantStatus(t, "2nd on two", c2.get("/q/"+token), http.StatusOK)
	wantStatus(t, "3rd on one (PDF)", c1.get("/q/"+token+"/pdf"), http.StatusOK)
	wantStatus(t, "4th on two, a wrong link", c2.get("/q/"+strings.Repeat("z", 40)), http.StatusNotFound)
	for _, r := range []response{c1.get("/q/" + token), c2.get("/q/" + token), c1.post("/q/"+token, url.Values{"answer": {"approve"}})} {
		wantStatus(t, "over the limit", r, http.StatusTooManyRequests)
		if got := r.Header.Get("Retry-After"); got != "55" {
			t.Errorf("Retry-After %q, want 55 (seconds left of the minute)", got)
		}
		doc := r.doc(t)
		if txt := doc.Find("main").Text(); !strings.Contains(txt, "Please wait 55 seconds") {
			t.Errorf("the 429 page does not say how long to wait: %q", txt)
		}
		checkSecurityHeaders(t, "429 page", r.Header)
	}
	var q models.Quote
	one.DB.Where("token = ?", token).First(&q)
	if q.Status != models.QuoteSent {
		t.Errorf("a refused answer changed the quote: %s", q.Status)
	}
	// Signed-in pages are not limited by it.
	rep := one.client(t).login("rep@example.com")
	wantStatus(t, "the app itself", rep.get("/opportunities"), http.StatusOK)

	// The next minute the customer gets in again.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	wantStatus(t, "next minute", c2.get("/q/"+token), http.StatusOK)
	var windows int64
	one.DB.Table("rate_limits").Count(&windows)
	if windows != 1 {
		t.Errorf("%d rate limit rows after the window moved on, want the old one pruned", windows)
	}
}

// The quote link's requests are reserved from the database a few at a time:
// a client spread over two instances never gets more than the limit, gets
// nearly all of it, and once the window is used up both instances refuse.
func TestCustomerQuoteLinkLimitHoldsWithReservationsOnTwoInstances(t *testing.T) {
	path := dbtest.NewDSN(t, true)
	now := time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC)
	configure := func(cfg *handlers.Config) { cfg.QuoteLinkLimit = 40; cfg.Now = func() time.Time { return now } }
	one := newTestAppWith(t, path, configure)
	two := newTestAppWith(t, path, configure)
	token := sentToken(t, one)
	c1, c2 := one.client(t), two.client(t)
	ok := 0
	for i := 0; i < 60; i++ {
		c := c1
		if i%3 == 0 {
			c = c2
		}
		switch r := c.get("/q/" + token); r.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("request %d: status %d", i, r.Status)
		}
	}
	// What one instance reserved and did not spend is lost to the other: a
	// quarter of what was left at its last reservation at most.
	if ok > 40 || ok < 34 {
		t.Errorf("%d of 60 requests let through with a limit of 40 on two instances, want 34–40", ok)
	}
	wantStatus(t, "one, window used up", c1.get("/q/"+token), http.StatusTooManyRequests)
	wantStatus(t, "two, window used up", c2.get("/q/"+token), http.StatusTooManyRequests)
	var hits int
	one.DB.Table("rate_limits").Select("hits").Where("bucket LIKE ?", "quote-link:%").Scan(&hits)
	if hits < 40 {
		t.Errorf("the window counts %d, want at least the limit (40)", hits)
	}
}
