package lookup

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/streamalert-go/sa/host/config"
)

// Driver builds the driver of one configured table: a Table with Loader
// or Fetcher set (Name, Refresh and MaxKeys are filled in by FromConfig).
type Driver func(config.LookupTable) (Table, error)

// Drivers maps a driver name of lookup_tables.json to its builder. The
// s3 and dynamodb drivers are in package awslookup, the file driver is
// FileDriver; FromConfig provides "null" and "ephemeral" itself.
type Drivers map[string]Driver

// FromConfig builds the tables of lookup_tables.json. Disabled lookup
// tables mean no tables at all, as in StreamAlert. A table whose driver
// is missing or fails to build is returned with Err set, so New reports
// it by name and rules get their defaults.
func FromConfig(c config.LookupTables, drivers Drivers) []Table {
	if !c.Enabled {
		return nil
	}
	out := make([]Table, 0, len(c.Tables))
	for _, ct := range c.Tables {
		tb, err := build(ct, drivers)
		tb.Name = ct.Name
		tb.Refresh = time.Duration(ct.CacheRefreshMinutes) * time.Minute
		tb.MaxKeys = ct.CacheMaximumKeyCount
		if err != nil {
			tb = Table{Name: ct.Name, Err: err}
		}
		out = append(out, tb)
	}
	return out
}

func build(ct config.LookupTable, drivers Drivers) (Table, error) {
	switch ct.Driver {
	case config.DriverNull, config.DriverEphemeral:
		// Both start empty; the ephemeral driver's contents come from
		// rule tests' fixtures.
		return Table{Loader: Static{}}, nil
	}
	d, ok := drivers[ct.Driver]
	if !ok {
		return Table{}, fmt.Errorf("lookup: driver %q is not available in this runtime", ct.Driver)
	}
	tb, err := d(ct)
	if err != nil {
		return Table{}, fmt.Errorf("lookup: %s driver: %w", ct.Driver, err)
	}
	return tb, nil
}

// FileDriver is the driver of sa's file tables: the file at the table's
// path, relative to dir (the conf directory) unless absolute.
func FileDriver(dir string) Driver {
	return func(t config.LookupTable) (Table, error) {
		p := t.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return Table{Loader: File{Path: p}}, nil
	}
}
