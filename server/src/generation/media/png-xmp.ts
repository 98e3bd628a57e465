import { crc32 } from 'node:zlib';

/**
 * XMP in PNG as the XMP specification (part 3) requires it: an uncompressed `iTXt` chunk with the
 * keyword `XML:com.adobe.xmp`, before IDAT. libvips writes it as a compressed `zTXt` chunk instead,
 * which some readers and byte-scanning checkers miss, so PNG outputs get their packet from here.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))), 0);
  return Buffer.concat([head, data, crc]);
}

/** A copy of `png` without any XMP chunk and with `xmp` in an uncompressed iTXt chunk right after IHDR. */
export function writePngXmp(png: Buffer, xmp: string): Buffer {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new TypeError('writePngXmp: not a PNG');
  const parts: Buffer[] = [SIGNATURE];
  const itxt = chunk(
    'iTXt',
    Buffer.concat([Buffer.from(`${PNG_XMP_KEYWORD}\0\0\0\0\0`, 'latin1'), Buffer.from(xmp, 'utf8')]),
  );
  let offset = 8;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new TypeError('writePngXmp: truncated PNG');
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) throw new TypeError('writePngXmp: truncated PNG');
    const data = png.subarray(offset + 8, offset + 8 + length);
    const isXmp = (type === 'iTXt' || type === 'zTXt' || type === 'tEXt') && data.toString('latin1', 0, data.indexOf(0)) === PNG_XMP_KEYWORD;
    if (!isXmp) parts.push(png.subarray(offset, end));
    if (type === 'IHDR') parts.push(itxt);
    offset = end;
  }
  return Buffer.concat(parts);
}
