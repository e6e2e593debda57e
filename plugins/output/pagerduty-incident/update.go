package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// reference is a PagerDuty resource reference.
type reference struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// incidentBody is the body of PUT /incidents/{id}.
type incidentBody struct {
	Incident incidentFields `json:"incident"`
}

type incidentFields struct {
	Type             string       `json:"type"`
	Title            string       `json:"title"`
	Service          reference    `json:"service"`
	Body             detailsBody  `json:"body"`
	Priority         *reference   `json:"priority,omitempty"`
	Assignments      []assignment `json:"assignments,omitempty"`
	EscalationPolicy *reference   `json:"escalation_policy,omitempty"`
	Urgency          string       `json:"urgency,omitempty"`
}

type detailsBody struct {
	Type    string `json:"type"`
	Details string `json:"details"`
}

type assignment struct {
	Assignee reference `json:"assignee"`
}

// incidentUpdate builds the update StreamAlert's
// _construct_incident_put_request_data builds. Assignments and an
// escalation policy exclude each other (PagerDuty lets the policy win), so
// the policy is sent only when no assignee was found. A lookup that failed
// for a reason worth retrying fails the send; one that found nothing only
// drops its field.
func (r *run) incidentUpdate(a pdevent.Alert, pub pdevent.Publication, rc ruleContext) (incidentBody, *saplugin.SendResult) {
	f := incidentFields{
		Type:    "incident",
		Title:   pub.TextOr("@pagerduty-incident.incident_title", "StreamAlert Incident - Rule triggered: "+a.RuleName),
		Service: reference{ID: r.t.serviceID, Type: "service_reference"},
		Body:    detailsBody{Type: "incident_body", Details: pub.TextOr("@pagerduty-incident.incident_body", a.RuleDescription)},
	}
	priority, fail := r.priority(rc.incidentPriority)
	if fail != nil {
		return incidentBody{}, fail
	}
	f.Priority = priority
	if rc.assignedUser != "" {
		id, fail := r.optional(r.findUser("find assigned user", rc.assignedUser))
		if fail != nil {
			return incidentBody{}, fail
		}
		if id != "" {
			f.Assignments = []assignment{{Assignee: reference{ID: id, Type: "user_reference"}}}
		} else {
			r.warn("assigned user not found; using the escalation policy", "user", rc.assignedUser)
		}
	}
	if f.Assignments == nil {
		policy := rc.assignedPolicyID
		if policy == "" {
			policy = r.t.escalationPolicyID
		}
		f.EscalationPolicy = &reference{ID: policy, Type: "escalation_policy_reference"}
	}
	switch u := pub.Text("@pagerduty-incident.urgency"); u {
	case "low", "high":
		f.Urgency = u
	case "":
	default:
		r.warn("invalid incident urgency ignored", "urgency", u)
	}
	return incidentBody{Incident: f}, nil
}

// priority looks up the priority named name, or returns nil for none.
func (r *run) priority(name string) (*reference, *saplugin.SendResult) {
	if name == "" {
		return nil, nil
	}
	var resp struct {
		Priorities []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"priorities"`
	}
	if fail := r.rest("list priorities", call{method: http.MethodGet, path: "/priorities", from: true}, &resp); fail != nil {
		_, fail = r.optional("", fail)
		return nil, fail
	}
	for _, p := range resp.Priorities {
		if p.Name == name && p.ID != "" {
			return &reference{ID: p.ID, Type: "priority_reference"}, nil
		}
	}
	r.warn("incident priority not found; none set", "priority", name)
	return nil, nil
}

// optional passes on a lookup's retryable failure, and logs and forgets a
// permanent one: the field it was for is then left out.
func (r *run) optional(v string, fail *saplugin.SendResult) (string, *saplugin.SendResult) {
	if fail == nil {
		return v, nil
	}
	if fail.Status == saplugin.Retryable {
		return "", fail
	}
	r.warn("optional lookup failed", "error", r.t.Redact(fail.Message))
	return "", nil
}

// finish requests the responders and adds the note, returning what went
// wrong; problems are also written to the incident in a note.
func (r *run) finish(id string, pub pdevent.Publication, rc ruleContext, requester string) []string {
	var problems []string
	for _, email := range rc.responders {
		if msg := r.requestResponder(id, requester, email, rc.responderMessage); msg != "" {
			problems = append(problems, msg)
		}
	}
	if note := incidentNote(pub, rc); note != "" {
		if fail := r.addNote(id, note); fail != nil {
			problems = append(problems, fail.Message)
		}
	}
	if len(problems) > 0 {
		for i := range problems {
			problems[i] = r.t.Redact(problems[i])
			r.warn("incident setup incomplete", "incident", id, "problem", problems[i])
		}
		if fail := r.addNote(id, instabilityNote(problems)); fail != nil {
			r.warn("could not record the problems on the incident", "incident", id, "error", r.t.Redact(fail.Message))
		}
	}
	return problems
}

// requestResponder asks the user with email to respond, and returns a
// problem, or "".
func (r *run) requestResponder(incident, requester, email, message string) string {
	user, fail := r.findUser("find responder", email)
	switch {
	case fail != nil:
		return fmt.Sprintf("request responder %s: %s", email, fail.Message)
	case user == "":
		return fmt.Sprintf("request responder %s: no PagerDuty user has this email", email)
	}
	body := map[string]any{
		"requester_id": requester,
		"message":      message,
		"responder_request_targets": []any{map[string]any{
			"responder_request_target": reference{ID: user, Type: "user_reference"},
		}},
	}
	path := "/incidents/" + url.PathEscape(incident) + "/responder_requests"
	if fail := r.rest("request responder "+email, call{method: http.MethodPost, path: path, body: body, from: true}, nil); fail != nil {
		return fail.Message
	}
	return ""
}

// addNote adds a note to the incident.
func (r *run) addNote(incident, content string) *saplugin.SendResult {
	body := map[string]any{"note": map[string]string{"content": content}}
	path := "/incidents/" + url.PathEscape(incident) + "/notes"
	return r.rest("add note", call{method: http.MethodPost, path: path, body: body, from: true}, nil)
}

// defaultNote is StreamAlert's note, kept for compatibility with rules
// and runbooks that look for it.
const defaultNote = "Creating SOX Incident"

// incidentNote is the publication's note if it sets one (even empty),
// else the rule context's, else the default; "" means no note.
func incidentNote(pub pdevent.Publication, rc ruleContext) string {
	if v, ok := pub["@pagerduty-incident.note"]; ok && !pdevent.IsNull(v) {
		return pub.Text("@pagerduty-incident.note")
	}
	if rc.note != nil {
		return *rc.note
	}
	return defaultNote
}

// instabilityNote is StreamAlert's note for an incident set up in part.
func instabilityNote(problems []string) string {
	var b strings.Builder
	b.WriteString("StreamAlert failed to correctly setup this incident. Please contact your StreamAlert administrator.\n\nErrors:")
	for _, p := range problems {
		b.WriteString("\n- " + p)
	}
	return b.String()
}
