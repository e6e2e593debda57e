package embedded

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/corpus"
)

// benchServer serves a fresh home on real plugins (json parser, file
// output) with the sample rules, and returns its address, token and alert
// file.
func benchServer(b *testing.B) (addr, token, alerts string, srv *Server) {
	plugins := installPlugins(b, "plugins/parser/json", "plugins/output/file")
	ctx, cancel := context.WithCancel(context.Background())
	home := b.TempDir()
	if _, err := Init(ctx, home, InitOptions{PluginDirs: []string{plugins}}); err != nil {
		b.Fatal(err)
	}
	cfgPath := filepath.Join(home, ConfigFile)
	cfg, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(cfg), "listen: 127.0.0.1:8800", "listen: 127.0.0.1:0", 1)), 0o600)
	s, err := Open(ctx, home, Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	addr, err = s.Listen()
	if err != nil {
		b.Fatal(err)
	}
	v, err := s.env.Secrets.Get(ctx, "ingest/sample")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	return addr, v["token"].Reveal(), filepath.Join(home, "alerts.jsonl"), s
}

func post(b *testing.B, addr, token string, body []byte) {
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/ingest/sample", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b.Fatalf("ingest: %s", resp.Status)
	}
}

// BenchmarkServeThroughput sends CloudTrail records in batches of 500 and
// measures, from the first request to the last alert delivered, records/s
// and alerts/s through the whole pipeline, and the server's peak memory.
func BenchmarkServeThroughput(b *testing.B) {
	addr, token, alerts, srv := benchServer(b)
	const batch = 500
	records := corpus.CloudTrailRecords(batch*8, 1, 7)
	bodies := make([][]byte, 8)
	for i := range bodies {
		bodies[i] = append(bytes.Join(records[i*batch:(i+1)*batch], []byte("\n")), '\n')
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		post(b, addr, token, bodies[i%len(bodies)])
	}
	sent := b.N * batch
	posted := time.Since(start)
	ctx := context.Background()
	var stored time.Duration
	for {
		_, n, _ := srv.env.Store.Depth(ctx)
		p, _ := srv.env.Store.PendingDeliveries(ctx)
		if n == 0 && stored == 0 {
			stored = time.Since(start)
		}
		if n == 0 && p == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(sent)/posted.Seconds(), "ingested-records/s")
	b.ReportMetric(float64(sent)/stored.Seconds(), "stored-records/s")
	b.StopTimer()
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(countLines(alerts))/elapsed.Seconds(), "alerts/s")
	b.ReportMetric(peakRSSMiB(b), "peak-rss-MiB")
}

// BenchmarkServeLatency sends one alerting record at a time and measures
// the time from the request to the alert's delivery by the output plugin.
func BenchmarkServeLatency(b *testing.B) {
	addr, token, alerts, _ := benchServer(b)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		before := countLines(alerts)
		start := time.Now()
		post(b, addr, token, []byte(rootEvent(i)+"\n"))
		for countLines(alerts) == before {
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// peakRSSMiB is this process's peak resident memory: the server, with the
// benchmark's own small share.
func peakRSSMiB(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
