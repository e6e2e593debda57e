package publish

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Slack publishers (publishers/community/slack/slack_layout.py). They
// build "@slack.text" and "@slack.attachments", which the Slack output
// merges onto its message. Summary starts a new publication and keeps the
// previous one under "@slack._previous_publication" for the others.

// Attachment colours, as StreamAlert's layout names them.
const (
	colorRausch    = "#ff5a5f"
	colorBabu      = "#00d1c1"
	colorLima      = "#8ce071"
	colorHackberry = "#7b0051"
	colorBeach     = "#ffb400"
)

const (
	slackText        = "@slack.text"
	slackAttachments = "@slack.attachments"
	slackPrevious    = "@slack._previous_publication"
	// slackMaxAttachment is Slack's limit on an attachment's text, less
	// room for the code fence around each part of a record.
	slackMaxAttachment = 4000 - 10
	missingTemplate    = "[MISSING TEMPLATE]"
)

// summary returns the Summary publisher: a short message with the rule,
// its author and description, linked by link (nil: no link).
func summary(link func(rule string) string) Func {
	return func(a *Alert, pub Publication) (Publication, error) {
		p := present(a.RuleDescription)
		titleLink := ""
		if link != nil {
			titleLink = link(a.RuleName)
		}
		return Publication{
			slackText: "Rule triggered",
			slackAttachments: []any{map[string]any{
				"fallback": "Rule triggered: " + a.RuleName, "color": colorRausch,
				"author_name": p.author, "author_link": "", "author_icon": "",
				"title": a.RuleName, "title_link": titleLink, "text": htmlEscape(p.description),
				"image_url": "", "thumb_url": "", "footer": "", "footer_icon": "",
				"ts": a.Created.Unix(), "mrkdwn_in": []any{},
			}},
			slackPrevious: pub,
		}, nil
	}
}

// attachRuleInfo adds the description's other fields (playbook,
// reference, ...) as attachment fields.
func attachRuleInfo(a *Alert, pub Publication) (Publication, error) {
	fields := []any{}
	for _, f := range present(a.RuleDescription).fields {
		fields = append(fields, map[string]any{"title": capitalize(f.name), "value": f.text})
	}
	return pub, appendTo(pub, slackAttachments, map[string]any{"color": colorLima, "fields": fields})
}

// attachPublication adds the publication Summary replaced, as pretty JSON.
// It does nothing unless Summary ran before it.
func attachPublication(_ *Alert, pub Publication) (Publication, error) {
	prev, hasPrev := pub[slackPrevious]
	if _, ok := pub[slackAttachments]; !ok || !hasPrev {
		return pub, nil
	}
	block := "```\n" + pyJSON(prev) + "\n```"
	return pub, appendTo(pub, slackAttachments, map[string]any{
		"color": colorBabu, "title": "Alert Data:", "text": htmlEscape(block), "mrkdwn_in": []any{"text"},
	})
}

// attachStringTemplate adds the context's "slack_message_template",
// formatted with Python's str.format against the publication Summary
// replaced, or the current one.
func attachStringTemplate(a *Alert, pub Publication) (Publication, error) {
	tmpl := missingTemplate
	if v, ok := a.Context["slack_message_template"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("context slack_message_template is not a string")
		}
		tmpl = s
	}
	args := pub
	if prev, ok := pub[slackPrevious]; ok {
		if args, ok = prev.(map[string]any); !ok {
			return nil, fmt.Errorf("%s is not an object", slackPrevious)
		}
	}
	text, err := pyFormat(tmpl, args)
	if err != nil {
		return nil, fmt.Errorf("context slack_message_template: %w", err)
	}
	return pub, appendTo(pub, slackAttachments, map[string]any{"color": colorBeach, "text": htmlEscape(text)})
}

// attachFullRecord adds the record as pretty JSON cut at line ends into
// attachments within Slack's size limit; the first names the source
// entity, the last carries the alert id and the source service.
func attachFullRecord(a *Alert, pub Publication) (Publication, error) {
	parts := splitLines(strings.Split(htmlEscape(pyJSON(a.Record)), "\n"), slackMaxAttachment)
	var items []any
	for i, doc := range parts {
		items = append(items, recordAttachment(a, doc, i == 0, i == len(parts)-1))
	}
	return pub, appendTo(pub, slackAttachments, items...)
}

// splitLines packs lines into documents of at most limit characters where
// possible (a longer line gets a document of its own). As in StreamAlert,
// each line is preceded by a newline, the first one included.
func splitLines(lines []string, limit int) []string {
	var docs []string
	doc := ""
	for _, line := range lines {
		if doc != "" && utf8.RuneCountInString(doc)+utf8.RuneCountInString(line) > limit {
			docs = append(docs, doc)
			doc = ""
		}
		doc += "\n" + line
	}
	if doc != "" {
		docs = append(docs, doc)
	}
	return docs
}

func recordAttachment(a *Alert, doc string, first, last bool) map[string]any {
	att := map[string]any{
		"color": colorHackberry, "author": "", "title": "", "text": "```\n" + doc + "\n```",
		"fields": []any{}, "footer": "", "footer_icon": "", "mrkdwn_in": []any{"text"},
	}
	if first {
		att["author"], att["title"] = a.SourceEntity, "Record"
	}
	if last {
		att["fields"] = []any{map[string]any{"title": "Alert Id", "value": a.ID}}
		att["footer"] = sourceFooter(a.SourceService)
	}
	return att
}

// awsConsoleServices are the sources whose AWS console page a footer can
// link to.
var awsConsoleServices = map[string]bool{"kinesis": true, "s3": true, "sns": true, "sqs": true}

// sourceFooter names where the record came from.
func sourceFooter(service string) string {
	switch {
	case service == "":
		return ""
	case awsConsoleServices[service]:
		return fmt.Sprintf("via <https://console.aws.amazon.com/%s/home|%s>", service, service)
	}
	return "via " + service
}

// capitalize is Python's str.capitalize: first character upper case, the
// rest lower case.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}
