// In the signature dialog of a translation: the source revision and hash the signature
// names, since signing a translation attests that it faithfully renders exactly that text.

import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { shortHash } from '../../../components/ui';
import { languageLabel, translationFacts } from '../../../lib/translations';
import { useLocales } from './useLocales';

export function SignatureSource({ page }: { page: Page }) {
  const { api } = useApp();
  const locales = useLocales(api);
  const f = translationFacts(page);
  if (!f.translationOf) return null;
  return (
    <div>
      <dt>Faithfully renders</dt>
      <dd data-testid="sign-source">
        {languageLabel(locales?.source ?? 'source')} revision {f.translationOf.revision}
        {f.translationOf.contentHash && (
          <>
            {' '}
            <code className="hash" title={f.translationOf.contentHash}>
              {shortHash(f.translationOf.contentHash)}
            </code>
          </>
        )}
        {f.locale && <span className="muted"> · into {languageLabel(f.locale)}</span>}
      </dd>
    </div>
  );
}
