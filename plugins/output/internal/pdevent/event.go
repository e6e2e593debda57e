// Package pdevent builds PagerDuty Events API v2 triggers from an alert and
// its publication, as StreamAlert's pagerduty-v2 output did; the
// pagerduty-v2 and pagerduty-incident plugins both send them. Endpoint is
// the instance of pagerduty and pagerduty-v2, which post one event per
// alert with the key in the body.
package pdevent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Alert is the part of the alert JSON an event is built from.
type Alert struct {
	ID              string          `json:"id"`
	RuleName        string          `json:"rule_name"`
	RuleDescription string          `json:"rule_description"`
	LogSource       string          `json:"log_source"`
	Record          json.RawMessage `json:"record"`
}

// Publication is a composed publication, values kept as sent.
type Publication map[string]json.RawMessage

// Limits PagerDuty documents for Events API v2 fields.
const (
	maxSummary  = 1024
	maxDedupKey = 255
)

// severities are the values PagerDuty accepts for payload.severity.
var severities = map[string]bool{"critical": true, "error": true, "warning": true, "info": true}

// Event is an Events API v2 trigger.
type Event struct {
	RoutingKey  string  `json:"routing_key"`
	EventAction string  `json:"event_action"`
	DedupKey    string  `json:"dedup_key"`
	Payload     payload `json:"payload"`
	Client      string  `json:"client"`
	ClientURL   string  `json:"client_url,omitempty"`
	Images      []image `json:"images,omitempty"`
	Links       []link  `json:"links,omitempty"`
}

// payload is an event's payload object.
type payload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Severity      string          `json:"severity"`
	Component     string          `json:"component,omitempty"`
	Group         string          `json:"group,omitempty"`
	Class         string          `json:"class,omitempty"`
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
}

// image and link are the event's attachments.
type image struct {
	Src  string `json:"src"`
	Href string `json:"href,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

type link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// ParseInput decodes the alert and the publication; an absent or null
// publication is empty, so every field takes its default.
func ParseInput(alertJSON, pubJSON []byte) (Alert, Publication, error) {
	var a Alert
	if err := json.Unmarshal(alertJSON, &a); err != nil {
		return a, nil, fmt.Errorf("decode alert: %w", err)
	}
	pub := Publication{}
	if p := bytes.TrimSpace(pubJSON); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		if err := json.Unmarshal(p, &pub); err != nil {
			return a, nil, fmt.Errorf("decode publication: %w", err)
		}
	}
	if a.ID == "" {
		sum := sha256.Sum256(alertJSON)
		a.ID = hex.EncodeToString(sum[:16])
	}
	return a, pub, nil
}

// NewEvent builds the trigger StreamAlert's events_v2_data builds, with
// the "@pagerduty-v2.*" publication fields and their defaults. It differs
// where PagerDuty would refuse the event: unknown severities become
// "critical", an empty source is "sa", the summary is cut to PagerDuty's
// limit, and absent optional fields are left out rather than sent as null.
func NewEvent(a Alert, pub Publication, descriptor, routingKey string, withRecord bool) Event {
	ev := Event{
		RoutingKey:  routingKey,
		EventAction: "trigger",
		DedupKey:    dedupKey(descriptor, a.ID),
		Client:      "StreamAlert",
		ClientURL:   pub.Text("@pagerduty-v2.client_url"),
		Images:      pub.images("@pagerduty-v2.images"),
		Links:       pub.links("@pagerduty-v2.links"),
	}
	ev.Payload = payload{
		Summary:   truncate(pub.TextOr("@pagerduty-v2.summary", "StreamAlert Rule Triggered - "+a.RuleName), maxSummary),
		Source:    a.LogSource,
		Severity:  strings.ToLower(pub.TextOr("@pagerduty-v2.severity", "critical")),
		Component: pub.Text("@pagerduty-v2.component"),
		Group:     pub.Text("@pagerduty-v2.group"),
		Class:     pub.Text("@pagerduty-v2.class"),
	}
	if ev.Payload.Source == "" {
		ev.Payload.Source = "sa"
	}
	if !severities[ev.Payload.Severity] {
		ev.Payload.Severity = "critical"
	}
	ev.Payload.CustomDetails = pub["@pagerduty-v2.custom_details"]
	if IsNull(ev.Payload.CustomDetails) {
		ev.Payload.CustomDetails = defaultDetails(a, withRecord)
	}
	return ev
}

// dedupKey is "<descriptor>:<alert id>", StreamAlert's key: stable across
// retries of one alert, distinct between two PagerDuty services.
func dedupKey(descriptor, id string) string {
	return truncate(descriptor+":"+id, maxDedupKey)
}

// defaultDetails is {"description": ..., "record": ...}.
func defaultDetails(a Alert, withRecord bool) json.RawMessage {
	d := struct {
		Description string          `json:"description"`
		Record      json.RawMessage `json:"record,omitempty"`
	}{Description: a.RuleDescription}
	if withRecord {
		d.Record = a.Record
		if IsNull(d.Record) {
			d.Record = json.RawMessage("{}")
		}
	}
	b, _ := json.Marshal(d) // only strings and valid JSON
	return b
}

// Text returns a string field, or the JSON text of any other non-null
// value, or "".
func (p Publication) Text(key string) string {
	v := p[key]
	if IsNull(v) {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return ""
	}
	return buf.String()
}

// TextOr returns Text(key), or def when that is empty.
func (p Publication) TextOr(key, def string) string {
	if s := p.Text(key); s != "" {
		return s
	}
	return def
}

// images keeps the entries with a string "src", as StreamAlert's
// _standardize_images does, but leaves out an absent href or alt where
// StreamAlert sent "": PagerDuty drops an image whose href is not a URL.
func (p Publication) images(key string) []image {
	var out []image
	for _, m := range p.objects(key) {
		if src := str(m, "src"); src != "" {
			out = append(out, image{Src: src, Href: str(m, "href"), Alt: str(m, "alt")})
		}
	}
	return out
}

// links keeps the entries with a string "href"; the text defaults to
// the href, as in StreamAlert's _standardize_links.
func (p Publication) links(key string) []link {
	var out []link
	for _, m := range p.objects(key) {
		if href := str(m, "href"); href != "" {
			text := str(m, "text")
			if text == "" {
				text = href
			}
			out = append(out, link{Href: href, Text: text})
		}
	}
	return out
}

// objects returns the objects of a list field, skipping anything else.
func (p Publication) objects(key string) []map[string]any {
	var list []any
	if json.Unmarshal(p[key], &list) != nil {
		return nil
	}
	var out []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func IsNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || bytes.Equal(v, []byte("null"))
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
