package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/host/secrets/storetest"
	"github.com/streamalert-go/sa/sdk/schema"
)

const (
	prefix = "/prod/sa/secrets"
	kmsKey = "alias/prod_sa_secrets"
)

// Distinctive values, so that finding one anywhere is a leak and not chance.
var (
	slackSOC = secrets.Value{"url": "https://hooks.slack.example/services/T000/B000/XyZzy-ssm-webhook-0xC0FFEE"}
	duoProd  = secrets.Value{
		"api_hostname":    "api-deadbeef.duosecurity.example",
		"integration_key": "DIWJ8X6AEYOR5OMC6TQ1-ssm-ikey",
		"secret_key":      "Zh5eGmUq9zYk1x2w3v4u5t6s7r8q9p0o-ssm-skey\n\"quoted\" \\ ü <&>",
	}
)

func valuesOf(vs ...secrets.Value) []string {
	var out []string
	for _, v := range vs {
		out = append(out, secrettest.Reveal(v)...)
	}
	return out
}

func newStore(t *testing.T, opts Options) (*Store, *fakeSSM) {
	t.Helper()
	f := newFakeSSM(t, opts.KMSKeyID)
	if opts.Prefix == "" {
		opts.Prefix = prefix
	}
	s, err := New(f.client(fakeSecret), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, f
}

func mustPut(t *testing.T, s *Store, name string, v secrets.Value) {
	t.Helper()
	if err := s.Put(context.Background(), name, v); err != nil {
		t.Fatalf("Put(%s): %v", name, err)
	}
}

// TestRoundTrip runs the store suite, checking that each value is kept as
// a SecureString under the prefix, with the chosen key, as the JSON object
// of its properties, and that a Put of an existing name makes a new
// version.
func TestRoundTrip(t *testing.T) {
	s, f := newStore(t, Options{KMSKeyID: kmsKey})
	puts := map[string]int64{}
	storetest.RoundTrip(t, s, func(t *testing.T, name string, v secrets.Value) {
		p := f.get(prefix + "/" + name)
		if p == nil || p.typ != "SecureString" || p.keyID != kmsKey {
			t.Fatalf("stored parameter: %+v", p != nil)
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(p.value), &m); err != nil || len(m) != len(v) {
			t.Errorf("stored value is not the JSON object of the value's %d properties", len(v))
		}
		puts[name]++
		if p.version != puts[name] {
			t.Errorf("%s: version %d after %d puts", name, p.version, puts[name])
		}
	})
}

func TestDefaultKey(t *testing.T) {
	s, f := newStore(t, Options{})
	mustPut(t, s, "output/slack/soc", slackSOC)
	if p := f.get(prefix + "/output/slack/soc"); p.keyID != "" {
		t.Errorf("KeyId %q sent, want none (the account's aws/ssm key)", p.keyID)
	}
}

// TestList checks paging, the prefix filter, and that parameters other
// tools put under or beside the prefix are skipped.
func TestList(t *testing.T) {
	ctx := context.Background()
	s, f := newStore(t, Options{})
	var want []string
	for i := range 23 {
		name := fmt.Sprintf("output/slack/s%02d", i)
		mustPut(t, s, name, slackSOC)
		want = append(want, name)
	}
	mustPut(t, s, "app/box/one", duoProd)
	f.set(prefix+"/output/Upper/Case", "SecureString", "{}")
	f.set(prefix+"x/output/slack/beside", "SecureString", "{}")
	f.set("/other/output/slack/elsewhere", "SecureString", "{}")
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", append([]string{"app/box/one"}, want...)},
		{"output/", want},
		{"output/slack/s1", want[10:20]},
		{"output/sl", want},
		{"app", []string{"app/box/one"}},
		{"nothing/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			before := f.count("GetParametersByPath")
			got, err := s.List(ctx, tt.prefix)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("List(%q) = %q, %v; want %q", tt.prefix, got, err, tt.want)
			}
			if pages := f.count("GetParametersByPath") - before; len(tt.want) > 10 && pages < 2 {
				t.Errorf("List read %d pages for %d names", pages, len(tt.want))
			}
		})
	}
	if n := f.count("GetParameter"); n != 0 {
		t.Errorf("List called GetParameter %d times", n)
	}
}

