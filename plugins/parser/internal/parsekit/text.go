package parsekit

import (
	"bytes"
	"fmt"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// Text returns the text the csv, kv and syslog parsers read from raw.
//
// StreamAlert first tries json.loads on every record and hands the text
// parsers whatever that gives: a record that is a JSON string literal is
// read as the string it spells, and one that is any other JSON value (an
// object, a number) cannot be read as text at all — in Python the parsers
// then fail or crash. Both cases are kept here, the second as an error.
// Invalid UTF-8 is an error too: Python would fail to decode it.
func Text(raw []byte) (string, error) {
	if err := jsonx.ValidUTF8(raw); err != nil {
		return "", err
	}
	if j := jsonx.Trim(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))); jsonx.Valid(j) {
		if k := jsonx.KindOf(j); k != jsonx.String {
			return "", fmt.Errorf("record is %s in JSON, not text", k)
		}
		return jsonx.Unquote(j), nil
	}
	return string(raw), nil
}
