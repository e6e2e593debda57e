package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/install"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/sdk/plugintest"
	"github.com/streamalert-go/sa/sdk/schema"
)

func newPluginCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Install, list, describe, test and publish plugins",
	}
	cmd.AddCommand(
		newPluginListCmd(g), newPluginDescribeCmd(g), newPluginTestCmd(g), newPluginRegisterCmd(),
		newPluginInstallCmd(g), newPluginUpgradeCmd(g), newPluginRemoveCmd(g), newPluginLockCmd(g), newPluginMirrorCmd(g),
		newPluginInitCmd(), newPluginPackageCmd(), newPluginKeygenCmd(),
	)
	return cmd
}

func (g *globals) host(start bool) *pluginhost.Host {
	log := slog.Default()
	if !start {
		// Listing and describing start nothing; discovery problems are
		// printed by the command itself.
		log = slog.New(slog.DiscardHandler)
	}
	return pluginhost.New(pluginhost.Options{Dirs: g.dirs(), Logger: log})
}

func newPluginListCmd(g *globals) *cobra.Command {
	var start bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List installed plugins: version, source, verification and state",
		Long: `List installed plugins. SOURCE is the index, archive or path a plugin was
installed from ("registered" for plugins written by sa plugin register, "dev
override" for local builds sa.yaml points at). TRUST is how its publisher was
verified at install: "trusted:NAME", "unknown-key:ID" or "unsigned". STATE is
"verified" when the files still have the tree hash sa.lock records (or, for a
registered plugin, the checksums of its manifest) and "tampered" when they do
not; "unverified" for a development override, which is never checked. With
--start, each plugin is also started and checked against its manifest, and
STATE is "running" or "failed".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := g.host(start)
			defer h.Close()
			_, pc, err := g.homeConfig()
			if err != nil {
				// Listing still works; trust is then shown against no keys.
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", err)
			}
			keys, _ := install.NewKeyring(pc.TrustedKeys)
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tKIND\tVERSION\tPROTOCOL\tSOURCE\tTRUST\tSTATE\tPATH")
			var failed bool
			for _, p := range h.Plugins() {
				state := pluginState(cmd.Context(), h, p, start)
				failed = failed || state != "verified" && state != "running" && state != "unverified"
				source, trust := pluginSource(h, keys, p)
				m := p.Manifest
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Kind, m.Version, joinInts(m.Protocols), source, trust, state, p.Dir)
			}
			w.Flush()
			warnOverrides(cmd, h)
			for _, err := range h.Problems() {
				failed = true
				fmt.Fprintln(cmd.ErrOrStderr(), "broken:", err)
			}
			if len(h.Plugins()) == 0 && len(h.Problems()) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no plugins in %s\n", strings.Join(g.dirs(), ", "))
			}
			if failed {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&start, "start", false, "start each plugin and check it answers as its manifest says")
	return cmd
}

// pluginSource says where an installed plugin came from and how its
// publisher was verified, as sa.lock recorded it.
func pluginSource(h *pluginhost.Host, keys *install.Keyring, p *pluginhost.Installed) (source, trust string) {
	if _, ok := h.Override(p.Address()); ok {
		return "dev override", "UNVERIFIED"
	}
	e, ok := h.Locked(p.Address())
	if !ok {
		return "registered", "-"
	}
	source = e.Source
	if e.Index != "" {
		source = "index " + e.Index
	}
	switch name, trusted := keys.Publisher(e.SigningKey); {
	case e.SigningKey == "":
		trust = "unsigned"
	case trusted:
		trust = "trusted:" + name
	default:
		trust = "unknown-key:" + e.SigningKey
	}
	return source, trust
}

// warnOverrides says loudly, on standard error, which plugins are local
// builds that sa starts without checking them.
func warnOverrides(cmd *cobra.Command, h *pluginhost.Host) {
	for _, p := range h.Plugins() {
		if path, ok := h.Override(p.Address()); ok {
			fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: development override: %s runs %s without any checksum verification\n", p.Address(), path)
		}
	}
}

func pluginState(ctx context.Context, h *pluginhost.Host, p *pluginhost.Installed, start bool) string {
	if _, ok := h.Override(p.Address()); ok && !start {
		return "unverified"
	}
	if err := h.Verify(p); err != nil {
		return "tampered"
	}
	if !start {
		return "verified"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := h.Describe(ctx, p.Address()); err != nil {
		slog.Error("plugin failed", "plugin", p.Address(), "error", err.Error())
		return "failed"
	}
	return "running"
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

// findPlugin resolves "output.slack", or "slack" when only one kind has it.
func findPlugin(h *pluginhost.Host, name string) (*pluginhost.Installed, error) {
	if p, ok := h.Plugin(name); ok {
		return p, nil
	}
	var found []*pluginhost.Installed
	for _, p := range h.Plugins() {
		if p.Manifest.Name == name {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no installed plugin %q (see sa plugin list)", name)
	}
	addrs := make([]string, len(found))
	for i, p := range found {
		addrs[i] = p.Address()
	}
	return nil, fmt.Errorf("%q is ambiguous: say %s", name, strings.Join(addrs, " or "))
}

func newPluginDescribeCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a plugin's configuration schema (from its manifest; nothing is started)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h := g.host(false)
			p, err := findPlugin(h, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(p.Manifest)
			}
			printDescription(cmd.OutOrStdout(), p)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the manifest, schema included, as JSON")
	return cmd
}

func printDescription(out io.Writer, p *pluginhost.Installed) {
	m := p.Manifest
	fmt.Fprintf(out, "%s %s (protocol %s)\n", m.Address(), m.Version, joinInts(m.Protocols))
	if m.Description != "" {
		fmt.Fprintf(out, "%s\n", m.Description)
	}
	if len(m.Schema) == 0 {
		fmt.Fprintln(out, "\nNo configuration.")
		return
	}
	fmt.Fprintln(out)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROPERTY\tTYPE\tREQUIRED\tFLAGS\tDEFAULT\tEXAMPLE\tDESCRIPTION")
	for _, prop := range m.Schema {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", prop.Name, prop.Type, yesNo(prop.Required), flags(prop),
			dash(prop.Default), dash(exampleOf(prop)), prop.Description)
	}
	w.Flush()
}

func flags(p schema.Property) string {
	var f []string
	if p.Descriptor {
		f = append(f, "descriptor")
	}
	if p.Secret {
		f = append(f, "secret")
	}
	if p.Credential {
		f = append(f, "credential")
	}
	if p.Pattern != "" {
		f = append(f, "pattern="+p.Pattern)
	}
	if p.ForbiddenChars != "" {
		f = append(f, fmt.Sprintf("forbids=%q", p.ForbiddenChars))
	}
	return dash(strings.Join(f, " "))
}

// exampleOf hides examples of secrets: they are fake, but a table that
// shows a value in the secret column teaches the wrong habit.
func exampleOf(p schema.Property) string {
	if p.Secret {
		return schema.Masked
	}
	return p.Example
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newPluginTestCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "test PATH|NAME",
		Short: "Run the conformance checks against a plugin binary, directory or installed plugin",
		Long: `Run sa's plugin conformance checks: handshake and cookie, version negotiation,
mTLS, health and shutdown, Describe and schema, configuration problems that name
their field and never quote secrets, per-instance configuration, and the calls of
the plugin's kind. PATH is an executable or a directory with a plugin.json or
plugin.json.in; NAME is an installed plugin, whose checksums are checked first.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			newCmd, err := testTarget(cmd, g, args[0])
			if err != nil {
				return err
			}
			report := plugintest.Binary(cmd.Context(), newCmd, plugintest.Options{Env: pluginhost.DefaultEnv()})
			report.Print(cmd.OutOrStdout())
			if report.Failed() {
				return exitError{1}
			}
			return nil
		},
	}
}

