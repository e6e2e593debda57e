package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Card defaults, as StreamAlert's teams output.
const (
	defaultColor = "E81123"
	// maxCard is Teams' documented limit on a webhook message; a card over
	// it is sent without the record section rather than refused.
	maxCard = 28 << 10
)

// card is a legacy actionable message card, the format Teams incoming
// webhooks take as plain JSON (StreamAlert built it with pymsteams).
type card struct {
	Type            string            `json:"@type"`
	Context         string            `json:"@context"`
	Summary         string            `json:"summary"`
	ThemeColor      string            `json:"themeColor"`
	Title           string            `json:"title"`
	Text            string            `json:"text"`
	Sections        []json.RawMessage `json:"sections"`
	PotentialAction []action          `json:"potentialAction,omitempty"`
}

type section struct {
	ActivityTitle string `json:"activityTitle"`
	Facts         []fact `json:"facts,omitempty"`
	Text          string `json:"text,omitempty"`
}

type fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// action is a link button.
type action struct {
	Type    string      `json:"@type"`
	Name    string      `json:"name"`
	Targets []uriTarget `json:"targets"`
}

type uriTarget struct {
	OS  string `json:"os"`
	URI string `json:"uri"`
}

// render builds the card as StreamAlert's TeamsOutput._format_message:
// @teams.title, @teams.description, @teams.card_color, an "Alert Info"
// section, the record section unless @teams.with_record is false, then
// @teams.additional_card_sections (JSON section objects) and
// @teams.buttons ([text, url] pairs or {"text", "url"} objects).
func render(in httpout.Input) ([]byte, error) {
	c := card{
		Type: "MessageCard", Context: "https://schema.org/extensions",
		Title:      in.String("@teams.title", "StreamAlert Rule Triggered: "+in.Alert.RuleName),
		Text:       in.String("@teams.description", in.Alert.RuleDescription),
		ThemeColor: in.String("@teams.card_color", defaultColor),
	}
	c.Summary = c.Title
	c.Sections = append(c.Sections, sectionJSON(section{ActivityTitle: "Alert Info",
		Facts: []fact{{"rule_name", in.Alert.RuleName}, {"alert_id", in.Alert.ID}}}))
	withRecord := true
	if v, ok := in.Field("@teams.with_record"); ok {
		withRecord = truthy(v)
	}
	recordAt := -1
	if withRecord {
		recordAt = len(c.Sections)
		c.Sections = append(c.Sections, sectionJSON(recordSection(in.Alert.Record)))
	}
	if err := addExtras(&c, in); err != nil {
		return nil, err
	}
	body, err := httpout.JSON(c)
	if err == nil && len(body) > maxCard && recordAt >= 0 {
		c.Sections[recordAt] = sectionJSON(section{ActivityTitle: "StreamAlert Alert Record",
			Text: "The record is left out: the card would exceed Teams' 28 KB message limit."})
		body, err = httpout.JSON(c)
	}
	return body, err
}

// recordSection lists the record's top-level keys with Python's str() of
// their values, in the record's order.
func recordSection(record json.RawMessage) section {
	s := section{ActivityTitle: "StreamAlert Alert Record"}
	for _, m := range httpout.Members(record) {
		s.Facts = append(s.Facts, fact{m.Key, httpout.PyStr(m.Value)})
	}
	return s
}

func sectionJSON(s section) json.RawMessage {
	b, _ := httpout.JSON(s)
	return b
}

// Errors for publication fields that cannot be rendered.
var (
	errSections = errors.New("@teams.additional_card_sections must be a list of section objects")
	errButtons  = errors.New(`@teams.buttons must be a list of [text, url] pairs or {"text", "url"} objects`)
)

// addExtras appends the publisher's sections and buttons.
func addExtras(c *card, in httpout.Input) error {
	if v, ok := in.Field("@teams.additional_card_sections"); ok {
		var list []json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return errSections
		}
		for _, s := range list {
			if b := bytes.TrimSpace(s); len(b) == 0 || b[0] != '{' {
				return errSections
			}
			c.Sections = append(c.Sections, s)
		}
	}
	if v, ok := in.Field("@teams.buttons"); ok {
		var list []json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return errButtons
		}
		for _, b := range list {
			text, uri, ok := button(b)
			if !ok {
				return errButtons
			}
			c.PotentialAction = append(c.PotentialAction, action{Type: "OpenUri", Name: text, Targets: []uriTarget{{"default", uri}}})
		}
	}
	return nil
}

// button reads one button as a pair or an object.
func button(raw json.RawMessage) (text, uri string, ok bool) {
	var pair []string
	if json.Unmarshal(raw, &pair) == nil && len(pair) == 2 {
		return pair[0], pair[1], true
	}
	var obj struct{ Text, URL string }
	if json.Unmarshal(raw, &obj) == nil && obj.Text != "" && obj.URL != "" {
		return obj.Text, obj.URL, true
	}
	return "", "", false
}

// truthy is Python's truth value of a JSON value.
func truthy(v json.RawMessage) bool {
	switch s := string(bytes.TrimSpace(v)); s {
	case "false", "null", `""`, "[]", "{}", "0":
		return false
	default:
		var f float64
		if json.Unmarshal(v, &f) == nil {
			return f != 0
		}
		return strings.Trim(s, "[]{} \t\r\n") != ""
	}
}

// classify reads a Teams webhook answer. The classic connector answers
// 200 with body "1"; Power Automate workflow webhooks answer 202 with an
// empty body. The connector has also reported failures, including its own
// throttling, as a 200 whose body is the error text, which pymsteams (and
// so StreamAlert) treated as failure too.
func classify(r *httpout.Response) saplugin.SendResult {
	text := httpout.Quote(r.Body)
	if r.Code < 200 || r.Code >= 300 || text == "" || text == "1" {
		return httpout.ClassifyText(r.Code, text)
	}
	if strings.Contains(text, "429") {
		return saplugin.SendResult{Status: saplugin.Retryable, Message: fmt.Sprintf("HTTP %d: %s", r.Code, text)}
	}
	return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("HTTP %d: %s", r.Code, text)}
}
