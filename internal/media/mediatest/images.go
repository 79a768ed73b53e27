// Package mediatest makes the image files the media tests upload: real encodings built in
// memory (no binary fixtures), with the metadata and the damage each test needs.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	gowebp "github.com/gen2brain/webp"
)

// GPSMarker is text planted in the metadata of the files below: found in a stored file, it
// means metadata survived.
const GPSMarker = "GPSLatitude 51.5074 N GPSLongitude 0.1278 W"

// Picture returns a w×h image with a gradient and a diagonal, so scaling has work to do.
// seed changes the pixels (two seeds, two different images).
func Picture(w, h int, seed uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x*255/max(1, w-1)) ^ seed, uint8(y * 255 / max(1, h-1)), seed, 255}
			if x*h/max(1, w) == y {
				c = color.NRGBA{0, 0, 0, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// PNG encodes img.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEG encodes img at quality 90.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// exif is a minimal TIFF-structured EXIF block carrying GPSMarker as text.
func exif() []byte {
	return append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte(GPSMarker)...)
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// PNGWithGPS returns a w×h PNG carrying GPS coordinates in an eXIf chunk, a tEXt comment
// and an iTXt XMP packet, right after IHDR.
func PNGWithGPS(w, h int) []byte {
	plain := PNG(Picture(w, h, 7))
	ihdrEnd := 8 + 12 + 13 // signature, IHDR header+CRC, IHDR data
	var out bytes.Buffer
	out.Write(plain[:ihdrEnd])
	out.Write(pngChunk("eXIf", exif()[6:]))
	out.Write(pngChunk("tEXt", []byte("Comment\x00"+GPSMarker)))
	out.Write(pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"+GPSMarker+"</x:xmpmeta>")))
	out.Write(plain[ihdrEnd:])
	return out.Bytes()
}

// JPEGWithGPS returns a w×h JPEG carrying GPS coordinates in an APP1 EXIF segment and a
// comment segment.
func JPEGWithGPS(w, h int) []byte {
	plain := JPEG(Picture(w, h, 9))
	seg := func(marker byte, data []byte) []byte {
		return append([]byte{0xFF, marker, byte((len(data) + 2) >> 8), byte(len(data) + 2)}, data...)
	}
	var out bytes.Buffer
	out.Write(plain[:2]) // SOI
	out.Write(seg(0xE1, exif()))
	out.Write(seg(0xFE, []byte(GPSMarker)))
	out.Write(plain[2:])
	return out.Bytes()
}

// PNGBomb returns a small PNG whose header declares w×h pixels (a decompression bomb's
// shape: a decoder that trusted the header would allocate w×h×4 bytes).
func PNGBomb(w, h int) []byte {
	b := PNG(Picture(1, 1, 0))
	binary.BigEndian.PutUint32(b[16:], uint32(w))
	binary.BigEndian.PutUint32(b[20:], uint32(h))
	crc := crc32.NewIEEE()
	crc.Write(b[12:29]) // "IHDR" and its 13 bytes
	binary.BigEndian.PutUint32(b[29:], crc.Sum32())
	return b
}

// TruncatedJPEG returns a w×h JPEG cut off in the middle of its scan.
func TruncatedJPEG(w, h int) []byte {
	b := JPEG(Picture(w, h, 3))
	return b[:len(b)*2/3]
}

// SVGWithScript is an SVG document with a script: never an accepted image.
const SVGWithScript = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>`

// JPEGWithOrientation returns a w×h JPEG of Picture whose EXIF says to show it under
// orientation o (6: turn it 90° clockwise), with a red square in its stored top-left corner.
func JPEGWithOrientation(w, h, o int) []byte {
	img := Picture(w, h, 1)
	for y := range 10 {
		for x := range 10 {
			img.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
		}
	}
	plain := JPEG(img)
	tiff := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
	tiff[6+8+2+8+1] = byte(o)
	seg := append([]byte{0xFF, 0xE1, byte((len(tiff) + 2) >> 8), byte(len(tiff) + 2)}, tiff...)
	return append(append(append([]byte{}, plain[:2]...), seg...), plain[2:]...)
}

// WebP encodes img losslessly as WebP.
func WebP(img image.Image) []byte {
	var buf bytes.Buffer
	if err := gowebp.Encode(&buf, img, gowebp.Options{Lossless: true}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
