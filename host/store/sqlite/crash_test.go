package sqlite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// The crash test runs this file's test binary again as a child that writes
// alerts as fast as it can and reports each write that returned; the parent
// kills it with SIGKILL mid-stream and checks the file. Environment:
const (
	crashDB         = "SA_STORE_CRASH_DB"         // the child's database
	crashStart      = "SA_STORE_CRASH_START"      // the child's first batch number
	crashDurability = "SA_STORE_CRASH_DURABILITY" // "full" or "normal"
)

// crashAlert is the deterministic content of alert k of batch n, so the
// parent can check what it finds without the child telling it.
func crashAlert(n, k int) alert.Params {
	return alert.Params{RuleName: "crash", Record: json.RawMessage(fmt.Sprintf(`{"n":%d,"k":%d,"pad":%q}`, n, k, strings.Repeat("x", 300))),
		Outputs: []string{"slack:soc"}}
}

// TestCrashChild is the child. Even batches are one Insert of one alert; odd
// batches are WithTx: three alerts plus the checkpoint n, which must commit
// together. After each call returns it prints "ok n id...".
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashDB)
	if path == "" {
		t.Skip("only run by TestCrashKill9")
	}
	opts := Options{}
	if os.Getenv(crashDurability) == "normal" {
		opts.Durability = Normal
	}
	s, err := Open(ctx, path, opts)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	start, _ := strconv.Atoi(os.Getenv(crashStart))
	deadline := time.Now().Add(time.Minute) // never outlive a parent that died
	for n := start; time.Now().Before(deadline); n++ {
		var ids []string
		if n%2 == 0 {
			a, _ := alert.New(crashAlert(n, 0))
			err, ids = s.Insert(ctx, a), []string{a.ID}
		} else {
			err = s.WithTx(ctx, func(tx store.Tx) error {
				for k := range 3 {
					a, _ := alert.New(crashAlert(n, k))
					ids = append(ids, a.ID)
					if err := tx.Insert(ctx, a); err != nil {
						return err
					}
				}
				return tx.PutState(ctx, "checkpoint", []byte(strconv.Itoa(n)))
			})
		}
		if err != nil {
			fmt.Println("write:", err)
			os.Exit(2)
		}
		fmt.Println("ok", n, strings.Join(ids, " "))
	}
}

func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, durability := range []string{"full", "normal"} {
		t.Run(durability, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "alerts.db")
			reported := map[string]int{} // id -> batch, for every write that returned
			lastCheckpoint := -1
			for round := range 3 {
				start := round * 1_000_000
				got, last := runAndKill(t, path, durability, start, 20+rand.IntN(150))
				for id, n := range got {
					reported[id] = n
				}
				lastCheckpoint = max(lastCheckpoint, last)
				checkAfterCrash(t, path, reported, lastCheckpoint)
			}
		})
	}
}

// runAndKill starts the child, SIGKILLs it after it reported `after`
// writes, and returns every write it reported (ids → batch) and the last
// checkpoint among them.
func runAndKill(t *testing.T, path, durability string, start, after int) (map[string]int, int) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDB+"="+path, crashStart+"="+strconv.Itoa(start), crashDurability+"="+durability)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got, last, lines := map[string]int{}, -1, 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != "ok" {
			t.Errorf("child: %s", sc.Text())
			continue
		}
		n, _ := strconv.Atoi(f[1])
		for _, id := range f[2:] {
			got[id] = n
		}
		if n%2 == 1 {
			last = n
		}
		if lines++; lines == after {
			cmd.Process.Kill() // SIGKILL: no deferred code, no flush, no close
		}
	}
	// Lines already in the pipe when the kill landed are still read above.
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child ended with %v, want killed (it reported %d writes)", err, lines)
	}
	return got, last
}

// checkAfterCrash reopens the file and checks that every reported write is
// there and intact, that batches are whole, and that the checkpoint
// matches the alerts committed with it.
func checkAfterCrash(t *testing.T, path string, reported map[string]int, lastCheckpoint int) {
	t.Helper()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	var ok string
	if err := s.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	for id, n := range reported {
		a, err := s.Get(ctx, id)
		if err != nil {
			t.Fatalf("alert %s of batch %d returned before the kill but is gone: %v", id, n, err)
		}
		var rec struct{ N, K int }
		json.Unmarshal(a.Record, &rec)
		want := crashAlert(n, rec.K)
		if rec.N != n || string(a.Record) != string(want.Record) || a.RuleName != "crash" || len(a.Deliveries) != 1 {
			t.Fatalf("alert %s is not intact: %s", id, a.Record)
		}
	}
	batches := map[int]int{}
	rows, err := s.w.QueryContext(ctx, `SELECT json_extract(body, '$.record.n'), count(*) FROM alerts GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, c int
		rows.Scan(&n, &c)
		batches[n] = c
	}
	rows.Close()
	v, found, err := s.GetState(ctx, "checkpoint")
	cp, _ := strconv.Atoi(string(v))
	if err != nil || !found || cp < lastCheckpoint {
		t.Fatalf("checkpoint = %q (%v, %v), want at least %d", v, found, err, lastCheckpoint)
	}
	for n, c := range batches {
		if want := 1 + 2*(n%2); c != want {
			t.Errorf("batch %d has %d alerts, want %d: a transaction was split", n, c, want)
		}
		if n%2 == 1 && n > cp {
			t.Errorf("batch %d is stored but the checkpoint is %d: alerts committed without their checkpoint", n, cp)
		}
	}
	if batches[cp] != 3 {
		t.Errorf("checkpoint %d committed without its batch", cp)
	}
}
