package handlers_test

// Fuzz targets for whole forms, through real HTTP on the real app: the form as
// its page renders it (CSRF token included), with fields replaced by the
// fuzzer's values. Whatever is sent, the answer is never a 5xx. Run one with
// `go test ./handlers -run '^$' -fuzz '^FuzzOpportunityForm$' -fuzztime 30s`.

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"salesdesk/models"
)

// formFuzzer holds one signed-in client and the form it fuzzes.
type formFuzzer struct {
	app    *testApp
	c      *client
	action string
	base   url.Values
	fields []string // the fields the fuzzer's values go into, in turn
}

// newFormFuzzer signs in as email and reads the form sel of page.
func newFormFuzzer(f *testing.F, email, page, sel string) *formFuzzer {
	app := newTestApp(f)
	c := app.client(f).login(email)
	return fuzzerFor(f, app, c, page, sel)
}

func fuzzerFor(f *testing.F, app *testApp, c *client, page, sel string) *formFuzzer {
	r := c.get(page)
	if r.Status != http.StatusOK {
		f.Fatalf("GET %s: %d", page, r.Status)
	}
	base, action := formValues(f, r.doc(f), sel)
	var fields []string
	for k := range base {
		if k != "csrf_token" {
			fields = append(fields, k)
		}
	}
	// A fixed order, so a crasher replays the same way.
	sortStrings(fields)
	return &formFuzzer{app: app, c: c, action: action, base: base, fields: fields}
}

// post sends the base form with the values put into fields which, which+1, ….
func (ff *formFuzzer) post(t *testing.T, which uint8, values ...string) response {
	t.Helper()
	form := url.Values{}
	for k, v := range ff.base {
		form[k] = append([]string(nil), v...)
	}
	for i, v := range values {
		if len(ff.fields) > 0 {
			form.Set(ff.fields[(int(which)+i)%len(ff.fields)], v)
		}
	}
	c := *ff.c
	c.t = t
	r := c.post(ff.action, form)
	if r.Status >= 500 {
		t.Fatalf("POST %s answered %d for %q\n%s", ff.action, r.Status, form, excerpt(r.Body))
	}
	return r
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// addFormSeeds seeds a form fuzzer with hostile values in every position.
func addFormSeeds(f *testing.F) {
	f.Add(uint8(0), "", "", "", "")
	f.Add(uint8(1), "<script>alert(1)</script>", `"'><img src=x onerror=alert(1)>`, "' OR 1=1 --", "\x00")
	f.Add(uint8(2), "1e309", "-1", "99999999999999999999", "0000-00-00")
	f.Add(uint8(3), "99999-12-31", "\xff\xfe", strings.Repeat("x", 5000), "-9223372036854775808")
	f.Add(uint8(4), "2026-12-31", "12.5", "$1,250.50", "100")
	f.Add(uint8(5), "0", "on", "4294967296", "1")
	f.Add(uint8(7), "-$3.00", "0.0001", "1000000", "up")
	f.Add(uint8(11), "percent", "per_unit", "monthly", "service")
}

func FuzzOpportunityForm(f *testing.F) {
	addFormSeeds(f)
	ff := newFormFuzzer(f, "rep@example.com", "/opportunities/new", `form[action="/opportunities"]`)
	f.Fuzz(func(t *testing.T, which uint8, a, b, c, d string) {
		ff.post(t, which, a, b, c, d)
	})
}

func FuzzQuoteItemForm(f *testing.F) {
	addFormSeeds(f)
	app := newTestApp(f)
	rep := userByEmail(f, app, "rep@example.com")
	q := qtNewQuote(f, app, qtNewOpp(f, app, rep), rep, "Fuzzed quote", qtItems())
	c := app.client(f).login("admin@example.com")
	ff := fuzzerFor(f, app, c, "/quotes/"+idString(q.ID), `form[action$="/items"]`)
	f.Fuzz(func(t *testing.T, which uint8, a, b, c, d string) {
		ff.post(t, which, a, b, c, d)
	})
}

func FuzzQuoteHeaderForm(f *testing.F) {
	addFormSeeds(f)
	app := newTestApp(f)
	rep := userByEmail(f, app, "rep@example.com")
	q := qtNewQuote(f, app, qtNewOpp(f, app, rep), rep, "Fuzzed quote", qtItems())
	c := app.client(f).login("admin@example.com")
	ff := fuzzerFor(f, app, c, "/quotes/"+idString(q.ID)+"/edit", `form[action="/quotes/`+idString(q.ID)+`"]`)
	f.Fuzz(func(t *testing.T, which uint8, a, b, c, d string) {
		ff.post(t, which, a, b, c, d)
	})
}

func FuzzOutcomeForm(f *testing.F) {
	addFormSeeds(f)
	app := newTestApp(f)
	c := app.client(f).login("admin@example.com")
	var opps []models.Opportunity
	if err := app.DB.Where("status = ?", models.StatusActive).Order("id").Limit(2).Find(&opps).Error; err != nil || len(opps) < 2 {
		f.Fatalf("two open opportunities: %v", err)
	}
	lost := fuzzerFor(f, app, c, "/opportunities/"+idString(opps[0].ID)+"/lost", `form[action$="/lost"]`)
	won := fuzzerFor(f, app, c, "/opportunities/"+idString(opps[1].ID)+"/won", `form[action$="/won"]`)
	f.Fuzz(func(t *testing.T, which uint8, a, b, c, d string) {
		lost.post(t, which, a, b, c, d)
		won.post(t, which, a, b, c, d)
	})
}

// FuzzLeadImport uploads the fuzzer's file as a lead import and opens its preview.
func FuzzLeadImport(f *testing.F) {
	f.Add("leads.csv", []byte("name,email\nAda Lovelace,ada@example.com\n"))
	f.Add("../../etc/passwd", []byte("First;Last;Phone\n<script>alert(1)</script>;' OR 1=1 --;+1 555\n"))
	f.Add("\x00.csv", []byte("\xef\xbb\xbfemail\n\"unterminated\n"))
	f.Add(`"'><img src=x onerror=alert(1)>.csv`, []byte("a,b,c\n1,2,3\n4,5\n"))
	f.Add("leads\xff.csv", []byte("name,email\nAda,ada@example.com\n"))
	f.Add("leads.csv", []byte("name,email\nAda\x00,ada@example.com\xff\n"))
	app := newTestApp(f)
	cl := app.client(f).login("admin@example.com")
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c := *cl
		c.t = t
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("csrf_token", c.token("/leads/import"))
		part, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(data)
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/leads/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		r := c.do(req)
		if r.Status >= 500 {
			t.Fatalf("upload answered %d\n%s", r.Status, excerpt(r.Body))
		}
		if r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location, "/leads/import/") {
			p := c.get(r.Location)
			if p.Status >= 500 {
				t.Fatalf("preview %s answered %d\n%s", r.Location, p.Status, excerpt(p.Body))
			}
			if strings.Contains(p.Body, "<script>alert(1)</script>") || strings.Contains(p.Body, "<img src=x onerror") {
				t.Fatalf("the preview shows markup from the file unescaped")
			}
		}
	})
}
