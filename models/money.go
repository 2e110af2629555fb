package models

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in cents. It is the one money type of Salesdesk:
// every amount is stored, summed and compared as an integer, never a float.
type Money int64

// MaxMoney bounds what a form may enter (one hundred billion), so sums of many
// amounts stay far from int64 overflow and typos like an extra dozen zeros are caught.
const MaxMoney Money = 100_000_000_000_00

// ErrMoneyFormat is returned for text that is not an amount.
var ErrMoneyFormat = errors.New("enter an amount such as 1250 or 1,250.50")

// ParseMoney reads an amount typed by a person: optional currency sign (before
// or after the minus sign),
// thousands separators (commas), at most two decimals. An empty string is zero.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "$")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		// "-$3.00", as Display writes a negative amount, and "-3.00" alike.
		neg = true
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[1:]), "$"))
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, ErrMoneyFormat
	}
	if strings.Contains(whole, ",") {
		// Thousands separators must group by three: "1,250" yes, "12,50" no.
		groups := strings.Split(whole, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, ErrMoneyFormat
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrMoneyFormat
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || (hasDot && (!allDigits(frac) || len(frac) == 0 || len(frac) > 2)) {
		return 0, ErrMoneyFormat
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("amount is too large (at most %s)", MaxMoney)
	}
	units, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	m := Money(units*100 + cents)
	if m > MaxMoney {
		return 0, fmt.Errorf("amount is too large (at most %s)", MaxMoney)
	}
	if neg {
		m = -m
	}
	return m, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// String formats with thousands separators and two decimals: "12,500.00".
func (m Money) String() string { return m.format(false, true) }

// Display is the amount as shown to people, with the currency sign.
func (m Money) Display() string { return m.format(true, true) }

// Input is the amount as put back into a form field: no separators, so it parses again.
func (m Money) Input() string {
	if m == 0 {
		return ""
	}
	return m.format(false, false)
}

// Input0 is like Input but writes zero as "0.00", for exports.
func (m Money) Input0() string { return m.format(false, false) }

// format is every way an amount is written: "-$1,234.50" with currency and
// separators, "-1234.50" without. Pages show hundreds of amounts, so it fills a
// buffer on the stack from the right (no fmt, no builder) and allocates once,
// for the string.
func (m Money) format(currency, separators bool) string {
	var b [32]byte // the widest, -$92,233,720,368,547,758.08, takes 27
	v := uint64(m) // #nosec G115 -- the bits as they are: negated below, they are the magnitude, of MinInt64 too
	if m < 0 {
		v = -v // the magnitude, even of the most negative amount
	}
	i := len(b) - 3
	b[i], b[i+1], b[i+2] = '.', byte('0'+v%100/10), byte('0'+v%10)
	v /= 100
	for n := 0; ; n++ {
		if separators && n > 0 && n%3 == 0 {
			i--
			b[i] = ','
		}
		i--
		b[i] = byte('0' + v%10)
		if v /= 10; v == 0 {
			break
		}
	}
	if currency {
		i--
		b[i] = '$'
	}
	if m < 0 {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Value and Scan store Money as a plain integer column.
func (m Money) Value() (driver.Value, error) { return int64(m), nil }

func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*m = Money(v)
	case nil:
		*m = 0
	case string, []byte:
		// PostgreSQL sums a BIGINT column into NUMERIC, which arrives as text.
		n, err := scanInt(v)
		if err != nil {
			return fmt.Errorf("money: %w", err)
		}
		*m = Money(n)
	default:
		return fmt.Errorf("money: cannot scan %T", src)
	}
	return nil
}

// scanInt reads an integer that the database sent as text (PostgreSQL NUMERIC):
// "123", "-5" or "42.000", never with a fraction that would be lost.
func scanInt(v any) (int64, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cannot scan %q as an integer", s)
	}
	return n, nil
}
