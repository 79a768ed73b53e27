package delivery

import (
	"strconv"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// The schema.org document of a page (https://schema.org/MedicalWebPage about a
// https://schema.org/Drug), so websites get rich results without mapping fields by hand.
type ldPage struct {
	Context       string       `json:"@context"`
	Type          string       `json:"@type"`
	URL           string       `json:"url"`
	Name          string       `json:"name"`
	Description   string       `json:"description,omitempty"`
	InLanguage    string       `json:"inLanguage,omitempty"`
	DatePublished string       `json:"datePublished"`
	DateModified  string       `json:"dateModified"`
	LastReviewed  string       `json:"lastReviewed"`
	ReviewedBy    ldPerson     `json:"reviewedBy"`
	About         ldDrug       `json:"about"`
	Keywords      []string     `json:"keywords,omitempty"`
	Citation      []ldCitation `json:"citation,omitempty"`
	Image         []string     `json:"image,omitempty"` // media.go
}

type ldPerson struct {
	Type            string `json:"@type"`
	Name            string `json:"name"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

type ldDrug struct {
	Type                string          `json:"@type"`
	Name                string          `json:"name"`
	NonProprietaryName  string          `json:"nonProprietaryName,omitempty"`
	ProprietaryName     []string        `json:"proprietaryName,omitempty"`
	DrugClass           []ldNamed       `json:"drugClass,omitempty"`
	AdministrationRoute []string        `json:"administrationRoute,omitempty"`
	LegalStatus         []ldLegalStatus `json:"legalStatus,omitempty"`
}

type ldNamed struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type ldLegalStatus struct {
	Type               string  `json:"@type"`
	Name               string  `json:"name"`
	ApplicableLocation ldNamed `json:"applicableLocation"`
}

type ldCitation struct {
	Type      string   `json:"@type"`
	Name      string   `json:"name"`
	URL       string   `json:"url,omitempty"`
	Publisher *ldNamed `json:"publisher,omitempty"`
	Date      string   `json:"datePublished,omitempty"`
}

// jsonLD encodes the JSON-LD document of a live page (escaped like every delivered body,
// see marshal: websites paste it into a <script type="application/ld+json"> element).
func jsonLD(slug, siteURL string, r content.Rendered, ls *editorial.LiveSnapshot, lang string) ([]byte, error) {
	const day = "2006-01-02"
	d := ldPage{
		Context: "https://schema.org", Type: "MedicalWebPage", InLanguage: lang,
		URL: siteURL + slug, Name: r.Title, Description: r.Summary,
		DatePublished: ls.PublishedAt.UTC().Format(day),
		DateModified:  ls.PublishedAt.UTC().Format(day),
		LastReviewed:  ls.Approval.SignedAt.UTC().Format(day),
		ReviewedBy: ldPerson{Type: "Person", Name: ls.Approval.Reviewer.Name,
			HonorificSuffix: ls.Approval.Reviewer.Credentials},
		About: ldDrug{
			Type: "Drug", Name: r.Drug.Name, NonProprietaryName: r.Drug.GenericName,
			ProprietaryName: r.Drug.BrandNames, AdministrationRoute: r.Routes,
		},
		Keywords: r.Tags,
		Image:    ldImages(siteURL, r),
	}
	for _, c := range r.Drug.DrugClasses {
		d.About.DrugClass = append(d.About.DrugClass, ldNamed{Type: "DrugClass", Name: c})
	}
	for _, c := range r.Drug.ControlledStatus {
		d.About.LegalStatus = append(d.About.LegalStatus, ldLegalStatus{
			Type: "DrugLegalStatus", Name: c.Schedule,
			ApplicableLocation: ldNamed{Type: "AdministrativeArea", Name: c.Jurisdiction},
		})
	}
	for _, ref := range r.References {
		c := ldCitation{Type: "CreativeWork", Name: ref.Title, URL: ref.URL}
		if ref.Publisher != "" {
			c.Publisher = &ldNamed{Type: "Organization", Name: ref.Publisher}
		}
		if ref.Year > 0 {
			c.Date = strconv.Itoa(ref.Year)
		}
		d.Citation = append(d.Citation, c)
	}
	return marshal(d)
}
