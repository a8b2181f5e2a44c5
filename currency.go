package momo

import (
	"math"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 code such as "GHS" or "RWF".
type Currency string

// exponents holds the ISO 4217 minor-unit exponent of every currency an
// operator we parse can write. RWF and UGX have no minor unit; TZS has two
// in ISO 4217 even though its coins are no longer used.
var exponents = map[Currency]int{
	"RWF": 0, "UGX": 0, "XOF": 0, "XAF": 0, "BIF": 0,
	"GHS": 2, "KES": 2, "TZS": 2, "ZMW": 2, "MZN": 2, "USD": 2, "EGP": 2,
	"NGN": 2, "MWK": 2, "CDF": 2, "ZAR": 2, "EUR": 2,
}

// Exponent returns the number of minor digits of c, and false for a
// currency we do not know.
func (c Currency) Exponent() (int, bool) {
	e, ok := exponents[c]
	return e, ok
}

// ParseMinor turns a decimal amount as written in an SMS ("1,250.00",
// "40000", "3,500") into minor units of c. Thousands separators are commas;
// the decimal point is a dot. It refuses signs, exponents, non-ASCII digits,
// more decimals than the currency has (unless they are zeros), and values
// that do not fit in an int64: a wrong amount is worse than none.
func (c Currency) ParseMinor(s string) (int64, error) {
	exp, ok := c.Exponent()
	if !ok {
		return 0, E(CodeInvalid, "unknown currency "+strconv.Quote(string(c)), nil)
	}

	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && frac == "") {
		return 0, errAmount(s)
	}
	if !validGrouping(whole) {
		return 0, errAmount(s)
	}
	if exp == 0 && len(frac) > 2 {
		// "1.000 RWF" is a thousand written with a dot far more often than
		// one franc with three zero decimals: refuse to choose.
		return 0, errAmount(s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > exp || strings.ContainsFunc(frac, notDigit) {
		return 0, errAmount(s)
	}

	var n int64
	digits := strings.ReplaceAll(whole, ",", "") + frac + strings.Repeat("0", exp-len(frac))
	for _, r := range digits {
		d := int64(r - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, E(CodeInvalid, "amount too large: "+s, nil)
		}
		n = n*10 + d
	}
	return n, nil
}

// validGrouping accepts "1250", "1,250" and "12,345,678" but not ",1", "1,,2"
// or "12,34": a misplaced comma usually means two numbers ran together.
func validGrouping(s string) bool {
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if g == "" || strings.ContainsFunc(g, notDigit) {
			return false
		}
		if i > 0 && len(g) != 3 {
			return false
		}
		if i == 0 && len(groups) > 1 && len(g) > 3 {
			return false
		}
	}
	return true
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func errAmount(s string) error {
	return E(CodeInvalid, "not an amount: "+strconv.Quote(s), nil)
}

// Format writes minor units as a decimal string in c's convention, with
// thousands separators: 125000 GHS is "1,250.00", 40000 RWF is "40,000".
func (c Currency) Format(minor int64) string {
	return c.format(minor, ",")
}

// Plain writes minor units as a decimal string without separators, as
// spreadsheets and programs read numbers: 125000 GHS is "1250.00".
func (c Currency) Plain(minor int64) string {
	return c.format(minor, "")
}

func (c Currency) format(minor int64, thousands string) string {
	exp, _ := c.Exponent()
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u // right for the smallest int64 too, whose negation wraps to itself
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-exp], digits[len(digits)-exp:]

	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if exp > 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// MinorOf converts whole major units to minor units of c, saturating at
// the largest int64 instead of overflowing.
func (c Currency) MinorOf(major int64) int64 {
	exp, _ := c.Exponent()
	for range exp {
		if major > math.MaxInt64/10 {
			return math.MaxInt64
		}
		major *= 10
	}
	return major
}
