package content

import (
	"slices"
	"strings"
)

// Severity says what a failed pre-review check does: a warning is shown to the writer and
// reviewer, a blocker stops the page from being submitted for review.
type Severity string

// Check severities.
const (
	SeverityWarning Severity = "warning"
	SeverityBlocker Severity = "blocker"
)

// Pre-review check ids.
const (
	CheckReferencesMissing           = "references_missing"
	CheckDisclaimerMissing           = "disclaimer_missing"
	CheckLegalSectionMissing         = "legal_section_missing"
	CheckSummaryMissing              = "summary_missing"
	CheckSideEffectsMissing          = "side_effects_missing"
	CheckInvestigationalUnreferenced = "investigational_unreferenced"
	CheckReferenceIncomplete         = "reference_incomplete"
)

// CheckIDs lists every pre-review check id, for validating configuration and for the UI.
var CheckIDs = []string{
	CheckReferencesMissing, CheckDisclaimerMissing, CheckLegalSectionMissing,
	CheckSummaryMissing, CheckSideEffectsMissing, CheckInvestigationalUnreferenced,
	CheckReferenceIncomplete,
	CheckImageLicenseExpiring, CheckImageLicenseExpired, // images.go: run with the library's data
}

// CheckResult is one failed check. Field is the content path it concerns, as in
// validation errors (e.g. "content.references[0]").
type CheckResult struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Field    string   `json:"field"`
}

// DefaultCheckSeverities returns a fresh map of every check id to its default severity:
// a missing disclaimer blocks, everything else warns.
func DefaultCheckSeverities() map[string]Severity {
	m := make(map[string]Severity, len(CheckIDs))
	for _, id := range CheckIDs {
		m[id] = SeverityWarning
	}
	m[CheckDisclaimerMissing] = SeverityBlocker
	m[CheckImageLicenseExpired] = SeverityBlocker
	return m
}

// claimSections are the section keys whose text makes medical claims that need sources.
var claimSections = []SectionKey{
	SectionMechanism, SectionClinicalUses, SectionBenefits, SectionRisks, SectionSideEffects,
	SectionContraindications, SectionInteractions, SectionAdministration,
}

// RunChecks runs the editorial checks on c (normalized first) and returns the failed
// ones, in CheckIDs order, never nil. A check's severity comes from severities, or from
// DefaultCheckSeverities when severities lacks it; unknown ids in severities are ignored
// (validating configuration is the caller's job).
func RunChecks(c Content, severities map[string]Severity) []CheckResult {
	c = c.Normalized()
	defaults := DefaultCheckSeverities()
	out := []CheckResult{}
	fail := func(id, field, msg string) {
		sev, ok := severities[id]
		if !ok || sev == "" {
			sev = defaults[id]
		}
		out = append(out, CheckResult{ID: id, Severity: sev, Message: msg, Field: field})
	}
	hasSection := func(keys ...SectionKey) bool {
		return slices.ContainsFunc(c.Sections, func(s Section) bool { return slices.Contains(keys, s.Key) })
	}

	if len(c.References) == 0 && (len(c.ClinicalUses) > 0 || hasSection(claimSections...)) {
		fail(CheckReferencesMissing, "content.references",
			"The page makes clinical claims (clinical uses or sections such as mechanism, risks, administration) but cites no references.")
	}
	if strings.TrimSpace(c.Disclaimer) == "" {
		fail(CheckDisclaimerMissing, "content.disclaimer", "The page has no disclaimer.")
	}
	if (len(c.Drug.ControlledStatus) > 0 || slices.Contains(c.Tags, "controlled-substance")) && !hasSection(SectionLegal) {
		fail(CheckLegalSectionMissing, "content.sections",
			"The drug is a controlled substance but the page has no legal section.")
	}
	if c.Summary == "" {
		fail(CheckSummaryMissing, "content.summary", "The page has no summary.")
	}
	if len(c.SideEffects.Common) == 0 && len(c.SideEffects.Serious) == 0 && !hasSection(SectionSideEffects) {
		fail(CheckSideEffectsMissing, "content.sideEffects",
			"The page lists no side effects and has no side effects section.")
	}
	if len(c.References) == 0 {
		for i, u := range c.ClinicalUses {
			if u.Status == UseInvestigational {
				fail(CheckInvestigationalUnreferenced, index("content.clinicalUses", i)+".status",
					"An investigational use ("+u.Name+") is described but the page cites no references.")
			}
		}
	}
	for i, r := range c.References {
		if r.URL == "" || r.Year == 0 {
			fail(CheckReferenceIncomplete, index("content.references", i),
				"The reference has no URL or no year, so a reviewer cannot easily verify it.")
		}
	}
	return out
}
