package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/testbin"
)

// hookToken is the secret part of the test receiver's URL, as a Slack or
// Teams webhook URL carries one.
const hookToken = "T0KEN-e3b0c44298fc1c149afbf4c8996fb924"

// runIn is run with standard input.
func runIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// receiver is a webhook endpoint that records what it is sent and answers
// with status.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	bodies []string
	sigs   []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: http.StatusOK}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if r.URL.Path != "/hooks/"+hookToken {
			http.NotFound(w, r)
			return
		}
		rc.bodies = append(rc.bodies, string(body))
		rc.sigs = append(rc.sigs, r.Header.Get("X-SA-Signature"))
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) url() string { return rc.URL + "/hooks/" + hookToken }

func (rc *receiver) setStatus(s int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status = s
}

func (rc *receiver) received() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

// outputHome is a home from `sa init` with the test plugins' directory in
// sa.yaml's plugin_dirs, as an operator would set it up.
func outputHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	if _, err := embedded.Init(context.Background(), home, embedded.InitOptions{PluginDirs: []string{installPlugins(t)}}); err != nil {
		t.Fatal(err)
	}
	return home
}

// assertStoredEncrypted checks that no file under home holds secret and
// that the secret store returns it for output/service/descriptor.
func assertStoredEncrypted(t *testing.T, home, name, prop, secret string) {
	t.Helper()
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		failed := t.Failed()
		secrettest.AssertNoLeak(t, []string{secret}, string(b))
		if !failed && t.Failed() {
			t.Errorf("the leak above is in %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := embedded.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadKey(cfg.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	store, err := secrets.New(cfg.Secrets, key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := store.Get(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if v[prop].Reveal() != secret {
		t.Errorf("secret %s property %s does not hold the value typed", name, prop)
	}
}

func TestOutputCommands(t *testing.T) {
	home := outputHome(t)
	rc := newReceiver(t)
	sa := func(stdin string, args ...string) (string, string, error) {
		t.Helper()
		return runIn(t, stdin, append([]string{"--home", home, "output"}, args...)...)
	}
	signing := "signing-key-0f1e2d3c4b5a69788796a5b4"
	secretsUsed := []string{rc.url(), hookToken, signing}

	// Refused: plain http without allow_http. Nothing is written, and the
	// error does not quote the URL.
	_, _, err := sa(`{"url": "`+rc.url()+`"}`, "new", "--service", "webhook", "--descriptor", "soc", "--from-file", "-")
	if err == nil || !strings.Contains(err.Error(), "url: uses plain http") {
		t.Fatalf("new with http: %v", err)
	}
	secrettest.AssertNoLeak(t, secretsUsed, err.Error())

	config := `{"descriptor": "soc", "url": "` + rc.url() + `", "allow_http": true, "signing_secret": "` + signing + `", "timeout_seconds": 5}`
	out, _, err := sa(config, "new", "--service", "output.webhook", "--from-file", "-")
	if err != nil || !strings.Contains(out, "Added webhook:soc.") || !strings.Contains(out, "credentials (url, signing_secret): encrypted in") {
		t.Fatalf("new: %v\n%s", err, out)
	}
	assertStoredEncrypted(t, home, "output/webhook/soc", "url", rc.url())
	assertStoredEncrypted(t, home, "output/webhook/soc", "signing_secret", signing)
	saYAML, _ := os.ReadFile(filepath.Join(home, "sa.yaml"))
	if !strings.Contains(string(saYAML), "  webhook:soc:\n    allow_http: true\n    timeout_seconds: 5\n") ||
		!strings.Contains(string(saYAML), "# Output instances, by service:descriptor") {
		t.Errorf("sa.yaml:\n%s", saYAML)
	}
	outputsJSON, _ := os.ReadFile(filepath.Join(home, "conf", "outputs.json"))
	if want := "{\n  \"file\": [\n    \"sample\"\n  ],\n  \"webhook\": [\n    \"soc\"\n  ]\n}\n"; string(outputsJSON) != want {
		t.Errorf("outputs.json:\n%s", outputsJSON)
	}

	_, _, err = sa(config, "new", "--service", "webhook", "--from-file", "-")
	if err == nil || !strings.Contains(err.Error(), "sa output update webhook:soc") {
		t.Errorf("second new: %v", err)
	}

	out, _, err = sa("", "list")
	if err != nil || !strings.Contains(oneSpace(out), "webhook soc ready") || !strings.Contains(oneSpace(out), "file sample plugin output.file not installed") {
		t.Errorf("list: %v\n%s", err, out)
	}
	secrettest.AssertNoLeak(t, secretsUsed, out)

	out, stderr, err := sa("", "test", "webhook:soc")
	if err != nil || !strings.HasPrefix(out, "webhook:soc: delivered") {
		t.Fatalf("test: %v\n%s%s", err, out, stderr)
	}
	got := rc.received()
	if len(got) != 1 || !strings.Contains(got[0], `"rule_name":"sa_output_test"`) || !strings.Contains(got[0], `"eventName":"ConsoleLogin"`) || rc.sigs[0] == "" {
		t.Errorf("receiver got %q, signatures %q", got, rc.sigs)
	}

	rc.setStatus(http.StatusServiceUnavailable)
	out, stderr, err = sa("", "test", "webhook:soc")
	var ee exitError
	if !errors.As(err, &ee) || !strings.HasPrefix(out, "webhook:soc: retryable") {
		t.Errorf("test against a failing receiver: %v\n%s", err, out)
	}
	secrettest.AssertNoLeak(t, secretsUsed, out, stderr)
	rc.setStatus(http.StatusOK)

	// A merge patch: the credentials stay, timeout_seconds goes back to
	// its default, and the new property follows the ones already there.
	out, _, err = sa(`{"timeout_seconds": null, "headers": ["X-Team: secops"]}`, "update", "webhook:soc", "--from-file", "-")
	if err != nil || !strings.Contains(out, "Updated webhook:soc.") {
		t.Fatalf("update: %v\n%s", err, out)
	}
	saYAML, _ = os.ReadFile(filepath.Join(home, "sa.yaml"))
	if !strings.Contains(string(saYAML), "  webhook:soc:\n    allow_http: true\n    headers:\n      - 'X-Team: secops'\n") {
		t.Errorf("sa.yaml after update:\n%s", saYAML)
	}
	if out, _, err := sa("", "test", "webhook:soc"); err != nil || !strings.HasPrefix(out, "webhook:soc: delivered") {
		t.Errorf("test after update: %v\n%s", err, out)
	}

	if _, _, err := sa("n\n", "delete", "webhook:soc"); !errors.As(err, &ee) {
		t.Errorf("declined delete: %v", err)
	}
	if out, _, err := sa("", "delete", "--yes", "webhook:soc"); err != nil || !strings.Contains(out, "Deleted webhook:soc.") {
		t.Errorf("delete: %v\n%s", err, out)
	}
	if out, _, _ := sa("", "list"); strings.Contains(out, "webhook") {
		t.Errorf("list after delete:\n%s", out)
	}
	if _, _, err := sa("", "test", "webhook:soc"); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("test after delete: %v", err)
	}
}

