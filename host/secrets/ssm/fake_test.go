package ssm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Test credentials: the fake checks every request's SigV4 signature
// against them.
const (
	fakeRegion = "eu-west-1"
	fakeKeyID  = "AKIDSSMFAKE0000001"
	fakeSecret = "ssm-fake-secret-access-key-000000000001"
)

// fakeSSM is a local endpoint speaking SSM's wire protocol (AWS JSON 1.1
// over HTTPS, X-Amz-Target "AmazonSSM.<operation>", SigV4-signed) for the
// four operations the store uses, with their documented request checks,
// answers and errors. It keeps parameters in memory; a SecureString's value
// is returned only to a call with WithDecryption true, as SSM does
// (without it, SSM returns the ciphertext).
type fakeSSM struct {
	t   testing.TB
	srv *httptest.Server
	// kmsKey is the key id a PutParameter must name; empty: none.
	kmsKey string
	// limit, when set, replaces the tier's limit on a value's length.
	limit int

	mu       sync.Mutex
	params   map[string]*param
	calls    map[string]int // operation to calls
	throttle int            // the next throttle requests are refused
}

type param struct {
	name, typ, value, keyID string
	version                 int64
	modified                time.Time
}

func newFakeSSM(t testing.TB, kmsKey string) *fakeSSM {
	f := &fakeSSM{t: t, kmsKey: kmsKey, params: map[string]*param{}, calls: map[string]int{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns an SSM client for the fake, trusting its TLS certificate
// only, retrying quickly.
func (f *fakeSSM) client(secret string) *awsssm.Client {
	return awsssm.NewFromConfig(aws.Config{
		Region:       fakeRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(fakeKeyID, secret, ""),
		BaseEndpoint: aws.String(f.srv.URL),
		HTTPClient:   f.srv.Client(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		},
	})
}

func (f *fakeSSM) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeSSM) setThrottle(n int) {
	f.mu.Lock()
	f.throttle = n
	f.mu.Unlock()
}

func (f *fakeSSM) setLimit(n int) {
	f.mu.Lock()
	f.limit = n
	f.mu.Unlock()
}

// set stores a parameter directly, as another tool would.
func (f *fakeSSM) set(name, typ, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.params[name] = &param{name: name, typ: typ, value: value, version: 1, modified: time.Now()}
}

func (f *fakeSSM) get(name string) *param {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.params[name]; p != nil {
		c := *p
		return &c
	}
	return nil
}

func (f *fakeSSM) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		reply(w, 400, errBody("SerializationException", "unreadable body"))
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		reply(w, 404, errBody("UnknownOperationException", "POST / only"))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		reply(w, 400, errBody("SerializationException", "Content-Type "+ct))
		return
	}
	if code, msg := f.checkSignature(r, body); code != "" {
		reply(w, 400, errBody(code, msg))
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	if !ok {
		reply(w, 400, errBody("UnknownOperationException", "bad X-Amz-Target"))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	if f.throttle > 0 {
		f.throttle--
		reply(w, 400, errBody("ThrottlingException", "Rate exceeded"))
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		reply(w, 400, errBody("SerializationException", "body is not JSON"))
		return
	}
	handlers := map[string]func(map[string]any) (int, any){
		"GetParameter": f.getParameter, "PutParameter": f.putParameter,
		"DeleteParameter": f.deleteParameter, "GetParametersByPath": f.getParametersByPath,
	}
	h := handlers[op]
	if h == nil {
		reply(w, 400, errBody("UnknownOperationException", op))
		return
	}
	status, out := h(in)
	reply(w, status, out)
}

// checkSignature recomputes the request's SigV4 signature over the headers
// it says it signed, with the known secret, and compares.
func (f *fakeSSM) checkSignature(r *http.Request, body []byte) (string, string) {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[0] != fakeKeyID || scope[2] != fakeRegion || scope[3] != "ssm" || scope[4] != "aws4_request" {
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(at).Abs() > 5*time.Minute {
		return "InvalidSignatureException", "Signature expired or X-Amz-Date missing"
	}
	req, _ := http.NewRequest(r.Method, "https://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h != "host" && h != "content-length" {
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	req.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ssm",
		fakeRegion, at); err != nil {
		return "InternalServerError", err.Error()
	}
	if req.Header.Get("Authorization") != auth {
		return "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

func (f *fakeSSM) arn(name string) string {
	return "arn:aws:ssm:" + fakeRegion + ":123456789012:parameter" + name
}

func (f *fakeSSM) wire(p *param, decrypt bool) map[string]any {
	value := p.value
	if p.typ == "SecureString" && !decrypt {
		// SSM returns the ciphertext; this stands in for it.
		value = base64.StdEncoding.EncodeToString([]byte("ciphertext:" + p.name + ":" + strconv.FormatInt(p.version, 10)))
	}
	return map[string]any{"Name": p.name, "Type": p.typ, "Value": value, "Version": p.version,
		"ARN": f.arn(p.name), "DataType": "text", "LastModifiedDate": float64(p.modified.UnixMilli()) / 1000}
}

func (f *fakeSSM) getParameter(in map[string]any) (int, any) {
	name, _ := in["Name"].(string)
	p := f.params[name]
	if p == nil {
		return 400, errBody("ParameterNotFound", "")
	}
	decrypt, _ := in["WithDecryption"].(bool)
	return 200, map[string]any{"Parameter": f.wire(p, decrypt)}
}

func (f *fakeSSM) putParameter(in map[string]any) (int, any) {
	name, _ := in["Name"].(string)
	value, _ := in["Value"].(string)
	typ, _ := in["Type"].(string)
	keyID, _ := in["KeyId"].(string)
	tier, _ := in["Tier"].(string)
	overwrite, _ := in["Overwrite"].(bool)
	limit := map[string]int{"": 4096, "Standard": 4096, "Advanced": 8192, "Intelligent-Tiering": 8192}[tier]
	if f.limit > 0 {
		limit = f.limit
	}
	switch {
	case !strings.HasPrefix(name, "/") || strings.Count(name, "/") > 15 || len(name) > 1011:
		return 400, errBody("ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
	case len(value) > limit:
		// SSM quotes the value it refuses, which is why the store drops
		// messages.
		return 400, errBody("ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'value' failed to satisfy constraint: Member must have length less than or equal to %d", value, limit))
	case typ != "SecureString":
		return 400, errBody("ValidationException", "the store must write SecureString, got "+typ)
	case keyID != f.kmsKey:
		return 400, errBody("InvalidKeyId", "unexpected KMS key "+keyID)
	}
	old := f.params[name]
	if old != nil && !overwrite {
		return 400, errBody("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	p := &param{name: name, typ: typ, value: value, keyID: keyID, version: 1, modified: time.Now()}
	if old != nil {
		p.version = old.version + 1
	}
	f.params[name] = p
	return 200, map[string]any{"Version": p.version, "Tier": "Standard"}
}

func (f *fakeSSM) deleteParameter(in map[string]any) (int, any) {
	name, _ := in["Name"].(string)
	if f.params[name] == nil {
		return 400, errBody("ParameterNotFound", "")
	}
	delete(f.params, name)
	return 200, map[string]any{}
}

func (f *fakeSSM) getParametersByPath(in map[string]any) (int, any) {
	path, _ := in["Path"].(string)
	recursive, _ := in["Recursive"].(bool)
	decrypt, _ := in["WithDecryption"].(bool)
	token, _ := in["NextToken"].(string)
	max := 10
	if m, ok := in["MaxResults"].(float64); ok {
		max = int(m)
	}
	if max < 1 || max > 10 {
		return 400, errBody("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10")
	}
	if decrypt {
		f.t.Errorf("GetParametersByPath asked to decrypt %s", path)
	}
	var names []string
	for name := range f.params {
		rest, ok := strings.CutPrefix(name, strings.TrimSuffix(path, "/")+"/")
		if ok && (recursive || !strings.Contains(rest, "/")) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(names) {
			return 400, errBody("InvalidNextToken", "The specified token isn't valid.")
		}
		start = n
	}
	end := min(start+max, len(names))
	out := map[string]any{}
	page := []any{}
	// SSM promises no order: answer each page backwards.
	for i := end - 1; i >= start; i-- {
		page = append(page, f.wire(f.params[names[i]], decrypt))
	}
	out["Parameters"] = page
	if end < len(names) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return 200, out
}

func errBody(code, msg string) map[string]any {
	return map[string]any{"__type": code, "message": msg}
}

func reply(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	w.Write(b)
}
