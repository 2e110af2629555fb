package models_test

// Fuzz targets for the parsers that read what people type or upload. Run one
// with `go test ./models -run '^$' -fuzz '^FuzzParseMoney$' -fuzztime 30s`;
// .ci/run runs each for a few seconds. The seeds below and in testdata/fuzz
// run as ordinary tests with every `go test`.

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"salesdesk/db"
	"salesdesk/models"
)

// hostile are inputs every text parser gets as seeds.
var hostile = []string{
	"", " ", "\x00", "\xff\xfe", "<script>alert(1)</script>", `"'><img src=x onerror=alert(1)>`,
	"' OR 1=1 --", "1e309", "-1e309", "NaN", "Inf", "99999999999999999999999", "-9223372036854775808",
	"0000-00-00", "99999-12-31", "１２３", "٣", "1_000", "0x10", "+5", "--5", "- 5", "5-",
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range append(hostile, "0", "12", "12.5", "12.05", ".5", "$1,250.50", "-$3.00", "- $ 3", "$-3",
		"1,25", "12,500", "1,000,000.00", "100,000,000,000.00", "100000000000.01", "999999999999999", "$", "-", ".", "1.", "1.234") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := models.ParseMoney(s)
		if err != nil {
			if m != 0 {
				t.Errorf("ParseMoney(%q) failed but returned %d", s, m)
			}
			return
		}
		if m > models.MaxMoney || m < -models.MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d, beyond MaxMoney", s, m)
		}
		// Whatever parses comes back the same from each way it is written out.
		for how, out := range map[string]string{"Display": m.Display(), "String": m.String(), "Input": m.Input(), "Input0": m.Input0()} {
			back, err := models.ParseMoney(out)
			if err != nil || back != m {
				t.Errorf("ParseMoney(%q) = %d; its %s %q parses as %d, %v", s, m, how, out, back, err)
			}
		}
	})
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range append(hostile, "1", "2.5", "0.25", "0.0001", "0.00001", "1000000", "1000000.0001", "-1", ".5", "5.", "-.5", "0") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := models.ParseQuantity(s)
		if err != nil {
			return
		}
		if q > models.MaxQuantity || q < -models.MaxQuantity {
			t.Fatalf("ParseQuantity(%q) = %d, beyond MaxQuantity", s, q)
		}
		back, err := models.ParseQuantity(q.String())
		if err != nil || back != q {
			t.Errorf("ParseQuantity(%q) = %d; its String %q parses as %d, %v", s, q, q.String(), back, err)
		}
		// A quantity times the largest unit price a form takes must not overflow.
		models.ComputeTotals([]models.QuoteItem{{Kind: models.KindProduct, Period: models.OneTime, Quantity: q, UnitPrice: 100_000_000_00}}, 0, 12)
	})
}

func FuzzLeadCSV(f *testing.F) {
	for _, s := range []string{
		"name,email\nAda Lovelace,ada@example.com\n",
		"\xef\xbb\xbfFirst;Last;E-Mail;Company\nAda;Lovelace;ada@example.com;Analytical\n",
		"name,phone\n\"Quote, \"\"inside\"\"\",+1 555\n\n,\n",
		"a,b\n\"unterminated\n",
		"name,email\n<script>alert(1)</script>,x@y.example\n' OR 1=1 --,\"'><img src=x onerror=alert(1)>\"\n",
		"email\n\x00\n", "\xff\xfe\n", "", "\n\n\n", "name\n" + strings.Repeat("x", 300) + "\n",
	} {
		f.Add([]byte(s))
	}
	gdb, err := db.Open(filepath.Join(f.TempDir(), "fuzz.db"), nil)
	if err != nil {
		f.Fatal(err)
	}
	if err := db.Migrate(gdb); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := models.ParseLeadCSV(data)
		if err != nil {
			if _, ok := err.(*models.ErrImport); !ok {
				t.Fatalf("ParseLeadCSV: an error that is not an ErrImport for people: %T %v", err, err)
			}
			return
		}
		if len(p.Rows) == 0 || len(p.Rows) != len(p.Lines) || len(p.Rows) > models.MaxImportRows {
			t.Fatalf("ParseLeadCSV: %d rows, %d line numbers", len(p.Rows), len(p.Lines))
		}
		mapping := models.AutoMapping(p.Header)
		if len(mapping) != len(p.Header) {
			t.Fatalf("AutoMapping: %d fields for %d columns", len(mapping), len(p.Header))
		}
		_ = models.MappingProblem(mapping)
		// Every way of mapping the columns is checked without a failure.
		for _, m := range [][]string{mapping, allAs(len(p.Header), models.ColEmail), allAs(len(p.Header), models.ColName)} {
			rows, err := models.CheckImport(gdb, p, m)
			if err != nil {
				t.Fatalf("CheckImport: %v", err)
			}
			if len(rows) != len(p.Rows) {
				t.Fatalf("CheckImport: %d results for %d rows", len(rows), len(p.Rows))
			}
			for _, r := range rows {
				if r.Line < 2 || !utf8.ValidString(r.Problem) {
					t.Fatalf("CheckImport row %+v", r)
				}
				if r.Problem == "" && (r.PersonName == "" || (r.Email != "" && !models.ValidEmail(r.Email))) {
					t.Fatalf("CheckImport accepted %+v", r)
				}
			}
		}
	})
}

func allAs(n int, key string) []string {
	m := make([]string, n)
	for i := range m {
		m[i] = key
	}
	return m
}
