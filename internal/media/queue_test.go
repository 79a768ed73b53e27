package media

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

func smallPNG(tb testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Uploads waiting for the decode slot are bounded: beyond MaxWaiting the next is refused
// at once with 503 and a Retry-After, and one whose request ends stops waiting.
func TestDecodeQueueIsBounded(t *testing.T) {
	data := smallPNG(t)
	decodeSlots <- struct{}{} // a long upload holds the slot
	held := true
	release := func() {
		if held {
			<-decodeSlots
			held = false
		}
	}
	defer release()

	ctx, cancel := context.WithCancel(t.Context())
	abandonedErr := make(chan error, 1)
	go func() { _, err := ProcessContext(ctx, data, DefaultLimits); abandonedErr <- err }()
	cancel()
	select {
	case err := <-abandonedErr:
		if !cms.IsCode(err, cms.CodeUnavailable) {
			t.Fatalf("an abandoned upload: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an upload whose request ended kept waiting for the decode slot")
	}

	var wg sync.WaitGroup
	errs := make([]error, 1+MaxWaiting)
	for i := range errs {
		wg.Go(func() { _, errs[i] = ProcessContext(t.Context(), data, DefaultLimits) })
	}
	deadline := time.Now().Add(5 * time.Second)
	for queued.Load() < int32(len(errs)) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	refused := make(chan error, 1)
	go func() { _, err := ProcessContext(t.Context(), data, DefaultLimits); refused <- err }()
	select {
	case err := <-refused:
		var e *cms.Error
		if !cms.IsCode(err, cms.CodeUnavailable) || !asError(err, &e) || e.RetryAfterSeconds <= 0 {
			t.Fatalf("one upload too many: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("with %d uploads waiting, one more queued instead of being refused", len(errs))
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("waiting upload %d: %v", i, err)
		}
	}
	if n := queued.Load(); n != 0 {
		t.Fatalf("%d uploads still counted as queued", n)
	}
}

func asError(err error, e **cms.Error) bool {
	ce, ok := err.(*cms.Error)
	*e = ce
	return ok
}
