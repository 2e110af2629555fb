package handlers_test

// The sweep: every route of the router, as every role, with real ids (the
// user's own records and someone else's), unknown ids and malformed ids, and
// hostile values in every form field and query parameter the pages use.
// Nothing may answer 5xx; every response carries the security headers; no
// markup sent in is ever rendered unescaped, then or on any page afterwards;
// and a rep changes no record that is not theirs to change.

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/models"
)

const (
	xssScript = "<script>alert(1)</script>"
	xssAttr   = `"'><img src=x onerror=alert(1)>`
)

// hostileValues go into every field. The first few are sent to every route
// instance; all of them to the routes on the user's own records.
var hostileValues = []string{
	xssScript,
	"",
	xssAttr + " ' OR 1=1 --",
	strings.Repeat("A", 100<<10),
	"nul\x00byte \xff\xfe invalid utf-8",
	"' OR 1=1 --",
	"99999999999999999999999999",
	"-1",
	"-99999999999.99",
	"1e309",
	"0000-00-00",
	"99999-12-31",
	"2026-02-30",
	"../../etc/passwd",
}

// hostileIDs replace path parameters besides real and unknown ids.
var hostileIDs = []string{"-1", "99999999999999999999", "%27%20OR%201=1%20--%00", "1e309%3Cscript%3E"}

// unescaped reports whether a response body shows one of the XSS payloads as markup.
func unescaped(body string) string {
	for _, p := range []string{xssScript, "<img src=x onerror=alert(1)>"} {
		if strings.Contains(body, p) {
			return p
		}
	}
	return ""
}

// source says where the real ids of a path segment come from and who owns them.
type source struct {
	table string
	owner string // SQL for the owner's id of row t; "" when records have no owner
}

var sweepSources = map[string]source{
	"organizations":   {"organizations", "t.owner_id"},
	"contacts":        {"contacts", "(SELECT owner_id FROM organizations o WHERE o.id = t.organization_id)"},
	"opportunities":   {"opportunities", "t.owner_id"},
	"todos":           {"todos", "t.assignee_id"},
	"campaigns":       {"campaigns", "t.owner_id"},
	"leads":           {"leads", "t.owner_id"},
	"import":          {"lead_imports", "t.user_id"},
	"quotes":          {"quotes", "t.owner_id"},
	"sales-orders":    {"sales_orders", "t.owner_id"},
	"purchase-orders": {"purchase_orders", "(SELECT owner_id FROM sales_orders so WHERE so.id = t.sales_order_id)"},
	"products":        {"products", ""},
	"tax-rates":       {"tax_rates", ""},
	"payment-terms":   {"payment_terms", ""},
	"stages":          {"opportunity_stages", ""},
	"users":           {"users", "t.id"},
	"external-quotes": {"external_quotes", "(SELECT owner_id FROM opportunities o WHERE o.id = t.opportunity_id)"},
}

// sweeper runs the sweep for one role on its own app.
type sweeper struct {
	t       *testing.T
	app     *testApp
	c       *client
	email   string // "" for the anonymous visitor
	userID  uint
	forms   map[string]url.Values // form action → the values its page fills in
	fields  map[string]bool       // every form field name seen
	queries map[string]bool       // every query parameter name seen
	pages   []string              // every concrete GET path
	token   string                // a customer quote link
	adminPW string                // the admin's password hash, restored after user edits
	n       int                   // requests sent
	qm      bool                  // the Quote Manager pass: only its routes and the pages that show its quotes
	// csrfToken is the session's token; "" when it must be read again.
	csrfToken string
}

func TestSweepEveryRouteAsEveryRole(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep sends thousands of requests")
	}
	for _, email := range []string{"", "rep@example.com", "manager@example.com", "admin@example.com"} {
		name := email
		if name == "" {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			s := newSweeper(t, email, false)
			s.run()
		})
	}
}

