package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/jira/issue"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// session is an instance's Jira login: POST /rest/auth/1/session with the
// user name and password, then the cookie it names on every call. Unlike
// StreamAlert, which logged in for every alert, the cookie is kept until
// Jira refuses it.
type session struct {
	base     *url.URL
	username schema.Secret
	password schema.Secret
	sender   *httpout.Sender

	// mu serializes logins; cookie is "name=value", or "" before the
	// first login.
	mu     sync.Mutex
	cookie string
	// value is the session id, masked in messages. It has no lock of its
	// own: messages are masked while mu is held, during a login.
	value atomic.Pointer[string]
}

// Authorize implements issue.Auth: it sets the session cookie, logging in
// first when there is none yet or renew says Jira refused it.
func (s *session) Authorize(ctx context.Context, req *http.Request, renew bool) *saplugin.SendResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cookie == "" || renew {
		if fail := s.login(ctx); fail != nil {
			return fail
		}
	}
	req.Header.Set("Cookie", s.cookie)
	return nil
}

// login opens a session. Jira answers 200 with {"session": {"name",
// "value"}}, 401 for wrong credentials, 403 when it wants a CAPTCHA solved
// first.
func (s *session) login(ctx context.Context) *saplugin.SendResult {
	body := map[string]string{"username": s.username.Reveal(), "password": s.password.Reveal()}
	req, err := httpout.NewJSONRequest(ctx, http.MethodPost, s.base.JoinPath("rest", "auth", "1", "session").String(), body)
	if err != nil {
		return &saplugin.SendResult{Status: saplugin.Permanent, Message: "log in: " + err.Error()}
	}
	req.Header.Set("User-Agent", userAgent)
	var answer struct {
		Session struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"session"`
	}
	if _, fail := s.sender.Call(req, issue.Classify, &answer); fail != nil {
		fail.Message = "log in: " + fail.Message
		return fail
	}
	if answer.Session.Name == "" || answer.Session.Value == "" {
		return &saplugin.SendResult{Status: saplugin.Retryable, Message: "log in: the answer holds no session"}
	}
	s.cookie = answer.Session.Name + "=" + answer.Session.Value
	s.value.Store(&answer.Session.Value)
	return nil
}

// redact masks the session id in text.
func (s *session) redact(text string) string {
	v := s.value.Load()
	if v == nil || len(*v) < 8 {
		return text
	}
	return strings.ReplaceAll(text, *v, schema.Masked)
}
