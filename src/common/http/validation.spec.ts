import { BadRequestException } from '@nestjs/common';
import { IsString, registerDecorator } from 'class-validator';
import { createValidationPipe } from './validation';

/** A constraint that throws on one value, as validator.js's isEmail did on a lone surrogate. */
function ThrowsOn(bad: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (value === bad) throw new URIError('URI malformed');
          return true;
        },
      },
    });
}

class Input {
  @IsString()
  @ThrowsOn('boom')
  name!: string;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const run = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Input });

  it('passes valid values and refuses invalid ones with a 400', async () => {
    await expect(run({ name: 'ok' })).resolves.toBeInstanceOf(Input);
    await expect(run({ name: 1 })).rejects.toBeInstanceOf(BadRequestException);
  });

  it('answers a validator that throws with a 400 that does not quote the value', async () => {
    const error = (await run({ name: 'boom' }).catch((e: unknown) => e)) as BadRequestException;
    expect(error).toBeInstanceOf(BadRequestException);
    expect(JSON.stringify(error.getResponse())).not.toContain('boom');
  });
});