// TestSweepQuoteManager sweeps, with the Quote Manager integration on, its
// routes and the pages that show its quotes instead of the built-in ones:
// external quotes of the user's own opportunities and of others', won and
// declined, with markup in their titles as the external tool may send it.
func TestSweepQuoteManager(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep sends thousands of requests")
	}
	for _, email := range []string{"", "rep@example.com", "manager@example.com", "admin@example.com"} {
		name := email
		if name == "" {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			s := newSweeper(t, email, true)
			s.run()
		})
	}
}

// qmSweepRoute: a route the Quote Manager pass sweeps.
func qmSweepRoute(path string) bool {
	switch path {
	case "/", "/quotes", "/opportunities/:id", "/reports/funnel":
		return true
	}
	return strings.Contains(path, "external-quotes") || strings.Contains(path, "quote-manager")
}

// addExternalQuotes gives every user's first open opportunity a won and a
// declined external quote, both titled with markup.
func addExternalQuotes(t *testing.T, app *testApp) {
	t.Helper()
	setFeatureState(t, app, quoteManagerOn)
	var opps []models.Opportunity
	app.DB.Raw(`SELECT o.* FROM opportunities o WHERE o.status = 'active' AND o.id = (
		SELECT MIN(o2.id) FROM opportunities o2 WHERE o2.owner_id = o.owner_id AND o2.status = 'active') ORDER BY o.id`).Scan(&opps)
	if len(opps) < 2 {
		t.Fatalf("%d owners with an open opportunity, want at least 2", len(opps))
	}
	now := time.Now().UTC()
	for i, st := range []models.ExternalStatus{models.ExtWon, models.ExtDeclined} {
		for _, o := range opps {
			id := fmt.Sprintf("SWEEP-%d-%d", o.ID, i)
			in := models.ExternalQuoteInput{ExternalID: id, Number: id, Title: []string{xssScript, xssAttr}[i], OpportunityID: o.ID,
				Status: st, Currency: "USD", OneTime: 125000, Total: 125000, ExpiresOn: now.AddDate(0, 1, 0).Truncate(24 * time.Hour),
				OwnerEmail: "rep@example.com", DocumentURL: "https://quotes.example.com/" + id, UpdatedAt: now}
			if _, _, _, err := models.UpsertExternalQuote(app.DB, in, now); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func newSweeper(t *testing.T, email string, qm bool) *sweeper {
	app := newTestApp(t)
	s := &sweeper{t: t, app: app, email: email, qm: qm, forms: map[string]url.Values{}, fields: map[string]bool{}, queries: map[string]bool{}}
	if qm {
		addExternalQuotes(t, app)
	}
	s.c = app.client(t)
	if email != "" {
		s.c.login(email)
		s.userID = userByEmail(t, app, email).ID
	}
	s.token = sentToken(t, app)
	var admin models.User
	app.DB.Where("email = ?", "admin@example.com").First(&admin)
	s.adminPW = admin.PasswordHash
	// Lead imports exist only after an upload: one of the user's, one of someone else's.
	for _, u := range []string{"rep2@example.com", email} {
		if u == "" {
			continue
		}
		imp := models.LeadImport{UserID: userByEmail(t, app, u).ID, Filename: "leads.csv", Content: "name,email\nAda,ada@example.com\n"}
		if err := app.DB.Create(&imp).Error; err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// routes are the GET and POST routes of the router, sorted, the ones that end
// the session or switch features off last.
func (s *sweeper) routes() (gets, posts []string) {
	for _, r := range s.app.Echo.Routes() {
		if strings.HasPrefix(r.Path, "/static") || s.qm && !qmSweepRoute(r.Path) {
			continue
		}
		switch r.Method {
		case http.MethodGet:
			gets = append(gets, r.Path)
		case http.MethodPost:
			posts = append(posts, r.Path)
		}
	}
	late := func(p string) bool {
		return p == "/logout" || strings.HasPrefix(p, "/admin/activations") || strings.HasPrefix(p, "/admin/users")
	}
	for _, l := range [][]string{gets, posts} {
		sort.SliceStable(l, func(i, j int) bool {
			if late(l[i]) != late(l[j]) {
				return !late(l[i])
			}
			return l[i] < l[j]
		})
	}
	return gets, posts
}

// instances turns a route path into concrete paths: own record, someone
// else's, an unknown id, malformed ids. kind says which.
func (s *sweeper) instances(path string) map[string]string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if !strings.Contains(path, ":") {
		return map[string]string{"": path}
	}
	out := map[string]string{}
	fill := func(kind string, pick func(seg, param string, prev string) string) {
		parts := make([]string, len(segs))
		prevID := ""
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") {
				parts[i] = seg
				continue
			}
			before := ""
			if i > 0 {
				before = segs[i-1]
			}
			v := pick(before, seg, prevID)
			if v == "" {
				return
			}
			parts[i], prevID = v, v
		}
		out[kind] = "/" + strings.Join(parts, "/")
	}
	tail := segs[len(segs)-1]
	fill("own", func(seg, param, prev string) string { return s.realID(seg, param, prev, tail, true) })
	fill("other", func(seg, param, prev string) string { return s.realID(seg, param, prev, tail, false) })
	fill("unknown", func(seg, param, prev string) string {
		if param == ":token" || param == ":key" || param == ":kind" {
			return strings.Repeat("u", 43)
		}
		return "987654321"
	})
	for i, h := range hostileIDs {
		fill(fmt.Sprintf("hostile %d", i), func(seg, param, prev string) string { return h })
	}
	return out
}

// realID picks a real value for a path parameter: owned by the user (own) or
// not. tail is the route's last segment: an external quote's won or lost form
// gets a quote won or declined, the one that form is for.
func (s *sweeper) realID(seg, param, prev, tail string, own bool) string {
	db := s.app.DB
	var id uint
	switch {
	case param == ":token":
		if own {
			return s.token
		}
		return ""
	case param == ":key":
		if own {
			return models.FeatureMarketing
		}
		return models.FeatureProcurement
	case param == ":kind":
		if own {
			return string(models.PicklistDefs[0].Kind)
		}
		return string(models.PicklistDefs[len(models.PicklistDefs)-1].Kind)
	case param == ":item":
		db.Raw("SELECT id FROM quote_items WHERE quote_id = ? ORDER BY id LIMIT 1", prev).Scan(&id)
	case param == ":id" && seg == ":kind":
		db.Raw("SELECT id FROM picklist_values WHERE kind = ? ORDER BY id LIMIT 1", prev).Scan(&id)
	default:
		src, ok := sweepSources[seg]
		if !ok {
			s.t.Logf("the sweep does not know where ids of /%s/%s come from: only unknown and malformed ids are sent", seg, param)
			return ""
		}
		q := "SELECT t.id FROM " + src.table + " t"
		var args []any
		where := "1 = 1"
		if seg == "external-quotes" {
			where = "t.status = 'declined'"
			if tail == "won" {
				where = "t.status = 'won'"
			}
		}
		if src.owner != "" && s.userID != 0 {
			if own {
				q += " WHERE " + where + " AND " + src.owner + " = ?"
			} else {
				q += " WHERE " + where + " AND " + src.owner + " <> ?"
			}
			args = append(args, s.userID)
		} else if !own {
			q += " WHERE " + where + " AND t.id <> (SELECT MIN(id) FROM " + src.table + ")"
		} else {
			q += " WHERE " + where
		}
		// Quotes with items, open records first: they have the most to break.
		db.Raw(q+" ORDER BY t.id LIMIT 1", args...).Scan(&id)
	}
	if id == 0 {
		return ""
	}
	return idString(id)
}

// send makes one request and checks what every response must satisfy.
func (s *sweeper) send(method, path string, form url.Values) response {
	s.t.Helper()
	s.n++
	var r response
	if method == http.MethodGet {
		r = s.c.get(path)
	} else {
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf_token", s.csrf())
		r = s.c.post(path, form)
	}
	what := method + " " + truncateForLog(path)
	if r.Status >= 500 {
		s.t.Errorf("%s answered %d for form %s\n%s", what, r.Status, truncateForLog(form.Encode()), excerpt(r.Body))
	}
	checkSecurityHeaders(s.t, what, r.Header)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		if p := unescaped(r.Body); p != "" {
			s.t.Errorf("%s shows %q unescaped (form %s)", what, p, truncateForLog(form.Encode()))
		}
	}
	s.afterwards(path)
	return r
}

// afterwards undoes what would end the sweep early: a feature switched off,
// the admin's own account changed, the session ended.
func (s *sweeper) afterwards(path string) {
	db := s.app.DB
	if strings.HasPrefix(path, "/admin/activations") {
		db.Exec("UPDATE features SET active = (key <> ? OR ?)", models.FeatureQuoteManager, s.qm)
	}
	if strings.HasPrefix(path, "/admin/users") {
		db.Exec("UPDATE users SET active = ?, role = ?, password_hash = ? WHERE email = ?", true, models.RoleAdmin, s.adminPW, "admin@example.com")
	}
	if path == "/logout" || path == "/login" || path == "/setup" || strings.HasPrefix(path, "/admin/users") {
		s.csrfToken = ""
		if s.email != "" && !s.signedIn() {
			s.c.login(s.email)
		}
	}
}

func (s *sweeper) signedIn() bool {
	r := s.c.get("/")
	return r.Status == http.StatusOK
}

// csrf is the session's CSRF token, read again after whatever may have renewed it.
func (s *sweeper) csrf() string {
	if s.csrfToken == "" {
		r := s.c.get("/login")
		if s.email != "" {
			r = s.c.get("/")
		}
		s.csrfToken, _ = r.doc(s.t).Find(`input[name="csrf_token"]`).First().Attr("value")
	}
	return s.csrfToken
}

func truncateForLog(s string) string {
	if len(s) > 300 {
		return s[:300] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// collect remembers the forms, field names and query parameters of a page.
func (s *sweeper) collect(r response) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	doc := r.doc(s.t)
	doc.Find("form").Each(func(i int, f *goquery.Selection) {
		action := f.AttrOr("action", "")
		method := strings.ToLower(f.AttrOr("method", "get"))
		vals := url.Values{}
		f.Find("input, select, textarea").Each(func(_ int, in *goquery.Selection) {
			name := in.AttrOr("name", "")
			if name == "" || name == "csrf_token" {
				return
			}
			if method == "get" {
				s.queries[name] = true
				return
			}
			s.fields[name] = true
			switch goquery.NodeName(in) {
			case "input":
				switch in.AttrOr("type", "text") {
				case "checkbox", "radio":
					if _, on := in.Attr("checked"); on {
						vals.Add(name, in.AttrOr("value", "on"))
					}
				case "submit", "button", "file":
				default:
					vals.Add(name, in.AttrOr("value", ""))
				}
			case "select":
				opt := in.Find("option[selected]").First()
				if opt.Length() == 0 {
					opt = in.Find("option").First()
				}
				vals.Add(name, opt.AttrOr("value", opt.Text()))
			case "textarea":
				vals.Add(name, in.Text())
			}
		})
		if method == "post" && action != "" {
			if _, seen := s.forms[action]; !seen {
				s.forms[action] = vals
			}
		}
	})
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		if u, err := url.Parse(a.AttrOr("href", "")); err == nil && u.Host == "" {
			for k := range u.Query() {
				s.queries[k] = true
			}
		}
	})
}

