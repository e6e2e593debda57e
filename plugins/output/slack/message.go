package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Slack's limits as StreamAlert applies them: attachment text is kept to
// 4000 characters (Slack's recommendation for message text) and a message
// to 20 attachments (Slack recommends no more, and refuses over 100).
const (
	maxMessageSize = 4000
	maxAttachments = 20
)

// Default attachment looks.
const (
	defaultColor  = "#b22222"
	skeletonColor = "#36a64f"
)

// message is the incoming-webhook payload.
type message struct {
	Text        string   `json:"text"`
	Mrkdwn      bool     `json:"mrkdwn"`
	Attachments []object `json:"attachments"`
}

// object is a JSON object that keeps its key order, so custom attachments
// are sent as the publisher wrote them after the skeleton's keys.
type object []httpout.Member

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// set replaces key's value, or appends it as a Python dict update does.
func (o object) set(key string, v json.RawMessage) object {
	for i := range o {
		if o[i].Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, httpout.Member{Key: key, Value: v})
}

func (o object) get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// raw encodes a Go value for an object; the values used cannot fail.
func raw(v any) json.RawMessage {
	b, _ := httpout.JSON(v)
	return b
}

// format renders the message as StreamAlert's SlackOutput._format_message:
// @slack.text (default "*StreamAlert Rule Triggered: <rule>*") and either
// @slack.attachments merged onto the attachment skeleton, or the record
// rendered as mrkdwn and split into attachments.
func format(in httpout.Input) (message, error) {
	text := in.String("@slack.text", fmt.Sprintf("*StreamAlert Rule Triggered: %s*", in.Alert.RuleName))
	msg := message{Text: text, Mrkdwn: true}
	if custom, ok := in.Field("@slack.attachments"); ok {
		atts, err := customAttachments(custom)
		msg.Attachments = atts
		return msg, err
	}
	msg.Attachments = defaultAttachments(in.Alert, text)
	return msg, nil
}

// defaultAttachments splits the record into parts, each one attachment;
// the first carries the rule description.
func defaultAttachments(a httpout.Alert, fallback string) []object {
	parts := splitText(htmlEscape(strings.Join(mrkdwn(a.Record, 0), "\n")))
	atts := make([]object, 0, min(len(parts), maxAttachments))
	for i, part := range parts[:min(len(parts), maxAttachments)] {
		title := "Record:"
		if len(parts) > 1 {
			title = fmt.Sprintf("Record (Part %d of %d):", i+1, len(parts))
		}
		pretext := ""
		if i == 0 {
			pretext = "*Rule Description:*\n" + a.RuleDescription + "\n"
		}
		atts = append(atts, object{
			{Key: "fallback", Value: raw(fallback)},
			{Key: "color", Value: raw(defaultColor)},
			{Key: "pretext", Value: raw(pretext)},
			{Key: "title", Value: raw(title)},
			{Key: "text", Value: raw(part)},
			{Key: "mrkdwn_in", Value: raw([]string{"text", "pretext"})},
		})
	}
	return atts
}

// skeleton is StreamAlert's default attachment, onto which a publisher's
// attachment is merged.
func skeleton() object {
	o := object{}
	for _, k := range []string{"fallback", "color", "pretext", "author_name", "author_link", "author_icon",
		"title", "title_link", "text", "fields", "image_url", "thumb_url", "footer", "footer_icon", "ts", "mrkdwn_in"} {
		o = append(o, httpout.Member{Key: k, Value: raw("")})
	}
	o = o.set("color", raw(skeletonColor))
	o = o.set("fields", json.RawMessage(`[]`))
	return o.set("mrkdwn_in", raw([]string{"text", "pretext"}))
}

// errAttachments reports a @slack.attachments that is not a list of
// objects; StreamAlert would crash on it, sa reports it.
var errAttachments = errors.New("@slack.attachments must be a list of objects")

