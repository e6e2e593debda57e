package awsout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// The services' size limits, as their API references give them.
const (
	// FirehoseRecordLimit is the largest PutRecord data, before base64.
	FirehoseRecordLimit = 1000 * 1024
	// LambdaEventLimit is the largest asynchronous Invoke payload.
	LambdaEventLimit = 1 << 20
	// SQSMessageLimit is the largest SendMessage body; a queue may set a
	// smaller MaximumMessageSize, which SQS itself enforces.
	SQSMessageLimit = 1 << 20
	// SNSMessageLimit is the largest Publish message.
	SNSMessageLimit = 256 * 1024
	// LogEventLimit is the largest PutLogEvents message: a whole batch of
	// one event, less the 26 bytes CloudWatch Logs counts per event.
	LogEventLimit = 1<<20 - 26
	// SESMessageLimit is the largest SendEmail message, attachments and
	// encoding included.
	SESMessageLimit = 40 << 20
)

// normalizationKey is where the host keeps a record's normalized values;
// StreamAlert drops it before outputs see the record.
const normalizationKey = "streamalert_normalization"

// Input is a decoded send request.
type Input struct {
	httpout.Input
	SourceService string
	SourceEntity  string
	// Created is when the alert was created, zero if the alert says not.
	Created time.Time
	// PublicationJSON is the publication as the host composed it, compact.
	PublicationJSON []byte
}

// source is the part of the alert httpout.Alert leaves out.
type source struct {
	SourceService string `json:"source_service"`
	SourceEntity  string `json:"source_entity"`
	Created       string `json:"created"`
}

// createdLayout is the alert JSON's time format.
const createdLayout = "2006-01-02T15:04:05.000000Z"

// Decode reads a send request: httpout's alert and publication, the
// alert's source and creation time, and the publication's JSON.
func Decode(req saplugin.SendRequest) (Input, error) {
	in, err := httpout.Decode(req)
	if err != nil {
		return Input{}, err
	}
	var src source
	_ = json.Unmarshal(req.Alert, &src) // httpout.Decode checked it is an object
	out := Input{Input: in, SourceService: src.SourceService, SourceEntity: src.SourceEntity}
	if t, err := time.Parse(createdLayout, src.Created); err == nil {
		out.Created = t
	}
	pub := bytes.TrimSpace(req.Publication)
	if len(pub) == 0 || bytes.Equal(pub, []byte("null")) {
		pub = req.Alert
	}
	var b bytes.Buffer
	if err := json.Compact(&b, pub); err != nil {
		return Input{}, fmt.Errorf("%w: publication is not valid JSON", httpout.ErrBadInput)
	}
	out.PublicationJSON = b.Bytes()
	return out, nil
}

// Record returns the alert's record, compact, without the normalization
// results; "{}" when the alert has none.
func (in Input) Record() json.RawMessage {
	rec := bytes.TrimSpace(in.Alert.Record)
	if len(rec) == 0 || bytes.Equal(rec, []byte("null")) {
		return json.RawMessage("{}")
	}
	if bytes.Contains(rec, []byte(`"`+normalizationKey+`"`)) {
		if members := httpout.Members(rec); members != nil {
			var b bytes.Buffer
			b.WriteByte('{')
			n := 0
			for _, m := range members {
				if m.Key == normalizationKey {
					continue
				}
				if n++; n > 1 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(m.Key)
				b.Write(k)
				b.WriteByte(':')
				b.Write(m.Value)
			}
			b.WriteByte('}')
			rec = b.Bytes()
		}
	}
	return Compact(rec)
}

// FieldOr returns a publication field as compact JSON, or def when the
// field is not set.
func (in Input) FieldOr(key string, def json.RawMessage) json.RawMessage {
	if v, ok := in.Field(key); ok {
		return Compact(v)
	}
	return def
}

// Compact returns raw without insignificant space; raw that is not JSON
// is returned as it is.
func Compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// Pretty renders a JSON value indented by two spaces with object keys
// sorted, as Python's json.dumps(v, indent=2, sort_keys=True) lays it out.
// Numbers keep their spelling.
func Pretty(raw json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("%w: %s", httpout.ErrBadInput, "value is not valid JSON")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// CheckSize returns a permanent failure naming the limit when a payload of
// n bytes is over it: sending it would only be refused.
func CheckSize(what string, n, limit int, service string) error {
	if n <= limit {
		return nil
	}
	return Permanentf("%s is %d bytes, over the %s limit of %d bytes", what, n, service, limit)
}

// ElideMiddle keeps the two ends of text around " ... " so that it is at
// most max characters long, as StreamAlert's elide_string_middle does.
func ElideMiddle(text string, max int) string {
	rs := []rune(text)
	if len(rs) <= max {
		return text
	}
	half := (max - 5) / 2
	return string(rs[:half]) + " ... " + string(rs[len(rs)-half:])
}
