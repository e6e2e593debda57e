package main

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
)

// alert and publication are the decoded alert and publication, as the
// Events API v2 plugins read them.
type (
	alert       = pdevent.Alert
	publication = pdevent.Publication
)

// parseInput decodes the alert and the publication; an absent or null
// publication is empty, so every field takes its default.
var parseInput = pdevent.ParseInput

// Limits PagerDuty documents for Events API v1 fields.
const (
	maxDescription = 1024
	maxIncidentKey = 255
)

// event is an Events API v1 trigger.
type event struct {
	ServiceKey  string          `json:"service_key"`
	EventType   string          `json:"event_type"`
	IncidentKey string          `json:"incident_key"`
	Description string          `json:"description"`
	Details     json.RawMessage `json:"details"`
	Client      string          `json:"client"`
	ClientURL   string          `json:"client_url"`
	Contexts    []eventContext  `json:"contexts"`
}

// newEvent builds the trigger StreamAlert's pagerduty output builds, from
// the "@pagerduty.*" publication fields and their defaults. One addition:
// StreamAlert sent no incident_key, so PagerDuty opened a new incident for
// every retry of an alert; here it is "<descriptor>:<alert id>", as
// pagerduty-v2's dedup_key, and a retry lands in the same incident.
func newEvent(a alert, pub publication, descriptor, serviceKey string) event {
	ev := event{
		ServiceKey:  serviceKey,
		EventType:   "trigger",
		IncidentKey: truncate(descriptor+":"+a.ID, maxIncidentKey),
		Description: truncate(pub.TextOr("@pagerduty.description", "StreamAlert Rule Triggered - "+a.RuleName), maxDescription),
		Details:     pub["@pagerduty.details"],
		Client:      "streamalert",
		ClientURL:   pub.Text("@pagerduty.client_url"),
		Contexts:    contexts(pub, "@pagerduty.contexts"),
	}
	if pdevent.IsNull(ev.Details) {
		ev.Details = defaultDetails(a)
	}
	return ev
}

// defaultDetails is {"description": ..., "record": ...}.
func defaultDetails(a alert) json.RawMessage {
	rec := a.Record
	if pdevent.IsNull(rec) {
		rec = json.RawMessage("{}")
	}
	b, _ := json.Marshal(struct {
		Description string          `json:"description"`
		Record      json.RawMessage `json:"record"`
	}{a.RuleDescription, rec}) // only a string and valid JSON
	return b
}

// contexts keeps and standardizes the entries StreamAlert's
// _strip_invalid_contexts keeps: links with an href and a text become
// {type, href, text}, images with a src become {type, src}. The result is
// never nil, so "contexts" is always a list.
func contexts(p publication, key string) []eventContext {
	out := []eventContext{}
	var list []any
	if json.Unmarshal(p[key], &list) != nil {
		return out
	}
	for _, e := range list {
		c, ok := e.(map[string]any)
		if !ok {
			continue
		}
		switch typ, _ := c["type"].(string); {
		case typ == "link" && str(c, "href") != "" && str(c, "text") != "":
			out = append(out, eventContext{Type: typ, Href: str(c, "href"), Text: str(c, "text")})
		case typ == "image" && str(c, "src") != "":
			out = append(out, eventContext{Type: typ, Src: str(c, "src")})
		}
	}
	return out
}

// eventContext is a link or an image attached to the event.
type eventContext struct {
	Type string `json:"type"`
	Href string `json:"href,omitempty"`
	Text string `json:"text,omitempty"`
	Src  string `json:"src,omitempty"`
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
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
