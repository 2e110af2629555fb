package handlers_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// Two app servers on one database, as behind a load balancer without sticky
// sessions: one person's session alternates between them request by request.
// Nothing may live in only one process — the session, its CSRF token, the
// sign-in throttle, the features and the records all come from the database.
// It runs on PostgreSQL when DATABASE_URL points at one (CI does), else on
// one SQLite file shared by both servers.
func TestTwoInstancesShareOneSession(t *testing.T) {
	dsn := dbtest.NewDSN(t, true)
	a := newTestAppOn(t, dsn)
	b := newTestAppOn(t, dsn)
	if a.URL == b.URL {
		t.Fatal("the two servers share an address")
	}
	onA := a.client(t)
	onB := &client{t: t, app: b, http: onA.http} // the same browser: one cookie jar
	mgr := userByEmail(t, a, "manager@example.com")

	// Sign in on A; B knows the session.
	onA.login("manager@example.com")
	if r := onB.get("/"); r.Status != http.StatusOK || !strings.Contains(r.Body, mgr.Name) {
		t.Fatalf("B after signing in on A: status %d, Location %q; want the manager's home page", r.Status, r.Location)
	}

	// A form loaded on B is accepted on A with B's CSRF token.
	form := url.Values{"name": {"Two Instances Ltd"}, "type": {"prospect"}, "csrf_token": {onB.token("/organizations/new")}}
	r := onA.post("/organizations", form)
	wantStatus(t, "POST /organizations on A with B's token", r, http.StatusSeeOther)
	orgPath := r.Location
	if !strings.HasPrefix(orgPath, "/organizations/") {
		t.Fatalf("created organization: Location %q", orgPath)
	}

	// Edit it on B, see it on A.
	r = onB.fill(orgPath+"/edit", `main form[method="post"]`, url.Values{"name": {"Two Instances Group"}})
	wantStatus(t, "edit the organization on B", r, http.StatusSeeOther)
	if r := onA.get(orgPath); r.Status != http.StatusOK || !strings.Contains(r.Body, "Two Instances Group") {
		t.Fatalf("A shows the organization: status %d, renamed %v", r.Status, strings.Contains(r.Body, "Two Instances Group"))
	}

	// An opportunity edit loaded on A and saved on B bumps the version for both:
	// A's stale copy gets the conflict page, not an overwrite.
	o := openOppOwnedBy(t, a, "rep@example.com")
	edit := "/opportunities/" + idString(o.ID) + "/edit"
	stale, action := formValues(t, onA.get(edit).doc(t), `main form[method="post"]`)
	r = onB.fill(edit, `main form[method="post"]`, url.Values{"title": {"Saved on B"}})
	wantStatus(t, "save the opportunity on B", r, http.StatusSeeOther)
	stale.Set("title", "Stale on A")
	r = onA.post(action, stale)
	wantStatus(t, "save the stale copy on A", r, http.StatusConflict)
	if got := loadOpp(t, b, o.ID); got.Title != "Saved on B" || got.Version != o.Version+1 {
		t.Fatalf("after the conflict: %q v%d, want B's save at v%d", got.Title, got.Version, o.Version+1)
	}

	// A feature switched off on A is off on B at once.
	if r := onB.get("/sales-orders"); r.Status != http.StatusOK {
		t.Fatalf("B lists sales orders with Procurement on: status %d", r.Status)
	}
	admin := a.client(t).login("admin@example.com")
	r = admin.postWithToken("/admin/activations", "/admin/activations/procurement", url.Values{"active": {"off"}})
	wantStatus(t, "deactivate Procurement on A", r, http.StatusSeeOther)
	if r := onB.get("/sales-orders"); r.Status != http.StatusNotFound {
		t.Errorf("B serves the sales orders of a deactivated feature: status %d", r.Status)
	}

	// Signing out on A ends the session on B, even for a saved copy of the cookie.
	base, _ := url.Parse(a.URL)
	saved := onA.http.Jar.Cookies(base)
	r = onA.postWithToken("/", "/logout", nil)
	wantStatus(t, "sign out on A", r, http.StatusSeeOther)
	wantSignedOut(t, onB)
	jar, _ := cookiejar.New(nil)
	bURL, _ := url.Parse(b.URL)
	jar.SetCookies(bURL, saved)
	replay := &client{t: t, app: b, http: &http.Client{Jar: jar, CheckRedirect: onA.http.CheckRedirect}}
	wantSignedOut(t, replay)

	// Wrong passwords sent to both count together: the fifth locks the account
	// on both, and the right password no longer helps.
	guesser := a.client(t)
	other := &client{t: t, app: b, http: guesser.http}
	for i := range models.LoginMaxFailures {
		c := guesser
		if i%2 == 1 {
			c = other
		}
		c.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {"wrong guess"}})
	}
	for _, c := range []*client{guesser, other} {
		r := c.submit("/login", "/login", url.Values{"email": {"rep2@example.com"}, "password": {db.DemoPassword}})
		if r.Status == http.StatusSeeOther {
			t.Errorf("%s signed in after %d wrong passwords spread over both servers", c.app.URL, models.LoginMaxFailures)
		}
	}
}
