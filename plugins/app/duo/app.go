package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Duo app: each poll reads the authentication or administrator
// log from where the last one stopped.
type App = appkit.Plugin[settings]

// New returns a Duo app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec: appkit.Spec{Name: "duo", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			ErrorText: errorText},
		Description: "Gather Duo authentication and administrator logs through the Admin API (duo_auth, duo_admin)",
		Parse:       parseSettings,
		RateLimit:   rateLimit,
		Poll: func(p *appkit.Poll, s settings) (bool, error) {
			o := &poller{p: p, s: s, path: endpoints[s.Type], sign: signer{ikey: s.ikey, skey: s.skey, now: p.Now}}
			return o.run()
		},
	}
}
