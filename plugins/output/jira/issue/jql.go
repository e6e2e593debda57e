package issue

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// textSearchReserved are the characters Jira's text search (Lucene) reads
// as operators; a summary's are replaced by spaces in the query, whose
// hits are then matched on the exact summary.
const textSearchReserved = `+-&|!(){}[]^~*?\:"/`

// JQL is StreamAlert's search for the rule's issue, summary ~ "<summary>"
// in the project, narrowed to issues not done and newest first.
func JQL(project, summary string) string {
	text := strings.Map(func(r rune) rune {
		if strings.ContainsRune(textSearchReserved, r) {
			return ' '
		}
		return r
	}, summary)
	text = strings.Join(strings.Fields(text), " ")
	return "project = " + quote(project) + " AND summary ~ " + quote(text) +
		" AND statusCategory != Done ORDER BY created DESC"
}

// quote writes s as a JQL string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Classify is httpout.ClassifyText with Jira's error text: its
// errorMessages, then its field errors, or the quoted body when the
// answer is not Jira's error JSON.
func Classify(r *httpout.Response) saplugin.SendResult {
	return httpout.ClassifyText(r.Code, ErrorText(r.Body))
}

// ErrorText reads Jira's {"errorMessages": [...], "errors": {field: msg}}.
func ErrorText(body []byte) string {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.ErrorMessages)+len(e.Errors) == 0 {
		return httpout.Quote(body)
	}
	parts := append([]string(nil), e.ErrorMessages...)
	fields := make([]string, 0, len(e.Errors))
	for f := range e.Errors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		parts = append(parts, f+": "+e.Errors[f])
	}
	return httpout.Quote([]byte(strings.Join(parts, "; ")))
}
