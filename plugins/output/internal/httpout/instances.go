package httpout

import (
	"context"
	"sync"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Closer is a built instance holding resources, such as a Sender.
type Closer interface{ Close() }

// Instances keeps one built target per configured instance, so one
// process serves many descriptors (slack:soc, slack:ops) with their own
// clients. It is safe for concurrent use.
type Instances[T Closer] struct {
	// Build checks a configuration and builds its target.
	Build func(schema.Config) (T, error)

	mu sync.RWMutex
	m  map[string]T
}

// Configure builds the instance's target and replaces any previous one.
func (in *Instances[T]) Configure(_ context.Context, instance string, cfg schema.Config) (T, error) {
	t, err := in.Build(cfg)
	if err != nil {
		return t, err
	}
	in.mu.Lock()
	if in.m == nil {
		in.m = map[string]T{}
	}
	old, had := in.m[instance]
	in.m[instance] = t
	in.mu.Unlock()
	if had {
		old.Close()
	}
	return t, nil
}

// Get returns the instance's target, building it from cfg when the
// instance was never configured in this process (a host that sends
// straight after a plugin restart, or a test).
func (in *Instances[T]) Get(instance string, cfg schema.Config) (T, error) {
	in.mu.RLock()
	t, ok := in.m[instance]
	in.mu.RUnlock()
	if ok {
		return t, nil
	}
	return in.Configure(context.Background(), instance, cfg)
}
