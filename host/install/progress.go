package install

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal, where progress bars belong.
// Logs, pipes and CI output get none.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws a download's progress on one terminal line.
type progress struct {
	w     io.Writer
	label string
	total int64 // -1 when unknown
	done  int64
	drawn time.Time
}

func newProgress(w io.Writer, label string, total int64) *progress {
	return &progress{w: w, label: label, total: total}
}

// Write counts bytes as they are downloaded.
func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if time.Since(p.drawn) >= 100*time.Millisecond {
		p.draw()
	}
	return len(b), nil
}

const barWidth = 30

func (p *progress) draw() {
	p.drawn = time.Now()
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r  %s  %s", p.label, size(p.done))
		return
	}
	frac := min(float64(p.done)/float64(p.total), 1)
	n := int(frac * barWidth)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", barWidth-n)
	fmt.Fprintf(p.w, "\r  %s  [%s] %3.0f%%  %s / %s", p.label, bar, frac*100, size(p.done), size(p.total))
}

// finish draws the final state and ends the line.
func (p *progress) finish() {
	p.draw()
	fmt.Fprintln(p.w)
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
