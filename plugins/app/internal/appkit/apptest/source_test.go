package apptest

import (
	"testing"
	"time"
)

func TestSourceLateEventsAndOrder(t *testing.T) {
	s := NewSource(SourceOptions{Seed: 3, Skew: 2 * time.Second, LateRatio: 0.5, ClockOffset: -time.Minute, Granularity: time.Second})
	before := time.Now()
	s.Generate(200)
	s.Tick()
	events := s.Visible()
	if len(events) < 200 || events[0].ID != "ev-000001" || events[199].Seq != 200 {
		t.Fatalf("%d events, first %+v", len(events), events[0])
	}
	late := 0
	for _, e := range events {
		vendorNow := e.Arrived.Add(-time.Minute)
		if e.Time.After(vendorNow) || e.Time.Before(vendorNow.Add(-3*time.Second)) || e.Time.Nanosecond() != 0 {
			t.Fatalf("event %s at %v, arrived %v (vendor %v): outside the skew or not whole seconds", e.ID, e.Time, e.Arrived, vendorNow)
		}
		if e.Arrived.Before(before) || !e.Stored.Equal(vendorNow) {
			t.Fatalf("event %s: arrived %v, stored %v", e.ID, e.Arrived, e.Stored)
		}
		if e.Late {
			late++
		}
	}
	if late < 60 || late > 140 {
		t.Errorf("%d late events of 200 at ratio 0.5", late)
	}
	sorted := ByTime(events)
	for i := 1; i < len(sorted); i++ {
		if a, b := sorted[i-1], sorted[i]; a.Time.After(b.Time) || a.Time.Equal(b.Time) && a.Seq > b.Seq {
			t.Fatalf("ByTime out of order at %d", i)
		}
	}
	if nf := NewestFirst(events); !nf[0].Time.Equal(sorted[len(sorted)-1].Time) {
		t.Error("NewestFirst does not start with the newest")
	}
	s.Stop()
	s.Generate(5)
	s.Tick()
	if s.Len() != len(events) {
		t.Error("events arrived after Stop")
	}
}
