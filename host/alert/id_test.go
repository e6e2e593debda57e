package alert

import (
	"regexp"
	"testing"
	"time"
)

var uuidv7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIDFormatAndOrder(t *testing.T) {
	now := time.Now()
	prev := newID(now)
	seen := map[string]bool{prev: true}
	for range 10000 {
		id := newID(now) // the same instant: only the monotonic rule orders them
		if !uuidv7.MatchString(id) {
			t.Fatalf("%q is not a UUIDv7", id)
		}
		if id <= prev || seen[id] {
			t.Fatalf("%q does not sort after %q", id, prev)
		}
		seen[id], prev = true, id
	}
	later := newID(now.Add(2 * time.Millisecond))
	if later <= prev {
		t.Errorf("a later millisecond sorts first: %q <= %q", later, prev)
	}
}

func TestIDTimestamp(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	id := newID(at)
	if got, want := id[:13], "018f3406-9e00"; got != want { // 1714564800000 ms
		t.Errorf("id %s starts %s, want the millisecond timestamp %s", id, got, want)
	}
}

func TestIncrementCarries(t *testing.T) {
	u := [16]byte{0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	increment(&u)
	want := [16]byte{0, 0, 0, 0, 0, 2, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0}
	if u != want {
		t.Errorf("increment = %x, want %x", u, want)
	}
	if !uuidv7.MatchString(format(u)) {
		t.Errorf("%s lost its version or variant", format(u))
	}
}
