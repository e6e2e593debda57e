package publish

import (
	"fmt"
	"strings"
)

// The PagerDuty publishers (publishers/community/pagerduty/pagerduty_layout.py).
// They set the "@<service>.<field>" keys the PagerDuty outputs read.

// The image AttachImage adds, as StreamAlert ships it.
const (
	pagerDutyImageURL   = "https://streamalert.io/en/stable/_images/sa-banner.png"
	pagerDutyImageClick = "https://streamalert.io/en/stable/"
	pagerDutyImageAlt   = "StreamAlert Docs"
)

// prettyPrintDelimiter separates array elements for PagerDuty's UI, which
// ignores single newlines.
const prettyPrintDelimiter = "\n\n----------\n\n"

// shortenTitle titles incidents with the bare rule name.
func shortenTitle(a *Alert, pub Publication) (Publication, error) {
	pub["@pagerduty-v2.summary"] = a.RuleName
	pub["@pagerduty-incident.incident_title"] = a.RuleName
	pub["@pagerduty.description"] = a.RuleName
	return pub, nil
}

// asCustomDetails copies every field but the "@pagerduty*" ones into the
// details of both event APIs.
func asCustomDetails(_ *Alert, pub Publication) (Publication, error) {
	details := map[string]any{}
	for k, v := range pub {
		if !strings.HasPrefix(k, "@pagerduty") {
			details[k] = v
		}
	}
	pub["@pagerduty.details"] = details
	pub["@pagerduty-v2.custom_details"] = DeepCopy(details)
	return pub, nil
}

// v2HighUrgency marks the alert critical (Events v2) and high urgency
// (incidents).
func v2HighUrgency(_ *Alert, pub Publication) (Publication, error) {
	pub["@pagerduty-v2.severity"] = "critical"
	pub["@pagerduty-incident.urgency"] = "high"
	return pub, nil
}

// v2LowUrgency marks the alert a warning and low urgency.
func v2LowUrgency(_ *Alert, pub Publication) (Publication, error) {
	pub["@pagerduty-v2.severity"] = "warning"
	pub["@pagerduty-incident.urgency"] = "low"
	return pub, nil
}

// attachImage adds StreamAlert's banner image to both event APIs.
func attachImage(_ *Alert, pub Publication) (Publication, error) {
	err := appendTo(pub, "@pagerduty-v2.images",
		map[string]any{"src": pagerDutyImageURL, "href": pagerDutyImageClick, "alt": pagerDutyImageAlt})
	if err != nil {
		return nil, err
	}
	return pub, appendTo(pub, "@pagerduty.contexts", map[string]any{"type": "image", "src": pagerDutyImageURL})
}

// appendTo appends items to the list under key, starting one if there is
// none; anything else there is an error, as Python's append would raise.
func appendTo(pub Publication, key string, items ...any) error {
	v, ok := pub[key]
	if !ok || v == nil {
		v = []any{}
	}
	l, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s is not a list", key)
	}
	pub[key] = append(l, items...)
	return nil
}
