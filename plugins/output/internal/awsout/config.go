package awsout

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Call limits. The host gives a send 30 s; three attempts of at most 8 s
// with at most 2 s between them fit, and the host retries after that.
const (
	attemptTimeout    = 8 * time.Second
	maxAttempts       = 3
	DefaultMaxBackoff = 2 * time.Second
)

// SessionName is the role session name of every assumed role, as it
// shows in the destination account's CloudTrail.
const SessionName = "sa-output"

// appID is added to the SDK's User-Agent.
const appID = "sa-output"

// LoadConfig builds the aws.Config of an instance: its region, endpoint,
// credentials (static keys, else the SDK's default chain, then the role
// when one is to be assumed), an HTTP client bounding every attempt and
// trusting ca_file beside the system roots, and a retryer of maxAttempts
// with at most maxBackoff between attempts. Shared config and credentials
// files are not read: a plugin's settings come from its instance
// configuration alone (an AWS_PROFILE in the environment would still make
// loading fail, but plugins run without the host's environment). The HTTP
// client is returned so its idle connections can be closed with the
// instance.
func LoadConfig(ctx context.Context, s Settings, maxBackoff time.Duration) (aws.Config, *http.Client, error) {
	client, err := httpout.NewClient(attemptTimeout, s.CAFile)
	if err != nil {
		return aws.Config{}, nil, err
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(s.Region),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryer(func() aws.Retryer { return NewRetryer(maxBackoff) }),
		config.WithAppID(appID),
	}
	if s.CAFile != "" {
		// For the SDK's own clients of the default credential chain (web
		// identity's STS); the service calls use client.
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return aws.Config{}, nil, fmt.Errorf("read CA bundle: %w", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	if s.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			s.AccessKeyID, s.SecretKey.Reveal(), s.Token.Reveal())))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	cfg.HTTPClient = client
	// An endpoint comes from the configuration only, never from the
	// environment (AWS_ENDPOINT_URL); the host starts plugins without its
	// environment anyway.
	cfg.BaseEndpoint = nil
	if s.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(s.Endpoint)
	}
	if s.RoleARN != "" {
		cfg.Credentials = assumeRole(cfg, s)
	}
	return cfg, client, nil
}

// assumeRole returns cached credentials of s.RoleARN, obtained with the
// credentials of base from the STS endpoint of s.
func assumeRole(base aws.Config, s Settings) aws.CredentialsProvider {
	ext := s.ExternalID.Reveal()
	p := stscreds.NewAssumeRoleProvider(STSClient(base, s.STSEndpoint), s.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
		if ext != "" {
			o.ExternalID = aws.String(ext)
		}
	})
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Minute })
}

// STSClient returns an STS client of cfg's region and credentials at
// endpoint, or at the regional public endpoint when endpoint is "".
func STSClient(cfg aws.Config, endpoint string) *sts.Client {
	stsCfg := cfg.Copy()
	stsCfg.BaseEndpoint = nil
	if endpoint != "" {
		stsCfg.BaseEndpoint = aws.String(endpoint)
	}
	return sts.NewFromConfig(stsCfg)
}

// NewRetryer returns the SDK's standard retryer with maxAttempts attempts,
// the extra retryable codes of this package, and no client-side retry
// quota: an output retries little and the host backs off on its own.
func NewRetryer(maxBackoff time.Duration) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retry.RetryableErrorCode{Codes: extraRetryableCodes})
	})
}
