package syslogparser

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// message is an RFC 5424 message; "-" fields are "".
type message struct {
	pri                                               int
	version, timestamp, host, app, procid, msgid, msg string
	sd                                                []byte // a JSON object
}

var (
	start5424 = regexp.MustCompile(`^<[0-9]{1,3}>[1-9]`)
	// timestamp is RFC 5424's TIMESTAMP: RFC 3339 with at most six
	// fractional digits.
	timestamp = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})$`)
)

// looks5424 reports whether s starts as RFC 5424 does, so errors can speak
// of that format.
func looks5424(s string) bool { return start5424.MatchString(s) }

// parse5424 reads s, which looks5424 accepted.
func parse5424(s string) (*message, error) {
	m := &message{}
	end := strings.IndexByte(s, '>')
	m.pri, _ = strconv.Atoi(s[1:end])
	if m.pri > 191 {
		return nil, fmt.Errorf("priority %d is over 191", m.pri)
	}
	s = s[end+1:]
	var err error
	header := []struct {
		name string
		max  int
		dst  *string
	}{
		{"version", 3, &m.version}, {"timestamp", 32, &m.timestamp}, {"hostname", 255, &m.host},
		{"app-name", 48, &m.app}, {"procid", 128, &m.procid}, {"msgid", 32, &m.msgid},
	}
	for _, h := range header {
		if *h.dst, s, err = token(s, h.name, h.max); err != nil {
			return nil, err
		}
	}
	if m.timestamp != "" && !timestamp.MatchString(m.timestamp) {
		return nil, fmt.Errorf("timestamp is not RFC 3339")
	}
	if m.sd, s, err = structuredData(s); err != nil {
		return nil, err
	}
	switch {
	case s == "":
	case s[0] == ' ':
		m.msg = strings.TrimPrefix(s[1:], "\ufeff")
	default:
		return nil, errors.New("no space after the structured data")
	}
	return m, nil
}

// token reads a header field of printable ASCII up to a space and returns
// it ("-" as "") with the text after the space.
func token(s, name string, max int) (string, string, error) {
	if s == "" {
		return "", "", fmt.Errorf("the header ends before the %s", name)
	}
	tok, rest, _ := strings.Cut(s, " ")
	if tok == "" || len(tok) > max {
		return "", "", fmt.Errorf("%s is empty or longer than %d characters", name, max)
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '!' || tok[i] > '~' {
			return "", "", fmt.Errorf("%s holds a character that is not printable ASCII", name)
		}
	}
	if tok == "-" {
		tok = ""
	}
	return tok, rest, nil
}

// structuredData reads STRUCTURED-DATA into a JSON object of SD-IDs, each an
// object of its parameters, and returns the text after it.
func structuredData(s string) ([]byte, string, error) {
	if s == "" {
		return nil, "", errors.New("the header ends before the structured data")
	}
	if strings.HasPrefix(s, "-") {
		return []byte("{}"), s[1:], nil
	}
	if !strings.HasPrefix(s, "[") {
		return nil, "", errors.New(`structured data is neither "-" nor [elements]`)
	}
	out := jsonx.NewBuilder(len(s))
	for strings.HasPrefix(s, "[") {
		id, rest, err := sdName(s[1:], "SD-ID")
		if err != nil {
			return nil, "", err
		}
		params := jsonx.NewBuilder(64)
		for s = rest; strings.HasPrefix(s, " "); {
			var name, value string
			if name, s, err = sdName(s[1:], "parameter name"); err != nil {
				return nil, "", err
			}
			if !strings.HasPrefix(s, `="`) {
				return nil, "", fmt.Errorf(`parameter %q has no ="value"`, name)
			}
			if value, s, err = sdValue(s[2:]); err != nil {
				return nil, "", err
			}
			params.String(name, value)
		}
		if !strings.HasPrefix(s, "]") {
			return nil, "", fmt.Errorf("element %q is not closed with ]", id)
		}
		s = s[1:]
		out.Raw(id, params.Bytes())
	}
	return out.Bytes(), s, nil
}

// sdName reads an SD-NAME: 1 to 32 printable ASCII characters other than
// '=', ' ', ']' and '"'.
func sdName(s, what string) (string, string, error) {
	n := 0
	for n < len(s) && s[n] >= '!' && s[n] <= '~' && s[n] != '=' && s[n] != ']' && s[n] != '"' {
		n++
	}
	if n == 0 || n > 32 {
		return "", "", fmt.Errorf("%s is empty or longer than 32 characters", what)
	}
	return s[:n], s[n:], nil
}

// sdValue reads a parameter value up to its closing quote, undoing the
// escapes \" \\ and \]; a backslash before anything else is kept, as the
// RFC says.
func sdValue(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == ']'):
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("a parameter value is not closed with a quote")
}
