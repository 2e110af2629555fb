package models

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Quantity is an exact quantity in ten-thousandths, so 1.5 hours is 15000.
type Quantity int64

const QuantityScale = 10000

// MaxQuantity bounds what a form may enter: a million units.
const MaxQuantity Quantity = 1_000_000 * QuantityScale

var ErrQuantityFormat = errors.New("enter a quantity such as 1, 2.5 or 0.25")

// ParseQuantity reads "3", "1.5", "0.125" (at most four decimals).
func ParseQuantity(s string) (Quantity, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrQuantityFormat
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, ErrQuantityFormat
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || (frac != "" && !allDigits(frac)) || len(frac) > 4 || len(whole) > 7 {
		return 0, ErrQuantityFormat
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 4 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	q := Quantity(w*QuantityScale + f)
	if neg {
		q = -q
	}
	if q > MaxQuantity || q < -MaxQuantity {
		return 0, fmt.Errorf("the quantity is too large: at most %s", MaxQuantity)
	}
	return q, nil
}

// String writes the quantity without trailing zeros: 1.5, 2, 0.125.
func (q Quantity) String() string { return decimalString(int64(q), 4) }

func (q Quantity) Value() (driver.Value, error) { return int64(q), nil }

func (q *Quantity) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*q = Quantity(v)
	case nil:
		*q = 0
	case string, []byte:
		// PostgreSQL sums a BIGINT column into NUMERIC, which arrives as text.
		n, err := scanInt(v)
		if err != nil {
			return fmt.Errorf("quantity: %w", err)
		}
		*q = Quantity(n)
	default:
		return fmt.Errorf("quantity: cannot scan %T", src)
	}
	return nil
}

// mulRound multiplies an amount by a scaled factor and divides by scale,
// rounding half away from zero to the cent: the one rounding rule of Salesdesk.
// The product is worked out in 128 bits, so no input overflows silently; a
// result beyond int64 saturates (forms refuse such amounts before this).
func mulRound(amount int64, factor int64, scale int64) Money {
	neg := (amount < 0) != (factor < 0)
	a, f := absU(amount), absU(factor)
	hi, lo := bits.Mul64(a, f)
	s := uint64(scale) // #nosec G115 -- scale is one of the positive constants 100 or QuantityScale
	var carry uint64
	lo, carry = bits.Add64(lo, s/2, 0)
	hi += carry
	if hi >= s {
		if neg {
			return Money(math.MinInt64)
		}
		return Money(math.MaxInt64)
	}
	q, _ := bits.Div64(hi, lo, s)
	if q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if neg {
		return -Money(q)
	}
	return Money(q)
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

// decimalString writes v / 10^places without trailing zeros in the
// fraction: decimalString(15000, 4) is "1.5". Lines of quotes write several
// each, so it builds the digits in one stack buffer instead of with fmt.
func decimalString(v int64, places int) string {
	var b [24]byte // 19 digits, a point, a sign
	u := uint64(v) // #nosec G115 -- the bits as they are: negated below, they are the magnitude, of MinInt64 too
	if v < 0 {
		u = -u
	}
	i := len(b)
	frac := false
	for p := 0; p < places; p++ {
		d := byte('0' + u%10)
		u /= 10
		if d != '0' || frac {
			i--
			b[i] = d
			frac = true
		}
	}
	if frac {
		i--
		b[i] = '.'
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		if u /= 10; u == 0 {
			break
		}
	}
	if v < 0 {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
