package payload_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/payload"
)

var src = payload.Source{Service: "s3", Resource: "bucket"}

func read(t *testing.T, body bool, data []byte, lim payload.Limits) []string {
	t.Helper()
	var c collect
	fn := payload.ReadObject
	if body {
		fn = payload.ReadBody
	}
	if err := fn(context.Background(), src, bytes.NewReader(data), lim, c.emit); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range c.records() {
		out = append(out, strings.TrimPrefix(r, "s3/bucket: "))
	}
	return out
}

func TestReadObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // S3 object; body is the same unless bodyWant
		body []string
	}{
		{"whole JSON over lines", "{\n  \"Records\": [\n    {\"a\": 1}\n  ]\n}\n",
			[]string{"{\n  \"Records\": [\n    {\"a\": 1}\n  ]\n}"}, nil},
		{"JSON lines", "{\"a\":1}\n\n{\"b\":2}\r\n\"a string\"\n[1]\nnot json\n",
			[]string{`{"a":1}`, `{"b":2}`, `a string`, `[1]`, `not json`}, nil},
		{"raw lines", "Jan 10 19:35:13 host sshd[1]: a\r\n\nJan 10 19:35:14 host sshd[1]: b",
			[]string{"Jan 10 19:35:13 host sshd[1]: a", "Jan 10 19:35:14 host sshd[1]: b"}, nil},
		{"whole JSON string", `"1,2,3"`, []string{"1,2,3"}, nil},
		{"one-line array", `[{"a":1},"x",2]`, []string{`[{"a":1},"x",2]`}, []string{`{"a":1}`, `x`, `2`}},
		{"array over lines", "[\n{\"a\":1},\n{\"b\":2}\n]", []string{"[\n{\"a\":1},\n{\"b\":2}\n]"}, []string{`{"a":1}`, `{"b":2}`}},
		{"arrays as JSON lines", "[1]\n[2]", []string{`[1]`, `[2]`}, nil},
		{"brace that is not JSON", "{ not json\nsecond", []string{"{ not json", "second"}, nil},
		{"empty", "", nil, nil},
		{"blank", "\n\n  \n", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, read(t, false, []byte(tt.in), payload.Limits{}), tt.want...)
			want := tt.body
			if want == nil {
				want = tt.want
			}
			expect(t, read(t, true, []byte(tt.in), payload.Limits{}), want...)
			expect(t, read(t, false, gz(t, tt.in), payload.Limits{}), tt.want...)
		})
	}
}

func TestReadBroken(t *testing.T) {
	full := gz(t, strings.Repeat(`{"line": "some text to compress"}`+"\n", 2000))
	got := read(t, false, full[:len(full)/2], payload.Limits{})
	last := got[len(got)-1]
	if len(got) < 100 || !strings.HasPrefix(last, "FAIL stream broken after line") || !strings.Contains(last, "gzip: truncated data: unexpected EOF") {
		t.Errorf("truncated gzip: %d records, last %q", len(got), last)
	}
	bomb := gz(t, strings.Repeat("0", 4<<20))
	got = read(t, false, bomb, payload.Limits{MaxExpandedBytes: 1 << 20, MaxRecordBytes: 8 << 20})
	if len(got) != 1 || !strings.Contains(got[0], "decompressed data exceeds the size limit of 1048576 bytes") {
		t.Errorf("decompression bomb: %q", got)
	}
	got = read(t, false, []byte("\x1f\x8bnot gzip"), payload.Limits{})
	if len(got) != 1 || !strings.HasPrefix(got[0], "FAIL gzip:") {
		t.Errorf("bad gzip header: %q", got)
	}
	got = read(t, false, []byte(strings.Repeat("x\n", 100)), payload.Limits{MaxObjectBytes: 50})
	if last := got[len(got)-1]; !strings.Contains(last, "input exceeds the size limit of 50 bytes") {
		t.Errorf("object over the limit: %q", last)
	}
}

// TestDeepNesting: a document nested past the decoders' limit is not taken
// apart; it goes on as a raw line, for the parser to refuse with a reason,
// and the lines after it are read.
func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	got := read(t, true, []byte(deep+"\n{\"a\": 1}\n"), payload.Limits{})
	if len(got) != 2 || len(got[0]) != len(deep) || got[1] != `{"a": 1}` {
		t.Errorf("got %d records", len(got))
	}
}

// longLine is a reader of n bytes of 'a', a newline, then tail, made up as
// it is read.
type longLine struct {
	n    int64
	tail *strings.Reader
}

func (l *longLine) Read(p []byte) (int, error) {
	if l.n > 0 {
		k := min(int64(len(p)), l.n)
		for i := range k {
			p[i] = 'a'
		}
		l.n -= k
		return int(k), nil
	}
	if l.n == 0 {
		l.n = -1
		p[0] = '\n'
		return 1, nil
	}
	return l.tail.Read(p)
}

// TestHugeLine streams a 100 MB line: it must become a failure without
// being held in memory, and the record after it must still come through.
func TestHugeLine(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var c collect
	r := &longLine{n: 100 << 20, tail: strings.NewReader("{\"next\": 1}\n")}
	err := payload.ReadBody(context.Background(), src, r, payload.Limits{MaxRecordBytes: 1 << 20, MaxObjectBytes: 1 << 30}, c.emit)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	expect(t, c.records(),
		`s3/bucket: {"next": 1}`,
		"s3/bucket: FAIL line 1 is 104857600 bytes or more, over the 1048576-byte record limit")
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("reading a 100 MB line allocated %d MB", grew>>20)
	}
}

func TestBatches(t *testing.T) {
	var c collect
	data := strings.Repeat("line\n", 25)
	lim := payload.Limits{BatchRecords: 10}
	if err := payload.ReadObject(context.Background(), src, strings.NewReader(data), lim, c.emit); err != nil {
		t.Fatal(err)
	}
	if len(c.batches) != 3 || len(c.batches[2].Records) != 5 {
		t.Errorf("%d batches", len(c.batches))
	}
	stop := io.ErrClosedPipe
	err := payload.ReadObject(context.Background(), src, strings.NewReader(data), lim, func(payload.Batch) error { return stop })
	if err != stop {
		t.Errorf("emit's error not returned: %v", err)
	}
}
