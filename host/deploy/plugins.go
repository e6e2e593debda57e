package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// builtinParsers are linked into the host; every other parser a schema
// names is a plugin.
var builtinParsers = map[string]bool{
	config.ParserJSON: true, config.ParserCSV: true, config.ParserKV: true, config.ParserSyslog: true,
}

// neededPlugins lists the plugins the functions use, by address, with
// where each is configured: the outputs and apps of sa.yaml and the parser
// plugins of the conf's schemas. Services of outputs.json only are listed
// as optional, since StreamAlert confs name outputs sa may not have.
func neededPlugins(cfg *embedded.Config, conf *config.Config) (required map[string]string, optional map[string]string) {
	required, optional = map[string]string{}, map[string]string{}
	for id := range cfg.Outputs {
		service, _, _ := strings.Cut(id, ":")
		required["output."+service] = "sa.yaml outputs." + id
	}
	for i, a := range cfg.Apps {
		required["app."+a.Plugin] = fmt.Sprintf("sa.yaml apps[%d] (%s)", i, a.Name)
	}
	for _, s := range conf.Schemas {
		if !builtinParsers[s.Parser] {
			required["parser."+s.Parser] = "conf schema " + string(s.Name)
		}
	}
	for _, o := range conf.Outputs {
		if _, ok := required["output."+o.Service]; !ok {
			optional["output."+o.Service] = "conf outputs.json " + o.Service
		}
	}
	return required, optional
}

// packPlugins copies the plugins the functions use into dst/<kind>/<name>.
// A plugin whose binary is not for linux/arch is rebuilt from the source
// tree when its main package is there, with its manifest's checksum
// updated; otherwise deploying fails naming it.
func packPlugins(ctx context.Context, cfg *embedded.Config, conf *config.Config, dirs []string, src string, arch Arch, dst string, log *slog.Logger) error {
	installed, problems := pluginhost.Discover(dirs)
	for _, p := range problems {
		log.Warn("plugin skipped", "problem", p)
	}
	byAddr := map[string]*pluginhost.Installed{}
	for _, p := range installed {
		byAddr[p.Address()] = p
	}
	required, optional := neededPlugins(cfg, conf)
	var errs []error
	for _, addr := range sortedKeys(required) {
		p, ok := byAddr[addr]
		if !ok {
			errs = append(errs, fmt.Errorf("plugin %s (used by %s) is not installed in %s", addr, required[addr], strings.Join(dirs, ", ")))
			continue
		}
		errs = append(errs, packPlugin(ctx, p, src, arch, dst))
	}
	for _, addr := range sortedKeys(optional) {
		if p, ok := byAddr[addr]; ok {
			errs = append(errs, packPlugin(ctx, p, src, arch, dst))
		} else {
			log.Warn("output not packaged: plugin not installed", "plugin", addr, "configured", optional[addr])
		}
	}
	return errors.Join(errs...)
}

func packPlugin(ctx context.Context, p *pluginhost.Installed, src string, arch Arch, dst string) error {
	m := p.Manifest
	if len(m.Command) > 0 {
		return fmt.Errorf("plugin %s runs through %s: the AWS runtime has no interpreters, only compiled plugins", p.Address(), m.Command[0])
	}
	out := filepath.Join(dst, m.Kind, m.Name)
	if err := copyTree(p.Dir, out); err != nil {
		return fmt.Errorf("plugin %s: %w", p.Address(), err)
	}
	exe := filepath.Join(out, m.Executable)
	archErr := arch.checkBinary(exe)
	if archErr == nil {
		return nil
	}
	pkg := filepath.ToSlash(filepath.Join("plugins", m.Kind, m.Name))
	if src == "" || !hasGoFiles(filepath.Join(src, pkg)) {
		return fmt.Errorf("plugin %s: %w; install a linux/%s build of it", p.Address(), archErr, arch)
	}
	if err := goBuild(ctx, src, pkg, arch, exe); err != nil {
		return fmt.Errorf("plugin %s: %w", p.Address(), err)
	}
	sum, err := fileSHA256(exe)
	if err != nil {
		return fmt.Errorf("plugin %s: %w", p.Address(), err)
	}
	rebuilt := *m
	rebuilt.SHA256 = sum
	return pluginhost.WriteManifest(out, &rebuilt)
}

func fileSHA256(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