func (s *sweeper) run() {
	gets, posts := s.routes()
	before := s.protectedRows()

	// 1. Every GET route instance, plain: the pages, their forms and parameters.
	for _, route := range gets {
		for _, p := range sortedPaths(s.instances(route)) {
			s.collect(s.send(http.MethodGet, p, nil))
			s.pages = append(s.pages, p)
		}
	}
	queries := sortedKeys(s.queries)
	for _, extra := range []string{"next", "page", "sort", "q", "opportunity_id", "campaign_id", "from", "to"} {
		if !s.queries[extra] {
			queries = append(queries, extra)
		}
	}
	// 2. Every GET route with every query parameter set to each hostile value.
	for _, route := range gets {
		for kind, p := range s.instances(route) {
			if kind != "" && kind != "own" {
				continue
			}
			for i, v := range hostileValues {
				q := url.Values{}
				for j, k := range queries {
					if len(v) > 1000 && (i+j)%len(queries) != 0 {
						continue // one long value per URL: a server refuses megabyte URLs before the app sees them
					}
					q.Set(k, v)
				}
				s.send(http.MethodGet, p+"?"+q.Encode(), nil)
			}
		}
	}
	// 3. Every POST route: the form its page fills in, one field at a time
	// hostile; every field hostile at once; without a form, every field name seen.
	fields := sortedKeys(s.fields)
	for _, route := range posts {
		for kind, p := range s.instances(route) {
			base, hasForm := s.forms[p]
			values := hostileValues
			if kind != "" && kind != "own" {
				values = hostileValues[:1]
			}
			if hasForm {
				s.send(http.MethodPost, p, cloneValues(base)) // as the page sends it
				keys := sortedKeys(valuesSet(base))
				if kind == "" || kind == "own" {
					// Each field gets both markup payloads and, in turn, the others.
					for i, k := range keys {
						for _, v := range []string{xssScript, xssAttr, hostileValues[2+i%(len(hostileValues)-2)]} {
							f := cloneValues(base)
							f.Set(k, v)
							s.send(http.MethodPost, p, f)
						}
					}
				}
			}
			for _, v := range values {
				f := url.Values{}
				names := fields
				if hasForm {
					names = sortedKeys(valuesSet(base))
				}
				for _, k := range names {
					f.Set(k, v)
				}
				s.send(http.MethodPost, p, f)
			}
		}
	}
	// 4. Nothing sent is shown unescaped on any page afterwards, to this user or to an admin.
	viewers := []*client{s.c}
	if s.email != "admin@example.com" {
		viewers = append(viewers, s.app.client(s.t).login("admin@example.com"))
	}
	for _, v := range viewers {
		for _, p := range s.pages {
			r := v.get(p)
			if r.Status >= 500 {
				s.t.Errorf("after the sweep GET %s answered %d\n%s", p, r.Status, excerpt(r.Body))
			}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				if x := unescaped(r.Body); x != "" {
					s.t.Errorf("after the sweep GET %s shows %q unescaped", p, x)
				}
			}
		}
	}
	// The payloads did get stored somewhere (else step 4 proves nothing).
	if !s.qm && (s.email == "admin@example.com" || s.email == "rep@example.com") {
		var stored int64
		s.app.DB.Raw("SELECT (SELECT COUNT(*) FROM organizations WHERE name LIKE ?) + (SELECT COUNT(*) FROM notes WHERE body LIKE ?)",
			"%<script>%", "%<script>%").Scan(&stored)
		if stored == 0 {
			s.t.Errorf("no hostile value was stored: the sweep did not reach the forms")
		}
	}
	// The Quote Manager pass reached the won and lost forms of real external quotes.
	if s.qm && s.email == "rep@example.com" {
		var reached []string
		for action := range s.forms {
			if strings.HasPrefix(action, "/external-quotes/") {
				reached = append(reached, action)
			}
		}
		if len(reached) < 2 {
			s.t.Errorf("the sweep reached %d forms of external quotes (%v), want won and lost", len(reached), reached)
		}
	}
	// 5. A rep changed nothing that is not theirs; a manager nothing of an admin's.
	after := s.protectedRows()
	for what, rows := range before {
		if after[what] != rows {
			s.t.Errorf("%s changed as %s:\nbefore %s\nafter  %s", what, s.email, truncateForLog(rows), truncateForLog(after[what]))
		}
	}
	s.t.Logf("%s: %d requests, %d forms, %d field names, %d query parameters", s.email, s.n, len(s.forms), len(s.fields), len(s.queries))
}

