// Fills the page editor's form from a content object, as a writer would: adding list items
// with the "+ Add …" buttons and typing into each field.

const id = (p) => '#f-' + p.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, '');

async function addAndFill(page, noun, listPath, values) {
  for (let i = 0; i < values.length; i++) {
    await page.getByRole('button', { name: `+ Add ${noun}`, exact: true }).click();
    await page.locator(id(`${listPath}[${i}]`)).fill(values[i]);
  }
}

export async function fillContent(page, c) {
  await page.locator(id('title')).fill(c.title);
  await page.locator(id('summary')).fill(c.summary ?? '');
  await page.locator(id('drug.name')).fill(c.drug.name);
  await page.locator(id('drug.genericName')).fill(c.drug.genericName ?? '');
  await addAndFill(page, 'brand name', 'drug.brandNames', c.drug.brandNames ?? []);
  await addAndFill(page, 'drug class', 'drug.drugClasses', c.drug.drugClasses ?? []);
  for (let i = 0; i < (c.drug.controlledStatus ?? []).length; i++) {
    const s = c.drug.controlledStatus[i];
    await page.getByRole('button', { name: '+ Add jurisdiction', exact: true }).click();
    await page.locator(id(`drug.controlledStatus[${i}].jurisdiction`)).fill(s.jurisdiction);
    await page.locator(id(`drug.controlledStatus[${i}].schedule`)).fill(s.schedule);
  }
  for (let i = 0; i < c.sections.length; i++) {
    const s = c.sections[i];
    await page.getByRole('button', { name: '+ Add section', exact: true }).click();
    await page.locator(id(`sections[${i}].key`)).selectOption(s.key);
    await page.locator(id(`sections[${i}].title`)).fill(s.title);
    await page.locator(id(`sections[${i}].body`)).fill(s.body);
  }
  for (let i = 0; i < c.clinicalUses.length; i++) {
    const u = c.clinicalUses[i];
    await page.getByRole('button', { name: '+ Add clinical use', exact: true }).click();
    await page.locator(id(`clinicalUses[${i}].name`)).fill(u.name);
    await page.locator(id(`clinicalUses[${i}].status`)).selectOption(u.status);
    await page.locator(id(`clinicalUses[${i}].description`)).fill(u.description);
  }
  await addAndFill(page, 'route', 'routes', c.routes ?? []);
  await addAndFill(page, 'common side effect', 'sideEffects.common', c.sideEffects?.common ?? []);
  await addAndFill(page, 'serious side effect', 'sideEffects.serious', c.sideEffects?.serious ?? []);
  await addAndFill(page, 'guidance item', 'patientGuidance', c.patientGuidance ?? []);
  for (let i = 0; i < (c.references ?? []).length; i++) {
    const r = c.references[i];
    await page.getByRole('button', { name: '+ Add reference', exact: true }).click();
    await page.locator(id(`references[${i}].title`)).fill(r.title);
    await page.locator(id(`references[${i}].url`)).fill(r.url);
    await page.locator(id(`references[${i}].publisher`)).fill(r.publisher ?? '');
    if (r.year) await page.locator(id(`references[${i}].year`)).fill(String(r.year));
  }
  await page.locator(id('disclaimer')).fill(c.disclaimer ?? '');
  await addAndFill(page, 'tag', 'tags', c.tags ?? []);
}

export const fieldSelector = id;