// testTarget returns a command factory for what `sa plugin test` was given.
func testTarget(cmd *cobra.Command, g *globals, arg string) (func() *exec.Cmd, error) {
	fi, err := os.Stat(arg)
	switch {
	case err == nil && !fi.IsDir():
		path, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		return func() *exec.Cmd { return exec.Command(path) }, nil
	case err == nil:
		return dirTarget(arg)
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	h := g.host(false)
	p, err := findPlugin(h, arg)
	if err != nil {
		return nil, err
	}
	if err := h.Verify(p); err != nil {
		return nil, fmt.Errorf("plugin %s refused: %w", p.Address(), err)
	}
	warnOverrides(cmd, h)
	return installedTarget(p)
}

func dirTarget(dir string) (func() *exec.Cmd, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{pluginhost.ManifestFile, pluginhost.TemplateFile} {
		data, err := os.ReadFile(filepath.Join(abs, name))
		if err != nil {
			continue
		}
		var m pluginhost.Manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(abs, name), err)
		}
		return installedTarget(&pluginhost.Installed{Manifest: &m, Dir: abs})
	}
	return nil, fmt.Errorf("%s holds neither %s nor %s", dir, pluginhost.ManifestFile, pluginhost.TemplateFile)
}

func installedTarget(p *pluginhost.Installed) (func() *exec.Cmd, error) {
	argv := p.Manifest.Command
	if len(argv) == 0 {
		argv = []string{p.Executable()}
	}
	bin, err := pluginhost.LookPath(argv[0], "/usr/local/bin:/usr/bin:/bin")
	if err != nil {
		return nil, err
	}
	return func() *exec.Cmd {
		c := exec.Command(bin, argv[1:]...)
		c.Dir = p.Dir
		return c
	}, nil
}

func newPluginRegisterCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "register PATH...",
		Short: "Write the manifest of plugins built in place (a binary, or a directory with plugin.json.in)",
		Long: `Register starts each plugin once, asks it to describe itself, and writes a
plugin.json beside it with its name, kind, version, protocols, schema and the
sha256 of its files. sa refuses to start a plugin whose files no longer match.
Use it for plugins you built yourself; plugins from others are installed from
an index, with signatures checked.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, path := range args {
				m, err := pluginhost.Register(cmd.Context(), path, nil, slog.Default())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "registered %s %s (sha256 %.12s…)\n", m.Address(), m.Version, m.SHA256)
			}
			return nil
		},
	}
}