// protectedRows snapshots the rows this user may not change.
func (s *sweeper) protectedRows() map[string]string {
	if s.email == "admin@example.com" {
		return nil
	}
	uid := s.userID
	tables := map[string]string{
		"users":           "SELECT id, email, name, role, active, password_hash FROM users",
		"features":        "SELECT key, active FROM features",
		"stages":          "SELECT * FROM opportunity_stages",
		"picklist values": "SELECT * FROM picklist_values",
		"products":        "SELECT * FROM products",
		"tax rates":       "SELECT * FROM tax_rates",
		"payment terms":   "SELECT * FROM payment_terms",
		"settings":        "SELECT key, value FROM settings WHERE key NOT LIKE 'next_%'",
		"quote manager":   "SELECT * FROM quote_manager_settings",
		"external quotes": "SELECT * FROM external_quotes",
	}
	if s.email != "manager@example.com" {
		others := fmt.Sprintf("%d", uid)
		if uid == 0 {
			others = "0"
		}
		for what, q := range map[string]string{
			"others' opportunities":    "SELECT * FROM opportunities WHERE owner_id <> " + others,
			"notes on others' opps":    "SELECT * FROM notes WHERE opportunity_id IN (SELECT id FROM opportunities WHERE owner_id <> " + others + ")",
			"others' to-dos":           "SELECT * FROM todos WHERE assignee_id <> " + others + " AND created_by_id <> " + others,
			"others' quotes":           "SELECT * FROM quotes WHERE (token IS NULL OR token <> '" + s.token + "') AND owner_id <> " + others + " AND opportunity_id NOT IN (SELECT id FROM opportunities WHERE owner_id = " + others + ")",
			"items of others' quotes":  "SELECT * FROM quote_items WHERE quote_id IN (SELECT id FROM quotes WHERE owner_id <> " + others + " AND opportunity_id NOT IN (SELECT id FROM opportunities WHERE owner_id = " + others + "))",
			"others' leads":            "SELECT * FROM leads WHERE owner_id <> " + others,
			"others' campaigns":        "SELECT * FROM campaigns WHERE owner_id <> " + others,
			"others' sales orders":     "SELECT * FROM sales_orders WHERE owner_id <> " + others,
			"others' purchase orders":  "SELECT * FROM purchase_orders WHERE sales_order_id IN (SELECT id FROM sales_orders WHERE owner_id <> " + others + ")",
			"others' lead imports":     "SELECT * FROM lead_imports WHERE user_id <> " + others,
			"history of others' opps":  "SELECT COUNT(*) FROM opportunity_history WHERE opportunity_id IN (SELECT id FROM opportunities WHERE owner_id <> " + others + ")",
			"organizations (anon)":     "SELECT * FROM organizations WHERE " + fmt.Sprint(uid) + " = 0",
			"contacts (anon)":          "SELECT * FROM contacts WHERE " + fmt.Sprint(uid) + " = 0",
			"opportunities (anon)":     "SELECT * FROM opportunities WHERE " + fmt.Sprint(uid) + " = 0",
			"sales order lines (anon)": "SELECT * FROM sales_order_lines WHERE " + fmt.Sprint(uid) + " = 0",
		} {
			tables[what] = q
		}
	}
	out := map[string]string{}
	for what, q := range tables {
		rows, err := s.app.DB.Raw(q + " ORDER BY 1").Rows()
		if err != nil {
			s.t.Fatalf("%s: %v", what, err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				s.t.Fatal(err)
			}
			for i, v := range vals {
				if cols[i] == "updated_at" || cols[i] == "last_seen_at" {
					continue
				}
				fmt.Fprintf(&b, "%s=%v|", cols[i], v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
		out[what] = b.String()
	}
	return out
}

func sortedPaths(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func valuesSet(v url.Values) map[string]bool {
	m := map[string]bool{}
	for k := range v {
		m[k] = true
	}
	return m
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestSweepQuoteManagerAPI sends the integration API, which the form sweep
// cannot reach (it takes a key, not a session), every method its routes
// answer, with hostile external ids in the path and hostile values in each
// JSON field: with the key, without it and with a wrong one. Nothing answers
// 5xx or anything but JSON; no refused call changes a quote; a title with
// markup that the API accepts is shown escaped on the pages.
func TestSweepQuoteManagerAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep sends thousands of requests")
	}
	app := newTestApp(t)
	addExternalQuotes(t, app)
	key, err := models.NewQuoteManagerKey(app.DB, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	opp := repOpp(t, app, 0)
	type quoteState struct{ Status, Title string }
	states := func() map[string]quoteState {
		var rows []struct{ ExternalID, Status, Title string }
		app.DB.Raw("SELECT external_id, status, title FROM external_quotes").Scan(&rows)
		m := map[string]quoteState{}
		for _, r := range rows {
			m[r.ExternalID] = quoteState{r.Status, r.Title}
		}
		return m
	}
	before := states()
	if len(before) < 4 {
		t.Fatalf("%d external quotes to sweep around, want at least 4", len(before))
	}

	var routes []echoRoute
	for _, r := range app.Echo.Routes() {
		if strings.HasPrefix(r.Path, "/api/") {
			routes = append(routes, echoRoute{r.Method, r.Path})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Method+routes[i].Path < routes[j].Method+routes[j].Path })
	if len(routes) < 2 {
		t.Fatalf("API routes: %v", routes)
	}
	var ids []string
	for _, v := range hostileValues {
		if len(v) < 1000 {
			ids = append(ids, url.PathEscape(v))
		}
	}
	ids = append(ids, hostileIDs...)
	ids = append(ids, "QM-UNKNOWN", url.PathEscape(strings.Repeat("Q", 101)), url.PathEscape("SWEEP-1-0 "), "sweep-1-0")

	// The bodies: a valid one, then each field in turn hostile, then all at once.
	bodies := [][]byte{nil, []byte(`{`), []byte(`[]`), []byte("\xff"), qmBody(opp.ID, nil)}
	fields := []string{"external_id", "number", "title", "opportunity_id", "status", "currency", "totals", "expires_on",
		"owner_email", "document_url", "sales_order_number", "sales_order_status", "updated_at"}
	all := map[string]any{}
	for i, f := range fields {
		for _, v := range hostileValues {
			bodies = append(bodies, qmBody(opp.ID, map[string]any{"external_id": fmt.Sprintf("API-SWEEP-%d", i), f: v}))
		}
		all[f] = hostileValues[i%len(hostileValues)]
		bodies = append(bodies, qmBody(opp.ID, map[string]any{"external_id": fmt.Sprintf("API-SWEEP-%d", i),
			f: map[string]any{"nested": xssScript}}))
	}
	bodies = append(bodies, qmBody(opp.ID, all))

	n := 0
	send := func(method, path, k string, body []byte) apiResponse {
		n++
		r := apiCall(t, http.DefaultClient, app, method, path, k, "application/json", body)
		if r.Status >= 500 {
			t.Errorf("%s %s (key %q) answered %d for %s\n%s", method, truncateForLog(path), k, r.Status, truncateForLog(string(body)), excerpt(r.Body))
		}
		checkSecurityHeaders(t, method+" "+truncateForLog(path), r.Header)
		return r
	}
	// With the key first: the calls without one are limited per client.
	for _, k := range []string{key, "", key + "x"} {
		for _, rt := range routes {
			if !strings.Contains(rt.Path, ":") {
				for _, b := range bodies {
					send(rt.Method, rt.Path, k, b)
				}
				continue
			}
			for _, id := range ids {
				send(rt.Method, strings.Replace(rt.Path, ":external_id", id, 1), k, bodies[len(bodies)-1])
			}
		}
	}
	// No refused call touched the quotes that were there; what was accepted
	// is shown escaped wherever the quotes are listed.
	after := states()
	for id, s := range before {
		if after[id] != s {
			t.Errorf("quote %s changed from %+v to %+v", id, s, after[id])
		}
	}
	admin := app.client(t).login("admin@example.com")
	for _, p := range []string{"/quotes", fmt.Sprintf("/opportunities/%d", opp.ID), "/admin/quote-manager"} {
		r := admin.get(p)
		if r.Status != http.StatusOK {
			t.Errorf("after the API sweep GET %s answered %d", p, r.Status)
		}
		if x := unescaped(r.Body); x != "" {
			t.Errorf("after the API sweep GET %s shows %q unescaped", p, x)
		}
	}
	t.Logf("%d API calls on %d routes; %d quotes accepted", n, len(routes), len(after)-len(before))
}

type echoRoute struct{ Method, Path string }
