package content

// Rendered is the content part of a delivered page (docs/api.md "Delivery" without slug,
// revision, dates and review data): the normalized content with the sanitised HTML of
// every Markdown field beside its source. The summary is plain text and has no HTML.
type Rendered struct {
	Title           string                `json:"title"`
	Summary         string                `json:"summary"`
	Drug            Drug                  `json:"drug"`
	Sections        []RenderedSection     `json:"sections"`
	ClinicalUses    []RenderedClinicalUse `json:"clinicalUses"`
	Routes          []string              `json:"routes"`
	SideEffects     SideEffects           `json:"sideEffects"`
	PatientGuidance []string              `json:"patientGuidance"`
	References      []Reference           `json:"references"`
	Disclaimer      string                `json:"disclaimer"`
	DisclaimerHTML  string                `json:"disclaimerHtml"`
	Tags            []string              `json:"tags"`
	// Images are the page's library images; Media names every asset the page uses, so
	// delivery serves those files and no others (images.go).
	Images []RenderedImage `json:"images,omitempty"`
	Media  []MediaRef      `json:"media,omitempty"`
}

// RenderedSection is a Section with its body rendered as HTML.
type RenderedSection struct {
	Key   SectionKey `json:"key"`
	Title string     `json:"title"`
	Body  string     `json:"body"`
	HTML  string     `json:"html"`
}

// RenderedClinicalUse is a ClinicalUse with its description rendered as HTML.
type RenderedClinicalUse struct {
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	DescriptionHTML string    `json:"descriptionHtml"`
	Status          UseStatus `json:"status"`
}

// Render normalizes c and renders its Markdown fields. It is meant to run once at publish
// time, not per request: rendering a large page costs milliseconds.
func Render(c Content) Rendered {
	c = c.Normalized()
	refs := assetMap(c.Assets)
	r := Rendered{
		Title:           c.Title,
		Summary:         c.Summary,
		Drug:            c.Drug,
		Sections:        make([]RenderedSection, len(c.Sections)),
		ClinicalUses:    make([]RenderedClinicalUse, len(c.ClinicalUses)),
		Routes:          c.Routes,
		SideEffects:     c.SideEffects,
		PatientGuidance: c.PatientGuidance,
		References:      c.References,
		Disclaimer:      c.Disclaimer,
		DisclaimerHTML:  renderMarkdownWith(c.Disclaimer, refs),
		Tags:            c.Tags,
	}
	for i, s := range c.Sections {
		r.Sections[i] = RenderedSection{Key: s.Key, Title: s.Title, Body: s.Body, HTML: renderMarkdownWith(s.Body, refs)}
	}
	for i, u := range c.ClinicalUses {
		r.ClinicalUses[i] = RenderedClinicalUse{
			Name: u.Name, Description: u.Description,
			DescriptionHTML: renderMarkdownWith(u.Description, refs), Status: u.Status,
		}
	}
	r.Images, r.Media = renderImages(c)
	return r
}
