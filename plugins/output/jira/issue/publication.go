package issue

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Publication fields both outputs read, StreamAlert's.
const (
	FieldSummary     = "@jira.issue_summary"
	FieldDescription = "@jira.description"
)

// SummaryOf is the issue summary of an alert: @jira.issue_summary, by
// default "StreamAlert <rule>", made valid for Jira.
func SummaryOf(in httpout.Input) string {
	return Summary(in.String(FieldSummary, "StreamAlert "+in.Alert.RuleName))
}

// PublicationJSON is the whole publication as json.dumps(sort_keys=True)
// writes it, the body of StreamAlert's default description.
func PublicationJSON(in httpout.Input, indent int) string {
	b, err := json.Marshal(in.Publication)
	if err != nil {
		return "{}"
	}
	return httpout.PyJSON(b, indent)
}

// MaxText bounds a description or comment built from a publication: Jira
// refuses a text field longer than 32,767 characters, and an alert that
// can never be filed is worse than one cut short.
const MaxText = 30000

// Truncate cuts s to at most n characters, saying so at the end.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	const mark = "\n... (truncated)"
	return string([]rune(s)[:n-utf8.RuneCountInString(mark)]) + mark
}
