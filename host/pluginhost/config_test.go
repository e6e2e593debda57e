package pluginhost

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

func TestMissingCredential(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "")
	h.Configure("output.faulty", "empty", func(context.Context) (map[string]any, error) {
		return map[string]any{}, nil
	})
	_, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "empty", []byte(`{}`), nil)
	if err == nil {
		t.Fatal("send with no token succeeded")
	}
	for _, want := range []string{"plugin output.faulty:empty", "token: required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if Transient(err) {
		t.Error("a missing credential is reported as transient")
	}
}

func TestUnknownInstance(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "")
	_, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "nosuch", []byte(`{}`), nil)
	if err == nil || !strings.Contains(err.Error(), `instance "nosuch" is not configured`) {
		t.Fatalf("error %v, want the unknown instance named", err)
	}
}

func TestNotInstalled(t *testing.T) {
	h, _ := newTestHost(t, t.TempDir(), "")
	_, err := h.Send(ctxTimeout(t, 5*time.Second), "slack", "soc", []byte(`{}`), nil)
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "output.slack") {
		t.Fatalf("error %v, want output.slack not installed", err)
	}
}

// TestSecretRedaction: a plugin that quotes its credential back in a send
// result and in its log lines has it masked everywhere the host shows it.
func TestSecretRedaction(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, logs := newTestHost(t, root, "leak-secret")
	res, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "bad token <secret>") {
		t.Errorf("result %v %q, want permanent with the token masked", res.Status, res.Message)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "auth failed with token") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "auth failed with token <secret>") {
		t.Errorf("the plugin's log line was not relayed masked:\n%s", logs)
	}
	if strings.Contains(res.Message+logs.String(), testToken) {
		t.Error("the token appears in a send result or the host log")
	}
}

// TestValidateMasksSecrets: problems from ValidateConfig come back with any
// secret the plugin quoted masked.
func TestValidateMasksSecrets(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "")
	problems, err := h.Validate(ctxTimeout(t, 30*time.Second), "output.faulty", map[string]any{"token": "BAD TOKEN VALUE", "extra": 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range problems {
		got[p.Field] = true
		if strings.Contains(p.Message, "BAD TOKEN VALUE") {
			t.Errorf("problem %v quotes the secret", p)
		}
	}
	if !got["token"] || !got["extra"] {
		t.Errorf("problems %v, want one on token and one on extra", problems)
	}
}

// TestEnvironmentNotInherited: plugins get the plugin environment only, not
// the host's (where cloud credentials live).
func TestEnvironmentNotInherited(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "host-only-credential")
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "env")
	res, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Message, "host-only-credential") || strings.Contains(res.Message, "AWS_") {
		t.Errorf("plugin environment has the host's AWS credentials:\n%s", res.Message)
	}
	for _, want := range []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SA_PLUGIN_NAME=output.faulty", "SA_PLUGIN_MAGIC_COOKIE="} {
		if !strings.Contains(res.Message, want) {
			t.Errorf("plugin environment lacks %s:\n%s", want, res.Message)
		}
	}
}

// TestAWSCredentialsForwarded: a plugin named in AWSCredentials gets the
// host's AWS credential variables, with the secret ones masked in whatever
// it says back; another plugin on the same host still gets none.
func TestAWSCredentialsForwarded(t *testing.T) {
	host := map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDHOSTROLE", "AWS_SECRET_ACCESS_KEY": "host-secret-key-value",
		"AWS_SESSION_TOKEN": "host-session-token-value", "AWS_REGION": "eu-west-1",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task",
	}
	lookup := func(k string) (string, bool) { v, ok := host[k]; return v, ok }
	for _, forward := range []bool{true, false} {
		root := t.TempDir()
		installFaulty(t, root)
		h, _ := newTestHost(t, root, "env")
		h.opts.LookupEnv = lookup
		h.opts.AWSCredentials = map[string]bool{"output.faulty": forward, "output.other": true}
		res, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"host-secret-key-value", "host-session-token-value"} {
			if strings.Contains(res.Message, secret) {
				t.Errorf("forward=%v: a host credential reached the result unmasked:\n%s", forward, res.Message)
			}
		}
		for _, kv := range []string{"AWS_ACCESS_KEY_ID=AKIDHOSTROLE", "AWS_REGION=eu-west-1",
			"AWS_SECRET_ACCESS_KEY=" + schema.Masked, "AWS_SESSION_TOKEN=" + schema.Masked,
			"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/task"} {
			if got := strings.Contains(res.Message, kv); got != forward {
				t.Errorf("forward=%v: environment has %s: %v\n%s", forward, kv, got, res.Message)
			}
		}
	}
}

// TestIsolatedInstances: an isolated plugin runs one process per instance;
// otherwise one process serves them all.
func TestIsolatedInstances(t *testing.T) {
	for _, isolate := range []bool{false, true} {
		root := t.TempDir()
		installFaulty(t, root)
		h, _ := newTestHost(t, root, "")
		h.opts.Isolate = map[string]bool{"output.faulty": isolate}
		h.Configure("output.faulty", "second", func(context.Context) (map[string]any, error) {
			return map[string]any{"token": "secondtoken1"}, nil
		})
		ctx := ctxTimeout(t, 30*time.Second)
		a, err1 := h.Send(ctx, "faulty", "main", []byte(`{}`), nil)
		b, err2 := h.Send(ctx, "faulty", "second", []byte(`{}`), nil)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if same := a.Message == b.Message; same == isolate {
			t.Errorf("isolate=%v: instances answered from %q and %q", isolate, a.Message, b.Message)
		}
		if want := map[bool]int{false: 1, true: 2}[isolate]; len(h.Statuses()) != want {
			t.Errorf("isolate=%v: %d processes, want %d", isolate, len(h.Statuses()), want)
		}
	}
}

// TestCloseStopsPlugins: Close leaves no plugin process behind.
func TestCloseStopsPlugins(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "")
	if _, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	pid := h.Statuses()[0].PID
	h.Close()
	waitGone(t, pid)
	if _, err := os.Stat("/proc/" + itoa(pid)); err == nil && processAlive(pid) {
		t.Errorf("plugin %d survived Close", pid)
	}
}
