package config

// The lookup table drivers StreamAlert ships.
const (
	DriverS3        = "s3"
	DriverDynamoDB  = "dynamodb"
	DriverNull      = "null"
	DriverEphemeral = "ephemeral"
	// DriverFile is sa's driver for a local JSON file (gzip or zlib
	// compressed allowed), for tables kept next to the conf.
	DriverFile = "file"
)

// LookupTables is lookup_tables.json. When Enabled is false rules see no
// tables at all (every lookup returns its default), as in StreamAlert.
type LookupTables struct {
	Enabled bool
	Tables  []LookupTable // in file order
}

// LookupTable is one table. Which fields apply depends on Driver; the
// loader refuses a key of another driver.
type LookupTable struct {
	Name   string
	Driver string // s3, dynamodb, file, null or ephemeral
	// CacheRefreshMinutes is how long fetched data is reused: default 10
	// for s3 (the whole object), 3 for dynamodb (per key).
	CacheRefreshMinutes int

	// s3: the whole object is one JSON object of key to value.
	Bucket string
	Key    string
	// Compression means the object is zlib/gzip compressed. StreamAlert
	// tests truthiness, so the loader also takes a non-empty string (such
	// as "gzip") as true.
	Compression bool

	// file: Path is as written; relative paths are from the conf
	// directory.
	Path string

	// dynamodb
	Table                string
	PartitionKey         string
	ValueKey             string
	SortKey              string // optional; the lookup key is then split on KeyDelimiter into two parts
	KeyDelimiter         string // default ":"
	CacheMaximumKeyCount int    // 0 = unlimited
	// ConsistentRead is kept for fidelity; StreamAlert 3.5 reads it but
	// always issues eventually consistent reads.
	ConsistentRead bool
}

// Table returns the table called name.
func (lt LookupTables) Table(name string) (LookupTable, bool) {
	for _, t := range lt.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return LookupTable{}, false
}

func (f *file) decodeLookupTables() LookupTables {
	var lt LookupTables
	if f.root == nil {
		return lt
	}
	f.object(f.root, "", fields{
		"enabled": f.toBool(&lt.Enabled),
		"tables": func(n *node, p jpath) {
			if !f.want(n, p, kindObject) {
				return
			}
			for _, m := range n.members {
				lt.Tables = append(lt.Tables, f.lookupTable(m, p.key(m.key)))
			}
		},
	})
	return lt
}

func (f *file) lookupTable(m member, p jpath) LookupTable {
	t := LookupTable{Name: m.key, CacheRefreshMinutes: -1}
	if !f.want(m.val, p, kindObject) {
		return t
	}
	// The driver decides which keys are allowed, so read it first.
	dn := memberNode(m.val, "driver")
	if dn == nil {
		f.require(m.val, p, "driver")
		return t
	}
	if !f.want(dn, p.key("driver"), kindString) {
		return t
	}
	t.Driver = dn.text
	fs := f.driverFields(&t)
	if fs == nil {
		f.errorf(dn, p.key("driver"), "unknown driver %q (want s3, dynamodb, file, null or ephemeral)", t.Driver)
		return t
	}
	if f.object(m.val, p, fs) {
		f.requireDriverKeys(m.val, p, t.Driver)
	}
	t.applyDefaults()
	return t
}

// driverFields returns the keys a table of t.Driver may have, nil for an
// unknown driver.
func (f *file) driverFields(t *LookupTable) fields {
	fs := fields{
		"driver":                func(*node, jpath) {},
		"cache_refresh_minutes": func(n *node, p jpath) { f.natural(n, p, &t.CacheRefreshMinutes) },
	}
	switch t.Driver {
	case DriverS3:
		fs["bucket"], fs["key"] = f.toStr(&t.Bucket), f.toStr(&t.Key)
		fs["compression"] = func(n *node, p jpath) {
			if n.kind == kindString {
				t.Compression = n.text != ""
				return
			}
			f.toBool(&t.Compression)(n, p)
		}
	case DriverDynamoDB:
		fs["table"], fs["partition_key"] = f.toStr(&t.Table), f.toStr(&t.PartitionKey)
		fs["value_key"], fs["sort_key"] = f.toStr(&t.ValueKey), f.toStr(&t.SortKey)
		fs["key_delimiter"] = f.toStr(&t.KeyDelimiter)
		fs["cache_maximum_key_count"] = func(n *node, p jpath) { f.natural(n, p, &t.CacheMaximumKeyCount) }
		fs["consistent_read"] = f.toBool(&t.ConsistentRead)
	case DriverFile:
		fs["path"] = f.toStr(&t.Path)
	case DriverNull, DriverEphemeral:
	default:
		return nil
	}
	return fs
}

// natural decodes a non-negative integer.
func (f *file) natural(n *node, p jpath, dst *int) {
	var v int
	if f.integer(n, p, &v) {
		if v < 0 {
			f.errorf(n, p, "must not be negative, got %d", v)
			return
		}
		*dst = v
	}
}

func (f *file) requireDriverKeys(n *node, p jpath, driver string) {
	switch driver {
	case DriverS3:
		f.require(n, p, "bucket", "key")
	case DriverDynamoDB:
		f.require(n, p, "table", "partition_key", "value_key")
	case DriverFile:
		f.require(n, p, "path")
	}
}

func (t *LookupTable) applyDefaults() {
	// -1 marks "not in the file": an explicit 0 means no caching.
	if t.CacheRefreshMinutes < 0 {
		t.CacheRefreshMinutes = map[string]int{DriverS3: 10, DriverDynamoDB: 3, DriverFile: 10}[t.Driver]
	}
	if t.Driver == DriverDynamoDB && t.KeyDelimiter == "" {
		t.KeyDelimiter = ":"
	}
}

// memberNode returns the value of key in object n, or nil.
func memberNode(n *node, key string) *node {
	if n.kind != kindObject {
		return nil
	}
	for _, m := range n.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}
