package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"salesdesk/db"
	"salesdesk/models"
)

// Full-router tests: every request goes through the real Echo app over HTTP,
// with a cookie jar, CSRF tokens read from the pages, and the database checked
// afterwards through app.DB.

const badLoginMessage = "That email and password do not match an active account."

// ---------------------------------------------------------------------------
// Small helpers shared by router_test.go and authz_test.go.

// formValues reads the form matched by sel the way a browser submits it:
// inputs (checked boxes only), the selected option of each select, text areas.
func formValues(t testing.TB, doc *goquery.Document, sel string) (url.Values, string) {
	t.Helper()
	form := doc.Find(sel).First()
	if form.Length() == 0 {
		t.Fatalf("no form matches %q", sel)
	}
	v := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if name == "" {
			return
		}
		if _, off := s.Attr("disabled"); off {
			return
		}
		switch goquery.NodeName(s) {
		case "input":
			switch typ := s.AttrOr("type", "text"); typ {
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
			if opt.Length() > 0 {
				v.Add(name, opt.AttrOr("value", opt.Text()))
			}
		case "textarea":
			v.Add(name, s.Text())
		}
	})
	action, ok := form.Attr("action")
	if !ok {
		t.Fatalf("form %q has no action", sel)
	}
	return v, action
}

// fill GETs page, reads the form sel as a browser would, applies changes (an
// empty value list removes the field, like an unchecked box) and POSTs it.
func (c *client) fill(page, sel string, changes url.Values) response {
	c.t.Helper()
	r := c.get(page)
	if r.Status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d, want 200", page, r.Status)
	}
	vals, action := formValues(c.t, r.doc(c.t), sel)
	for k, vs := range changes {
		if len(vs) == 0 {
			vals.Del(k)
		} else {
			vals[k] = vs
		}
	}
	return c.post(action, vals)
}

// postWithToken POSTs form with this session's CSRF token, read from tokenPage.
func (c *client) postWithToken(tokenPage, path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.token(tokenPage))
	return c.post(path, form)
}

// whoami is the name shown in the navigation of the home page, or "" when the
// client is not signed in.
func (c *client) whoami() string {
	c.t.Helper()
	r := c.get("/")
	if r.Status != http.StatusOK {
		return ""
	}
	return strings.TrimSpace(r.doc(c.t).Find(".whoami strong").Text())
}

// wantSignedOut fails unless GET / sends the client to the sign-in page.
func wantSignedOut(t testing.TB, c *client) {
	t.Helper()
	r := c.get("/")
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Errorf("GET / after the session should have ended: status %d, Location %q; want 303 to /login", r.Status, r.Location)
	}
}

func wantStatus(t testing.TB, what string, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, want, excerpt(r.Body))
	}
}

// excerpt is the readable part of an error page, for failure messages.
func excerpt(body string) string {
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		return ""
	}
	s := strings.Join(strings.Fields(d.Find("main").Text()), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

func flashOf(t testing.TB, r response) string {
	t.Helper()
	return strings.TrimSpace(r.doc(t).Find("#flash").Text())
}

// wantFieldError checks the form shows msg (a part of it) next to field, marks
// the field invalid and ties the message to it.
func wantFieldError(t testing.TB, doc *goquery.Document, field, msg string) {
	t.Helper()
	e := doc.Find("p.error#" + field + "-error")
	if e.Length() != 1 {
		t.Errorf("want one p.error#%s-error, found %d (errors on the page: %q)", field, e.Length(), allErrors(doc))
		return
	}
	if txt := strings.TrimSpace(e.Text()); txt == "" || !strings.Contains(txt, msg) {
		t.Errorf("%s error = %q, want it to contain %q", field, txt, msg)
	}
	in := doc.Find("#" + field)
	if got := in.AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("#%s aria-invalid = %q, want true", field, got)
	}
	if d := in.AttrOr("aria-describedby", ""); !strings.Contains(d, field+"-error") {
		t.Errorf("#%s aria-describedby = %q, want it to name %s-error", field, d, field)
	}
}

// wantErrorSummary checks a form that came back with errors is headed by a summary.
func wantErrorSummary(t testing.TB, doc *goquery.Document) {
	t.Helper()
	if doc.Find(".error-summary").Length() == 0 {
		t.Errorf("no error summary above the form")
	}
}

func allErrors(doc *goquery.Document) []string {
	var out []string
	doc.Find("p.error").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("id", "")+": "+strings.TrimSpace(s.Text()))
	})
	return out
}

// fieldValue is what a form field shows: an input's value, a select's
// selected option, a text area's text.
func fieldValue(doc *goquery.Document, field string) string {
	s := doc.Find("#" + field)
	switch goquery.NodeName(s) {
	case "select":
		return s.Find("option[selected]").AttrOr("value", "")
	case "textarea":
		return s.Text()
	}
	return s.AttrOr("value", "")
}

