// Package payload turns deliveries into raw records: the Lambda events
// StreamAlert's classifier receives (Kinesis records, S3 notifications, SNS
// messages, app batches), S3 objects, CloudWatch Logs subscription
// payloads, and the bodies of HTTP requests and files the embedded runtime
// reads. Each raw record comes tagged with its source, ready for the
// classifier; what cannot be decoded comes back as a Failure with the
// reason, never silently dropped.
//
// Decoding follows StreamAlert (reference §1.1) where that is sane:
// Kinesis data is base64 and may be gzip or zlib, detected by its magic
// bytes; an S3 object (gzip detected) is one record when the whole object
// is one JSON value, else one record per line; an SNS message is one
// record unless it is an S3 notification, which names objects to fetch. The
// places sa differs are listed in docs/classification.md and at the code
// that differs.
//
// Everything is bounded: a record is at most Limits.MaxRecordBytes (a
// longer line becomes a Failure and is skipped without being held in
// memory), decompressed data at most Limits.MaxExpandedBytes, an S3 object
// at most Limits.MaxObjectBytes, and large inputs are read as streams and
// handed on in batches, so no input can exhaust memory.
package payload

import (
	"context"
	"io"
)

// Source says where records came from: StreamAlert's service (kinesis,
// s3, sns, streamalert_app) and resource (stream, bucket, topic, app).
type Source struct {
	Service  string
	Resource string
}

// The services of StreamAlert's data_sources.
const (
	ServiceKinesis = "kinesis"
	ServiceS3      = "s3"
	ServiceSNS     = "sns"
	ServiceApp     = "streamalert_app"
)

// Batch is raw records of one source, in delivery order, with the parts of
// the delivery that could not be decoded.
type Batch struct {
	Source   Source
	Records  [][]byte
	Failures []Failure
}

// Failure is a part of a delivery that yielded no record.
type Failure struct {
	// Raw is a copy of the undecodable bytes, cut to
	// Limits.MaxFailedBytes; Size is their full length (0 when unknown,
	// as for a truncated stream).
	Raw    []byte
	Size   int
	Reason string
}

// ObjectRef names an S3 object a notification announced.
type ObjectRef struct {
	Bucket string
	Key    string
	Size   int64
}

// ObjectFetcher opens S3 objects. The AWS runtime implements it with the
// S3 API; tests with files.
type ObjectFetcher interface {
	Fetch(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}

// EmitFunc receives decoded batches. An error stops decoding and is
// returned by the decoder as it is.
type EmitFunc func(Batch) error

// Limits bounds decoding. Zero fields take the defaults in parentheses.
type Limits struct {
	// MaxRecordBytes bounds one raw record (64 MiB).
	MaxRecordBytes int
	// MaxObjectBytes bounds an S3 object as stored (128 MiB, StreamAlert's
	// limit).
	MaxObjectBytes int64
	// MaxExpandedBytes bounds what one compressed object or body expands
	// to (1 GiB), against decompression bombs.
	MaxExpandedBytes int64
	// MaxFailedBytes is how much of an undecodable part a Failure keeps
	// (64 KiB).
	MaxFailedBytes int
	// BatchRecords and BatchBytes bound one emitted batch of a stream
	// (5000 records, 8 MiB).
	BatchRecords int
	BatchBytes   int
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxRecordBytes, 64<<20)
	def(&l.MaxFailedBytes, 64<<10)
	def(&l.BatchRecords, 5000)
	def(&l.BatchBytes, 8<<20)
	if l.MaxObjectBytes <= 0 {
		l.MaxObjectBytes = 128 << 20
	}
	if l.MaxExpandedBytes <= 0 {
		l.MaxExpandedBytes = 1 << 30
	}
	return l
}

// failure builds a Failure keeping a capped copy of raw.
func (l Limits) failure(raw []byte, reason string) Failure {
	keep := min(len(raw), l.MaxFailedBytes)
	return Failure{Raw: append([]byte(nil), raw[:keep]...), Size: len(raw), Reason: reason}
}
