package threatintel

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// IOC is one indicator as StreamAlert's IOC table and test fixtures hold
// it. SubType (the feed's classification, such as "mal_ip") and Source are
// accepted and not kept: matches carry values only, as in StreamAlert.
type IOC struct {
	Value   string `json:"ioc_value"`
	Type    string `json:"ioc_type"`
	SubType string `json:"sub_type,omitempty"`
	Source  string `json:"source,omitempty"`
	// Expires is when the indicator stops being used, in Unix seconds;
	// 0 never expires.
	Expires int64 `json:"expiration_ts,omitempty"`
}

// Expired reports whether the IOC has expired at now.
func (i IOC) Expired(now time.Time) bool {
	return i.Expires > 0 && i.Expires <= now.Unix()
}

// AddAll stores every IOC, stopping at the first invalid one.
func (s *Store) AddAll(iocs []IOC) error {
	for i, ioc := range iocs {
		if err := s.Add(ioc.Type, ioc.Value); err != nil {
			return fmt.Errorf("ioc %d: %w", i, err)
		}
	}
	return nil
}

// LoadJSON adds IOCs from r: a JSON array of IOC objects, or one object
// a line (JSON lines), the form StreamAlert's threat intel downloader
// stored. IOCs already expired are skipped. It returns how many were read.
func (s *Store) LoadJSON(r io.Reader) (int, error) {
	now := time.Now()
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return 0, err
	}
	dec := json.NewDecoder(br)
	n := 0
	add := func(ioc IOC) error {
		n++
		if ioc.Expired(now) {
			return nil
		}
		if err := s.Add(ioc.Type, ioc.Value); err != nil {
			return fmt.Errorf("threatintel: IOC %d: %w", n, err)
		}
		return nil
	}
	if first == '[' {
		if _, err := dec.Token(); err != nil {
			return 0, fmt.Errorf("threatintel: %w", err)
		}
	}
	for dec.More() {
		var ioc IOC
		if err := dec.Decode(&ioc); err != nil {
			return n, fmt.Errorf("threatintel: IOC %d: %w", n+1, err)
		}
		if err := add(ioc); err != nil {
			return n, err
		}
	}
	return n, nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("threatintel: %w", err)
		}
		if !bytes.ContainsRune([]byte(" \t\r\n"), rune(b)) {
			return b, br.UnreadByte()
		}
	}
}

// LoadList adds IOCs of one type from r, one value a line, as plain
// feeds publish them; blank lines and lines starting with '#' are
// skipped. It returns how many were read.
func (s *Store) LoadList(r io.Reader, iocType string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	n, line := 0, 0
	for sc.Scan() {
		line++
		v := strings.TrimSpace(sc.Text())
		if v == "" || strings.HasPrefix(v, "#") {
			continue
		}
		if err := s.Add(iocType, v); err != nil {
			return n, fmt.Errorf("threatintel: line %d: %w", line, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("threatintel: %w", err)
	}
	return n, nil
}