func userByEmail(t testing.TB, app *testApp, email string) models.User {
	t.Helper()
	var u models.User
	if err := app.DB.Where("email = ?", email).First(&u).Error; err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

func loadOpp(t testing.TB, app *testApp, id uint) models.Opportunity {
	t.Helper()
	var o models.Opportunity
	if err := app.DB.First(&o, id).Error; err != nil {
		t.Fatalf("opportunity %d: %v", id, err)
	}
	return o
}

// oppOwnedBy is the first opportunity of the demo data owned by email.
func oppOwnedBy(t testing.TB, app *testApp, email string) models.Opportunity {
	t.Helper()
	u := userByEmail(t, app, email)
	var o models.Opportunity
	if err := app.DB.Where("owner_id = ?", u.ID).Order("id").First(&o).Error; err != nil {
		t.Fatalf("an opportunity of %s: %v", email, err)
	}
	return o
}

func countRows(t testing.TB, app *testApp, model any) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func idString(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func sameID(a, b *uint) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// ---------------------------------------------------------------------------
// Sign-in and sign-out

func TestSignInSucceeds(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)
	r := c.submit("/login", "/login", url.Values{"email": {"  Rep@Example.com "}, "password": {db.DemoPassword}})
	wantStatus(t, "POST /login", r, http.StatusSeeOther)
	if r.Location != "/" {
		t.Errorf("Location = %q, want /", r.Location)
	}
	home := c.get("/")
	wantStatus(t, "GET / after sign-in", home, http.StatusOK)
	if got := strings.TrimSpace(home.doc(t).Find(".whoami strong").Text()); got != "Riley Rep" {
		t.Errorf("signed in as %q, want Riley Rep", got)
	}
	if f := flashOf(t, home); !strings.Contains(f, "Welcome, Riley Rep") {
		t.Errorf("flash = %q, want a welcome", f)
	}
	if f := flashOf(t, c.get("/")); f != "" {
		t.Errorf("the flash should be shown once, got it again: %q", f)
	}
}

func TestSignInReturnsToNextOnlyOnThisSite(t *testing.T) {
	app := newTestApp(t)
	anon := app.client(t)
	r := anon.get("/organizations?q=north")
	if r.Status != http.StatusSeeOther || r.Location != "/login?next="+url.QueryEscape("/organizations?q=north") {
		t.Fatalf("GET /organizations signed out: %d %q", r.Status, r.Location)
	}
	r = anon.fill(r.Location, `main form[action="/login"]`, url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}})
	if r.Status != http.StatusSeeOther || r.Location != "/organizations?q=north" {
		t.Errorf("sign-in with next: %d %q, want 303 to /organizations?q=north", r.Status, r.Location)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`} {
		c := app.client(t)
		r := c.submit("/login", "/login", url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}, "next": {next}})
		if r.Status != http.StatusSeeOther || r.Location != "/" {
			t.Errorf("next=%q: %d %q, want 303 to /", next, r.Status, r.Location)
		}
	}
}

func TestSignInWrongPasswordOrUnknownEmail(t *testing.T) {
	app := newTestApp(t)
	var messages []string
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", "rep@example.com", "not-the-password"},
		{"unknown email", "nobody@example.com", db.DemoPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := app.client(t)
			r := c.submit("/login", "/login", url.Values{"email": {tc.email}, "password": {tc.password}})
			wantStatus(t, "POST /login", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			alerts := doc.Find("main [role=alert]")
			if alerts.Length() != 1 {
				t.Errorf("want exactly one message, found %d", alerts.Length())
			}
			msg := strings.TrimSpace(doc.Find("#login-error").Text())
			if msg != badLoginMessage {
				t.Errorf("message = %q, want %q", msg, badLoginMessage)
			}
			messages = append(messages, msg)
			if got := doc.Find("input#email").AttrOr("value", ""); got != tc.email {
				t.Errorf("email field = %q, want the typed %q kept", got, tc.email)
			}
			if got := doc.Find("input#password").AttrOr("value", ""); got != "" {
				t.Errorf("the password must not be echoed back, got %q", got)
			}
			if strings.Contains(r.Body, tc.password) && tc.password != db.DemoPassword {
				t.Errorf("the typed password appears in the page")
			}
			wantSignedOut(t, c)
		})
	}
	if len(messages) == 2 && messages[0] != messages[1] {
		t.Errorf("wrong password and unknown email must read the same: %q vs %q", messages[0], messages[1])
	}
}

func TestSignInLocksAfterFiveFailures(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)
	// Differently written, the same account: the count is per normalized email.
	emails := []string{"rep@example.com", "REP@example.com", " rep@example.com", "Rep@Example.com", "rep@example.com"}
	for i, e := range emails {
		r := c.submit("/login", "/login", url.Values{"email": {e}, "password": {"wrong-" + strconv.Itoa(i)}})
		wantStatus(t, "failure "+strconv.Itoa(i+1), r, http.StatusUnprocessableEntity)
	}
	var n int64
	app.DB.Model(&models.LoginFailure{}).Where("email = ?", "rep@example.com").Count(&n)
	if n != 5 {
		t.Errorf("login_failures for rep@example.com = %d, want 5", n)
	}

	r := c.submit("/login", "/login", url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "the right password while locked", r, http.StatusTooManyRequests)
	if msg := r.doc(t).Find("#login-error").Text(); !strings.Contains(msg, "Too many failed sign-ins") {
		t.Errorf("lock message = %q", msg)
	}
	wantSignedOut(t, c)

	// The lock is per account: another account signs in from the same browser.
	other := app.client(t)
	r = other.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "another account", r, http.StatusSeeOther)

	// Once the failures are older than the window, the account opens again.
	if err := app.DB.Model(&models.LoginFailure{}).Where("email = ?", "rep@example.com").
		Update("created_at", time.Now().Add(-models.LoginWindow-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	r = c.submit("/login", "/login", url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "after the window", r, http.StatusSeeOther)
	if got := c.whoami(); got != "Riley Rep" {
		t.Errorf("signed in as %q after the lock expired", got)
	}
	app.DB.Model(&models.LoginFailure{}).Where("email = ?", "rep@example.com").Count(&n)
	if n != 0 {
		t.Errorf("a successful sign-in should clear the failures, %d left", n)
	}
}

func TestSignInOldFailuresDoNotLock(t *testing.T) {
	app := newTestApp(t)
	old := time.Now().Add(-models.LoginWindow - time.Minute)
	for i := 0; i < 10; i++ {
		if err := models.RecordLoginFailure(app.DB, "manager@example.com", "192.0.2.1", old); err != nil {
			t.Fatal(err)
		}
	}
	c := app.client(t)
	// Four recent failures plus ten old ones stay under the limit.
	for i := 0; i < 4; i++ {
		r := c.submit("/login", "/login", url.Values{"email": {"manager@example.com"}, "password": {"nope"}})
		wantStatus(t, "recent failure", r, http.StatusUnprocessableEntity)
	}
	r := c.submit("/login", "/login", url.Values{"email": {"manager@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "sign-in with 4 recent failures", r, http.StatusSeeOther)
}

func TestSignInDeactivatedUserRefused(t *testing.T) {
	app := newTestApp(t)
	if err := app.DB.Model(&models.User{}).Where("email = ?", "rep2@example.com").Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	c := app.client(t)
	r := c.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "deactivated user", r, http.StatusUnprocessableEntity)
	if msg := strings.TrimSpace(r.doc(t).Find("#login-error").Text()); msg != badLoginMessage {
		t.Errorf("message = %q, want the generic %q", msg, badLoginMessage)
	}
	wantSignedOut(t, c)
	// The sign-in page lists only demo users who can sign in.
	if strings.Contains(c.get("/login").Body, "rep2@example.com") {
		t.Errorf("the sign-in page still offers the deactivated demo user")
	}
}

func TestSignOut(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")

	// A GET cannot sign anyone out (a link or an image could trigger it).
	if r := c.get("/logout"); r.Status < 400 {
		t.Errorf("GET /logout: status %d, want a 4xx", r.Status)
	}
	if got := c.whoami(); got != "Riley Rep" {
		t.Fatalf("after GET /logout the session should still work, signed in as %q", got)
	}

	r := c.fill("/", `form[action="/logout"]`, nil)
	wantStatus(t, "POST /logout", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Errorf("Location = %q, want /login", r.Location)
	}
	login := c.get("/login")
	wantStatus(t, "GET /login after sign-out", login, http.StatusOK)
	if f := flashOf(t, login); !strings.Contains(f, "signed out") {
		t.Errorf("flash = %q, want a sign-out message", f)
	}
	wantSignedOut(t, c)
	if r := c.get("/opportunities"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("GET /opportunities after sign-out: %d %q", r.Status, r.Location)
	}
}

// A cookie copied before sign-out (shared computer, stolen cookie) must not
// bring the session back.
func TestSignOutEndsTheSessionServerSide(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	u, _ := url.Parse(app.URL)
	before := c.http.Jar.Cookies(u)

	r := c.fill("/", `form[action="/logout"]`, nil)
	wantStatus(t, "POST /logout", r, http.StatusSeeOther)

	replay := app.client(t)
	replay.http.Jar.SetCookies(u, before)
	if got := replay.whoami(); got != "" {
		t.Errorf("a session cookie copied before sign-out still works: signed in as %s", got)
	}
}

// ---------------------------------------------------------------------------
// CSRF

func TestCSRFRefusesPostsWithoutTheSessionToken(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	stranger := app.client(t).login("rep2@example.com")
	strangerToken := stranger.token("/")
	opp := oppOwnedBy(t, app, "rep@example.com")
	orgsBefore := countRows(t, app, &models.Organization{})

	newOrg := func(token string) url.Values {
		v := url.Values{"name": {"CSRF Test Org"}, "type": {"prospect"}}
		if token != "\x00" {
			v.Set("csrf_token", token)
		}
		return v
	}
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"no token", "\x00"},
		{"empty token", ""},
		{"wrong token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"another session's token", strangerToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rep.post("/organizations", newOrg(tc.token))
			wantStatus(t, "POST /organizations", r, http.StatusForbidden)
			if !strings.Contains(r.Body, "did not come from Salesdesk") {
				t.Errorf("403 page does not explain the expired form: %s", excerpt(r.Body))
			}
			if n := countRows(t, app, &models.Organization{}); n != orgsBefore {
				t.Errorf("organizations: %d, want %d (nothing created)", n, orgsBefore)
			}

			form := url.Values{"title": {"Hijacked"}, "organization_id": {idString(opp.OrganizationID)},
				"stage_id": {idString(opp.StageID)}, "status": {"active"}, "version": {strconv.Itoa(opp.Version)},
				"projected_close_date": {"2030-01-01"}}
			if tc.token != "\x00" {
				form.Set("csrf_token", tc.token)
			}
			r = rep.post("/opportunities/"+idString(opp.ID), form)
			wantStatus(t, "POST /opportunities/:id", r, http.StatusForbidden)
			if got := loadOpp(t, app, opp.ID); got.Title != opp.Title || got.Version != opp.Version {
				t.Errorf("opportunity changed: %q v%d", got.Title, got.Version)
			}
		})
	}

	t.Run("admin deactivating a user", func(t *testing.T) {
		admin := app.client(t).login("admin@example.com")
		target := userByEmail(t, app, "rep@example.com")
		r := admin.post("/admin/users/"+idString(target.ID), url.Values{"name": {target.Name}, "role": {"rep"}})
		wantStatus(t, "POST /admin/users/:id", r, http.StatusForbidden)
		if u := userByEmail(t, app, "rep@example.com"); !u.Active || u.SessionVersion != target.SessionVersion {
			t.Errorf("user changed without a token: active=%v version=%d", u.Active, u.SessionVersion)
		}
		r = admin.post("/admin/activations/sales", url.Values{"active": {"off"}, "csrf_token": {strangerToken}})
		wantStatus(t, "POST /admin/activations/sales", r, http.StatusForbidden)
		if f, _ := models.LoadFeatures(app.DB); !f.On(models.FeatureSales) {
			t.Errorf("Sales was deactivated by a forged request")
		}
	})

	t.Run("sign-in without a token", func(t *testing.T) {
		c := app.client(t)
		c.get("/login")
		r := c.post("/login", url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}})
		wantStatus(t, "POST /login", r, http.StatusForbidden)
		wantSignedOut(t, c)
	})

	t.Run("control: the right token is accepted", func(t *testing.T) {
		r := rep.post("/organizations", newOrg(rep.token("/organizations/new")))
		wantStatus(t, "POST /organizations", r, http.StatusSeeOther)
		if n := countRows(t, app, &models.Organization{}); n != orgsBefore+1 {
			t.Errorf("organizations: %d, want %d", n, orgsBefore+1)
		}
	})

	t.Run("control: the X-CSRF-Token header is accepted", func(t *testing.T) {
		tok := rep.token("/")
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/organizations", strings.NewReader(newOrg("\x00").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", tok)
		r := rep.do(req)
		wantStatus(t, "POST /organizations with header", r, http.StatusSeeOther)
	})
}

// Signing in replaces the CSRF token, so a token planted before sign-in is useless.
func TestCSRFTokenChangesAtSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)
	before := c.token("/login")
	c.login("rep@example.com")
	after := c.token("/")
	if before == after {
		t.Fatalf("the CSRF token survived sign-in")
	}
	r := c.post("/organizations", url.Values{"name": {"Planted"}, "type": {"lead"}, "csrf_token": {before}})
	wantStatus(t, "POST with the pre-sign-in token", r, http.StatusForbidden)
	var n int64
	app.DB.Model(&models.Organization{}).Where("name = ?", "Planted").Count(&n)
	if n != 0 {
		t.Errorf("organization created with a stale token")
	}
}

// ---------------------------------------------------------------------------
// Activations

func TestActivationsDeactivateAndReactivateSales(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	rep := app.client(t).login("rep@example.com")
	adminUser := userByEmail(t, app, "admin@example.com")
	var lastChange uint
	app.DB.Model(&models.FeatureChange{}).Select("COALESCE(MAX(id), 0)").Scan(&lastChange)

	list := rep.get("/opportunities")
	wantStatus(t, "GET /opportunities before", list, http.StatusOK)
	summaryBefore := strings.TrimSpace(list.doc(t).Find(".summary").Text())
	oppsBefore := countRows(t, app, &models.Opportunity{})
	if summaryBefore == "" || oppsBefore == 0 {
		t.Fatalf("demo data has no opportunities to hide")
	}
	if rep.get("/").doc(t).Find(`#nav a[href="/opportunities"]`).Length() != 1 {
		t.Fatalf("the Opportunities link should be in the navigation while Sales is on")
	}

	// The confirmation page names the features that go off with Sales.
	confirm := admin.get("/admin/activations/sales/deactivate")
	wantStatus(t, "GET confirm", confirm, http.StatusOK)
	also := confirm.doc(t).Find("main li").Text()
	for _, name := range []string{"Marketing campaigns & leads", "Procurement (Inventory)"} {
		if !strings.Contains(also, name) {
			t.Errorf("the confirmation does not warn that %s goes off too", name)
		}
	}

	r := admin.fill("/admin/activations/sales/deactivate", `main form[action="/admin/activations/sales"]`, nil)
	wantStatus(t, "deactivate Sales", r, http.StatusSeeOther)
	if r.Location != "/admin/activations" {
		t.Errorf("Location = %q", r.Location)
	}
	page := admin.get(r.Location)
	if f := flashOf(t, page); !strings.Contains(f, "Deactivated Sales") {
		t.Errorf("flash = %q", f)
	}
	if b := strings.TrimSpace(page.doc(t).Find("#feature-sales .badge").Text()); b != "Inactive" {
		t.Errorf("Sales badge = %q, want Inactive", b)
	}

	feats, err := models.LoadFeatures(app.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{models.FeatureSales, models.FeatureMarketing, models.FeatureProcurement} {
		if feats.On(k) {
			t.Errorf("%s is still active after deactivating Sales", k)
		}
	}

	for _, who := range []*client{rep, admin} {
		for _, p := range []string{"/opportunities", "/opportunities/new", "/opportunities/board", "/opportunities/export.csv",
			"/opportunities/" + idString(oppOwnedBy(t, app, "rep@example.com").ID)} {
			if r := who.get(p); r.Status != http.StatusNotFound {
				t.Errorf("GET %s with Sales off: %d, want 404", p, r.Status)
			}
		}
	}
	home := rep.get("/")
	wantStatus(t, "GET / with Sales off", home, http.StatusOK)
	doc := home.doc(t)
	if doc.Find(`a[href^="/opportunities"]`).Length() != 0 {
		t.Errorf("the home page still links to opportunities with Sales off")
	}
	if strings.Contains(doc.Find("#nav").Text(), "Opportunities") {
		t.Errorf("the navigation still shows Opportunities with Sales off")
	}
	org := rep.get("/organizations/" + idString(oppOwnedBy(t, app, "rep@example.com").OrganizationID))
	wantStatus(t, "GET organization with Sales off", org, http.StatusOK)
	if org.doc(t).Find(`a[href^="/opportunities"], #opps-h`).Length() != 0 {
		t.Errorf("the organization page still shows opportunities with Sales off")
	}

	// A feature that needs Sales cannot come on without it.
	r = admin.postWithToken("/admin/activations", "/admin/activations/marketing", url.Values{"active": {"on"}})
	wantStatus(t, "activate Marketing with Sales off", r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find(".error-summary").Text(); !strings.Contains(msg, "needs Sales") {
		t.Errorf("message = %q, want it to say Marketing needs Sales", msg)
	}
	if f, _ := models.LoadFeatures(app.DB); f.On(models.FeatureMarketing) {
		t.Errorf("Marketing was activated without Sales")
	}

	r = admin.fill("/admin/activations", `#feature-sales form`, nil)
	wantStatus(t, "reactivate Sales", r, http.StatusSeeOther)
	if f := flashOf(t, admin.get(r.Location)); !strings.Contains(f, "Activated Sales") {
		t.Errorf("flash = %q", f)
	}
	list = rep.get("/opportunities")
	wantStatus(t, "GET /opportunities after reactivation", list, http.StatusOK)
	if got := strings.TrimSpace(list.doc(t).Find(".summary").Text()); got != summaryBefore {
		t.Errorf("after reactivation the list reads %q, want %q as before", got, summaryBefore)
	}
	if n := countRows(t, app, &models.Opportunity{}); n != oppsBefore {
		t.Errorf("opportunities: %d, want %d: nothing may be deleted", n, oppsBefore)
	}
	if rep.get("/").doc(t).Find(`#nav a[href="/opportunities"]`).Length() != 1 {
		t.Errorf("the Opportunities link is not back in the navigation")
	}
	// What went off with Sales comes back with it, as the confirmation said.
	if f, _ := models.LoadFeatures(app.DB); !f.On(models.FeatureMarketing) || !f.On(models.FeatureProcurement) {
		t.Errorf("reactivating Sales did not turn back on what went off with it: %v", f)
	}

	var changes []models.FeatureChange
	app.DB.Where("id > ?", lastChange).Order("id").Find(&changes)
	var got []string
	for _, ch := range changes {
		if ch.UserID == nil || *ch.UserID != adminUser.ID {
			t.Errorf("feature change %s/%v not recorded as made by the admin", ch.FeatureKey, ch.Active)
		}
		if ch.CreatedAt.IsZero() {
			t.Errorf("feature change %s/%v has no time", ch.FeatureKey, ch.Active)
		}
		got = append(got, ch.FeatureKey+"="+strconv.FormatBool(ch.Active))
	}
	want := []string{"sales=false", "marketing=false", "procurement=false", "sales=true", "marketing=true", "procurement=true"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("feature_changes recorded %v, want %v", got, want)
	}
	var sales models.Feature
	app.DB.First(&sales, "key = ?", models.FeatureSales)
	if sales.ChangedByID == nil || *sales.ChangedByID != adminUser.ID || sales.ChangedAt == nil {
		t.Errorf("features.sales does not say who changed it last")
	}
}

func TestActivationsRefuseBadRequests(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	r := admin.postWithToken("/", "/admin/activations/sales", url.Values{"active": {"maybe"}})
	wantStatus(t, "active=maybe", r, http.StatusBadRequest)
	r = admin.postWithToken("/", "/admin/activations/no_such_feature", url.Values{"active": {"on"}})
	wantStatus(t, "unknown feature", r, http.StatusNotFound)
	if f, _ := models.LoadFeatures(app.DB); !f.On(models.FeatureSales) {
		t.Errorf("Sales changed")
	}
}

// ---------------------------------------------------------------------------
// Opportunities

// openOppOwnedBy is the first open (Active or Not Ready To Buy) opportunity of email.
func openOppOwnedBy(t testing.TB, app *testApp, email string) models.Opportunity {
	t.Helper()
	u := userByEmail(t, app, email)
	var o models.Opportunity
	if err := app.DB.Where("owner_id = ? AND status IN ?", u.ID, []models.OppStatus{models.StatusActive, models.StatusNotReady}).
		Order("id").First(&o).Error; err != nil {
		t.Fatalf("an open opportunity of %s: %v", email, err)
	}
	return o
}

func picklistValue(t testing.TB, app *testApp, kind models.PicklistKind) models.PicklistValue {
	t.Helper()
	var v models.PicklistValue
	if err := app.DB.Where("kind = ? AND active = ?", kind, true).Order("position, id").First(&v).Error; err != nil {
		t.Fatalf("a %s: %v", kind, err)
	}
	return v
}

// newOppForm is a valid opportunity as a rep fills it on /opportunities/new.
func newOppForm(t *testing.T, app *testApp, c *client) (url.Values, models.Organization, models.Contact) {
	t.Helper()
	var org models.Organization
	if err := app.DB.Where("name = ?", "Northwind Traders").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	var ct models.Contact
	if err := app.DB.Where("organization_id = ?", org.ID).Order("id").First(&ct).Error; err != nil {
		t.Fatal(err)
	}
	r := c.get("/opportunities/new")
	wantStatus(t, "GET /opportunities/new", r, http.StatusOK)
	v, action := formValues(t, r.doc(t), `main form[method="post"]`)
	if action != "/opportunities" {
		t.Fatalf("form action %q", action)
	}
	v.Set("title", "Cloud backup rollout")
	v.Set("organization_id", idString(org.ID))
	v.Set("contact_id", idString(ct.ID))
	v.Set("probability_override", "on")
	v.Set("probability", "40")
	v.Set("rating", "warm")
	v.Set("projected_close_date", "2031-03-15")
	v.Set("revenue_one_time", "12,500.50")
	v.Set("revenue_monthly", "100")
	v.Set("need", "on")
	v.Set("description", "Two sites.")
	return v, org, ct
}

func TestOpportunityCreate(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	repUser := userByEmail(t, app, "rep@example.com")
	form, org, ct := newOppForm(t, app, rep)
	category := picklistValue(t, app, models.Categories)
	form.Set("category_id", idString(category.ID))
	// A rep's opportunities are their own, whatever the form says.
	form.Set("owner_id", idString(userByEmail(t, app, "rep2@example.com").ID))

	r := rep.post("/opportunities", form)
	wantStatus(t, "POST /opportunities", r, http.StatusSeeOther)
	var o models.Opportunity
	if err := app.DB.Where("title = ?", "Cloud backup rollout").First(&o).Error; err != nil {
		t.Fatalf("not saved: %v", err)
	}
	if r.Location != "/opportunities/"+idString(o.ID) {
		t.Errorf("Location = %q, want the new opportunity", r.Location)
	}
	if o.OwnerID != repUser.ID || o.OrganizationID != org.ID || o.ContactID == nil || *o.ContactID != ct.ID {
		t.Errorf("saved owner %d org %d contact %v", o.OwnerID, o.OrganizationID, o.ContactID)
	}
	if o.Probability != 40 || !o.ProbabilityOverride || o.Rating != "warm" || o.Status != models.StatusActive || !o.Need || o.Solution {
		t.Errorf("saved probability %d (override %v) rating %q status %q need %v solution %v", o.Probability, o.ProbabilityOverride, o.Rating, o.Status, o.Need, o.Solution)
	}
	if o.CategoryID == nil || *o.CategoryID != category.ID {
		t.Errorf("saved category %v, want %d", o.CategoryID, category.ID)
	}
	if o.Revenue.OneTime != 1250050 || o.Revenue.Monthly != 10000 || o.Amount != 1250050+12*10000 {
		t.Errorf("saved money %d + %d = %d", o.Revenue.OneTime, o.Revenue.Monthly, o.Amount)
	}
	if o.ProjectedCloseDate.Format("2006-01-02") != "2031-03-15" || o.Version != 1 {
		t.Errorf("saved date %v version %d", o.ProjectedCloseDate, o.Version)
	}

	page := rep.get(r.Location)
	wantStatus(t, "GET the new opportunity", page, http.StatusOK)
	if f := flashOf(t, page); !strings.Contains(f, "Created opportunity") || !strings.Contains(f, "Cloud backup rollout") {
		t.Errorf("flash = %q", f)
	}
	if h := strings.TrimSpace(page.doc(t).Find("main h1").Text()); h != "Cloud backup rollout" {
		t.Errorf("h1 = %q", h)
	}
}

func TestOpportunityCreateStageDefaultProbability(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	form, _, _ := newOppForm(t, app, rep)
	var stage models.Stage
	app.DB.Where("name = ?", "Proposal").First(&stage)
	form.Set("stage_id", idString(stage.ID))
	form.Del("probability_override")
	form.Set("probability", "99") // ignored without the override
	r := rep.post("/opportunities", form)
	wantStatus(t, "POST /opportunities", r, http.StatusSeeOther)
	var o models.Opportunity
	app.DB.Where("title = ?", "Cloud backup rollout").First(&o)
	if o.Probability != stage.DefaultProbability || o.ProbabilityOverride {
		t.Errorf("probability %d (override %v), want the stage default %d", o.Probability, o.ProbabilityOverride, stage.DefaultProbability)
	}
}

func TestOpportunityValidation(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	var otherContact models.Contact
	app.DB.Joins("JOIN organizations ON organizations.id = contacts.organization_id").
		Where("organizations.name = ?", "Wingtip Toys").First(&otherContact)
	var wonStage models.Stage
	app.DB.Where("is_won = ?", true).First(&wonStage)
	competitor := picklistValue(t, app, models.Competitors)

	cases := []struct {
		name, field, value, msg string
		input                   string // the field typed into, when not the field in error
		keep                    bool   // the typed value is shown again in the field
	}{
		{name: "empty title", field: "title", value: "   ", msg: "Title is required"},
		{name: "title too long", field: "title", value: strings.Repeat("x", 201), msg: "too long", keep: true},
		{name: "probability 101", field: "probability", value: "101", msg: "0 to 100", keep: true},
		{name: "probability -1", field: "probability", value: "-1", msg: "0 to 100", keep: true},
		{name: "probability abc", field: "probability", value: "abc", msg: "0 to 100", keep: true},
		{name: "probability 12.5", field: "probability", value: "12.5", msg: "0 to 100", keep: true},
		{name: "impossible date", field: "projected_close_date", value: "2026-02-30", msg: "Enter a date", keep: true},
		{name: "date in another format", field: "projected_close_date", value: "31/12/2026", msg: "Enter a date", keep: true},
		{name: "date before 2000", field: "projected_close_date", value: "1999-12-31", msg: "Enter a date", keep: true},
		{name: "empty date", field: "projected_close_date", value: "", msg: "required", keep: true},
		{name: "bad start date", field: "start_date", value: "soon", msg: "Enter a date", keep: true},
		{name: "negative one-time revenue", field: "revenue_one_time", value: "-5", msg: "cannot be negative", keep: true},
		{name: "negative monthly revenue", field: "revenue_monthly", value: "-0.01", msg: "cannot be negative", keep: true},
		{name: "negative yearly revenue with sign", field: "revenue_yearly", value: "$-1,000", keep: true},
		{name: "absurd one-time revenue", field: "revenue_one_time", value: "1000000000000000", keep: true},
		{name: "absurd total from monthly revenue", field: "revenue_one_time", input: "revenue_monthly", value: "9000000000", msg: "too large"},
		{name: "money with three decimals", field: "revenue_one_time", value: "10.005", msg: "Enter an amount", keep: true},
		{name: "money with bad grouping", field: "revenue_quarterly", value: "12,50", msg: "Enter an amount", keep: true},
		{name: "money as words", field: "revenue_monthly", value: "lots", msg: "Enter an amount", keep: true},
		{name: "unknown organization id", field: "organization_id", value: "999999", msg: "does not exist"},
		{name: "organization id not a number", field: "organization_id", value: "abc", msg: "Choose an organization"},
		{name: "no organization", field: "organization_id", value: "", msg: "Choose an organization", keep: true},
		{name: "contact of another organization", field: "contact_id", value: idString(otherContact.ID), msg: "another organization", keep: true},
		{name: "unknown contact id", field: "contact_id", value: "999999", msg: "does not exist"},
		{name: "unknown stage id", field: "stage_id", value: "999999", msg: "Choose a stage"},
		{name: "won stage from the form", field: "stage_id", value: idString(wonStage.ID), msg: "Choose a stage"},
		{name: "unknown status", field: "status", value: "won", msg: "Choose a status"},
		{name: "closed status from the form", field: "status", value: "closed", msg: "Mark as won"},
		{name: "unknown rating", field: "rating", value: "lukewarm", msg: "Choose a rating"},
		{name: "unknown category", field: "category_id", value: "999999", msg: "Choose a value"},
		{name: "lead source from another list", field: "lead_source_id", value: idString(competitor.ID), msg: "Choose a value"},
	}
	before := countRows(t, app, &models.Opportunity{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := tc.input
			if input == "" {
				input = tc.field
			}
			form, _, _ := newOppForm(t, app, rep)
			form.Set(input, tc.value)
			if tc.field == "organization_id" {
				form.Set("contact_id", "")
			}
			r := rep.post("/opportunities", form)
			wantStatus(t, "POST /opportunities", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantFieldError(t, doc, tc.field, tc.msg)
			wantErrorSummary(t, doc)
			if _, ok := doc.Find("#" + tc.field).Attr("autofocus"); !ok {
				t.Errorf("the field in error should take the focus (errors: %q)", allErrors(doc))
			}
			if got := fieldValue(doc, input); (tc.keep || input != tc.field) && got != tc.value {
				t.Errorf("%s shows %q, want the typed %q", input, got, tc.value)
			}
			if input != "title" {
				if got := fieldValue(doc, "title"); got != "Cloud backup rollout" {
					t.Errorf("title shows %q, want the typed title kept", got)
				}
			}
			if input != "revenue_one_time" {
				if got := fieldValue(doc, "revenue_one_time"); got != "12,500.50" {
					t.Errorf("one-time revenue shows %q, want the typed 12,500.50 kept", got)
				}
			}
			if got := fieldValue(doc, "description"); got != "Two sites." {
				t.Errorf("description shows %q", got)
			}
			for _, box := range []string{"need", "probability_override"} {
				if _, ok := doc.Find("#" + box).Attr("checked"); !ok {
					t.Errorf("the ticked %s box was lost", box)
				}
			}
			if n := countRows(t, app, &models.Opportunity{}); n != before {
				t.Errorf("opportunities: %d, want %d (nothing saved)", n, before)
			}
		})
	}
}

func TestOpportunityEditOwn(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	edit := "/opportunities/" + idString(o.ID) + "/edit"

	if rep.get("/opportunities/"+idString(o.ID)).doc(t).Find(`a[href="`+edit+`"]`).Length() != 1 {
		t.Errorf("a rep's own opportunity should offer Edit")
	}
	r := rep.fill(edit, `main form[method="post"]`, url.Values{"title": {"Renamed by rep"}, "probability_override": {"on"}, "probability": {"65"}})
	wantStatus(t, "POST edit", r, http.StatusSeeOther)
	if r.Location != "/opportunities/"+idString(o.ID) {
		t.Errorf("Location = %q", r.Location)
	}
	if f := flashOf(t, rep.get(r.Location)); !strings.Contains(f, "Saved") {
		t.Errorf("flash = %q", f)
	}
	got := loadOpp(t, app, o.ID)
	if got.Title != "Renamed by rep" || got.Probability != 65 || got.Version != o.Version+1 {
		t.Errorf("saved %q %d%% v%d, want Renamed by rep 65%% v%d", got.Title, got.Probability, got.Version, o.Version+1)
	}
	// Fields the form did not change survive the save, including cost a rep cannot see.
	if got.Revenue != o.Revenue || got.Cost != o.Cost || got.OwnerID != o.OwnerID || got.StageID != o.StageID ||
		got.Description != o.Description || got.Need != o.Need || got.Budget != o.Budget || !sameID(got.ContactID, o.ContactID) ||
		!sameID(got.CategoryID, o.CategoryID) || !sameID(got.LeadSourceID, o.LeadSourceID) || !sameID(got.CompetitorID, o.CompetitorID) ||
		got.NextStep != o.NextStep || got.Rating != o.Rating || !got.ProjectedCloseDate.Equal(o.ProjectedCloseDate) {
		t.Errorf("a field the rep did not touch changed:\nbefore %+v\nafter  %+v", o, got)
	}

	// A validation error saves nothing.
	r = rep.fill(edit, `main form[method="post"]`, url.Values{"title": {"Should not stick"}, "probability_override": {"on"}, "probability": {"101"}})
	wantStatus(t, "POST invalid edit", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "probability", "0 to 100")
	if fieldValue(r.doc(t), "title") != "Should not stick" {
		t.Errorf("the typed title was not kept")
	}
	if again := loadOpp(t, app, o.ID); again.Title != "Renamed by rep" || again.Version != got.Version {
		t.Errorf("an invalid form changed the record: %q v%d", again.Title, again.Version)
	}
}

func TestOpportunityEditStaleVersion(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	edit := "/opportunities/" + idString(o.ID) + "/edit"

	page := rep.get(edit)
	wantStatus(t, "rep opens the form", page, http.StatusOK)
	repForm, action := formValues(t, page.doc(t), `main form[method="post"]`)

	r := manager.fill(edit, `main form[method="post"]`, url.Values{"title": {"Manager's title"}})
	wantStatus(t, "manager saves first", r, http.StatusSeeOther)

	repForm.Set("title", "Rep's title")
	repForm.Set("next_step", "Rep's next step")
	r = rep.post(action, repForm)
	wantStatus(t, "rep saves a stale copy", r, http.StatusConflict)
	got := loadOpp(t, app, o.ID)
	if got.Title != "Manager's title" || got.NextStep != o.NextStep || got.Version != o.Version+1 {
		t.Errorf("the stale save overwrote the record: %q / %q v%d", got.Title, got.NextStep, got.Version)
	}
	doc := r.doc(t)
	box := doc.Find(".conflict[role=alert]")
	if box.Length() != 1 || !strings.Contains(box.Text(), "Morgan Manager") || !strings.Contains(box.Text(), "Manager's title") {
		t.Errorf("the conflict notice does not say who changed what: %q", strings.Join(strings.Fields(box.Text()), " "))
	}
	if fieldValue(doc, "title") != "Rep's title" || fieldValue(doc, "next_step") != "Rep's next step" {
		t.Errorf("the rep's input was not kept")
	}

	// The page carries the latest version, so saving again is a deliberate overwrite.
	again, action := formValues(t, doc, `main form[method="post"]`)
	if again.Get("version") != strconv.Itoa(got.Version) {
		t.Errorf("version field = %q, want %d", again.Get("version"), got.Version)
	}
	r = rep.post(action, again)
	wantStatus(t, "rep saves again", r, http.StatusSeeOther)
	if got := loadOpp(t, app, o.ID); got.Title != "Rep's title" || got.Version != o.Version+2 {
		t.Errorf("after saving again: %q v%d", got.Title, got.Version)
	}
}

func TestOpportunityRepCannotEditAnothersOpportunity(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	theirs := openOppOwnedBy(t, app, "rep2@example.com")
	path := "/opportunities/" + idString(theirs.ID)

	show := rep.get(path)
	wantStatus(t, "rep reads another's opportunity", show, http.StatusOK)
	for _, action := range []string{"/edit", "/won", "/lost", "/notes", "/todos"} {
		if n := show.doc(t).Find(`a[href="` + path + action + `"], form[action="` + path + action + `"]`).Length(); n != 0 {
			t.Errorf("the page offers %s to a rep who may not change the opportunity", action)
		}
	}
	if r := rep.get(path + "/edit"); r.Status != http.StatusForbidden {
		t.Errorf("GET edit: %d, want 403", r.Status)
	}

	// A form a manager could send, posted by the rep with the rep's own valid token.
	page := manager.get(path + "/edit")
	form, _ := formValues(t, page.doc(t), `main form[method="post"]`)
	form.Set("title", "Stolen")
	form.Set("owner_id", idString(userByEmail(t, app, "rep@example.com").ID))
	form.Set("csrf_token", rep.token("/"))
	r := rep.post(path, form)
	wantStatus(t, "rep POSTs another's opportunity", r, http.StatusForbidden)
	got := loadOpp(t, app, theirs.ID)
	if got.Title != theirs.Title || got.OwnerID != theirs.OwnerID || got.Version != theirs.Version {
		t.Errorf("the record changed: %q owner %d v%d", got.Title, got.OwnerID, got.Version)
	}
}

func TestOpportunityRepSeesNoCost(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	path := "/opportunities/" + idString(o.ID)
	for _, p := range []string{path, path + "/edit"} {
		r := rep.get(p)
		wantStatus(t, "GET "+p, r, http.StatusOK)
		if strings.Contains(r.Body, "Margin") || r.doc(t).Find(`[name^="cost_"]`).Length() != 0 {
			t.Errorf("GET %s shows cost to a rep", p)
		}
	}
	if !strings.Contains(manager.get(path).Body, "Margin") || manager.get(path+"/edit").doc(t).Find(`#cost_one_time`).Length() != 1 {
		t.Errorf("a manager should see cost and margin")
	}
	// A rep's edit leaves the cost as it is, even when the request carries one.
	r := rep.fill(path+"/edit", `main form[method="post"]`, url.Values{"cost_one_time": {"1"}, "title": {"Cost probe"}})
	wantStatus(t, "rep saves with a cost field", r, http.StatusSeeOther)
	if got := loadOpp(t, app, o.ID); got.Cost != o.Cost {
		t.Errorf("a rep changed the cost: %+v → %+v", o.Cost, got.Cost)
	}
}

func TestOpportunityWonLostAndReopen(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	manager := app.client(t).login("manager@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	path := "/opportunities/" + idString(o.ID)
	win := picklistValue(t, app, models.WinReasons)

	r := rep.fill(path+"/won", `main form[method="post"]`, url.Values{"reason_id": {""}, "detail": {"Best price."}})
	wantStatus(t, "won without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason_id", "Choose a reason")
	if fieldValue(r.doc(t), "detail") != "Best price." {
		t.Errorf("the typed detail was not kept")
	}
	if got := loadOpp(t, app, o.ID); got.Status != o.Status || got.Version != o.Version {
		t.Errorf("a refused outcome changed the record")
	}

	r = rep.fill(path+"/won", `main form[method="post"]`, url.Values{"reason_id": {idString(win.ID)}, "detail": {"Best price."}})
	wantStatus(t, "won", r, http.StatusSeeOther)
	if f := flashOf(t, rep.get(r.Location)); !strings.Contains(f, "as won") {
		t.Errorf("flash = %q", f)
	}
	got := loadOpp(t, app, o.ID)
	var stage models.Stage
	app.DB.First(&stage, got.StageID)
	if got.Status != models.StatusClosed || !stage.IsWon || got.Probability != 100 || got.WinReasonID == nil || *got.WinReasonID != win.ID || got.ClosedDate == nil {
		t.Errorf("after won: status %q stage %q %d%% reason %v closed %v", got.Status, stage.Name, got.Probability, got.WinReasonID, got.ClosedDate)
	}
	if r := rep.get(path + "/lost"); r.Status != http.StatusConflict {
		t.Errorf("GET lost of a won opportunity: %d, want 409", r.Status)
	}

	// Reps do not reopen; managers do, with a reason.
	if r := rep.get(path + "/reopen"); r.Status != http.StatusForbidden {
		t.Errorf("rep GET reopen: %d, want 403", r.Status)
	}
	r = manager.fill(path+"/reopen", `main form[method="post"]`, url.Values{"reason": {" "}})
	wantStatus(t, "reopen without a reason", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "reason", "required")
	r = manager.fill(path+"/reopen", `main form[method="post"]`, url.Values{"reason": {"Signed the wrong contract."}})
	wantStatus(t, "reopen", r, http.StatusSeeOther)
	got = loadOpp(t, app, o.ID)
	if got.Status != models.StatusActive || got.WinReasonID != nil || got.ClosedDate != nil || got.StageID != o.StageID {
		t.Errorf("after reopen: status %q stage %d (was %d) reason %v", got.Status, got.StageID, o.StageID, got.WinReasonID)
	}
	hist := rep.get(path + "?tab=history")
	if !strings.Contains(hist.Body, "Signed the wrong contract.") {
		t.Errorf("the reopen reason is not in the history")
	}

	// A stale version on an outcome changes nothing.
	stale := strconv.Itoa(got.Version - 1)
	r = rep.postWithToken("/", path+"/lost", url.Values{"version": {stale}, "reason_id": {idString(picklistValue(t, app, models.LossReasons).ID)}, "date": {"2030-01-01"}})
	wantStatus(t, "lost from a stale page", r, http.StatusConflict)
	if again := loadOpp(t, app, o.ID); again.Status != models.StatusActive || again.Version != got.Version {
		t.Errorf("a stale outcome changed the record: %q v%d", again.Status, again.Version)
	}
}

func TestOpportunityNotesAndTodos(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	path := "/opportunities/" + idString(o.ID)
	var notes, todos int64
	app.DB.Model(&models.Note{}).Where("opportunity_id = ?", o.ID).Count(&notes)
	app.DB.Model(&models.Todo{}).Where("opportunity_id = ?", o.ID).Count(&todos)

	r := rep.fill(path, `form[action="`+path+`/notes"]`, url.Values{"body": {"  "}})
	wantStatus(t, "empty note", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "note-body", "required")
	if _, ok := r.doc(t).Find("#note-body").Attr("autofocus"); !ok {
		t.Errorf("the note field in error should take the focus")
	}
	r = rep.fill(path, `form[action="`+path+`/notes"]`, url.Values{"kind": {"meeting"}, "body": {"Met the CFO."}})
	wantStatus(t, "note", r, http.StatusSeeOther)
	if page := rep.get(path); !strings.Contains(flashOf(t, page), "meeting note") || !strings.Contains(page.Body, "Met the CFO.") {
		t.Errorf("the note is not on the page")
	}

	r = rep.fill(path, `form[action="`+path+`/todos"]`, url.Values{"title": {"Send the proposal"}, "due_date": {"someday"}})
	wantStatus(t, "to-do with a bad date", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "todo-due", "Enter a date")
	if _, ok := r.doc(t).Find("#todo-due").Attr("autofocus"); !ok {
		t.Errorf("the to-do field in error should take the focus")
	}
	if fieldValue(r.doc(t), "todo-title") != "Send the proposal" {
		t.Errorf("the to-do title was not kept")
	}
	r = rep.fill(path, `form[action="`+path+`/todos"]`, url.Values{"title": {"Send the proposal"}, "due_date": {"2031-01-10"}})
	wantStatus(t, "to-do", r, http.StatusSeeOther)

	var n int64
	app.DB.Model(&models.Note{}).Where("opportunity_id = ?", o.ID).Count(&n)
	if n != notes+1 {
		t.Errorf("notes %d, want %d", n, notes+1)
	}
	var td models.Todo
	if err := app.DB.Where("opportunity_id = ? AND title = ?", o.ID, "Send the proposal").Order("id DESC").First(&td).Error; err != nil {
		t.Fatalf("to-do not saved: %v", err)
	}
	if td.AssigneeID != userByEmail(t, app, "rep@example.com").ID || td.DueDate == nil || td.Done {
		t.Errorf("saved to-do %+v", td)
	}
	r = rep.postWithToken("/", "/todos/"+idString(td.ID)+"/done", url.Values{"done": {"on"}, "back": {path}})
	wantStatus(t, "tick off", r, http.StatusSeeOther)
	if r.Location != path {
		t.Errorf("Location %q, want back to %s", r.Location, path)
	}
	app.DB.First(&td, td.ID)
	if !td.Done || td.DoneAt == nil {
		t.Errorf("the to-do is not done")
	}
	r = rep.postWithToken("/", "/todos/"+idString(td.ID)+"/done", url.Values{"done": {"off"}, "back": {"https://evil.example/"}})
	wantStatus(t, "reopen the to-do", r, http.StatusSeeOther)
	if r.Location != "/" {
		t.Errorf("Location %q: an outside back address must not be followed", r.Location)
	}
}

// ---------------------------------------------------------------------------
// Unknown records

func TestUnknownIDsAnswer404(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	// A value of one picklist is not found under another.
	competitor := picklistValue(t, app, models.Competitors)
	for _, p := range []string{
		"/opportunities/999999", "/opportunities/abc", "/opportunities/0", "/opportunities/-1",
		"/opportunities/99999999999", "/opportunities/1.5", "/opportunities/999999/edit", "/opportunities/abc/edit",
		"/organizations/999999", "/organizations/abc", "/organizations/999999/edit",
		"/organizations/999999/contacts/new", "/contacts/999999/edit", "/contacts/abc/edit",
		"/admin/users/999999/edit", "/admin/users/abc/edit", "/admin/activations/nope/deactivate",
		"/opportunities/999999/won", "/opportunities/999999/lost", "/opportunities/abc/reopen",
		"/admin/stages/999999/edit", "/admin/stages/999999/delete", "/admin/picklists/nope",
		"/admin/picklists/competitor/999999/edit", "/admin/picklists/win_reason/" + idString(competitor.ID) + "/edit",
		"/admin/picklists/nope/" + idString(competitor.ID) + "/delete",
		"/no/such/page",
	} {
		t.Run("GET "+p, func(t *testing.T) {
			r := admin.get(p)
			wantStatus(t, "GET "+p, r, http.StatusNotFound)
			if h := strings.TrimSpace(r.doc(t).Find(".error-page h1").Text()); h != "Not Found" {
				t.Errorf("not the styled 404 page: h1 %q", h)
			}
		})
	}
	for _, p := range []string{
		"/opportunities/999999", "/opportunities/abc", "/organizations/999999", "/organizations/999999/contacts",
		"/contacts/999999", "/admin/users/999999", "/admin/users/999999/password",
		"/opportunities/999999/stage", "/opportunities/999999/won", "/opportunities/999999/notes",
		"/opportunities/999999/todos", "/todos/999999/done", "/todos/abc/done", "/admin/stages/999999",
		"/admin/stages/999999/move", "/admin/stages/999999/delete", "/admin/picklists/nope",
		"/admin/picklists/competitor/999999", "/admin/picklists/loss_reason/" + idString(competitor.ID) + "/delete",
	} {
		t.Run("POST "+p, func(t *testing.T) {
			r := admin.postWithToken("/", p, url.Values{"title": {"x"}, "name": {"x"}, "last_name": {"x"}, "password": {"long-enough-pw"}})
			wantStatus(t, "POST "+p, r, http.StatusNotFound)
		})
	}
}

// ---------------------------------------------------------------------------
// Organizations and contacts

func TestOrganizationCreateAndEdit(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	r := rep.fill("/organizations/new", `main form[method="post"]`, url.Values{
		"name": {"  Acme Robotics  "}, "type": {"lead"}, "city": {"Lyon"}, "country": {"France"},
		"phone": {"+33 4 55 01 23 45"}, "website": {"https://acme.example"},
	})
	wantStatus(t, "POST /organizations", r, http.StatusSeeOther)
	var o models.Organization
	if err := app.DB.Where("name = ?", "Acme Robotics").First(&o).Error; err != nil {
		t.Fatalf("not saved (name should be trimmed): %v", err)
	}
	if r.Location != "/organizations/"+idString(o.ID) {
		t.Errorf("Location = %q", r.Location)
	}
	rep2 := userByEmail(t, app, "rep@example.com")
	if o.Type != "lead" || o.City != "Lyon" || o.Website != "https://acme.example" || o.OwnerID == nil || *o.OwnerID != rep2.ID {
		t.Errorf("saved %+v", o)
	}
	page := rep.get(r.Location)
	if f := flashOf(t, page); !strings.Contains(f, "Created Acme Robotics") {
		t.Errorf("flash = %q", f)
	}
	if h := strings.TrimSpace(page.doc(t).Find("main h1").Text()); h != "Acme Robotics" {
		t.Errorf("h1 = %q", h)
	}

	edit := "/organizations/" + idString(o.ID) + "/edit"
	r = rep.fill(edit, `main form[method="post"]`, url.Values{"city": {"Grenoble"}, "owner_id": {""}})
	wantStatus(t, "POST edit", r, http.StatusSeeOther)
	if f := flashOf(t, rep.get(r.Location)); !strings.Contains(f, "Saved Acme Robotics") {
		t.Errorf("flash = %q", f)
	}
	var after models.Organization
	app.DB.First(&after, o.ID)
	if after.City != "Grenoble" || after.OwnerID != nil || after.Name != "Acme Robotics" || after.Phone != o.Phone {
		t.Errorf("after edit %+v", after)
	}
}

func TestOrganizationValidation(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	inactive := userByEmail(t, app, "rep2@example.com")
	app.DB.Model(&inactive).Update("active", false)
	var existing models.Organization
	app.DB.Where("name = ?", "Coho Winery").First(&existing)

	cases := []struct {
		name, field, value, msg string
		keep                    bool
	}{
		{"empty name", "name", " ", "Name is required", false},
		{"name too long", "name", strings.Repeat("n", 201), "too long", true},
		{"website without scheme", "website", "acme.example", "https://", true},
		{"website javascript", "website", "javascript:alert(1)", "https://", true},
		{"phone with letters", "phone", "call me", "digits", true},
		{"unknown type", "type", "partner", "Choose a type", false},
		{"unknown owner", "owner_id", "999999", "active user", false},
		{"deactivated owner", "owner_id", idString(inactive.ID), "active user", false},
	}
	for _, tc := range cases {
		for _, mode := range []string{"create", "edit"} {
			t.Run(mode+" "+tc.name, func(t *testing.T) {
				page := "/organizations/new"
				if mode == "edit" {
					page = "/organizations/" + idString(existing.ID) + "/edit"
				}
				before := countRows(t, app, &models.Organization{})
				changes := url.Values{tc.field: {tc.value}}
				if tc.field != "city" {
					changes.Set("city", "Typed City")
				}
				if mode == "create" && tc.field != "name" {
					changes.Set("name", "Typed Name")
				}
				r := rep.fill(page, `main form[method="post"]`, changes)
				wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
				doc := r.doc(t)
				wantFieldError(t, doc, tc.field, tc.msg)
				wantErrorSummary(t, doc)
				if tc.keep && fieldValue(doc, tc.field) != tc.value {
					t.Errorf("%s shows %q, want %q kept", tc.field, fieldValue(doc, tc.field), tc.value)
				}
				if fieldValue(doc, "city") != "Typed City" {
					t.Errorf("city shows %q, want the typed value kept", fieldValue(doc, "city"))
				}
				if n := countRows(t, app, &models.Organization{}); n != before {
					t.Errorf("organizations %d, want %d", n, before)
				}
				var now models.Organization
				app.DB.First(&now, existing.ID)
				if now.Name != existing.Name || now.City != existing.City || now.Website != existing.Website {
					t.Errorf("the organization changed: %+v", now)
				}
			})
		}
	}
}

func TestContactCreateAndEdit(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	var org models.Organization
	app.DB.Where("name = ?", "Trey Research").First(&org)
	orgPath := "/organizations/" + idString(org.ID)

	r := rep.fill(orgPath+"/contacts/new", `main form[method="post"]`, url.Values{
		"first_name": {"Ada"}, "last_name": {"Lovelace"}, "title": {"CTO"}, "email": {" Ada@Trey.Example "}, "phone": {"+49 89 555 0100"},
	})
	wantStatus(t, "POST contact", r, http.StatusSeeOther)
	if r.Location != orgPath {
		t.Errorf("Location = %q, want %s", r.Location, orgPath)
	}
	var ct models.Contact
	if err := app.DB.Where("last_name = ?", "Lovelace").First(&ct).Error; err != nil {
		t.Fatalf("not saved: %v", err)
	}
	if ct.OrganizationID != org.ID || ct.Email != "ada@trey.example" || ct.Title != "CTO" {
		t.Errorf("saved %+v", ct)
	}
	page := rep.get(orgPath)
	if f := flashOf(t, page); !strings.Contains(f, "Added contact Ada Lovelace") {
		t.Errorf("flash = %q", f)
	}
	if page.doc(t).Find(`a[href="/contacts/`+idString(ct.ID)+`/edit"]`).Length() != 1 {
		t.Errorf("the new contact is not listed on its organization")
	}

	edit := "/contacts/" + idString(ct.ID) + "/edit"
	r = rep.fill(edit, `main form[method="post"]`, url.Values{"title": {"Chief Scientist"}})
	wantStatus(t, "POST contact edit", r, http.StatusSeeOther)
	var after models.Contact
	app.DB.First(&after, ct.ID)
	if after.Title != "Chief Scientist" || after.Email != "ada@trey.example" || after.OrganizationID != org.ID {
		t.Errorf("after edit %+v", after)
	}
	if f := flashOf(t, rep.get(r.Location)); !strings.Contains(f, "Saved contact") {
		t.Errorf("flash = %q", f)
	}
}

func TestContactValidation(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	var ct models.Contact
	app.DB.Order("id").First(&ct)
	cases := []struct{ name, field, value, msg string }{
		{"no last name", "last_name", "", "Last name is required"},
		{"bad email", "email", "not-an-email", "e-mail address"},
		{"email with display name", "email", "Ada <ada@example.com>", "e-mail address"},
		{"phone with letters", "phone", "ext. abc", "digits"},
		{"title too long", "title", strings.Repeat("t", 101), "too long"},
	}
	for _, tc := range cases {
		for _, page := range []string{"/organizations/" + idString(ct.OrganizationID) + "/contacts/new", "/contacts/" + idString(ct.ID) + "/edit"} {
			t.Run(tc.name+" on "+page, func(t *testing.T) {
				before := countRows(t, app, &models.Contact{})
				changes := url.Values{tc.field: {tc.value}}
				if tc.field != "first_name" {
					changes.Set("first_name", "Typed")
				}
				if tc.field != "last_name" {
					changes.Set("last_name", "Person")
				}
				r := rep.fill(page, `main form[method="post"]`, changes)
				wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
				doc := r.doc(t)
				wantFieldError(t, doc, tc.field, tc.msg)
				wantErrorSummary(t, doc)
				if fieldValue(doc, tc.field) != tc.value {
					t.Errorf("%s shows %q, want %q kept", tc.field, fieldValue(doc, tc.field), tc.value)
				}
				if fieldValue(doc, "first_name") != "Typed" && tc.field != "first_name" {
					t.Errorf("first name not kept")
				}
				if n := countRows(t, app, &models.Contact{}); n != before {
					t.Errorf("contacts %d, want %d", n, before)
				}
				var now models.Contact
				app.DB.First(&now, ct.ID)
				if now.FirstName != ct.FirstName || now.LastName != ct.LastName || now.Email != ct.Email {
					t.Errorf("the contact changed: %+v", now)
				}
			})
		}
	}
}

// ---------------------------------------------------------------------------
// Admin: users

func TestAdminCreatesUser(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	r := admin.fill("/admin/users/new", `main form[method="post"]`, url.Values{
		"name": {"Nora New"}, "email": {"Nora.New@Example.com"}, "role": {"manager"}, "password": {"correct horse"},
	})
	wantStatus(t, "POST /admin/users", r, http.StatusSeeOther)
	if r.Location != "/admin/users" {
		t.Errorf("Location = %q", r.Location)
	}
	page := admin.get(r.Location)
	if f := flashOf(t, page); !strings.Contains(f, "Created Nora New") {
		t.Errorf("flash = %q", f)
	}
	if !strings.Contains(page.doc(t).Find("table.list").Text(), "nora.new@example.com") {
		t.Errorf("the new user is not in the list")
	}
	u := userByEmail(t, app, "nora.new@example.com")
	if u.Role != models.RoleManager || !u.Active || u.DemoPassword || u.PasswordHash == "correct horse" {
		t.Errorf("saved %+v", u)
	}
	c := app.client(t)
	r = c.submit("/login", "/login", url.Values{"email": {"nora.new@example.com"}, "password": {"correct horse"}})
	wantStatus(t, "the new user signs in", r, http.StatusSeeOther)
	if c.whoami() != "Nora New" {
		t.Errorf("the new user is not signed in")
	}
}

func TestAdminCreateUserValidation(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	cases := []struct{ name, field, value, msg string }{
		{"duplicate email", "email", "rep@example.com", "already exists"},
		{"duplicate email in other case", "email", " REP@Example.com ", "already exists"},
		{"bad email", "email", "rep-at-example", "e-mail address"},
		{"short password", "password", "short", "at least 8"},
		{"no name", "name", "", "Name is required"},
		{"unknown role", "role", "superuser", "Choose a role"},
	}
	before := countRows(t, app, &models.User{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changes := url.Values{"name": {"Dup Licate"}, "email": {"fresh@example.com"}, "role": {"rep"}, "password": {"long enough pw"}}
			changes.Set(tc.field, tc.value)
			r := admin.fill("/admin/users/new", `main form[method="post"]`, changes)
			wantStatus(t, "POST /admin/users", r, http.StatusUnprocessableEntity)
			doc := r.doc(t)
			wantFieldError(t, doc, tc.field, tc.msg)
			wantErrorSummary(t, doc)
			if tc.field != "name" && fieldValue(doc, "name") != "Dup Licate" {
				t.Errorf("name not kept: %q", fieldValue(doc, "name"))
			}
			if tc.field == "email" && fieldValue(doc, "email") != tc.value {
				t.Errorf("email shows %q, want %q kept", fieldValue(doc, "email"), tc.value)
			}
			if got := doc.Find("#password").AttrOr("value", ""); got != "" {
				t.Errorf("the password is sent back in the page: %q", got)
			}
			if n := countRows(t, app, &models.User{}); n != before {
				t.Errorf("users %d, want %d", n, before)
			}
		})
	}
}

func TestAdminChangesRole(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	rep2 := userByEmail(t, app, "rep2@example.com")
	r := admin.fill("/admin/users/"+idString(rep2.ID)+"/edit", `main form[action="/admin/users/`+idString(rep2.ID)+`"]`,
		url.Values{"role": {"manager"}, "name": {"Sam Seller-Boss"}})
	wantStatus(t, "POST /admin/users/:id", r, http.StatusSeeOther)
	if f := flashOf(t, admin.get(r.Location)); !strings.Contains(f, "Saved") {
		t.Errorf("flash = %q", f)
	}
	u := userByEmail(t, app, "rep2@example.com")
	if u.Role != models.RoleManager || u.Name != "Sam Seller-Boss" || !u.Active || u.Email != rep2.Email {
		t.Errorf("saved %+v", u)
	}
	// The new role applies to the user's next request: a manager sees cost.
	c := app.client(t).login("rep2@example.com")
	if c.get("/opportunities/"+idString(oppOwnedBy(t, app, "rep@example.com").ID)+"/edit").Status != http.StatusOK {
		t.Errorf("the promoted user cannot edit others' opportunities")
	}
}

func TestAdminDeactivatesUserEndingTheirSession(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	rep := app.client(t).login("rep@example.com")
	if rep.whoami() != "Riley Rep" {
		t.Fatal("rep not signed in")
	}
	target := userByEmail(t, app, "rep@example.com")
	oppsBefore := countRows(t, app, &models.Opportunity{})
	// A copy of the session as it is now, to replay after reactivation.
	copied := rep.fork(t)
	r := admin.fill("/admin/users/"+idString(target.ID)+"/edit", `main form[action="/admin/users/`+idString(target.ID)+`"]`,
		url.Values{"active": nil})
	wantStatus(t, "deactivate", r, http.StatusSeeOther)
	if f := flashOf(t, admin.get(r.Location)); !strings.Contains(f, "deactivated") {
		t.Errorf("flash = %q", f)
	}
	if u := userByEmail(t, app, "rep@example.com"); u.Active {
		t.Errorf("still active")
	}
	wantSignedOut(t, rep)
	r = app.client(t).submit("/login", "/login", url.Values{"email": {"rep@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "sign-in of the deactivated user", r, http.StatusUnprocessableEntity)
	if n := countRows(t, app, &models.Opportunity{}); n != oppsBefore {
		t.Errorf("deactivating a user deleted records: %d → %d", oppsBefore, n)
	}

	// Reactivated, they can sign in again, but the old session stays ended.
	r = admin.fill("/admin/users/"+idString(target.ID)+"/edit", `main form[action="/admin/users/`+idString(target.ID)+`"]`,
		url.Values{"active": {"on"}})
	wantStatus(t, "reactivate", r, http.StatusSeeOther)
	wantSignedOut(t, copied)
	app.client(t).login("rep@example.com")
}

func TestAdminResetsPasswordEndingSessions(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	rep2 := app.client(t).login("rep2@example.com")
	target := userByEmail(t, app, "rep2@example.com")
	form := `main form[action="/admin/users/` + idString(target.ID) + `/password"]`
	edit := "/admin/users/" + idString(target.ID) + "/edit"

	r := admin.fill(edit, form, url.Values{"password": {"short"}})
	wantStatus(t, "short password", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "password", "at least 8")
	if rep2.whoami() != "Sam Seller" {
		t.Errorf("a refused reset ended the session")
	}

	r = admin.fill(edit, form, url.Values{"password": {"brand new secret"}})
	wantStatus(t, "reset", r, http.StatusSeeOther)
	if f := flashOf(t, admin.get(r.Location)); !strings.Contains(f, "Reset the password") {
		t.Errorf("flash = %q", f)
	}
	wantSignedOut(t, rep2)
	if u := userByEmail(t, app, "rep2@example.com"); u.DemoPassword || u.SessionVersion != target.SessionVersion+1 {
		t.Errorf("after reset demo=%v sessionVersion=%d", u.DemoPassword, u.SessionVersion)
	}
	c := app.client(t)
	r = c.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {db.DemoPassword}})
	wantStatus(t, "old password", r, http.StatusUnprocessableEntity)
	r = c.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {"brand new secret"}})
	wantStatus(t, "new password", r, http.StatusSeeOther)
	if admin.whoami() != "Alex Admin" {
		t.Errorf("resetting another user's password ended the admin's session")
	}
}

