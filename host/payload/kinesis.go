package payload

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// kinesisElement is the part of a Kinesis event record sa reads.
type kinesisElement struct {
	EventSourceARN string `json:"eventSourceARN"`
	Kinesis        struct {
		Data string `json:"data"`
	} `json:"kinesis"`
}

// decodeKinesis yields the record of a Kinesis event record: its data,
// base64-decoded, then inflated when it is gzip or zlib (see
// decompressRecord). The source is the stream name at the end of the ARN.
func decodeKinesis(e []byte, lim Limits) decoded {
	var k kinesisElement
	if err := json.Unmarshal(e, &k); err != nil {
		return decoded{failures: []Failure{lim.failure(e, "kinesis record: "+err.Error())}}
	}
	d := decoded{src: Source{Service: ServiceKinesis, Resource: lastPart(k.EventSourceARN, "/")}}
	rec, err := KinesisData(k.Kinesis.Data, lim)
	if err != nil {
		d.failures = []Failure{lim.failure(e, err.Error())}
		return d
	}
	d.records = [][]byte{rec}
	return d
}

// KinesisData decodes the data of one Kinesis record as delivered in a
// Lambda event: base64, then gzip or zlib when its magic bytes say so.
// StreamAlert's test events compress with zlib; CloudWatch Logs
// subscriptions deliver gzip.
func KinesisData(data string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("kinesis data is not valid base64: %w", err)
	}
	if len(raw) > lim.MaxRecordBytes {
		return nil, fmt.Errorf("kinesis data is %d bytes, over the %d-byte record limit", len(raw), lim.MaxRecordBytes)
	}
	out, err := decompressRecord(raw, lim.MaxRecordBytes)
	if err != nil {
		return nil, fmt.Errorf("kinesis data: %w", err)
	}
	return out, nil
}

// lastPart returns what follows the last sep in s: a stream name after
// ".../stream/", a topic name after the last ':' of an ARN.
func lastPart(s, sep string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return s
}
