package threatintel

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/rules"
)

// The IOC types sa knows. StreamAlert's downloader produced the first
// three; the hashes and urls complete what feeds commonly carry.
const (
	IP     = "ip"
	Domain = "domain"
	URL    = "url"
	MD5    = "md5"
	SHA1   = "sha1"
	SHA256 = "sha256"
)

// Types lists the IOC types in a fixed order.
var Types = []string{IP, Domain, URL, MD5, SHA1, SHA256}

// Config says which record values are looked up: threat_intel.json.
type Config struct {
	// NormalizedTypes maps an IOC type to the normalized types whose
	// values are looked up as that type.
	NormalizedTypes map[string][]string
	// Excluded maps an IOC type to values never looked up; for ip, the
	// entries are addresses or CIDR ranges.
	Excluded map[string][]string
}

// DefaultConfig is StreamAlert's default mapping.
func DefaultConfig() Config {
	return Config{NormalizedTypes: map[string][]string{
		Domain: {"destinationDomain"},
		IP:     {"sourceAddress", "destinationAddress", "deviceAddress"},
		MD5:    {"fileHash"},
	}}
}

// ConfigFrom converts threat_intel.json as the conf loader read it.
func ConfigFrom(c config.ThreatIntel) Config {
	out := Config{NormalizedTypes: c.NormalizedIOCTypes, Excluded: map[string][]string{}}
	for typ, vals := range c.ExcludedIOCs {
		for v := range vals {
			out.Excluded[typ] = append(out.Excluded[typ], v)
		}
		slices.Sort(out.Excluded[typ])
	}
	return out
}

// Store holds IOCs by type. Add every IOC before the store is shared:
// lookups may run concurrently with each other but not with Add. To load
// new feeds, build a new Store and swap it into a Live.
type Store struct {
	*policy
	sets map[string]*stringSet
}

// policy is what every IOC store shares: which normalized values are
// looked up as which IOC type, and which values never are.
type policy struct {
	iocType  map[string]string // normalized type → IOC type
	excluded map[string]*stringSet
	nets     []netip.Prefix // excluded ip ranges
}

