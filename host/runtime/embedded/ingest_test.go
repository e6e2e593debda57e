package embedded

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

const testIngestToken = "ingest-token-0123456789"

func newTestIngest(t *testing.T, j store.Journal) (*httptest.Server, *int) {
	t.Helper()
	woken := 0
	in := &ingest{
		journal: j,
		sources: map[string]*ingestSource{"web": {
			Source:    Source{Name: "web", Service: "kinesis", Resource: "stream"},
			tokenHash: sha256.Sum256([]byte(testIngestToken)),
		}},
		limits:  Limits{MaxBody: 1 << 10, MaxRecord: 256},
		decode:  DecodeBody,
		wake:    func() { woken++ },
		metrics: newMetrics(gauges{journalDepth: func() float64 { return 0 }, pendingDeliveries: func() float64 { return 0 }}),
		log:     slog.New(slog.DiscardHandler),
	}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/ingest/{source}", in)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &woken
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestIngest(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/sa.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, woken := newTestIngest(t, db)
	tests := []struct {
		name, path, token, ctype, encoding, body string
		status                                   int
		records                                  int
		want                                     string
	}{
		{name: "ndjson", path: "web", token: testIngestToken, ctype: "application/x-ndjson", body: "{\"a\":1}\n\n{\"a\":2}\n", status: 202, records: 2},
		{name: "json array", path: "web", token: testIngestToken, ctype: "application/json", body: `[{"a":1},{"b":2},{"c":3}]`, status: 202, records: 3},
		{name: "one json object", path: "web", token: testIngestToken, ctype: "application/json", body: `{"a":1}`, status: 202, records: 1},
		{name: "raw lines gzipped", path: "web", token: testIngestToken, ctype: "text/plain", encoding: "gzip", body: gz("line one\r\nline two\n"), status: 202, records: 2},
		{name: "gzip detected without header", path: "web", token: testIngestToken, body: gz("x\ny\n"), status: 202, records: 2},
		{name: "wrong token", path: "web", token: "nope", body: "x", status: 401, want: "bearer token"},
		{name: "no token", path: "web", body: "x", status: 401, want: "bearer token"},
		{name: "unknown source", path: "other", token: testIngestToken, body: "x", status: 404, want: `no ingest source \"other\"`},
		{name: "malformed json", path: "web", token: testIngestToken, ctype: "application/json", body: `{"a":`, status: 400, want: "record 1 is not valid JSON"},
		{name: "bad gzip", path: "web", token: testIngestToken, encoding: "gzip", body: "\x1f\x8bnope", status: 400, want: "gzip"},
		{name: "empty", path: "web", token: testIngestToken, body: "\n\n", status: 400, want: "no records"},
		{name: "record too large", path: "web", token: testIngestToken, body: strings.Repeat("x", 300), status: 400, want: "256-byte record limit"},
		{name: "body too large", path: "web", token: testIngestToken, body: strings.Repeat("x\n", 600), status: 413, want: "larger than 1024"},
		{name: "gzip bomb", path: "web", token: testIngestToken, encoding: "gzip", body: gz(strings.Repeat("x", 5000)), status: 400, want: "decompressed data exceeds the size limit of 1024 bytes"},
		{name: "unsupported type", path: "web", token: testIngestToken, ctype: "application/xml", body: "<a/>", status: 415, want: "unsupported content type"},
	}
	accepted := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/ingest/"+tt.path, strings.NewReader(tt.body))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.encoding != "" {
				req.Header.Set("Content-Encoding", tt.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
				t.Fatalf("got %d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.want)
			}
			if strings.Contains(string(body), testIngestToken) {
				t.Error("response echoes the token")
			}
			accepted += tt.records
		})
	}
	entries, records, _ := db.Depth(ctx)
	if records != int64(accepted) || entries != 5 || *woken != 5 {
		t.Errorf("journal has %d entries, %d records (woken %d); want 5, %d, 5", entries, records, *woken, accepted)
	}
}

// failingJournal is a journal whose disk is full.
type failingJournal struct{ store.Journal }

func (failingJournal) Append(context.Context, store.JournalEntry) (int64, error) {
	return 0, errors.New("database or disk is full")
}

func TestIngestStoreUnavailable(t *testing.T) {
	srv, _ := newTestIngest(t, failingJournal{})
	req, _ := http.NewRequest("POST", srv.URL+"/v1/ingest/web", strings.NewReader("x\n"))
	req.Header.Set("Authorization", "Bearer "+testIngestToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("got %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
