package media

import (
	"fmt"
	"image"
	"image/color"

	"github.com/monograph-cms/monograph/internal/cms"
)

// What processing an image costs is known from its header: the decoded bitmap (bytes a
// pixel depend on the colour model: a 16-bit PNG holds 8, a greyscale one 1), the copies
// that turning a photo takes, the re-encoded original, and above all the Catmull-Rom
// scaler's temporary, which holds 32 bytes for every (variant column × source row): a
// tall narrow image costs far more to scale than its pixel count suggests (a 330×17,000
// greyscale PNG of 20 KB needs 174 MB). So Header refuses, before a pixel is decoded, what
// would exceed Limits.MaxMemory, and what WebP cannot encode at all.

// MaxSide is the longest side an image may have: WebP, the variants' format, cannot be
// wider or taller than 16,383 pixels, and no page shows such a picture.
const MaxSide = 16383

// scalerBytes is what golang.org/x/image/draw's kernel scaler holds per temporary pixel
// (four float64 channels).
const scalerBytes = 32

// What encoding as WebP holds at its peak, per pixel and once per encode: the NRGBA copy
// the encoder makes, its copy into the WebAssembly memory (which grows by copying), and
// libwebp's working buffers. Lossless coding (PNG sources) is the dearer, and noise costs
// more than a drawing: measured on noise at a 158 MiB peak for 1280×731 lossless, 81 MiB
// lossy (TestCostBoundsPeakMemory holds Cost above what processing reaches).
const (
	webpLossyBytes       = 96
	webpLossyFixed       = 4 << 20
	webpLosslessBytes    = 176
	webpLosslessFixed    = 24 << 20
	encodedBytesPerPixel = 3 // a JPEG original, in a buffer grown by doubling
)

// bytesPerPixel is what a decoded pixel of the colour model takes in memory.
func bytesPerPixel(t Type, m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // a JPEG without chroma subsampling (4:4:4), the worst case
	case color.NYCbCrAModel:
		return 4
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown: the widest standard model
}

// variantSizes returns the variants Process makes of a w×h image, largest first.
func variantSizes(w, h int) [][2]int {
	var out [][2]int
	for i := len(VariantWidths) - 1; i >= 0; i-- {
		vw := VariantWidths[i]
		if vw >= w {
			continue
		}
		out = append(out, [2]int{vw, max(1, int((int64(h)*int64(vw)+int64(w)/2)/int64(w)))})
	}
	return out
}

// Cost returns an upper bound of the memory Process holds at its peak for an image of type
// t with header cfg and EXIF orientation o: the sum of every large buffer, as though none
// were freed before the last is made.
func Cost(t Type, cfg image.Config, o int) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	total := px * bytesPerPixel(t, cfg.ColorModel)
	if t == JPEG && o > 1 {
		total += 2 * 4 * px // orient: an RGBA copy and the turned RGBA
		if o >= 5 {
			w, h = h, w
		}
	}
	switch t {
	case WebP:
		total += webpLossyBytes*px + webpLossyFixed // re-encoded lossy, at quality 90
	case JPEG:
		total += encodedBytesPerPixel * px
	default:
		total += 2 * px * bytesPerPixel(t, cfg.ColorModel) // PNG: at most the raw pixels, doubled
	}
	perPixel, fixed := int64(webpLossyBytes), int64(webpLossyFixed)
	if t == PNG {
		perPixel, fixed = webpLosslessBytes, webpLosslessFixed // diagrams' variants are lossless
	}
	srcH := h
	for _, v := range variantSizes(int(w), int(h)) {
		vw, vh := int64(v[0]), int64(v[1])
		total += vw*srcH*scalerBytes + vw*vh*4 + perPixel*vw*vh + fixed
		srcH = vh
	}
	return total + 1<<20 // decoder and encoder state, tables
}

// checkCost refuses an image WebP cannot encode, or whose processing would cost more than
// lim.MaxMemory.
func checkCost(t Type, cfg image.Config, o int, lim Limits) error {
	tooLarge := func(msg string) error {
		return &cms.Error{Code: CodeImageTooLarge, Message: msg,
			Fields: []cms.FieldError{{Field: "file", Message: "too large to process"}}}
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide {
		return tooLarge(fmt.Sprintf("the image is %d×%d pixels; neither side may exceed %d", cfg.Width, cfg.Height, MaxSide))
	}
	if lim.MaxMemory > 0 {
		if c := Cost(t, cfg, o); c > lim.MaxMemory {
			return tooLarge(fmt.Sprintf("processing this %d×%d image would take about %d MiB, more than the %d MiB allowed; make it smaller or less tall",
				cfg.Width, cfg.Height, c>>20, lim.MaxMemory>>20))
		}
	}
	return nil
}
