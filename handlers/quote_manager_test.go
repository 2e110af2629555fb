package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"salesdesk/models"
)

const qmQuotes = "/api/integrations/quote-manager/quotes"

// qmBody is a valid API body for opportunity opp, with edit applied (nil deletes).
func qmBody(opp uint, edit map[string]any) []byte {
	m := map[string]any{
		"external_id":        "QM-1001",
		"number":             "QM-Q-1001",
		"title":              "Managed firewall, 3 years",
		"opportunity_id":     opp,
		"status":             "Sent",
		"currency":           "USD",
		"totals":             map[string]any{"one_time": "1250.00", "monthly": "99.90", "yearly": 0, "total": "2448.80"},
		"expires_on":         time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02"),
		"owner_email":        "rep@example.com",
		"document_url":       "https://quotes.example.com/d/QM-1001.pdf",
		"sales_order_number": "SO-77",
		"sales_order_status": "Awaiting approval",
		"updated_at":         "2026-11-26T10:00:00Z",
	}
	for k, v := range edit {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// apiResponse is one answer of the API, its JSON read.
type apiResponse struct {
	Status int
	Body   string
	JSON   map[string]any
	Header http.Header
}

func (r apiResponse) problems() string {
	var f []string
	ps, _ := r.JSON["problems"].([]any)
	for _, p := range ps {
		f = append(f, p.(map[string]any)["field"].(string))
	}
	return strings.Join(f, ",")
}

// apiCall sends one request as the external tool does: no cookie, a bearer key.
func apiCall(t testing.TB, hc *http.Client, app *testApp, method, path, key, ctype string, body []byte) apiResponse {
	t.Helper()
	req, err := http.NewRequest(method, app.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	r := apiResponse{Status: res.StatusCode, Body: buf.String(), Header: res.Header}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON (status %d)", method, path, res.Header.Get("Content-Type"), res.StatusCode)
	}
	json.Unmarshal(buf.Bytes(), &r.JSON)
	return r
}

func postQuote(t testing.TB, app *testApp, key string, body []byte) apiResponse {
	t.Helper()
	return apiCall(t, http.DefaultClient, app, http.MethodPost, qmQuotes, key, "application/json", body)
}

// qmOn activates the integration and makes a key, as an admin would.
func qmOn(t testing.TB, app *testApp) string {
	t.Helper()
	setFeatureState(t, app, quoteManagerOn)
	key, err := models.NewQuoteManagerKey(app.DB, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// repOpp is an open opportunity of rep@example.com in the demo data.
func repOpp(t testing.TB, app *testApp, skip int) models.Opportunity {
	t.Helper()
	var o models.Opportunity
	if err := app.DB.Joins("JOIN users ON users.id = opportunities.owner_id").
		Where("users.email = ? AND opportunities.status = ?", "rep@example.com", "active").
		Order("opportunities.id").Offset(skip).First(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func TestQuoteManagerKeyLifecycle(t *testing.T) {
	app := newTestApp(t)
	opp := repOpp(t, app, 0)
	setFeatureState(t, app, quoteManagerOn)
	admin := app.client(t).login("admin@example.com")

	page := admin.get("/admin/quote-manager")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "No key is active") {
		t.Fatalf("settings page: %d %s", page.Status, excerpt(page.Body))
	}
	if r := postQuote(t, app, "", qmBody(opp.ID, nil)); r.Status != http.StatusUnauthorized {
		t.Fatalf("no key at all: %d", r.Status)
	}
	makeKey := func() string {
		t.Helper()
		r := admin.post("/admin/quote-manager/key", url.Values{"csrf_token": {admin.token("/admin/quote-manager")}})
		if r.Status != http.StatusOK {
			t.Fatalf("make key: %d %s", r.Status, excerpt(r.Body))
		}
		key, _ := r.doc(t).Find("#new-key").Attr("value")
		if !strings.HasPrefix(key, "sdqm_") {
			t.Fatalf("no key shown: %q", key)
		}
		if again := admin.get("/admin/quote-manager"); strings.Contains(again.Body, key) {
			t.Fatal("the key is shown a second time")
		}
		return key
	}
	k1 := makeKey()
	if r := postQuote(t, app, k1, qmBody(opp.ID, nil)); r.Status != http.StatusCreated || r.JSON["result"] != "created" {
		t.Fatalf("with the key: %d %s", r.Status, r.Body)
	}
	k2 := makeKey()
	if r := postQuote(t, app, k1, qmBody(opp.ID, nil)); r.Status != http.StatusUnauthorized {
		t.Fatalf("the rotated-out key: %d", r.Status)
	}
	if r := postQuote(t, app, k2, qmBody(opp.ID, nil)); r.Status != http.StatusOK || r.JSON["result"] != "unchanged" {
		t.Fatalf("the new key: %d %s", r.Status, r.Body)
	}
	if r := admin.get("/admin/quote-manager/key/revoke"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Revoke the key") {
		t.Fatalf("revoke confirmation: %d", r.Status)
	}
	if r := admin.post("/admin/quote-manager/key/revoke", url.Values{"csrf_token": {admin.token("/admin/quote-manager")}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := postQuote(t, app, k2, qmBody(opp.ID, nil)); r.Status != http.StatusUnauthorized {
		t.Fatalf("the revoked key: %d", r.Status)
	}
	// Other schemes and a key with junk around it are refused too.
	req, _ := http.NewRequest(http.MethodPost, app.URL+qmQuotes, bytes.NewReader(qmBody(opp.ID, nil)))
	req.Header.Set("Authorization", "Basic "+k2)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("Basic: %v %v", res, err)
	}

	// The log lists every call, and never a key.
	logPage := admin.get("/admin/quote-manager/log")
	if logPage.Status != http.StatusOK || strings.Count(logPage.Body, "401 Unauthorized") < 3 || !strings.Contains(logPage.Body, "QM-1001") {
		t.Fatalf("log page: %d %s", logPage.Status, excerpt(logPage.Body))
	}
	var entries []models.IntegrationLogEntry
	app.DB.Find(&entries)
	for _, e := range entries {
		for _, k := range []string{k1, k2} {
			if strings.Contains(fmt.Sprint(e), k) {
				t.Fatalf("the log holds a key: %+v", e)
			}
		}
	}
	var s models.QuoteManagerSettings
	app.DB.First(&s)
	if strings.Contains(fmt.Sprint(s), k2) || strings.Contains(fmt.Sprint(s), k1) {
		t.Fatal("the settings hold a key in clear")
	}
}

func TestQuoteManagerAPIAnswers(t *testing.T) {
	app := newTestApp(t)
	opp := repOpp(t, app, 0)
	other := repOpp(t, app, 1)

	// Inactive: 404, whatever the key.
	key, err := models.NewQuoteManagerKey(app.DB, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if r := postQuote(t, app, key, qmBody(opp.ID, nil)); r.Status != http.StatusNotFound {
		t.Fatalf("inactive POST: %d", r.Status)
	}
	if r := apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/QM-1001", key, "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("inactive DELETE: %d", r.Status)
	}
	setFeatureState(t, app, quoteManagerOn)

	cases := []struct {
		name, ctype string
		body        []byte
		want        int
		problems    string
	}{
		{"created", "application/json", qmBody(opp.ID, nil), http.StatusCreated, ""},
		{"the same body again", "application/json; charset=utf-8", qmBody(opp.ID, nil), http.StatusOK, ""},
		{"older update", "application/json", qmBody(opp.ID, map[string]any{"updated_at": "2026-11-25T10:00:00Z", "status": "Declined"}), http.StatusOK, ""},
		{"not JSON", "text/plain", qmBody(opp.ID, nil), http.StatusUnsupportedMediaType, ""},
		{"malformed", "application/json", []byte(`{"external_id":`), http.StatusUnprocessableEntity, ""},
		{"wrong types", "application/json", qmBody(opp.ID, map[string]any{"opportunity_id": "x", "totals": []int{}}), http.StatusUnprocessableEntity, "opportunity_id,totals"},
		{"negative and huge", "application/json", qmBody(opp.ID, map[string]any{"totals": map[string]any{"one_time": -1, "monthly": "1e9", "yearly": "100000000000000000", "total": 1}}),
			http.StatusUnprocessableEntity, "totals.one_time,totals.monthly,totals.yearly"},
		{"bad status", "application/json", qmBody(opp.ID, map[string]any{"status": "Lost"}), http.StatusUnprocessableEntity, "status"},
		{"missing fields", "application/json", qmBody(opp.ID, map[string]any{"title": nil, "updated_at": nil}), http.StatusUnprocessableEntity, "title,updated_at"},
		{"unknown opportunity", "application/json", qmBody(999999, map[string]any{"external_id": "QM-NEW"}), http.StatusUnprocessableEntity, "opportunity_id"},
		{"the id of another opportunity's quote", "application/json", qmBody(other.ID, map[string]any{"updated_at": "2026-11-27T10:00:00Z"}), http.StatusUnprocessableEntity, "opportunity_id"},
		{"over 1 MB", "application/json", append(qmBody(opp.ID, nil)[:1], bytes.Repeat([]byte(" "), models.MaxQuoteManagerBody+1)...), http.StatusRequestEntityTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := apiCall(t, http.DefaultClient, app, http.MethodPost, qmQuotes, key, c.ctype, c.body)
			if r.Status != c.want {
				t.Fatalf("status %d, want %d: %s", r.Status, c.want, r.Body)
			}
			if c.want == http.StatusUnprocessableEntity && c.problems != "" && r.problems() != c.problems {
				t.Fatalf("problems %q, want %q: %s", r.problems(), c.problems, r.Body)
			}
		})
	}
	var q models.ExternalQuote
	if err := app.DB.Where("external_id = ?", "QM-1001").First(&q).Error; err != nil {
		t.Fatal(err)
	}
	if q.OpportunityID != opp.ID || q.Status != models.ExtSent || q.Total != 244880 {
		t.Fatalf("stored %+v", q)
	}
	var n int64
	app.DB.Model(&models.ExternalQuote{}).Count(&n)
	if n != 1 {
		t.Fatalf("%d external quotes, want 1", n)
	}

	// A chunked body (no Content-Length) over the limit is cut off too.
	req, _ := http.NewRequest(http.MethodPost, app.URL+qmQuotes, struct{ *bytes.Reader }{bytes.NewReader(bytes.Repeat([]byte(" "), 2<<20))})
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked over 1 MB: %v %v", res, err)
	}

	// DELETE withdraws; unknown ids are 404; a GET is not a 500.
	if r := apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/QM-1001", key, "", nil); r.Status != http.StatusOK || r.JSON["status"] != "withdrawn" {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if r := apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/QM-404", key, "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("DELETE unknown: %d", r.Status)
	}
	if r := apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/QM-1001", "wrong", "", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("DELETE with a wrong key: %d", r.Status)
	}
	if r := apiCall(t, http.DefaultClient, app, http.MethodGet, qmQuotes, key, "", nil); r.Status >= 500 || r.Status == http.StatusOK {
		t.Fatalf("GET: %d", r.Status)
	}
	app.DB.Where("external_id = ?", "QM-1001").First(&q)
	if q.Status != models.ExtWithdrawn {
		t.Fatalf("after DELETE: %s", q.Status)
	}
	// A cookie session and no key is not enough: the API takes no session.
	admin := app.client(t).login("admin@example.com")
	if r := admin.post(qmQuotes, url.Values{"csrf_token": {admin.token("/")}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("a signed-in admin without the key: %d", r.Status)
	}
}

// TestQuoteManagerAPIBurst sends 1,000 calls at once: 200 quotes, each in
// five versions that arrive in random order. Every call is answered (never a
// 500 or a "database is locked"), every quote ends at its newest version, and
// every call is in the log.
func TestQuoteManagerAPIBurst(t *testing.T) {
	app := newTestApp(t)
	key := qmOn(t, app)
	opp := repOpp(t, app, 0)
	const quotes, versions = 200, 5
	type call struct{ q, v int }
	var calls []call
	for q := 0; q < quotes; q++ {
		for v := 1; v <= versions; v++ {
			calls = append(calls, call{q, v})
		}
	}
	rand.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string]int{}
	created := map[int]int{}
	var failures []string
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := qmBody(opp.ID, map[string]any{"external_id": fmt.Sprintf("B-%03d", c.q), "title": fmt.Sprintf("version %d", c.v),
				"updated_at": time.Date(2026, 11, 26, 10, 0, c.v, 0, time.UTC).Format(time.RFC3339)})
			req, _ := http.NewRequest(http.MethodPost, app.URL+qmQuotes, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := hc.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err.Error())
				return
			}
			defer res.Body.Close()
			var out map[string]any
			json.NewDecoder(res.Body).Decode(&out)
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
				failures = append(failures, fmt.Sprintf("%d %v", res.StatusCode, out))
				return
			}
			results[fmt.Sprint(out["result"])]++
			if out["result"] == "created" {
				created[c.q]++
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d calls failed, first: %s", len(failures), len(calls), failures[0])
	}
	if results["created"] != quotes || len(created) != quotes {
		t.Fatalf("results %v: want %d created, one per quote", results, quotes)
	}
	var rows []models.ExternalQuote
	app.DB.Where("external_id LIKE ?", "B-%").Find(&rows)
	if len(rows) != quotes {
		t.Fatalf("%d quotes stored, want %d", len(rows), quotes)
	}
	for _, r := range rows {
		if r.Title != fmt.Sprintf("version %d", versions) {
			t.Fatalf("%s ended at %q, want the newest version", r.ExternalID, r.Title)
		}
	}
	var logged int64
	app.DB.Model(&models.IntegrationLogEntry{}).Where("external_id LIKE ?", "B-%").Count(&logged)
	if logged != int64(len(calls)) {
		t.Fatalf("%d calls logged, want %d", logged, len(calls))
	}
}

