// Every field of a medication page as a form.

import { useContext, useState } from 'react';
import { SECTION_KEYS, USE_STATUSES, type Content, type Section } from '../api/types';
import { indexAfterMove, moveItem } from '../lib/list';
import { SectionOutline } from './SectionOutline';
import { emptyControlled, emptyReference, emptySection, emptyUse, SECTION_KEY_LABELS, USE_STATUS_LABELS } from '../lib/content';
import { fieldId, FormErrors, ListEditor, MarkdownField, SelectField, StringList, TextArea, TextField } from './fields';
import { ImageListField } from './ImageList';

export function ContentForm({ content, onChange }: { content: Content; onChange: (c: Content) => void }) {
  const set = <K extends keyof Content>(k: K, v: Content[K]) => onChange({ ...content, [k]: v });
  const { remap } = useContext(FormErrors);
  // Collapsed sections, by the section itself: moving or editing another section keeps it.
  const [collapsed, setCollapsed] = useState<ReadonlySet<Section>>(new Set());
  const toggle = (s: Section) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(s)) next.add(s);
      return next;
    });
  const moveSection = (from: number, to: number) => {
    set('sections', moveItem(content.sections, from, to));
    remap('sections', (old) => indexAfterMove(old, from, to, content.sections.length));
  };
  const jump = (i: number) => {
    const s = content.sections[i];
    if (collapsed.has(s)) toggle(s);
    // After the section is shown again.
    requestAnimationFrame(() => {
      const el = document.getElementById(fieldId(`sections[${i}].title`));
      el?.focus();
      el?.closest('.list-item')?.scrollIntoView({ block: 'start' });
    });
  };
  const setDrug = <K extends keyof Content['drug']>(k: K, v: Content['drug'][K]) => onChange({ ...content, drug: { ...content.drug, [k]: v } });
  const usedKeys = new Set(content.sections.map((s) => s.key));

  return (
    <div className="content-form">
      <section className="form-section" aria-labelledby="h-basics">
        <h2 id="h-basics">Basics</h2>
        <TextField path="title" label="Title" required maxLength={200} value={content.title} onChange={(v) => set('title', v)} />
        <TextArea path="summary" label="Summary" hint="Plain text, shown in lists and search results." maxLength={1000} rows={3} value={content.summary} onChange={(v) => set('summary', v)} />
      </section>

      <section className="form-section" aria-labelledby="h-drug">
        <h2 id="h-drug">Drug</h2>
        <div className="grid-2">
          <TextField path="drug.name" label="Drug name" required value={content.drug.name} onChange={(v) => setDrug('name', v)} />
          <TextField path="drug.genericName" label="Generic name" value={content.drug.genericName} onChange={(v) => setDrug('genericName', v)} />
        </div>
        <div className="grid-2">
          <StringList path="drug.brandNames" legend="Brand names" noun="brand name" items={content.drug.brandNames} onChange={(v) => setDrug('brandNames', v)} />
          <StringList path="drug.drugClasses" legend="Drug classes" noun="drug class" items={content.drug.drugClasses} onChange={(v) => setDrug('drugClasses', v)} />
        </div>
        <ListEditor
          path="drug.controlledStatus"
          legend="Controlled status"
          hint="One entry per jurisdiction, e.g. US — CIII."
          noun="jurisdiction"
          items={content.drug.controlledStatus}
          onChange={(v) => setDrug('controlledStatus', v)}
          newItem={emptyControlled}
          itemTitle={(s, i) => (s.jurisdiction ? `jurisdiction ${s.jurisdiction}` : `jurisdiction ${i + 1}`)}
          renderItem={(s, i, update) => (
            <div className="grid-2">
              <TextField path={`drug.controlledStatus[${i}].jurisdiction`} label={`Jurisdiction ${i + 1}`} placeholder="US" value={s.jurisdiction} onChange={(v) => update({ ...s, jurisdiction: v })} />
              <TextField path={`drug.controlledStatus[${i}].schedule`} label={`Schedule ${i + 1}`} placeholder="CIII" value={s.schedule} onChange={(v) => update({ ...s, schedule: v })} />
            </div>
          )}
        />
      </section>

      <section className="form-section" aria-labelledby="h-sections">
        <h2 id="h-sections">Sections</h2>
        <SectionOutline
          sections={content.sections}
          onMove={moveSection}
          onJump={jump}
          allCollapsed={content.sections.length > 0 && content.sections.every((s) => collapsed.has(s))}
          onCollapseAll={(all) => setCollapsed(all ? new Set(content.sections) : new Set())}
        />
        <ListEditor
          path="sections"
          legend="Page sections, in reading order"
          noun="section"
          items={content.sections}
          onChange={(v) => set('sections', v)}
          newItem={() => emptySection(SECTION_KEYS.find((k) => k !== 'other' && !usedKeys.has(k)) ?? 'other')}
          itemDeps={[...usedKeys].sort().join(',')}
          collapse={{ isCollapsed: (s) => collapsed.has(s), toggle }}
          itemTitle={(s, i) => `section ${i + 1}${s.title ? ` (${s.title})` : ''}`}
          renderItem={(s, i, update) => (
            <>
              <div className="grid-2">
                <SelectField
                  path={`sections[${i}].key`}
                  label={`Section ${i + 1} type`}
                  value={s.key}
                  onChange={(v) => update({ ...s, key: v })}
                  options={SECTION_KEYS.map((k) => ({
                    value: k,
                    label: SECTION_KEY_LABELS[k] + (k !== 'other' && k !== s.key && usedKeys.has(k) ? ' (used)' : ''),
                  }))}
                />
                <TextField path={`sections[${i}].title`} label={`Section ${i + 1} title`} value={s.title} onChange={(v) => update({ ...s, title: v })} />
              </div>
              <MarkdownField path={`sections[${i}].body`} label={`Section ${i + 1} body`} value={s.body} onChange={(v) => update({ ...s, body: v })} />
            </>
          )}
        />
      </section>

      <section className="form-section" aria-labelledby="h-images">
        <h2 id="h-images">Images</h2>
        <ImageListField images={content.images ?? []} onChange={(v) => set('images', v)} />
      </section>

      <section className="form-section" aria-labelledby="h-uses">
        <h2 id="h-uses">Clinical uses</h2>
        <ListEditor
          path="clinicalUses"
          legend="Clinical uses"
          noun="clinical use"
          items={content.clinicalUses}
          onChange={(v) => set('clinicalUses', v)}
          newItem={emptyUse}
          itemTitle={(u, i) => `clinical use ${i + 1}${u.name ? ` (${u.name})` : ''}`}
          renderItem={(u, i, update) => (
            <>
              <div className="grid-2">
                <TextField path={`clinicalUses[${i}].name`} label={`Clinical use ${i + 1} name`} value={u.name} onChange={(v) => update({ ...u, name: v })} />
                <SelectField
                  path={`clinicalUses[${i}].status`}
                  label={`Clinical use ${i + 1} status`}
                  value={u.status}
                  onChange={(v) => update({ ...u, status: v })}
                  options={USE_STATUSES.map((s) => ({ value: s, label: USE_STATUS_LABELS[s] }))}
                />
              </div>
              <MarkdownField path={`clinicalUses[${i}].description`} label={`Clinical use ${i + 1} description`} rows={3} value={u.description} onChange={(v) => update({ ...u, description: v })} />
            </>
          )}
        />
      </section>

      <section className="form-section" aria-labelledby="h-safety">
        <h2 id="h-safety">Administration and safety</h2>
        <StringList path="routes" legend="Routes of administration" noun="route" items={content.routes} onChange={(v) => set('routes', v)} />
        <div className="grid-2">
          <StringList
            path="sideEffects.common"
            legend="Common side effects"
            noun="common side effect"
            items={content.sideEffects.common}
            onChange={(v) => set('sideEffects', { ...content.sideEffects, common: v })}
          />
          <StringList
            path="sideEffects.serious"
            legend="Serious side effects"
            noun="serious side effect"
            items={content.sideEffects.serious}
            onChange={(v) => set('sideEffects', { ...content.sideEffects, serious: v })}
          />
        </div>
        <StringList path="patientGuidance" legend="Patient guidance" noun="guidance item" items={content.patientGuidance} onChange={(v) => set('patientGuidance', v)} />
      </section>

      <section className="form-section" aria-labelledby="h-refs">
        <h2 id="h-refs">References</h2>
        <ListEditor
          path="references"
          legend="References"
          noun="reference"
          items={content.references}
          onChange={(v) => set('references', v)}
          newItem={emptyReference}
          itemTitle={(r, i) => `reference ${i + 1}${r.title ? ` (${r.title})` : ''}`}
          renderItem={(r, i, update) => (
            <>
              <TextField path={`references[${i}].title`} label={`Reference ${i + 1} title`} value={r.title} onChange={(v) => update({ ...r, title: v })} />
              <div className="grid-3">
                <TextField path={`references[${i}].url`} label={`Reference ${i + 1} URL`} type="url" inputMode="url" placeholder="https://" value={r.url} onChange={(v) => update({ ...r, url: v })} />
                <TextField path={`references[${i}].publisher`} label={`Reference ${i + 1} publisher`} value={r.publisher} onChange={(v) => update({ ...r, publisher: v })} />
                <TextField
                  path={`references[${i}].year`}
                  label={`Reference ${i + 1} year`}
                  inputMode="numeric"
                  pattern="[0-9]*"
                  value={r.year === null || r.year === undefined ? '' : String(r.year)}
                  onChange={(v) => {
                    const digits = v.replace(/[^0-9]/g, '').slice(0, 4);
                    update({ ...r, year: digits === '' ? null : Number(digits) });
                  }}
                />
              </div>
            </>
          )}
        />
      </section>

      <section className="form-section" aria-labelledby="h-more">
        <h2 id="h-more">Disclaimer and tags</h2>
        <MarkdownField path="disclaimer" label="Disclaimer" rows={3} value={content.disclaimer} onChange={(v) => set('disclaimer', v)} />
        <StringList path="tags" legend="Tags" noun="tag" items={content.tags} onChange={(v) => set('tags', v)} />
      </section>
    </div>
  );
}
