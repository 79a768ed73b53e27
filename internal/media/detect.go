package media

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/monograph-cms/monograph/internal/cms"
)

// CodeImageTooLarge refuses an image whose header declares more pixels than the limit (a
// decompression bomb is refused before a single pixel is decoded): 400.
const CodeImageTooLarge cms.Code = "image_too_large"

// Limits bound what an upload may cost.
type Limits struct {
	// MaxBytes is the largest upload (413 beyond it).
	MaxBytes int64
	// MaxPixels is the largest width × height the header may declare (400
	// image_too_large beyond it).
	MaxPixels int64
	// MaxMemory bounds what processing one image may allocate (Cost, budget.go): an image
	// whose header says it would take more is refused (400 image_too_large). 0: no bound.
	MaxMemory int64
}

// DefaultLimits are 10 MiB, 40 megapixels and 512 MiB of processing: a 12-megapixel phone
// photo (376 MiB by Cost) fits; a 12-megapixel PNG, whose lossless variants cost most,
// does not (docs/media.md).
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000, MaxMemory: 512 << 20}

// Detect returns the image type of data from its first bytes (the magic numbers), never
// from a name or a declared content type. Anything but JPEG, PNG and WebP — SVG, GIF, HTML,
// a PDF renamed .png — is cms.CodeUnsupportedMedia naming the field "file".
func Detect(data []byte) (Type, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP, nil
	}
	return "", &cms.Error{Code: cms.CodeUnsupportedMedia,
		Message: "the file is not a JPEG, PNG or WebP image (its type is read from its bytes, not its name)",
		Fields:  []cms.FieldError{{Field: "file", Message: "must be a JPEG, PNG or WebP image"}}}
}

// Header detects the type and reads the dimensions from the header alone, refusing an
// image with more than lim.MaxPixels pixels, a side longer than MaxSide or a processing
// cost over lim.MaxMemory (CodeImageTooLarge), or whose header cannot be read (CodeInvalid
// naming "file"). Nothing beyond the header is decoded.
func Header(data []byte, lim Limits) (Type, image.Config, error) {
	t, err := Detect(data)
	if err != nil {
		return "", image.Config{}, err
	}
	var cfg image.Config
	r := bytes.NewReader(data)
	switch t {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case PNG:
		cfg, err = png.DecodeConfig(r)
	case WebP:
		cfg, err = webp.DecodeConfig(r)
	}
	if err != nil {
		return "", image.Config{}, damaged(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", image.Config{}, damaged(fmt.Errorf("dimensions %d×%d", cfg.Width, cfg.Height))
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return "", image.Config{}, &cms.Error{Code: CodeImageTooLarge,
			Message: fmt.Sprintf("the image is %d×%d pixels, more than the %d megapixels allowed", cfg.Width, cfg.Height, lim.MaxPixels/1_000_000),
			Fields:  []cms.FieldError{{Field: "file", Message: "too many pixels"}}}
	}
	o := 1
	if t == JPEG {
		o = jpegOrientation(data)
	}
	if err := checkCost(t, cfg, o, lim); err != nil {
		return "", image.Config{}, err
	}
	return t, cfg, nil
}

func damaged(err error) error {
	return &cms.Error{Code: cms.CodeInvalid, Message: "the image is damaged or truncated and cannot be read",
		Fields: []cms.FieldError{{Field: "file", Message: "damaged or truncated image"}}, Err: err}
}
