package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/metrics/emf"
)

// TestFlushing: each invocation's metrics are written in the embedded
// metric format once it ends, failed or not, and only what it added.
func TestFlushing(t *testing.T) {
	reg := prometheus.NewRegistry()
	p, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := emf.New(reg, &out, emf.Options{Dimensions: map[string]string{"function": "merger"}})
	if err != nil {
		t.Fatal(err)
	}
	fail := false
	f := flushing{h: lambda.NewHandler(func(context.Context) error {
		p.Merged(1, 3)
		if fail {
			return errors.New("store down")
		}
		return nil
	}), metrics: w, log: slog.New(slog.DiscardHandler)}

	for i, wantErr := range []bool{false, true} {
		fail = wantErr
		out.Reset()
		if _, err := f.Invoke(context.Background(), []byte("{}")); (err != nil) != wantErr {
			t.Fatalf("invocation %d: %v", i, err)
		}
		data, err := emf.Scan(&out)
		if err != nil {
			t.Fatalf("invocation %d: %v\n%s", i, err, out.String())
		}
		got := map[string]float64{}
		for _, d := range data {
			if d.Namespace != "sa" || d.Dimensions["function"] != "merger" {
				t.Errorf("invocation %d: datum %+v", i, d)
			}
			for _, v := range d.Values {
				got[d.Name] += v
			}
		}
		if got["sa_alerts_merged_total"] != 3 || got["sa_merge_groups_total"] != 1 {
			t.Errorf("invocation %d: metrics %v, want this invocation's 3 merged into 1", i, got)
		}
	}
}
