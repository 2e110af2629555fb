// Package writers drives a running Salesdesk over HTTP the way many people at
// once do: each client signs in, creates opportunities, edits them (some edits
// deliberately from a stale form), quotes them and adds and edits quote lines.
// It keeps a ledger of every write the server acknowledged, so a test can check
// afterwards, in the database, that nothing acknowledged was lost and nothing
// refused was stored. The durability tests use it against an in-process server
// and against the real binary that gets killed mid-load.
package writers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/db"
)

// Config says who writes, how many at once and for how long.
type Config struct {
	BaseURL  string
	Clients  int
	Duration time.Duration
	// Users are the e-mails the clients sign in as, round robin.
	Users    []string
	Password string
	// Managers are the users in Users who may edit everyone's opportunities;
	// their clients also edit records other clients created.
	Managers map[string]bool
	// Prefix marks this run's records, so they can be told from seeded data.
	Prefix string
	Seed   uint64
	// Started, if set, is called when every client has signed in and the clock starts.
	Started func()
}

// DemoConfig is 50 clients signed in as the four demo users: two who manage
// and also edit records other clients created, two reps who edit only their own.
func DemoConfig(baseURL, prefix string, d time.Duration) Config {
	return Config{
		BaseURL: baseURL, Clients: 50, Duration: d, Password: db.DemoPassword, Prefix: prefix, Seed: 1,
		Users:    []string{"rep@example.com", "rep2@example.com", "manager@example.com", "admin@example.com"},
		Managers: map[string]bool{"manager@example.com": true, "admin@example.com": true},
	}
}

// DurationFromEnv is WRITERS_DURATION (such as 30s) when set, else fallback:
// the normal test suite runs a few seconds, a load run longer.
func DurationFromEnv(fallback time.Duration) (time.Duration, error) {
	s := os.Getenv("WRITERS_DURATION")
	if s == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("WRITERS_DURATION: %w", err)
	}
	return d, nil
}

// OppEdit is an acknowledged edit of an opportunity, made from the form at
// Version: of an opportunity's acknowledged edits, the one with the highest
// Version is the last, and the database must hold its values.
type OppEdit struct {
	Version  int
	Title    string
	NextStep string
}

// Item is an acknowledged quote line and the values of its last acknowledged edit.
type Item struct {
	QuoteID   uint
	Name      string
	UnitPrice string // as typed, e.g. "12.34"
	Edits     int
}

// Ledger is what the server acknowledged (a 2xx or 3xx answer), and the
// markers of edits it refused, which must not be stored.
type Ledger struct {
	mu      sync.Mutex
	Opps    map[uint][]OppEdit // id → acknowledged edits; created ones start empty
	Quotes  map[uint]uint      // quote id → opportunity id
	Items   map[string]*Item   // name → line
	Refused []string           // next-step markers of edits answered 409
	// Unanswered are edits sent without an answer (the server died): the
	// database may hold them instead of the last acknowledged edit, since a
	// write can commit before its answer is written.
	UnansweredOpps  map[uint][]OppEdit
	UnansweredItems map[string][]string // line name → unit prices sent
	Prefix          string
	Acked           int // acknowledged writes
	Creates         int // of which creations of opportunities, quotes and lines
	Conflict        int // 409 answers, stale edits and real races
	Stale           int // deliberately stale edits answered with the conflict page
}

// Result is the outcome of a run.
type Result struct {
	*Ledger
	Requests  int64
	Elapsed   time.Duration
	Failures  []string // 5xx answers and answers a client did not expect
	Transport int      // requests without an answer (the server was killed)

	writeTimes []time.Duration
}

// WriteLatency is the given quantile (0.5, 0.99, 1) of the POST round trips.
func (r *Result) WriteLatency(q float64) time.Duration {
	if len(r.writeTimes) == 0 {
		return 0
	}
	ts := slices.Clone(r.writeTimes)
	slices.Sort(ts)
	return ts[min(len(ts)-1, int(q*float64(len(ts))))]
}

