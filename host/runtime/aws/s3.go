package aws

import (
	"context"
	"fmt"
	"io"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client the classifier calls; *s3.Client
// implements it.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Fetcher reads the objects S3 notifications name.
type S3Fetcher struct{ S3 S3API }

// Fetch implements payload.ObjectFetcher.
func (f S3Fetcher) Fetch(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := f.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: awssdk.String(bucket), Key: awssdk.String(key)})
	if err != nil {
		return nil, fmt.Errorf("s3: get s3://%s/%s: %w", bucket, key, err)
	}
	return out.Body, nil
}
