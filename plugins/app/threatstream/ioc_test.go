package main

import (
	"strings"
	"testing"
	"time"
)

func TestToIOC(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   intelligence
		want ioc
		err  string
	}{
		{"ip", intelligence{Value: "198.51.100.7", Type: "ip", IType: "c2_ip", Source: "Feed", Expiration: "2026-02-01T00:00:00.000Z"},
			ioc{"198.51.100.7", "ip", "c2_ip", "Feed", 1769904000}, ""},
		{"domain without expiry", intelligence{Value: "bad.example", Type: "domain", IType: "mal_domain", Source: "Feed"},
			ioc{"bad.example", "domain", "mal_domain", "Feed", now.Add(90 * 24 * time.Hour).Unix()}, ""},
		{"md5", intelligence{Value: strings.Repeat("AB", 16), Type: "md5", IType: "mal_md5", Expiration: "2026-02-01T00:00:00Z"},
			ioc{strings.Repeat("ab", 16), "md5", "mal_md5", "", 1769904000}, ""},
		{"sha1 filed as md5", intelligence{Value: strings.Repeat("c", 40), Type: "md5", Expiration: "2026-02-01T00:00:00"},
			ioc{strings.Repeat("c", 40), "sha1", "", "", 1769904000}, ""},
		{"sha256 filed as md5", intelligence{Value: strings.Repeat("d", 64), Type: "md5", Expiration: "2026-02-01 00:00:00"},
			ioc{strings.Repeat("d", 64), "sha256", "", "", 1769904000}, ""},
		{"url", intelligence{Value: "https://phish.example/x", Type: "url", Expiration: "2026-02-01T01:00:00+01:00"},
			ioc{"https://phish.example/x", "url", "", "", 1769904000}, ""},
		{"hash of odd length", intelligence{Value: "abc", Type: "md5"}, ioc{}, "hash of no known length"},
		{"email", intelligence{Value: "a@b.example", Type: "email"}, ioc{}, "not one sa matches"},
		{"empty value", intelligence{Value: " ", Type: "ip"}, ioc{}, "no value"},
		{"bad expiry", intelligence{Value: "1.2.3.4", Type: "ip", Expiration: "tomorrow"}, ioc{}, "expiration_ts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toIOC(tt.in, now)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("toIOC = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSourceMatches(t *testing.T) {
	tests := []struct {
		source  string
		filters []string
		want    bool
	}{
		{"CrowdStrike Intel", []string{"crowdstrike", "@example.com"}, true},
		{"analyst@EXAMPLE.com", []string{"crowdstrike", "@example.com"}, true},
		{"Abuse.ch", []string{"crowdstrike", "@example.com"}, false},
		{"Abuse.ch", nil, true},
	}
	for _, tt := range tests {
		if got := sourceMatches(tt.source, tt.filters); got != tt.want {
			t.Errorf("sourceMatches(%q, %q) = %v", tt.source, tt.filters, got)
		}
	}
}

func TestQuery(t *testing.T) {
	got := query([]string{"domain", "ip"}, []string{"bot_ip", "tor_ip"})
	want := `(status="active") AND (type="domain" OR type="ip") AND NOT (itype="bot_ip" OR itype="tor_ip")`
	if got != want {
		t.Fatalf("query\n%s\nwant\n%s", got, want)
	}
	if got := query([]string{"md5"}, nil); got != `(status="active") AND (type="md5")` {
		t.Fatalf("query without exclusions: %s", got)
	}
}
