package emf

import (
	"fmt"
	"math"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// point is one metric of a line.
type point struct {
	name  string
	unit  string
	value float64
	// key names the series of a cumulative value (counter, histogram
	// count or sum), whose total is remembered once the line is written;
	// "" for a gauge.
	key     string
	total   float64
	written bool
}

// line is the metrics of one set of dimensions.
type line struct {
	dims   []dim
	points []*point
}

// batch sorts one Flush's series into lines.
type batch struct {
	fixed []dim
	prev  map[string]float64
	lines []*line
	byKey map[string]*line
	// idle are the totals of cumulative series with nothing to write.
	idle map[string]float64
	// pending are the cumulative points to write.
	pending []*point
}

func newBatch(fixed []dim, prev map[string]float64) *batch {
	return &batch{fixed: fixed, prev: prev, byKey: map[string]*line{}, idle: map[string]float64{}}
}

// family adds a metric family's series.
func (b *batch) family(mf *dto.MetricFamily) []error {
	name := mf.GetName()
	if err := checkName("metric", name); err != nil {
		return []error{fmt.Errorf("emf: %s skipped: %w", name, err)}
	}
	var errs []error
	for _, m := range mf.GetMetric() {
		if err := b.series(mf.GetType(), name, m); err != nil {
			errs = append(errs, fmt.Errorf("emf: %s%s skipped: %w", name, labelText(m.GetLabel()), err))
		}
	}
	return errs
}

func (b *batch) series(typ dto.MetricType, name string, m *dto.Metric) error {
	dims, err := b.dims(m.GetLabel())
	if err != nil {
		return err
	}
	l := b.line(dims)
	key := seriesKey(name, m.GetLabel())
	switch typ {
	case dto.MetricType_COUNTER:
		return b.cumulative(l, point{name: name, unit: unitOf(strings.TrimSuffix(name, "_total"), "Count"), key: key}, m.GetCounter().GetValue())
	case dto.MetricType_GAUGE:
		return b.gauge(l, name, m.GetGauge().GetValue())
	case dto.MetricType_UNTYPED:
		return b.gauge(l, name, m.GetUntyped().GetValue())
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		h := m.GetHistogram()
		count := float64(h.GetSampleCount())
		if h.GetSampleCountFloat() > 0 {
			count = h.GetSampleCountFloat()
		}
		if typ == dto.MetricType_GAUGE_HISTOGRAM {
			return b.gaugeStats(l, name, count, h.GetSampleSum())
		}
		return b.stats(l, name, key, count, h.GetSampleSum())
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		return b.stats(l, name, key, float64(s.GetSampleCount()), s.GetSampleSum())
	}
	return fmt.Errorf("metric type %v is not supported", typ)
}

// cumulative adds p with the increase of a counter now at total.
func (b *batch) cumulative(l *line, p point, total float64) error {
	if !finite(total) {
		return nil
	}
	inc := b.increase(p.key, total)
	if inc == 0 {
		b.idle[p.key] = total
		return nil
	}
	p.value, p.total = inc, total
	return b.add(l, &p)
}

// increase is what a cumulative value added since it was last written; a
// value lower than before was reset, and counts from zero.
func (b *batch) increase(key string, total float64) float64 {
	last := b.prev[key]
	if total < last {
		return total
	}
	return total - last
}

// stats adds a histogram's or summary's count and sum increases, or
// neither when nothing was observed. A sum can go down (negative
// observations) without a reset, so its change is taken as it is; only a
// lower count means a reset.
func (b *batch) stats(l *line, name, key string, count, sum float64) error {
	if !finite(count) || !finite(sum) {
		return nil
	}
	ck, sk := key+"\x01count", key+"\x01sum" // \x01 sets them apart from other keys
	inc, sumInc := count-b.prev[ck], sum-b.prev[sk]
	if count < b.prev[ck] {
		inc, sumInc = count, sum
	}
	if inc == 0 {
		b.idle[ck], b.idle[sk] = count, sum
		return nil
	}
	if err := b.add(l, &point{name: name + "_count", unit: "Count", key: ck, value: inc, total: count}); err != nil {
		return err
	}
	return b.add(l, &point{name: name + "_sum", unit: unitOf(name, "None"), key: sk, value: sumInc, total: sum})
}

func (b *batch) gauge(l *line, name string, v float64) error {
	if !finite(v) {
		return nil
	}
	return b.add(l, &point{name: name, unit: unitOf(name, "None"), value: v})
}

func (b *batch) gaugeStats(l *line, name string, count, sum float64) error {
	if !finite(count) || !finite(sum) {
		return nil
	}
	if err := b.add(l, &point{name: name + "_count", unit: "Count", value: count}); err != nil {
		return err
	}
	return b.add(l, &point{name: name + "_sum", unit: unitOf(name, "None"), value: sum})
}

// add puts p on line l. A metric appears once a line, and never under a
// dimension's name.
func (b *batch) add(l *line, p *point) error {
	for _, d := range l.dims {
		if d.name == p.name {
			return fmt.Errorf("metric %s has the name of a dimension", p.name)
		}
	}
	for _, q := range l.points {
		if q.name == p.name {
			return fmt.Errorf("another series of %s has the same dimensions", p.name)
		}
	}
	if len(l.points) == 0 {
		b.lines = append(b.lines, l)
	}
	l.points = append(l.points, p)
	if p.key != "" {
		b.pending = append(b.pending, p)
	}
	return nil
}

// dims are a series' dimensions: the fixed ones, then its labels with a
// value, sorted by name.
func (b *batch) dims(labels []*dto.LabelPair) ([]dim, error) {
	out := slices.Clone(b.fixed)
	for _, lp := range labels {
		v := cleanValue(lp.GetValue())
		if v == "" {
			continue
		}
		if err := checkName("dimension", lp.GetName()); err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(out, func(d dim) bool { return d.name == lp.GetName() }); i >= 0 {
			out[i].value = v
			continue
		}
		out = append(out, dim{lp.GetName(), v})
	}
	if len(out) > MaxDimensions {
		return nil, fmt.Errorf("%d dimensions, over the limit of %d", len(out), MaxDimensions)
	}
	slices.SortFunc(out, func(x, y dim) int { return strings.Compare(x.name, y.name) })
	return out, nil
}

// line returns the line of dims, made if new.
func (b *batch) line(dims []dim) *line {
	var sb strings.Builder
	for _, d := range dims {
		sb.WriteString(d.name)
		sb.WriteByte(0)
		sb.WriteString(d.value)
		sb.WriteByte(0)
	}
	k := sb.String()
	l, ok := b.byKey[k]
	if !ok {
		l = &line{dims: dims}
		b.byKey[k] = l
	}
	return l
}

// commit returns the totals to remember: those written or idle now, and
// the previous ones of series whose line was not written. Series no
// longer gathered are forgotten, unless the gathering was partial (keep):
// a collector that failed once must not have its whole count written
// again when it recovers.
func (b *batch) commit(prev map[string]float64, keep bool) map[string]float64 {
	next := b.idle
	if keep {
		for k, v := range prev {
			if _, ok := next[k]; !ok {
				next[k] = v
			}
		}
	}
	for _, p := range b.pending {
		if p.written {
			next[p.key] = p.total
		} else if v, ok := prev[p.key]; ok {
			next[p.key] = v
		}
	}
	return next
}

func seriesKey(name string, labels []*dto.LabelPair) string {
	var sb strings.Builder
	sb.WriteString(name)
	for _, lp := range labels {
		sb.WriteByte(0)
		sb.WriteString(lp.GetName())
		sb.WriteByte(0)
		sb.WriteString(lp.GetValue())
	}
	return sb.String()
}

// labelText renders labels for an error, as Prometheus does.
func labelText(labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, len(labels))
	for i, lp := range labels {
		parts[i] = fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// unitOf is the CloudWatch unit a Prometheus name's suffix gives, or
// otherwise.
func unitOf(name, otherwise string) string {
	switch {
	case strings.HasSuffix(name, "_seconds"):
		return "Seconds"
	case strings.HasSuffix(name, "_bytes"):
		return "Bytes"
	}
	return otherwise
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