// customAttachments merges each publisher attachment onto the skeleton,
// elides text over the size limit in the middle and keeps at most
// maxAttachments.
func customAttachments(custom json.RawMessage) ([]object, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(custom, &list); err != nil {
		return nil, errAttachments
	}
	atts := []object{}
	for _, item := range list[:min(len(list), maxAttachments)] {
		members := httpout.Members(item)
		if members == nil && !bytes.Equal(bytes.TrimSpace(item), []byte("{}")) {
			return nil, errAttachments
		}
		att := skeleton()
		for _, m := range members {
			att = att.set(m.Key, m.Value)
		}
		if v, _ := att.get("text"); v != nil {
			var s string
			if json.Unmarshal(v, &s) == nil && runeLen(s) > maxMessageSize {
				att = att.set("text", raw(elideMiddle(s, maxMessageSize)))
			}
		}
		atts = append(atts, att)
	}
	return atts, nil
}

// mrkdwn renders a JSON value as StreamAlert's _json_to_slack_mrkdwn:
// "*key:* value" lines in sorted key order, "*[n]*" for list items,
// nested values on following lines indented one more tab.
func mrkdwn(v json.RawMessage, indent int) []string {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) > 0 && v[0] == '{':
		members := httpout.Members(v)
		sort.SliceStable(members, func(i, j int) bool { return members[i].Key < members[j].Key })
		var lines []string
		for _, m := range members {
			lines = append(lines, entry(fmt.Sprintf("*%s:*", m.Key), m.Value, indent)...)
		}
		return lines
	case len(v) > 0 && v[0] == '[':
		var items []json.RawMessage
		_ = json.Unmarshal(v, &items)
		var lines []string
		for i, it := range items {
			lines = append(lines, entry(fmt.Sprintf("*[%d]*", i+1), it, indent)...)
		}
		return lines
	}
	return []string{httpout.PyStr(v)}
}

// entry renders one labelled value: a non-empty container on the lines
// after its label, anything else on the label's line.
func entry(label string, v json.RawMessage, indent int) []string {
	tabs := strings.Repeat("\t", indent)
	if nonEmptyContainer(v) {
		return append([]string{tabs + label}, mrkdwn(v, indent+1)...)
	}
	// Scalars render as one line, empty containers as {} or [].
	return []string{tabs + label + " " + httpout.PyStr(v)}
}

func nonEmptyContainer(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return false
	}
	var c []json.RawMessage
	if v[0] == '[' {
		_ = json.Unmarshal(v, &c)
		return len(c) > 0
	}
	return len(httpout.Members(v)) > 0
}

// htmlEscape is Python's html.escape: Slack needs &, < and > escaped, and
// StreamAlert escapes quotes too.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace

// splitText cuts text into parts of at most maxMessageSize characters, at
// the last newline, else the last space, dropping that separator. With
// neither, it cuts hard; unlike StreamAlert, which then lost the character
// at the cut, nothing is dropped.
func splitText(text string) []string {
	rs := []rune(text)
	var parts []string
	for len(rs) > 0 {
		if len(rs) <= maxMessageSize {
			return append(parts, string(rs))
		}
		window := rs[:maxMessageSize+1]
		cut, skip := lastIndex(window, '\n'), 1
		if cut < 0 {
			cut = lastIndex(window, ' ')
		}
		if cut < 0 {
			cut, skip = maxMessageSize, 0
		}
		parts = append(parts, string(rs[:cut]))
		rs = rs[cut+skip:]
	}
	return parts
}

func lastIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func runeLen(s string) int { return len([]rune(s)) }

// elideMiddle is StreamAlert's elide_string_middle: the two ends of text
// around " ... ", at most max characters.
func elideMiddle(text string, max int) string {
	rs := []rune(text)
	if len(rs) <= max {
		return text
	}
	half := (max - 5) / 2
	return string(rs[:half]) + " ... " + string(rs[len(rs)-half:])
}
