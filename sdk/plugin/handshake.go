package plugin

import goplugin "github.com/hashicorp/go-plugin"

// Handshake is the go-plugin handshake every sa plugin and host share. The
// cookie only stops a plugin binary run by hand from hanging on a terminal;
// it is not a security measure (the checksum and mTLS are).
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "SA_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "8c4a27d0f1f94b8eb3c2ad9b51e6f07a",
}

// ProtocolVersions are the major versions of sa.plugin this SDK serves,
// oldest first.
var ProtocolVersions = []int{1}

// Env names the host sets for every plugin, beside go-plugin's own.
const (
	// EnvPluginName carries the plugin's address ("output.slack").
	EnvPluginName = "SA_PLUGIN_NAME"
	// EnvInstance is set when the host runs one process per instance.
	EnvInstance = "SA_PLUGIN_INSTANCE"
)
