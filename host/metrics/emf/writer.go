package emf

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Limits of the embedded metric format.
const (
	// MaxMetrics is the most metrics one directive names.
	MaxMetrics = 100
	// MaxDimensions is the most dimensions in one dimension set.
	MaxDimensions = 30
	// MaxValues is the most numbers in one metric's array value.
	MaxValues = 100
	// maxName bounds a namespace, metric name or dimension name.
	maxName = 255
	// maxDimensionValue bounds a dimension's value (CloudWatch's limit).
	maxDimensionValue = 1024
)

// DefaultNamespace is the CloudWatch namespace when Options names none.
const DefaultNamespace = "sa"

// Options tune a Writer; zero fields take the defaults in parentheses.
type Options struct {
	// Namespace is the CloudWatch namespace of every metric ("sa").
	Namespace string
	// Dimensions are added to every line, such as the function and its
	// cluster: {"function": "classifier", "cluster": "prod"}. A series'
	// own label of the same name takes precedence.
	Dimensions map[string]string
	// Now stamps each Flush's lines (time.Now).
	Now func() time.Time
}

// Writer writes the metrics a Gatherer returns as EMF lines. It is safe
// for concurrent use; Flushes run one at a time.
type Writer struct {
	g     prometheus.Gatherer
	out   io.Writer
	ns    string
	fixed []dim
	now   func() time.Time

	mu sync.Mutex
	// sent is each counter's (and histogram count's and sum's) cumulative
	// value at the last line that carried it, by series key.
	sent map[string]float64
	buf  []byte
}

// dim is one dimension: a name and its value.
type dim struct{ name, value string }

// New returns a Writer of g's metrics to out. It fails on a namespace or
// fixed dimension CloudWatch would refuse.
func New(g prometheus.Gatherer, out io.Writer, o Options) (*Writer, error) {
	if g == nil || out == nil {
		return nil, errors.New("emf: a gatherer and a writer are required")
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if err := checkNamespace(o.Namespace); err != nil {
		return nil, fmt.Errorf("emf: %w", err)
	}
	if len(o.Dimensions) > MaxDimensions {
		return nil, fmt.Errorf("emf: %d fixed dimensions, over the limit of %d", len(o.Dimensions), MaxDimensions)
	}
	var fixed []dim
	for _, name := range slices.Sorted(maps.Keys(o.Dimensions)) {
		if err := checkName("dimension", name); err != nil {
			return nil, fmt.Errorf("emf: %w", err)
		}
		v := cleanValue(o.Dimensions[name])
		if v == "" {
			return nil, fmt.Errorf("emf: dimension %q has no value", name)
		}
		fixed = append(fixed, dim{name, v})
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Writer{g: g, out: out, ns: o.Namespace, fixed: fixed, now: o.Now, sent: map[string]float64{}}, nil
}

// Flush writes a line for each set of dimensions with something to
// report since the previous Flush. Series that cannot become CloudWatch
// metrics (too many dimensions, names CloudWatch refuses) are skipped and
// named in the error; the rest are written. After a failed write, the
// increases not written are carried to the next Flush.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	mfs, err := w.g.Gather()
	partial := err != nil
	var errs []error
	if partial {
		errs = append(errs, fmt.Errorf("emf: gather: %w", err))
	}
	b := newBatch(w.fixed, w.sent)
	for _, mf := range mfs {
		errs = append(errs, b.family(mf)...)
	}
	ts := w.now().UnixMilli()
	// A line stays far below CloudWatch Logs' 256 KB event limit: at most
	// 100 metric names and 30 dimensions, each name under 256 bytes and
	// each value under 1,025.
	for _, l := range b.lines {
		for chunk := range slices.Chunk(l.points, MaxMetrics) {
			w.buf = appendLine(w.buf[:0], w.ns, ts, l.dims, chunk)
			if _, err := w.out.Write(w.buf); err != nil {
				errs = append(errs, fmt.Errorf("emf: write: %w", err))
				w.sent = b.commit(w.sent, partial)
				return errors.Join(errs...)
			}
			for _, p := range chunk {
				p.written = true
			}
		}
	}
	w.sent = b.commit(w.sent, partial)
	return errors.Join(errs...)
}

func checkNamespace(ns string) error {
	if err := checkName("namespace", ns); err != nil {
		return err
	}
	if strings.HasPrefix(ns, "AWS/") {
		return fmt.Errorf("namespace %q: the AWS/ prefix is reserved", ns)
	}
	return nil
}

// checkName accepts what CloudWatch takes as a namespace, metric or
// dimension name: 1 to 255 printable ASCII characters, not starting with
// a colon, and not the metadata member _aws.
func checkName(what, name string) error {
	switch {
	case name == "" || len(name) > maxName:
		return fmt.Errorf("%s name %q: must be 1 to %d characters", what, name, maxName)
	case name[0] == ':':
		return fmt.Errorf("%s name %q: must not start with a colon", what, name)
	case name == "_aws":
		return fmt.Errorf("%s name %q is the metadata member", what, name)
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return fmt.Errorf("%s name %q: only printable ASCII characters are allowed", what, name)
		}
	}
	return nil
}

// cleanValue makes a label value a dimension value CloudWatch accepts:
// printable ASCII (others become '?'), at most 1,024 bytes, and "" when
// nothing but spaces is left, which means no dimension.
func cleanValue(v string) string {
	clean := true
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			clean = false
			break
		}
	}
	if !clean {
		var sb strings.Builder
		for _, r := range v {
			if r < 0x20 || r > 0x7e {
				r = '?'
			}
			sb.WriteRune(r)
		}
		v = sb.String()
	}
	if len(v) > maxDimensionValue {
		v = v[:maxDimensionValue]
	}
	if strings.TrimSpace(v) == "" {
		return ""
	}
	return v
}
