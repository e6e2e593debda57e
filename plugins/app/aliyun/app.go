package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the aliyun app: it reads the region's events in pinned time
// windows (see poll.go).
type App = appkit.Plugin[appkit.Settings]

// New returns an aliyun app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec: appkit.Spec{Name: "aliyun", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			RateLimit: rateLimit, ErrorText: errorText},
		Description: "Gather Alibaba Cloud ActionTrail events (LookupEvents) for StreamAlert's aliyun_actiontrail app type",
		Parse:       appkit.ParseSettings,
		Poll: func(p *appkit.Poll, _ appkit.Settings) (bool, error) {
			return newWalker(p).run()
		},
	}
}