// TestFakeWithholdsValues checks the endpoint the other tests rely on:
// without WithDecryption a SecureString's value is never returned.
func TestFakeWithholdsValues(t *testing.T) {
	ctx := context.Background()
	s, f := newStore(t, Options{})
	mustPut(t, s, "app/duo_auth/prod_collector", duoProd)
	c := f.client(fakeSecret)
	res, err := c.GetParameter(ctx, &awsssm.GetParameterInput{Name: aws.String(prefix + "/app/duo_auth/prod_collector"),
		WithDecryption: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.GetParametersByPath(ctx, &awsssm.GetParametersByPathInput{Path: aws.String(prefix),
		Recursive: aws.Bool(true)})
	if err != nil || len(page.Parameters) != 1 {
		t.Fatalf("GetParametersByPath = %d, %v", len(page.Parameters), err)
	}
	secrettest.AssertNoLeak(t, valuesOf(duoProd), aws.ToString(res.Parameter.Value), aws.ToString(page.Parameters[0].Value))
}

func TestInvalidNames(t *testing.T) {
	ctx := context.Background()
	s, f := newStore(t, Options{Prefix: "/a/b/c/d/e/f/g/h/i/j"})
	names := []string{"../escape", "/abs", "a//b", ".hidden", "UPPER", "a\x00b", "", "a/b/c/d/e/f"}
	for _, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			_, gerr := s.Get(ctx, name)
			perr := s.Put(ctx, name, slackSOC)
			derr := s.Delete(ctx, name)
			for op, err := range map[string]error{"Get": gerr, "Put": perr, "Delete": derr} {
				if !errors.Is(err, secrets.ErrInvalidName) {
					t.Errorf("%s = %v, want ErrInvalidName", op, err)
				}
			}
		})
	}
	mustPut(t, s, "a/b/c/d/e", slackSOC) // 15 levels: the most SSM takes
	if n := f.count("PutParameter") + f.count("GetParameter") + f.count("DeleteParameter"); n != 1 {
		t.Errorf("invalid names reached SSM: %d calls", n-1)
	}
}

func TestNewRejects(t *testing.T) {
	f := newFakeSSM(t, "")
	for _, opts := range []Options{
		{Prefix: ""}, {Prefix: "sa/secrets"}, {Prefix: "/sa/"}, {Prefix: "/sa//x"}, {Prefix: "/aws/sa"},
		{Prefix: "/SSM/x"}, {Prefix: "/sa", Tier: "Gold"}, {Prefix: strings.Repeat("/a", 15)},
	} {
		if _, err := New(f.client(fakeSecret), opts); err == nil {
			t.Errorf("New(%+v) accepted", opts)
		}
	}
	if _, err := New(nil, Options{Prefix: "/sa"}); err == nil {
		t.Error("New without a client accepted")
	}
}

// TestErrorsNeverLeak drives every failure that could carry a value and
// checks the errors, in every usual rendering.
func TestErrorsNeverLeak(t *testing.T) {
	ctx := context.Background()
	s, f := newStore(t, Options{KMSKeyID: kmsKey})
	leaks := valuesOf(slackSOC, duoProd)
	var errs []error

	// SSM refuses the value and quotes it in its message.
	f.setLimit(10)
	err := s.Put(ctx, "app/duo_auth/prod_collector", duoProd)
	var se *Error
	if !errors.As(err, &se) || se.Code != "ValidationException" {
		t.Errorf("Put of a value SSM refuses = %v, want a ValidationException", err)
	}
	errs = append(errs, err)
	f.setLimit(0)

	// Too large for the tier: refused before it is sent.
	big := secrets.Value{"k": schema.Secret(strings.Repeat("Q", 5000) + leaks[0])}
	before := f.count("PutParameter")
	err = s.Put(ctx, "output/big/one", big)
	if err == nil || f.count("PutParameter") != before {
		t.Errorf("oversized Put = %v after %d calls", err, f.count("PutParameter")-before)
	}
	errs = append(errs, err)

	// Stored values that are not the store's: not JSON, or not SecureString.
	f.set(prefix+"/output/broken/json", "SecureString", "not json: "+leaks[1])
	f.set(prefix+"/output/broken/plain", "String", `{"url":"`+leaks[2]+`"}`)
	for _, name := range []string{"output/broken/json", "output/broken/plain"} {
		_, err := s.Get(ctx, name)
		if !errors.Is(err, secrets.ErrCorrupt) || !strings.Contains(err.Error(), name) {
			t.Errorf("Get(%s) = %v, want ErrCorrupt naming it", name, err)
		}
		errs = append(errs, err)
	}

	// Throttled past the SDK's retries.
	mustPut(t, s, "output/slack/soc", slackSOC)
	f.setThrottle(100)
	_, err = s.Get(ctx, "output/slack/soc")
	if !errors.As(err, &se) || se.Code != "ThrottlingException" || !se.Temporary() {
		t.Errorf("throttled Get = %v, want a temporary ThrottlingException", err)
	}
	errs = append(errs, err, s.Put(ctx, "output/slack/soc", slackSOC))
	f.setThrottle(0)

	var texts []string
	for _, e := range errs {
		if e == nil {
			t.Fatal("a failure returned no error")
		}
		texts = append(texts, secrettest.Render(e)...)
	}
	secrettest.AssertNoLeak(t, leaks, texts...)
}

