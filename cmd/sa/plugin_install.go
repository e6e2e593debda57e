package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/install"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// installFlags are shared by the commands that fetch and verify plugins.
type installFlags struct {
	allowUnsigned  bool
	allowUntrusted bool
	lockfile       string
}

func (f *installFlags) add(cmd *cobra.Command, trust bool) {
	if trust {
		cmd.Flags().BoolVar(&f.allowUnsigned, "allow-unsigned", false, "install archives no publisher signed")
		cmd.Flags().BoolVar(&f.allowUntrusted, "allow-untrusted", false, "install archives signed by a key not in plugins.trusted_keys")
	}
	cmd.Flags().StringVar(&f.lockfile, "lockfile", "update", `"update" records changes in sa.lock; "readonly" fails when sa.lock would change (CI)`)
}

// homeConfig loads sa.yaml when the home has one; a home without it has no
// plugin configuration, which is fine for installs by path or URL.
func (g *globals) homeConfig() (*embedded.Config, install.Config, error) {
	path := filepath.Join(g.home, embedded.ConfigFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, install.Config{}, nil
	}
	cfg, err := embedded.LoadConfig(g.home)
	if err != nil {
		return nil, install.Config{}, err
	}
	pc := cfg.Plugins
	pc.Resolve(g.home)
	if err := pc.Check(); err != nil {
		return nil, install.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, pc, nil
}

// installer builds an Installer for the home with the command's flags.
func (g *globals) installer(cmd *cobra.Command, f *installFlags) (*install.Installer, *embedded.Config, error) {
	if f.lockfile != "update" && f.lockfile != "readonly" {
		return nil, nil, fmt.Errorf(`--lockfile %q: want "update" or "readonly"`, f.lockfile)
	}
	cfg, pc, err := g.homeConfig()
	if err != nil {
		return nil, nil, err
	}
	opts := install.Options{
		Home: g.home, Config: pc, ReadOnlyLock: f.lockfile == "readonly", Out: cmd.OutOrStdout(),
		Policy: install.Policy{AllowUnsigned: f.allowUnsigned, AllowUntrusted: f.allowUntrusted},
	}
	if install.IsTerminal(cmd.ErrOrStderr()) {
		opts.Progress = cmd.ErrOrStderr()
	}
	in, err := install.New(opts)
	return in, cfg, err
}

// isSource tells a path or URL from a plugin name: names have no slash.
func isSource(arg string) bool {
	return strings.Contains(arg, "/") || strings.HasSuffix(arg, ".tar.gz")
}

func newPluginInstallCmd(g *globals) *cobra.Command {
	var f installFlags
	var index string
	cmd := &cobra.Command{
		Use:   "install [NAME[@CONSTRAINT] | PATH | URL]...",
		Short: "Install plugins from an index, an archive or a directory, verified and locked in sa.lock",
		Long: `install fetches plugins, verifies them and records them in sa.lock.

  sa plugin install output.webhook@^1.2    from the first index in sa.yaml that lists it
  sa plugin install ./dist/output-x-1.0.0-linux_amd64.tar.gz   an archive (a path has a /)
  sa plugin install https://example.com/output-x-1.0.0-linux_amd64.tar.gz
  sa plugin install                        everything plugins.required and sa.lock name

Before anything is unpacked, the archive's sha256 is checked against its index
entry and the publisher's ed25519 signature over the checksums against
plugins.trusted_keys. The result is shown: signed by a trusted publisher, by an
unknown key, or unsigned; the last two need --allow-untrusted or
--allow-unsigned. Archives are unpacked safely into a staging directory and
moved into place in one step, so an interrupted install leaves the previous one
working. sa.lock records the version, the constraint and a tree hash of the
installed files, which sa checks before every start of the plugin.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, _, err := g.installer(cmd, &f)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				_, err := in.InstallAll(cmd.Context())
				return err
			}
			var reqs []install.Request
			var errs []error
			for _, arg := range args {
				if isSource(arg) {
					if _, err := in.InstallSource(cmd.Context(), arg); err != nil {
						errs = append(errs, err)
					}
					continue
				}
				n, err := install.ParseName(arg)
				if err != nil {
					return err
				}
				reqs = append(reqs, install.Request{Name: n, Index: index})
			}
			if len(reqs) > 0 {
				_, err := in.Install(cmd.Context(), reqs)
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringVar(&index, "index", "", "take plugins from this index of plugins.indexes only")
	return cmd
}

func newPluginUpgradeCmd(g *globals) *cobra.Command {
	var f installFlags
	cmd := &cobra.Command{
		Use:   "upgrade [NAME...]",
		Short: "Install the newest release each plugin's constraint allows (all locked plugins when none are named)",
		Long: `upgrade re-resolves locked plugins against their index: the newest release
that satisfies the constraint (from the command line, plugins.required or
sa.lock) and speaks a protocol this sa speaks. The new version is verified and
placed beside the old one, the lock is updated, then the old version removed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, _, err := g.installer(cmd, &f)
			if err != nil {
				return err
			}
			_, err = in.Upgrade(cmd.Context(), args)
			return err
		},
	}
	f.add(cmd, true)
	return cmd
}

