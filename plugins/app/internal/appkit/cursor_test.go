package appkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestCursorOverlapAndSeen(t *testing.T) {
	c := NewCursor(t0, time.Minute)
	if !c.Start().Equal(t0.Add(-time.Minute)) {
		t.Fatalf("start %v", c.Start())
	}
	c.Mark("a", t0.Add(10*time.Second))
	c.Mark("b", t0.Add(20*time.Second))
	c.Advance(t0.Add(20 * time.Second))
	tests := []struct {
		id   string
		at   time.Time
		want Verdict
	}{
		{"a", t0.Add(10 * time.Second), Seen},
		{"b", t0.Add(20 * time.Second), Seen},
		{"c", t0.Add(20 * time.Second), New},                 // same second as b, not yet emitted
		{"late", t0.Add(-30 * time.Second), New},             // late, inside the overlap
		{"too-late", t0.Add(-41 * time.Second), Old},         // below start = bound-60s
		{"a", t0.Add(-time.Hour), Seen},                      // the id decides, not the time
		{"new", t0.Add(5 * time.Minute).In(time.Local), New}, // any zone
		{"edge", t0.Add(20*time.Second - time.Minute), New},  // exactly at start
		{"past-edge", t0.Add(20*time.Second - time.Minute - 1), Old},
	}
	for _, tt := range tests {
		if got := c.Check(tt.id, tt.at); got != tt.want {
			t.Errorf("Check(%s, %v) = %d, want %d", tt.id, tt.at, got, tt.want)
		}
	}
	c.Advance(t0) // never moves back
	if !c.Bound.Equal(t0.Add(20 * time.Second)) {
		t.Errorf("bound moved back to %v", c.Bound)
	}
	c.Advance(t0.Add(90 * time.Second)) // start = +30s: a and b forgotten
	if c.Len() != 0 || c.Check("a", t0.Add(10*time.Second)) != Old {
		t.Errorf("ids below start kept: %d", c.Len())
	}
}

func TestCursorEncodeDecode(t *testing.T) {
	c := NewCursor(t0, time.Minute)
	c.Token, c.Extra = "page-3", json.RawMessage(`{"until":"x"}`)
	for i := range 5 {
		c.Mark(fmt.Sprintf("id-%d-%s", i, strings.Repeat("x", 200)), t0.Add(time.Duration(i%2)*time.Second))
	}
	c.NotBefore = t0.Add(time.Hour)
	b := c.Encode()
	if len(b) > 300 {
		t.Errorf("state of 5 long ids is %d bytes; ids should be stored hashed", len(b))
	}
	back, err := DecodeCursor(b, time.Minute, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Encode(), b) {
		t.Fatalf("round trip changed the state:\n%s\n%s", b, back.Encode())
	}
	if back.Check("id-3-"+strings.Repeat("x", 200), t0) != Seen || back.Token != "page-3" || !back.NotBefore.Equal(c.NotBefore) {
		t.Errorf("decoded cursor lost data: %s", back.Encode())
	}
	first, err := DecodeCursor(nil, time.Minute, t0)
	if err != nil || !first.Bound.Equal(t0) || first.Len() != 0 {
		t.Errorf("empty state: %v %v", first, err)
	}
	for _, bad := range []string{`{`, `{"v":2,"bound":"2026-03-01T12:00:00Z"}`, `{"v":1}`, `{"v":1,"bound":"yesterday"}`,
		`{"v":1,"bound":"2026-03-01T12:00:00Z","seen":{"x":"abc"}}`} {
		if _, err := DecodeCursor([]byte(bad), time.Minute, t0); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCursorCapRaisesFloor(t *testing.T) {
	c := NewCursor(t0, time.Hour)
	c.MaxSeen = 10
	for i := range 30 {
		c.Mark(fmt.Sprint(i), t0.Add(time.Duration(i/3)*time.Second)) // 3 ids per second
	}
	c.Advance(t0.Add(10 * time.Second))
	if c.Len() > 10 || c.Len() < 8 {
		t.Fatalf("%d ids kept, want at most 10 in whole seconds", c.Len())
	}
	if !c.Floor.Equal(t0.Add(7*time.Second)) || !c.Start().Equal(c.Floor) {
		t.Errorf("floor %v start %v, want the oldest second kept (+7s)", c.Floor, c.Start())
	}
	if c.Check("21", t0.Add(7*time.Second)) != Seen || c.Check("20", t0.Add(6*time.Second)) != Old {
		t.Error("the ids kept and dropped disagree with the floor")
	}
}
