package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"

	"github.com/Masterminds/semver/v3"

	"github.com/streamalert-go/sa/host/install/lockfile"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// IndexFormat names the layout of a plugin index document.
const IndexFormat = "sa-plugin-index/v1"

// Index is a plugin index: a JSON document, served over HTTPS or read from
// a file, listing plugins, their versions, and per-platform archives with
// their checksums and signatures. docs/plugins.md documents it.
type Index struct {
	Format string `json:"format"`
	// Keys are the publishers' public keys. They let sa check signatures by
	// keys it does not trust yet; trust comes only from sa.yaml.
	Keys    []IndexKey    `json:"keys,omitempty"`
	Plugins []IndexPlugin `json:"plugins"`
}

// IndexKey is a publisher key an index publishes.
type IndexKey struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Publisher string `json:"publisher,omitempty"`
}

// IndexPlugin is one plugin in an index.
type IndexPlugin struct {
	Name        string         `json:"name"`
	Kind        string         `json:"kind"`
	Description string         `json:"description,omitempty"`
	License     string         `json:"license,omitempty"`
	Source      string         `json:"source,omitempty"`
	Versions    []IndexVersion `json:"versions"`
}

// IndexVersion is one release of a plugin.
type IndexVersion struct {
	Version string `json:"version"`
	// Protocols are the plugin protocol versions the release speaks.
	Protocols []int     `json:"protocols"`
	Archives  []Archive `json:"archives"`
}

// Archive is one platform's build of a release.
type Archive struct {
	// Platform is os_arch, or "any" for interpreted plugins.
	Platform string `json:"platform"`
	// URL is absolute, or relative to the index document.
	URL string `json:"url"`
	// SHA256 is the archive's hex sha256, checked before unpacking.
	SHA256 string `json:"sha256"`
	// Hash is the unpacked plugin's tree hash, as sa.lock records it.
	Hash      string     `json:"hash"`
	Signature *Signature `json:"signature,omitempty"`
}

var (
	pluginNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	sha256RE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Address is the plugin's kind.name.
func (p *IndexPlugin) Address() string { return p.Kind + "." + p.Name }

// ParseIndex decodes and checks an index; name is for messages.
func ParseIndex(name string, data []byte) (*Index, error) {
	var ix Index
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ix); err != nil {
		return nil, fmt.Errorf("%s: not a plugin index: %w", name, err)
	}
	if err := ix.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &ix, nil
}

// Check reports every malformed entry, each with its JSON path.
func (ix *Index) Check() error {
	var errs []error
	bad := func(at, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{at}, args...)...))
	}
	if ix.Format != IndexFormat {
		bad("format", "%q: want %q", ix.Format, IndexFormat)
	}
	for i, k := range ix.Keys {
		at := fmt.Sprintf("keys[%d]", i)
		if pub, err := ParsePublicKey(k.Key); err != nil {
			bad(at+".key", "%v", err)
		} else if KeyID(pub) != k.ID {
			bad(at+".id", "%q is not the key's id (%s)", k.ID, KeyID(pub))
		}
	}
	seen := map[string]bool{}
	for i := range ix.Plugins {
		p := &ix.Plugins[i]
		at := fmt.Sprintf("plugins[%d]", i)
		if !pluginNameRE.MatchString(p.Name) {
			bad(at+".name", "%q is not a plugin name", p.Name)
		}
		if _, err := saplugin.ParseKind(p.Kind); err != nil {
			bad(at+".kind", "%v", err)
		}
		if seen[p.Address()] {
			bad(at, "%s is listed twice", p.Address())
		}
		seen[p.Address()] = true
		errs = append(errs, p.check(at)...)
	}
	return errors.Join(errs...)
}

func (p *IndexPlugin) check(at string) []error {
	var errs []error
	bad := func(at, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{at}, args...)...))
	}
	versions := map[string]bool{}
	for j, v := range p.Versions {
		vat := fmt.Sprintf("%s.versions[%d]", at, j)
		if _, err := semver.StrictNewVersion(v.Version); err != nil {
			bad(vat+".version", "%q is not a semantic version", v.Version)
		}
		if versions[v.Version] {
			bad(vat+".version", "%s is listed twice", v.Version)
		}
		versions[v.Version] = true
		if len(v.Protocols) == 0 {
			bad(vat+".protocols", "empty")
		}
		platforms := map[string]bool{}
		for k, a := range v.Archives {
			aat := fmt.Sprintf("%s.archives[%d]", vat, k)
			switch {
			case !lockfile.ValidPlatform(a.Platform):
				bad(aat+".platform", "%q is not os_arch or any", a.Platform)
			case platforms[a.Platform]:
				bad(aat+".platform", "%s is listed twice", a.Platform)
			}
			platforms[a.Platform] = true
			if a.URL == "" {
				bad(aat+".url", "empty")
			}
			if !sha256RE.MatchString(a.SHA256) {
				bad(aat+".sha256", "%q: want 64 lower-case hex digits", a.SHA256)
			}
			if !lockfile.ValidHash(a.Hash) {
				bad(aat+".hash", "%q is not a %s tree hash", a.Hash, lockfile.HashPrefix)
			}
		}
	}
	return errs
}

