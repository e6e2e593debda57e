package classify

import (
	"context"
	"errors"
	"fmt"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/plugins/parser/csv/csvparser"
	"github.com/streamalert-go/sa/plugins/parser/json/jsonparser"
	"github.com/streamalert-go/sa/plugins/parser/kv/kvparser"
	"github.com/streamalert-go/sa/plugins/parser/syslog/syslogparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Parsers parses batches of raw records with the parser a schema names.
// *pluginhost.Host satisfies it by calling parser plugins; Builtin links
// the four standard parsers into the process; Fallback combines the two.
//
// Parse must return exactly one result per record. An error fails the
// batch: the classifier gives up on the batch when pluginhost.Transient
// says the error may pass (the caller retries the whole batch later), and
// otherwise records the error as the reason the schema did not match each
// record of the batch and goes on with the next schema.
type Parsers interface {
	Parse(ctx context.Context, parser string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error)
}

// ErrNoParser is wrapped by Builtin for a parser it does not link in.
var ErrNoParser = errors.New("no such built-in parser")

type builtin map[string]saplugin.Parser

// Builtin returns the json, csv, kv and syslog parsers linked into the
// process: the same code as their plugins, without a process boundary.
func Builtin() Parsers {
	return builtin{
		config.ParserJSON:   jsonparser.New(),
		config.ParserCSV:    csvparser.New(),
		config.ParserKV:     kvparser.New(),
		config.ParserSyslog: syslogparser.New(),
	}
}

func (b builtin) Parse(ctx context.Context, parser string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
	p, ok := b[parser]
	if !ok {
		return nil, fmt.Errorf("parser %q: %w (install the parser plugin parser.%s)", parser, ErrNoParser, parser)
	}
	return p.Parse(ctx, req)
}

type fallback struct{ primary, secondary Parsers }

// Fallback returns Parsers that asks primary (the plugin host) and, when
// primary has no such parser installed, secondary (Builtin). So an
// installed parser plugin, for instance a newer json parser, takes
// precedence, and a fresh installation still classifies with the built-in
// parsers.
func Fallback(primary, secondary Parsers) Parsers {
	return fallback{primary, secondary}
}

func (f fallback) Parse(ctx context.Context, parser string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
	res, err := f.primary.Parse(ctx, parser, req)
	if errors.Is(err, pluginhost.ErrNotInstalled) {
		return f.secondary.Parse(ctx, parser, req)
	}
	return res, err
}

var (
	_ Parsers = builtin{}
	_ Parsers = fallback{}
	_ Parsers = (*pluginhost.Host)(nil)
)
