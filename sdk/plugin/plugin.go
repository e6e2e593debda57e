// Package plugin is what a plugin author imports to write an sa plugin in
// Go: implement Parser, Output or App, then call ServeParser, ServeOutput or
// ServeApp from main. The package speaks protocol sa.plugin.v1 over
// hashicorp/go-plugin: handshake, version negotiation, mTLS, health and
// shutdown are handled here, and every instance configuration is checked
// against the plugin's schema before the plugin sees it.
//
// The host uses the same package for the client side of the protocol
// (GRPCPlugin and Conn), so both ends agree by construction.
package plugin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Kind is the role a plugin plays in the pipeline.
type Kind string

// The plugin kinds.
const (
	KindParser Kind = "parser"
	KindOutput Kind = "output"
	KindApp    Kind = "app"
)

// Kinds lists every kind, in pipeline order.
var Kinds = []Kind{KindParser, KindOutput, KindApp}

// Info identifies a plugin build.
type Info struct {
	// Name is unique within the kind ("slack").
	Name string
	// Version is the plugin's semantic version without a leading "v".
	Version string
	// Description is one line for listings and prompts.
	Description string
}

// Plugin is the base every plugin implements.
type Plugin interface {
	Info() Info
	// Schema is the configuration schema of the plugin's instances.
	Schema() schema.Schema
}

// Validator is implemented by plugins that check a configuration beyond
// what the schema says (a URL's host, two fields that must agree).
type Validator interface {
	ValidateConfig(cfg schema.Config) []schema.Problem
}

// Configurer is implemented by plugins that prepare something per instance
// (a client, a token). It is called after the configuration passed the
// schema and any Validator; an error rejects the configuration.
type Configurer interface {
	Configure(ctx context.Context, instance string, cfg schema.Config) error
}

// Parser turns raw records into candidate JSON records.
type Parser interface {
	Plugin
	// Parse returns exactly one result per record, in order. An error fails
	// the whole batch and should be kept for faults outside any one record.
	Parse(ctx context.Context, req ParseRequest) ([]ParseResult, error)
}

// ParseRequest is a batch of raw records tried as one schema.
type ParseRequest struct {
	LogType string
	// Schema is the schema's "schema" object, key order preserved.
	Schema json.RawMessage
	// Options is the schema's "configuration" object.
	Options json.RawMessage
	Records [][]byte
}

// ParseResult is the outcome for one raw record.
type ParseResult struct {
	Candidates []Candidate
	// Err says why the record could not be parsed; empty on success.
	Err string
}

// Candidate is one record extracted from a raw record. Record may alias
// the bytes of the request's Records; copy it to keep it past the call.
type Candidate struct {
	Record   json.RawMessage
	Envelope json.RawMessage
	// Err, when set, says why this extracted element was rejected; Record
	// is then empty.
	Err string
}

// Output delivers alerts to one destination service.
type Output interface {
	Plugin
	Send(ctx context.Context, req SendRequest) SendResult
}

// SendRequest is one alert for one configured instance.
type SendRequest struct {
	Instance    string
	Config      schema.Config
	Alert       json.RawMessage
	Publication json.RawMessage
}

// SendStatus classifies a delivery attempt.
type SendStatus int

// The delivery outcomes.
const (
	Delivered SendStatus = iota + 1
	Retryable
	Permanent
)

func (s SendStatus) String() string {
	switch s {
	case Delivered:
		return "delivered"
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	}
	return "unknown"
}

// SendResult is the outcome of a delivery attempt.
type SendResult struct {
	Status  SendStatus
	Message string
	// RetryAfter is the wait the destination asked for, or zero.
	RetryAfter time.Duration
}

// App gathers logs from a source that cannot push them.
type App interface {
	Plugin
	// Gather collects logs from req.State onward and hands them to emit in
	// batches, each with the state to resume from once it is accepted. It
	// stops when the source is drained or req.Budget is spent, and says
	// whether more remains in the last batch. An error from emit means the
	// host went away: stop and return it.
	Gather(ctx context.Context, req GatherRequest, emit func(Batch) error) error
}

// GatherRequest starts one poll of an instance.
type GatherRequest struct {
	Instance string
	Config   schema.Config
	State    []byte
	Budget   time.Duration
}

// Batch is one batch of logs and the checkpoint after it.
type Batch struct {
	Logs  [][]byte
	State []byte
	More  bool
}
