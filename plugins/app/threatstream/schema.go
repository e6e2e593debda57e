package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration: StreamAlert's credential
// names (api_user, api_key) and downloader settings.
const (
	propUser     = "api_user"
	propKey      = "api_key"
	propTypes    = "ioc_types"
	propExcluded = "excluded_sub_types"
	propFilters  = "ioc_filters"
)

// appType names what this plugin serves: StreamAlert's downloader.
const appType = "threat_intel_downloader"

// defaults of the transport properties; overlap and lookback do not apply
// to an indicator feed, whose cursor is ThreatStream's update_id.
var defaults = appkit.Defaults{Timeout: 60 * time.Second}

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty(appType),
	{
		Name:        propUser,
		Description: "ThreatStream user name (usually an email address) the API key belongs to.",
		Required:    true,
		Credential:  true,
		Pattern:     `[^\s:]+`,
		Example:     "analyst@example.com",
	},
	{
		Name:        propKey,
		Description: "ThreatStream API key of that user.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[A-Za-z0-9]{16,128}`,
		Example:     "0123456789abcdef0123456789abcdef01234567",
	},
	{
		Name:        propTypes,
		Type:        schema.StringList,
		Description: "ThreatStream indicator types to download: ip, domain, md5 (every file hash) and url.",
		Default:     "domain,ip,md5",
		Pattern:     "ip|domain|md5|url",
	},
	{
		Name:        propExcluded,
		Type:        schema.StringList,
		Description: "Indicator subtypes (ThreatStream itypes) not to download.",
		Default:     "bot_ip,brute_ip,scan_ip,spam_ip,tor_ip",
		Pattern:     `[a-z0-9_]+`,
	},
	{
		Name: propFilters,
		Type: schema.StringList,
		Description: "Keep only indicators whose source contains one of these strings (case ignored), for " +
			"example crowdstrike or @example.com; empty keeps every source.",
		Pattern: `[^,]+`,
	},
}, transportProperties()...)}

// transportProperties are appkit's common properties without overlap and
// lookback, which Gather is given fixed values for.
func transportProperties() []schema.Property {
	var out []schema.Property
	for _, p := range appkit.Properties(defaults) {
		if p.Name != appkit.PropOverlap && p.Name != appkit.PropLookback {
			out = append(out, p)
		}
	}
	return out
}

// withPolling returns cfg with the polling settings appkit parses, which
// this plugin does not offer.
func withPolling(cfg schema.Config) schema.Config {
	out := make(schema.Config, len(cfg)+2)
	for k, v := range cfg {
		out[k] = v
	}
	out[appkit.PropOverlap] = int64(1)
	out[appkit.PropLookback] = int64(1)
	return out
}
