package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Publication fields, as in StreamAlert.
const (
	subjectField     = "@aws-ses.subject"
	bodyField        = "@aws-ses.body"
	attachRecord     = "@aws-ses.attach_record"
	attachmentsField = "@aws-ses.attachments"
)

// defaultBody is StreamAlert's body, pointing at the attached record.
const defaultBody = "Please review the attached record.json"

// email is an alert rendered as StreamAlert's aws-ses output renders it.
type email struct {
	subject string
	// body is one text part, or the alternatives of a multipart body.
	body        []part
	alternative bool
	attachments []attachment
}

// part is a text body part: a text/<subtype> and its content.
type part struct {
	subtype string
	text    string
}

// attachment is a file attached to the email.
type attachment struct {
	name string
	data []byte
}

// compose reads the publication: @aws-ses.subject (default "<rule>
// triggered alert <id>"), @aws-ses.body (a text, or {subtype: content}
// for alternatives such as plain and html), @aws-ses.attach_record
// (default true: the record as record.json, indented with sorted keys) and
// @aws-ses.attachments ({filename: content}).
func compose(in awsout.Input) (*email, error) {
	e := &email{subject: headerText(in.String(subjectField, fmt.Sprintf("%s triggered alert %s", in.Alert.RuleName, in.Alert.ID)))}
	if err := e.readBody(in); err != nil {
		return nil, err
	}
	if raw, set := in.Publication[attachRecord]; !set || truthy(raw) {
		rec, err := awsout.Pretty(in.Record())
		if err != nil {
			return nil, err
		}
		e.attachments = append(e.attachments, attachment{"record.json", []byte(rec)})
	}
	if v, ok := in.Field(attachmentsField); ok {
		members := httpout.Members(v)
		if members == nil && !bytes.Equal(bytes.TrimSpace(v), []byte("{}")) {
			return nil, errors.New(attachmentsField + " must be an object of file name to content")
		}
		for _, m := range members {
			e.attachments = append(e.attachments, attachment{fileName(m.Key), []byte(httpout.PyStr(m.Value))})
		}
	}
	return e, nil
}

func (e *email) readBody(in awsout.Input) error {
	v, ok := in.Field(bodyField)
	if !ok {
		e.body = []part{{"plain", defaultBody}}
		return nil
	}
	if v = bytes.TrimSpace(v); v[0] != '{' {
		e.body = []part{{"plain", in.String(bodyField, "")}}
		return nil
	}
	e.alternative = true
	for _, m := range httpout.Members(v) {
		if m.Key == "" || strings.ContainsFunc(m.Key, func(r rune) bool { return !isToken(r) }) {
			return fmt.Errorf("%s: %q is not a text subtype", bodyField, m.Key)
		}
		e.body = append(e.body, part{strings.ToLower(m.Key), httpout.PyStr(m.Value)})
	}
	if len(e.body) == 0 {
		return errors.New(bodyField + " is an empty object")
	}
	return nil
}

// simple reports whether SES's simple content can carry the email: no
// attachment, and a body of plain and HTML text only.
func (e *email) simple() bool {
	if len(e.attachments) > 0 {
		return false
	}
	seen := map[string]bool{}
	for _, p := range e.body {
		if p.subtype != "plain" && p.subtype != "html" || seen[p.subtype] {
			return false
		}
		seen[p.subtype] = true
	}
	return true
}

// truthy is Python's truth value of a JSON value, which StreamAlert's
// @aws-ses.attach_record is read as.
func truthy(raw json.RawMessage) bool {
	switch s := string(bytes.TrimSpace(raw)); s {
	case "false", "null", "0", `""`, "[]", "{}", "0.0":
		return false
	}
	return true
}

// headerText makes text fit a header: control characters, line breaks
// among them, become spaces.
func headerText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// fileName keeps an attachment name to its last path element, without
// control characters.
func fileName(s string) string {
	s = headerText(s)
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	if s == "" || s == "." || s == ".." {
		return "attachment"
	}
	return s
}

// isToken reports whether r may appear in a MIME subtype.
func isToken(r rune) bool {
	return r < 0x7f && r > ' ' && !strings.ContainsRune(`()<>@,;:\"/[]?=`, r)
}
