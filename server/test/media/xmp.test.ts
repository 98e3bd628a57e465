import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  buildXmp,
  DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA,
  escapeXml,
  isMarkedAiGenerated,
  readDigitalSourceType,
} from '../../src/generation/media/xmp.ts';

const base = { personaName: 'Léa', personaId: 'p-1', generator: 'Atelier / ComfyUI', createdAt: new Date('2025-03-01T10:00:00Z') };

describe('buildXmp', () => {
  it('marks the packet as trainedAlgorithmicMedia and names the tool, not a human author', () => {
    const xmp = buildXmp({ ...base, title: 'Morning walk' });
    expect(xmp.startsWith('<?xpacket begin="\uFEFF"')).toBe(true);
    expect(xmp.trimEnd().endsWith('<?xpacket end="w"?>')).toBe(true);
    expect(readDigitalSourceType(xmp)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    expect(xmp).toContain('<xmp:CreatorTool>Atelier / ComfyUI</xmp:CreatorTool>');
    expect(xmp).toContain('<xmp:CreateDate>2025-03-01T10:00:00.000Z</xmp:CreateDate>');
    expect(xmp).toContain('<photoshop:Credit>AI-generated persona Léa</photoshop:Credit>');
    expect(xmp).toContain('<atelier:PersonaId>p-1</atelier:PersonaId>');
    expect(xmp).toContain('Morning walk');
    expect(xmp).not.toContain('dc:creator');
    expect(xmp).not.toContain('PersonInImage');
    expect(isMarkedAiGenerated(xmp)).toBe(true);
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const xmp = buildXmp({ ...base, personaName: 'A<b>&"c\'\u0001', generator: '</x:xmpmeta><evil/>', title: ']]><!--' });
    expect(xmp).toContain('A&lt;b&gt;&amp;&quot;c&apos;');
    expect(xmp).not.toContain('\u0001');
    expect(xmp).not.toContain('<evil/>');
    expect(xmp.match(/<\/x:xmpmeta>/g)).toHaveLength(1);
    expect(readDigitalSourceType(xmp)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
  });

  it('rejects an invalid date', () => {
    expect(() => buildXmp({ ...base, createdAt: 'not a date' })).toThrow(TypeError);
  });

  it('is accepted by libvips and survives a round trip through JPEG, PNG and WebP', async () => {
    const xmp = buildXmp(base);
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const out = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
        .withXmp(xmp)
        .toFormat(format)
        .toBuffer();
      const meta = await sharp(out).metadata();
      expect(readDigitalSourceType(meta.xmpAsString ?? ''), format).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    }
  });
});

describe('readDigitalSourceType', () => {
  const ns = 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/';
  const wrap = (inner: string, attrs = '') =>
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:ext="${ns}"${attrs}>${inner}</rdf:Description></rdf:RDF></x:xmpmeta>`;

  it('resolves the namespace prefix rather than assuming "Iptc4xmpExt"', () => {
    expect(readDigitalSourceType(wrap('<ext:DigitalSourceType>http://x/y</ext:DigitalSourceType>'))).toBe('http://x/y');
  });

  it('reads the rdf:resource and attribute spellings', () => {
    expect(readDigitalSourceType(wrap('<ext:DigitalSourceType rdf:resource="http://a/b"/>'))).toBe('http://a/b');
    expect(readDigitalSourceType(wrap('', ' ext:DigitalSourceType="http://c/d?x=1&amp;y=2"'))).toBe('http://c/d?x=1&y=2');
  });

  it('answers null without the property or with the name in a foreign namespace', () => {
    expect(readDigitalSourceType(wrap('<ext:Other>1</ext:Other>'))).toBeNull();
    expect(readDigitalSourceType('<a xmlns:Iptc4xmpExt="http://other/"><Iptc4xmpExt:DigitalSourceType>x</Iptc4xmpExt:DigitalSourceType></a>')).toBeNull();
    expect(readDigitalSourceType('')).toBeNull();
  });

  it('escapeXml covers the five entities', () => {
    expect(escapeXml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&apos;');
  });
});