// Lookup returns the plugins in the index named name, of kind when kind is
// set.
func (ix *Index) Lookup(kind, name string) []*IndexPlugin {
	var out []*IndexPlugin
	for i := range ix.Plugins {
		p := &ix.Plugins[i]
		if p.Name == name && (kind == "" || p.Kind == kind) {
			out = append(out, p)
		}
	}
	return out
}

// Version returns the release v of p.
func (p *IndexPlugin) Version(v string) (*IndexVersion, bool) {
	for i := range p.Versions {
		if p.Versions[i].Version == v {
			return &p.Versions[i], true
		}
	}
	return nil, false
}

// Archive returns the release's archive for platform, or its "any" one.
func (v *IndexVersion) Archive(platform string) (*Archive, bool) {
	var anyArch *Archive
	for i := range v.Archives {
		switch v.Archives[i].Platform {
		case platform:
			return &v.Archives[i], true
		case lockfile.Any:
			anyArch = &v.Archives[i]
		}
	}
	return anyArch, anyArch != nil
}

// Platforms lists the release's platforms.
func (v *IndexVersion) Platforms() []string {
	out := make([]string, len(v.Archives))
	for i, a := range v.Archives {
		out[i] = a.Platform
	}
	sort.Strings(out)
	return out
}

// Add puts an archive into the index, replacing one of the same plugin,
// version and platform, and creating the plugin and version as needed.
// Plugin metadata that is set in meta replaces the index's.
func (ix *Index) Add(meta IndexPlugin, version string, protocols []int, a Archive) {
	var p *IndexPlugin
	if found := ix.Lookup(meta.Kind, meta.Name); len(found) == 1 {
		p = found[0]
	} else {
		ix.Plugins = append(ix.Plugins, IndexPlugin{Name: meta.Name, Kind: meta.Kind})
		p = &ix.Plugins[len(ix.Plugins)-1]
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&p.Description, meta.Description}, {&p.License, meta.License}, {&p.Source, meta.Source},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	v, ok := p.Version(version)
	if !ok {
		p.Versions = append(p.Versions, IndexVersion{Version: version})
		v = &p.Versions[len(p.Versions)-1]
	}
	v.Protocols = protocols
	for i := range v.Archives {
		if v.Archives[i].Platform == a.Platform {
			v.Archives[i] = a
			ix.sort()
			return
		}
	}
	v.Archives = append(v.Archives, a)
	ix.sort()
}

// AddKey publishes a key in the index once.
func (ix *Index) AddKey(k IndexKey) {
	for i := range ix.Keys {
		if ix.Keys[i].ID == k.ID {
			ix.Keys[i] = k
			return
		}
	}
	ix.Keys = append(ix.Keys, k)
	sort.Slice(ix.Keys, func(i, j int) bool { return ix.Keys[i].ID < ix.Keys[j].ID })
}

// sort orders plugins by address, versions newest first and archives by
// platform, so a written index diffs cleanly.
func (ix *Index) sort() {
	sort.Slice(ix.Plugins, func(i, j int) bool { return ix.Plugins[i].Address() < ix.Plugins[j].Address() })
	for i := range ix.Plugins {
		vs := ix.Plugins[i].Versions
		sort.SliceStable(vs, func(a, b int) bool { return newer(vs[a].Version, vs[b].Version) })
		for j := range vs {
			as := vs[j].Archives
			sort.Slice(as, func(a, b int) bool { return as[a].Platform < as[b].Platform })
		}
	}
}

// Marshal is the index as written to disk.
func (ix *Index) Marshal() ([]byte, error) {
	ix.Format = IndexFormat
	ix.sort()
	data, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func newer(a, b string) bool {
	va, errA := semver.NewVersion(a)
	vb, errB := semver.NewVersion(b)
	if errA != nil || errB != nil {
		return a > b
	}
	return va.GreaterThan(vb)
}
