package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/plugins/output/webhook/signature"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Headers the plugin sets on every request, beside the signature.
const (
	// headerTimestamp is the Unix time of the attempt, also signed.
	headerTimestamp = "X-SA-Timestamp"
	// headerDelivery identifies the alert across retries.
	headerDelivery = "X-SA-Delivery"
)

// maxDeliveryID bounds an alert id used as the delivery id; longer ids are
// hashed instead.
const maxDeliveryID = 128

// Send implements saplugin.Output: one POST of the alert's publication.
func (w *Webhook) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := w.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	body, err := payload(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	delivery := deliveryID(req.Alert, body)
	httpReq, err := t.request(ctx, body, delivery, w.now())
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: t.Redact(err.Error())}
	}
	res := t.Do(httpReq, nil)
	w.log.Debug("send", "instance", req.Instance, "delivery", delivery,
		"status", res.Status.String(), "message", res.Message)
	return res
}

// payload is the request body: the publication when the host composed one,
// else the alert itself.
func payload(req saplugin.SendRequest) ([]byte, error) {
	pub := bytes.TrimSpace(req.Publication)
	if len(pub) == 0 || bytes.Equal(pub, []byte("null")) {
		return req.Alert, nil
	}
	if !json.Valid(pub) {
		return nil, fmt.Errorf("webhook: publication is not valid JSON")
	}
	return pub, nil
}

// deliveryID is stable across retries of one alert, so receivers can drop
// duplicates: the alert's id when it has a usable one, else the body's hash.
func deliveryID(alert, body []byte) string {
	var a struct {
		ID any `json:"id"`
	}
	dec := json.NewDecoder(bytes.NewReader(alert))
	dec.UseNumber()
	if dec.Decode(&a) == nil {
		var id string
		switch v := a.ID.(type) {
		case string:
			id = v
		case json.Number:
			id = v.String() // the literal as sent, so stable across retries
		}
		if isPrintableASCII(id) && len(id) <= maxDeliveryID {
			return id
		}
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// isPrintableASCII reports whether s is non-empty visible ASCII, safe in a
// header value and in logs.
func isPrintableASCII(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return s != ""
}

// request builds the signed POST.
func (t *target) request(ctx context.Context, body []byte, delivery string, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook: build request: %w", err)
	}
	for name, values := range t.headers {
		req.Header[name] = values
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set(headerTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(headerDelivery, delivery)
	if t.signingSecret != "" {
		req.Header.Set(signature.Header, signature.Sign([]byte(t.signingSecret.Reveal()), now, body))
	}
	return req, nil
}
