package editorial

import (
	"context"
	"sync"
	"time"
)

// The translations sweep: the outdated flags are kept where a source's live text changes
// (translations.go), and derived again after every source publication and every write of a
// translation. A process that stops between a publication and a translation's flag (MongoDB
// without transactions commits them one after the other) leaves a flag unset: the sweep,
// run by the scheduled jobs at start and then every SweepTranslationsEvery, compares every
// translation's base with its source's live text and sets what is missing, with the audit
// event and the webhook, once (outdateChange).

// SweepTranslationsEvery is how often the scheduled jobs run the translations sweep.
const SweepTranslationsEvery = 10 * time.Minute

// sweepBatch is how many translations the sweep reads at a time.
const sweepBatch = 200

// translationSweep remembers when the sweep last ran, per service.
type translationSweep struct {
	mu   sync.Mutex
	last time.Time
}

// sweepTranslationsDue runs the sweep when it has not run for SweepTranslationsEvery (at
// the first call: at start), logging what fails.
func (s *Service) sweepTranslationsDue(ctx context.Context) {
	sw := &s.sweep
	sw.mu.Lock()
	now := s.clock.Now()
	first := sw.last.IsZero()
	due := first || now.Sub(sw.last) >= SweepTranslationsEvery
	if due {
		sw.last = now
	}
	sw.mu.Unlock()
	if !due {
		return
	}
	if first {
		s.warnUnconfiguredLocales(ctx)
	}
	if n, err := s.SweepTranslations(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("translations sweep", "error", err)
	} else if n > 0 {
		s.log.Info("translations sweep: outdated flags set that a publication had left unset", "count", n)
	}
}

// SweepTranslations puts the outdated flag of every translation into a configured locale in
// step with its source's live text, and returns how many it changed.
func (s *Service) SweepTranslations(ctx context.Context) (int, error) {
	n := 0
	for _, l := range s.Locales.All() {
		if l.Tag == s.Locales.Source() {
			continue
		}
		f := ListFilter{Locale: l.Tag, Limit: sweepBatch, Now: s.clock.Now()}
		for {
			trs, err := s.store.ListPages(ctx, f)
			if err != nil {
				return n, err
			}
			changed, err := s.sweepBatch(ctx, trs)
			n += changed
			if err != nil {
				return n, err
			}
			if len(trs) < sweepBatch {
				break
			}
			last := trs[len(trs)-1]
			at := last.UpdatedAt
			f.AfterTime, f.AfterID = &at, last.ID
		}
	}
	return n, nil
}

// sweepBatch settles the translations among trs whose flag is not what their source's live
// text says.
func (s *Service) sweepBatch(ctx context.Context, trs []Page) (int, error) {
	ids := map[string]bool{}
	for _, t := range trs {
		if t.Translation != nil {
			ids[t.Translation.Source] = true
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	srcs, err := s.store.PageSummaries(ctx, list)
	if err != nil {
		return 0, err
	}
	byID := make(map[string]Page, len(srcs))
	for _, p := range srcs {
		byID[p.ID] = p
	}
	n := 0
	for _, t := range trs {
		if t.Translation == nil {
			continue
		}
		if src, ok := byID[t.Translation.Source]; !ok || !flagStale(src, t) {
			continue
		}
		p, err := s.settleOne(ctx, t.ID)
		if err != nil {
			return n, err
		}
		if p.Version != t.Version {
			n++
		}
	}
	return n, nil
}

// warnUnconfiguredLocales logs, at start, the locales that stored translations use but the
// configuration no longer lists, with what to do: such a translation is still a page (and
// served while live), but no reviewer can be given its language, so it cannot be signed
// again, and the sweep no longer keeps its outdated flag.
func (s *Service) warnUnconfiguredLocales(ctx context.Context) {
	counts, err := s.UnconfiguredLocales(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("translations: could not check the stored translations' locales", "error", err)
		}
		return
	}
	for loc, n := range counts {
		s.log.Warn("translations: stored translations are in a locale that is not configured; "+
			"add it back to --locales (MONOGRAPH_LOCALES) to have them reviewed and kept up to date, "+
			"or unpublish them", "locale", loc, "translations", n, "configured", s.Locales.String())
	}
}

// UnconfiguredLocales counts the stored translations by locale, for the locales that are not
// configured (none: an empty map).
func (s *Service) UnconfiguredLocales(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	f := ListFilter{Limit: sweepBatch, Now: s.clock.Now()}
	for {
		pages, err := s.store.ListPages(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			if l := p.Translation; l != nil && !s.Locales.Has(l.Locale) {
				counts[l.Locale]++
			}
		}
		if len(pages) < sweepBatch {
			return counts, nil
		}
		last := pages[len(pages)-1]
		at := last.UpdatedAt
		f.AfterTime, f.AfterID = &at, last.ID
	}
}