func TestThrottlingIsRetried(t *testing.T) {
	s, f := newStore(t, Options{})
	mustPut(t, s, "output/slack/soc", slackSOC)
	f.setThrottle(2)
	got, err := s.Get(context.Background(), "output/slack/soc")
	if err != nil || !maps.Equal(got, slackSOC) {
		t.Fatalf("Get after two throttles = %v", err)
	}
	if n := f.count("GetParameter"); n != 3 {
		t.Errorf("GetParameter called %d times, want 3", n)
	}
}

// TestSignatureChecked checks that the endpoint verifies signatures, so
// the other tests prove the store's requests are signed right.
func TestSignatureChecked(t *testing.T) {
	f := newFakeSSM(t, "")
	s, err := New(f.client("a-different-secret-key-000000000000000000"), Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(context.Background(), "output/slack/soc")
	var se *Error
	if !errors.As(err, &se) || se.Code != "InvalidSignatureException" {
		t.Errorf("Get with a wrong secret key = %v, want InvalidSignatureException", err)
	}
}

func TestContextCancelled(t *testing.T) {
	s, f := newStore(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %v, want context.Canceled", err)
	}
	if err := s.Put(ctx, "a", slackSOC); !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v, want context.Canceled", err)
	}
	if err := s.Delete(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete = %v, want context.Canceled", err)
	}
	if _, err := s.List(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("List = %v, want context.Canceled", err)
	}
	if n := f.count("GetParameter") + f.count("PutParameter") + f.count("DeleteParameter") + f.count("GetParametersByPath"); n != 0 {
		t.Errorf("a cancelled context reached SSM %d times", n)
	}
}

func TestValuesPrintMasked(t *testing.T) {
	s, _ := newStore(t, Options{})
	mustPut(t, s, "app/duo_auth/prod_collector", duoProd)
	v, err := s.Get(context.Background(), "app/duo_auth/prod_collector")
	if err != nil {
		t.Fatal(err)
	}
	texts := secrettest.Render(v, v["secret_key"], []secrets.Value{v})
	secrettest.AssertNoLeak(t, valuesOf(duoProd), texts...)
	secrettest.Logger(t, valuesOf(duoProd)).Info("fetched", "creds", v)
}

func TestConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, Options{Tier: types.ParameterTierAdvanced})
	const workers, rounds = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*3)
	for w := range workers {
		wg.Go(func() {
			own := fmt.Sprintf("output/worker/w%d", w)
			for r := range rounds {
				v := secrets.Value{"token": schema.Secret(fmt.Sprintf("w%d-r%d", w, r))}
				if err := s.Put(ctx, own, v); err != nil {
					errs <- err
				}
				if err := s.Put(ctx, "output/shared/one", v); err != nil {
					errs <- err
				}
				if got, err := s.Get(ctx, own); err != nil || !maps.Equal(got, v) {
					errs <- fmt.Errorf("%s round %d: read back %d properties: %w", own, r, len(got), err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if names, err := s.List(ctx, ""); err != nil || len(names) != workers+1 {
		t.Fatalf("List = %d names, %v; want %d", len(names), err, workers+1)
	}
}
