package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// propKeyfile holds the JWT settings file, StreamAlert's auth name.
const propKeyfile = "keyfile"

// appType is the one StreamAlert app type of this plugin.
const appType = "box_admin_events"

// keyfileExample shows the layout of the settings file the Box developer
// console generates; its key is a stand-in.
const keyfileExample = `{"boxAppSettings": {"clientID": "abc123", "clientSecret": "def456", "appAuth": {` +
	`"publicKeyID": "a1b2c3d4", "privateKey": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTAp\n` +
	`-----END ENCRYPTED PRIVATE KEY-----\n", "passphrase": "ghi789"}}, "enterpriseID": "1234567"}`

// Defaults of the polling properties. Box's admin_logs stream shows some
// events minutes after they happened; the overlap reads them again.
var defaults = appkit.Defaults{Overlap: 15 * time.Minute, Lookback: time.Hour}

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty(appType),
	{
		Name: propKeyfile,
		Description: "Content of the JWT settings file (config.json) of a Box Platform app using server " +
			"authentication with JWT, authorized in the enterprise's Admin Console and allowed to manage " +
			"the enterprise's events (the file's text, not its path).",
		Required:   true,
		Secret:     true,
		Credential: true,
		Example:    keyfileExample,
	},
}, appkit.Properties(defaults)...)}
