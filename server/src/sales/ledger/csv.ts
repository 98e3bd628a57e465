/**
 * Reading a sales statement (CSV) into ledger rows. Every line is checked before anything is written;
 * one bad line rejects the whole file with `line N: message` (N as an editor shows it, header = line 1).
 *
 * The generic format (header names case-insensitive, any order; `-`/`_`/spaces alike):
 *   date            2025-03-01 or 2025-03-01T14:05:00Z (ISO 8601; a date alone is midnight UTC)
 *   type            subscription | renewal | tip | ppv | pack | refund | chargeback
 *   gross           decimal in major units, dot separator ("12.50"); refunds may be written positive
 *   fee             optional, default 0
 *   net             optional, default gross - fee; when given, must equal it within one minor unit
 *   currency        ISO 4217 code
 *   fan_id          optional: the platform's id of the fan (fan_handle is used when absent)
 *   fan_handle      optional
 *   transaction_id  optional but recommended: re-importing the same file then never adds a row twice
 *   description     optional
 * Platform statements with other headers map onto these through `ALIASES`.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { transactionKinds, type TransactionKind } from '../../platform/db/schema/index.ts';
import { isCurrency, parseDecimalMinor } from './money.ts';

export const MAX_ROWS = 50_000;
const MAX_ERRORS = 200;

type Column = 'date' | 'type' | 'gross' | 'fee' | 'net' | 'currency' | 'fan_id' | 'fan_handle' | 'transaction_id' | 'description';
const REQUIRED: Column[] = ['date', 'type', 'gross', 'currency'];

/** Other spellings seen in platform statements, mapped to the generic columns. */
const ALIASES: Record<string, Column> = {
  date: 'date',
  datetime: 'date',
  created_at: 'date',
  type: 'type',
  kind: 'type',
  gross: 'gross',
  amount: 'gross',
  fee: 'fee',
  fees: 'fee',
  platform_fee: 'fee',
  net: 'net',
  earnings: 'net',
  currency: 'currency',
  fan_id: 'fan_id',
  user_id: 'fan_id',
  fan_handle: 'fan_handle',
  fan: 'fan_handle',
  username: 'fan_handle',
  transaction_id: 'transaction_id',
  id: 'transaction_id',
  description: 'description',
  note: 'description',
};

const KIND_ALIASES: Record<string, TransactionKind> = {
  ...Object.fromEntries(transactionKinds.map((k) => [k, k])),
  sub: 'subscription',
  recurring: 'renewal',
  rebill: 'renewal',
  message: 'ppv',
  post: 'ppv',
  bundle: 'pack',
};

export interface CsvRow {
  line: number;
  kind: TransactionKind;
  occurredAt: Date;
  grossMinor: number;
  feeMinor: number;
  netMinor: number;
  currency: string;
  fanId: string | null;
  fanHandle: string | null;
  transactionId: string | null;
  description: string;
  /** The platform's id, or a hash of the line's content (+ its rank among identical lines). */
  sourceId: string;
  raw: Record<string, string>;
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; errors: string[] };

