package handlers_test

// Text no database can keep: PostgreSQL refuses NUL characters and invalid
// UTF-8 in text columns, where SQLite stores them. Whatever reaches the app
// that way — a JSON body of the Quote Manager API, a lead CSV file or its
// name — is answered with a clear 4xx on both databases, never a 500, and
// the call still lands in the integration log.

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"salesdesk/models"
)

func TestUnstorableQuoteManagerJSON(t *testing.T) {
	app := newTestApp(t)
	key := qmOn(t, app)
	opp := repOpp(t, app, 0)

	cases := []struct {
		name  string
		body  []byte
		field string // the field the 422 names
	}{
		{"NUL in the title", qmBody(opp.ID, map[string]any{"title": "Firewall\u0000"}), "title"},
		{"NUL in the number", qmBody(opp.ID, map[string]any{"number": "\u0000"}), "number"},
		{"NUL in the external id", qmBody(opp.ID, map[string]any{"external_id": "QM\u00001"}), "external_id"},
		{"NUL in the owner", qmBody(opp.ID, map[string]any{"owner_email": "rep@example.com\u0000"}), "owner_email"},
		{"NUL in the sales order", qmBody(opp.ID, map[string]any{"sales_order_status": "\u0000"}), "sales_order_status"},
		{"NUL in an amount", qmBody(opp.ID, map[string]any{"totals": map[string]any{"one_time": "1\u0000", "monthly": 0, "yearly": 0, "total": 1}}), "totals.one_time"},
		{"NUL in a field name", qmBody(opp.ID, map[string]any{"note\u0000": "x"}), "note\u0000"},
		{"NUL in a totals name", qmBody(opp.ID, map[string]any{"totals": map[string]any{"one_time": 0, "monthly": 0, "yearly": 0, "total": 1, "\u0000": 1}}), "totals.\u0000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := logRows(t, app)
			r := postQuote(t, app, key, c.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.Status, r.Body)
			}
			if !strings.Contains(","+r.problems()+",", ","+c.field+",") {
				t.Fatalf("problems name %q, want %q: %s", r.problems(), c.field, r.Body)
			}
			if logRows(t, app) != before+1 {
				t.Fatalf("the call is not in the integration log")
			}
		})
	}
	// Invalid UTF-8 in the body (not an escape: the bytes themselves).
	bad := bytes.Replace(qmBody(opp.ID, nil), []byte("Managed"), []byte("Man\xffaged"), 1)
	if r := postQuote(t, app, key, bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid UTF-8: %d %s", r.Status, r.Body)
	}
	// NUL, invalid UTF-8 or a long id cut inside a character in the external
	// id of a DELETE, with the key and without.
	for _, id := range []string{"QM%00-1", "QM%FF-1", "a" + strings.Repeat("%C3%A9", 60)} {
		for _, k := range []string{key, "wrong"} {
			before := logRows(t, app)
			r := apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/"+id, k, "", nil)
			if r.Status >= 500 || r.Status < 400 {
				t.Fatalf("DELETE %s: %d %s", id, r.Status, r.Body)
			}
			if logRows(t, app) != before+1 {
				t.Fatalf("DELETE %s is not in the integration log", id)
			}
		}
	}
	var n int64
	app.DB.Model(&models.ExternalQuote{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d external quotes stored, want none", n)
	}
	// The log page shows what was logged.
	admin := app.client(t).login("admin@example.com")
	if r := admin.get("/admin/quote-manager/log"); r.Status != http.StatusOK {
		t.Fatalf("log page: %d", r.Status)
	}
}

func logRows(t testing.TB, app *testApp) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Model(&models.IntegrationLogEntry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// uploadLeads posts a lead CSV as the import page does.
func uploadLeads(t testing.TB, app *testApp, c *client, name string, data []byte) response {
	t.Helper()
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
	return c.do(req)
}

func TestUnstorableLeadCSV(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	good := []byte("name,email\nAda Lovelace,ada@example.com\n")
	// Bad text inside the file is the file's problem: 422 with the message
	// next to the file field.
	cases := []struct {
		name, file string
		data       []byte
	}{
		{"NUL in a cell", "leads.csv", []byte("name,email\nAda\x00 Lovelace,ada@example.com\n")},
		{"NUL in the header", "leads.csv", []byte("na\x00me,email\nAda Lovelace,ada@example.com\n")},
		{"invalid UTF-8 in a cell", "leads.csv", []byte("name,email\nAda \xff\xfe Lovelace,ada@example.com\n")},
		{"a cut-off UTF-8 sequence at the end", "leads.csv", []byte("name,email\nAda Lovelace,ada@example.com\xe2\x82\n")},
		{"Latin-1 text", "leads.csv", []byte("name,email\nRen\xe9 Lovelace,rene@example.com\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before int64
			app.DB.Model(&models.LeadImport{}).Count(&before)
			r := uploadLeads(t, app, c, tc.file, tc.data)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.Status, excerpt(r.Body))
			}
			msg := r.doc(t).Find("#file-error, .field-error, .error").Text()
			if strings.TrimSpace(msg) == "" {
				t.Fatalf("no message next to the file field\n%s", excerpt(r.Body))
			}
			var after int64
			app.DB.Model(&models.LeadImport{}).Count(&after)
			if after != before {
				t.Fatalf("an import was stored")
			}
		})
	}
	// A file name no database can keep is refused as every such form value is: 400.
	for _, name := range []string{"leads\x00.csv", "leads\xff.csv", "\xc3.csv"} {
		r := uploadLeads(t, app, c, name, good)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "could not be read") && !strings.Contains(r.Body, "cannot be stored") {
			t.Fatalf("file name %q: %d\n%s", name, r.Status, excerpt(r.Body))
		}
	}
	var n int64
	app.DB.Model(&models.LeadImport{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d imports stored, want none", n)
	}
	// The same file with a clean name is taken.
	if r := uploadLeads(t, app, c, "leads.csv", good); r.Status != http.StatusSeeOther {
		t.Fatalf("a clean file: %d\n%s", r.Status, excerpt(r.Body))
	}
}
