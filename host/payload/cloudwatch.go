package payload

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// The message types of CloudWatch Logs subscription payloads.
const (
	DataMessage    = "DATA_MESSAGE"
	ControlMessage = "CONTROL_MESSAGE"
)

// CloudWatchLogs is a decoded CloudWatch Logs subscription payload. A
// subscription writes it gzip'd to Kinesis (where KinesisData inflates it
// like any record) or hands it base64'd to a Lambda as {"awslogs":
// {"data": ...}}.
type CloudWatchLogs struct {
	// MessageType is DATA_MESSAGE, or CONTROL_MESSAGE for the messages
	// CloudWatch sends to check that the destination is reachable; those
	// carry no log data, but StreamAlert classifies them (as
	// cloudwatch:control_message), so they are decoded the same way and
	// the caller decides.
	MessageType         string   `json:"messageType"`
	Owner               string   `json:"owner"`
	LogGroup            string   `json:"logGroup"`
	LogStream           string   `json:"logStream"`
	SubscriptionFilters []string `json:"subscriptionFilters"`
	// Events counts logEvents.
	Events int `json:"-"`
	// Record is the whole decoded document: the raw record the cloudwatch
	// schemas take apart with json_path "logEvents[*]...", envelope keys
	// included.
	Record []byte `json:"-"`
}

// Control reports a control message.
func (c *CloudWatchLogs) Control() bool { return c.MessageType == ControlMessage }

// DecodeCloudWatchLogs decodes a subscription payload: gzip'd JSON, or the
// same base64-encoded.
func DecodeCloudWatchLogs(data []byte, lim Limits) (*CloudWatchLogs, error) {
	lim = lim.withDefaults()
	if !isGzip(data) {
		raw, err := base64.StdEncoding.DecodeString(string(data))
		if err != nil {
			return nil, fmt.Errorf("cloudwatch logs: neither gzip nor base64: %w", err)
		}
		data = raw
	}
	if !isGzip(data) {
		return nil, fmt.Errorf("cloudwatch logs: payload is not gzip")
	}
	doc, err := decompressRecord(data, lim.MaxRecordBytes)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch logs: %w", err)
	}
	return parseCloudWatchLogs(doc)
}

func parseCloudWatchLogs(doc []byte) (*CloudWatchLogs, error) {
	if _, _, err := rawjson.SplitObject(nil, doc, eventMaxDepth); err != nil {
		return nil, fmt.Errorf("cloudwatch logs: payload %w", err)
	}
	c := &CloudWatchLogs{Record: doc}
	if err := json.Unmarshal(doc, c); err != nil {
		return nil, fmt.Errorf("cloudwatch logs: %w", err)
	}
	switch c.MessageType {
	case DataMessage, ControlMessage:
	default:
		return nil, fmt.Errorf("cloudwatch logs: messageType %q is neither %s nor %s", c.MessageType, DataMessage, ControlMessage)
	}
	if events, ok := rawjson.Lookup(doc, "logEvents"); ok && rawjson.KindOf(events) == rawjson.Array {
		for range rawjson.Elements(events) {
			c.Events++
		}
	}
	return c, nil
}

// CloudWatchLogsEvent decodes the Lambda event of a direct subscription,
// {"awslogs": {"data": "<base64 gzip>"}}.
func CloudWatchLogsEvent(event []byte, lim Limits) (*CloudWatchLogs, error) {
	var e struct {
		AWSLogs struct {
			Data string `json:"data"`
		} `json:"awslogs"`
	}
	if err := json.Unmarshal(event, &e); err != nil {
		return nil, fmt.Errorf("cloudwatch logs event: %w", err)
	}
	if e.AWSLogs.Data == "" {
		return nil, fmt.Errorf(`cloudwatch logs event: no "awslogs.data"`)
	}
	return DecodeCloudWatchLogs([]byte(e.AWSLogs.Data), lim)
}