// WritesPerSecond is the acknowledged writes per second of the run.
func (r *Result) WritesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Acked) / r.Elapsed.Seconds()
}

func (r *Result) String() string {
	return fmt.Sprintf("%d requests, %d acknowledged writes (%d creations) in %.1fs = %.0f writes/s (POST p50 %v, p99 %v, max %v); %d conflicts (%d deliberately stale edits refused); %d failures; %d requests unanswered",
		r.Requests, r.Acked, r.Creates, r.Elapsed.Seconds(), r.WritesPerSecond(),
		r.WriteLatency(0.5).Round(time.Millisecond), r.WriteLatency(0.99).Round(time.Millisecond), r.WriteLatency(1).Round(time.Millisecond),
		r.Conflict, r.Stale, len(r.Failures), r.Transport)
}

// Run runs cfg.Clients clients for cfg.Duration or until ctx ends. It returns
// once every client has stopped.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Clients <= 0 || len(cfg.Users) == 0 {
		return nil, errors.New("writers: no clients or no users")
	}
	transport := &http.Transport{MaxIdleConns: cfg.Clients * 2, MaxIdleConnsPerHost: cfg.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	led := &Ledger{Opps: map[uint][]OppEdit{}, Quotes: map[uint]uint{}, Items: map[string]*Item{}, Prefix: cfg.Prefix,
		UnansweredOpps: map[uint][]OppEdit{}, UnansweredItems: map[string][]string{}}
	res := &Result{Ledger: led}
	var failMu sync.Mutex
	fail := func(format string, args ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		if len(res.Failures) < 1000 {
			res.Failures = append(res.Failures, fmt.Sprintf(format, args...))
		}
	}

	// Each user signs in once, before the clock starts; that user's clients are
	// browser tabs sharing the session cookie (bcrypt is slow on purpose, and
	// what is measured here is writing).
	sessions := map[string][]*http.Cookie{}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	clients := make([]*client, cfg.Clients)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		email := cfg.Users[i%len(cfg.Users)]
		clients[i] = &client{
			n: i, cfg: &cfg, led: led, res: res, fail: fail, manager: cfg.Managers[email],
			rnd:  rand.New(rand.NewPCG(cfg.Seed, uint64(i))), // #nosec G404 -- a reproducible load pattern; nothing secret is drawn from it
			http: &http.Client{Jar: jar, Transport: transport, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		}
		if cookies, ok := sessions[email]; ok {
			jar.SetCookies(base, cookies)
			continue
		}
		if err := clients[i].login(ctx, email); err != nil {
			return nil, fmt.Errorf("client %d signs in as %s: %w", i, email, err)
		}
		sessions[email] = jar.Cookies(base)
	}

	// At the deadline no client starts another operation, but requests under way
	// finish: a write cut off by the client would be neither acknowledged nor refused.
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	if cfg.Started != nil {
		cfg.Started()
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(ctx, deadline)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res, nil
}

type client struct {
	n       int
	cfg     *Config
	led     *Ledger
	res     *Result
	fail    func(string, ...any)
	manager bool
	rnd     *rand.Rand
	http    *http.Client
	seq     int
	opps    []uint // created by this client
	quotes  map[uint]uint
	items   []string
}

type answer struct {
	status   int
	location string
	body     string
}

var errGone = errors.New("no answer")

func (c *client) do(ctx context.Context, method, path string, form url.Values) (answer, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, body)
	if err != nil {
		return answer{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	atomic.AddInt64(&c.res.Requests, 1)
	began := time.Now()
	resp, err := c.http.Do(req)
	if method == http.MethodPost {
		defer func() {
			c.led.mu.Lock()
			c.res.writeTimes = append(c.res.writeTimes, time.Since(began))
			c.led.mu.Unlock()
		}()
	}
	if err != nil {
		if ctx.Err() == nil {
			c.led.mu.Lock()
			c.res.Transport++
			c.led.mu.Unlock()
		}
		return answer{}, errGone
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() == nil {
			c.led.mu.Lock()
			c.res.Transport++
			c.led.mu.Unlock()
		}
		return answer{}, errGone
	}
	a := answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
	if a.status >= 500 {
		c.fail("%s %s: %d %.200s", method, path, a.status, a.body)
	}
	return a, nil
}

// form GETs page and returns the values of its form matched by sel, as a browser would send them.
func (c *client) form(ctx context.Context, page, sel string) (url.Values, error) {
	v, _, err := c.formSel(ctx, page, sel)
	return v, err
}

func (c *client) formSel(ctx context.Context, page, sel string) (url.Values, *goquery.Selection, error) {
	a, err := c.do(ctx, http.MethodGet, page, nil)
	if err != nil {
		return nil, nil, err
	}
	if a.status != http.StatusOK {
		if a.status < 500 {
			c.fail("GET %s: %d", page, a.status)
		}
		return nil, nil, errGone
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(a.body))
	if err != nil {
		return nil, nil, err
	}
	form := doc.Find(sel).First()
	if form.Length() == 0 {
		c.fail("GET %s: no form %q", page, sel)
		return nil, nil, errGone
	}
	v := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if _, off := s.Attr("disabled"); name == "" || off {
			return
		}
		switch goquery.NodeName(s) {
		case "input":
			switch s.AttrOr("type", "text") {
			case "checkbox", "radio":
				if _, on := s.Attr("checked"); on {
					v.Add(name, s.AttrOr("value", "on"))
				}
			case "submit", "button", "reset":
			default:
				v.Add(name, s.AttrOr("value", ""))
			}
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v.Add(name, opt.AttrOr("value", opt.Text()))
		case "textarea":
			v.Add(name, s.Text())
		}
	})
	return v, form, nil
}

