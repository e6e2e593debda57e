package config

import (
	"encoding/json"
	"net/netip"
)

// NormalizedTypes is the legacy v1 normalized_types.json: log family →
// normalized type (CEF-like names such as "sourceAddress") → the record
// keys holding it. In StreamAlert 3.5 it only feeds the threat intel check
// below; the v2 per-schema normalization replaced it for records.
type NormalizedTypes map[string]map[string][]string

// ThreatIntel is threat_intel.json. Threat intel runs when Enabled and at
// least one cluster sets enable_threat_intel.
type ThreatIntel struct {
	Enabled           bool
	DynamoDBTableName string // dynamodb_table_name, the IOC table
	// NormalizedIOCTypes maps an IOC type (domain, ip, md5) to the
	// normalized types whose values are looked up as that IOC type.
	NormalizedIOCTypes map[string][]string
	// ExcludedIOCs maps an IOC type to the values never looked up, each
	// with its free-form metadata (such as a comment) kept raw. "ip"
	// values are addresses or CIDR ranges.
	ExcludedIOCs map[string]map[string]json.RawMessage
}

func (f *file) decodeNormalizedTypes() NormalizedTypes {
	if f.root == nil || !f.want(f.root, "", kindObject) {
		return nil
	}
	out := NormalizedTypes{}
	for _, fam := range f.root.members {
		p := jpath("").key(fam.key)
		if !f.want(fam.val, p, kindObject) {
			continue
		}
		out[fam.key] = map[string][]string{}
		for _, t := range fam.val.members {
			out[fam.key][t.key] = f.strs(t.val, p.key(t.key))
		}
	}
	return out
}

// threatIntelRef keeps the position of each normalized_ioc_types entry for
// the check against normalized_types.json.
type threatIntelRef struct {
	n    *node
	p    jpath
	name string
}

func (f *file) decodeThreatIntel() (ThreatIntel, []threatIntelRef) {
	var ti ThreatIntel
	var refs []threatIntelRef
	if f.root == nil {
		return ti, nil
	}
	f.object(f.root, "", fields{
		"enabled":             f.toBool(&ti.Enabled),
		"dynamodb_table_name": f.toStr(&ti.DynamoDBTableName),
		"normalized_ioc_types": func(n *node, p jpath) {
			if !f.want(n, p, kindObject) {
				return
			}
			ti.NormalizedIOCTypes = map[string][]string{}
			for _, m := range n.members {
				ti.NormalizedIOCTypes[m.key] = f.strs(m.val, p.key(m.key))
				for i, e := range m.val.elems {
					refs = append(refs, threatIntelRef{n: e, p: p.key(m.key).index(i), name: e.text})
				}
			}
		},
		"excluded_iocs": func(n *node, p jpath) { ti.ExcludedIOCs = f.excludedIOCs(n, p) },
	})
	// StreamAlert refuses a threat_intel.json without normalized_ioc_types.
	f.require(f.root, "", "normalized_ioc_types")
	return ti, refs
}

func (f *file) excludedIOCs(n *node, p jpath) map[string]map[string]json.RawMessage {
	if !f.want(n, p, kindObject) {
		return nil
	}
	out := map[string]map[string]json.RawMessage{}
	for _, typ := range n.members {
		tp := p.key(typ.key)
		if !f.want(typ.val, tp, kindObject) {
			continue
		}
		out[typ.key] = map[string]json.RawMessage{}
		for _, v := range typ.val.members {
			out[typ.key][v.key] = v.val.raw(f.data)
			if typ.key == "ip" && !validIPOrCIDR(v.key) {
				f.report(SeverityError, v.keyOff, tp.key(v.key), "not an IP address or CIDR range")
			}
		}
	}
	return out
}

// validIPOrCIDR accepts what StreamAlert's netaddr.IPNetwork does for the
// exclusion list in practice: an address or a prefix.
func validIPOrCIDR(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
