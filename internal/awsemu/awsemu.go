// Package awsemu runs local implementations of AWS APIs for tests:
// dynalite (DynamoDB) and kinesalite (Kinesis), installed from npm into
// test/emulators by `make emulators`. A test that needs one skips when it is
// not installed, unless SA_REQUIRE_AWS_EMULATORS=1 says a skip would hide a
// failure (CI sets it).
package awsemu

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/streamalert-go/sa/internal/testbin"
)

// Region is the region every emulator client uses.
const Region = "us-east-1"

// Dynalite starts an in-memory dynalite and returns its endpoint URL.
// Tables are active as soon as they are created.
func Dynalite(t testing.TB) string {
	return start(t, "dynalite", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
}

// Kinesalite starts an in-memory kinesalite and returns its endpoint URL.
// Streams are active as soon as they are created.
func Kinesalite(t testing.TB) string {
	return start(t, "kinesalite", "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0")
}

// Config is an AWS configuration with fixed test credentials for an
// emulator at endpoint.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

func start(t testing.TB, name string, args ...string) string {
	t.Helper()
	bin := filepath.Join(testbin.Root(t), "test", "emulators", "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("SA_REQUIRE_AWS_EMULATORS") == "1" {
			t.Fatalf("%s is not installed (run make emulators): %v", name, err)
		}
		t.Skipf("%s is not installed; run make emulators", name)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("SA_REQUIRE_AWS_EMULATORS") == "1" {
			t.Fatalf("%s needs node: %v", name, err)
		}
		t.Skipf("%s needs node", name)
	}
	port := freePort(t)
	cmd := exec.Command(node, append([]string{bin, "--port", strconv.Itoa(port)}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := os.CreateTemp(t.TempDir(), name+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		out.Close()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("%s exited at start: %s", name, log)
		case <-ctx.Done():
			t.Fatalf("%s did not listen on %s within 30s", name, addr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