func (c *client) login(ctx context.Context, email string) error {
	v, err := c.form(ctx, "/login", `form[action="/login"]`)
	if err != nil {
		return err
	}
	v.Set("email", email)
	v.Set("password", c.cfg.Password)
	a, err := c.do(ctx, http.MethodPost, "/login", v)
	if err != nil {
		return err
	}
	if a.status != http.StatusSeeOther {
		return fmt.Errorf("status %d", a.status)
	}
	return nil
}

// ack records an acknowledged write; fn updates the ledger under its lock.
func (c *client) ack(create bool, fn func(l *Ledger)) {
	c.led.mu.Lock()
	defer c.led.mu.Unlock()
	c.led.Acked++
	if create {
		c.led.Creates++
	}
	if fn != nil {
		fn(c.led)
	}
}

func (c *client) marker(kind string) string {
	c.seq++
	return fmt.Sprintf("%s-c%d-%s%d", c.cfg.Prefix, c.n, kind, c.seq)
}

func (c *client) run(ctx context.Context, deadline time.Time) {
	c.quotes = map[uint]uint{}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		var err error
		switch r := c.rnd.IntN(100); {
		case len(c.opps) == 0 || r < 20:
			err = c.createOpp(ctx)
		case r < 45:
			err = c.editOpp(ctx, c.pickOpp())
		case r < 55:
			err = c.staleEdit(ctx, c.opps[c.rnd.IntN(len(c.opps))])
		case r < 65:
			err = c.createQuote(ctx)
		case r < 85 || len(c.items) == 0:
			err = c.addItem(ctx)
		default:
			err = c.editItem(ctx)
		}
		if err != nil && !errors.Is(err, errGone) {
			c.fail("client %d: %v", c.n, err)
		}
	}
}

// pickOpp is one of the client's own opportunities, or for a manager now and
// then one that another client created, so edits race.
func (c *client) pickOpp() uint {
	if c.manager && c.rnd.IntN(2) == 0 {
		c.led.mu.Lock()
		defer c.led.mu.Unlock()
		for id := range c.led.Opps { // map order is random enough
			return id
		}
	}
	return c.opps[c.rnd.IntN(len(c.opps))]
}

