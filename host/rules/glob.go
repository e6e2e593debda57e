package rules

import "unicode/utf8"

// glob matches text against a shell pattern with the semantics of
// Python's fnmatch.fnmatchcase, which StreamAlert's matches_any and
// path_matches_any use: '*' matches any run of characters ('/' and
// newlines included), '?' any one character, "[seq]" one character in
// seq and "[!seq]" one not in it, where seq may hold ranges (a-z) and
// starts with a literal ']' when that comes first. A '[' with no closing
// ']' is a literal '['. Matching is case-sensitive and covers all of
// text.
//
// Python compiles a regular expression per pattern; this matches
// directly, backtracking only to the last '*', so the time is at worst
// the product of the two lengths and no pattern can make a rule slow.
func glob(pattern, text string) bool {
	var p, t int          // positions in pattern and text
	star, resume := -1, 0 // the last '*' seen and the text position it consumed up to
	for t < len(text) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				star, resume = p, t
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(text[t:])
				p, t = p+1, t+n
				continue
			case '[':
				r, n := utf8.DecodeRuneInString(text[t:])
				if ok, width, valid := matchSet(pattern[p:], r); valid {
					if ok {
						p, t = p+width, t+n
						continue
					}
				} else if text[t] == '[' {
					p, t = p+1, t+1
					continue
				}
			default:
				pr, pn := utf8.DecodeRuneInString(pattern[p:])
				tr, tn := utf8.DecodeRuneInString(text[t:])
				if pr == tr {
					p, t = p+pn, t+tn
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		// Let the last '*' swallow one more character and retry.
		_, n := utf8.DecodeRuneInString(text[resume:])
		resume += n
		p, t = star+1, resume
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchSet matches r against the set at the start of pat ("[...]"). It
// returns whether r is in the set, the set's width in bytes, and whether
// pat starts with a complete set at all.
func matchSet(pat string, r rune) (ok bool, width int, valid bool) {
	i := 1
	neg := i < len(pat) && pat[i] == '!'
	if neg {
		i++
	}
	start := i
	in := false
	for {
		if i >= len(pat) {
			return false, 0, false
		}
		if pat[i] == ']' && i > start {
			break
		}
		lo, n := utf8.DecodeRuneInString(pat[i:])
		i += n
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi, n = utf8.DecodeRuneInString(pat[i+1:])
			i += 1 + n
		}
		if lo <= r && r <= hi {
			in = true
		}
	}
	return in != neg, i + 1, true
}
