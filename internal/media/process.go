package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strconv"
	"sync/atomic"

	gowebp "github.com/gen2brain/webp"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/monograph-cms/monograph/internal/cms"
)

// VariantWidths are the responsive widths made at upload; none is larger than the
// original (never upscaled).
var VariantWidths = []int{320, 640, 1280}

// Rendition is one file to store: its description and bytes.
type Rendition struct {
	File
	Data []byte
}

// Processed is an upload made ready to store.
type Processed struct {
	SHA256 string
	Type   Type
	Width  int
	Height int
	Bytes  int64
	Files  []Rendition
}

// FileList returns the descriptions of p's files.
func (p Processed) FileList() []File {
	out := make([]File, len(p.Files))
	for i, f := range p.Files {
		out[i] = f.File
	}
	return out
}

// decodeSlots lets one image be decoded at a time in this process: decoding and scaling
// hold the whole bitmap and the scaler's temporary (budget.go), so concurrency would
// multiply the peak memory rather than the throughput on a small server.
var decodeSlots = make(chan struct{}, 1)

// MaxWaiting is how many uploads may wait for the decode slot: each holds its upload in
// memory (up to Limits.MaxBytes) while it waits, so beyond this the server answers 503 with
// Retry-After instead of queueing without end.
const MaxWaiting = 4

// queued counts the uploads holding or waiting for the decode slot.
var queued atomic.Int32

// retryAfterSeconds is the Retry-After of a busy answer: about what one large upload takes.
const retryAfterSeconds = 3

// acquireDecodeSlot waits for the decode slot, refusing at once when MaxWaiting uploads are
// waiting already (cms.CodeUnavailable) and giving up when ctx ends.
func acquireDecodeSlot(ctx context.Context) (release func(), err error) {
	if queued.Add(1) > 1+MaxWaiting {
		queued.Add(-1)
		return nil, &cms.Error{Code: cms.CodeUnavailable, RetryAfterSeconds: retryAfterSeconds,
			Message: "the server is processing other images; try again in a few seconds"}
	}
	select {
	case decodeSlots <- struct{}{}:
		return func() { <-decodeSlots; queued.Add(-1) }, nil
	case <-ctx.Done():
		queued.Add(-1)
		return nil, abandoned(ctx)
	}
}

// abandoned is the answer for an upload whose request ended (the client went away, or the
// server's time for a request ran out) before its image was processed.
func abandoned(ctx context.Context) error {
	return &cms.Error{Code: cms.CodeUnavailable, RetryAfterSeconds: retryAfterSeconds,
		Message: "the upload ended before its image was processed", Err: context.Cause(ctx)}
}

// SHA256Hex returns the lowercase hex sha256 of data.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Process checks an upload and makes its files: the size limit (cms.CodeTooLarge), the type
// from the bytes (cms.CodeUnsupportedMedia), the pixel limit from the header
// (CodeImageTooLarge), a full decode (cms.CodeInvalid when damaged or truncated), then the
// original re-encoded from its pixels — which drops every EXIF, GPS, XMP, ICC and comment
// block, since only pixels are carried over — and the responsive variants in WebP.
func Process(data []byte, lim Limits) (Processed, error) {
	return ProcessContext(context.Background(), data, lim)
}

