package pythonoutput_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamalert-go/sa/sdk/plugintest"
)

// TestRefusesWithoutHost runs the plugin the ways a person or a mismatched
// host might: it must exit with an error and leave stdout empty, since
// go-plugin would read anything there as a handshake.
func TestRefusesWithoutHost(t *testing.T) {
	dir := pluginDir(t)
	tests := []struct {
		name       string
		env        []string
		wantStderr string
	}{
		{"no cookie", nil, "not meant to be run directly"},
		{"wrong cookie", []string{"SA_PLUGIN_MAGIC_COOKIE=0000"}, "not meant to be run directly"},
		{"no versions offered", []string{cookie}, "no common protocol version"},
		{"no common version", []string{cookie, "PLUGIN_PROTOCOL_VERSIONS=2,3"}, "no common protocol version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, "plugin.py")
			cmd.Dir = dir
			cmd.Env = append(slices.Clone(pluginEnv), tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit code %d (%v), want 1", code, err)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to say %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestHandshakeLine reads the handshake directly, as go-plugin does, and
// checks every field, the AutoMTLS certificate in particular.
func TestHandshakeLine(t *testing.T) {
	dir := pluginDir(t)
	for _, mtls := range []bool{true, false} {
		t.Run("mtls="+strconv.FormatBool(mtls), func(t *testing.T) {
			env := append(slices.Clone(pluginEnv), cookie, "PLUGIN_PROTOCOL_VERSIONS=3,1,x,2")
			if mtls {
				env = append(env, "PLUGIN_CLIENT_CERT="+clientCertPEM(t))
			}
			fields, rest, exitCode := handshake(t, dir, env)
			if len(fields) != 6 {
				t.Fatalf("handshake %q: want 6 fields", strings.Join(fields, "|"))
			}
			want := []string{"1", "1", "unix", fields[3], "grpc", fields[5]}
			if !slices.Equal(fields, want) {
				t.Errorf("handshake %q, want %q", fields, want)
			}
			if _, err := os.Stat(filepath.Dir(fields[3])); !os.IsNotExist(err) {
				t.Errorf("socket directory left behind after exit (stat: %v)", err)
			}
			if rest != "" {
				t.Errorf("stdout after the handshake: %q", rest)
			}
			if exitCode != 0 {
				t.Errorf("exit code %d after SIGTERM, want 0", exitCode)
			}
			if mtls {
				checkServerCert(t, fields[5])
			} else if fields[5] != "" {
				t.Errorf("certificate field %q without AutoMTLS, want empty", fields[5])
			}
		})
	}
}

// handshake starts the plugin by hand, reads the handshake line, checks the
// socket is there, stops the plugin with SIGTERM and returns the line's
// fields, whatever else came on stdout, and the exit code.
func handshake(t *testing.T, dir string, env []string) (fields []string, rest string, exitCode int) {
	t.Helper()
	cmd := exec.Command(python, "plugin.py")
	cmd.Dir, cmd.Env, cmd.Stderr = dir, env, io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lineCh := make(chan string, 1)
	r := bufio.NewReader(stdout)
	go func() {
		l, _ := r.ReadString('\n')
		lineCh <- l
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(30 * time.Second):
		t.Fatal("no handshake within 30s")
	}
	fields = strings.Split(strings.TrimSuffix(line, "\n"), "|")
	if len(fields) > 3 {
		if fi, err := os.Stat(fields[3]); err != nil || fi.Mode()&os.ModeSocket == 0 {
			t.Errorf("no unix socket at %q (%v)", fields[3], err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	_ = cmd.Wait()
	return fields, string(b), cmd.ProcessState.ExitCode()
}

// checkServerCert checks the handshake's certificate field: unpadded base64
// DER of a self-signed ECDSA P-256 certificate for localhost, usable for
// both ends of TLS.
func checkServerCert(t *testing.T, field string) {
	t.Helper()
	if len(field) <= 50 || strings.Contains(field, "=") {
		t.Fatalf("certificate field %q: go-plugin wants unpadded base64 over 50 characters", field)
	}
	der, err := base64.RawStdEncoding.DecodeString(field)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if key, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || key.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", cert.PublicKey)
	}
	if !slices.Equal(cert.DNSNames, []string{"localhost"}) || cert.Subject.CommonName != "localhost" {
		t.Errorf("names %v, CN %q; want localhost", cert.DNSNames, cert.Subject.CommonName)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid {
		t.Error("not a CA certificate")
	}
	if want := x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign; cert.KeyUsage&want != want {
		t.Errorf("key usage %b, want digital signature and cert sign", cert.KeyUsage)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Errorf("verify for %v: %v", usage, err)
		}
	}
}

// clientCertPEM makes a host client certificate like the SDK's.
func clientCertPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestKillIsGraceful checks the plugin exits on the host's Shutdown call
// well within the two seconds go-plugin's Kill waits before SIGKILL, and
// removes its socket.
func TestKillIsGraceful(t *testing.T) {
	c, stderr := start(t)
	rc := c.ReattachConfig()
	if rc == nil {
		t.Fatal("no reattach config")
	}
	sock := rc.Addr.String()
	begin := time.Now()
	c.Kill()
	if d := time.Since(begin); d >= 2*time.Second {
		t.Errorf("Kill took %s; the plugin did not exit on Shutdown", d)
	}
	if !c.Exited() {
		t.Error("plugin still running after Kill")
	}
	if !strings.Contains(stderr.String(), "host requested shutdown") {
		t.Errorf("no graceful stop in the log:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Dir(sock)); !os.IsNotExist(err) {
		t.Errorf("socket directory %s left behind (stat: %v)", filepath.Dir(sock), err)
	}
}

// TestExitsWhenOrphaned starts the plugin from a shell that exits once the
// handshake is out, and expects the plugin to notice and exit by itself.
func TestExitsWhenOrphaned(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := pluginDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The plugin starts its parent watch before it prints the handshake, so
	// the shell leaves only once the watch knows the shell's pid.
	script := `"$0" plugin.py >hs 2>err & pid=$!
while [ ! -s hs ]; do sleep 0.05; done
echo $pid`
	cmd := exec.CommandContext(ctx, "sh", "-c", script, python)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(pluginEnv), cookie, "PLUGIN_PROTOCOL_VERSIONS=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("shell: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("pid %q: %v", out, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("orphaned plugin still running after 10s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if log, _ := os.ReadFile(filepath.Join(dir, "err")); !bytes.Contains(log, []byte("host process is gone")) {
		t.Errorf("plugin log does not say why it exited:\n%s", log)
	}
}

// running reports whether pid is alive and not a zombie: whoever adopted
// the orphan may not reap it.
func running(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestConformance runs the SDK's conformance harness, the one behind
// `sa plugin test`, against the Python plugin.
func TestConformance(t *testing.T) {
	dir := pluginDir(t)
	newCmd := func() *exec.Cmd {
		cmd := exec.Command(python, "plugin.py")
		cmd.Dir = dir
		return cmd
	}
	r := plugintest.Binary(context.Background(), newCmd, plugintest.Options{})
	var out bytes.Buffer
	r.Print(&out)
	t.Log("\n" + out.String())
	if err := r.Err(); err != nil {
		t.Error(err)
	}
}
