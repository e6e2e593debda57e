package main

import (
	"bytes"
	"encoding/base64"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"time"
)

// mime renders the email as a multipart/mixed MIME message: the body
// first (a text part, or a multipart/alternative of them), then each
// attachment in base64.
func (e *email) mime(from *mail.Address, to []*mail.Address) ([]byte, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	header := []struct{ k, v string }{
		{"From", addressText(from)},
		{"To", joinAddresses(to)},
		{"Subject", mime.QEncoding.Encode("utf-8", e.subject)},
		{"Date", time.Now().UTC().Format(time.RFC1123Z)},
		{"MIME-Version", "1.0"},
		{"Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": w.Boundary()})},
	}
	for _, h := range header {
		b.WriteString(h.k + ": " + h.v + "\r\n")
	}
	b.WriteString("\r\n")
	if err := e.writeBody(w); err != nil {
		return nil, err
	}
	for _, a := range e.attachments {
		if err := writeAttachment(w, a); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (e *email) writeBody(w *multipart.Writer) error {
	if !e.alternative {
		return writeText(w, e.body[0])
	}
	var alt bytes.Buffer
	aw := multipart.NewWriter(&alt)
	for _, p := range e.body {
		if err := writeText(aw, p); err != nil {
			return err
		}
	}
	if err := aw.Close(); err != nil {
		return err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": aw.Boundary()}))
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = pw.Write(alt.Bytes())
	return err
}

// writeText writes a text part in quoted-printable UTF-8.
func writeText(w *multipart.Writer, p part) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType("text/"+p.subtype, map[string]string{"charset": "utf-8"}))
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(pw)
	if _, err := qw.Write([]byte(p.text)); err != nil {
		return err
	}
	return qw.Close()
}

// writeAttachment writes a file in base64 lines of 76 characters.
func writeAttachment(w *multipart.Writer, a attachment) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType("application/octet-stream", map[string]string{"name": a.name}))
	h.Set("Content-Transfer-Encoding", "base64")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.name}))
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(a.data)
	for len(enc) > 76 {
		if _, err := pw.Write([]byte(enc[:76] + "\r\n")); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = pw.Write([]byte(enc + "\r\n"))
	return err
}
