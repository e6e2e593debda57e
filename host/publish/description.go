package publish

import (
	"regexp"
	"strings"
)

// A rule description is fuzzy structured text (StreamAlert's
// shared/description.py): newline-separated, each "label: text" line
// starting a field that runs until the next label; text before any label
// is the description; a blank line inside a field is a paragraph break,
// other line breaks are spaces, and a URL cut over two lines is joined
// back. Slack's Summary and AttachRuleInfo show the parts.
//
//	Detects console logins without MFA.
//
//	author: alice
//	playbook: https://wiki.example.com/playbooks/
//	  console-login-without-mfa

var (
	// fieldLine matches "label: rest" with a label of at most 20
	// letters, digits, '-', '_', '&' or spaces. Python's pattern also
	// refuses labels starting with http: or https:, which labelOK checks,
	// as RE2 has no lookahead.
	fieldLine = regexp.MustCompile(`^([a-zA-Z0-9\-_&\s]{0,20}):(.*)$`)
	urlLike   = regexp.MustCompile(`^(?:https?://)?[\w.-]+(?:\.[\w.-]+)+[\w\-._~:/?#\[\]@!$&'()*+,;=.]+$`)
)

// field is one labelled part of a description, its lines in order.
type field struct {
	name  string
	lines []string
}

// parseDescription splits a description into fields in the order they
// first appear (RuleDescriptionParser.parse).
func parseDescription(desc string) []*field {
	var fields []*field
	byName := map[string]*field{}
	get := func(name string) *field {
		f, ok := byName[name]
		if !ok {
			f = &field{name: name}
			byName[name] = f
			fields = append(fields, f)
		}
		return f
	}
	current := "description"
	for _, line := range strings.Split(strings.TrimSpace(desc), "\n") {
		token := strings.TrimSpace(line)
		get(current)
		if token == "" {
			get(current).lines = append(get(current).lines, "")
			continue
		}
		value := token
		if m := fieldLine.FindStringSubmatch(token); m != nil && labelOK(token) {
			current = strings.ToLower(strings.TrimSpace(m[1]))
			value = strings.TrimSpace(m[2])
		}
		get(current).lines = append(get(current).lines, value)
	}
	return fields
}

func labelOK(token string) bool {
	return !strings.HasPrefix(token, "http:") && !strings.HasPrefix(token, "https:")
}

// presentation is RuleDescriptionParser.present: the author (or
// maintainer), the description, and the other fields in order.
type presentation struct {
	author, description string
	fields              []namedText
}

type namedText struct{ name, text string }

func present(desc string) presentation {
	var p presentation
	for _, f := range parseDescription(desc) {
		text := joinLines(f.lines)
		switch f.name {
		case "author", "maintainer":
			p.author = text
		case "description":
			p.description = text
		default:
			p.fields = append(p.fields, namedText{f.name, text})
		}
	}
	return p
}

// joinLines joins a field's lines: blank lines become the line breaks
// between paragraphs, a line that continues a URL is appended without a
// space, and other lines are joined with one.
func joinLines(lines []string) string {
	var doc string
	started := false
	breaks := ""
	for _, line := range lines {
		if line == "" {
			breaks += "\n"
			continue
		}
		switch {
		case !started:
			doc, started, breaks = line, true, ""
		case urlLike.MatchString(doc + line):
			doc += line
		default:
			sep := breaks
			if sep == "" {
				sep = " "
			}
			doc += sep + line
			breaks = ""
		}
	}
	return doc
}
