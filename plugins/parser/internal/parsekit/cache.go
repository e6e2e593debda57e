package parsekit

import (
	"strconv"
	"sync"
)

// CacheSize bounds how many compiled schemas a parser keeps. StreamAlert's
// own configuration has 65; the bound only matters to a host that sends
// ever-changing options.
const CacheSize = 1024

// Cache keeps what a parser compiles from a schema and its options (JMESPath
// programs, column lists), keyed by their exact bytes, so each batch costs a
// map lookup. Failures are cached too: a bad schema fails fast every batch.
// It is safe for concurrent use; the host keeps several calls in flight.
type Cache[T any] struct {
	build func(schema, options []byte) (T, error)

	mu      sync.Mutex
	entries map[string]entry[T]
	order   []string // insertion order, for evicting the oldest
}

type entry[T any] struct {
	v   T
	err error
}

// NewCache returns a cache that compiles missing entries with build.
func NewCache[T any](build func(schema, options []byte) (T, error)) *Cache[T] {
	return &Cache[T]{build: build, entries: map[string]entry[T]{}}
}

// Get returns the compiled form of schema and options.
func (c *Cache[T]) Get(schema, options []byte) (T, error) {
	// The length prefix keeps ("ab", "c") and ("a", "bc") apart.
	key := strconv.Itoa(len(schema)) + ":" + string(schema) + string(options)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		return e.v, e.err
	}
	v, err := c.safeBuild(schema, options)
	if len(c.order) >= CacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = entry[T]{v, err}
	c.order = append(c.order, key)
	return v, err
}

// safeBuild turns a panic while compiling (a library's bug on a strange
// expression) into an error: the call runs in a gRPC handler, where a panic
// would take the plugin down.
func (c *Cache[T]) safeBuild(schema, options []byte) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Invalid("cannot compile the schema's options: %v", p)
		}
	}()
	return c.build(schema, options)
}
