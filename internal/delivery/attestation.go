package delivery

// AttestationSuffix ends the path of a live page's attestation,
// /api/v1/pages/{slug}/attestation: the proof, from the verifiable log, that the live
// revision was signed and published (internal/transparency). The main router serves it, not
// delivery (Owns leaves it out): it is computed per request from the store, not cached.
const AttestationSuffix = "/attestation"

// LivePageID returns the id of the page live at slug, as this process serves it; false when
// no page is live there (unknown, or unpublished).
func (s *Service) LivePageID(slug string) (string, bool) {
	e := s.cur.Load().bySlug[slug]
	if e == nil || !e.live {
		return "", false
	}
	return e.id, true
}
