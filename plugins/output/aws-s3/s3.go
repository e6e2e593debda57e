package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// bucket is one configured instance.
type bucket struct {
	client *s3.Client
	name   string
	now    func() time.Time
}

// New returns the aws-s3 output.
func New() *awsout.Output[*bucket] {
	return awsout.New(awsout.Service[*bucket]{
		Info:         saplugin.Info{Name: "aws-s3", Version: version, Description: "Store alerts as JSON objects in an Amazon S3 bucket"},
		Schema:       configSchema,
		ResourceProp: awsout.PropResource,
		Check:        func(schema.Config) (string, []schema.Problem) { return "", nil },
		Build:        build,
		Deliver:      deliver,
	})
}

func build(cfg aws.Config, c schema.Config) (*bucket, error) {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = c.Bool(propPathStyle)
		if c.String(awsout.PropEndpointURL) != "" {
			// S3-compatible stores often lack the aws-chunked uploads
			// with trailing checksums the SDK sends to S3 by default;
			// TLS still protects the upload.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &bucket{client: client, name: c.String(awsout.PropResource), now: time.Now}, nil
}

// deliver stores the publication as JSON under the alert's key.
func deliver(ctx context.Context, b *bucket, in awsout.Input) (string, error) {
	key := objectKey(in, b.now())
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(b.name),
		Key:         aws.String(key),
		Body:        bytes.NewReader(in.PublicationJSON),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return "", err
	}
	return "stored " + key, nil
}

// objectKey is StreamAlert's layout, partitioned by hour for Athena:
//
//	alerts/dt=2017-01-25-00/<source service>_<source entity>_<rule>_<id>.json
//
// StreamAlert named the object with a fresh UUID and the hour of the
// delivery, so each retry stored another copy; the alert's id and the
// hour it was created make a retry overwrite the same object.
func objectKey(in awsout.Input, now time.Time) string {
	at, id := in.Created, in.Alert.ID
	if at.IsZero() {
		at = now
	}
	if id == "" {
		id = randomUUID()
	}
	return fmt.Sprintf("alerts/dt=%s/%s_%s_%s_%s.json", at.UTC().Format("2006-01-02-15"),
		in.SourceService, in.SourceEntity, in.Alert.RuleName, id)
}

// randomUUID is a version 4 UUID, for an alert without an id.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
