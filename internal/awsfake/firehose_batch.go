package awsfake

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
)

// PutRecordBatch's documented limits: records per call, bytes per call
// (Data before base64 encoding, summed) and, as for PutRecord, bytes per
// record (firehoseRecordLimit).
const (
	firehoseBatchRecords = 500
	firehoseBatchBytes   = 4 << 20
)

func init() {
	handlers["firehose.PutRecordBatch"] = (*Server).putRecordBatch
}

// firehoseBatches is what PutRecordBatch keeps: the records each stream
// took, in order, and which records a test makes fail.
type firehoseBatches struct {
	delivered map[string][][]byte
	refuse    func(stream string, data []byte) bool
}

// FirehoseRecords returns the records PutRecordBatch delivered to a
// stream, in the order it took them (records that failed are absent).
func (s *Server) FirehoseRecords(stream string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, r := range s.batches.delivered[stream] {
		out = append(out, append([]byte(nil), r...))
	}
	return out
}

// FailFirehoseRecords makes PutRecordBatch fail each record for which
// refuse returns true, with the per-record ServiceUnavailableException
// Firehose answers when it cannot take a record now; the other records of
// the call are delivered. nil delivers every record again.
func (s *Server) FailFirehoseRecords(refuse func(stream string, data []byte) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches.refuse = refuse
}

// FirehoseClient is a Firehose client of the fake: its TLS certificate
// trusted, the static credentials, and the SDK's standard retryer with
// maxAttempts attempts (1: none).
func (s *Server) FirehoseClient(maxAttempts int) *firehose.Client {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return firehose.New(firehose.Options{
		Region: Region, BaseEndpoint: aws.String(s.URL), HTTPClient: &http.Client{Transport: tr},
		Credentials:      credentials.NewStaticCredentialsProvider(AccessKeyID, SecretKey, ""),
		RetryMaxAttempts: maxAttempts,
	})
}

// BatchData decodes the Data of each record of a PutRecordBatch call, in
// the call's order.
func (c Call) BatchData() [][]byte {
	recs, _ := c.Get("Records").([]any)
	out := make([][]byte, 0, len(recs))
	for _, r := range recs {
		m, _ := r.(map[string]any)
		s, _ := m["Data"].(string)
		b, _ := base64.StdEncoding.DecodeString(s)
		out = append(out, b)
	}
	return out
}

// putRecordBatch checks the call as Firehose's API reference describes
// it and answers with one entry per record, in order: a RecordId, or an
// ErrorCode and ErrorMessage for a record the test made fail.
func (s *Server) putRecordBatch(c Call) (reply, *apiError) {
	name := c.String("DeliveryStreamName")
	datas, problem := batchRecords(c)
	if problem != nil {
		return reply{}, problem
	}
	if name == "" {
		return reply{}, invalid("InvalidArgumentException", "DeliveryStreamName is required")
	}
	s.mu.Lock()
	ok := s.streams[name]
	refuse := s.batches.refuse
	s.mu.Unlock()
	if !ok {
		return reply{}, notFound("ResourceNotFoundException", "Firehose "+name+" under account "+Account+" not found.")
	}
	entries := make([]map[string]string, len(datas))
	var taken [][]byte
	failed := 0
	for i, d := range datas {
		if refuse != nil && refuse(name, d) {
			entries[i] = map[string]string{"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
			failed++
			continue
		}
		entries[i] = map[string]string{"RecordId": s.nextRequestID()}
		taken = append(taken, d)
	}
	s.mu.Lock()
	if s.batches.delivered == nil {
		s.batches.delivered = map[string][][]byte{}
	}
	s.batches.delivered[name] = append(s.batches.delivered[name], taken...)
	s.mu.Unlock()
	return reply{json: map[string]any{"FailedPutCount": failed, "Encrypted": false, "RequestResponses": entries}}, nil
}

// batchRecords decodes the call's records and checks Firehose's limits.
func batchRecords(c Call) ([][]byte, *apiError) {
	recs, ok := c.Get("Records").([]any)
	switch {
	case !ok || len(recs) == 0:
		return nil, invalid("InvalidArgumentException", "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case len(recs) > firehoseBatchRecords:
		return nil, invalid("InvalidArgumentException", fmt.Sprintf("1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to %d", firehoseBatchRecords))
	}
	out := make([][]byte, len(recs))
	total := 0
	for i, r := range recs {
		m, _ := r.(map[string]any)
		s, isString := m["Data"].(string)
		d, err := base64.StdEncoding.DecodeString(s)
		if !isString || err != nil {
			return nil, &apiError{status: 400, code: "SerializationException", msg: fmt.Sprintf("records.%d.member.data is not base64", i+1)}
		}
		if len(d) > firehoseRecordLimit {
			return nil, invalid("InvalidArgumentException", fmt.Sprintf("1 validation error detected: Value at 'records.%d.member.data' failed to satisfy constraint: Member must have length less than or equal to %d", i+1, firehoseRecordLimit))
		}
		total += len(d)
		out[i] = d
	}
	if total > firehoseBatchBytes {
		return nil, invalid("InvalidArgumentException", fmt.Sprintf("Records size exceeds %d bytes limit", firehoseBatchBytes))
	}
	return out, nil
}