// newPolicy checks cfg's IOC types and exclusions.
func newPolicy(cfg Config) (*policy, error) {
	p := &policy{iocType: map[string]string{}, excluded: map[string]*stringSet{}}
	for typ, names := range cfg.NormalizedTypes {
		if !slices.Contains(Types, typ) {
			return nil, fmt.Errorf("threatintel: unknown IOC type %q (want one of %s)", typ, strings.Join(Types, ", "))
		}
		for _, n := range names {
			p.iocType[n] = typ
		}
	}
	for typ, vals := range cfg.Excluded {
		if err := p.exclude(typ, vals); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// New returns an empty store matching records as cfg says. Unknown IOC
// types and exclusions that are not addresses or CIDRs are errors.
func New(cfg Config) (*Store, error) {
	p, err := newPolicy(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{policy: p, sets: map[string]*stringSet{}}
	for _, typ := range Types {
		s.sets[typ] = newStringSet()
	}
	return s, nil
}

func (s *policy) exclude(typ string, vals []string) error {
	if !slices.Contains(Types, typ) {
		return fmt.Errorf("threatintel: excluded_iocs: unknown IOC type %q", typ)
	}
	for _, v := range vals {
		if typ == IP {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				a, aerr := netip.ParseAddr(v)
				if aerr != nil {
					return fmt.Errorf("threatintel: excluded ip %q is not an address or CIDR range", v)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			s.nets = append(s.nets, p.Masked())
			continue
		}
		if s.excluded[typ] == nil {
			s.excluded[typ] = newStringSet()
		}
		if _, err := s.excluded[typ].add(canonical(typ, v)); err != nil {
			return err
		}
	}
	return nil
}

// Add stores one IOC. Values are kept in canonical form (lowercase for
// domains and hashes, normalized addresses), so lookups ignore case where
// it carries no meaning.
func (s *Store) Add(iocType, value string) error {
	set := s.sets[iocType]
	if set == nil {
		return fmt.Errorf("threatintel: unknown IOC type %q", iocType)
	}
	v := canonical(iocType, value)
	if v == "" {
		return fmt.Errorf("threatintel: %s IOC %q is not valid", iocType, value)
	}
	_, err := set.add(v)
	return err
}

// Len is the number of IOCs stored.
func (s *Store) Len() int {
	n := 0
	for _, set := range s.sets {
		n += set.len()
	}
	return n
}

// Contains reports whether value is a known IOC of iocType. Excluded
// values are never reported.
func (s *Store) Contains(iocType, value string) bool {
	set := s.sets[iocType]
	if set == nil {
		return false
	}
	v := canonical(iocType, value)
	return v != "" && !s.isExcluded(iocType, v) && set.contains(v)
}

func (s *policy) isExcluded(iocType, v string) bool {
	if iocType == IP {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return true
		}
		return slices.ContainsFunc(s.nets, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	ex := s.excluded[iocType]
	return ex != nil && ex.contains(v)
}

// canonical puts a value in the form the store keeps, "" when it cannot
// be an IOC of that type: an ip must be a valid address other than "::1"
// (StreamAlert's valid_ip).
func canonical(iocType, v string) string {
	v = strings.TrimSpace(v)
	switch iocType {
	case IP:
		a, err := netip.ParseAddr(v)
		if err != nil || v == "::1" || a.Zone() != "" {
			return ""
		}
		return a.Unmap().String()
	case Domain:
		return strings.TrimSuffix(strings.ToLower(v), ".")
	case MD5, SHA1, SHA256:
		return strings.ToLower(v)
	}
	return v
}

// MatchRecord looks up the record's normalized values of every mapped
// normalized type and returns the hits by IOC type, each list sorted and
// free of duplicates; nil when nothing matched. It implements
// rules.ThreatIntel.
func (s *Store) MatchRecord(rec map[string]any) map[string][]string {
	var out map[string][]string
	for _, c := range s.candidates(rec) {
		if s.sets[c.typ].contains(c.value) {
			out = addMatch(out, c)
		}
	}
	return sortMatches(out)
}

// candidate is a record value to look up, in canonical form.
type candidate struct{ typ, value string }

// candidates returns the record's values of every mapped normalized
// type that may be IOCs: valid for their type and not excluded, each
// once.
func (s *policy) candidates(rec map[string]any) []candidate {
	var out []candidate
	for _, name := range rules.NormalizedTypes(rec) {
		typ, ok := s.iocType[name]
		if !ok {
			continue
		}
		for _, v := range rules.NormalizedValues(rec, name) {
			c := candidate{typ, canonical(typ, v)}
			if c.value == "" || s.isExcluded(typ, c.value) || slices.Contains(out, c) {
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

func addMatch(m map[string][]string, c candidate) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[c.typ] = append(m[c.typ], c.value)
	return m
}

func sortMatches(m map[string][]string) map[string][]string {
	for _, vals := range m {
		slices.Sort(vals)
	}
	return m
}

// Live is a Store that can be replaced while records are being matched:
// the runtime loads feeds into a new Store and swaps it in.
type Live struct{ p atomic.Pointer[Store] }

// NewLive serves s until the next Swap.
func NewLive(s *Store) *Live {
	l := &Live{}
	l.p.Store(s)
	return l
}

// Swap replaces the store.
func (l *Live) Swap(s *Store) { l.p.Store(s) }

// MatchRecord implements rules.ThreatIntel with the current store.
func (l *Live) MatchRecord(rec map[string]any) map[string][]string {
	return l.p.Load().MatchRecord(rec)
}

var (
	_ rules.ThreatIntel = (*Store)(nil)
	_ rules.ThreatIntel = (*Live)(nil)
)
