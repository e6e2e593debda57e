package pdevent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names the Events API outputs share, StreamAlert's; each names
// its own key property.
const (
	PropDescriptor = "descriptor"
	PropURL        = "url"
)

// Endpoint is one configured instance of an output that posts one event
// per alert to an Events API endpoint, the key in the body: pagerduty's
// (v1) and pagerduty-v2's. Its Sender masks the key in any text sent back
// or logged.
type Endpoint struct {
	*httpout.Sender
	Descriptor string
	Key        schema.Secret
	URL        *url.URL

	plugin, userAgent string
}

// EndpointSpec returns the httpout.Spec of such an output, described by
// info and s, whose key is the property keyProp.
func EndpointSpec(info saplugin.Info, s schema.Schema, keyProp string) httpout.Spec[*Endpoint] {
	userAgent := "sa-output-" + info.Name + "/" + info.Version
	parse := func(cfg schema.Config) (*Endpoint, httpout.Transport, []schema.Problem) {
		tr, problems := httpout.ParseTransport(cfg)
		u, more := httpout.ParseHTTPSURL(PropURL, cfg.String(PropURL))
		return &Endpoint{
			Descriptor: cfg.String(PropDescriptor),
			Key:        cfg.Secret(keyProp),
			URL:        u,
			plugin:     info.Name,
			userAgent:  userAgent,
		}, tr, append(problems, more...)
	}
	return httpout.Spec[*Endpoint]{Info: info, Schema: s, Parse: parse}
}

// Secrets implements httpout.Target.
func (e *Endpoint) Secrets() []string { return []string{e.Key.Reveal()} }

// Use implements httpout.Target.
func (e *Endpoint) Use(s *httpout.Sender) { e.Sender = s }

// LogAttrs implements httpout.Target.
func (e *Endpoint) LogAttrs() []any {
	return []any{"endpoint", e.URL.Host, "timeout", e.Client.Timeout.String()}
}

// Post sends ev to the endpoint and classifies the answer with classify,
// httpout.Classify when nil.
func (e *Endpoint) Post(ctx context.Context, ev any, classify httpout.Classifier) saplugin.SendResult {
	body, err := json.Marshal(ev)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("%s: encode event: %s", e.plugin, err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: e.plugin + ": build request failed"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", e.userAgent)
	return e.Do(req, classify)
}

// Interface guard.
var _ httpout.Target = (*Endpoint)(nil)