// TestQuoteManagerUISwitch walks every page that lists quotes with the
// integration on, off and on again: on, they show the external quotes and
// the built-in quote pages answer 404; off, the reverse, with the built-in
// quote as it was.
func TestQuoteManagerUISwitch(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	bOpp := qtNewOpp(t, app, rep)
	bq := qtNewQuote(t, app, bOpp, rep, "Built-in switch quote", qtItems())
	token := qtSend(t, app, bq)
	eOpp := qtNewOpp(t, app, rep)
	key := qmOn(t, app)
	if err := models.SaveQuoteManagerSettings(app.DB, models.QuoteManagerForm{DisplayName: "Kaseya QM", BaseURL: "https://qm.example.com/new"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := postQuote(t, app, key, qmBody(eOpp.ID, map[string]any{"number": "EXT-555", "title": "External switch quote"})); r.Status != http.StatusCreated {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	repC := app.client(t).login("rep@example.com")
	mgr := app.client(t).login("manager@example.com")
	admin := app.client(t).login("admin@example.com")
	anon := app.client(t)
	const builtIn, external = "Built-in switch quote", "External switch quote"
	bPath, ePath := "/opportunities/"+idString(bOpp.ID), "/opportunities/"+idString(eOpp.ID)

	for _, on := range []bool{true, false, true} {
		state := map[bool]featureState{true: quoteManagerOn, false: allOn}[on]
		setFeatureState(t, app, state)
		show, hide := external, builtIn
		if !on {
			show, hide = builtIn, external
		}
		// The nav's Quotes entry, and /quotes.
		home := repC.get("/")
		if home.doc(t).Find(`#nav a[href="/quotes"]`).Length() != 1 {
			t.Errorf("%s: no Quotes entry in the nav", state)
		}
		homeQuotes := home.doc(t).Find(`section[aria-labelledby="home-quotes-h"]`)
		if homeQuotes.Length() != 1 || strings.Contains(homeQuotes.Text(), hide) {
			t.Errorf("%s: Home's quotes %q", state, homeQuotes.Text())
		}
		if on && !strings.Contains(homeQuotes.Text(), "EXT-555") {
			t.Errorf("%s: Home lacks the external quote: %q", state, homeQuotes.Text())
		}
		if !on && homeQuotes.Find(`a[href^="/quotes/"]`).Length() == 0 {
			t.Errorf("%s: Home lists no built-in quote", state)
		}
		list := repC.get("/quotes")
		if list.Status != http.StatusOK || !strings.Contains(list.Body, show) || strings.Contains(list.Body, hide) {
			t.Errorf("%s: /quotes %d, want %q and not %q", state, list.Status, show, hide)
		}
		// The opportunities' quotes.
		bPage, ePage := repC.get(bPath), repC.get(ePath)
		if on {
			d := ePage.doc(t)
			sec := d.Find(`section[aria-labelledby="quotes-h"]`)
			if !strings.Contains(sec.Text(), "EXT-555") || !strings.Contains(sec.Text(), "SO-77") || !strings.Contains(sec.Text(), "$2,448.80") ||
				sec.Find(`a[href="https://quotes.example.com/d/QM-1001.pdf"]`).Length() != 1 {
				t.Errorf("%s: the opportunity's external quote: %q", state, sec.Text())
			}
			if href, _ := sec.Find(`a.button`).Attr("href"); href != "https://qm.example.com/new?opportunity_id="+idString(eOpp.ID) {
				t.Errorf("%s: New quote leads to %q", state, href)
			}
			if strings.Contains(bPage.Body, builtIn) || bPage.doc(t).Find(`main a[href^="/quotes/"], main a[href$="/quotes/new"]`).Length() != 0 {
				t.Errorf("%s: the opportunity shows a built-in quote", state)
			}
		} else {
			if !strings.Contains(bPage.Body, builtIn) || bPage.doc(t).Find(`main a[href="`+qtPath(bq, "")+`"]`).Length() != 1 {
				t.Errorf("%s: the opportunity lacks its built-in quote", state)
			}
			if strings.Contains(ePage.Body, "EXT-555") {
				t.Errorf("%s: the opportunity shows an external quote", state)
			}
		}
		// The built-in quote pages, and the integration's own.
		want := map[bool]int{true: http.StatusNotFound, false: http.StatusOK}[on]
		for _, p := range []string{qtPath(bq, ""), qtPath(bq, ".pdf"), qtPath(bq, "/print"), qtPath(bq, "/edit"), "/quotes/new", bPath + "/quotes/new"} {
			if r := repC.get(p); r.Status != want {
				t.Errorf("%s: GET %s %d, want %d", state, p, r.Status, want)
			}
		}
		for _, p := range []string{"/q/" + token, "/q/" + token + "/pdf"} {
			if r := anon.get(p); r.Status != want {
				t.Errorf("%s: GET %s %d, want %d", state, p, r.Status, want)
			}
		}
		qmWant := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[on]
		for _, p := range []string{"/admin/quote-manager", "/admin/quote-manager/log"} {
			if r := admin.get(p); r.Status != qmWant {
				t.Errorf("%s: GET %s %d, want %d", state, p, r.Status, qmWant)
			}
		}
		// The funnel's Quoted stage and its drill-down.
		funnel := mgr.get("/reports/funnel?preset=all")
		link, ok := funnel.doc(t).Find(`a[href*="quoted=1"]`).First().Attr("href")
		if funnel.Status != http.StatusOK || !ok {
			t.Fatalf("%s: funnel %d, no Quoted link", state, funnel.Status)
		}
		for _, o := range []models.Opportunity{bOpp, eOpp} {
			drill := mgr.get(link + "&q=" + url.QueryEscape(o.Title))
			listed := drill.doc(t).Find(`main a[href="/opportunities/`+idString(o.ID)+`"]`).Length() > 0
			if wantListed := (o.ID == eOpp.ID) == on; listed != wantListed {
				t.Errorf("%s: the Quoted drill-down lists %q: %v, want %v", state, o.Title, listed, wantListed)
			}
		}
	}
	if s := qtLoad(t, app, bq.ID); s.Status != models.QuoteSent || len(s.Items) != len(qtItems()) || s.Name != builtIn {
		t.Errorf("the built-in quote changed: %+v", s)
	}
}

// TestExternalQuoteWonAndDeclined: a won quote offers "Mark as won" with its
// totals, a declined one "Mark as lost"; with the setting ticked, a won quote
// closes the opportunity by itself.
func TestExternalQuoteWonAndDeclined(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	key := qmOn(t, app)
	repC := app.client(t).login("rep@example.com")
	won, declined, auto := qtNewOpp(t, app, rep), qtNewOpp(t, app, rep), qtNewOpp(t, app, rep)

	postQuote(t, app, key, qmBody(won.ID, map[string]any{"external_id": "W-1", "status": "Won"}))
	postQuote(t, app, key, qmBody(declined.ID, map[string]any{"external_id": "D-1", "status": "Declined"}))
	page := repC.get("/opportunities/" + idString(won.ID)).doc(t)
	winLink, _ := page.Find(`a.button[href^="/external-quotes/"][href$="/won"]`).First().Attr("href")
	if !strings.HasPrefix(winLink, "/external-quotes/") || !strings.Contains(page.Find(".flash").Text(), "was won") {
		t.Fatalf("no Mark as won for the won quote: %q", winLink)
	}
	form := repC.get(winLink)
	if form.Status != http.StatusOK || !strings.Contains(form.Body, "$1,250.00 one-time + $99.90 monthly") {
		t.Fatalf("won form %d: %s", form.Status, excerpt(form.Body))
	}
	var reason models.PicklistValue
	app.DB.Where("kind = ? AND active = ?", models.WinReasons, true).First(&reason)
	r := repC.post(winLink, url.Values{"csrf_token": {repC.token(winLink)}, "reason_id": {""}, "date": {"2026-11-26"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no reason: %d", r.Status)
	}
	r = repC.post(winLink, url.Values{"csrf_token": {repC.token(winLink)}, "reason_id": {idString(reason.ID)}, "date": {"2026-11-26"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("won: %d %s", r.Status, excerpt(r.Body))
	}
	o := loadOpp(t, app, won.ID)
	if o.Status != models.StatusClosed || o.Revenue.OneTime != 125000 || o.Revenue.Monthly != 9990 || o.Amount != 125000+12*9990 {
		t.Fatalf("after won: %s %+v", o.Status, o.Revenue)
	}
	if r := repC.get(winLink); r.Status != http.StatusConflict {
		t.Fatalf("won twice: %d", r.Status)
	}

	page = repC.get("/opportunities/" + idString(declined.ID)).doc(t)
	loseLink, _ := page.Find(`a.button[href$="/lost"][href^="/external-quotes/"]`).Attr("href")
	if loseLink == "" {
		t.Fatal("no Mark as lost for the declined quote")
	}
	var lr models.PicklistValue
	app.DB.Where("kind = ? AND active = ?", models.LossReasons, true).First(&lr)
	r = repC.post(loseLink, url.Values{"csrf_token": {repC.token(loseLink)}, "reason_id": {idString(lr.ID)}, "date": {"2026-11-26"}})
	if r.Status != http.StatusSeeOther || loadOpp(t, app, declined.ID).Status != models.StatusLost {
		t.Fatalf("lost: %d", r.Status)
	}

	// The automatic win, set on the settings page.
	admin := app.client(t).login("admin@example.com")
	r = admin.post("/admin/quote-manager", url.Values{"csrf_token": {admin.token("/admin/quote-manager")}, "display_name": {"QM"}, "auto_mark_won": {"on"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose the win reason") {
		t.Fatalf("automatic without a reason: %d", r.Status)
	}
	r = admin.post("/admin/quote-manager", url.Values{"csrf_token": {admin.token("/admin/quote-manager")}, "display_name": {"QM"}, "auto_mark_won": {"on"},
		"win_reason_id": {idString(reason.ID)}, "base_url": {"javascript:alert(1)"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "web address") {
		t.Fatalf("a script base URL: %d", r.Status)
	}
	r = admin.post("/admin/quote-manager", url.Values{"csrf_token": {admin.token("/admin/quote-manager")}, "display_name": {"QM"}, "auto_mark_won": {"on"},
		"win_reason_id": {idString(reason.ID)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.Status, excerpt(r.Body))
	}
	postQuote(t, app, key, qmBody(auto.ID, map[string]any{"external_id": "A-1"}))
	if o := loadOpp(t, app, auto.ID); o.Status != models.StatusActive {
		t.Fatalf("a sent quote closed the opportunity: %s", o.Status)
	}
	res := postQuote(t, app, key, qmBody(auto.ID, map[string]any{"external_id": "A-1", "status": "Won", "updated_at": "2026-11-26T11:00:00Z"}))
	if res.JSON["opportunity"] != "opportunity marked won" {
		t.Fatalf("automatic win: %s", res.Body)
	}
	if o := loadOpp(t, app, auto.ID); o.Status != models.StatusClosed || o.Revenue.Monthly != 9990 {
		t.Fatalf("after the automatic win: %s %+v", o.Status, o.Revenue)
	}
}
