package aws

import (
	"encoding/json"
	"time"

	"github.com/streamalert-go/sa/host/classify"
)

// Message is one classified record on its way from the classifier to the
// rules engine, StreamAlert's SQS message (reference §1.7) with two
// additions: Key, which names where the record came from so the alerts it
// raises get the same ids however often it is delivered, and Received,
// the time those ids and the alerts' creation time are taken from. SQS
// bodies hold JSON arrays of Messages.
type Message struct {
	Cluster  string          `json:"cluster"`
	LogType  string          `json:"log_schema_type"`
	Record   json.RawMessage `json:"record"`
	Service  string          `json:"service"`
	Resource string          `json:"resource"`
	Parser   string          `json:"data_type"`
	Key      string          `json:"key"`
	Received time.Time       `json:"received"`
}

// messageOf makes the message of a classified record.
func messageOf(rec *classify.Record, key string, received time.Time) Message {
	return Message{
		Cluster: rec.Cluster, LogType: string(rec.LogType), Record: rec.Data,
		Service: rec.Source.Service, Resource: rec.Source.Resource, Parser: rec.Parser,
		Key: key, Received: received.UTC(),
	}
}
