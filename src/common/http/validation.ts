import { BadRequestException, Logger, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ValidatorOptions } from '@nestjs/common/interfaces/external/validator-options.interface';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Flattens nested validation errors into `a.b.c: message` entries. Submitted values are never included. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationException(errors: FieldError[]): BadRequestException {
  const summary = errors.map((e) => e.messages.join(', ')).join('; ');
  return new BadRequestException({ message: summary || 'Bad request', errors });
}

/**
 * A validator that throws on a hostile value (validator.js's isEmail percent-encodes its input, and threw URIError on
 * a lone surrogate) answers 400 like any other invalid value, never 500. The error is logged, without the value.
 */
class ClientValueValidationPipe extends ValidationPipe {
  private readonly logger = new Logger('Validation');

  protected override async validate(object: object, options?: ValidatorOptions): Promise<ValidationError[]> {
    try {
      return await super.validate(object, options);
    } catch (error) {
      this.logger.warn(`a validator threw on a submitted value: ${(error as Error).name}`);
      throw validationException([{ field: 'body', messages: ['contains a value that cannot be validated'] }]);
    }
  }
}

/**
 * Global pipe: whitelists DTO properties, rejects unknown ones (a typo must not be silently dropped), transforms
 * to DTO instances, and answers 400 with per-field messages that never echo the submitted value.
 */
export function createValidationPipe(): ValidationPipe {
  return new ClientValueValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationException(flattenValidationErrors(errors)),
  });
}
