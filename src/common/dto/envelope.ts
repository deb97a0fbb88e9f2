export const SUCCESS_STATUS = 'success';
export const ERROR_STATUS = 'error';

export interface Envelope<T> {
  status: typeof SUCCESS_STATUS;
  data: T;
}

export function ok<T>(data: T): Envelope<T> {
  return { status: SUCCESS_STATUS, data };
}