func TestAdminResetsOwnPasswordKeepsThisSession(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	other := app.client(t).login("admin@example.com")
	me := userByEmail(t, app, "admin@example.com")
	r := admin.fill("/admin/users/"+idString(me.ID)+"/edit", `main form[action="/admin/users/`+idString(me.ID)+`/password"]`,
		url.Values{"password": {"my new secret"}})
	wantStatus(t, "reset own password", r, http.StatusSeeOther)
	if admin.whoami() != "Alex Admin" {
		t.Errorf("the session that changed the password should go on")
	}
	wantSignedOut(t, other)
}

func TestAdminCannotRemoveTheLastAdmin(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	me := userByEmail(t, app, "admin@example.com")
	edit := "/admin/users/" + idString(me.ID) + "/edit"
	form := `main form[action="/admin/users/` + idString(me.ID) + `"]`
	for _, tc := range []struct {
		name    string
		changes url.Values
	}{
		{"demote to manager", url.Values{"role": {"manager"}}},
		{"demote to rep", url.Values{"role": {"rep"}}},
		{"deactivate", url.Values{"active": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.fill(edit, form, tc.changes)
			wantStatus(t, "POST", r, http.StatusUnprocessableEntity)
			wantFieldError(t, r.doc(t), "role", "last active admin")
			if u := userByEmail(t, app, "admin@example.com"); u.Role != models.RoleAdmin || !u.Active || u.SessionVersion != me.SessionVersion {
				t.Errorf("the last admin changed: %+v", u)
			}
			if admin.whoami() != "Alex Admin" {
				t.Errorf("the admin lost their session")
			}
		})
	}

	// With a second admin, the first may step down.
	manager := userByEmail(t, app, "manager@example.com")
	r := admin.fill("/admin/users/"+idString(manager.ID)+"/edit", `main form[action="/admin/users/`+idString(manager.ID)+`"]`,
		url.Values{"role": {"admin"}})
	wantStatus(t, "promote the manager", r, http.StatusSeeOther)
	r = admin.fill(edit, form, url.Values{"role": {"manager"}})
	wantStatus(t, "demote with another admin", r, http.StatusSeeOther)
	if u := userByEmail(t, app, "admin@example.com"); u.Role != models.RoleManager {
		t.Errorf("role = %s", u.Role)
	}
	if r := admin.get("/admin/users"); r.Status != http.StatusForbidden {
		t.Errorf("a demoted admin still reaches /admin/users: %d", r.Status)
	}
}

