package main

import (
	"encoding/json"
	"fmt"
)

// stateVersion is the layout of the state this build writes. A state with
// another version is refused rather than guessed at: starting over would
// deliver every line again.
const stateVersion = 1

// state is the checkpoint of one instance, as JSON:
//
//	{"v":1,"files":{"/var/log/app.log":{"dev":2049,"ino":1311,"size":4096,...}}}
//
// Files holds one entry per file seen in the last poll; files that are gone
// are dropped.
type state struct {
	V     int                   `json:"v"`
	Files map[string]*fileState `json:"files"`
}

// fileState is the progress through one file.
type fileState struct {
	// Dev and Ino identify the file, to notice it being replaced or renamed.
	Dev uint64 `json:"dev,omitempty"`
	Ino uint64 `json:"ino,omitempty"`
	// Size and MTime are the file's on-disk size and modification time
	// (Unix nanoseconds) when it was last read; a file smaller than Size was
	// truncated.
	Size  int64 `json:"size"`
	MTime int64 `json:"mtime,omitempty"`
	// FP is the hex SHA-256 of the file's first FPLen bytes, to notice a
	// file rewritten in place that grew past its old size.
	FP    string `json:"fp,omitempty"`
	FPLen int64  `json:"fp_len,omitempty"`
	// Offset is how far the file was consumed: every line before it was
	// emitted or skipped. For .gz files it counts uncompressed bytes.
	Offset int64 `json:"offset"`
	// Line is the number of lines consumed, for messages.
	Line int64 `json:"line"`
	// Skipped counts lines dropped for exceeding max_line_bytes.
	Skipped int64 `json:"skipped,omitempty"`
	// Discard is set while inside an over-long line whose start was
	// already skipped: the rest of it, up to its newline, is dropped.
	Discard bool `json:"discard,omitempty"`
	// Done is set when the file was read to Size; with Size and MTime
	// unchanged it need not be opened again.
	Done bool `json:"done,omitempty"`
}

// id returns the identity recorded for the file.
func (f *fileState) id() fileID { return fileID{dev: f.Dev, ino: f.Ino} }

// decodeState parses a checkpoint; an empty one is a first run.
func decodeState(b []byte) (*state, error) {
	st := &state{V: stateVersion, Files: map[string]*fileState{}}
	if len(b) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("file: decode state: %w", err)
	}
	if st.V != stateVersion {
		return nil, fmt.Errorf("file: state version %d is not supported (this build reads version %d)", st.V, stateVersion)
	}
	if st.Files == nil {
		st.Files = map[string]*fileState{}
	}
	for path, f := range st.Files {
		if f == nil || f.Offset < 0 || f.Size < 0 || f.FPLen < 0 {
			return nil, fmt.Errorf("file: decode state: bad entry for %s", path)
		}
	}
	return st, nil
}

// encode returns the checkpoint as JSON; map keys come out sorted, so equal
// states encode equally.
func (s *state) encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		// Only plain numbers, strings and booleans: cannot fail.
		panic(fmt.Sprintf("file: encode state: %v", err))
	}
	return b
}