func (c *client) createOpp(ctx context.Context) error {
	v, form, err := c.formSel(ctx, "/opportunities/new", `main form[method="post"]`)
	if err != nil {
		return err
	}
	var orgs []string
	form.Find(`select[name="organization_id"] option`).Each(func(_ int, s *goquery.Selection) {
		if val := s.AttrOr("value", ""); val != "" {
			orgs = append(orgs, val)
		}
	})
	if len(orgs) == 0 {
		return errors.New("the new opportunity form offers no organization")
	}
	v.Set("title", c.marker("o"))
	v.Set("organization_id", orgs[c.rnd.IntN(len(orgs))])
	v.Set("contact_id", "")
	v.Set("projected_close_date", time.Now().AddDate(0, 2, 0).Format("2006-01-02"))
	v.Set("revenue_one_time", strconv.Itoa(1000+c.rnd.IntN(9000))+".50")
	if c.rnd.IntN(2) == 0 {
		v.Set("use_quote_totals", "on")
	}
	a, err := c.do(ctx, http.MethodPost, "/opportunities", v)
	if err != nil {
		return err
	}
	id, ok := idAfter(a, "/opportunities/")
	if !ok {
		return c.unexpected("POST /opportunities", a)
	}
	c.opps = append(c.opps, id)
	c.ack(true, func(l *Ledger) { l.Opps[id] = nil })
	return nil
}

func (c *client) editOpp(ctx context.Context, id uint) error {
	path := "/opportunities/" + strconv.FormatUint(uint64(id), 10)
	v, err := c.form(ctx, path+"/edit", `main form[method="post"]`)
	if err != nil {
		return err
	}
	return c.postEdit(ctx, id, v, false)
}

// postEdit sends an edit form with new title and next step. stale says the
// form's version is known to be old: the server must refuse it.
func (c *client) postEdit(ctx context.Context, id uint, v url.Values, stale bool) error {
	path := "/opportunities/" + strconv.FormatUint(uint64(id), 10)
	version, err := strconv.Atoi(v.Get("version"))
	if err != nil {
		return fmt.Errorf("edit form of %s has version %q", path, v.Get("version"))
	}
	e := OppEdit{Version: version, NextStep: c.marker("e")}
	e.Title = "Title " + e.NextStep
	v.Set("title", e.Title)
	v.Set("next_step", e.NextStep)
	a, err := c.do(ctx, http.MethodPost, path, v)
	if err != nil {
		c.led.mu.Lock()
		c.led.UnansweredOpps[id] = append(c.led.UnansweredOpps[id], e)
		c.led.mu.Unlock()
		return err
	}
	switch {
	case a.status == http.StatusConflict:
		c.led.mu.Lock()
		c.led.Conflict++
		c.led.Refused = append(c.led.Refused, e.NextStep)
		if stale {
			c.led.Stale++
		}
		c.led.mu.Unlock()
		if !strings.Contains(a.body, `class="conflict"`) {
			c.fail("POST %s: 409 without the conflict box", path)
		}
		return nil
	case stale:
		return c.unexpected("stale POST "+path+" (want 409)", a)
	case a.status == http.StatusSeeOther && a.location == path:
		c.ack(false, func(l *Ledger) { l.Opps[id] = append(l.Opps[id], e) })
		return nil
	}
	return c.unexpected("POST "+path, a)
}

// staleEdit loads the edit form, lets a fresh edit through, then sends the old form.
func (c *client) staleEdit(ctx context.Context, id uint) error {
	path := "/opportunities/" + strconv.FormatUint(uint64(id), 10) + "/edit"
	old, err := c.form(ctx, path, `main form[method="post"]`)
	if err != nil {
		return err
	}
	if err := c.editOpp(ctx, id); err != nil {
		return err
	}
	return c.postEdit(ctx, id, old, true)
}

func (c *client) createQuote(ctx context.Context) error {
	opp := c.opps[c.rnd.IntN(len(c.opps))]
	v, err := c.form(ctx, "/opportunities/"+strconv.FormatUint(uint64(opp), 10)+"/quotes/new", `form[action$="/quotes"]`)
	if err != nil {
		return err
	}
	v.Set("name", c.marker("q"))
	a, err := c.do(ctx, http.MethodPost, "/opportunities/"+strconv.FormatUint(uint64(opp), 10)+"/quotes", v)
	if err != nil {
		return err
	}
	id, ok := idAfter(a, "/quotes/")
	if !ok {
		return c.unexpected("POST quote", a)
	}
	c.quotes[id] = opp
	c.ack(true, func(l *Ledger) { l.Quotes[id] = opp })
	return nil
}

