package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// loadSchemas reads the schemas in StreamAlert's precedence: a logs.json,
// if present, wins over schemas/ and keeps its file order (StreamAlert
// sorts by priority only when it merges schemas/); otherwise schemas/*.json
// in file name order, then file order, sorted by priority.
func (l *loader) loadSchemas() {
	names := l.jsonFiles("schemas", false)
	if f := l.read("logs.json", false); f != nil {
		l.cfg.LegacyLogsJSON = true
		l.cfg.Schemas = f.decodeSchemaFile()
		if len(names) > 0 {
			l.fileProblem("schemas/", SeverityWarning, "ignored because logs.json exists, as in StreamAlert; remove one of them")
		}
		for _, s := range l.cfg.Schemas {
			if s.Options.Priority != nil {
				f.report(SeverityWarning, s.at, jpath("").key(string(s.Name)),
					"configuration.priority is ignored in logs.json: StreamAlert orders by priority only schemas/*.json, so logs.json keeps its file order")
			}
		}
		return
	}
	if len(names) == 0 {
		l.fileProblem("schemas/", SeverityError, "no schemas: want schemas/*.json or logs.json")
		return
	}
	seen := map[LogType]string{}
	for _, name := range names {
		f := l.read(name, true)
		if f == nil {
			continue
		}
		for _, s := range f.decodeSchemaFile() {
			// StreamAlert lets the file it happens to read last win, with a
			// warning; which one that is depends on directory order, so sa
			// refuses the ambiguity.
			if prev, dup := seen[s.Name]; dup {
				f.report(SeverityError, s.at, jpath("").key(string(s.Name)), "log type already defined in %s", prev)
				continue
			}
			seen[s.Name] = name
			l.cfg.Schemas = append(l.cfg.Schemas, s)
		}
	}
	sortSchemas(l.cfg.Schemas)
}

// sortSchemas reproduces StreamAlert's SchemaSorter: the sort key is the
// schema's priority (0 first), or, for a schema without one (or with -1),
// the highest priority seen so far in input order, starting at -1; the
// sort is stable. So an unprioritized schema read before any prioritized
// one sorts ahead of priority 0, and one read after priority 5 ties with
// it. StreamAlert's docs say unprioritized schemas go last; its code does
// this, and classification must match the code.
func sortSchemas(ss []*Schema) {
	key := make(map[*Schema]int, len(ss))
	highest := -1
	for _, s := range ss {
		v := -1
		if s.Options.Priority != nil {
			v = *s.Options.Priority
		}
		highest = max(highest, v)
		if v == -1 {
			v = highest
		}
		key[s] = v
	}
	slices.SortStableFunc(ss, func(a, b *Schema) int { return cmp.Compare(key[a], key[b]) })
}

// ErrUnknownSource is returned (wrapped) by SchemasForSource for a service
// or resource no cluster lists.
var ErrUnknownSource = errors.New("unknown source")

type source struct{ service, resource string }

type sourceEntry struct {
	cluster *Cluster
	types   []LogType
}

// index builds the lookups; called once the load succeeded.
func (c *Config) index() {
	c.byName = make(map[LogType]*Schema, len(c.Schemas))
	for _, s := range c.Schemas {
		c.byName[s.Name] = s
	}
	c.sources = map[source]sourceEntry{}
	for _, cl := range c.Clusters {
		for svc, resources := range cl.DataSources {
			for res, logs := range resources {
				c.sources[source{svc, res}] = sourceEntry{cluster: cl, types: c.candidates(logs)}
			}
		}
	}
}

// candidates selects the schemas a data_sources list allows, in Schemas
// order; the order of the list itself does not matter. A family entry
// ("cloudwatch") selects all its log types. A full log type entry
// ("cloudwatch:events") selects that one: StreamAlert 3.5 compares only
// families, so there such an entry selected nothing, which cannot have
// been meant (the loader warns about it).
func (c *Config) candidates(logs []string) []LogType {
	var out []LogType
	for _, s := range c.Schemas {
		if slices.Contains(logs, s.Name.Family()) || slices.Contains(logs, string(s.Name)) {
			out = append(out, s.Name)
		}
	}
	return out
}

// SchemasForSource returns the log types a record from resource (a stream,
// bucket, topic or app function name) of service may be, in the order the
// classifier must try them: the first schema that accepts a record claims
// it. The slice is the caller's.
func (c *Config) SchemasForSource(service, resource string) ([]LogType, error) {
	e, ok := c.sources[source{service, resource}]
	if !ok {
		return nil, fmt.Errorf("config: %w: no cluster lists %s resource %q in its data_sources", ErrUnknownSource, service, resource)
	}
	return slices.Clone(e.types), nil
}

// ClusterOf returns the cluster whose data_sources list resource of
// service; resource names are unique across clusters.
func (c *Config) ClusterOf(service, resource string) (*Cluster, bool) {
	e, ok := c.sources[source{service, resource}]
	return e.cluster, ok
}

// Schema returns the schema of the log type name.
func (c *Config) Schema(name LogType) (*Schema, bool) {
	s, ok := c.byName[name]
	return s, ok
}
