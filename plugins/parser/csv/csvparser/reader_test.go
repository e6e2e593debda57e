package csvparser

import (
	"strings"
	"testing"
)

// readerTests were produced by CPython 3.11's csv.reader over io.StringIO,
// the way StreamAlert reads CSV (python3 -c 'list(csv.reader(...))').
var readerTests = []struct {
	d     dialect
	in    string
	rows  [][]string
	error string
}{
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,b\n\nc,d", [][]string{{"a", "b"}, {}, {"c", "d"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,b\n", [][]string{{"a", "b"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,b", [][]string{{"a", "b"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "", [][]string{}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\n", [][]string{{}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,\"b,c\"d,e", [][]string{{"a", "b,cd", "e"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,\"b\"\"c\",d", [][]string{{"a", "b\"c", "d"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"unterminated,a\nb", [][]string{{"unterminated,a\nb"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a\rb,c", [][]string{}, "new-line character seen in unquoted field - do you need to open the file in universal-newline mode?"},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a\r\nb", [][]string{{"a"}, {"b"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,b\r", [][]string{{"a", "b"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, " a , b ", [][]string{{" a ", " b "}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,\"b\" ,c", [][]string{{"a", "b ", "c"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"a\"x\"y\",b", [][]string{{"ax\"y\"", "b"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a\"b,c", [][]string{{"a\"b", "c"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,", [][]string{{"a", ""}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, ",", [][]string{{"", ""}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"\"", [][]string{{""}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"a\nb\",c\nd,e", [][]string{{"a\nb", "c"}, {"d", "e"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"a\r\nb\"", [][]string{{"a\r\nb"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\u00e9,\u00fc\n", [][]string{{"\u00e9", "\u00fc"}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a,b\nc\rd", [][]string{{"a", "b"}}, "new-line character seen in unquoted field - do you need to open the file in universal-newline mode?"},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "\"x\"\"", [][]string{{"x\""}}, ""},
	{dialect{delimiter: ',', quote: '"', escape: noEscape}, "a\\,b", [][]string{{"a\\", "b"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "1,'a\\'b',c", [][]string{{"1", "a'b", "c"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "1,a\\,b,c", [][]string{{"1", "a,b", "c"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "1,'a\\\nb',c", [][]string{{"1", "a\nb", "c"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "1,a\\\nb,c", [][]string{{"1", "a\nb", "c"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "1,'it''s',c", [][]string{{"1", "it's", "c"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "a\\", [][]string{{"a\n"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "'a\\", [][]string{{"a\n"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "x,'CREATE (a, b)',0", [][]string{{"x", "CREATE (a, b)", "0"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "\\'a',b", [][]string{{"'a'", "b"}}, ""},
	{dialect{delimiter: ',', quote: '\'', escape: '\\'}, "'a\\\\',b", [][]string{{"a\\", "b"}}, ""},
	{dialect{delimiter: '|', quote: '"', escape: noEscape}, "a|b,c|\"d|e\"", [][]string{{"a", "b,c", "d|e"}}, ""},
	{dialect{delimiter: '|', quote: '"', escape: noEscape}, "||", [][]string{{"", "", ""}}, ""},
	{dialect{delimiter: '\t', quote: '"', escape: noEscape}, "a\tb\t\"c\td\"", [][]string{{"a", "b", "c\td"}}, ""},
	{dialect{delimiter: '§', quote: '«', escape: noEscape}, "a\u00a7\u00abb\u00a7c\u00ab\u00a7d", [][]string{{"a", "b\u00a7c", "d"}}, ""},
}

func TestReader(t *testing.T) {
	for _, tt := range readerTests {
		r := newReader(tt.in, tt.d)
		var rows [][]string
		var err error
		for {
			row, ok, e := r.next()
			if e != nil || !ok {
				err = e
				break
			}
			rows = append(rows, append([]string{}, row...))
		}
		if !sameRows(rows, tt.rows) {
			t.Errorf("%+v %q: rows %q, want %q", tt.d, tt.in, rows, tt.rows)
		}
		if (err == nil) != (tt.error == "") || err != nil && !strings.HasPrefix(tt.error, err.Error()) {
			t.Errorf("%+v %q: error %v, want %q", tt.d, tt.in, err, tt.error)
		}
	}
}

func TestReaderLimits(t *testing.T) {
	d := dialect{delimiter: ',', quote: '"', escape: noEscape}
	row, ok, err := newReader(strings.Repeat("é", fieldLimit)+",x", d).next()
	if err != nil || !ok || len(row) != 2 {
		t.Errorf("a field of exactly the limit: %d columns, %v", len(row), err)
	}
	if _, _, err := newReader("a,"+strings.Repeat("x", fieldLimit+1), d).next(); err != errLimit {
		t.Errorf("a field over the limit: %v", err)
	}
	if _, _, err := newReader("a,b\x00c", d).next(); err != errNUL {
		t.Errorf("NUL: %v", err)
	}
}

func sameRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}
