// Package awsfake is the test kit of sa's AWS code, the output plugins and
// the AWS runtime: one TLS server standing in for SQS, Firehose,
// CloudWatch Logs, SNS, STS, Lambda and SES v2, speaking each service's
// wire protocol as aws-sdk-go-v2 sends it (AWS JSON 1.0 and 1.1 with
// X-Amz-Target, the query protocol with XML answers, REST-JSON). It
// verifies the SigV4 signature of every request by recomputing it with the
// credentials it knows, checks the operation and decodes the body, and
// answers with the services' documented success and error shapes. Tests
// add resources (queues, topics, functions, ...), inject throttling,
// server errors and access denials, and read back the calls the server
// accepted.
package awsfake

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The fake's account and the static credentials it knows.
const (
	Account     = "123456789012"
	Region      = "us-east-1"
	AccessKeyID = "AKIASAFAKE0000000001"
	SecretKey   = "sa-fake-secret-key/7f3e9a1c5b2d4e6f8a0b1c2d"
)

// The temporary credentials AssumeRole hands out.
const (
	TempAccessKeyID = "ASIASAFAKE0000000002"
	TempSecretKey   = "sa-fake-temp-secret/1b2c3d4e5f60718293a4b5c6"
	SessionToken    = "sa-fake-session-token/FwoGZXIvYXdzEJr0123456789abcdefSESSION"
)

// Secrets lists every secret value the fake knows, for leak checks.
var Secrets = []string{SecretKey, TempSecretKey, SessionToken}

// Call is one request the server accepted: signed correctly, for a known
// operation.
type Call struct {
	// Service is the signing name: sqs, firehose, logs, sns, sts, lambda, ses.
	Service string
	// Op is the operation: SendMessage, AssumeRole, Invoke, ...
	Op     string
	Region string
	// AccessKeyID and SessionToken are the credentials that signed it.
	AccessKeyID  string
	SessionToken string
	Method       string
	Path         string
	Query        url.Values
	Header       http.Header
	Body         []byte
	// JSON is the decoded body of JSON and REST-JSON operations.
	JSON map[string]any
	// Form is the decoded body of query-protocol operations.
	Form url.Values
	// Fault is the fault the call was answered with, if any.
	Fault Fault
}

// credential is a key pair the server accepts.
type credential struct {
	secret, token string
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server
	t testing.TB
	// Now is the server's clock, for signature dates.
	Now func() time.Time
	// LogNow is CloudWatch Logs' clock, which event timestamps must be
	// near.
	LogNow func() time.Time

	mu        sync.Mutex
	creds     map[string]credential
	calls     []Call
	rejected  []string
	rejectOK  bool
	faults    map[string][]Fault
	requestID int
	ca        string
	state
}

// New starts the fake over TLS. It is closed when the test ends, and the
// test fails if any request was refused for its signature, unless
// ExpectRejections was called.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, Now: time.Now, LogNow: time.Now, creds: map[string]credential{AccessKeyID: {secret: SecretKey}},
		faults: map[string][]Fault{}, state: newState()}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(func() {
		s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.rejected) > 0 && !s.rejectOK {
			t.Errorf("awsfake: %d request(s) refused: %v", len(s.rejected), s.rejected)
		}
	})
	return s
}

// CAFile writes the server's certificate as a PEM bundle for ca_file.
func (s *Server) CAFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "awsfake-ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ExpectRejections lets a test send requests the server refuses (unknown
// keys, bad signatures) without failing.
func (s *Server) ExpectRejections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectOK = true
}

// Rejected returns why requests were refused.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// Calls returns the accepted calls, all of them or those of the given
// operations.
func (s *Server) Calls(ops ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(ops) == 0 || contains(ops, c.Op) {
			out = append(out, c)
		}
	}
	return out
}

// Only returns the single call of op, failing the test otherwise.
func (s *Server) Only(t testing.TB, op string) Call {
	t.Helper()
	calls := s.Calls(op)
	if len(calls) != 1 {
		t.Fatalf("awsfake: %d %s calls, want 1 (all calls: %v)", len(calls), op, opsOf(s.Calls()))
	}
	return calls[0]
}

// Fail makes the next n calls of op (every call when n < 0) answer with f.
func (s *Server) Fail(op string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		s.faults[op] = []Fault{f | persistent}
		return
	}
	for range n {
		s.faults[op] = append(s.faults[op], f)
	}
}

// takeFault returns the fault the next call of op gets, if any.
func (s *Server) takeFault(op string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[op]
	if len(q) == 0 {
		return 0
	}
	if q[0]&persistent != 0 {
		return q[0] &^ persistent
	}
	s.faults[op] = q[1:]
	return q[0]
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *Server) reject(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected = append(s.rejected, why)
}

func (s *Server) nextRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestID++
	return fmt.Sprintf("f4ce0000-0000-4000-8000-%012d", s.requestID)
}

// serve verifies a request and hands it to its service.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	sig, problem := s.verify(r, body)
	c.Service, c.Region, c.AccessKeyID, c.SessionToken = sig.service, sig.region, sig.accessKeyID, sig.token
	p := protocolOf(c.Service)
	if problem != nil {
		s.reject(problem.code + ": " + problem.msg)
		s.writeError(w, p, *problem)
		return
	}
	op, problem := p.decode(r, &c)
	if problem != nil {
		s.reject(c.Service + ": " + problem.code + ": " + problem.msg)
		s.writeError(w, p, *problem)
		return
	}
	c.Op = op
	if f := s.takeFault(op); f != 0 {
		c.Fault = f
		s.record(c)
		s.writeError(w, p, faultError(c.Service, f))
		return
	}
	s.dispatch(w, p, c)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func opsOf(calls []Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Service + "." + c.Op
	}
	return out
}
