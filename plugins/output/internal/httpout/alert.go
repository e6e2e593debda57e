package httpout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Alert is the part of the host's alert JSON that outputs render from, as
// StreamAlert's outputs read alert.rule_name, alert.record and so on.
type Alert struct {
	ID              string          `json:"id"`
	RuleName        string          `json:"rule_name"`
	RuleDescription string          `json:"rule_description"`
	Record          json.RawMessage `json:"record"`
}

// Input is a decoded send request.
type Input struct {
	Alert Alert
	// Publication is the composed publication, or the alert itself when
	// the host sent none (StreamAlert's default publisher).
	Publication map[string]json.RawMessage
}

// ErrBadInput is wrapped by Decode's errors: the request cannot be
// rendered, and sending it again will not help.
var ErrBadInput = errors.New("undecodable alert")

// Decode reads the alert and the publication of req.
func Decode(req saplugin.SendRequest) (Input, error) {
	var in Input
	if err := json.Unmarshal(req.Alert, &in.Alert); err != nil {
		return in, fmt.Errorf("%w: alert is not a JSON object", ErrBadInput)
	}
	pub := bytes.TrimSpace(req.Publication)
	if len(pub) == 0 || bytes.Equal(pub, []byte("null")) {
		pub = req.Alert
	}
	if err := json.Unmarshal(pub, &in.Publication); err != nil || in.Publication == nil {
		return in, fmt.Errorf("%w: publication is not a JSON object", ErrBadInput)
	}
	return in, nil
}

// Field returns a publication field; absent and null are both "not set",
// so a publisher can clear a field to get the output's default.
func (in Input) Field(key string) (json.RawMessage, bool) {
	v, ok := in.Publication[key]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, false
	}
	return v, true
}

// String returns a publication field as text (a JSON string's value, any
// other value's JSON), or def when it is not set.
func (in Input) String(key, def string) string {
	v, ok := in.Field(key)
	if !ok {
		return def
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}
