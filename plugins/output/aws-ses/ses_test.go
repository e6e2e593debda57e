package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const (
	from = "alerts@example.com"
	to   = "soc@example.com, On Call <oncall@example.com>"
)

var defaultSubject = awsfake.TestRule + " triggered alert " + awsfake.TestAlertID

func newTest(logs io.Writer) *awsout.Output[*mailer] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

// sendEmail sends TestAlert with pub and returns the SendEmail call.
func sendEmail(t *testing.T, pub string) awsfake.Call {
	t.Helper()
	s := awsfake.New(t)
	s.VerifyIdentity("example.com")
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "from_email": from, "to_emails": to}))
	if res := awsfake.Send(o, cfg, pub); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	return s.Only(t, "SendEmail")
}

// parsed is a raw message read back.
type parsed struct {
	header mail.Header
	parts  []mimePart
}

type mimePart struct {
	contentType, disposition string
	body                     string
}

// readRaw parses the raw message of a SendEmail call, decoding the
// transfer encodings, flattening multipart/alternative.
func readRaw(t *testing.T, c awsfake.Call) parsed {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(c.String("Content", "Raw", "Data"))
	if err != nil || len(data) == 0 {
		t.Fatalf("no raw message in %v", c.JSON)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	p.parts = readParts(t, msg.Body, params["boundary"])
	return p
}

func readParts(t *testing.T, r io.Reader, boundary string) []mimePart {
	var out []mimePart
	mr := multipart.NewReader(r, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := part.Header.Get("Content-Type")
		if mt, params, _ := mime.ParseMediaType(ct); mt == "multipart/alternative" {
			out = append(out, readParts(t, part, params["boundary"])...)
			continue
		}
		body, _ := io.ReadAll(part)
		if part.Header.Get("Content-Transfer-Encoding") == "base64" {
			body, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(body), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, mimePart{ct, part.Header.Get("Content-Disposition"), string(body)})
	}
}

var prettyRecord = "{\n  \"count\": 3,\n  \"nested\": {\n    \"ip\": \"10.0.0.1\"\n  },\n  \"user\": \"root\"\n}"

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-ses",
		Name:    "aws-ses",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.VerifyIdentity("example.com")
			return map[string]any{"descriptor": "alerts", "from_email": from, "to_emails": to}
		},
		Missing: func(*awsfake.Server) map[string]any {
			return map[string]any{"descriptor": "gone", "from_email": "alerts@unverified.example", "to_emails": to}
		},
		Op: "SendEmail",
		Delivered: func(t *testing.T, c awsfake.Call) {
			if c.String("FromEmailAddress") != from || len(c.Get("Destination", "ToAddresses").([]any)) != 2 {
				t.Errorf("SendEmail %v", c.JSON)
			}
			m := readRaw(t, c)
			if m.header.Get("Subject") != defaultSubject || m.header.Get("From") != from ||
				m.header.Get("To") != `soc@example.com, "On Call" <oncall@example.com>` || len(m.parts) != 2 {
				t.Fatalf("header %v, %d parts", m.header, len(m.parts))
			}
			if p := m.parts[0]; p.contentType != "text/plain; charset=utf-8" || p.body != defaultBody {
				t.Errorf("body part %+v", p)
			}
			if p := m.parts[1]; p.disposition != `attachment; filename=record.json` || p.body != prettyRecord {
				t.Errorf("record part %+v", p)
			}
		},
	}.Run(t)
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]any
		field string
	}{
		{"valid", map[string]any{"from_email": from, "to_emails": to}, ""},
		{"list", map[string]any{"from_email": "SA <" + from + ">", "to_emails": []any{"a@example.com", "b@example.com"}}, ""},
		{"bad from", map[string]any{"from_email": "alerts", "to_emails": to}, "from_email"},
		{"bad to", map[string]any{"from_email": from, "to_emails": "a@example.com, b"}, "to_emails"},
		{"no to", map[string]any{"from_email": from, "to_emails": " , "}, "to_emails"},
		{"too many", map[string]any{"from_email": from, "to_emails": strings.Repeat("a@example.com,", 51)}, "to_emails"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["descriptor"], tt.raw["region"] = "a", "us-east-1"
			p := httpouttest.Problems(New(), tt.raw)
			if tt.field == "" && len(p) > 0 || tt.field != "" && (len(p) != 1 || p[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", p, tt.field)
			}
			for _, pr := range p {
				if strings.Contains(pr.Message, "example.com") {
					t.Errorf("problem quotes an address: %s", pr.Message)
				}
			}
		})
	}
}

