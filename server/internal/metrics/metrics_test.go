package metrics

import (
	"testing"
)

func TestQueuedJobAttemptsAreCountedByKindAndOutcome(t *testing.T) {
	t.Parallel()
	m := New(nil, nil)
	m.JobAttempted("webhook-delivery", "retry")
	m.JobAttempted("webhook-delivery", "retry")
	m.JobAttempted("notify-email", "sent")
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "skillgate_queue_attempts_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["kind"]+" "+labels["outcome"]] = s.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"webhook-delivery retry": 2, "notify-email sent": 1}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
}
