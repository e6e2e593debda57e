package main

import (
	"encoding/json"
	"strings"
)

// ruleContext is what a rule may set under context["pagerduty-incident"].
type ruleContext struct {
	assignedUser     string
	assignedPolicyID string
	withRecord       bool
	// note is nil when the rule set none.
	note             *string
	responders       []string
	responderMessage string
	incidentPriority string
}

// defaultResponderMessage is StreamAlert's text for responder requests.
const defaultResponderMessage = "An incident was reported that requires your attention."

// parseRuleContext reads the rule context of an alert. Values of the
// wrong type are ignored, as if absent.
func parseRuleContext(alertJSON []byte) ruleContext {
	var a struct {
		Context map[string]json.RawMessage `json:"context"`
	}
	_ = json.Unmarshal(alertJSON, &a) // the alert was decoded before
	var m map[string]any
	_ = json.Unmarshal(a.Context["pagerduty-incident"], &m)
	rc := ruleContext{withRecord: true, responderMessage: defaultResponderMessage}
	rc.assignedUser, _ = m["assigned_user"].(string)
	rc.assignedPolicyID, _ = m["assigned_policy_id"].(string)
	rc.incidentPriority, _ = m["incident_priority"].(string)
	if b, ok := m["with_record"].(bool); ok {
		rc.withRecord = b
	}
	if s, ok := m["note"].(string); ok {
		rc.note = &s
	}
	if s, ok := m["responder_message"].(string); ok && s != "" {
		rc.responderMessage = s
	}
	switch v := m["responders"].(type) {
	case string:
		rc.responders = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				rc.responders = append(rc.responders, s)
			}
		}
	}
	return rc
}
