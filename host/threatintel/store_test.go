package threatintel

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/rules"
)

func newStore(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStringSet(t *testing.T) {
	s := newStringSet()
	for i := range 10000 {
		if added, err := s.add(fmt.Sprint("v", i)); !added || err != nil {
			t.Fatalf("add %d: %v %v", i, added, err)
		}
	}
	if added, _ := s.add("v42"); added {
		t.Error("a duplicate was added")
	}
	for i := range 10000 {
		if !s.contains(fmt.Sprint("v", i)) {
			t.Fatalf("v%d lost", i)
		}
	}
	if s.contains("v10000") || s.contains("") || s.len() != 10000 {
		t.Errorf("len %d", s.len())
	}
}

func TestContains(t *testing.T) {
	s := newStore(t, Config{Excluded: map[string][]string{IP: {"10.0.0.0/8", "192.168.1.1"}, Domain: {"Example.COM"}}})
	for _, ioc := range []IOC{
		{Value: "1.2.3.4", Type: IP}, {Value: "10.1.1.1", Type: IP}, {Value: "192.168.1.1", Type: IP},
		{Value: "2001:DB8::1", Type: IP}, {Value: "Evil.COM.", Type: Domain}, {Value: "example.com", Type: Domain},
		{Value: "D41D8CD98F00B204E9800998ECF8427E", Type: MD5}, {Value: "http://x/y", Type: URL},
	} {
		if err := s.Add(ioc.Type, ioc.Value); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		typ, v string
		want   bool
	}{
		{IP, "1.2.3.4", true}, {IP, "::ffff:1.2.3.4", true}, {IP, "10.1.1.1", false}, {IP, "192.168.1.1", false},
		{IP, "2001:db8:0::1", true}, {IP, "1.2.3.5", false}, {IP, "not-ip", false}, {IP, "::1", false},
		{Domain, "evil.com", true}, {Domain, "EVIL.com.", true}, {Domain, "example.com", false},
		{MD5, "d41d8cd98f00b204e9800998ecf8427e", true}, {URL, "http://x/y", true}, {URL, "HTTP://x/y", false},
		{SHA1, "x", false}, {"bogus", "x", false},
	} {
		if got := s.Contains(c.typ, c.v); got != c.want {
			t.Errorf("Contains(%s, %s) = %v, want %v", c.typ, c.v, got, c.want)
		}
	}
	if err := s.Add(IP, "bad"); err == nil {
		t.Error("an invalid IP was stored")
	}
	if _, err := New(Config{NormalizedTypes: map[string][]string{"bogus": {"x"}}}); err == nil {
		t.Error("an unknown IOC type was accepted")
	}
}

func TestMatchRecord(t *testing.T) {
	s := newStore(t, Config{
		NormalizedTypes: map[string][]string{IP: {"sourceAddress", "ip_address"}, Domain: {"destinationDomain"}},
		Excluded:        map[string][]string{IP: {"10.0.0.0/8"}},
	})
	for _, v := range []string{"1.2.3.4", "5.6.7.8", "10.0.0.1"} {
		s.Add(IP, v)
	}
	s.Add(Domain, "evil.com")
	rec, err := rules.DecodeObject([]byte(`{
		"streamalert_normalization": {"ip_address": [{"values": ["5.6.7.8", "9.9.9.9"], "function": null}],
		                              "streamalert_record_id": "r"},
		"streamalert:normalization": {"sourceAddress": ["1.2.3.4", "10.0.0.1", "5.6.7.8"], "destinationDomain": ["EVIL.com"],
		                              "fileHash": ["abc"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got := s.MatchRecord(rec)
	if !slices.Equal(got[IP], []string{"1.2.3.4", "5.6.7.8"}) || !slices.Equal(got[Domain], []string{"evil.com"}) || len(got) != 2 {
		t.Errorf("matches = %v", got)
	}
	if m := s.MatchRecord(map[string]any{"a": 1}); m != nil {
		t.Errorf("a record without normalization matched %v", m)
	}
}

func TestLoad(t *testing.T) {
	s := newStore(t, DefaultConfig())
	n, err := s.LoadJSON(strings.NewReader(`[{"ioc_value": "1.2.3.4", "ioc_type": "ip", "sub_type": "mal_ip"},
		{"ioc_value": "evil.com", "ioc_type": "domain"}]`))
	if err != nil || n != 2 {
		t.Fatalf("array: %d %v", n, err)
	}
	n, err = s.LoadJSON(strings.NewReader("{\"ioc_value\": \"abc\", \"ioc_type\": \"md5\"}\n{\"ioc_value\": \"def\", \"ioc_type\": \"md5\"}\n"))
	if err != nil || n != 2 {
		t.Fatalf("lines: %d %v", n, err)
	}
	n, err = s.LoadList(strings.NewReader("# feed\n8.8.8.8\n\n9.9.9.9\n"), IP)
	if err != nil || n != 2 || s.Len() != 6 {
		t.Fatalf("list: %d %v len %d", n, err, s.Len())
	}
	if _, err := s.LoadList(strings.NewReader("8.8.8.8\nnope\n"), IP); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad list line: %v", err)
	}
	if _, err := s.LoadJSON(strings.NewReader(`[{"ioc_value": "x", "ioc_type": "nope"}]`)); err == nil {
		t.Error("unknown type accepted")
	}
	future, past := time.Now().Add(time.Hour).Unix(), time.Now().Add(-time.Second).Unix()
	n, err = s.LoadJSON(strings.NewReader(fmt.Sprintf(`[{"ioc_value": "fresh.example", "ioc_type": "domain", "expiration_ts": %d},
		{"ioc_value": "stale.example", "ioc_type": "domain", "expiration_ts": %d}]`, future, past)))
	if err != nil || n != 2 {
		t.Fatalf("expiring: %d %v", n, err)
	}
	if !s.Contains(Domain, "fresh.example") || s.Contains(Domain, "stale.example") {
		t.Errorf("fresh kept %v, stale kept %v; want true, false", s.Contains(Domain, "fresh.example"), s.Contains(Domain, "stale.example"))
	}
}

// BenchmarkLookup measures lookups in a store of two million IOCs, hits
// and misses alternating.
func BenchmarkLookup(b *testing.B) {
	s := newStore(b, DefaultConfig())
	const n = 2_000_000
	for i := range n {
		s.Add(IP, fmt.Sprintf("%d.%d.%d.%d", 1+i>>24&0x7f, i>>16&0xff, i>>8&0xff, i&0xff))
		if i%2 == 0 {
			s.Add(Domain, fmt.Sprintf("host-%d.example.net", i))
		}
	}
	probes := make([]string, 1024)
	for i := range probes {
		j := i * 1931
		if i%2 == 0 {
			probes[i] = fmt.Sprintf("host-%d.example.net", j*2%n)
		} else {
			probes[i] = fmt.Sprintf("host-%d.example.org", j)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; b.Loop(); i++ {
		if s.Contains(Domain, probes[i%len(probes)]) {
			hits++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	if hits == 0 {
		b.Fatal("no hits")
	}
}

// BenchmarkMatchRecord measures annotating a record with three
// normalized IP values against two million IOCs.
func BenchmarkMatchRecord(b *testing.B) {
	s := newStore(b, DefaultConfig())
	for i := range 2_000_000 {
		s.Add(IP, fmt.Sprintf("%d.%d.%d.%d", 1+i>>24&0x7f, i>>16&0xff, i>>8&0xff, i&0xff))
	}
	rec, _ := rules.DecodeObject([]byte(`{"streamalert:normalization": {"sourceAddress": ["1.0.0.7", "200.1.1.1"], "destinationAddress": ["1.0.3.1"]}}`))
	b.ReportAllocs()
	for b.Loop() {
		if len(s.MatchRecord(rec)[IP]) != 2 {
			b.Fatal("want 2 hits")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
