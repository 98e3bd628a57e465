import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mp4FormatError, readMp4Xmp, writeMp4Xmp, XMP_UUID } from '../../src/generation/media/mp4-xmp.ts';
import { buildXmp, DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA, readDigitalSourceType } from '../../src/generation/media/xmp.ts';
import { ffmpeg, ffprobeJson, tempDir, testVideo } from './fixtures.ts';

const xmp = buildXmp({ personaName: 'Mia', personaId: 'p-9', generator: 'test', createdAt: new Date(0) });

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

function uuidBox(uuid: Buffer, payload: Buffer): Buffer {
  return box('uuid', Buffer.concat([uuid, payload]));
}

/** Top-level box types and offsets. */
function topLevel(bytes: Buffer): { type: string; start: number; size: number }[] {
  const out = [];
  for (let o = 0; o < bytes.length; ) {
    const size = bytes.readUInt32BE(o);
    out.push({ type: bytes.toString('latin1', o + 4, o + 8), start: o, size });
    o += size;
  }
  return out;
}

describe('MP4 XMP (uuid box)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('appends the packet to a real MP4, reads it back, and ffprobe still reads the file', async () => {
    const video = await testVideo(dir, { seconds: 1 });
    expect(readMp4Xmp(video)).toBeNull();
    const marked = writeMp4Xmp(video, xmp);
    expect(marked.subarray(0, video.length).equals(video)).toBe(true); // media data untouched
    expect(readDigitalSourceType(readMp4Xmp(marked)!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    const path = join(dir, 'marked.mp4');
    await writeFile(path, marked);
    const probe = await ffprobeJson(path);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    // Decodes end to end, not just probes.
    await ffmpeg(['-i', path, '-f', 'null', '-']);
  });

  it('replaces rather than stacks packets', async () => {
    const video = await testVideo(dir, { seconds: 1 });
    const once = writeMp4Xmp(video, xmp);
    const other = buildXmp({ personaName: 'Other', personaId: 'p-2', generator: 'x', createdAt: new Date(0) });
    const twice = writeMp4Xmp(once, other);
    expect(readMp4Xmp(twice)).toContain('Other');
    expect(topLevel(twice).filter((b) => b.type === 'uuid')).toHaveLength(1);
    expect(twice.length).toBe(video.length + 24 + Buffer.byteLength(other));
  });

  it('rewrites a packet that sits before mdat without moving mdat', () => {
    const ftyp = box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1'));
    const oldXmp = uuidBox(XMP_UUID, Buffer.from('<x:xmpmeta>'.padEnd(2000, ' ')));
    const mdat = box('mdat', Buffer.from('media-bytes'));
    const file = Buffer.concat([ftyp, oldXmp, mdat]);
    const mdatAt = ftyp.length + oldXmp.length;

    // Smaller packet: written in place, the rest becomes `free`.
    const small = writeMp4Xmp(file, xmp);
    expect(small.length).toBe(file.length);
    expect(topLevel(small).map((b) => b.type)).toEqual(['ftyp', 'uuid', 'free', 'mdat']);
    expect(small.indexOf('mdat', 0, 'latin1') - 4).toBe(mdatAt);
    expect(readMp4Xmp(small)).toBe(xmp);

    // Larger packet: the old box becomes a zero-filled `free` of the same size, the new one goes last.
    const big = buildXmp({ personaName: 'x'.repeat(3000), personaId: 'p', generator: 'g', createdAt: new Date(0) });
    const grown = writeMp4Xmp(file, big);
    expect(topLevel(grown).map((b) => b.type)).toEqual(['ftyp', 'free', 'mdat', 'uuid']);
    expect(grown.indexOf('mdat', 0, 'latin1') - 4).toBe(mdatAt);
    expect(grown.includes('<x:xmpmeta>'.padEnd(2000, ' '))).toBe(false);
    expect(readMp4Xmp(grown)).toBe(big);
  });

  it('ignores uuid boxes of other kinds and gives a size-0 last box its real size before appending', () => {
    const ftyp = box('ftyp', Buffer.from('isom\0\0\0\0', 'latin1'));
    const foreign = uuidBox(Buffer.alloc(16, 7), Buffer.from('not xmp'));
    const mdat = box('mdat', Buffer.from('abc'));
    mdat.writeUInt32BE(0, 0); // "extends to end of file"
    const file = Buffer.concat([ftyp, foreign, mdat]);
    expect(readMp4Xmp(file)).toBeNull();
    const marked = writeMp4Xmp(file, xmp);
    expect(topLevel(marked).map((b) => b.type)).toEqual(['ftyp', 'uuid', 'mdat', 'uuid']);
    expect(readMp4Xmp(marked)).toBe(xmp);
  });

  it('refuses what is not ISO BMFF', async () => {
    expect(() => writeMp4Xmp(Buffer.from('RIFF....WAVEfmt '), xmp)).toThrow(Mp4FormatError);
    expect(() => readMp4Xmp(Buffer.from('not a video at all'))).toThrow(Mp4FormatError);
    const truncated = (await readFile(join(dir, 'marked.mp4'))).subarray(0, 100);
    expect(() => readMp4Xmp(truncated)).toThrow(Mp4FormatError);
  });
});