// ProcessContext is Process for a request: it waits for the decode slot only while ctx
// lasts and with at most MaxWaiting others (cms.CodeUnavailable, with a Retry-After), and
// stops between steps once ctx has ended.
func ProcessContext(ctx context.Context, data []byte, lim Limits) (Processed, error) {
	if int64(len(data)) > lim.MaxBytes {
		return Processed{}, TooLarge(lim.MaxBytes)
	}
	t, cfg, err := Header(data, lim)
	if err != nil {
		return Processed{}, err
	}
	// Header has refused what would cost more than lim.MaxMemory (budget.go).
	release, err := acquireDecodeSlot(ctx)
	if err != nil {
		return Processed{}, err
	}
	defer release()
	img, err := decode(t, data)
	if err != nil {
		return Processed{}, damaged(err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return Processed{}, damaged(fmt.Errorf("decoded %v, header said %dx%d", b, cfg.Width, cfg.Height))
	}
	if t == JPEG {
		img = orient(img, jpegOrientation(data)) // before the EXIF block is dropped (orientation.go)
		cfg.Width, cfg.Height = img.Bounds().Dx(), img.Bounds().Dy()
	}
	if ctx.Err() != nil {
		return Processed{}, abandoned(ctx)
	}
	p := Processed{SHA256: SHA256Hex(data), Type: t, Width: cfg.Width, Height: cfg.Height, Bytes: int64(len(data))}
	orig, err := encodeOriginal(t, img)
	if err != nil {
		return Processed{}, err
	}
	p.Files = append(p.Files, rendition("original."+t.Ext(), t, cfg.Width, cfg.Height, orig))
	// Largest first, each variant scaled from the previous one: scaling a 12-megapixel
	// photo to 1280 pixels once, then 1280 → 640 → 320, costs a third of scaling the
	// original three times, and looks the same at these ratios.
	src := img
	for i := len(VariantWidths) - 1; i >= 0; i-- {
		w := VariantWidths[i]
		if w >= cfg.Width {
			continue
		}
		if ctx.Err() != nil {
			return Processed{}, abandoned(ctx) // no one is waiting for the rest
		}
		h := max(1, int((int64(cfg.Height)*int64(w)+int64(cfg.Width)/2)/int64(cfg.Width)))
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
		b, err := encodeVariant(t, dst)
		if err != nil {
			return Processed{}, err
		}
		p.Files = append(p.Files, rendition(strconv.Itoa(w)+".webp", WebP, w, h, b))
		src = dst
	}
	return p, nil
}

// Verify checks that data is a whole image as Process accepts one — its type from its
// bytes, its header within lim, every pixel decodable — without making anything. An import
// uses it on files processed elsewhere: an edited export whose hashes were made to match
// must still not store bytes that are not an image.
func Verify(data []byte, lim Limits) (Type, image.Config, error) {
	if int64(len(data)) > lim.MaxBytes {
		return "", image.Config{}, TooLarge(lim.MaxBytes)
	}
	t, cfg, err := Header(data, lim)
	if err != nil {
		return "", image.Config{}, err
	}
	release, err := acquireDecodeSlot(context.Background())
	if err != nil {
		return "", image.Config{}, err
	}
	defer release()
	img, err := decode(t, data)
	if err != nil {
		return "", image.Config{}, damaged(err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return "", image.Config{}, damaged(fmt.Errorf("decoded %v, header said %dx%d", b, cfg.Width, cfg.Height))
	}
	return t, cfg, nil
}

// cannotProcess is the 400 answer for an image that passed every check and still could not
// be encoded: the upload's fault as far as anyone can tell, and never a 500.
func cannotProcess(err error) error {
	return &cms.Error{Code: cms.CodeInvalid, Message: "the image cannot be processed; save it again in an image editor or make it smaller",
		Fields: []cms.FieldError{{Field: "file", Message: "cannot be processed"}}, Err: err}
}

// TooLarge is the 413 answer for an upload over limit bytes.
func TooLarge(limit int64) error {
	return &cms.Error{Code: cms.CodeTooLarge,
		Message: fmt.Sprintf("the file is larger than the %d MiB allowed", limit>>20),
		Fields:  []cms.FieldError{{Field: "file", Message: "too large"}}}
}

func rendition(name string, t Type, w, h int, data []byte) Rendition {
	return Rendition{File: File{Name: name, Type: t, Width: w, Height: h, Bytes: int64(len(data)), SHA256: SHA256Hex(data)}, Data: data}
}

func decode(t Type, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch t {
	case JPEG:
		return jpeg.Decode(r)
	case PNG:
		return png.Decode(r)
	case WebP:
		return webp.Decode(r)
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

// encodeOriginal re-encodes the full-size pixels in the upload's own format: JPEG at
// quality 90 (visually lossless for photos), PNG losslessly, WebP at quality 90.
func encodeOriginal(t Type, img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch t {
	case JPEG:
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case PNG:
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	case WebP:
		err = gowebp.Encode(&buf, img, gowebp.Options{Quality: 90})
	}
	if err != nil {
		return nil, cannotProcess(fmt.Errorf("media: encode original: %w", err))
	}
	return buf.Bytes(), nil
}

// encodeVariant encodes a scaled variant as WebP: lossy at quality 80 for photographs
// (about 30% smaller than JPEG of the same look at these widths), lossless for PNG sources,
// which are diagrams and charts whose text lossy coding would blur.
func encodeVariant(t Type, img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	opts := gowebp.Options{Quality: 80}
	if t == PNG {
		opts = gowebp.Options{Lossless: true, Method: 4}
	}
	if err := gowebp.Encode(&buf, img, opts); err != nil {
		return nil, cannotProcess(fmt.Errorf("media: encode variant: %w", err))
	}
	return buf.Bytes(), nil
}
