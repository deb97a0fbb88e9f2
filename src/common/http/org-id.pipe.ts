import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

/** `orgId` path parameter → number (IsOrgGuard has already rejected non-numeric ids with 400). */
@Injectable()
export class OrgIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = Number(value);
    if (!Number.isInteger(id) || id < 1)
      throw new BadRequestException(`orgId must be a positive integer, got '${value}'.`);
    return id;
  }
}
