import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, MemoryTokenStore } from '../api/client';
import { applyEdit } from './markdownEdit';
import {
  emptyMeta,
  fileFor,
  imageChanges,
  imagePlace,
  insertImageEdit,
  licenceState,
  licenceText,
  markdownAssets,
  markdownImage,
  metaBody,
  describeMediaError,
  uploadMedia,
  usesOf,
  validateMeta,
  type MediaMeta,
} from './media';

const meta = (m: Partial<MediaMeta>): MediaMeta => ({ ...emptyMeta(), ...m });

describe('validateMeta', () => {
  it('requires alt text unless the image is decorative', () => {
    expect(validateMeta(meta({ alt: '  ' }))).toHaveProperty('alt');
    expect(validateMeta(meta({ alt: 'Inhaler, mouthpiece up' }))).toEqual({});
    expect(validateMeta(meta({ alt: '', decorative: true }))).toEqual({});
  });
  it('requires a file on upload and refuses one over the limit before sending it', () => {
    expect(validateMeta(meta({ alt: 'x' }), null, true)).toHaveProperty('file');
    expect(validateMeta(meta({ alt: 'x' }), { size: 11 * 1024 * 1024 }, true).file).toContain('10.0 MB');
    expect(validateMeta(meta({ alt: 'x' }), { size: 2048 }, true)).toEqual({});
  });
  it('checks the source address and the expiry date', () => {
    expect(validateMeta(meta({ alt: 'x', sourceUrl: 'example.org/pic' }))).toHaveProperty('sourceUrl');
    expect(validateMeta(meta({ alt: 'x', sourceUrl: 'https://commons.wikimedia.org/wiki/File:X.png' }))).toEqual({});
    expect(validateMeta(meta({ alt: 'x', licenseExpires: '1/2/2027' }))).toHaveProperty('licenseExpires');
  });
});

describe('metaBody', () => {
  it('drops the alt text of a decorative image and sends no empty expiry', () => {
    expect(metaBody(meta({ alt: 'left over', decorative: true }))).toMatchObject({ alt: '', decorative: true, licenseExpires: '' });
    expect(metaBody(meta({ alt: ' Pen ', licenseExpires: '2027-01-31' }))).toMatchObject({ alt: 'Pen', licenseExpires: '2027-01-31' });
  });
});

describe('licenceState', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  it.each([
    { expires: null, state: 'none' },
    { expires: '2027-06-01', state: 'valid' },
    { expires: '2026-12-31', state: 'expiring' },
    { expires: '2026-12-01', state: 'expiring' }, // to the end of the day
    { expires: '2026-11-30', state: 'expired' },
    { expires: '2026-11-30T23:59:59Z', state: 'expired' },
  ])('$expires is $state', ({ expires, state }) => {
    expect(licenceState(expires, now).state).toBe(state);
  });
  it('says how long is left', () => {
    expect(licenceText('2026-12-11', now)).toBe('Expires in 10 days (2026-12-11)');
    expect(licenceText('2026-12-01', now)).toBe('Expires today');
    expect(licenceText('2026-11-02', now)).toBe('Expired 2026-11-02');
    expect(licenceText('2028-01-01', now)).toBe('Valid until 2028-01-01');
  });
});

describe('Markdown images', () => {
  it('escapes brackets in the alt text', () => {
    expect(markdownImage('Pen [step 2]', 'a1')).toBe('![Pen \\[step 2\\]](asset:a1)');
    expect(markdownAssets('x ![Pen \\[step 2\\]](asset:a1) y ![](asset:b-2)')).toEqual([
      { alt: 'Pen [step 2]', asset: 'a1' },
      { alt: '', asset: 'b-2' },
    ]);
  });
  it('places the image on a line of its own and selects its alt text', () => {
    const text = 'Hold the inhaler upright.';
    const e = insertImageEdit(text, text.length, text.length, 'Inhaler held upright', 'abc');
    const out = applyEdit(text, e);
    expect(out).toBe('Hold the inhaler upright.\n\n![Inhaler held upright](asset:abc)');
    expect(out.slice(e.selStart, e.selEnd)).toBe('Inhaler held upright');
    const mid = insertImageEdit('One.\nTwo.', 5, 5, 'A', 'z');
    expect(applyEdit('One.\nTwo.', mid)).toBe('One.\n\n![A](asset:z)\n\nTwo.');
    expect(applyEdit('', insertImageEdit('', 0, 0, 'A', 'z'))).toBe('![A](asset:z)');
  });
});

