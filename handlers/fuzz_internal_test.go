package handlers

// Fuzz targets for the small parsers the handlers apply to form fields. The
// whole forms are fuzzed over HTTP in fuzz_test.go.

import (
	"strings"
	"testing"
	"unicode/utf8"

	"salesdesk/views"
)

var hostileSeeds = []string{
	"", " ", "\x00", "\xff\xfe", "<script>alert(1)</script>", `"'><img src=x onerror=alert(1)>`, "' OR 1=1 --",
	"1e309", "-1", "99999999999999999999", "0000-00-00", "99999-12-31", "2026-02-30", "2026-12-31", " 2026-01-01 ",
	"1999-12-31", "2100-12-31", "2101-01-01", "2026-1-1", "12.5", "12.5%", "100", "100.001", "0.0005", "18446744073709551616",
}

func FuzzParseDate(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if !ok {
			if !d.IsZero() {
				t.Errorf("parseDate(%q) refused but returned %v", s, d)
			}
			return
		}
		if d.Year() < 2000 || d.Year() > 2100 || d.Hour() != 0 || d.Minute() != 0 || d.Location().String() != "UTC" {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
		back, ok := parseDate(d.Format(dateInput))
		if !ok || !back.Equal(d) {
			t.Errorf("parseDate(%q) = %v, but its form value %q reads as %v %v", s, d, d.Format(dateInput), back, ok)
		}
	})
}

func FuzzParsePercent(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parsePercent(s)
		if !ok {
			return
		}
		if v < 0 || v > 100_000 {
			t.Fatalf("parsePercent(%q) = %d thousandths, outside 0–100%%", s, v)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range append(hostileSeeds, "1", "0", "4294967295", "4294967296", "+1", "01") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := parseID(s)
		if ok && (id == 0 || idStr(id) != strings.TrimLeft(strings.TrimSpace(s), "+0")) {
			t.Errorf("parseID(%q) = %d", s, id)
		}
	})
}

// FuzzDecodeOutcome: the won/lost form never passes a value it did not check,
// and every error is a message for a field of the form.
func FuzzDecodeOutcome(f *testing.F) {
	f.Add(true, "1", "2026-12-31", "", "", "Signed")
	f.Add(false, "3", "2026-01-01", "2", "", "")
	f.Add(false, "x", "0000-00-00", "<script>", "2026-13-01", strings.Repeat("d", 5000))
	f.Add(true, "-1", "99999-12-31", "", "99999-12-31", "\x00\xff")
	f.Fuzz(func(t *testing.T, won bool, reason, date, competitor, promised, detail string) {
		form := views.OutcomeForm{Won: won, ReasonID: reason, Date: date, CompetitorID: competitor, PromisedDate: promised, Detail: detail}
		in := decodeOutcome(&form, true)
		known := 0
		for _, field := range []string{"reason_id", "date", "competitor_id", "promised_date", "detail"} {
			if form.Errs.For(field) != "" {
				known++
			}
		}
		if known != form.Errs.Count() {
			t.Errorf("%d errors, %d of them for fields of the form", form.Errs.Count(), known)
		}
		if form.Errs.Any() {
			return
		}
		if in.ReasonID == 0 || in.Date.Year() < 2000 || in.Date.Year() > 2100 {
			t.Fatalf("accepted %+v from %+v", in, form)
		}
		if won && in.CompetitorID != nil {
			t.Errorf("a won deal got a competitor: %+v", in)
		}
		if in.PromisedDate != nil && (in.PromisedDate.Year() < 2000 || in.PromisedDate.Year() > 2100) {
			t.Errorf("promised date %v accepted", in.PromisedDate)
		}
		if !utf8.ValidString(in.Detail) && utf8.ValidString(detail) {
			t.Errorf("detail %q became invalid UTF-8", in.Detail)
		}
	})
}
