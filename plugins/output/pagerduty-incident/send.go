package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// searchAttempts is how many times the incident an event opened is looked
// for before the send is reported retryable.
const searchAttempts = 3

// Send implements saplugin.Output with StreamAlert's workflow: check the
// From user, enqueue an Events API v2 trigger, find the incident it opened
// by its dedup key, and update it (title, service, assignment or
// escalation policy, priority, urgency). Up to here every step is
// idempotent, so any failure is reported as is and a retry starts over.
// Then, best effort, responders are requested and a note is added; their
// failures are recorded on the incident in a note, and the send counts as
// delivered, since repeating them would duplicate what did succeed.
func (p *Incident) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := p.Target(req)
	if fail != nil {
		return *fail
	}
	a, pub, err := pdevent.ParseInput(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty-incident: " + err.Error()}
	}
	r := &run{p: p, t: t, ctx: ctx, instance: req.Instance}
	res := r.send(a, pub, parseRuleContext(req.Alert))
	res.Message = t.Redact(res.Message)
	p.LogSend(req.Instance, res)
	return res
}

// run is one Send in progress.
type run struct {
	p        *Incident
	t        *target
	ctx      context.Context
	instance string
}

func (r *run) rest(step string, c call, out any) *saplugin.SendResult {
	return r.t.rest(r.ctx, step, c, out)
}

func (r *run) send(a pdevent.Alert, pub pdevent.Publication, rc ruleContext) saplugin.SendResult {
	requester, fail := r.findUser("find email_from user", r.t.emailFrom)
	if fail != nil {
		return *fail
	}
	if requester == "" {
		return saplugin.SendResult{Status: saplugin.Permanent,
			Message: fmt.Sprintf("find email_from user: no PagerDuty user has the email %s", r.t.emailFrom)}
	}
	ev := pdevent.NewEvent(a, pub, r.t.descriptor, r.t.integrationKey.Reveal(), rc.withRecord)
	if fail := r.enqueue(ev); fail != nil {
		return *fail
	}
	id, fail := r.findIncident(ev.DedupKey)
	if fail != nil {
		return *fail
	}
	update, fail := r.incidentUpdate(a, pub, rc)
	if fail != nil {
		return *fail
	}
	if fail := r.rest("update incident", call{method: http.MethodPut, path: "/incidents/" + url.PathEscape(id),
		body: update, from: true}, &struct{}{}); fail != nil {
		return *fail
	}
	problems := r.finish(id, pub, rc, requester)
	if len(problems) > 0 {
		return saplugin.SendResult{Status: saplugin.Delivered,
			Message: fmt.Sprintf("incident %s opened, with problems: %s", id, strings.Join(problems, "; "))}
	}
	return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("incident %s opened", id)}
}

// enqueue sends the trigger event. PagerDuty answers 202 on success.
func (r *run) enqueue(ev pdevent.Event) *saplugin.SendResult {
	req, err := httpout.NewJSONRequest(r.ctx, http.MethodPost, r.t.eventsURL.String(), ev)
	if err != nil {
		return &saplugin.SendResult{Status: saplugin.Permanent, Message: "enqueue event: " + err.Error()}
	}
	return r.t.exchange(req, "enqueue event", nil)
}

// findUser returns the id of the user whose email is exactly email, or
// "" when there is none. StreamAlert took the first user of the fuzzy
// search, which may be someone else ("bob@example.com" also matches
// "bob@example.com.au").
func (r *run) findUser(step, email string) (string, *saplugin.SendResult) {
	var resp struct {
		Users []struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"users"`
	}
	if fail := r.rest(step, call{method: http.MethodGet, path: "/users", query: url.Values{"query": {email}}}, &resp); fail != nil {
		return "", fail
	}
	for _, u := range resp.Users {
		if strings.EqualFold(u.Email, email) && u.ID != "" {
			return u.ID, nil
		}
	}
	return "", nil
}

// findIncident returns the id of the incident holding the event with
// dedup key key, preferring one not yet resolved. PagerDuty makes it
// searchable shortly after accepting the event, so it is looked for a few
// times before giving up for now.
func (r *run) findIncident(key string) (string, *saplugin.SendResult) {
	for attempt := 1; ; attempt++ {
		var resp struct {
			Incidents []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"incidents"`
		}
		q := url.Values{"incident_key": {key}}
		if fail := r.rest("find incident", call{method: http.MethodGet, path: "/incidents", query: q, from: true}, &resp); fail != nil {
			return "", fail
		}
		id := ""
		for _, inc := range resp.Incidents {
			if id == "" || inc.Status != "resolved" {
				id = inc.ID
			}
			if inc.Status != "resolved" {
				break
			}
		}
		if id != "" {
			return id, nil
		}
		if attempt == searchAttempts {
			return "", &saplugin.SendResult{Status: saplugin.Retryable,
				Message: fmt.Sprintf("find incident: no incident with key %s yet, after %d searches", key, attempt)}
		}
		select {
		case <-r.ctx.Done():
			return "", &saplugin.SendResult{Status: saplugin.Retryable, Message: "find incident: " + r.ctx.Err().Error()}
		case <-time.After(r.p.searchDelay):
		}
	}
}

// warn logs a step that went wrong without failing the send.
func (r *run) warn(msg string, args ...any) {
	r.p.Log.Warn(msg, append([]any{"instance", r.instance}, args...)...)
}
