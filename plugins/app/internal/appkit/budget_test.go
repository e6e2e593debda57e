package appkit

import (
	"context"
	"testing"
	"time"
)

func TestBudgetReserve(t *testing.T) {
	base := time.Unix(1700000000, 0)
	tests := []struct {
		total, want time.Duration
	}{
		{time.Second, 900 * time.Millisecond},
		{100 * time.Millisecond, 50 * time.Millisecond},
		{5 * time.Minute, 5*time.Minute - 5*time.Second},
	}
	for _, tt := range tests {
		b := newBudgetAt(func() time.Time { return base }, tt.total)
		if got := b.Deadline().Sub(base); got != tt.want {
			t.Errorf("budget %s: deadline after %s, want %s", tt.total, got, tt.want)
		}
	}
}

func TestBudgetAnother(t *testing.T) {
	now := time.Unix(1700000000, 0)
	b := newBudgetAt(func() time.Time { return now }, 10*time.Second) // deadline +9s
	if !b.Another() || !b.Fits(9*time.Second) || b.Fits(9*time.Second+1) {
		t.Fatal("fresh budget")
	}
	b.Observe(5 * time.Second)
	if !b.Another() {
		t.Error("9s left, slowest call 5s: 7.5s fits")
	}
	b.Observe(7 * time.Second)
	if b.Another() {
		t.Error("9s left, slowest call 7s: 10.5s does not fit")
	}
	now = now.Add(20 * time.Second)
	if b.Remaining() != 0 || b.Fits(0) {
		t.Errorf("past the deadline: remaining %s", b.Remaining())
	}
}

func TestBudgetContext(t *testing.T) {
	b := NewBudget(time.Second)
	ctx, cancel := b.Context(context.Background())
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || !d.Equal(b.Deadline()) {
		t.Fatalf("deadline %v %v, want %v", d, ok, b.Deadline())
	}
}
