package appkit

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Names of the properties every app instance has.
const (
	PropType      = "type"
	PropTimeout   = "timeout_seconds"
	PropCAFile    = "ca_file"
	PropConnectTo = "connect_to"
	PropOverlap   = "overlap_seconds"
	PropLookback  = "lookback_minutes"
	PropBatchSize = "batch_size"
)

// Bounds of the common settings.
const (
	maxTimeoutSeconds  = 300
	maxOverlapSeconds  = 7 * 24 * 3600
	maxLookbackMinutes = 90 * 24 * 60
	maxBatchSize       = 10000
)

// Defaults are a vendor's defaults for the common properties.
type Defaults struct {
	// Timeout bounds one HTTP call (30s).
	Timeout time.Duration
	// Overlap is how far below its last bound each poll reads again, to
	// collect events the vendor makes visible late (10 minutes).
	Overlap time.Duration
	// Lookback is how far back the first poll of an instance starts (1h).
	Lookback time.Duration
}

func (d Defaults) withDefaults() Defaults {
	if d.Timeout <= 0 {
		d.Timeout = 30 * time.Second
	}
	if d.Overlap <= 0 {
		d.Overlap = 10 * time.Minute
	}
	if d.Lookback <= 0 {
		d.Lookback = time.Hour
	}
	return d
}

// TypeProperty is the required "type" property choosing which of the
// plugin's StreamAlert app types (duo_auth, duo_admin, ...) an instance
// serves. The first type is the example.
func TypeProperty(types ...string) schema.Property {
	quoted := make([]string, len(types))
	for i, t := range types {
		quoted[i] = regexp.QuoteMeta(t)
	}
	return schema.Property{
		Name:        PropType,
		Description: "StreamAlert app type this instance gathers: " + strings.Join(types, ", ") + ".",
		Required:    true,
		Pattern:     strings.Join(quoted, "|"),
		Example:     types[0],
	}
}

// Properties returns the common properties with a vendor's defaults, to
// append to a plugin's own.
func Properties(d Defaults) []schema.Property {
	d = d.withDefaults()
	return []schema.Property{
		{
			Name:        PropTimeout,
			Type:        schema.Integer,
			Description: fmt.Sprintf("Seconds one HTTP request may take, connection to last byte (1-%d).", maxTimeoutSeconds),
			Default:     strconv.Itoa(int(d.Timeout / time.Second)),
		},
		{
			Name: PropOverlap,
			Type: schema.Integer,
			Description: "Seconds below the newest collected event that every poll reads again, so events the vendor " +
				"publishes late (with an older timestamp) are still collected; events already collected are recognised " +
				fmt.Sprintf("by id and not sent twice (1-%d).", maxOverlapSeconds),
			Default: strconv.Itoa(int(d.Overlap / time.Second)),
		},
		{
			Name:        PropLookback,
			Type:        schema.Integer,
			Description: fmt.Sprintf("Minutes before now the first poll of an instance starts from (1-%d).", maxLookbackMinutes),
			Default:     strconv.Itoa(int(d.Lookback / time.Minute)),
		},
		{
			Name:        PropBatchSize,
			Type:        schema.Integer,
			Description: fmt.Sprintf("Most logs handed to the host in one batch, each batch committed with the position after it (1-%d).", maxBatchSize),
			Default:     strconv.Itoa(DefaultBatchLogs),
		},
		{
			Name: PropCAFile,
			Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots, for a " +
				"TLS-inspecting proxy or private endpoint. TLS is always verified.",
			Example: "/etc/sa/ca.pem",
		},
		{
			Name: PropConnectTo,
			Description: "host:port to connect to instead of the vendor API's own address (a private endpoint or a " +
				"test stand-in). Requests, Host header and TLS verification still use the vendor's host name.",
			Example: "10.0.0.5:443",
		},
	}
}

// Settings are the common properties of an instance, parsed.
type Settings struct {
	Type      string
	Timeout   time.Duration
	Overlap   time.Duration
	Lookback  time.Duration
	BatchSize int
	CAFile    string
	ConnectTo string
}

// ParseSettings reads the common properties of cfg. Problems name the
// field and never quote a value.
func ParseSettings(cfg schema.Config) (Settings, []schema.Problem) {
	var problems []schema.Problem
	bad := func(field, msg string) { problems = append(problems, schema.Problem{Field: field, Message: msg}) }
	s := Settings{Type: cfg.String(PropType), CAFile: cfg.String(PropCAFile), ConnectTo: cfg.String(PropConnectTo)}
	if n := cfg.Int(PropTimeout); n < 1 || n > maxTimeoutSeconds {
		bad(PropTimeout, fmt.Sprintf("must be between 1 and %d", maxTimeoutSeconds))
	} else {
		s.Timeout = time.Duration(n) * time.Second
	}
	if n := cfg.Int(PropOverlap); n < 1 || n > maxOverlapSeconds {
		bad(PropOverlap, fmt.Sprintf("must be between 1 and %d", maxOverlapSeconds))
	} else {
		s.Overlap = time.Duration(n) * time.Second
	}
	if n := cfg.Int(PropLookback); n < 1 || n > maxLookbackMinutes {
		bad(PropLookback, fmt.Sprintf("must be between 1 and %d", maxLookbackMinutes))
	} else {
		s.Lookback = time.Duration(n) * time.Minute
	}
	if n := cfg.Int(PropBatchSize); n < 1 || n > maxBatchSize {
		bad(PropBatchSize, fmt.Sprintf("must be between 1 and %d", maxBatchSize))
	} else {
		s.BatchSize = int(n)
	}
	if s.ConnectTo != "" {
		if host, port, err := net.SplitHostPort(s.ConnectTo); err != nil || host == "" || port == "" {
			bad(PropConnectTo, "must be host:port")
		}
	}
	if s.CAFile != "" {
		if _, err := cabundle.RootCAs(s.CAFile); err != nil {
			bad(PropCAFile, err.Error())
		}
	}
	return s, problems
}

// Secrets returns the values of cfg's secret and credential properties,
// for a Client to mask in every message.
func Secrets(sc schema.Schema, cfg schema.Config) []string {
	var out []string
	for _, p := range sc.Properties {
		if (p.Secret || p.Credential) && p.Type == schema.String {
			if v := cfg.String(p.Name); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
