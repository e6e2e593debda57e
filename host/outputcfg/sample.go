package outputcfg

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// SampleRule is the rule name of the alerts `sa output test` sends, so a
// receiving team can recognize and filter them.
const SampleRule = "sa_output_test"

// publicationKeys are the keys of StreamAlert's default publication
// (Alert.output_dict), which an output renders when no publisher is set.
var publicationKeys = []string{
	"cluster", "context", "created", "id", "log_source", "log_type", "outputs", "publishers",
	"record", "rule_description", "rule_name", "source_entity", "source_service", "staged",
}

// Sample returns an alert for id as a rule would raise it, in the JSON
// form outputs receive, with its default publication: a test goes through
// the same plugin call, with the same shapes, as a real alert. The record
// is a CloudTrail console login without MFA, the kind of event the sample
// rules alert on, so a destination's formatting can be judged on it.
func Sample(id ID, now time.Time) (alertJSON, publication []byte, err error) {
	a, err := alert.New(alert.Params{
		RuleName: SampleRule,
		RuleDescription: fmt.Sprintf("Test alert sent by `sa output test %s` to check that the output delivers. "+
			"No action is needed.", id),
		Severity:      "info",
		Tags:          []string{"sa-output-test"},
		Record:        sampleRecord(now),
		Context:       json.RawMessage(`{"sa_output_test":true}`),
		Outputs:       []string{id.String()},
		Cluster:       "sa",
		LogSource:     "cloudtrail:events",
		LogType:       "json",
		SourceService: "kinesis",
		SourceEntity:  "sa_sample",
		Created:       now,
	})
	if err != nil {
		return nil, nil, err
	}
	alertJSON, err = a.Payload()
	if err != nil {
		return nil, nil, err
	}
	publication, err = defaultPublication(alertJSON)
	return alertJSON, publication, err
}

// defaultPublication keeps the publication keys of the alert's JSON form.
func defaultPublication(alertJSON []byte) ([]byte, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(alertJSON, &all); err != nil {
		return nil, err
	}
	pub := make(map[string]json.RawMessage, len(publicationKeys))
	for _, k := range publicationKeys {
		if v, ok := all[k]; ok {
			pub[k] = v
		}
	}
	return json.Marshal(pub)
}

// sampleRecord is a CloudTrail ConsoleLogin event, with documentation
// addresses and example account ids only.
func sampleRecord(now time.Time) json.RawMessage {
	rec := map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDAEXAMPLEPRINCIPAL1", "arn": "arn:aws:iam::123456789012:user/alice",
			"accountId": "123456789012", "userName": "alice",
		},
		"eventTime":           now.UTC().Format(time.RFC3339),
		"eventSource":         "signin.amazonaws.com",
		"eventName":           "ConsoleLogin",
		"awsRegion":           "us-east-1",
		"sourceIPAddress":     "198.51.100.23",
		"userAgent":           "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
		"requestParameters":   nil,
		"responseElements":    map[string]any{"ConsoleLogin": "Success"},
		"additionalEventData": map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"},
		"eventID":             "3b8f6c1e-5d2a-4f7b-9e0c-1a2b3c4d5e6f",
		"readOnly":            false,
		"eventType":           "AwsConsoleSignIn",
		"managementEvent":     true,
		"recipientAccountId":  "123456789012",
		"eventCategory":       "Management",
	}
	b, _ := json.Marshal(rec) // plain maps and strings always marshal
	return b
}