// TestSimpleContent: without attachments the email goes as SES's simple
// content.
func TestSimpleContent(t *testing.T) {
	tests := []struct {
		name, pub, subject, text, html string
	}{
		{"text", `{"@aws-ses.attach_record":false,"@aws-ses.body":"root logged in"}`, defaultSubject, "root logged in", ""},
		{"alternatives", `{"@aws-ses.attach_record":0,"@aws-ses.subject":"Root\r\nBcc: x@evil.example","@aws-ses.body":{"plain":"p","html":"<b>h</b>"}}`,
			"Root  Bcc: x@evil.example", "p", "<b>h</b>"},
		{"html only", `{"@aws-ses.attach_record":"","@aws-ses.body":{"html":"<i>h</i>"}}`, defaultSubject, "", "<i>h</i>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sendEmail(t, tt.pub)
			if c.Get("Content", "Raw") != nil || c.String("Content", "Simple", "Subject", "Data") != tt.subject ||
				c.String("Content", "Simple", "Body", "Text", "Data") != tt.text || c.String("Content", "Simple", "Body", "Html", "Data") != tt.html ||
				c.String("Content", "Simple", "Subject", "Charset") != "UTF-8" {
				t.Errorf("content %v", c.Get("Content"))
			}
		})
	}
}

// TestRawContent: attachments and other alternatives go as raw MIME,
// with the body first, alternatives in the publication's order.
func TestRawContent(t *testing.T) {
	pub := `{"@aws-ses.subject":"Überprüfung: root","@aws-ses.body":{"plain":"p ünïcode","html":"<p>h</p>","calendar":"c"},` +
		`"@aws-ses.attachments":{"../notes.txt":"line one\nline two","data.json":{"k":[1,true]}}}`
	m := readRaw(t, sendEmail(t, pub))
	if m.header.Get("Subject") != "=?utf-8?q?=C3=9Cberpr=C3=BCfung:_root?=" {
		t.Errorf("encoded subject %q", m.header.Get("Subject"))
	}
	if dec, _ := new(mime.WordDecoder).DecodeHeader(m.header.Get("Subject")); dec != "Überprüfung: root" {
		t.Errorf("subject decodes to %q", dec)
	}
	want := []mimePart{
		{"text/plain; charset=utf-8", "", "p ünïcode"},
		{"text/html; charset=utf-8", "", "<p>h</p>"},
		{"text/calendar; charset=utf-8", "", "c"},
		{"application/octet-stream; name=record.json", "attachment; filename=record.json", prettyRecord},
		{"application/octet-stream; name=notes.txt", "attachment; filename=notes.txt", "line one\nline two"},
		{"application/octet-stream; name=data.json", "attachment; filename=data.json", "{'k': [1, True]}"},
	}
	if len(m.parts) != len(want) {
		t.Fatalf("%d parts: %+v", len(m.parts), m.parts)
	}
	for i, p := range m.parts {
		if p != want[i] {
			t.Errorf("part %d %+v, want %+v", i, p, want[i])
		}
	}
}

func TestBadPublication(t *testing.T) {
	s := awsfake.New(t)
	s.VerifyIdentity("example.com")
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "from_email": from, "to_emails": to}))
	for _, pub := range []string{`{"@aws-ses.attachments":["x"]}`, `{"@aws-ses.body":{}}`, `{"@aws-ses.body":{"te xt":"x"}}`} {
		if res := awsfake.Send(o, cfg, pub); res.Status != saplugin.Permanent {
			t.Errorf("%s: %s (%s), want permanent", pub, res.Status, res.Message)
		}
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls for unrenderable publications", n)
	}
}

// TestTooLarge: a message over SES's 40 MiB is refused before sending;
// attachments count as their base64 encoding.
func TestTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 40 MiB message")
	}
	s := awsfake.New(t)
	s.VerifyIdentity("example.com")
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "from_email": from, "to_emails": to}))
	pub := `{"@aws-ses.attachments":{"big.log":"` + strings.Repeat("x", 30<<20) + `"}}`
	res := awsfake.Send(o, cfg, pub)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "over the SES limit of 41943040 bytes") {
		t.Fatalf("%s (%.200s)", res.Status, res.Message)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls for a message over the limit", n)
	}
}
