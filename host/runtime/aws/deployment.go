package aws

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// Deployment is what a function reads from its deployment package: sa.yaml
// with the rules, matchers and output settings it names, and the
// StreamAlert-format conf. Paths in sa.yaml are relative to Home. The
// embedded runtime's store, secrets and ingest settings are not used: the
// AWS runtime keeps alerts in DynamoDB and credentials in SSM.
type Deployment struct {
	Home   string
	Config *embedded.Config
	Conf   *config.Config
}

// LoadDeployment reads the deployment package at home.
func LoadDeployment(home string, log *slog.Logger) (*Deployment, error) {
	cfg, err := embedded.LoadConfig(home)
	if err != nil {
		return nil, fmt.Errorf("deployment: %w", err)
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		return nil, fmt.Errorf("deployment: conf %s: %w", cfg.Conf, err)
	}
	for _, w := range conf.Warnings {
		log.Warn("conf", "warning", w.String())
	}
	return &Deployment{Home: home, Config: cfg, Conf: conf}, nil
}

// PluginDirs are where the package's plugins are: plugins/ in the home,
// then sa.yaml's plugin_dirs.
func (d *Deployment) PluginDirs() []string {
	return append([]string{filepath.Join(d.Home, "plugins")}, d.Config.PluginDirs...)
}

// Plugins returns a plugin host over the package's plugins. Plugin
// processes start on first use and live as long as the sandbox.
func (d *Deployment) Plugins(log *slog.Logger) *pluginhost.Host {
	return pluginhost.New(d.Config.PluginOptions(d.PluginDirs(), log))
}

// Rules compiles the package's rules and matchers against its schemas, as
// sa serve does; more completes the engine's options (Detection.Options).
func (d *Deployment) Rules(log *slog.Logger, more ...func(*rules.Options)) (*rules.Engine, error) {
	return embedded.LoadRules(d.Config, d.Conf, log, more...)
}
