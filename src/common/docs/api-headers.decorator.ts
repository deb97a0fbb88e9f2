import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

/** The three authentication headers, documented on each operation as Cal.com does (all optional). */
export function ApiAuthHeaders(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Authorization',
      description:
        'For non-platform customers - value must be `Bearer <token>` where `<token>` is api key prefixed with cal_',
      required: false,
    }),
    ApiHeader({
      name: 'x-cal-secret-key',
      description: 'For platform customers - OAuth client secret key',
      required: false,
    }),
    ApiHeader({
      name: 'x-cal-client-id',
      description: 'For platform customers - OAuth client ID',
      required: false,
    }),
  );
}