func newPluginRemoveCmd(g *globals) *cobra.Command {
	var f installFlags
	var force bool
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Uninstall a plugin and drop it from sa.lock",
		Long: `remove deletes an installed plugin and its sa.lock entry. It refuses while
sa.yaml still uses the plugin (plugins.required, outputs, apps) unless --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, cfg, err := g.installer(cmd, &f)
			if err != nil {
				return err
			}
			if !force {
				if uses := references(cfg, args[0]); len(uses) > 0 {
					return fmt.Errorf("%s is still used by sa.yaml (%s); change that first, or remove it with --force", args[0], strings.Join(uses, ", "))
				}
			}
			_, err = in.Remove(cmd.Context(), args[0])
			return err
		},
	}
	f.add(cmd, false)
	cmd.Flags().BoolVar(&force, "force", false, "remove the plugin even though sa.yaml still uses it")
	return cmd
}

// references lists where sa.yaml uses the plugin named by s.
func references(cfg *embedded.Config, s string) []string {
	if cfg == nil {
		return nil
	}
	n, err := install.ParseName(s)
	if err != nil {
		return nil
	}
	is := func(kind, name string) bool { return name == n.Name && (n.Kind == "" || n.Kind == kind) }
	var uses []string
	for i, r := range cfg.Plugins.Required {
		if rn, err := install.ParseName(r.Name); err == nil && rn.Name == n.Name && (rn.Kind == "" || n.Kind == "" || rn.Kind == n.Kind) {
			uses = append(uses, fmt.Sprintf("plugins.required[%d]", i))
		}
	}
	for id := range cfg.Outputs {
		if service, _, _ := strings.Cut(id, ":"); is("output", service) {
			uses = append(uses, "outputs."+id)
		}
	}
	for _, a := range cfg.Apps {
		if is("app", a.Plugin) {
			uses = append(uses, "apps."+a.Name)
		}
	}
	return uses
}

func newPluginLockCmd(g *globals) *cobra.Command {
	var f installFlags
	var platforms []string
	cmd := &cobra.Command{
		Use:   "lock [--platform OS_ARCH]... [NAME...]",
		Short: "Record in sa.lock the hashes of the locked releases for more platforms",
		Long: `lock downloads each locked release's archive for every --platform, verifies
it as an install would (sha256, signature, safe contents), and records the tree
hash of its files in sa.lock, so the same lock verifies installs on laptops and
servers alike. Without --platform it locks plugins.platforms and this one.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, _, err := g.installer(cmd, &f)
			if err != nil {
				return err
			}
			if len(platforms) == 0 {
				_, pc, _ := g.homeConfig()
				platforms = append(pc.Platforms, in.Platform())
			}
			return in.Lock(cmd.Context(), platforms, args)
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringArrayVar(&platforms, "platform", nil, "platform to lock, as os_arch (repeatable)")
	return cmd
}

func newPluginMirrorCmd(g *globals) *cobra.Command {
	var f installFlags
	var platforms []string
	cmd := &cobra.Command{
		Use:   "mirror DIR",
		Short: "Copy the locked releases and an index.json into DIR, for sites without network access",
		Long: `mirror downloads every locked release (for the platforms sa.lock records,
or each --platform), verifies it against its index and sa.lock, and writes the
archives and an index.json into DIR, signatures and publisher keys kept. On the
offline site, point plugins.indexes at file://DIR/index.json with the same
sa.lock: installs there are verified exactly as installs from the original.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, _, err := g.installer(cmd, &f)
			if err != nil {
				return err
			}
			u, err := in.Mirror(cmd.Context(), args[0], platforms)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "mirror index: %s\n", u)
			return nil
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringArrayVar(&platforms, "platform", nil, "platform to mirror, as os_arch (repeatable; default: those sa.lock records)")
	return cmd
}
