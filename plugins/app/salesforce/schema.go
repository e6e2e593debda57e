package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration: StreamAlert's auth names,
// then this plugin's own.
const (
	propClientID      = "client_id"
	propClientSecret  = "client_secret"
	propUsername      = "username"
	propPassword      = "password"
	propSecurityToken = "security_token"
	propLoginHost     = "login_host"
	propInterval      = "interval"
)

// eventTypes maps the app types to the EventLogFile event types they read.
var eventTypes = map[string]string{
	"salesforce_console":      "Console",
	"salesforce_login":        "Login",
	"salesforce_loginas":      "LoginAs",
	"salesforce_report":       "Report",
	"salesforce_reportexport": "ReportExport",
}

// appTypes lists the app types in a stable order.
var appTypes = []string{"salesforce_console", "salesforce_login", "salesforce_loginas", "salesforce_report", "salesforce_reportexport"}

// Defaults of the polling properties. A daily log file appears hours
// after the day it covers, and sometimes later still; files already
// emitted are recognised by Id, so a wide overlap costs one query.
var defaults = appkit.Defaults{Timeout: 300 * time.Second, Overlap: 3 * 24 * time.Hour, Lookback: 2 * 24 * time.Hour}

// emailPattern is StreamAlert's check of the username.
const emailPattern = `[A-Za-z0-9-_.+]+@[A-Za-z0-9-.]+\.[A-Za-z]{2,}`

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty(appTypes...),
	{
		Name:        propClientID,
		Description: "Consumer key of the connected app.",
		Required:    true,
		Credential:  true,
		Pattern:     `[a-zA-Z0-9._#@]{85}`,
		Example:     "3MVG9" + strings.Repeat("x", 80),
	},
	{
		Name: propClientSecret,
		Description: "Consumer secret of the connected app: 19 digits, as StreamAlert checks, or the 64 hexadecimal " +
			"characters Salesforce issues today.",
		Required:   true,
		Secret:     true,
		Credential: true,
		Pattern:    `[0-9]{19}|[0-9A-Fa-f]{64}`,
		Example:    "1234567890123456789",
	},
	{
		Name:        propUsername,
		Description: "Salesforce user the app signs in as; it needs the View Event Log Files and API Enabled permissions.",
		Required:    true,
		Credential:  true,
		Pattern:     emailPattern,
		Example:     "siem@example.com",
	},
	{
		Name:        propPassword,
		Description: "Password of that user.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     ".*",
		Example:     "correct-horse-battery",
	},
	{
		Name:        propSecurityToken,
		Description: "Security token of that user, appended to the password when signing in.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[a-zA-Z0-9]{24}`,
		Example:     "AbCdEfGhIjKlMnOpQrStUvWx",
	},
	{
		Name: propLoginHost,
		Description: "Host of the login server: login.salesforce.com, test.salesforce.com for a sandbox, or the " +
			"org's My Domain (example.my.salesforce.com).",
		Default: "login.salesforce.com",
		Pattern: `[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(salesforce\.com|force\.com)`,
	},
	{
		Name: propInterval,
		Description: "Which log files to read: Daily (every org) or Hourly (orgs with Event Monitoring's hourly files). " +
			"Reading both would deliver each event twice.",
		Default: "Daily",
		Pattern: "Daily|Hourly",
	},
}, appkit.Properties(defaults)...)}

// settings are an instance's own properties.
type settings struct {
	eventType string
	loginHost string
	interval  string
	creds     *credentials
}

// parseSettings reads the instance's own properties.
func parseSettings(cfg schemaConfig) (settings, error) {
	et, ok := eventTypes[cfg.String(appkit.PropType)]
	if !ok {
		return settings{}, fmt.Errorf("type %q is not a salesforce app type", cfg.String(appkit.PropType))
	}
	return settings{
		eventType: et, loginHost: cfg.String(propLoginHost), interval: cfg.String(propInterval),
		creds: &credentials{
			clientID: cfg.String(propClientID), clientSecret: cfg.String(propClientSecret),
			username: cfg.String(propUsername), password: cfg.String(propPassword),
			securityToken: cfg.String(propSecurityToken),
		},
	}, nil
}

// schemaConfig is the part of schema.Config parseSettings reads.
type schemaConfig interface{ String(name string) string }