// ---------------------------------------------------------------------------
// Health, static files, headers

func TestHealthz(t *testing.T) {
	app := newTestApp(t)
	r := app.client(t).get("/healthz")
	wantStatus(t, "GET /healthz", r, http.StatusOK)
	if strings.TrimSpace(r.Body) != "ok" {
		t.Errorf("body %q", r.Body)
	}
	// It answers 503, not 200, once the database is gone.
	sqlDB, _ := app.DB.DB()
	sqlDB.Close()
	if r := app.client(t).get("/healthz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz with the database closed: %d, want 503", r.Status)
	}
}

func TestStaticFilesCaching(t *testing.T) {
	app := newTestApp(t)
	doc := app.client(t).get("/login").doc(t)
	css, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := doc.Find(`script[src]`).Attr("src")
	for _, tc := range []struct{ url, ctype string }{{css, "text/css"}, {js, "javascript"}} {
		t.Run(tc.url, func(t *testing.T) {
			if !strings.HasPrefix(tc.url, "/static/") || !strings.Contains(tc.url, "?v=") {
				t.Fatalf("asset URL %q is not fingerprinted", tc.url)
			}
			c := app.client(t)
			r := c.get(tc.url)
			wantStatus(t, "GET "+tc.url, r, http.StatusOK)
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control %q, want a year and immutable", cc)
			}
			if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, tc.ctype) {
				t.Errorf("Content-Type %q", ct)
			}
			if len(r.Body) == 0 {
				t.Errorf("empty file")
			}
			path := strings.SplitN(tc.url, "?", 2)[0]
			for _, stale := range []string{path, path + "?v=0000", path + "?v="} {
				r := c.get(stale)
				wantStatus(t, "GET "+stale, r, http.StatusOK)
				if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "31536000") || cc == "" {
					t.Errorf("GET %s: Cache-Control %q, want a short cache", stale, cc)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, app.URL+tc.url, nil)
			req.Header.Set("If-None-Match", r.Header.Get("ETag"))
			if r.Header.Get("ETag") == "" {
				t.Errorf("no ETag")
			} else if nm := c.do(req); nm.Status != http.StatusNotModified {
				t.Errorf("conditional GET: %d, want 304", nm.Status)
			}
		})
	}
	for _, p := range []string{"/static/nope.css", "/static/css/", "/static/../go.mod", "/static/%2e%2e/main.go", "/static/static.go"} {
		if r := app.client(t).get(p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.Status)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	anon := app.client(t)
	rep := app.client(t).login("rep@example.com")
	o := oppOwnedBy(t, app, "rep@example.com")
	pages := []struct {
		c    *client
		path string
	}{
		{anon, "/login"}, {anon, "/healthz"}, {anon, "/no-such-page"}, {anon, "/static/css/app.css"},
		{anon, "/organizations"}, {rep, "/"}, {rep, "/opportunities"}, {rep, "/opportunities/new"},
		{rep, "/opportunities/" + idString(o.ID)}, {rep, "/opportunities/" + idString(o.ID) + "/edit"},
		{rep, "/organizations/new"}, {rep, "/admin/users"},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			r := p.c.get(p.path)
			csp := r.Header.Get("Content-Security-Policy")
			if csp == "" {
				t.Fatalf("no Content-Security-Policy (status %d)", r.Status)
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP allows %s: %q", bad, csp)
				}
			}
			for _, need := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, need) {
					t.Errorf("CSP lacks %s: %q", need, csp)
				}
			}
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := r.Header.Get("Referrer-Policy"); got == "" {
				t.Errorf("no Referrer-Policy")
			}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				// Under this CSP inline script and style would be blocked: there must be none.
				doc := r.doc(t)
				if n := doc.Find("script:not([src]), style, [style]").Length(); n != 0 {
					t.Errorf("%d inline scripts or styles that the CSP blocks", n)
				}
				for _, attr := range []string{"onclick", "onload", "onsubmit", "onchange"} {
					if n := doc.Find("[" + attr + "]").Length(); n != 0 {
						t.Errorf("%d inline %s handlers that the CSP blocks", n, attr)
					}
				}
			}
		})
	}
}

