package app

import (
	"context"
	"embed"
	"fmt"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/media"
)

//go:embed samples/*.png
var sampleImageFiles embed.FS

// sampleImage is a figure the demo uploads to the media library and places on a sample
// page before that page is signed, so the demo's signature covers its pixels.
type sampleImage struct {
	file string
	meta media.Meta
}

// sampleImages are the demo's figures, by the slug of the sample page they illustrate.
var sampleImages = map[string][]sampleImage{
	"ketamine": {{
		file: "samples/ketamine-nmda.png",
		meta: media.Meta{
			Alt:     "Diagram: ketamine sits in the open pore of the NMDA receptor in the cell membrane, so calcium and sodium ions cannot flow through, although glutamate is bound.",
			Caption: "How ketamine blocks the NMDA receptor (schematic, not to scale).",
			Credit:  "Monograph demo figure", License: "CC0-1.0",
		},
	}},
}

// attachSampleImages uploads the sample page's figures as the writer and lists them in
// its content's images.
func (a *App) attachSampleImages(ctx context.Context, sp *samplePage, writer cms.Principal) error {
	if a.Pages.Media == nil {
		return nil
	}
	for _, im := range sampleImages[sp.Slug] {
		data, err := sampleImageFiles.ReadFile(im.file)
		if err != nil {
			return err
		}
		v, _, err := a.Pages.Media.Upload(ctx, writer, data, im.meta)
		if err != nil {
			return fmt.Errorf("%s: %w", im.file, err)
		}
		sp.Content.Images = append(sp.Content.Images, content.Image{Asset: v.ID, Caption: im.meta.Caption})
	}
	return nil
}