func (c *client) addItem(ctx context.Context) error {
	if len(c.quotes) == 0 {
		return c.createQuote(ctx)
	}
	var quote uint
	k := c.rnd.IntN(len(c.quotes))
	for id := range c.quotes {
		if k == 0 {
			quote = id
			break
		}
		k--
	}
	qpath := "/quotes/" + strconv.FormatUint(uint64(quote), 10)
	v, err := c.form(ctx, qpath, `form[action="`+qpath+`/items"]`)
	if err != nil {
		return err
	}
	it := &Item{QuoteID: quote, Name: c.marker("i"), UnitPrice: price(c.rnd)}
	v.Set("kind", "service")
	v.Set("product_id", "")
	v.Set("name", it.Name)
	v.Set("quantity", strconv.Itoa(1+c.rnd.IntN(5)))
	v.Set("unit_price", it.UnitPrice)
	v.Set("period", []string{"one_time", "monthly", "yearly"}[c.rnd.IntN(3)])
	a, err := c.do(ctx, http.MethodPost, qpath+"/items", v)
	if err != nil {
		return err
	}
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, qpath) {
		return c.unexpected("POST "+qpath+"/items", a)
	}
	c.items = append(c.items, it.Name)
	c.ack(true, func(l *Ledger) { l.Items[it.Name] = it })
	return nil
}

func (c *client) editItem(ctx context.Context) error {
	name := c.items[c.rnd.IntN(len(c.items))]
	c.led.mu.Lock()
	it := *c.led.Items[name]
	c.led.mu.Unlock()
	qpath := "/quotes/" + strconv.FormatUint(uint64(it.QuoteID), 10)
	a, err := c.do(ctx, http.MethodGet, qpath, nil)
	if err != nil {
		return err
	}
	if a.status != http.StatusOK {
		return c.unexpected("GET "+qpath, a)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(a.body))
	if err != nil {
		return err
	}
	var edit string
	doc.Find(`a[href$="/edit"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if strings.TrimSpace(s.Find(".visually-hidden").Text()) == name {
			edit = s.AttrOr("href", "")
			return false
		}
		return true
	})
	if edit == "" {
		return fmt.Errorf("GET %s: no edit link of the acknowledged line %s", qpath, name)
	}
	action := strings.TrimSuffix(edit, "/edit")
	v, err := c.form(ctx, edit, `form[action="`+action+`"]`)
	if err != nil {
		return err
	}
	unit := price(c.rnd)
	v.Set("unit_price", unit)
	a, err = c.do(ctx, http.MethodPost, action, v)
	if err != nil {
		c.led.mu.Lock()
		c.led.UnansweredItems[name] = append(c.led.UnansweredItems[name], unit)
		c.led.mu.Unlock()
		return err
	}
	if a.status != http.StatusSeeOther {
		return c.unexpected("POST "+action, a)
	}
	c.ack(false, func(l *Ledger) {
		l.Items[name].UnitPrice = unit
		l.Items[name].Edits++
	})
	return nil
}

func (c *client) unexpected(what string, a answer) error {
	if a.status >= 500 {
		return errGone // already counted as a failure
	}
	return fmt.Errorf("%s: unexpected %d %s", what, a.status, a.location)
}

func price(r *rand.Rand) string {
	return fmt.Sprintf("%d.%02d", 1+r.IntN(5000), r.IntN(100))
}

// idAfter reads the record id from a 303 redirect to prefix+id.
func idAfter(a answer, prefix string) (uint, bool) {
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, prefix) {
		return 0, false
	}
	rest := strings.TrimPrefix(a.location, prefix)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseUint(rest, 10, 32)
	return uint(id), err == nil && id > 0
}