// TestOutputUpdatePrompts answers update's prompts from a pipe: Enter
// keeps the stored URL, unseen; a new timeout replaces the old one.
func TestOutputUpdatePrompts(t *testing.T) {
	home := outputHome(t)
	rc := newReceiver(t)
	config := `{"url": "` + rc.url() + `", "allow_http": true, "timeout_seconds": 5}`
	if _, _, err := runIn(t, config, "--home", home, "output", "new", "--service", "webhook", "--descriptor", "soc", "--from-file", "-"); err != nil {
		t.Fatal(err)
	}
	// url, signing_secret, headers, allow_http, timeout_seconds,
	// max_retry_after_seconds, ca_file
	out, prompts, err := runIn(t, "\n\n\n\n7\n\n\n", "--home", home, "output", "update", "webhook:soc")
	if err != nil || !strings.Contains(out, "Updated webhook:soc.") {
		t.Fatalf("update: %v\n%s%s", err, out, prompts)
	}
	for _, want := range []string{"url (required; secret: what you type is not shown)\n", "A value is stored: press Enter to keep it.\n", "timeout_seconds [5]: ", "allow_http [true]: "} {
		if !strings.Contains(prompts, want) {
			t.Errorf("prompts lack %q:\n%s", want, prompts)
		}
	}
	secrettest.AssertNoLeak(t, []string{rc.url(), hookToken}, out, prompts)
	assertStoredEncrypted(t, home, "output/webhook/soc", "url", rc.url())
	saYAML, _ := os.ReadFile(filepath.Join(home, "sa.yaml"))
	if !strings.Contains(string(saYAML), "  webhook:soc:\n    allow_http: true\n    timeout_seconds: 7\n") {
		t.Errorf("sa.yaml:\n%s", saYAML)
	}
}

