package main

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/install"
	"github.com/streamalert-go/sa/host/install/scaffold"
	"github.com/streamalert-go/sa/host/pluginhost"
)

func newPluginInitCmd() *cobra.Command {
	var o scaffold.Options
	cmd := &cobra.Command{
		Use:   "init --kind output|app|parser --lang go|python NAME",
		Short: "Write a new plugin project that builds and passes sa plugin test as it is",
		Long: `init writes a working plugin to start from: the plugin with its schema, a
conformance test, a Makefile (build, test, conformance, package) and a README.

Go projects build against the sa SDK, which is not on a module proxy: go.mod
replaces it with a local directory, --sdk, which defaults to the sdk/ of the
source tree this sa was built from. Python projects run on Debian's
python3-grpcio; run gen.sh once to generate the protocol stubs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if o.Dir == "" {
				o.Dir = "sa-" + o.Kind + "-" + o.Name
			}
			if o.Lang == "go" && o.SDK == "" {
				o.SDK = scaffold.DefaultSDK()
			}
			files, err := scaffold.Init(o)
			if err != nil {
				return err
			}
			sort.Strings(files)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "wrote %s.%s (%s) in %s:\n", o.Kind, o.Name, o.Lang, o.Dir)
			for _, f := range files {
				fmt.Fprintf(out, "  %s\n", f)
			}
			if o.Lang == "go" {
				fmt.Fprintf(out, "\nNext:\n  cd %s && make build && sa plugin test ./sa-%s-%s\n", o.Dir, o.Kind, o.Name)
			} else {
				fmt.Fprintf(out, "\nNext:\n  cd %s && sh gen.sh && sa plugin test .\n", o.Dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Kind, "kind", "", "output, app or parser")
	cmd.Flags().StringVar(&o.Lang, "lang", "go", "go or python")
	cmd.Flags().StringVar(&o.Dir, "dir", "", "directory to write (default sa-KIND-NAME)")
	cmd.Flags().StringVar(&o.SDK, "sdk", "", "the sa SDK's directory, for go.mod's replace (default: the SDK of this sa's source tree)")
	cmd.Flags().StringVar(&o.Module, "module", "", "Go module path (default example.com/sa-KIND-NAME)")
	cmd.MarkFlagRequired("kind")
	return cmd
}

func newPluginPackageCmd() *cobra.Command {
	var o install.PackageOptions
	var keyFile string
	cmd := &cobra.Command{
		Use:   "package PATH",
		Short: "Build a plugin's release archive, its signature and its index entry",
		Long: `package starts the plugin once to describe it, and writes into --out:

  KIND-NAME-VERSION-PLATFORM.tar.gz       the plugin's files and plugin.json (schema included)
  KIND-NAME-VERSION-PLATFORM.tar.gz.sig   checksums and signature, for installs by path or URL
  index.json                              the index, with this release added

PATH is a plugin binary (its platform is this sa's unless --platform), a
directory holding an interpreted plugin's plugin.json.in (platform "any"), or a
built plugin's directory. With --key (from sa plugin keygen) the release is
signed: the signature covers the plugin's address, version, platform, the
archive's sha256 and the tree hash of its files. Publish the directory's
contents anywhere HTTPS serves files; users add index.json's URL to
plugins.indexes and your public key to plugins.trusted_keys.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = args[0]
			if keyFile != "" {
				key, err := install.ReadPrivateKey(keyFile)
				if err != nil {
					return err
				}
				o.Key = key
			}
			o.Env = pluginhost.DefaultEnv()
			o.Log = slog.Default()
			p, err := install.Package(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "packaged %s %s (%s)\n  archive %s\n  sha256  %s\n  hash    %s\n  index   %s\n",
				p.Address, p.Version, p.Platform, p.Archive, p.SHA256, p.Hash, p.Index)
			if p.Signature != nil {
				fmt.Fprintf(out, "  signed by key %s\n", p.Signature.KeyID)
			} else {
				fmt.Fprintln(out, "  unsigned: users must install it with --allow-unsigned (sign with --key)")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "dist", "directory the archive, signature and index.json are written to")
	f.StringVar(&keyFile, "key", "", "signing key from sa plugin keygen")
	f.StringVar(&o.Publisher, "publisher", "", "the key owner's name, shown in index.json")
	f.StringVar(&o.Platform, "platform", "", "the build's os_arch, or any (default: this sa's for a binary, any for an interpreted plugin)")
	f.StringVar(&o.ManifestFrom, "manifest-from", "", "for a binary of another platform: the plugin.json of the same release built for this one")
	f.StringVar(&o.Description, "description", "", "description in the index (default: the plugin's own)")
	f.StringVar(&o.License, "license", "", "license in the index (an SPDX identifier)")
	f.StringVar(&o.Source, "source", "", "source repository URL in the index")
	return cmd
}

func newPluginKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Create an ed25519 signing key for sa plugin package",
		Long: `keygen writes a new signing key to FILE (mode 0600; keep it secret and backed
up) and its public key to FILE.pub, and prints the sa.yaml entry that trusts
it. It never overwrites a key.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := install.GenerateKey(args[0])
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "signing key %s written to %s (public key in %s.pub)\n\nUsers trust it with, in sa.yaml:\n\nplugins:\n  trusted_keys:\n    - name: YOUR-NAME\n      key: %s\n",
				install.KeyID(pub), abs, abs, install.FormatPublicKey(ed25519.PublicKey(pub)))
			return nil
		},
	}
}
