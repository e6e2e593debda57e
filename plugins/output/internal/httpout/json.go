package httpout

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON encodes v without Go's HTML escaping of <, > and &, which vendors
// do not need and which makes payloads harder to read, and without the
// encoder's trailing newline.
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
