// Issue 14, "Must show" (browser): a writer uploads a diagram with alt text and places it in a
// section (and in the page's images list); the reviewer sees the picture in the review and
// signs; an editor publishes; the public page JSON gives the image with its srcset; an image a
// page uses cannot be deleted, and the admin says why. axe checks the media screens.

import { deflateSync, crc32 } from 'node:zlib';
import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, checkA11y, signIn, PASSWORD } from './harness.mjs';
import { fieldSelector as f } from './form.mjs';

/** A small PNG "technique diagram": an inhaler body, a mouthpiece and an arrow, with one
 * pixel of a random colour so that every run uploads new bytes (identical bytes are one asset). */
function diagramPng(width = 480, height = 240) {
  const seed = [Math.floor(Math.random() * 256), Math.floor(Math.random() * 256), Math.floor(Math.random() * 256)];
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      let c = [255, 255, 255];
      if (x >= 80 && x < 200 && y >= 40 && y < 200) c = [11, 92, 173]; // the canister
      if (x >= 200 && x < 260 && y >= 150 && y < 200) c = [84, 91, 100]; // the mouthpiece
      if (y >= 115 && y < 125 && x >= 290 && x < 420) c = [179, 38, 30]; // the arrow's shaft
      if (x >= 400 && x < 440 && Math.abs(y - 120) < (440 - x) / 2) c = [179, 38, 30]; // its head
      if (x === 0 && y === 0) c = seed;
      raw.set(c, row + 1 + x * 3);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function mediaLibrary(t) {
  const sample = loadFixture('ketamine.json');
  const slug = `media-e2e-${rand()}`;
  const writerToken = await login('writer@example.com');
  const created = await api('POST', '/api/v1/manage/pages', { token: writerToken, body: { slug, content: sample.content } });
  assertEqual(created.status, 201, 'create the page');
  const pageId = created.body.id;
  const alt = `Inhaler technique diagram ${rand()}`;

  // ---- Writer: upload the diagram in the media library.
  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Media' }).click();
  await writer.getByRole('heading', { name: 'Media library', level: 1 }).waitFor();
  await writer.getByLabel(/choose a file/).setInputFiles({ name: 'inhaler-diagram.png', mimeType: 'image/png', buffer: diagramPng() });
  await expectText(writer.getByTestId('chosen-file'), 'inhaler-diagram.png');
  // Alt text is required unless the image is decorative: said at the field, which takes the focus.
  await writer.getByRole('button', { name: 'Upload image' }).click();
  await expectText(writer.locator('#f-upload-alt-error'), 'Describe the image');
  await writer.waitForFunction(() => document.activeElement?.id === 'f-upload-alt');
  await checkA11y(writer, 'media upload with an error');
  await writer.locator('#f-upload-alt').fill(alt);
  await writer.locator('#f-upload-caption').fill('Breathe in slowly while pressing the canister.');
  await writer.locator('#f-upload-license').fill('Own work, CC BY 4.0');
  await writer.locator('#f-upload-licenseExpires').fill('2031-01-31');
  await writer.getByRole('button', { name: 'Upload image' }).click();
  const card = writer.locator('.media-card', { hasText: alt });
  await card.waitFor();
  const assetId = await card.getAttribute('data-asset');
  assert(assetId, 'the card names its asset');
  await expectText(card, 'Valid until 2031-01-31');
  await expectText(card, 'Not used by any page');
  // The picture is shown although no live page uses it yet (public delivery refuses it).
  await card.locator('img.image-thumb').waitFor();
  await screen(writer, '80-media-library');

  // The details dialog.
  await card.getByRole('button', { name: `Edit details of ${alt}` }).click();
  const details = writer.getByRole('dialog', { name: 'Image details' });
  await details.waitFor();
  assertEqual(await details.locator('#f-edit-alt').inputValue(), alt, 'the dialog shows the alt text');
  await screen(writer, '81-media-details');
  await details.locator('#f-edit-caption').fill('Step 2 of 3: breathe in slowly while pressing the canister.');
  await details.getByRole('button', { name: 'Save details' }).click();
  await details.waitFor({ state: 'detached' });
  await expectText(card, 'Step 2 of 3');
  const patched = await api('GET', `/api/v1/manage/media/${assetId}`, { token: writerToken });
  assertEqual(patched.body.caption, 'Step 2 of 3: breathe in slowly while pressing the canister.', 'the caption saved');
  assertEqual(patched.body.licenseExpires, '2031-01-31', 'the licence expiry kept');

  // ---- Writer: place it in a section (Markdown) and in the page's images list, save, submit.
  await writer.goto(`/admin/pages/${pageId}/edit`);
  await writer.locator(f('sections[1].body')).waitFor();
  await writer.getByRole('toolbar', { name: 'Format Section 2 body' }).getByRole('button', { name: 'Image' }).click();
  const picker = writer.getByRole('dialog', { name: 'Insert an image into Section 2 body' });
  await picker.getByRole('button', { name: `Use ${alt}` }).waitFor();
  await checkA11y(writer, 'image picker');
  await picker.getByRole('button', { name: `Use ${alt}` }).click();
  await picker.waitFor({ state: 'detached' });
  const body = await writer.locator(f('sections[1].body')).inputValue();
  assert(body.includes(`![${alt}](asset:${assetId})`), 'the section body places the image: ' + body.slice(-200));
  await writer.getByRole('button', { name: '+ Add image', exact: true }).click();
  await writer.getByRole('button', { name: 'Choose image 1…' }).click();
  await writer.getByRole('dialog', { name: 'Choose image 1' }).getByRole('button', { name: `Use ${alt}` }).click();
  await writer.getByRole('button', { name: 'Replace image 1…' }).waitFor();
  await writer.locator('.image-item img.image-thumb').waitFor();
  await screen(writer, '85-editor-images');
  await writer.getByRole('toolbar', { name: 'Editor actions' }).getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(writer.locator('.save-state'), 'Saved · revision 2');
  const stored = await api('GET', `/api/v1/manage/pages/${pageId}`, { token: writerToken });
  assertEqual(stored.body.content.images?.map((i) => i.asset), [assetId], 'the stored images list');
  const submitted = await api('POST', `/api/v1/manage/pages/${pageId}/submit`, { token: writerToken, body: {} });
  assertEqual(submitted.status, 200, 'submit');

  // ---- Reviewer: sees the picture in the review, signs.
  const reviewer = await t.newPage({ label: 'reviewer' });
  await signIn(reviewer, 'reviewer@example.com');
  await reviewer.goto(`/admin/pages/${pageId}/review`);
  const pictures = reviewer.getByTestId('image-changes');
  await expectText(pictures, 'Section 2 body, image 1');
  await expectText(pictures, 'Page image 1');
  await pictures.locator(`.image-change-side.after img[data-asset="${assetId}"]`).first().waitFor();
  await reviewer.getByLabel('Field by field').check();
  await expectText(reviewer.locator('.diff-view'), `asset:${assetId}`);
  await screen(reviewer, '82-review-pictures');
  await reviewer.getByRole('button', { name: 'Approve…' }).click();
  const sign = reviewer.getByRole('dialog', { name: 'Electronic signature' });
  await sign.getByLabel('Your password').fill(PASSWORD);
  await sign.getByRole('button', { name: 'Sign and approve' }).click();
  await sign.waitFor({ state: 'detached' });
  await expectText(reviewer.locator('.page-facts'), 'Approved');

  // ---- Editor: publishes; the public page gives the image with its srcset.
  const editorToken = await login('editor@example.com');
  const published = await api('POST', `/api/v1/manage/pages/${pageId}/publish`, { token: editorToken, body: {} });
  assertEqual(published.status, 200, 'publish');
  const pub = await api('GET', `/api/v1/pages/${slug}`);
  assertEqual(pub.status, 200, 'public page');
  const image = pub.body.images?.[0];
  assert(image && typeof image.srcset === 'string' && image.srcset.includes('/media/'), 'the public page JSON gives the image a srcset: ' + JSON.stringify(pub.body.images));
  assertEqual(image.alt, alt, 'the public image alt text');
  assert(JSON.stringify(pub.body.sections ?? pub.body).includes('srcset'), 'the section renders the image with a srcset');
  const file = await fetch(new URL(image.src, process.env.MONOGRAPH_URL || 'http://127.0.0.1:8080'));
  assertEqual(file.status, 200, 'the live image is served');
  assert(/immutable/.test(file.headers.get('cache-control') ?? ''), 'the live image is cached as immutable');

  // ---- Replacing the picture (uploaded from the picker) is an edit the reviewer sees as the
  // old and the new image side by side; readers keep the signed pixels meanwhile.
  const alt2 = `Inhaler diagram, mouthpiece down ${rand()}`;
  await writer.goto(`/admin/pages/${pageId}/edit`);
  await writer.getByRole('button', { name: 'Replace image 1…' }).click();
  const replace = writer.getByRole('dialog', { name: 'Choose image 1' });
  await replace.getByRole('button', { name: 'Upload a new image' }).click();
  await replace.getByLabel(/choose a file/).setInputFiles({ name: 'inhaler-diagram-2.png', mimeType: 'image/png', buffer: diagramPng(360, 200) });
  await replace.locator('#f-picker-alt').fill(alt2);
  await replace.getByRole('button', { name: 'Upload image' }).click();
  await replace.waitFor({ state: 'detached' });
  await writer.getByRole('toolbar', { name: 'Editor actions' }).getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(writer.locator('.save-state'), 'Saved · revision 3');
  const replaced = await api('GET', `/api/v1/manage/pages/${pageId}`, { token: writerToken });
  const asset2 = replaced.body.content.images?.[0]?.asset;
  assert(asset2 && asset2 !== assetId, 'the page image is the new upload');
  assertEqual((await api('POST', `/api/v1/manage/pages/${pageId}/submit`, { token: writerToken, body: {} })).status, 200, 'submit the replacement');
  assertEqual((await api('GET', `/api/v1/pages/${slug}`)).body.images?.[0]?.src, image.src, 'readers keep the signed picture until a new signature is published');
  await reviewer.goto(`/admin/pages/${pageId}/review`);
  const sides = reviewer.getByTestId('image-changes');
  await expectText(sides, 'Page image 1 · replaced');
  await sides.locator(`.image-change-side.before img[data-asset="${assetId}"]`).waitFor();
  await sides.locator(`.image-change-side.after img[data-asset="${asset2}"]`).waitFor();
  await screen(reviewer, '86-review-picture-replaced');

  // ---- An image that pages use cannot be deleted; the admin says why.
  const editor = await t.newPage({ label: 'editor' });
  await signIn(editor, 'editor@example.com');
  await editor.goto('/admin/media');
  const used = editor.locator('.media-card', { hasText: alt });
  await expectText(used, 'Used by 1 page');
  await used.getByRole('button', { name: `Delete ${alt}` }).click();
  await editor.getByRole('dialog', { name: 'Delete this image?' }).getByRole('button', { name: 'Delete image' }).click();
  await expectText(editor.getByTestId('media-refusal'), 'Remove it from those pages first');
  await screen(editor, '83-media-delete-refused');

  // ---- The library at tablet width.
  const tablet = await t.newPage({ label: 'tablet', width: 768, height: 1024 });
  await signIn(tablet, 'writer@example.com');
  await tablet.goto('/admin/media');
  await tablet.locator('.media-card', { hasText: alt }).locator('img.image-thumb').waitFor();
  const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`the media library scrolls sideways at 768px (${overflow}px)`);
  await screen(tablet, '84-media-library-tablet');
}

export const tests = [{ name: 'media: writer uploads a diagram, places it, reviewer sees and signs it, public JSON has its srcset', fn: mediaLibrary }];
