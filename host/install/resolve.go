package install

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Name is a plugin as a user names it: "webhook", "output.webhook", with
// an optional "@constraint".
type Name struct {
	// Kind is empty when the user left it out.
	Kind       string
	Name       string
	Constraint string
}

// ParseName reads NAME[@CONSTRAINT].
func ParseName(s string) (Name, error) {
	ref, constraint, hasC := strings.Cut(s, "@")
	if hasC && strings.TrimSpace(constraint) == "" {
		return Name{}, fmt.Errorf("%q: empty version constraint after @", s)
	}
	n := Name{Name: ref, Constraint: strings.TrimSpace(constraint)}
	if kind, name, ok := strings.Cut(ref, "."); ok {
		if _, err := saplugin.ParseKind(kind); err != nil {
			return Name{}, fmt.Errorf("%q: %w", s, err)
		}
		n.Kind, n.Name = kind, name
	}
	if !pluginNameRE.MatchString(n.Name) {
		return Name{}, fmt.Errorf("%q is not a plugin name (lower-case letters, digits, '-' and '_', optionally after a kind: output.webhook)", ref)
	}
	if n.Constraint != "" {
		if _, err := semver.NewConstraint(n.Constraint); err != nil {
			return Name{}, fmt.Errorf("%q: version constraint %q: %w", s, n.Constraint, err)
		}
	}
	return n, nil
}

func (n Name) String() string {
	s := n.Name
	if n.Kind != "" {
		s = n.Kind + "." + s
	}
	return s
}

// ErrNoVersion is wrapped when no release can be installed.
var ErrNoVersion = errors.New("no installable version")

// Selection asks for a release of a plugin.
type Selection struct {
	Constraint string
	Platform   string
	// Protocols are the protocol versions this sa speaks.
	Protocols []int
	// Prefer is a version to keep when it still qualifies: the locked one.
	Prefer string
}

// Select picks the release to install: Prefer if it qualifies, else the
// newest release that satisfies the constraint, speaks a protocol this sa
// speaks and has an archive for the platform. A release whose protocols
// sa does not speak is never chosen; when that is all there is, the error
// names the newest release that would work and the constraint to ask for.
func Select(p *IndexPlugin, s Selection) (*IndexVersion, error) {
	var c *semver.Constraints
	if s.Constraint != "" {
		var err error
		if c, err = semver.NewConstraint(s.Constraint); err != nil {
			return nil, fmt.Errorf("version constraint %q: %w", s.Constraint, err)
		}
	}
	type cand struct {
		v   *semver.Version
		rel *IndexVersion
	}
	var all []cand
	for i := range p.Versions {
		if v, err := semver.StrictNewVersion(p.Versions[i].Version); err == nil {
			all = append(all, cand{v, &p.Versions[i]})
		}
	}
	slices.SortFunc(all, func(a, b cand) int { return b.v.Compare(a.v) })
	fits := func(x cand) bool {
		_, ok := x.rel.Archive(s.Platform)
		return ok && speaks(x.rel.Protocols, s.Protocols)
	}
	var satisfying []cand
	for _, x := range all {
		if c == nil && x.v.Prerelease() != "" {
			continue // no constraint: never a pre-release
		}
		if c == nil || c.Check(x.v) {
			satisfying = append(satisfying, x)
		}
	}
	for _, x := range satisfying {
		if x.rel.Version == s.Prefer && fits(x) {
			return x.rel, nil
		}
	}
	for _, x := range satisfying {
		if fits(x) {
			return x.rel, nil
		}
	}
	rels := make([]*IndexVersion, len(satisfying))
	for i, x := range satisfying {
		rels[i] = x.rel
	}
	return nil, noVersion(p, s, len(all), rels)
}

// noVersion explains why Select found nothing among the releases that
// satisfy the constraint, and names the newest one sa could run, if any.
func noVersion(p *IndexPlugin, s Selection, nAll int, satisfying []*IndexVersion) error {
	var versions []string
	for _, v := range p.Versions {
		versions = append(versions, v.Version)
	}
	switch {
	case nAll == 0:
		return fmt.Errorf("%w of %s: the index lists no releases", ErrNoVersion, p.Address())
	case len(satisfying) == 0:
		return fmt.Errorf("%w of %s: nothing satisfies %q (the index has %s)", ErrNoVersion, p.Address(), s.Constraint, strings.Join(versions, ", "))
	}
	var why []string
	for _, v := range satisfying {
		if !speaks(v.Protocols, s.Protocols) {
			why = append(why, fmt.Sprintf("%s speaks protocol %v", v.Version, v.Protocols))
		} else {
			why = append(why, fmt.Sprintf("%s has no archive for %s (only %s)", v.Version, s.Platform, strings.Join(v.Platforms(), ", ")))
		}
	}
	err := fmt.Errorf("%w of %s for %s matching %q: this sa speaks plugin protocol %v; %s",
		ErrNoVersion, p.Address(), s.Platform, s.Constraint, s.Protocols, strings.Join(why, "; "))
	var best *IndexVersion
	for i := range p.Versions {
		v := &p.Versions[i]
		sv, err := semver.StrictNewVersion(v.Version)
		if err != nil || sv.Prerelease() != "" {
			continue
		}
		if _, ok := v.Archive(s.Platform); ok && speaks(v.Protocols, s.Protocols) && (best == nil || newer(v.Version, best.Version)) {
			best = v
		}
	}
	if best != nil {
		err = fmt.Errorf("%w. The newest release this sa can run is %s: ask for %s@%s", err, best.Version, p.Address(), best.Version)
	}
	return err
}

// speaks reports whether a release speaks a protocol version sa does.
func speaks(release, host []int) bool {
	for _, v := range release {
		if slices.Contains(host, v) {
			return true
		}
	}
	return false
}
