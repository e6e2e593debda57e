package csvparser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// BenchmarkParse parses batches of Aurora audit lines, plain and delivered
// through CloudWatch Logs as cloudwatch:rds_aurora is.
func BenchmarkParse(b *testing.B) {
	line := "1527307908805999,server-name,username,127.0.0.1,19444984,155461944,QUERY,testing,'SELECT id, name FROM users WHERE id = 42',0"
	for _, size := range []int{1, 100, 1000} {
		records := make([][]byte, size)
		n := 0
		for i := range records {
			records[i] = []byte(line)
			n += len(line)
		}
		b.Run(fmt.Sprintf("lines/batch=%d", size), func(b *testing.B) {
			bench(b, `{"quotechar": "'", "escapechar": "\\"}`, records, size, n)
		})
	}
	events := strings.Repeat(`{"id":"1","timestamp":1,"message":"`+line+`"},`, 50)
	doc := []byte(`{"owner":"1","logGroup":"g","logStream":"s","messageType":"DATA_MESSAGE","subscriptionFilters":["f"],"logEvents":[` + events + `{"id":"2","timestamp":2,"message":"` + line + `"}]}`)
	b.Run("cloudwatch-51-events", func(b *testing.B) {
		bench(b, `{"json_path": "logEvents[*].message", "quotechar": "'", "escapechar": "\\",
			"envelope_keys": {"logGroup": "string", "logStream": "string", "messageType": "string", "owner": "string", "subscriptionFilters": []}}`,
			[][]byte{doc}, 51, len(doc))
	})
}

func bench(b *testing.B, opts string, records [][]byte, rows, size int) {
	p := New()
	req := saplugin.ParseRequest{Schema: []byte(aurora), Options: []byte(opts), Records: records}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Parse(context.Background(), req)
		if err != nil || res[0].Err != "" {
			b.Fatal(err, res[0].Err)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(records)*b.N)/secs, "records/s")
	b.ReportMetric(float64(rows*b.N)/secs, "rows/s")
}
