package app

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// governMemory keeps the Go heap near a soft limit of floor bytes, so the server's memory
// stays flat as the library grows, until the live data itself needs more.
//
// serve runs with GOGC=200: delivery answers from memory and allocates little per request,
// so collecting rarely keeps the latency tail short. Alone, that lets a large heap grow to
// three times its live size; the limit holds it at floor instead. When the live heap nears
// the limit (a large library), a fixed limit would make the collector run back to back, so
// the limit follows at 1.5 times the live heap, checked every two seconds, and returns to
// floor when the live heap shrinks. GOMEMLIMIT, when set, replaces all of this.
func governMemory(ctx context.Context, floor int64, log *slog.Logger) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	limit := floor
	debug.SetMemoryLimit(limit)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		live := int64(sample[0].Value.Uint64())
		want := max(floor, live+live/2)
		if want == limit {
			continue
		}
		if want > limit && limit == floor {
			log.Info("the live heap outgrew --memory-limit-mb; following it", "liveMB", live>>20, "limitMB", want>>20)
		}
		limit = want
		debug.SetMemoryLimit(limit)
	}
}
