package staging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/streamalert-go/sa/internal/atomicfile"
	"github.com/streamalert-go/sa/internal/flock"
	"io/fs"
	"os"
	"sort"
	"sync"
	"time"
)

// State is one rule's staging state, StreamAlert's rules table row plus
// the alert count.
type State struct {
	Rule        string    `json:"rule"`
	Staged      bool      `json:"staged"`
	StagedAt    time.Time `json:"staged_at"`
	StagedUntil time.Time `json:"staged_until"`
	// Alerts counts the rule's alerts since it was last staged.
	Alerts int64 `json:"alerts"`
}

// Store persists states. The embedded runtime uses a File; the AWS
// runtime a DynamoDB table. Several processes may share one store (sa
// serve and the sa rules commands): every change is a read-modify-write
// through Update.
type Store interface {
	// Load returns every rule's state.
	Load(ctx context.Context) (map[string]State, error)
	// Update reads every rule's state, lets change modify the map, and
	// writes the result, atomically with respect to other Updates of
	// the store from any process. An error from change writes nothing.
	Update(ctx context.Context, change func(states map[string]State) error) error
}

// File is a Store in one JSON file, replaced atomically on each write.
// Updates hold an exclusive lock on a file beside it (path + ".lock"), so
// processes sharing the file do not lose each other's changes.
type File struct {
	Path string
	mu   sync.Mutex
}

// Load implements Store. A missing file is an empty table.
func (f *File) Load(context.Context) (map[string]State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *File) load() (map[string]State, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	var list []State
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("staging: %s: %w", f.Path, err)
	}
	out := make(map[string]State, len(list))
	for _, s := range list {
		out[s.Rule] = s
	}
	return out, nil
}

// Update implements Store.
func (f *File) Update(_ context.Context, change func(map[string]State) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := flock.Lock(f.Path + ".lock")
	if err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	defer unlock()
	all, err := f.load()
	if err != nil {
		return err
	}
	if err := change(all); err != nil {
		return err
	}
	list := make([]State, 0, len(all))
	for _, s := range all {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Rule < list[j].Rule })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	return atomicfile.Write(f.Path, append(data, '\n'), 0o600)
}

var _ Store = (*File)(nil)
