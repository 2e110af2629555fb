package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/handlers"
)

// testApp is the whole app on a real database with the demo data (a temp
// SQLite file, or a fresh PostgreSQL database when DATABASE_URL points at
// one), behind a real HTTP server.
type testApp struct {
	URL  string
	DB   *gorm.DB
	Echo *echo.Echo
	srv  *httptest.Server
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	return newTestAppOn(t, dbtest.NewDSN(t, true))
}

// newTestAppOn serves the database at dsn, migrating it and seeding the demo
// data if it is empty.
func newTestAppOn(t testing.TB, dsn string) *testApp {
	t.Helper()
	return newTestAppWith(t, dsn, nil)
}

// newTestAppWith is newTestAppOn with a say in the configuration (a log to
// read, secure cookies, a lower rate limit).
func newTestAppWith(t testing.TB, dsn string, configure func(*handlers.Config)) *testApp {
	t.Helper()
	gdb, err := db.Open(dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(gdb); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	// Tests make many requests to the customer quote links from one IP; the
	// rate limit has its own test (security_test.go).
	cfg := handlers.Config{DB: gdb, Log: slog.New(slog.DiscardHandler), SessionKey: []byte(strings.Repeat("k", 32)), QuoteLinkLimit: 1 << 30}
	if configure != nil {
		configure(&cfg)
	}
	e, err := handlers.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		srv.Close()
		if s, err := gdb.DB(); err == nil {
			s.Close()
		}
	})
	return &testApp{URL: srv.URL, DB: gdb, Echo: e, srv: srv}
}

// client is one browser: a cookie jar, no automatic redirects.
type client struct {
	t    testing.TB
	app  *testApp
	http *http.Client
}

func (a *testApp) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, app: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished request with its body read.
type response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (r response) doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b), Header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	return c.do(req)
}

// post sends a form as it is, without adding a CSRF token.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// token GETs a page and returns the CSRF token of its first form.
func (c *client) token(path string) string {
	c.t.Helper()
	r := c.get(path)
	tok, ok := r.doc(c.t).Find(`input[name="csrf_token"]`).First().Attr("value")
	if !ok || tok == "" {
		c.t.Fatalf("GET %s (%d): no CSRF token on the page", path, r.Status)
	}
	return tok
}

// submit GETs the form page, reads its CSRF token and POSTs form to action,
// as a browser does.
func (c *client) submit(formPage, action string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.token(formPage))
	return c.post(action, form)
}

// login signs in as email with the demo password and fails the test otherwise.
func (c *client) login(email string) *client {
	c.t.Helper()
	r := c.submit("/login", "/login", url.Values{"email": {email}, "password": {db.DemoPassword}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d", email, r.Status)
	}
	return c
}