// Editing a record whose owner has been deactivated must not hand it to someone
// else behind the editor's back: the owner stays, or the form asks for a new one.
func TestEditKeepsADeactivatedOwner(t *testing.T) {
	app := newTestApp(t)
	manager := app.client(t).login("manager@example.com")
	gone := userByEmail(t, app, "rep2@example.com")
	opp := openOppOwnedBy(t, app, "rep2@example.com")
	var org models.Organization
	if err := app.DB.Where("owner_id = ?", gone.ID).Order("id").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Model(&models.User{}).Where("id = ?", gone.ID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}

	t.Run("opportunity", func(t *testing.T) {
		r := manager.fill("/opportunities/"+idString(opp.ID)+"/edit", `main form[method="post"]`, url.Values{"title": {"Retitled"}})
		got := loadOpp(t, app, opp.ID)
		switch r.Status {
		case http.StatusSeeOther:
			if got.OwnerID != gone.ID {
				t.Errorf("saving only a new title moved the opportunity from user %d to user %d", gone.ID, got.OwnerID)
			}
		case http.StatusUnprocessableEntity:
			wantFieldError(t, r.doc(t), "owner_id", "")
			if got.Title != opp.Title {
				t.Errorf("saved despite the error")
			}
		default:
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("organization", func(t *testing.T) {
		r := manager.fill("/organizations/"+idString(org.ID)+"/edit", `main form[method="post"]`, url.Values{"city": {"Elsewhere"}})
		var got models.Organization
		app.DB.First(&got, org.ID)
		switch r.Status {
		case http.StatusSeeOther:
			if got.OwnerID == nil || *got.OwnerID != gone.ID {
				t.Errorf("saving only a new city changed the owner from user %d to %v", gone.ID, got.OwnerID)
			}
		case http.StatusUnprocessableEntity:
			wantFieldError(t, r.doc(t), "owner_id", "")
		default:
			t.Fatalf("status %d", r.Status)
		}
	})
}

// An organization marked Dead still owns its opportunities: editing one of them
// (say, to note the next step) must not require moving it to another organization or
// silently drop its contact.
func TestEditOpportunityOfADeadOrganization(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	o := openOppOwnedBy(t, app, "rep@example.com")
	if err := app.DB.Model(&models.Organization{}).Where("id = ?", o.OrganizationID).Update("type", "dead").Error; err != nil {
		t.Fatal(err)
	}
	r := rep.fill("/opportunities/"+idString(o.ID)+"/edit", `main form[method="post"]`, url.Values{"next_step": {"Close it as lost"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 (errors: %q)", r.Status, allErrors(r.doc(t)))
	}
	got := loadOpp(t, app, o.ID)
	if got.NextStep != "Close it as lost" || got.OrganizationID != o.OrganizationID {
		t.Errorf("saved next step %q organization %d, want the change at organization %d", got.NextStep, got.OrganizationID, o.OrganizationID)
	}
	if got.ContactID == nil || *got.ContactID != *o.ContactID {
		t.Errorf("the contact was dropped: %v", got.ContactID)
	}
}

// What people type is shown as text, never run as markup.
func TestUserInputIsEscaped(t *testing.T) {
	app := newTestApp(t)
	rep := app.client(t).login("rep@example.com")
	name := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	r := rep.fill("/organizations/new", `main form[method="post"]`, url.Values{"name": {name}, "type": {"lead"}})
	wantStatus(t, "POST /organizations", r, http.StatusSeeOther)
	for _, p := range []string{r.Location, "/organizations", "/"} {
		doc := rep.get(p).doc(t)
		if n := doc.Find("main script, main img, [onerror]").Length(); n != 0 {
			t.Errorf("GET %s: the name became markup (%d elements)", p, n)
		}
		if !strings.Contains(doc.Find("main").Text(), name) {
			t.Errorf("GET %s: the name is not shown as text", p)
		}
	}
}

// ---------------------------------------------------------------------------
// Admin: stages and picklists

func TestAdminStagesAndPicklists(t *testing.T) {
	app := newTestApp(t)
	admin := app.client(t).login("admin@example.com")
	add := `main form[action="/admin/stages"]`

	stages := countRows(t, app, &models.Stage{})
	for _, tc := range []struct{ name, field, value, msg string }{
		{"probability 101", "default_probability", "101", "0 to 100"},
		{"probability text", "default_probability", "most", "0 to 100"},
		{"no name", "name", " ", "Name is required"},
		{"name taken", "name", "proposal", "already"},
	} {
		t.Run("stage "+tc.name, func(t *testing.T) {
			changes := url.Values{"name": {"Contract review"}, "default_probability": {"60"}}
			changes.Set(tc.field, tc.value)
			r := admin.fill("/admin/stages", add, changes)
			wantStatus(t, "POST /admin/stages", r, http.StatusUnprocessableEntity)
			wantFieldError(t, r.doc(t), tc.field, tc.msg)
			if n := countRows(t, app, &models.Stage{}); n != stages {
				t.Errorf("stages %d, want %d", n, stages)
			}
		})
	}
	r := admin.fill("/admin/stages", add, url.Values{"name": {"Contract review"}, "default_probability": {"60"}})
	wantStatus(t, "POST /admin/stages", r, http.StatusSeeOther)
	var s models.Stage
	if err := app.DB.Where("name = ?", "Contract review").First(&s).Error; err != nil {
		t.Fatalf("stage not saved: %v", err)
	}
	if s.DefaultProbability != 60 || !s.Active || s.IsWon || s.IsLost {
		t.Errorf("saved %+v", s)
	}

	// A stage in use is not deleted; an unused one is.
	var used models.Stage
	app.DB.Where("id IN (SELECT stage_id FROM opportunities)").Order("id").First(&used)
	confirm := admin.get("/admin/stages/" + idString(used.ID) + "/delete")
	wantStatus(t, "confirm deleting a stage in use", confirm, http.StatusOK)
	if confirm.doc(t).Find(`main form[action$="/delete"]`).Length() != 0 || !strings.Contains(confirm.Body, "deactivate it instead") {
		t.Errorf("the confirmation offers to delete a stage in use")
	}
	r = admin.postWithToken("/", "/admin/stages/"+idString(used.ID)+"/delete", nil)
	wantStatus(t, "POST delete of a stage in use", r, http.StatusSeeOther)
	if f := flashOf(t, admin.get(r.Location)); !strings.Contains(f, "Not deleted") {
		t.Errorf("flash = %q", f)
	}
	if err := app.DB.First(&models.Stage{}, used.ID).Error; err != nil {
		t.Errorf("a stage in use was deleted: %v", err)
	}
	r = admin.fill("/admin/stages/"+idString(s.ID)+"/delete", `main form[method="post"]`, nil)
	wantStatus(t, "delete an unused stage", r, http.StatusSeeOther)
	if err := app.DB.First(&models.Stage{}, s.ID).Error; err == nil {
		t.Errorf("the unused stage is still there")
	}

	// An inactive picklist value is no longer offered on new opportunities.
	comp := picklistValue(t, app, models.Competitors)
	r = admin.fill("/admin/picklists/competitor/"+idString(comp.ID)+"/edit", `main form[method="post"]`, url.Values{"active": nil})
	wantStatus(t, "deactivate a competitor", r, http.StatusSeeOther)
	rep := app.client(t).login("rep@example.com")
	if rep.get("/opportunities/new").doc(t).Find(`#competitor_id option[value="`+idString(comp.ID)+`"]`).Length() != 0 {
		t.Errorf("an inactive competitor is still offered")
	}
	form, _, _ := newOppForm(t, app, rep)
	form.Set("competitor_id", idString(comp.ID))
	r = rep.post("/opportunities", form)
	wantStatus(t, "POST with an inactive competitor", r, http.StatusUnprocessableEntity)
	wantFieldError(t, r.doc(t), "competitor_id", "Choose a value")
}
