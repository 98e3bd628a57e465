/**
 * The machine-readable "this is AI-generated" marking every produced file carries (EU AI Act Art. 50):
 * an XMP packet whose IPTC `Iptc4xmpExt:DigitalSourceType` is `trainedAlgorithmicMedia`.
 *
 * What the packet says, and deliberately does not say:
 * - `Iptc4xmpExt:DigitalSourceType` — the IPTC NewsCode for media created by a trained model.
 * - `xmp:CreatorTool` — the generator (e.g. "Atelier / ComfyUI"); `dc:creator` is left out on purpose,
 *   because it names a human author and nobody authored these pixels in that sense.
 * - `photoshop:Credit` and `dc:description` — a human-readable "AI-generated persona <name>", stating
 *   that the persona is fictional. `Iptc4xmpExt:PersonInImage` is NOT used: it names real people shown.
 * - `atelier:*` — our own namespace for the persona id/name, so an asset can be traced to its persona.
 */

export const DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA =
  'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

export const XMP_NAMESPACES = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  dc: 'http://purl.org/dc/elements/1.1/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  atelier: 'https://atelier.invalid/ns/xmp/1.0/',
} as const;

export interface XmpInput {
  personaName: string;
  personaId: string;
  /** The tool chain that made the file, e.g. "Atelier (ComfyUI sdxl-base)". Becomes xmp:CreatorTool. */
  generator: string;
  createdAt: Date | string;
  title?: string;
}

/** Characters XML 1.0 forbids anywhere (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content and double- or single-quoted attributes. */
export function escapeXml(value: string): string {
  return value
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function isoDate(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`buildXmp: createdAt is not a valid date: ${String(value)}`);
  return date.toISOString();
}

function langAlt(tag: string, text: string): string {
  return `   <${tag}>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">${escapeXml(text)}</rdf:li>\n    </rdf:Alt>\n   </${tag}>\n`;
}

/** A complete XMP packet (`<?xpacket …?>` wrapper included), UTF-8 text, ready for sharp's `withXmp` or an MP4 uuid box. */
export function buildXmp(input: XmpInput): string {
  const created = isoDate(input.createdAt);
  const name = input.personaName.trim() || 'unnamed persona';
  const credit = `AI-generated persona ${name}`;
  const description = `AI-generated media of the fictional persona "${name}" (not a real person), made with ${input.generator}.`;
  const ns = XMP_NAMESPACES;
  return (
    `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n` +
    `<x:xmpmeta xmlns:x="${ns.x}">\n` +
    ` <rdf:RDF xmlns:rdf="${ns.rdf}">\n` +
    `  <rdf:Description rdf:about=""\n` +
    `    xmlns:Iptc4xmpExt="${ns.Iptc4xmpExt}"\n` +
    `    xmlns:xmp="${ns.xmp}"\n` +
    `    xmlns:dc="${ns.dc}"\n` +
    `    xmlns:photoshop="${ns.photoshop}"\n` +
    `    xmlns:atelier="${ns.atelier}">\n` +
    `   <Iptc4xmpExt:DigitalSourceType>${DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA}</Iptc4xmpExt:DigitalSourceType>\n` +
    `   <xmp:CreatorTool>${escapeXml(input.generator)}</xmp:CreatorTool>\n` +
    `   <xmp:CreateDate>${created}</xmp:CreateDate>\n` +
    `   <xmp:MetadataDate>${created}</xmp:MetadataDate>\n` +
    `   <photoshop:Credit>${escapeXml(credit)}</photoshop:Credit>\n` +
    langAlt('dc:description', description) +
    (input.title ? langAlt('dc:title', input.title) : '') +
    `   <atelier:AIGenerated>True</atelier:AIGenerated>\n` +
    `   <atelier:PersonaId>${escapeXml(input.personaId)}</atelier:PersonaId>\n` +
    `   <atelier:PersonaName>${escapeXml(name)}</atelier:PersonaName>\n` +
    `  </rdf:Description>\n` +
    ` </rdf:RDF>\n` +
    `</x:xmpmeta>\n` +
    `<?xpacket end="w"?>`
  );
}

function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ent: string) => {
    switch (ent) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
    return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The IPTC DigitalSourceType of an XMP packet, or null. Resolves the prefix bound to the Iptc4xmpExt
 * namespace (it need not be "Iptc4xmpExt") and accepts the three RDF/XML spellings writers use:
 * element content, `rdf:resource="…"` and the attribute shorthand on rdf:Description.
 */
export function readDigitalSourceType(xmp: string): string | null {
  const prefixes = new Set<string>();
  const nsDecl = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRegExp(XMP_NAMESPACES.Iptc4xmpExt)}["']`, 'g');
  for (const m of xmp.matchAll(nsDecl)) prefixes.add(m[1]!);
  for (const prefix of prefixes) {
    const p = escapeRegExp(prefix);
    const element = new RegExp(`<${p}:DigitalSourceType(?:\\s[^>]*)?>([^<]*)</${p}:DigitalSourceType\\s*>`).exec(xmp);
    if (element && element[1]!.trim()) return unescapeXml(element[1]!.trim());
    const resource = new RegExp(`<${p}:DigitalSourceType\\s[^>]*?rdf:resource\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xmp);
    if (resource) return unescapeXml((resource[1] ?? resource[2] ?? '').trim());
    const attribute = new RegExp(`\\s${p}:DigitalSourceType\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xmp);
    if (attribute) return unescapeXml((attribute[1] ?? attribute[2] ?? '').trim());
  }
  return null;
}

/** True when the packet marks the file as made by a trained model (the Art. 50 marking we write). */
export function isMarkedAiGenerated(xmp: string | null | undefined): boolean {
  return !!xmp && readDigitalSourceType(xmp) === DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA;
}
