package pluginhost

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/corpus"
	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/plugins/parser/json/jsonparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// installBuilt copies a plugin built from pkg into root and registers it.
func installBuilt(b testing.TB, root, pkg string) {
	b.Helper()
	bin := testbin.Build(b, pkg)
	dir := filepath.Join(root, filepath.Base(bin))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		b.Fatal(err)
	}
	exe := filepath.Join(dir, filepath.Base(bin))
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		b.Fatal(err)
	}
	if _, err := Register(context.Background(), exe, nil, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
}

func benchHost(b *testing.B, pkgs ...string) *Host {
	root := b.TempDir()
	for _, p := range pkgs {
		installBuilt(b, root, p)
	}
	env := DefaultEnv()
	if g := os.Getenv("SA_BENCH_PLUGIN_GOGC"); g != "" {
		env = append(env, "GOGC="+g)
	}
	if p := os.Getenv("SA_BENCH_PLUGIN_CPUPROFILE"); p != "" {
		env = append(env, saplugin.EnvCPUProfile+"="+p)
	}
	h := New(Options{Dirs: []string{root}, Env: env, Logger: slog.New(slog.DiscardHandler)})
	b.Cleanup(h.Close)
	return h
}

// BenchmarkRoundTrip is one small call through the whole host path
// (supervisor, instance check, deadline, masking) and the raw gRPC health
// round trip beneath it, over the mTLS connection.
func BenchmarkRoundTrip(b *testing.B) {
	h := benchHost(b, "host/pluginhost/testdata/faulty")
	h.Configure("output.faulty", "main", func(context.Context) (map[string]any, error) {
		return map[string]any{"token": testToken}, nil
	})
	ctx := context.Background()
	if _, err := h.Send(ctx, "faulty", "main", []byte(`{}`), nil); err != nil {
		b.Fatal(err)
	}
	b.Run("send", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Send(ctx, "faulty", "main", []byte(`{"id":"x"}`), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	s, _ := h.supervisor("output.faulty", "")
	p, _ := s.get(ctx)
	b.Run("ping", func(b *testing.B) {
		for b.Loop() {
			if err := p.conn.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var (
	cloudTrailSchema  = []byte(`{"eventName":"string","eventSource":"string","eventTime":"string","awsRegion":"string","userIdentity":{},"sourceIPAddress":"string","userAgent":"string","requestParameters":{},"responseElements":{},"eventID":"string","eventType":"string","recipientAccountId":"string"}`)
	cloudTrailOptions = []byte(`{"json_path":"Records[*]"}`)
)

// BenchmarkParse compares parsing CloudTrail records through the json parser
// plugin with the same parser linked in, per batch size; "parallel" keeps
// one call in flight per core.
func BenchmarkParse(b *testing.B) {
	h := benchHost(b, "plugins/parser/json")
	inproc := jsonparser.New()
	ctx := context.Background()
	for _, size := range []int{1, 100, 1000} {
		batch := corpus.CloudTrailRecords(size, 1, 42)
		req := saplugin.ParseRequest{LogType: "cloudtrail:events", Schema: cloudTrailSchema, Options: cloudTrailOptions, Records: batch}
		check := func(b *testing.B, res []saplugin.ParseResult, err error) {
			if err != nil || len(res) != size || len(res[0].Candidates) != 1 {
				b.Fatalf("parse: %v (%d results)", err, len(res))
			}
		}
		b.Run(fmt.Sprintf("inprocess/batch=%d", size), func(b *testing.B) {
			for b.Loop() {
				res, err := inproc.Parse(ctx, req)
				check(b, res, err)
			}
			reportRecords(b, size)
		})
		b.Run(fmt.Sprintf("plugin/batch=%d", size), func(b *testing.B) {
			for b.Loop() {
				res, err := h.Parse(ctx, "json", req)
				check(b, res, err)
			}
			reportRecords(b, size)
		})
		b.Run(fmt.Sprintf("plugin-parallel/batch=%d", size), func(b *testing.B) {
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := h.Parse(ctx, "json", req)
					check(b, res, err)
				}
			})
			b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "records/s")
		})
		b.Run(fmt.Sprintf("inprocess-parallel/batch=%d", size), func(b *testing.B) {
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := inproc.Parse(ctx, req)
					check(b, res, err)
				}
			})
			b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "records/s")
		})
	}
}

func reportRecords(b *testing.B, size int) {
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkStart measures starting a Go plugin: checksum, exec, handshake
// over mTLS and the Describe cross-check. It also reports the resident
// memory of the idle plugin process.
func BenchmarkStart(b *testing.B) {
	root := b.TempDir()
	installBuilt(b, root, "plugins/parser/json")
	found, problems := Discover([]string{root})
	if len(problems) > 0 || len(found) != 1 {
		b.Fatal(problems)
	}
	spec := launchSpec{plugin: found[0], env: DefaultEnv(), startTimeout: 30 * time.Second,
		stderr: newRelay(slog.New(slog.DiscardHandler), &Redactor{}), verify: true}
	var rss float64
	for b.Loop() {
		p, err := launch(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if rss == 0 {
			time.Sleep(500 * time.Millisecond)
			rss = residentKB(b, pid(p))
		}
		p.kill(true)
		b.StartTimer()
	}
	b.ReportMetric(rss, "idle-rss-KiB")
}

func residentKB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
