import { type FieldError, validationException } from '../../../common/http/validation';

export interface CalendarToLoad {
  credentialId?: number;
  delegationCredentialId?: string;
  externalId: string;
}

export interface BusyTimesQuery {
  timeZone?: string;
  dateFrom?: string;
  dateTo?: string;
  calendarsToLoad: CalendarToLoad[];
}

type Entry = Partial<Record<'credentialId' | 'externalId' | 'delegationCredentialId', unknown>>;

const MAX_CALENDARS = 100;
const FIELDS = new Set(['credentialId', 'externalId', 'delegationCredentialId']);
const FLAT = /^calendarsToLoad\[(\d{1,3})\]\[(\w+)\]$/;
const SCALARS = new Set(['timeZone', 'loggedInUsersTz', 'dateFrom', 'dateTo']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses Cal.com's `calendarsToLoad[i][credentialId]=…&calendarsToLoad[i][externalId]=…` query by hand: Express 5's
 * default (simple) query parser leaves those keys flat, and an extended parser would nest them — both are read.
 * The flat `credentialId` / `externalId` form of the published spec is accepted too. Unknown keys are a 400, as
 * unknown body fields are everywhere else.
 */
export function parseBusyTimesQuery(query: Record<string, unknown>): BusyTimesQuery {
  const errors: FieldError[] = [];
  const entries = new Map<number, Entry>();
  const set = (index: number, field: string, value: unknown, name: string): void => {
    if (FIELDS.has(field)) entries.set(index, { ...entries.get(index), [field]: value });
    else errors.push({ field: name, messages: [`property ${name} should not exist`] });
  };
  const scalars: Record<string, string> = {};

  for (const [key, value] of Object.entries(query)) {
    const flat = FLAT.exec(key);
    if (flat) {
      set(Number(flat[1]), flat[2], value, key);
    } else if (key === 'calendarsToLoad' && (Array.isArray(value) || isRecord(value))) {
      for (const [index, entry] of Object.entries(value as Record<string, unknown>)) {
        if (!isRecord(entry) || !/^\d{1,3}$/.test(index)) {
          errors.push({ field: `calendarsToLoad.${index}`, messages: ['must be an object'] });
          continue;
        }
        for (const [field, v] of Object.entries(entry))
          set(Number(index), field, v, `calendarsToLoad.${index}.${field}`);
      }
    } else if (FIELDS.has(key)) {
      // Spec form: credentialId=…&externalId=… (repeated for several calendars).
      (Array.isArray(value) ? value : [value]).forEach((v, i) => set(i, key, v, key));
    } else if (SCALARS.has(key) && typeof value === 'string') {
      scalars[key] = value;
    } else {
      errors.push({
        field: key,
        messages: [SCALARS.has(key) ? `${key} must be a single value` : `property ${key} should not exist`],
      });
    }
  }

  const calendarsToLoad = [...entries.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, entry]) => toCalendar(index, entry, errors))
    .filter((c): c is CalendarToLoad => c !== null);
  if (entries.size === 0)
    errors.push({
      field: 'calendarsToLoad',
      messages: ['calendarsToLoad must contain at least one calendar'],
    });
  if (entries.size > MAX_CALENDARS)
    errors.push({ field: 'calendarsToLoad', messages: [`at most ${MAX_CALENDARS} calendars per request`] });
  if (errors.length) throw validationException(errors);

  return {
    timeZone: scalars.timeZone ?? scalars.loggedInUsersTz,
    dateFrom: scalars.dateFrom || undefined,
    dateTo: scalars.dateTo || undefined,
    calendarsToLoad,
  };
}

function toCalendar(index: number, entry: Entry, errors: FieldError[]): CalendarToLoad | null {
  const field = (name: string) => `calendarsToLoad.${index}.${name}`;
  const before = errors.length;
  const { credentialId, externalId, delegationCredentialId } = entry;
  if (typeof externalId !== 'string' || !externalId)
    errors.push({ field: field('externalId'), messages: ['externalId must be a non-empty string'] });
  if (credentialId !== undefined && (typeof credentialId !== 'string' || !/^-?\d{1,10}$/.test(credentialId)))
    errors.push({ field: field('credentialId'), messages: ['credentialId must be an integer'] });
  if (
    delegationCredentialId !== undefined &&
    (typeof delegationCredentialId !== 'string' || !delegationCredentialId)
  )
    errors.push({
      field: field('delegationCredentialId'),
      messages: ['delegationCredentialId must be a string'],
    });
  if (credentialId === undefined && delegationCredentialId === undefined)
    errors.push({
      field: field('credentialId'),
      messages: ['credentialId or delegationCredentialId is required'],
    });
  if (errors.length > before) return null;
  return {
    externalId: externalId as string,
    ...(credentialId !== undefined ? { credentialId: Number(credentialId) } : {}),
    ...(delegationCredentialId !== undefined
      ? { delegationCredentialId: delegationCredentialId as string }
      : {}),
  };
}
