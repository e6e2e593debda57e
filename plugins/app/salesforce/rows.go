package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// rows downloads a log file and emits its rows after the first skip, as
// JSON objects keyed by the header. Before each row is queued the
// cursor's Extra counts it, so every batch's state says how far into the
// file the host has the rows. It returns the number of rows in the file.
func (w *walker) rows(f logFile, skip int64) (int64, error) {
	u, err := resolve(w.sess.token.instance, f.LogFile)
	if err != nil {
		return 0, err
	}
	body, err := w.open(u)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	r := csv.NewReader(body)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil // an empty file has no header either
	}
	if err != nil {
		return 0, fmt.Errorf("read header: %w", err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = trimBOM(header[0])
	}
	keys := encodeKeys(header)
	var n int64
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("read row %d: %w", n+1, err)
		}
		n++
		if n <= skip {
			continue
		}
		w.p.Cursor.Extra, _ = json.Marshal(progress{File: f.ID, Rows: n})
		if err := w.p.Batcher().Add(rowJSON(keys, rec)); err != nil {
			return n, err
		}
	}
}

// open starts the download of a log file, signing in again once if the
// session expired. The caller closes the body.
func (w *walker) open(u string) (io.ReadCloser, error) {
	for attempt := 0; ; attempt++ {
		resp, err := w.p.Client.Open(w.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u, Header: w.header("text/csv")})
		if appkit.StatusOf(err) == http.StatusUnauthorized && attempt == 0 {
			if err := w.resignIn(); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
}

// encodeKeys renders each header name as a JSON string followed by a
// colon, once per file.
func encodeKeys(header []string) [][]byte {
	keys := make([][]byte, len(header))
	for i, h := range header {
		b, _ := json.Marshal(h)
		keys[i] = append(b, ':')
	}
	return keys
}

// rowJSON renders a row as a JSON object in header order. A row with more
// fields than the header keeps the extra ones under "_extra_<n>"; a
// shorter one leaves the missing keys out.
func rowJSON(keys [][]byte, rec []string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range rec {
		if i > 0 {
			b.WriteByte(',')
		}
		if i < len(keys) {
			b.Write(keys[i])
		} else {
			fmt.Fprintf(&b, `"_extra_%d":`, i-len(keys)+1)
		}
		s, _ := json.Marshal(v)
		b.Write(s)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// trimBOM drops a UTF-8 byte order mark.
func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\xef\xbb\xbf" {
		return s[3:]
	}
	return s
}
