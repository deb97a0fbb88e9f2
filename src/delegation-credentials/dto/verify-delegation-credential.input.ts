import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Most members one preflight checks (each costs a few provider calls, made while the admin waits). */
export const MAX_SAMPLE_MEMBERS = 50;

/** Optional body of POST …/{id}/verify. */
export class VerifyDelegationCredentialInput {
  @ApiPropertyOptional({
    description:
      'Preflight: also check this many matching members (accepted members whose email is in the domain, picked at ' +
      'random) through the provider, and report which would connect and which would fail and why. Changes no ' +
      'member state; works on a disabled credential (check before enabling).',
    minimum: 1,
    maximum: MAX_SAMPLE_MEMBERS,
    example: 50,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SAMPLE_MEMBERS)
  sampleMembers?: number;
}
