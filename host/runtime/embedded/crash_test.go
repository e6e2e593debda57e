package embedded

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// rootEvent is a CloudTrail record the test rule fires on, numbered so
// every alert can be traced to the request that carried it.
func rootEvent(n int) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventTime":"2026-11-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"ua","eventID":"e-%d","eventType":"AwsConsoleSignIn","recipientAccountId":"1","requestParameters":null}]}`, n%250+1, n)
}

// TestKill9DuringIngest runs sa serve in a child process, sends batches
// while killing it with SIGKILL at random points, restarts it, and checks
// that every batch the server acknowledged became exactly one alert per
// record.
func TestKill9DuringIngest(t *testing.T) {
	if home := os.Getenv("SA_TEST_SERVE_HOME"); home != "" {
		serveChild(home)
		return
	}
	home := t.TempDir()
	if _, err := Init(context.Background(), home, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(home, ConfigFile)
	data, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(data), "listen: 127.0.0.1:8800", "listen: 127.0.0.1:0", 1)), 0o600)
	token := readToken(t, home)

	acked := 0
	for round := 0; round < 3; round++ {
		cmd, addr := startChild(t, home)
		// Send until the kill lands; count the batches answered 202.
		killAt := time.Now().Add(time.Duration(150+round*100) * time.Millisecond)
		for i := 0; ; i++ {
			if time.Now().After(killAt) {
				cmd.Process.Kill()
			}
			body := rootEvent(acked*10) + "\n"
			req, _ := http.NewRequest("POST", "http://"+addr+"/v1/ingest/sample", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				break // the server is gone; an unanswered batch may or may not count
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				acked++
			}
		}
		cmd.Wait()
	}
	// A final clean run processes whatever the journal still holds.
	cmd, _ := startChild(t, home)
	st, err := sqlite.Open(context.Background(), filepath.Join(home, "sa.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, n, _ := st.Depth(context.Background()); n == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	total := 0
	for cursor := ""; ; {
		page, err := st.List(context.Background(), store.ListRequest{Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		total += len(page.Alerts)
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	// Every acknowledged batch made its alert. A batch sent as the kill
	// landed may have been accepted without its answer arriving, so there
	// can be a few more alerts than acknowledgements, never fewer, and never
	// two for one batch (the journal entry ids are unique).
	if total < acked || total > acked+3 {
		t.Errorf("%d alerts for %d acknowledged batches", total, acked)
	}
	t.Logf("%d batches acknowledged across 3 kills, %d alerts", acked, total)
	if acked == 0 {
		t.Error("no batch was acknowledged; the test proved nothing")
	}
}

func readToken(t *testing.T, home string) string {
	t.Helper()
	cfg, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), home, Options{Build: testParts, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.env.Store.Close()
	defer s.env.Plugins.Close()
	v, err := s.env.Secrets.Get(context.Background(), cfg.Sources[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	return v["token"].Reveal()
}

// startChild re-runs the test binary as a server over home and returns it
// with its address.
func startChild(t *testing.T, home string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringIngest$")
	cmd.Env = append(os.Environ(), "SA_TEST_SERVE_HOME="+home)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ADDR="); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, addr
		}
	}
	cmd.Process.Kill()
	t.Fatalf("child server did not start: %v", cmd.Wait())
	return nil, ""
}

func serveChild(home string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	s, err := Open(ctx, home, Options{Build: testParts, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	addr, err := s.Listen()
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("ADDR=%s\n", addr)
	if err := s.Serve(ctx); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func testParts(context.Context, Env) (Parts, error) {
	return Parts{Rules: rootRule{}, DeadLetter: &memDeadLetter{}}, nil
}