const normalise = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseDate(text: string): Date | null {
  const t = text.trim();
  if (!ISO_DATE.test(t)) return null;
  const [y, m, d] = t.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(y, m - 1, d));
  // Date.parse would roll 2025-02-30 over to March.
  if (calendar.getUTCFullYear() !== y || calendar.getUTCMonth() !== m - 1 || calendar.getUTCDate() !== d) return null;
  if (t.length === 10) return calendar;
  const iso = t.replace(' ', 'T');
  const at = new Date(/(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export function parseStatement(text: string, platform: string): CsvResult {
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 64 * 1024 }) as never;
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    return { ok: false, errors: [`line ${e.lines ?? 1}: ${(e.message ?? 'unreadable CSV').replace(/^[A-Za-z ]+:\s*/, '')}`] };
  }
  if (!records.length) return { ok: false, errors: ['line 1: the file is empty'] };
  // csv-parse reports where a record ends; a quoted field may span lines, so the start is counted here.
  let previousEnd = 0;
  let previousEmpty = 0;
  const located = records.map((r) => {
    const start = previousEnd + 1 + (r.info.empty_lines - previousEmpty);
    previousEnd = r.info.lines;
    previousEmpty = r.info.empty_lines;
    return { line: start, cells: r.record };
  });

  const [header, ...body] = located;
  const errors: string[] = [];
  const columns = new Map<Column, number>();
  header!.cells.forEach((name, index) => {
    const column = ALIASES[normalise(name)];
    if (!column) errors.push(`line ${header!.line}: unknown column "${name}"`);
    else if (columns.has(column)) errors.push(`line ${header!.line}: column "${column}" appears twice`);
    else columns.set(column, index);
  });
  for (const c of REQUIRED) if (!columns.has(c)) errors.push(`line ${header!.line}: missing column "${c}"`);
  if (errors.length) return { ok: false, errors };
  if (!body.length) return { ok: false, errors: [`line ${header!.line + 1}: no rows after the header`] };
  if (body.length > MAX_ROWS) return { ok: false, errors: [`line ${body[MAX_ROWS]!.line}: more than ${MAX_ROWS} rows; split the file`] };

  const rows: CsvRow[] = [];
  const seenIds = new Map<string, number>();
  const hashRank = new Map<string, number>();
  for (const { line, cells } of body) {
    if (errors.length >= MAX_ERRORS) break;
    const fail = (message: string) => errors.push(`line ${line}: ${message}`);
    if (cells.length !== header!.cells.length) {
      fail(`expected ${header!.cells.length} fields, found ${cells.length}`);
      continue;
    }
    const cell = (c: Column) => (columns.has(c) ? (cells[columns.get(c)!] ?? '').trim() : '');
    const before = errors.length;
    const transactionId = cell('transaction_id') || null;
    if (transactionId) {
      if (transactionId.length > 200) fail('transaction_id is longer than 200 characters');
      const first = seenIds.get(transactionId);
      if (first !== undefined) fail(`transaction_id "${transactionId}" already appears on line ${first}`);
      else seenIds.set(transactionId, line);
    }

    const occurredAt = parseDate(cell('date'));
    if (!occurredAt) fail(`date "${cell('date')}" is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)`);
    const kind = KIND_ALIASES[cell('type').toLowerCase()];
    if (!kind) fail(`type "${cell('type')}" is not one of ${transactionKinds.join(', ')}`);
    const currency = cell('currency').toUpperCase();
    if (!isCurrency(currency)) fail(`currency "${cell('currency')}" is not an ISO 4217 code`);
    if (errors.length > before) continue;

    const amount = (c: Column, fallback: number | null) => {
      const text = cell(c);
      if (text === '') {
        if (fallback === null) fail(`${c} is required`);
        return fallback;
      }
      const parsed = parseDecimalMinor(text, currency);
      if (!parsed.ok) {
        fail(`${c}: ${parsed.message}`);
        return null;
      }
      return parsed.minor;
    };
    let gross = amount('gross', null);
    let fee = amount('fee', 0);
    if (gross === null || fee === null) continue;
    let net = amount('net', gross - fee);
    if (net === null) continue;
    const reversal = kind === 'refund' || kind === 'chargeback';
    // Statements often print refunds as positive figures in a "refund" row: the kind says the direction.
    if (reversal && gross > 0 && fee >= 0 && net >= 0) [gross, fee, net] = [-gross, -fee, -net];
    if (reversal && gross > 0) fail('a refund or chargeback cannot have a positive gross next to negative figures');
    if (!reversal && gross < 0) fail(`gross is negative for a ${kind}; record money going back as refund or chargeback`);
    if (Math.abs(gross - fee - net) > 1) fail(`net ${cell('net')} is not gross ${cell('gross')} minus fee ${cell('fee') || '0'}`);
    const fanId = cell('fan_id') || null;
    const fanHandle = cell('fan_handle') || null;
    if ((fanId?.length ?? 0) > 200 || (fanHandle?.length ?? 0) > 200) fail('fan_id / fan_handle longer than 200 characters');
    if (errors.length > before) continue;

    const raw = Object.fromEntries(header!.cells.map((h, i) => [h, cells[i] ?? '']));
    let sourceId = transactionId;
    if (!sourceId) {
      const content = createHash('sha256')
        .update(JSON.stringify([platform, occurredAt!.toISOString(), kind, gross, fee, net, currency, fanId, fanHandle, cell('description')]))
        .digest('hex');
      const rank = (hashRank.get(content) ?? 0) + 1;
      hashRank.set(content, rank);
      sourceId = `sha256:${content.slice(0, 40)}:${rank}`;
    }
    rows.push({
      line,
      kind: kind!,
      occurredAt: occurredAt!,
      grossMinor: gross,
      feeMinor: fee,
      netMinor: net,
      currency,
      fanId,
      fanHandle,
      transactionId,
      description: cell('description').slice(0, 500),
      sourceId,
      raw,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}
