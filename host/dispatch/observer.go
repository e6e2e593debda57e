package dispatch

import "time"

// Status is how an attempt at a pair ended, for metrics.
type Status string

// The statuses an Observer sees.
const (
	// Delivered: the output acknowledged the alert.
	Delivered Status = "delivered"
	// Retrying: the attempt failed and the pair will be tried again.
	Retrying Status = "retry"
	// Failed: the pair was given up on (a permanent refusal, a
	// configuration error, a publisher error).
	Failed Status = "failed"
	// Deferred: the pair was handed back unsent, its output being busy or
	// sa shutting down.
	Deferred Status = "deferred"
)

// Observer is told the result of every attempt, so the runtime can count
// them (Prometheus in `sa serve`, CloudWatch on AWS). Latency is the time
// the plugin took, zero when no send was made. It is called from many
// goroutines and must not block.
type Observer interface {
	OnResult(output string, status Status, latency time.Duration)
}

type nopObserver struct{}

func (nopObserver) OnResult(string, Status, time.Duration) {}
