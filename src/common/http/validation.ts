import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

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
 * Global pipe: whitelists DTO properties, rejects unknown ones (a typo must not be silently dropped), transforms
 * to DTO instances, and answers 400 with per-field messages that never echo the submitted value.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationException(flattenValidationErrors(errors)),
  });
}