func TestOutputNewErrors(t *testing.T) {
	home := outputHome(t)
	for _, tt := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"new"}, "", "--service is required"},
		{[]string{"new", "--service", "slack"}, "", "installed output plugins: webhook"},
		{[]string{"new", "--service", "webhook", "--from-file", "-"}, `{"url": "https://x.example.com/a"}`, `--descriptor, or a "descriptor" property`},
		{[]string{"new", "--service", "webhook", "--from-file", "-"}, `[1]`, "standard input: want a JSON object"},
		{[]string{"new", "--service", "webhook", "--descriptor", "SOC"}, "", `--descriptor: descriptor "SOC" has uppercase letters`},
		{[]string{"update", "webhook"}, "", "want service:descriptor"},
		{[]string{"update", "webhook:nosuch"}, "", "webhook:nosuch is not configured"},
		{[]string{"delete", "--yes", "webhook:nosuch"}, "", "webhook:nosuch is not configured"},
	} {
		_, _, err := runIn(t, tt.stdin, append([]string{"--home", home, "output"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestOutputNewInTerminal drives `sa output new` in a terminal as a person
// would: the webhook URL, a secret, is never echoed, and is stored
// encrypted; `sa output test` then delivers through it.
func TestOutputNewInTerminal(t *testing.T) {
	home := outputHome(t)
	rc := newReceiver(t)
	bin := testbin.Build(t, "cmd/sa")

	cmd := exec.Command(bin, "--home", home, "output", "new", "--service", "webhook")
	cmd.Env = cleanEnv()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	term := &transcript{}
	go io.Copy(term, tty)

	answer := func(prompt, text string) {
		t.Helper()
		term.expect(t, prompt)
		if _, err := tty.Write([]byte(text + "\r")); err != nil {
			t.Fatal(err)
		}
	}
	answer("descriptor: ", "SOC")
	term.expect(t, `use "soc"`)
	answer("descriptor: ", "soc")
	answer("url: ", "ftp://files.example.com/"+hookToken) // checked as typed
	term.expect(t, "invalid: url: does not match pattern")
	answer("url: ", rc.url())
	answer("signing_secret: ", "")
	answer("headers: ", "X-Team: secops")
	answer("allow_http [false]: ", "true")
	answer("timeout_seconds [10]: ", "")
	answer("max_retry_after_seconds [900]: ", "")
	answer("ca_file: ", "")
	term.expect(t, "Added webhook:soc.")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sa output new: %v\n%s", err, term)
	}
	term.expect(t, "A running sa serve uses the change once restarted.")

	// The non-secret answers were echoed, so the terminal did echo; the
	// URL was not.
	if !strings.Contains(term.String(), "X-Team: secops") {
		t.Errorf("the visible answers were not echoed:\n%s", term)
	}
	secrettest.AssertNoLeak(t, []string{rc.url(), hookToken}, term.String())
	assertStoredEncrypted(t, home, "output/webhook/soc", "url", rc.url())

	out, err := exec.Command(bin, "--home", home, "output", "test", "webhook:soc").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "webhook:soc: delivered") || len(rc.received()) != 1 {
		t.Errorf("sa output test: %v\n%s", err, out)
	}
}

// cleanEnv is the test's environment without the variables that would
// point sa elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SA_") {
			env = append(env, kv)
		}
	}
	return append(env, "TERM=xterm")
}

// transcript is what a terminal showed, safe to read while it is written.
type transcript struct {
	mu  sync.Mutex
	buf bytes.Buffer
	pos int
}

func (tr *transcript) Write(p []byte) (int, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.buf.Write(p)
}

func (tr *transcript) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.buf.String()
}

// expect waits for s to appear after what earlier expects matched.
func (tr *transcript) expect(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		tr.mu.Lock()
		i := strings.Index(tr.buf.String()[tr.pos:], s)
		if i >= 0 {
			tr.pos += i + len(s)
		}
		tr.mu.Unlock()
		if i >= 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("terminal never showed %q:\n%s", s, tr.String())
}

// oneSpace collapses runs of blanks, for comparing table rows.
func oneSpace(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// TestSlackNewInTerminal is the check of the outputs issue: `sa output new
// --service slack` in a terminal never echoes the webhook URL, and stores
// it encrypted.
func TestSlackNewInTerminal(t *testing.T) {
	plugins := t.TempDir()
	bin := testbin.Build(t, "plugins/output/slack")
	dst := filepath.Join(plugins, "output", "slack", filepath.Base(bin))
	os.MkdirAll(filepath.Dir(dst), 0o755)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dst, data, 0o755)
	if out, _, err := run(t, "--home", t.TempDir(), "plugin", "register", dst); err != nil {
		t.Fatalf("register: %v %s", err, out)
	}
	home := t.TempDir()
	if _, err := embedded.Init(context.Background(), home, embedded.InitOptions{PluginDirs: []string{plugins}}); err != nil {
		t.Fatal(err)
	}
	const hook = "https://hooks.slack.com/services/T0SA/B0SA/s3cr3tW3bh00kT0k3n"
	cmd := exec.Command(testbin.Build(t, "cmd/sa"), "--home", home, "output", "new", "--service", "slack")
	cmd.Env = cleanEnv()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	term := &transcript{}
	go io.Copy(term, tty)
	term.expect(t, "descriptor: ")
	tty.Write([]byte("soc\r"))
	term.expect(t, "url: ")
	tty.Write([]byte(hook + "\r"))
	// Every other property is optional: Enter takes its default.
	for range 10 {
		if strings.Contains(term.String(), "Added slack:soc.") {
			break
		}
		time.Sleep(500 * time.Millisecond)
		tty.Write([]byte("\r"))
	}
	term.expect(t, "Added slack:soc.")
	cmd.Wait()
	secrettest.AssertNoLeak(t, []string{hook, "s3cr3tW3bh00kT0k3n"}, term.String())
	assertStoredEncrypted(t, home, "output/slack/soc", "url", hook)
}
