/**
 * XMP in ISO base media files (MP4, M4A, MOV), as the Adobe XMP specification part 3 puts it: a
 * top-level `uuid` box whose extended type is BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, payload = the
 * packet in UTF-8.
 *
 * Writing never moves media data: sample tables (stco/co64) hold absolute file offsets, so the box is
 * appended at the end of the file, or rewritten in place when an existing one has room. An existing
 * XMP box that cannot be reused is turned into a zero-filled `free` box (same size), so offsets stay
 * valid and the old packet's contents are gone.
 */

export const XMP_UUID = Buffer.from('BE7ACFCB97A942E89C71999491E3AFAC', 'hex');

export class Mp4FormatError extends Error {
  override name = 'Mp4FormatError';
}

interface Box {
  type: string;
  start: number;
  /** Header length (8, 16 with largesize, +16 for uuid). */
  headerSize: number;
  size: number;
  /** The header uses the 64-bit largesize field. */
  largeSize: boolean;
  /** The box had size 0 ("extends to end of file"). */
  toEnd: boolean;
  /** Extended type of a `uuid` box. */
  uuid?: Buffer;
}

const TOP_LEVEL_TYPES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'moof', 'mfra', 'meta', 'pdin', 'sidx', 'pnot', 'prfl', 'junk']);

function readBoxes(bytes: Buffer): Box[] {
  const boxes: Box[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 8) throw new Mp4FormatError(`truncated box header at offset ${offset}`);
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    let headerSize = 8;
    let toEnd = false;
    if (size === 1) {
      if (bytes.length - offset < 16) throw new Mp4FormatError(`truncated largesize at offset ${offset}`);
      const large = bytes.readBigUInt64BE(offset + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4FormatError(`box too large at offset ${offset}`);
      size = Number(large);
      headerSize = 16;
    } else if (size === 0) {
      size = bytes.length - offset;
      toEnd = true;
    }
    if (!/^[\x20-\x7e]{4}$/.test(type)) throw new Mp4FormatError(`not an ISO BMFF box type at offset ${offset}`);
    const box: Box = { type, start: offset, headerSize, size, largeSize: headerSize === 16, toEnd };
    if (type === 'uuid') {
      if (size < headerSize + 16) throw new Mp4FormatError(`uuid box too small at offset ${offset}`);
      box.uuid = bytes.subarray(offset + headerSize, offset + headerSize + 16);
      box.headerSize += 16;
    }
    if (size < headerSize || offset + size > bytes.length) throw new Mp4FormatError(`box '${type}' at offset ${offset} overruns the file`);
    boxes.push(box);
    offset += size;
  }
  if (boxes.length === 0 || !TOP_LEVEL_TYPES.has(boxes[0]!.type)) throw new Mp4FormatError('not an ISO base media file (MP4/M4A/MOV)');
  return boxes;
}

function isXmpBox(box: Box): boolean {
  return box.type === 'uuid' && !!box.uuid && box.uuid.equals(XMP_UUID);
}

function xmpBox(xmp: string): Buffer {
  const payload = Buffer.from(xmp, 'utf8');
  const size = 8 + 16 + payload.length;
  if (size > 0xffffffff) throw new RangeError('XMP packet too large for a uuid box');
  const header = Buffer.alloc(24);
  header.writeUInt32BE(size, 0);
  header.write('uuid', 4, 'latin1');
  XMP_UUID.copy(header, 8);
  return Buffer.concat([header, payload]);
}

function freeBox(size: number): Buffer {
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write('free', 4, 'latin1');
  return box;
}

/** The XMP packet of an MP4/M4A/MOV file (first XMP uuid box at top level), or null when there is none. */
export function readMp4Xmp(bytes: Buffer): string | null {
  for (const box of readBoxes(bytes)) {
    if (isXmpBox(box)) return bytes.toString('utf8', box.start + box.headerSize, box.start + box.size);
  }
  return null;
}

/**
 * A copy of `bytes` whose XMP is `xmp`: replaces an existing XMP uuid box (in place when it has room,
 * otherwise the old one becomes a zeroed `free` box) or appends one at top level. Throws
 * Mp4FormatError when the input is not an ISO BMFF file.
 */
export function writeMp4Xmp(bytes: Buffer, xmp: string): Buffer {
  const boxes = readBoxes(bytes);
  const next = xmpBox(xmp);
  const out = Buffer.from(bytes); // copy: never mutate the caller's buffer
  const existing = boxes.filter(isXmpBox);
  let placed = false;
  let end = out.length;

  // Trailing XMP boxes can simply be cut off: nothing after them holds offsets into them.
  for (let i = boxes.length - 1; i >= 0 && isXmpBox(boxes[i]!); i--) end = boxes[i]!.start;
  for (const box of existing) {
    if (box.start >= end) continue;
    const fitsExactly = next.length === box.size;
    const fitsWithPadding = next.length + 8 <= box.size;
    if (!placed && (fitsExactly || fitsWithPadding) && !box.toEnd) {
      next.copy(out, box.start);
      if (!fitsExactly) freeBox(box.size - next.length).copy(out, box.start + next.length);
      placed = true;
    } else {
      // Keep the size (media offsets after it stay valid), drop the contents.
      out.fill(0, box.start, box.start + box.size);
      if (box.largeSize) {
        // largesize header: size=1, 'free', 64-bit size
        out.writeUInt32BE(1, box.start);
        out.write('free', box.start + 4, 'latin1');
        out.writeBigUInt64BE(BigInt(box.size), box.start + 8);
      } else {
        out.writeUInt32BE(box.size, box.start);
        out.write('free', box.start + 4, 'latin1');
      }
    }
  }

  const body = out.subarray(0, end);
  // A last box with size 0 runs to the end of the file; give it its real size before appending after it.
  const last = boxes.filter((b) => b.start < end).at(-1);
  if (!placed && last?.toEnd) {
    if (last.size > 0xffffffff) throw new Mp4FormatError('cannot append after a >4 GiB box of unspecified size');
    body.writeUInt32BE(last.size, last.start);
  }
  return placed ? Buffer.from(body) : Buffer.concat([body, next]);
}
