package parsekit

import (
	"fmt"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// Envelope returns the values of keys (the schema's envelope_keys) in doc,
// the enclosing document, as one JSON object in keys order, leaving out keys
// doc lacks. That is StreamAlert's envelope before its checks: the host
// still checks that the required keys are there, converts the values,
// fills in optional ones and stores the object under
// "streamalert:envelope_keys". With no keys it returns nil. doc must be a
// document jsonx.Check accepted, or nil when the record is not JSON.
func Envelope(doc []byte, keys []string) ([]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if k := jsonx.KindOf(doc); k != jsonx.Object {
		if k == jsonx.Invalid {
			return nil, fmt.Errorf("envelope_keys need the record to be a JSON object; it is not JSON")
		}
		return nil, fmt.Errorf("envelope_keys need the record to be a JSON object; it is %s", k)
	}
	values := make([][]byte, len(keys))
	for k, v := range jsonx.Members(doc) {
		for i, want := range keys {
			if jsonx.KeyIs(k, want) {
				values[i] = v // the last of duplicate keys wins
				break
			}
		}
	}
	b := jsonx.NewBuilder(64)
	for i, v := range values {
		if v != nil {
			b.Raw(keys[i], v)
		}
	}
	return b.Bytes(), nil
}
