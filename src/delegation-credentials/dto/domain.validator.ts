import { ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isValidDomain, normalizeDomain } from '../domain';

export const normalizeDomainInput = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? normalizeDomain(value) : value;

@ValidatorConstraint({ name: 'isDomain', async: false })
export class DomainConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isValidDomain(value);
  }

  defaultMessage(): string {
    return 'domain must be a valid domain name such as acme.com (labels of 1-63 letters, digits or hyphens, at least one dot, at most 253 characters)';
  }
}
