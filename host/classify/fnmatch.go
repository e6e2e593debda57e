package classify

import "unicode/utf8"

// glob is a compiled shell pattern with the semantics of Python's
// fnmatch.fnmatchcase, which StreamAlert's log_patterns use: '*' matches
// any run of characters (newlines included), '?' any one character,
// "[seq]" one character in seq and "[!seq]" one not in it, where seq may
// hold ranges "a-z" and starts with a literal ']' if that comes first. A
// '[' without a closing ']' is a literal '['. Matching is case-sensitive
// and covers the whole value.
//
// Python builds a regular expression; sa matches directly, in time
// proportional to pattern times value at worst, so no pattern can make a
// match slow. One difference: a reversed range such as "[z-a]" makes
// Python raise (the record's invocation fails); here it matches nothing.
type glob []globTok

type globTok struct {
	op     byte // 'c' literal, '?' any, '*' star, '[' set
	r      rune
	neg    bool
	ranges []rune // pairs lo, hi
}

func compileGlob(p string) glob {
	var g glob
	rs := []rune(p)
	for i := 0; i < len(rs); {
		switch c := rs[i]; c {
		case '*':
			if len(g) == 0 || g[len(g)-1].op != '*' {
				g = append(g, globTok{op: '*'})
			}
			i++
		case '?':
			g = append(g, globTok{op: '?'})
			i++
		case '[':
			tok, n := compileSet(rs[i+1:])
			if n < 0 {
				g = append(g, globTok{op: 'c', r: '['})
				i++
				continue
			}
			g = append(g, tok)
			i += 1 + n
		default:
			g = append(g, globTok{op: 'c', r: c})
			i++
		}
	}
	return g
}

// compileSet reads a set after its '['; n is the runes consumed through the
// closing ']', or -1 if there is none.
func compileSet(rs []rune) (globTok, int) {
	j := 0
	if j < len(rs) && rs[j] == '!' {
		j++
	}
	if j < len(rs) && rs[j] == ']' {
		j++
	}
	for j < len(rs) && rs[j] != ']' {
		j++
	}
	if j >= len(rs) {
		return globTok{}, -1
	}
	body := rs[:j]
	tok := globTok{op: '['}
	if len(body) > 0 && body[0] == '!' {
		tok.neg, body = true, body[1:]
	}
	for k := 0; k < len(body); k++ {
		lo, hi := body[k], body[k]
		if k+2 < len(body) && body[k+1] == '-' {
			hi = body[k+2]
			k += 2
		}
		tok.ranges = append(tok.ranges, lo, hi)
	}
	return tok, j + 1
}

func (t *globTok) matches(r rune) bool {
	switch t.op {
	case '?':
		return true
	case 'c':
		return t.r == r
	}
	in := false
	for k := 0; k < len(t.ranges); k += 2 {
		if t.ranges[k] <= r && r <= t.ranges[k+1] {
			in = true
			break
		}
	}
	return in != t.neg
}

// match reports whether s matches g as a whole. It backtracks to the last
// star only, which is enough for globs and keeps matching linear per star.
func (g glob) match(s string) bool {
	pi, si := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		switch {
		case pi < len(g) && g[pi].op == '*':
			star, starS = pi, si
			pi++
			continue
		case pi < len(g) && g[pi].matches(r):
			pi++
			si += size
			continue
		case star >= 0:
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			pi, si = star+1, starS
			continue
		}
		return false
	}
	for pi < len(g) && g[pi].op == '*' {
		pi++
	}
	return pi == len(g)
}
