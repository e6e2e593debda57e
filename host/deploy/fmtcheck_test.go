package deploy

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// fmtProblems reports where src departs from terraform fmt's layout: the
// rules of hclwrite.Format that matter for hand-written files. Lines are
// indented two spaces per open bracket; the
// "=" of consecutive one-line attributes line up one space after the
// longest name, a line whose value opens a bracket, a blank line or a line
// without "=" ending the run; no tabs or trailing spaces; one final
// newline.
func fmtProblems(src []byte) []string {
	var out []string
	for i, l := range strings.Split(string(src), "\n") {
		if strings.TrimRight(l, " \t") != l || strings.Contains(l, "\t") {
			out = append(out, fmt.Sprintf("%d: tab or trailing space", i+1))
		}
	}
	if !strings.HasSuffix(string(src), "\n") || strings.HasSuffix(string(src), "\n\n") {
		out = append(out, " file must end in exactly one newline")
	}
	toks, diags := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return append(out, " "+diags.Error())
	}
	var chain []fmtLine
	flush := func() {
		out = append(out, checkChain(chain)...)
		chain = nil
	}
	var indents []int
	for _, line := range splitLines(toks) {
		out = append(out, checkIndent(line, &indents)...)
		fl, ok := assignLine(line)
		if !ok {
			flush()
			continue
		}
		chain = append(chain, fl)
	}
	flush()
	return out
}

// fmtLine is one "name = value" line.
type fmtLine struct {
	line, leadEnd, eq int // columns
}

// splitLines groups tokens by line, dropping the newlines and EOF.
func splitLines(toks hclsyntax.Tokens) [][]hclsyntax.Token {
	var lines [][]hclsyntax.Token
	var cur []hclsyntax.Token
	for _, tok := range toks {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			lines = append(lines, cur)
			cur = nil
		default:
			cur = append(cur, tok)
		}
		// A comment token carries its own newline.
		if tok.Type == hclsyntax.TokenComment && strings.HasSuffix(string(tok.Bytes), "\n") {
			lines = append(lines, cur)
			cur = nil
		}
	}
	return lines
}

func bracketChange(t hclsyntax.TokenType) int {
	switch t {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
		return 1
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
		return -1
	}
	return 0
}

// checkIndent checks a line's indentation as hclwrite sets it: a line
// opening brackets indents the lines after it one level, however many it
// opens, until they are closed again.
func checkIndent(line []hclsyntax.Token, indents *[]int) []string {
	if len(line) == 0 {
		return nil
	}
	net := 0
	for _, tok := range line {
		net += bracketChange(tok.Type)
	}
	want := 2 * len(*indents)
	switch {
	case net > 0:
		*indents = append(*indents, net)
	case net < 0:
		for closed := -net; closed > 0 && len(*indents) > 0; {
			top := &(*indents)[len(*indents)-1]
			if closed < *top {
				*top -= closed
				break
			}
			closed -= *top
			*indents = (*indents)[:len(*indents)-1]
		}
		want = 2 * len(*indents)
	}
	first := line[0]
	if got := first.Range.Start.Column - 1; got != want {
		return []string{fmt.Sprintf("%d: indented %d spaces, want %d", first.Range.Start.Line, got, want)}
	}
	return nil
}

// assignLine finds the line's "=" whose value ends on the line.
func assignLine(line []hclsyntax.Token) (fmtLine, bool) {
	for i, tok := range line {
		if i == 0 || tok.Type != hclsyntax.TokenEqual {
			continue
		}
		net := 0
		for _, t := range line[i:] {
			net += bracketChange(t.Type)
		}
		if net != 0 {
			return fmtLine{}, false
		}
		return fmtLine{line: tok.Range.Start.Line, leadEnd: line[i-1].Range.End.Column, eq: tok.Range.Start.Column}, true
	}
	return fmtLine{}, false
}

func checkChain(chain []fmtLine) []string {
	maxEnd := 0
	for _, l := range chain {
		maxEnd = max(maxEnd, l.leadEnd)
	}
	var out []string
	for _, l := range chain {
		if l.eq != maxEnd+1 {
			out = append(out, fmt.Sprintf("%d: \"=\" at column %d, want %d to line up with its neighbours", l.line, l.eq, maxEnd+1))
		}
	}
	return out
}

func ctyString(s string) cty.Value { return cty.StringVal(s) }

// fmtValue renders a literal value as HCL would show it.
func fmtValue(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	}
	return v.GoString()
}
