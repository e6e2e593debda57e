package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// banText is the note on a ban this output creates, StreamAlert's.
const banText = "Banned from StreamAlert"

// bannedList is the banned hash list of the CB Response API.
var bannedList = []string{"api", "v1", "banning", "blacklist"}

// request is what a rule asks for under context["carbonblack"].
type request struct {
	Action string `json:"action"`
	Value  string `json:"value"`
}

// Send implements saplugin.Output: with {"action": "ban", "value": <md5>}
// in the rule context, make sure the hash is banned. A ban already in
// force is left alone; a disabled one is enabled again; otherwise one is
// created. An alert without that context, or with another action, fails
// permanently, as it did in StreamAlert.
func (c *CarbonBlack) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := c.Target(req)
	if fail != nil {
		return *fail
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "carbonblack: " + err.Error()}
	}
	r, msg := banRequest(in, req.Alert)
	if msg != "" {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "carbonblack: " + msg}
	}
	res := t.ban(ctx, r.Value)
	c.LogSend(req.Instance, res, "alert", in.Alert.ID, "md5", r.Value)
	return res
}

// banRequest reads context["carbonblack"] of the publication (the alert
// itself when no publisher ran), else of the alert, and checks it.
func banRequest(in httpout.Input, alert []byte) (request, string) {
	var r request
	found := false
	for _, doc := range [][]byte{in.Publication["context"], contextOf(alert)} {
		var cx map[string]json.RawMessage
		if json.Unmarshal(doc, &cx) == nil && cx["carbonblack"] != nil {
			// A request of the wrong shape names no action, and is refused
			// as such.
			found = true
			_ = json.Unmarshal(cx["carbonblack"], &r)
			break
		}
	}
	switch {
	case !found:
		return r, `the alert has no context["carbonblack"] with an action`
	case r.Action != "ban":
		return r, fmt.Sprintf("action %q not supported (only \"ban\")", httpout.Quote([]byte(r.Action)))
	case !isMD5(r.Value):
		return r, "the value to ban is not an MD5 hash (32 hexadecimal digits)"
	}
	r.Value = strings.ToLower(r.Value)
	return r, ""
}

// contextOf returns the alert's context object.
func contextOf(alert []byte) []byte {
	var a struct {
		Context json.RawMessage `json:"context"`
	}
	_ = json.Unmarshal(alert, &a) // decoded before
	return a.Context
}

func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// bannedHash is an entry of the banned list.
type bannedHash struct {
	MD5     string `json:"md5hash"`
	Text    string `json:"text"`
	Enabled bool   `json:"enabled"`
}

// ban makes sure md5 is banned: GET the list entry (404: none), and
// unless it is enabled POST it enabled, which is how the API both creates
// a ban and enables a disabled one.
func (t *target) ban(ctx context.Context, md5 string) saplugin.SendResult {
	var cur bannedHash
	resp, fail := t.call(ctx, "look up ban", http.MethodGet, t.base.JoinPath(append(bannedList, md5)...).String(), nil, &cur)
	switch {
	case fail != nil && (resp == nil || resp.Code != http.StatusNotFound):
		return *fail
	case fail == nil && cur.Enabled:
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("hash %s already banned", md5)}
	}
	text := banText
	if fail == nil && cur.Text != "" {
		text = cur.Text
	}
	var result struct {
		Result string `json:"result"`
	}
	body := bannedHash{MD5: md5, Text: text, Enabled: true}
	resp, fail = t.call(ctx, "ban hash", http.MethodPost, t.base.JoinPath(bannedList...).String(), body, &result)
	switch {
	case fail != nil && resp != nil && resp.Code == http.StatusConflict:
		// Banned meanwhile, by another alert or a person.
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("hash %s already banned", md5)}
	case fail != nil:
		return *fail
	case result.Result != "" && result.Result != "success":
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "ban hash: " + t.Redact(httpout.Quote([]byte(result.Result)))}
	}
	return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d: hash %s banned", resp.Code, md5)}
}

// call performs one API request and decodes its JSON answer into out.
func (t *target) call(ctx context.Context, step, method, u string, body, out any) (*httpout.Response, *saplugin.SendResult) {
	req, err := httpout.NewJSONRequest(ctx, method, u, body)
	if err != nil {
		return nil, &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": " + err.Error()}
	}
	req.Header.Set("X-Auth-Token", t.token.Reveal())
	req.Header.Set("User-Agent", userAgent)
	resp, fail := t.Call(req, classify, out)
	if fail != nil {
		fail.Message = step + ": " + fail.Message
	}
	return resp, fail
}

// classify is httpout.Classify with the server's error text: CB Response
// answers errors as {"errorMessage": ...}, at times under a 2xx.
func classify(r *httpout.Response) saplugin.SendResult {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(r.Body, &e) != nil || e.ErrorMessage == "" {
		return httpout.Classify(r)
	}
	text := httpout.Quote([]byte(e.ErrorMessage))
	if r.Code >= 200 && r.Code < 300 {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("HTTP %d: %s", r.Code, text)}
	}
	return httpout.ClassifyText(r.Code, text)
}
