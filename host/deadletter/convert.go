package deadletter

import (
	"context"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/payload"
)

// FromClassify makes the entry for a classification failure.
func FromClassify(f *classify.Failure) Entry {
	e := Entry{
		Stage: StageClassify, Service: f.Source.Service, Resource: f.Source.Resource, Cluster: f.Cluster,
		LogType: string(f.LogType), Raw: f.Raw, Size: f.Size,
	}
	for _, a := range f.Attempts {
		e.Attempts = append(e.Attempts, Attempt{LogType: string(a.LogType), Reason: a.Reason})
	}
	for _, r := range f.Rejected {
		e.Rejected = append(e.Rejected, Rejection{Index: r.Index, Reason: r.Reason})
	}
	return e
}

// FromPayload makes the entry for a part of a delivery from src that
// could not be decoded.
func FromPayload(src payload.Source, f payload.Failure) Entry {
	return Entry{Stage: StageDecode, Service: src.Service, Resource: src.Resource, Raw: f.Raw, Size: f.Size, Reason: f.Reason}
}

// Source returns the entry's source for the classifier.
func (e *Entry) Source() classify.Source {
	return classify.Source{Service: e.Service, Resource: e.Resource}
}

// Add stores classification failures durably, for a pipeline that hands
// on classify results (the embedded runtime's DeadLetter).
func (s *Store) Add(_ context.Context, failures []*classify.Failure) error {
	entries := make([]Entry, len(failures))
	for i, f := range failures {
		entries[i] = FromClassify(f)
	}
	return s.Put(entries)
}
