package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// extBody is a valid API body for opportunity opp; edit changes its fields
// (a nil value deletes one) before it is written as JSON.
func extBody(opp uint, edit map[string]any) []byte {
	m := map[string]any{
		"external_id":    "QM-1001",
		"number":         "Q-1001",
		"title":          "Managed backup, 3 years",
		"opportunity_id": opp,
		"status":         "Sent",
		"currency":       "USD",
		"totals":         map[string]any{"one_time": "1250.00", "monthly": "99.90", "yearly": "0", "total": "2448.80"},
		"expires_on":     "2026-12-31",
		"owner_email":    "rep@example.com",
		"document_url":   "https://quotes.example.com/d/QM-1001.pdf",
		"updated_at":     "2026-11-26T10:00:00Z",
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

func problemFields(ps []models.FieldProblem) string {
	var f []string
	for _, p := range ps {
		f = append(f, p.Field)
	}
	return strings.Join(f, ",")
}

func TestDecodeExternalQuote(t *testing.T) {
	totals := func(k string, v any) map[string]any {
		m := map[string]any{"one_time": "1250.00", "monthly": "99.90", "yearly": "0", "total": "2448.80"}
		m[k] = v
		return m
	}
	cases := []struct {
		name string
		body string
		want string // the fields with a problem, in order; "" = valid
	}{
		{"valid, amounts as strings", string(extBody(7, nil)), ""},
		{"valid, amounts as numbers", string(extBody(7, map[string]any{"totals": map[string]any{"one_time": 1250, "monthly": 99.9, "yearly": json.Number("0.01"), "total": 2448.8}})), ""},
		{"valid, sales order and lower-case status", string(extBody(7, map[string]any{"status": "won", "sales_order_number": "SO-9", "sales_order_status": "Shipped"})), ""},
		{"empty body", "", ""},
		{"malformed JSON", `{"external_id": "QM-1",`, ""},
		{"an array, not an object", `[1,2]`, ""},
		{"null", `null`, ""},
		{"two objects", string(extBody(7, nil)) + `{}`, ""},
		{"not UTF-8", "{\"title\": \"\xff\"}", ""},
		{"lone high surrogate", strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\ud800`, 1), ""},
		{"lone low surrogate", strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\uDC00`, 1), ""},
		{"surrogates reversed", strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\ude00\ud83d`, 1), ""},
		{"surrogate pair escaped", strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\ud83d\ude00 \\ud800 `, 1), ""},
		{"missing fields", `{}`, "external_id,number,title,opportunity_id,status,currency,totals,expires_on,owner_email,document_url,updated_at"},
		{"unknown field", string(extBody(7, map[string]any{"discount": "5"})), "discount"},
		{"wrong types", string(extBody(7, map[string]any{"external_id": 12, "number": true, "title": []int{1}, "opportunity_id": "7", "status": 1, "totals": "1250"})),
			"external_id,number,title,opportunity_id,status,totals"},
		{"opportunity id zero", string(extBody(0, nil)), "opportunity_id"},
		{"opportunity id a fraction", string(extBody(7, map[string]any{"opportunity_id": 7.5})), "opportunity_id"},
		{"opportunity id huge", string(extBody(7, map[string]any{"opportunity_id": json.Number("99999999999999999999999")})), "opportunity_id"},
		{"bad status", string(extBody(7, map[string]any{"status": "Accepted"})), "status"},
		{"bad currency", string(extBody(7, map[string]any{"currency": "usd"})), "currency"},
		{"negative total", string(extBody(7, map[string]any{"totals": totals("one_time", "-5.00")})), "totals.one_time"},
		{"negative number", string(extBody(7, map[string]any{"totals": totals("monthly", -1)})), "totals.monthly"},
		{"huge amount", string(extBody(7, map[string]any{"totals": totals("total", "99999999999999999999.00")})), "totals.total"},
		{"huge number", string(extBody(7, map[string]any{"totals": totals("total", json.Number("1e300"))})), "totals.total"},
		{"three decimals", string(extBody(7, map[string]any{"totals": totals("yearly", "1.005")})), "totals.yearly"},
		{"thousands separator", string(extBody(7, map[string]any{"totals": totals("yearly", "1,250.00")})), "totals.yearly"},
		{"currency sign", string(extBody(7, map[string]any{"totals": totals("yearly", "$12")})), "totals.yearly"},
		{"amount a boolean", string(extBody(7, map[string]any{"totals": totals("yearly", true)})), "totals.yearly"},
		{"missing total", string(extBody(7, map[string]any{"totals": map[string]any{"one_time": "1", "monthly": "1", "yearly": "1"}})), "totals.total"},
		{"unknown total", string(extBody(7, map[string]any{"totals": totals("weekly", "1")})), "totals.weekly"},
		{"bad expiry", string(extBody(7, map[string]any{"expires_on": "31/12/2026"})), "expires_on"},
		{"bad e-mail", string(extBody(7, map[string]any{"owner_email": "rep at example"})), "owner_email"},
		{"script URL", string(extBody(7, map[string]any{"document_url": "javascript:alert(1)"})), "document_url"},
		{"relative URL", string(extBody(7, map[string]any{"document_url": "/d/1.pdf"})), "document_url"},
		{"external id with a slash", string(extBody(7, map[string]any{"external_id": "QM/1"})), "external_id"},
		{"empty title", string(extBody(7, map[string]any{"title": "  "})), "title"},
		{"title too long", string(extBody(7, map[string]any{"title": strings.Repeat("x", 201)})), "title"},
		{"control character", string(extBody(7, map[string]any{"number": "Q-1\u0000"})), "number"},
		{"sales order status without number", string(extBody(7, map[string]any{"sales_order_status": "Shipped"})), "sales_order_number"},
		{"bad updated_at", string(extBody(7, map[string]any{"updated_at": "yesterday"})), "updated_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, probs := models.DecodeExternalQuote([]byte(c.body))
			got := problemFields(probs)
			whole := strings.HasPrefix(c.name, "empty body") || strings.HasPrefix(c.name, "malformed") || strings.HasPrefix(c.name, "an array") ||
				c.name == "null" || c.name == "two objects" || c.name == "not UTF-8" || strings.HasPrefix(c.name, "lone") || c.name == "surrogates reversed"
			switch {
			case whole:
				if len(probs) != 1 || probs[0].Field != "" {
					t.Fatalf("want one problem with the whole body, got %v", probs)
				}
			case got != c.want:
				t.Fatalf("problems in %q, want %q: %v", got, c.want, probs)
			}
			if c.want == "" && !whole && in.ExternalID != "QM-1001" {
				t.Fatalf("external id %q", in.ExternalID)
			}
		})
	}
	// A well-formed pair is one character; an escaped backslash before "ud800" is text.
	pair, _ := models.DecodeExternalQuote([]byte(strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\ud83d\ude00 \\ud800 `, 1)))
	if !strings.HasPrefix(pair.Title, "\U0001F600 \\ud800 ") {
		t.Fatalf("title %q", pair.Title)
	}
	// The amounts are exact cents, whether they came as strings or numbers.
	in, _ := models.DecodeExternalQuote(extBody(7, map[string]any{"totals": map[string]any{"one_time": 1250, "monthly": 99.9, "yearly": "0.07", "total": "2448.80"}}))
	if in.OneTime != 125000 || in.Monthly != 9990 || in.Yearly != 7 || in.Total != 244880 {
		t.Fatalf("amounts %d %d %d %d", in.OneTime, in.Monthly, in.Yearly, in.Total)
	}
	if in.Status != models.ExtSent || in.OpportunityID != 7 || !in.ExpiresOn.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("decoded %+v", in)
	}
}

func mustDecode(t *testing.T, body []byte) models.ExternalQuoteInput {
	t.Helper()
	in, probs := models.DecodeExternalQuote(body)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	return in
}

func upsert(t *testing.T, gdb *gorm.DB, body []byte) (models.UpsertResult, *models.ExternalQuote) {
	t.Helper()
	res, q, _, err := models.UpsertExternalQuote(gdb, mustDecode(t, body), time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return res, q
}

func TestUpsertExternalQuoteIsIdempotentAndOrdered(t *testing.T) {
	gdb := openDB(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Northwind")
	opp := createOpp(t, gdb, "Backup", org, rep, "Proposal", now)
	other := createOpp(t, gdb, "Other", org, rep, "Proposal", now)

	res, q := upsert(t, gdb, extBody(opp.ID, nil))
	if res != models.UpsertCreated || q.Status != models.ExtSent || q.Total != 244880 {
		t.Fatalf("first: %s %+v", res, q)
	}
	stored := func() models.ExternalQuote {
		var e models.ExternalQuote
		if err := gdb.First(&e, q.ID).Error; err != nil {
			t.Fatal(err)
		}
		return e
	}
	before := stored()
	if res, _ := upsert(t, gdb, extBody(opp.ID, nil)); res != models.UpsertUnchanged {
		t.Fatalf("the same body twice: %s", res)
	}
	if after := stored(); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Title != before.Title {
		t.Fatalf("the same body changed the row: %+v → %+v", before, after)
	}
	// An older update, or another body with the same time, changes nothing.
	for _, edit := range []map[string]any{
		{"updated_at": "2026-11-26T09:59:59Z", "status": "Declined"},
		{"status": "Viewed"},
	} {
		if res, _ := upsert(t, gdb, extBody(opp.ID, edit)); res != models.UpsertStale {
			t.Fatalf("%v: %s, want ignored", edit, res)
		}
		if s := stored(); s.Status != models.ExtSent {
			t.Fatalf("%v changed the status to %s", edit, s.Status)
		}
	}
	res, _ = upsert(t, gdb, extBody(opp.ID, map[string]any{"updated_at": "2026-11-26T10:59:59.5+01:00", "status": "Viewed"}))
	if res != models.UpsertStale {
		t.Fatalf("09:59:59.5Z is older than 10:00Z: %s", res)
	}
	res, _ = upsert(t, gdb, extBody(opp.ID, map[string]any{"updated_at": "2026-11-26T12:00:00+01:00", "status": "Viewed", "title": "Backup v2"}))
	if s := stored(); res != models.UpsertUpdated || s.Status != models.ExtViewed || s.Title != "Backup v2" {
		t.Fatalf("newer: %s %+v", res, s)
	}

	// An external id stays with its opportunity; an unknown opportunity is refused.
	for _, target := range []uint{other.ID, 999999} {
		_, _, _, err := models.UpsertExternalQuote(gdb, mustDecode(t, extBody(target, map[string]any{"updated_at": "2026-11-27T00:00:00Z"})), now)
		var probs *models.ErrQuoteProblems
		if !errors.As(err, &probs) || problemFields(probs.Problems) != "opportunity_id" {
			t.Fatalf("opportunity %d: %v", target, err)
		}
	}
	if s := stored(); s.OpportunityID != opp.ID || s.Title != "Backup v2" {
		t.Fatalf("a refused body changed the quote: %+v", s)
	}

	// Withdrawn: once, then nothing; a replay does not bring it back, a newer update does.
	if res, err := models.WithdrawExternalQuote(gdb, "QM-1001", now); err != nil || res != models.UpsertUpdated {
		t.Fatalf("withdraw: %s %v", res, err)
	}
	if res, err := models.WithdrawExternalQuote(gdb, "QM-1001", now); err != nil || res != models.UpsertUnchanged {
		t.Fatalf("withdraw twice: %s %v", res, err)
	}
	if _, err := models.WithdrawExternalQuote(gdb, "QM-404", now); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Fatalf("withdraw unknown: %v", err)
	}
	upsert(t, gdb, extBody(opp.ID, map[string]any{"updated_at": "2026-11-26T12:00:00+01:00", "status": "Viewed", "title": "Backup v2"}))
	if s := stored(); s.Status != models.ExtWithdrawn {
		t.Fatalf("a replay revived a withdrawn quote: %s", s.Status)
	}
	upsert(t, gdb, extBody(opp.ID, map[string]any{"updated_at": "2026-11-28T00:00:00Z", "status": "Sent"}))
	if s := stored(); s.Status != models.ExtSent || s.WithdrawnAt != nil {
		t.Fatalf("a newer update: %+v", s)
	}
}

func TestQuoteManagerKeyLifecycle(t *testing.T) {
	gdb := openDB(t)
	now := time.Now().UTC()
	s, err := models.LoadQuoteManagerSettings(gdb)
	if err != nil {
		t.Fatal(err)
	}
	if s.HasKey() || s.ValidKey("") || s.ValidKey("anything") {
		t.Fatal("a fresh install accepts a key")
	}
	k1, err := models.NewQuoteManagerKey(gdb, now)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = models.LoadQuoteManagerSettings(gdb)
	if !s.ValidKey(k1) || s.ValidKey(k1+"x") || strings.Contains(s.KeyHash, k1) || len(k1) < 40 {
		t.Fatalf("key %q, stored %+v", k1, s)
	}
	k2, _ := models.NewQuoteManagerKey(gdb, now)
	s, _ = models.LoadQuoteManagerSettings(gdb)
	if k1 == k2 || s.ValidKey(k1) || !s.ValidKey(k2) || s.KeyHint != k2[len(k2)-4:] {
		t.Fatal("rotating did not replace the key")
	}
	if err := models.RevokeQuoteManagerKey(gdb, now); err != nil {
		t.Fatal(err)
	}
	s, _ = models.LoadQuoteManagerSettings(gdb)
	if s.HasKey() || s.ValidKey(k2) {
		t.Fatal("a revoked key still works")
	}
}

func TestWinAndLoseFromExternalQuote(t *testing.T) {
	gdb := openDB(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Northwind")
	opp := createOpp(t, gdb, "Backup", org, rep, "Proposal", now)
	_, q := upsert(t, gdb, extBody(opp.ID, map[string]any{"status": "Won"}))
	var reason models.PicklistValue
	if err := gdb.Where("kind = ?", models.WinReasons).First(&reason).Error; err != nil {
		t.Fatal(err)
	}
	// Automatic: only with the setting ticked.
	s, _ := models.LoadQuoteManagerSettings(gdb)
	if msg, err := models.AutoWinFromExternalQuote(gdb, q, s, now); err != nil || msg != "" {
		t.Fatalf("auto win without the setting: %q %v", msg, err)
	}
	if err := models.SaveQuoteManagerSettings(gdb, models.QuoteManagerForm{DisplayName: "QM", AutoMarkWon: true, WinReasonID: reason.ID}, now); err != nil {
		t.Fatal(err)
	}
	s, _ = models.LoadQuoteManagerSettings(gdb)
	if msg, err := models.AutoWinFromExternalQuote(gdb, q, s, now); err != nil || msg != "opportunity marked won" {
		t.Fatalf("auto win: %q %v", msg, err)
	}
	o := reload(t, gdb, opp.ID)
	if o.Status != models.StatusClosed || o.Revenue.OneTime != 125000 || o.Revenue.Monthly != 9990 || o.Amount != 125000+12*9990 ||
		o.WinReasonID == nil || *o.WinReasonID != reason.ID {
		t.Fatalf("after the win: %s %+v amount %d", o.Status, o.Revenue, o.Amount)
	}
	if msg, _ := models.AutoWinFromExternalQuote(gdb, q, s, now); !strings.Contains(msg, "already") {
		t.Fatalf("a second win: %q", msg)
	}

	lost := createOpp(t, gdb, "Lost one", org, rep, "Proposal", now)
	_, dq := upsert(t, gdb, extBody(lost.ID, map[string]any{"external_id": "QM-2", "status": "Declined"}))
	var lr models.PicklistValue
	gdb.Where("kind = ?", models.LossReasons).First(&lr)
	if err := models.LoseFromExternalQuote(gdb, dq, models.OutcomeInput{ReasonID: lr.ID, Date: now}, rep, now); err != nil {
		t.Fatal(err)
	}
	if o := reload(t, gdb, lost.ID); o.Status != models.StatusLost {
		t.Fatalf("status %s", o.Status)
	}
}

func TestFunnelQuotedFollowsTheQuoteSource(t *testing.T) {
	gdb := openDB(t)
	now := time.Now().UTC()
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	org := mkOrg(t, gdb, "Northwind")
	a := createOpp(t, gdb, "A", org, rep, "Proposal", now)
	b := createOpp(t, gdb, "B", org, rep, "Proposal", now)
	createOpp(t, gdb, "C", org, rep, "Proposal", now)
	q := &models.Quote{OpportunityID: a.ID, Name: "Built-in", EffectiveDate: now, ExpirationDate: now.AddDate(0, 1, 0), OwnerID: rep.ID, Status: models.QuoteDraft}
	if err := models.CreateQuote(gdb, q); err != nil {
		t.Fatal(err)
	}
	upsert(t, gdb, extBody(b.ID, nil))
	upsert(t, gdb, extBody(a.ID, map[string]any{"external_id": "QM-W"}))
	if _, err := models.WithdrawExternalQuote(gdb, "QM-W", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		external bool
		want     []uint
	}{{false, []uint{a.ID}}, {true, []uint{b.ID}}} {
		fc, err := models.Funnel(gdb, models.ReportFilter{ExternalQuotes: c.external})
		if err != nil {
			t.Fatal(err)
		}
		of := models.ReportFilter{ExternalQuotes: c.external}.OppFilter()
		of.Quoted = true
		rows, _, err := models.ListOpportunities(gdb, of, models.NewPage(1))
		if err != nil {
			t.Fatal(err)
		}
		if fc.Quoted != 1 || len(rows) != 1 || rows[0].ID != c.want[0] {
			t.Errorf("external %v: quoted %d, drill-down %v", c.external, fc.Quoted, rows)
		}
	}
}

// FuzzQuoteManagerJSON: whatever the body, the decoder answers without
// panicking, and what it accepts is within the rules.
func FuzzQuoteManagerJSON(f *testing.F) {
	f.Add(extBody(7, nil))
	f.Add(extBody(7, map[string]any{"totals": map[string]any{"one_time": 1e3, "monthly": -1, "yearly": "1.999", "total": "x"}}))
	f.Add([]byte(`{"external_id":"a","opportunity_id":1e309,"totals":{"total":"99999999999999999"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"totals":null,"status":"WON","updated_at":"2026-01-01T00:00:00+14:00"}`))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(`{"title":"a\u0000b","\u0000":1,"totals":{"\u0000":"1\u0000"}}`))
	f.Add([]byte(strings.Replace(string(extBody(7, nil)), `"title":"`, `"title":"\ud800\\ud800\ud83d\ude00`, 1)))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, probs := models.DecodeExternalQuote(body)
		if len(probs) > 0 {
			return
		}
		// No replacement character the sender did not write (a lone surrogate
		// escape would decode to one).
		if strings.ContainsRune(in.Title+in.Number+in.SalesOrderNumber+in.SalesOrderStatus, '\uFFFD') &&
			!strings.ContainsRune(string(body), '\uFFFD') && !strings.Contains(strings.ToLower(string(body)), `\ufffd`) {
			t.Fatalf("accepted a replacement character: %q", body)
		}
		for _, m := range []models.Money{in.OneTime, in.Monthly, in.Yearly, in.Total} {
			if m < 0 || m > models.MaxMoney {
				t.Fatalf("accepted amount %d", m)
			}
		}
		if !models.ValidExternalID(in.ExternalID) || in.OpportunityID == 0 || in.Number == "" || in.Title == "" ||
			!models.ValidEmail(in.OwnerEmail) || in.UpdatedAt.IsZero() || in.ExpiresOn.IsZero() || in.Currency == "" {
			t.Fatalf("accepted %+v", in)
		}
		valid := false
		for _, s := range models.ExternalStatuses {
			valid = valid || s == in.Status
		}
		if !valid {
			t.Fatalf("accepted status %q", in.Status)
		}
	})
}
