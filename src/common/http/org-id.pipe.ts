import { Injectable, type PipeTransform } from '@nestjs/common';
import { parseId } from './id-param';

/** `orgId` path parameter → number (IsOrgGuard has already rejected non-numeric ids with 400). */
@Injectable()
export class OrgIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    return parseId('orgId', value);
  }
}
