package awsfake

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// tamper rewrites requests after they are signed.
type tamper func(*http.Request)

// client returns an SQS client of the fake signing with id/secret/token,
// whose requests pass through f, when set, once signed.
func client(s *Server, id, secret, token string, f tamper) *sqs.Client {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	rt := http.RoundTripper(tr)
	if f != nil {
		rt = roundTripper{tr, f}
	}
	return sqs.New(sqs.Options{
		Region: Region, BaseEndpoint: aws.String(s.URL), HTTPClient: &http.Client{Transport: rt},
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, token),
		RetryMaxAttempts: 1,
	})
}

// roundTripper applies f to each request before sending it.
type roundTripper struct {
	tr *http.Transport
	f  tamper
}

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	r.f(req)
	return r.tr.RoundTrip(req)
}

func getURL(c *sqs.Client) error {
	_, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("q")})
	return err
}

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// TestSignatureChecked: the fake accepts a correctly signed request and
// refuses every way of getting the signature wrong.
func TestSignatureChecked(t *testing.T) {
	s := New(t)
	s.AddQueue("q")
	if err := getURL(client(s, AccessKeyID, SecretKey, "", nil)); err != nil {
		t.Fatalf("signed request refused: %v", err)
	}
	s.ExpectRejections()
	tests := []struct {
		name              string
		id, secret, token string
		f                 func(*http.Request)
		want              string
	}{
		{"wrong secret", AccessKeyID, SecretKey + "x", "", nil, "SignatureDoesNotMatch"},
		{"unknown key", "AKIAUNKNOWN000000000", SecretKey, "", nil, "UnrecognizedClientException"},
		{"unexpected token", AccessKeyID, SecretKey, "token", nil, "InvalidClientTokenId"},
		{"body changed", AccessKeyID, SecretKey, "", func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b = bytes.Replace(b, []byte(`"q"`), []byte(`"x"`), 1)
			r.Body = io.NopCloser(bytes.NewReader(b))
		}, "SignatureDoesNotMatch"},
		{"target changed", AccessKeyID, SecretKey, "", func(r *http.Request) { r.Header.Set("X-Amz-Target", "AmazonSQS.DeleteQueue") }, "SignatureDoesNotMatch"},
		{"old date", AccessKeyID, SecretKey, "", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().Add(-time.Hour).UTC().Format("20060102T150405Z"))
		}, "SignatureDoesNotMatch"},
		{"unsigned", AccessKeyID, SecretKey, "", func(r *http.Request) { r.Header.Del("Authorization") }, "MissingAuthenticationToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Rejected())
			err := getURL(client(s, tt.id, tt.secret, tt.token, tt.f))
			if code(err) != tt.want || len(s.Rejected()) != before+1 {
				t.Errorf("error %v (code %q), want %s and a rejection", err, code(err), tt.want)
			}
		})
	}
	if n := len(s.Calls()); n != 1 {
		t.Errorf("%d calls accepted, want only the signed one", n)
	}
}

// TestTemporaryCredentials: keys handed out by AssumeRole are accepted
// only with their session token.
func TestTemporaryCredentials(t *testing.T) {
	s := New(t)
	s.AddQueue("q")
	s.ExpectRejections()
	if err := getURL(client(s, TempAccessKeyID, TempSecretKey, SessionToken, nil)); code(err) != "UnrecognizedClientException" {
		t.Errorf("before AssumeRole: %v", err)
	}
	s.AddCredentials(TempAccessKeyID, TempSecretKey, SessionToken)
	if err := getURL(client(s, TempAccessKeyID, TempSecretKey, SessionToken, nil)); err != nil {
		t.Errorf("with token: %v", err)
	}
	if err := getURL(client(s, TempAccessKeyID, TempSecretKey, "", nil)); code(err) != "InvalidClientTokenId" {
		t.Errorf("without token: %v", err)
	}
	if c := s.Only(t, "GetQueueUrl"); c.SessionToken != SessionToken || c.AccessKeyID != TempAccessKeyID {
		t.Errorf("call %+v", c)
	}
}

// TestFaultsAndErrors: faults are answered in the protocol's error shape,
// and unknown resources with the services' documented errors.
func TestFaultsAndErrors(t *testing.T) {
	s := New(t)
	s.AddQueue("q")
	c := client(s, AccessKeyID, SecretKey, "", nil)
	s.Fail("GetQueueUrl", 2, Throttle)
	for i := range 2 {
		if err := getURL(c); code(err) != "RequestThrottled" {
			t.Errorf("fault %d: %v", i, err)
		}
	}
	if err := getURL(c); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	_, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	if code(err) != "AWS.SimpleQueueService.NonExistentQueue" || !strings.Contains(err.Error(), "The specified queue does not exist.") {
		t.Errorf("missing queue: %v", err)
	}
	calls := s.Calls("GetQueueUrl")
	if len(calls) != 4 || calls[0].Fault != Throttle || calls[2].Fault != 0 {
		t.Errorf("calls %v", opsOf(calls))
	}
}
