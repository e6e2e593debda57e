package embedded

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/payload"
	"github.com/streamalert-go/sa/host/store"
)

// BodyDecoder splits a request body into raw records: a JSON array, NDJSON,
// or plain lines. Records it cannot read are errors, which reject the
// request whole: the sender learns at once, and nothing is half-accepted.
type BodyDecoder func(body []byte, contentType string, lim Limits) ([][]byte, error)

// ingest serves POST /v1/ingest/{source}.
type ingest struct {
	journal store.Journal
	sources map[string]*ingestSource
	limits  Limits
	decode  BodyDecoder
	wake    func()
	metrics *metrics
	log     *slog.Logger
}

// ingestSource is a Source with its token's hash, so the token itself is
// not held in memory and the comparison takes constant time whatever the
// length of what was sent.
type ingestSource struct {
	Source
	tokenHash [32]byte
}

func (in *ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	src, ok := in.sources[name]
	if !ok {
		httpError(w, http.StatusNotFound, fmt.Sprintf("no ingest source %q", name))
		return
	}
	if !in.authorized(src, r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sa ingest"`)
		httpError(w, http.StatusUnauthorized, "missing or wrong bearer token for source "+name)
		return
	}
	records, status, err := in.read(r)
	if err != nil {
		in.metrics.ingestRejected.WithLabelValues(name, http.StatusText(status)).Inc()
		httpError(w, status, err.Error())
		return
	}
	id, err := in.journal.Append(r.Context(), store.JournalEntry{
		Service: src.Service, Resource: src.Resource, Received: time.Now(), Records: records,
	})
	if err != nil {
		// Nothing was accepted: the sender must retry, and is told when.
		in.log.Error("ingest: journal append failed", "source", name, "error", err.Error())
		w.Header().Set("Retry-After", "5")
		httpError(w, http.StatusServiceUnavailable, "records not accepted: the store is unavailable; retry")
		return
	}
	in.metrics.Received(name, len(records), sizeOf(records))
	in.wake()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{"accepted": len(records), "entry": id})
}

func (in *ingest) authorized(src *ingestSource, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(sum[:], src.tokenHash[:]) == 1
}

// read reads and decodes the body within the limits, gunzipping it when it
// says or looks gzipped.
func (in *ingest) read(r *http.Request) ([][]byte, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, in.limits.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", in.limits.MaxBody)
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	records, err := in.decode(body, r.Header.Get("Content-Type"), in.limits)
	switch {
	case errors.Is(err, errUnsupportedType):
		return nil, http.StatusUnsupportedMediaType, err
	case err != nil:
		return nil, http.StatusBadRequest, err
	case len(records) == 0:
		return nil, http.StatusBadRequest, errors.New("no records in body")
	}
	return records, 0, nil
}

func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// errUnsupportedType is wrapped by decoders for content types they refuse.
var errUnsupportedType = errors.New("unsupported content type")

// DecodeBody is the default BodyDecoder, on payload.ReadBody: a JSON array
// is one record per element, a single JSON document one record, otherwise
// one record per non-empty line; gzip is detected by its magic bytes. A part
// ReadBody cannot decode rejects the request, with its reason.
func DecodeBody(body []byte, contentType string, limits Limits) ([][]byte, error) {
	mt, _, _ := strings.Cut(contentType, ";")
	wantJSON := false
	switch strings.TrimSpace(strings.ToLower(mt)) {
	case "application/json", "application/x-ndjson", "application/jsonl":
		wantJSON = true
	case "", "text/plain":
	default:
		return nil, fmt.Errorf("%w %q: send application/json, application/x-ndjson or text/plain", errUnsupportedType, mt)
	}
	lim := payload.Limits{MaxRecordBytes: int(limits.MaxRecord), MaxObjectBytes: int64(len(body)) + 1, MaxExpandedBytes: limits.MaxBody}
	var records [][]byte
	var failure *payload.Failure
	err := payload.ReadBody(context.Background(), payload.Source{}, bytes.NewReader(body), lim, func(b payload.Batch) error {
		records = append(records, b.Records...)
		if len(b.Failures) > 0 && failure == nil {
			failure = &b.Failures[0]
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case failure != nil:
		return nil, errors.New(failure.Reason)
	}
	if wantJSON {
		for i, r := range records {
			if !json.Valid(r) {
				return nil, fmt.Errorf("record %d is not valid JSON (send text/plain for raw lines)", i+1)
			}
		}
	}
	return records, nil
}

// wakeFunc returns a non-blocking signal on ch.
func wakeFunc(ch chan struct{}) func() {
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	json.NewEncoder(w).Encode(v)
}
