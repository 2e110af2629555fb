package models_test

import (
	"math"
	"testing"

	"salesdesk/models"
)

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in   string
		want models.Money
		ok   bool
	}{
		{"", 0, true},
		{"0", 0, true},
		{"12", 1200, true},
		{"12.5", 1250, true},
		{"12.05", 1205, true},
		{".5", 50, true},
		{"1,250.50", 125050, true},
		{"$1,250", 125000, true},
		{"  42.10 ", 4210, true},
		{"-3.20", -320, true},
		{"1,000,000.00", 100000000, true},
		{"12.345", 0, false},
		{"12,50", 0, false},
		{"1,2345", 0, false},
		{"abc", 0, false},
		{"1e5", 0, false},
		{"12.", 0, false},
		{".", 0, false},
		{"--1", 0, false},
		{"1 000", 0, false},
		{"99999999999999999999", 0, false},
		{"1000000000000", 0, false}, // past MaxMoney
		{"100000000000", models.MaxMoney, true},
	}
	for _, c := range cases {
		got, err := models.ParseMoney(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestMoneyFormatRoundTrips(t *testing.T) {
	for _, m := range []models.Money{0, 5, 99, 100, 123456, 100000000, -987654321, models.MaxMoney} {
		back, err := models.ParseMoney(m.String())
		if err != nil || back != m {
			t.Errorf("%d formats as %q, which parses back as %d, %v", m, m.String(), back, err)
		}
		if m != 0 {
			if back, err := models.ParseMoney(m.Input()); err != nil || back != m {
				t.Errorf("%d input %q parses back as %d, %v", m, m.Input(), back, err)
			}
		}
	}
	if got := models.Money(123456789).Display(); got != "$1,234,567.89" {
		t.Errorf("Display = %q", got)
	}
	if got := models.Money(-5).Display(); got != "-$0.05" {
		t.Errorf("Display = %q", got)
	}
	for m, want := range map[models.Money]string{0: "0.00", 7: "0.07", 1000: "10.00", 99999: "999.99", 100000: "1,000.00",
		12345678: "123,456.78", -100000: "-1,000.00", -123456789: "-1,234,567.89", models.MaxMoney: "100,000,000,000.00"} {
		if got := m.String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", m, got, want)
		}
	}
}

func TestMoneyFormats(t *testing.T) {
	cases := []struct {
		m                           models.Money
		str, display, input, input0 string
	}{
		{0, "0.00", "$0.00", "", "0.00"},
		{7, "0.07", "$0.07", "0.07", "0.07"},
		{-7, "-0.07", "-$0.07", "-0.07", "-0.07"},
		{99999, "999.99", "$999.99", "999.99", "999.99"},
		{100000, "1,000.00", "$1,000.00", "1000.00", "1000.00"},
		{-123456789, "-1,234,567.89", "-$1,234,567.89", "-1234567.89", "-1234567.89"},
		{models.MaxMoney, "100,000,000,000.00", "$100,000,000,000.00", "100000000000.00", "100000000000.00"},
		{math.MaxInt64, "92,233,720,368,547,758.07", "$92,233,720,368,547,758.07", "92233720368547758.07", "92233720368547758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-$92,233,720,368,547,758.08", "-92233720368547758.08", "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.str {
			t.Errorf("Money(%d).String() = %q, want %q", int64(c.m), got, c.str)
		}
		if got := c.m.Display(); got != c.display {
			t.Errorf("Money(%d).Display() = %q, want %q", int64(c.m), got, c.display)
		}
		if got := c.m.Input(); got != c.input {
			t.Errorf("Money(%d).Input() = %q, want %q", int64(c.m), got, c.input)
		}
		if got := c.m.Input0(); got != c.input0 {
			t.Errorf("Money(%d).Input0() = %q, want %q", int64(c.m), got, c.input0)
		}
	}
}

func TestWeightedRoundsHalfUp(t *testing.T) {
	cases := []struct {
		amount models.Money
		pct    int
		want   models.Money
	}{
		{100000, 50, 50000},
		{1, 50, 1},    // 0.5 cent rounds up
		{3, 50, 2},    // 1.5 cents → 2
		{333, 10, 33}, // 33.3 → 33
		{335, 10, 34}, // 33.5 → 34
		{-335, 10, -34},
		{999, 0, 0},
		{999, 100, 999},
	}
	for _, c := range cases {
		if got := models.Weighted(c.amount, c.pct); got != c.want {
			t.Errorf("Weighted(%d, %d) = %d, want %d", c.amount, c.pct, got, c.want)
		}
	}
}

func TestFirstYearCountsEachPeriod(t *testing.T) {
	a := models.Amounts{OneTime: 100000, Monthly: 5000, Quarterly: 1000, SemiAnnual: 300, Yearly: 7}
	if got, want := a.FirstYear(), models.Money(100000+12*5000+4*1000+2*300+7); got != want {
		t.Fatalf("FirstYear = %d, want %d", got, want)
	}
}

func TestFormatRate(t *testing.T) {
	for r, want := range map[int64]string{0: "0%", 5: "0.005%", 8875: "8.875%", 12500: "12.5%", 20000: "20%", 100000: "100%"} {
		if got := models.FormatRate(r); got != want {
			t.Errorf("FormatRate(%d) = %q, want %q", r, got, want)
		}
	}
}
