package parsekit

import (
	"context"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Plugin is a parser plugin for one format: its Info, no instance
// configuration (a parser's options come with each schema), and Parse
// through a cache of compiled schema options. It is safe for concurrent
// use.
type Plugin[C any] struct {
	info  saplugin.Info
	cache *Cache[C]
	parse func(C) Func
	// schemaBlind formats extract the same whatever the schema says, so
	// schemas with equal options share one compiled entry.
	schemaBlind bool
}

// PluginOptions describe a format.
type PluginOptions[C any] struct {
	Info    saplugin.Info
	Compile func(schema, options []byte) (C, error)
	// Parse returns the function that parses one record with compiled
	// options.
	Parse func(C) Func
	// SchemaBlind says the schema plays no part in what is extracted.
	SchemaBlind bool
}

// NewPlugin returns the parser plugin for a format.
func NewPlugin[C any](o PluginOptions[C]) *Plugin[C] {
	return &Plugin[C]{info: o.Info, cache: NewCache(o.Compile), parse: o.Parse, schemaBlind: o.SchemaBlind}
}

// Info identifies the parser.
func (p *Plugin[C]) Info() saplugin.Info { return p.info }

// Schema is empty: a parser's options come with each schema.
func (p *Plugin[C]) Schema() schema.Schema { return schema.Schema{} }

// Parse parses a batch. A schema or options that cannot be used fail the
// batch with code InvalidArgument; a batch with no records only checks them.
func (p *Plugin[C]) Parse(ctx context.Context, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
	sch := req.Schema
	if p.schemaBlind {
		sch = nil
	}
	c, err := p.cache.Get(sch, req.Options)
	if err != nil {
		return nil, err
	}
	return Run(ctx, req.Records, p.parse(c))
}