describe('imageChanges', () => {
  const base = { images: [{ asset: 'old', alt: 'Pen' }], sections: [{ key: 'administration', title: '', body: 'Step.\n\n![Diagram](asset:d1)' }] };
  it('pairs a replaced picture with the one it replaces', () => {
    const next = { ...base, images: [{ asset: 'new', alt: 'Pen' }] };
    expect(imageChanges(base, next)).toEqual([{ path: 'images[0]', before: 'old', after: 'new', alt: 'Pen' }]);
  });
  it('reports added and removed pictures, and nothing when only text changed', () => {
    const next = { images: [], sections: [{ key: 'administration', title: '', body: 'Step, changed.\n\n![Diagram](asset:d1)\n\n![Second](asset:d2)' }] };
    expect(imageChanges(base, next)).toEqual([
      { path: 'sections[0].body#1', before: null, after: 'd2', alt: 'Second' },
      { path: 'images[0]', before: 'old', after: null, alt: 'Pen' },
    ]);
    expect(imageChanges(base, { ...base, sections: [{ key: 'administration', title: 'T', body: 'Other.\n![Diagram](asset:d1)' }] })).toEqual([]);
    expect(imageChanges(null, base).map((c) => c.after)).toEqual(['old', 'd1']);
  });
  it('names the place of each picture', () => {
    expect(imagePlace('images[0]')).toBe('Page image 1');
    expect(imagePlace('sections[1].body#0')).toBe('Section 2 body, image 1');
    expect(imagePlace('disclaimer#2')).toBe('Disclaimer, image 3');
  });
});

describe('usesOf', () => {
  it('reads the pages that use an asset', () => {
    const asset = { id: 'a', sha256: '', type: 'image/png', width: 1, height: 1, bytes: 1 };
    const uses = usesOf({ ...asset, usedBy: [{ pageId: 'p1', title: 'Ketamine', live: true, working: true }, 'p2abcdefghij'] });
    expect(uses.map((u) => [u.label, u.pageId, u.where])).toEqual([
      ['Ketamine', 'p1', 'live, working copy'],
      ['Page p2abcdef', 'p2abcdefghij', ''],
    ]);
    // One page listed for its live revision and for its working copy is one entry.
    const twice = usesOf({ ...asset, usedBy: [{ pageId: 'p1', kind: 'working' }, { pageId: 'p1', kind: 'live', slug: 'ketamine' }] });
    expect(twice.map((u) => [u.label, u.where])).toEqual([['ketamine', 'live, working copy']]);
  });
});

describe('fileFor', () => {
  const files = [
    { name: 'original.png', width: 1600 },
    { name: '1280.webp', width: 1280 },
    { name: '320.webp', width: 320 },
    { name: '640.webp', width: 640 },
  ];
  it('takes the smallest rendition at least as wide as shown, else the widest', () => {
    expect(fileFor({ type: 'image/png', files }, 300)).toBe('320.webp');
    expect(fileFor({ type: 'image/png', files }, 641)).toBe('1280.webp');
    expect(fileFor({ type: 'image/png', files }, 2000)).toBe('original.png');
    // A small original is not upscaled: the original itself.
    expect(fileFor({ type: 'image/png', files: [{ name: 'original.png', width: 200 }] }, 320)).toBe('original.png');
    expect(fileFor({ type: 'image/jpeg', files: null }, 320)).toBe('original.jpg');
  });
});

describe('upload', () => {
  it('sends the file as multipart with the metadata and no JSON content type', async () => {
    let seen: { headers: Record<string, string>; body: unknown } | null = null;
    const api = new ApiClient({
      store: Object.assign(new MemoryTokenStore(), { tokens: { accessToken: 'tok', refreshToken: 'r', expiresAt: Date.now() + 3_600_000 } }),
      fetch: async (_url, init) => {
        seen = { headers: init?.headers as Record<string, string>, body: init?.body };
        return new Response(JSON.stringify({ id: 'a1', sha256: 'ff', type: 'image/png', width: 2, height: 2, bytes: 70 }), { status: 201 });
      },
    });
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'diagram.png', { type: 'image/png' });
    const a = await uploadMedia(api, file, meta({ alt: 'Diagram', caption: 'Step 1' }));
    expect(a.id).toBe('a1');
    expect(a.created).toBe(true);
    expect(seen!.headers['Content-Type']).toBeUndefined();
    expect(seen!.headers.Authorization).toBe('Bearer tok');
    const form = seen!.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect((form.get('file') as File).name).toBe('diagram.png');
    expect(form.get('alt')).toBe('Diagram');
    expect(form.get('caption')).toBe('Step 1');
    expect(form.get('decorative')).toBe('false');
    expect(form.has('licenseExpires')).toBe(false);
  });
});

describe('describeMediaError', () => {
  const err = (status: number, code?: string) => new ApiError(status, { status, code, detail: 'server says' });
  it('explains the refusals in words', () => {
    const plain = () => 'plain';
    expect(describeMediaError(err(415, 'unsupported_media'), plain)).toContain('not a JPEG, PNG or WebP');
    expect(describeMediaError(err(400, 'image_too_large'), plain)).toContain('too many pixels');
    expect(describeMediaError(err(409, 'asset_in_use'), plain)).toContain('Remove it from those pages first');
    expect(describeMediaError(err(413), plain)).toContain('upload limit');
    expect(describeMediaError(err(400, 'invalid'), plain)).toBe('plain');
  });
});
