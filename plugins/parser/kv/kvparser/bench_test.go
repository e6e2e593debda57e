package kvparser

import (
	"context"
	"fmt"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// BenchmarkParse parses batches of auditd-style lines.
func BenchmarkParse(b *testing.B) {
	schema := []byte(`{"type": "string", "msg": "string", "pid": "integer", "uid": "integer", "auid": "integer", "ses": "integer", "res": "string"}`)
	line := []byte(`type=USER_LOGIN msg=audit(1364481363.243:24287): pid=3357 uid=0 auid=4294967295 ses=4294967295 res=failed`)
	for _, size := range []int{1, 100, 1000} {
		records := make([][]byte, size)
		for i := range records {
			records[i] = line
		}
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			p := New()
			req := saplugin.ParseRequest{Schema: schema, Records: records}
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
