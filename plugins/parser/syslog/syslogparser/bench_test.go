package syslogparser

import (
	"context"
	"fmt"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// BenchmarkParse parses batches of RFC 3164 lines (StreamAlert's pattern)
// and of RFC 5424 lines.
func BenchmarkParse(b *testing.B) {
	lines := map[string]string{
		"rfc3164": "Jan 10 19:35:13 vagrant-ubuntu-precise-32 sshd[13941]: Accepted publickey for mike from 10.0.2.2 port 52100 ssh2",
		"rfc5424": `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com sshd 13941 ID47 [origin@32473 ip="10.0.2.2"] Accepted publickey for mike`,
	}
	for name, line := range lines {
		for _, size := range []int{1, 100, 1000} {
			records := make([][]byte, size)
			for i := range records {
				records[i] = []byte(line)
			}
			b.Run(fmt.Sprintf("%s/batch=%d", name, size), func(b *testing.B) {
				p := New()
				req := saplugin.ParseRequest{Schema: []byte(streamalertSchema), Records: records}
				b.SetBytes(int64(size * len(line)))
				b.ReportAllocs()
				for b.Loop() {
					if res, err := p.Parse(context.Background(), req); err != nil || res[0].Err != "" {
						b.Fatal(err, res[0].Err)
					}
				}
				b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}
