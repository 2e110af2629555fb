package models_test

import (
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
