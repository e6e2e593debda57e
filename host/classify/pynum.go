package classify

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// StreamAlert converts values with Python's str(), int() and float(), and
// records carry what those return, so rules written for StreamAlert see the
// same values here. This file reproduces the parts of Python's number
// semantics that show: which strings int() and float() accept, how int()
// truncates a float, and how str() prints a float.

// maxIntDigits bounds the digits int() reads from a string, as Python 3.11
// does, so a hostile record cannot make a conversion quadratic.
const maxIntDigits = 4300

// isFloatLiteral reports whether a JSON number literal decodes to a Python
// float (it has a fraction or an exponent) rather than an int.
func isFloatLiteral(lit []byte) bool { return bytes.ContainsAny(lit, ".eE") }

// pyStrNumber is str() of a decoded JSON number: an int prints as its
// digits, a float as repr does. A literal too large for a float64 keeps
// its text (Python would print "inf", which no JSON reader takes back).
func pyStrNumber(lit []byte) string {
	if !isFloatLiteral(lit) {
		if string(lit) == "-0" {
			return "0"
		}
		return string(lit)
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return string(lit)
	}
	return pyFloatRepr(f)
}

// pyFloatRepr formats f as Python's repr: the shortest digits that read
// back as f, in positional notation with at least one decimal for
// exponents -4 through 15, else as d.ddde±XX.
func pyFloatRepr(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// pyIntFromNumber is int() of a decoded JSON number: ints unchanged,
// floats truncated toward zero, exactly, at any size.
func pyIntFromNumber(lit []byte) (string, bool) {
	if !isFloatLiteral(lit) {
		return pyStrNumber(lit), true
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || math.IsInf(f, 0) {
		return "", false // Python: int(inf) raises OverflowError
	}
	f = math.Trunc(f)
	if math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), true
	}
	i, _ := big.NewFloat(f).Int(nil)
	return i.String(), true
}

// pyIntFromString is int() of a string: surrounding whitespace, a sign,
// and decimal digits with single underscores between them. Leading zeros
// are allowed. Python also reads digits of other scripts; sa reads ASCII
// digits only.
func pyIntFromString(s string) (string, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits, ok := underscoredDigits(s)
	if !ok || len(digits) > maxIntDigits {
		return "", false
	}
	digits = strings.TrimLeft(digits, "0")
	switch {
	case digits == "":
		return "0", true
	case neg:
		return "-" + digits, true
	}
	return digits, true
}

// underscoredDigits removes the underscores of a run of ASCII digits in
// which each underscore stands between two digits.
func underscoredDigits(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	if !strings.Contains(s, "_") {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return "", false
			}
		}
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '_' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]):
		default:
			return "", false
		}
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// pyFloatFromString is float() of a string, except that "nan", "inf" and
// values that overflow to infinity are refused: Python accepts them, and
// the record would then hold NaN or Infinity, which JSON cannot carry.
func pyFloatFromString(s string) (float64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || !decimalFloat(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !isRangeUnderflow(f, err) {
		return 0, false
	}
	return f, !math.IsInf(f, 0)
}

// isRangeUnderflow reports a value too small for a float64, which Python
// reads as zero and Go reports as an error with result 0.
func isRangeUnderflow(f float64, err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange && f == 0
}

// decimalFloat matches Python's float syntax without sign, inf and nan:
// digits, a point, digits (one side may be empty), then an exponent; each
// underscore between two digits.
func decimalFloat(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, hasPoint := strings.Cut(mant, ".")
	okInt := intPart == "" || validDigits(intPart)
	okFrac := frac == "" || validDigits(frac)
	if !okInt || !okFrac || intPart == "" && frac == "" || !hasPoint && frac != "" {
		return false
	}
	if hasExp {
		exp = strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
		return validDigits(exp)
	}
	return true
}

func validDigits(s string) bool {
	_, ok := underscoredDigits(s)
	return ok
}

// pyIsSpace is Python's str.isspace for the characters strip() removes:
// Unicode whitespace plus the ASCII file, group, record and unit
// separators, which Python counts and Go does not.
func pyIsSpace(r rune) bool {
	if r >= 0x1c && r <= 0x1f {
		return true
	}
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
